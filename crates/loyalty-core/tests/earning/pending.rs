//! Pending points: a purchase's points wait out the return window, a return inside it takes
//! them back from pending, and the release job makes the rest available.

use super::*;
use loyalty_core::outcome::ReturnOutcome;

/// One point per dollar on purchases, 50 for a review, and a 30-day return window.
fn shop() -> Shop {
    let mut shop = Shop::new(
        r#"
[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1

[[earning]]
id = "reviews"
kind = "activity"
activity = "review"
points = 50

[returns]
pending_days = 30
"#,
    );
    shop.enrol("m");
    shop
}

fn balance(shop: &Shop) -> (i64, i64) {
    let b = shop.balance("m");
    (b.available.get(), b.pending.get())
}

#[test]
fn a_purchase_is_pending_for_thirty_local_days_and_an_activity_is_not() {
    let mut shop = shop();
    // 12:00 in New York, the day before the clocks go forward.
    let bought = shop.buy("m", "o-1", "2026-03-07T17:00:00Z", vec![line("tee", "", 2, 6_000)]);
    assert_eq!((bought.points, bought.balance.pending.get(), bought.balance.available.get()), (120, 120, 0));
    // Thirty days later at 12:00 local, in summer time.
    assert_eq!(bought.explanation.pending_until, Some(at("2026-04-06T16:00:00Z")));
    assert!(
        bought
            .explanation
            .summary
            .ends_with("; pending until 2026-04-06T16:00:00Z, when the return window closes")
    );
    assert_eq!(shop.last_entry("m").1, vec![("program:issued".into(), -120), ("member:pending".into(), 120)]);

    shop.activity("m", "review", None, "2026-03-08T17:00:00Z");
    assert_eq!(balance(&shop), (50, 120));
    // Pending points cannot be spent.
    assert_eq!(shop.spend("m", 60, "2026-03-09T17:00:00Z").unwrap_err().code(), "insufficient_points");
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn the_release_job_makes_due_points_available_once() {
    let mut shop = shop();
    shop.buy("m", "o-1", "2026-01-05T17:00:00Z", vec![line("tee", "", 1, 8_000)]);
    shop.buy("m", "o-2", "2026-01-20T17:00:00Z", vec![line("cap", "", 1, 2_000)]);
    assert_eq!(shop.release("m", "2026-02-04T16:59:59Z").unwrap_err().code(), "nothing_due");

    let Outcome::Job(released) = shop.release("m", "2026-02-04T17:00:00Z").unwrap() else { panic!() };
    assert_eq!((released.job.as_str(), released.points.get()), ("release_pending", 80));
    assert_eq!(balance(&shop), (80, 20));
    assert_eq!(
        shop.last_entry("m"),
        (EntryKind::PendingRelease, vec![("member:pending".into(), -80), ("member:available".into(), 80)])
    );
    assert_eq!(shop.release("m", "2026-02-04T17:00:00Z").unwrap_err().code(), "nothing_due");
    // A late run releases what fell due since, and nothing twice.
    shop.release("m", "2026-03-01T17:00:00Z").unwrap();
    assert_eq!(balance(&shop), (100, 0));
    assert_eq!(shop.lots("m").iter().map(|l| l.3.clone()).collect::<Vec<_>>(), vec![None, None]);
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn a_return_inside_the_window_takes_back_from_pending_and_leaves_available_alone() {
    let mut shop = shop();
    shop.activity("m", "review", None, "2026-01-04T17:00:00Z");
    shop.buy("m", "o-1", "2026-01-05T17:00:00Z", vec![line("tee", "", 3, 2_000)]);
    assert_eq!(balance(&shop), (50, 60));
    let Outcome::Return(ReturnOutcome { points_reversed, .. }) =
        shop.give_back("m", "o-1", "tee", 2, "2026-01-10T17:00:00Z")
    else {
        panic!()
    };
    assert_eq!(points_reversed.get(), 40);
    assert_eq!(balance(&shop), (50, 20));
    assert_eq!(
        shop.last_entry("m"),
        (EntryKind::Return, vec![("member:pending".into(), -40), ("program:issued".into(), 40)])
    );
    shop.release("m", "2026-02-04T17:00:00Z").unwrap();
    assert_eq!(balance(&shop), (70, 0));
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn released_points_repay_a_debt_first() {
    let mut shop = shop();
    // 50 for a review, spent; then a purchase released and spent, and returned: a debt.
    shop.buy("m", "o-1", "2026-01-05T17:00:00Z", vec![line("tee", "", 1, 4_000)]);
    shop.release("m", "2026-02-04T17:00:00Z").unwrap();
    shop.spend("m", 40, "2026-02-05T17:00:00Z").unwrap();
    shop.give_back("m", "o-1", "tee", 1, "2026-02-06T17:00:00Z");
    assert_eq!((shop.available("m"), shop.ledger.member(&external("m")).unwrap().debt.get()), (-40, 40));
    // The next purchase is pending and repays nothing until it is released.
    shop.buy("m", "o-2", "2026-02-07T17:00:00Z", vec![line("cap", "", 1, 10_000)]);
    assert_eq!(balance(&shop), (-40, 100));
    shop.release("m", "2026-03-09T17:00:00Z").unwrap();
    assert_eq!(balance(&shop), (60, 0));
    assert_eq!(shop.ledger.member(&external("m")).unwrap().debt.get(), 0);
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn a_pending_window_must_be_between_one_day_and_a_year() {
    assert_eq!(
        invalid("[returns]\npending_days = 0"),
        "returns.pending_days: must be between 1 and 365, not 0"
    );
}

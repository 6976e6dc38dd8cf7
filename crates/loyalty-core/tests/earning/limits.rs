//! The program's limits: caps on points per local day and month, which cut an award to what
//! remains and say so, and the velocity rule, which holds points for an administrator.

use super::*;
use loyalty_core::Points;
use loyalty_core::outcome::{LimitExplanation, ReviewOutcome};

/// One point per dollar, and `limits` (TOML under `[limits]`).
fn shop(limits: &str) -> Shop {
    let mut shop = Shop::new(&format!(
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

[limits]
{limits}
"#
    ));
    shop.enrol("m");
    shop
}

/// A purchase of `dollars` USD.
fn buy(shop: &mut Shop, order: &str, at_text: &str, dollars: i64) -> Earned {
    shop.buy("m", order, at_text, vec![line("tee", "", 1, dollars * 100)])
}

fn cut(limit: &str, cap: i64, earned_before: i64, points_before: i64, points_after: i64) -> LimitExplanation {
    LimitExplanation {
        limit: limit.to_owned(),
        cap,
        earned_before,
        points_before: Points::new(points_before),
        points_after: Points::new(points_after),
    }
}

fn review(shop: &mut Shop, release: bool, at_text: &str) -> ReviewOutcome {
    match shop.review("m", release, at_text).unwrap() {
        Outcome::Review(r) => r,
        other => panic!("a review rendered {other:?}"),
    }
}

#[test]
fn a_daily_cap_cuts_an_award_to_what_remains_and_says_so() {
    let mut shop = shop("max_points_per_day = 100");
    assert_eq!(buy(&mut shop, "o-1", "2026-03-02T14:00:00Z", 60).points, 60);
    let capped = buy(&mut shop, "o-2", "2026-03-02T15:00:00Z", 60);
    // 100 - 60 = 40 of the 60 left.
    assert_eq!(capped.points, 40);
    assert_eq!(capped.explanation.limits, vec![cut("max_points_per_day", 100, 60, 60, 40)]);
    // The rule's award is what it was due; the cap cuts the event's total.
    assert_eq!(capped.awards(), vec![triple("base", "60", "1 point per 1.00 USD on 60.00 USD")]);
    assert_eq!(capped.explanation.points.get(), 40);
    assert_eq!(
        capped.explanation.summary,
        "the lines earn 60 points in all; rounded once per order (floor): 60 points; \
         max_points_per_day is 100, 60 already earned, so 40 points instead of 60"
    );
    assert_eq!(shop.available("m"), 100);
}

#[test]
fn a_daily_cap_reached_exactly_cuts_nothing_then_everything_until_local_midnight() {
    let mut shop = shop("max_points_per_day = 100");
    assert_eq!(buy(&mut shop, "o-1", "2026-03-02T14:00:00Z", 60).points, 60);
    let exactly = buy(&mut shop, "o-2", "2026-03-02T15:00:00Z", 40);
    // 60 + 40 = 100: the cap, not over it.
    assert_eq!(exactly.points, 40);
    assert!(exactly.explanation.limits.is_empty());

    let over = buy(&mut shop, "o-3", "2026-03-02T16:00:00Z", 1);
    assert_eq!(over.points, 0);
    assert_eq!(over.explanation.limits, vec![cut("max_points_per_day", 100, 100, 1, 0)]);
    // Activities count against the same cap.
    let activity = shop.activity("m", "review", None, "2026-03-02T17:00:00Z");
    assert_eq!(activity.points, 0);
    assert_eq!(activity.awards(), vec![triple("reviews", "50", "review: 50 points")]);
    assert_eq!(activity.explanation.limits, vec![cut("max_points_per_day", 100, 100, 50, 0)]);
    // 3 March 04:59:59 UTC is still 2 March in New York (EST, UTC-5).
    let late = buy(&mut shop, "o-4", "2026-03-03T04:59:59Z", 10);
    assert_eq!(late.explanation.limits, vec![cut("max_points_per_day", 100, 100, 10, 0)]);
    assert_eq!(shop.available("m"), 100);

    // 05:00Z is midnight on 3 March in New York: a fresh 100.
    let next_day = buy(&mut shop, "o-5", "2026-03-03T05:00:00Z", 30);
    assert_eq!(next_day.points, 30);
    assert!(next_day.explanation.limits.is_empty());
    // 100 + 30.
    assert_eq!(shop.available("m"), 130);
}

#[test]
fn a_monthly_cap_cuts_at_the_edges_of_the_local_month() {
    let mut shop = shop("max_points_per_month = 150");
    assert_eq!(buy(&mut shop, "o-1", "2026-03-01T15:00:00Z", 100).points, 100);
    // 1 April 03:30 UTC is 31 March 23:30 in New York (EDT, UTC-4): still March.
    let march = buy(&mut shop, "o-2", "2026-04-01T03:30:00Z", 80);
    // 150 - 100 = 50 of the 80.
    assert_eq!(march.points, 50);
    assert_eq!(march.explanation.limits, vec![cut("max_points_per_month", 150, 100, 80, 50)]);
    let full = buy(&mut shop, "o-3", "2026-04-01T03:59:59Z", 5);
    assert_eq!(full.points, 0);
    assert_eq!(full.explanation.limits, vec![cut("max_points_per_month", 150, 150, 5, 0)]);
    // 04:00Z is midnight on 1 April in New York: a new month.
    let april = buy(&mut shop, "o-4", "2026-04-01T04:00:00Z", 150);
    assert_eq!(april.points, 150);
    assert!(april.explanation.limits.is_empty());
    // 150 in March, 150 in April.
    assert_eq!(shop.available("m"), 300);
}

#[test]
fn with_both_caps_the_tighter_one_cuts_and_each_says_what_it_cut() {
    let mut shop = shop("max_points_per_day = 100\nmax_points_per_month = 150");
    assert_eq!(buy(&mut shop, "o-1", "2026-03-02T14:00:00Z", 90).points, 90);
    // The day has 10 left, the month 60: the day cuts 30 to 10.
    let by_day = buy(&mut shop, "o-2", "2026-03-02T15:00:00Z", 30);
    assert_eq!(by_day.points, 10);
    assert_eq!(by_day.explanation.limits, vec![cut("max_points_per_day", 100, 90, 30, 10)]);
    // A new day; the month has 50 left: 30 in full.
    assert_eq!(buy(&mut shop, "o-3", "2026-03-03T14:00:00Z", 30).points, 30);
    // The day has 70 left, the month 20: the day cuts 80 to 70, then the month 70 to 20.
    let by_both = buy(&mut shop, "o-4", "2026-03-03T15:00:00Z", 80);
    assert_eq!(by_both.points, 20);
    assert_eq!(
        by_both.explanation.limits,
        vec![cut("max_points_per_day", 100, 30, 80, 70), cut("max_points_per_month", 150, 130, 70, 20)]
    );
    // A new day with 100 left, but the month is full: the month alone cuts.
    let by_month = buy(&mut shop, "o-5", "2026-03-04T14:00:00Z", 5);
    assert_eq!(by_month.points, 0);
    assert_eq!(by_month.explanation.limits, vec![cut("max_points_per_month", 150, 150, 5, 0)]);
    // 90 + 10 + 30 + 20.
    assert_eq!(shop.available("m"), 150);
}

#[test]
fn more_purchases_than_allowed_within_the_window_are_held_for_review() {
    let mut shop = shop("velocity = { minutes = 10, max_purchases = 2 }");
    assert_eq!(buy(&mut shop, "o-1", "2026-03-02T14:00:00Z", 10).explanation.held_for_review, None);
    assert_eq!(buy(&mut shop, "o-2", "2026-03-02T14:05:00Z", 10).explanation.held_for_review, None);
    // Exactly 10 minutes after the first: the first still counts, 3 purchases > 2.
    let third = buy(&mut shop, "o-3", "2026-03-02T14:10:00Z", 10);
    assert_eq!(third.points, 10);
    assert_eq!(
        third.explanation.held_for_review.as_deref(),
        Some(
            "earned too fast: 3 purchases and 30 points within 10 minutes; \
             held until an administrator releases them"
        )
    );
    assert_eq!(third.balance.available.get(), 20);
    assert_eq!(third.balance.pending_review.get(), 10);
    let balance = shop.balance("m");
    assert_eq!((balance.available.get(), balance.pending_review.get()), (20, 10));

    // Released: the 10 become available.
    let released = review(&mut shop, true, "2026-03-02T15:00:00Z");
    assert_eq!(released.decision, "released");
    assert_eq!(released.points.get(), 10);
    assert_eq!((released.balance.available.get(), released.balance.pending_review.get()), (30, 0));
    assert_eq!(shop.available("m"), 30);
    // Nothing is held any more.
    let nothing = shop.review("m", true, "2026-03-02T15:01:00Z").unwrap_err();
    assert_eq!(nothing, Rejection::NothingInReview { external_id: "m".to_owned() });
    assert_eq!(nothing.code(), "nothing_in_review");
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn a_purchase_just_past_the_window_is_not_counted() {
    let mut shop = shop("velocity = { minutes = 10, max_purchases = 2 }");
    buy(&mut shop, "o-1", "2026-03-02T14:00:00Z", 10);
    buy(&mut shop, "o-2", "2026-03-02T14:05:00Z", 10);
    // One microsecond more than 10 minutes after the first: 2 purchases in the window.
    let third = buy(&mut shop, "o-3", "2026-03-02T14:10:00.000001Z", 10);
    assert_eq!(third.explanation.held_for_review, None);
    assert_eq!(third.balance.available.get(), 30);
    assert_eq!(third.balance.pending_review.get(), 0);
    assert_eq!(refusal(shop.review("m", false, "2026-03-02T15:00:00Z")), "nothing_in_review");
}

fn refusal(result: Result<Outcome, Rejection>) -> &'static str {
    result.unwrap_err().code()
}

#[test]
fn more_points_than_allowed_within_the_window_are_held_and_can_be_voided() {
    let mut shop = shop("velocity = { minutes = 60, max_points = 100 }");
    assert_eq!(buy(&mut shop, "o-1", "2026-03-02T14:00:00Z", 60).explanation.held_for_review, None);
    // 60 + 40 = 100: the limit, not over it.
    assert_eq!(buy(&mut shop, "o-2", "2026-03-02T14:30:00Z", 40).explanation.held_for_review, None);
    // 100 + 1 = 101 > 100.
    let held = buy(&mut shop, "o-3", "2026-03-02T14:59:00Z", 1);
    assert_eq!(
        held.explanation.held_for_review.as_deref(),
        Some(
            "earned too fast: 3 purchases and 101 points within 60 minutes; \
             held until an administrator releases them"
        )
    );
    assert_eq!((held.balance.available.get(), held.balance.pending_review.get()), (100, 1));
    // Exactly 60 minutes after the second, the first is out: 40 + 1 (held) + 59 = 100.
    let later = buy(&mut shop, "o-4", "2026-03-02T15:30:00Z", 59);
    assert_eq!(later.explanation.held_for_review, None);
    assert_eq!((later.balance.available.get(), later.balance.pending_review.get()), (159, 1));

    // Voided: the held point is gone, the rest untouched.
    let voided = review(&mut shop, false, "2026-03-02T16:00:00Z");
    assert_eq!(voided.decision, "voided");
    assert_eq!(voided.points.get(), 1);
    assert_eq!((voided.balance.available.get(), voided.balance.pending_review.get()), (159, 0));
    let balance = shop.balance("m");
    assert_eq!((balance.available.get(), balance.pending_review.get()), (159, 0));
    assert_eq!(refusal(shop.review("m", false, "2026-03-02T16:01:00Z")), "nothing_in_review");
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn activities_count_towards_the_points_within_the_window() {
    let mut shop = shop("velocity = { minutes = 60, max_points = 100 }");
    buy(&mut shop, "o-1", "2026-03-02T14:00:00Z", 90);
    // 90 + 50 = 140 > 100; one purchase in the window.
    let held = shop.activity("m", "review", None, "2026-03-02T14:10:00Z");
    assert_eq!(held.points, 50);
    assert_eq!(
        held.explanation.held_for_review.as_deref(),
        Some(
            "earned too fast: 1 purchase and 140 points within 60 minutes; \
             held until an administrator releases them"
        )
    );
    assert_eq!((held.balance.available.get(), held.balance.pending_review.get()), (90, 50));
    let released = review(&mut shop, true, "2026-03-02T15:00:00Z");
    assert_eq!(released.points.get(), 50);
    // 90 + 50.
    assert_eq!(shop.available("m"), 140);
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn an_unknown_member_has_nothing_to_review() {
    let mut shop = shop("max_points_per_day = 100");
    assert_eq!(refusal(shop.review("ghost", true, "2026-03-02T15:00:00Z")), "member_not_found");
    assert_eq!(refusal(shop.review("m", true, "2026-03-02T15:00:00Z")), "nothing_in_review");
}

#[test]
fn a_purchase_that_earns_nothing_holds_nothing_whatever_the_count() {
    let mut shop = shop("velocity = { minutes = 10, max_purchases = 1 }");
    buy(&mut shop, "o-1", "2026-03-02T14:00:00Z", 10);
    // 0.50 USD earns 0.5, floored to 0: the second purchase is too fast, but there is nothing to hold.
    let nothing = shop.buy("m", "o-2", "2026-03-02T14:01:00Z", vec![line("gum", "", 1, 50)]);
    assert_eq!(nothing.points, 0);
    assert_eq!(nothing.explanation.held_for_review, None);
    assert_eq!(refusal(shop.review("m", true, "2026-03-02T14:02:00Z")), "nothing_in_review");
    // The third is too fast and earns: held, with all 3 purchases counted.
    let held = buy(&mut shop, "o-3", "2026-03-02T14:03:00Z", 5);
    assert_eq!(
        held.explanation.held_for_review.as_deref(),
        Some(
            "earned too fast: 3 purchases and 15 points within 10 minutes; \
             held until an administrator releases them"
        )
    );
    assert_eq!((held.balance.available.get(), held.balance.pending_review.get()), (10, 5));
}

#[test]
fn the_welcome_bonus_counts_against_the_daily_cap() {
    let mut shop = Shop::new(
        r#"
[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1

[[earning]]
id = "welcome"
kind = "welcome_bonus"
points = 250

[limits]
max_points_per_day = 100
"#,
    );
    let Outcome::Member(view) = shop.enrol_with("m", "2026-03-02T14:00:00Z", |_| {}) else {
        panic!("an enrolment renders a member")
    };
    // 250 cut to the 100 of the day.
    let explanation = view.explanation.unwrap();
    assert_eq!(explanation.points.get(), 100);
    assert_eq!(explanation.limits, vec![cut("max_points_per_day", 100, 0, 250, 100)]);
    assert_eq!(view.balance.available.get(), 100);
    // Nothing left today.
    let same_day = buy(&mut shop, "o-1", "2026-03-02T20:00:00Z", 10);
    assert_eq!(same_day.explanation.limits, vec![cut("max_points_per_day", 100, 100, 10, 0)]);
    assert_eq!(shop.available("m"), 100);
}

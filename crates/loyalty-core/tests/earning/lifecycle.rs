//! An account's life: suspension holds what is earned and refuses redemptions, closure
//! forfeits every point to `program:expired`, and reinstatement within the window gives
//! back exactly those points with the dates they had.

use super::*;
use loyalty_core::event::{DueTick, Redemption, StatusAction, StatusChange};
use loyalty_core::ids::RewardCode;
use loyalty_core::state::MemberStatus;

/// A point per dollar, points that live 12 months, purchases pending 10 days, a reward
/// of 10 points, and accounts closed after 6 months without activity.
fn shop() -> Shop {
    let mut shop = Shop::new(
        r#"
[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1

[[rewards]]
code = "cookie"
name = "A cookie"
points_cost = 10

[returns]
pending_days = 10

[expiry]
policy = "months_after_earning"
months = 12

[lifecycle]
inactivity_months = 6
reinstatement_months = 3
"#,
    );
    shop.enrol("m");
    shop
}

fn status(shop: &mut Shop, action: StatusAction, at_text: &str) -> Result<Outcome, Rejection> {
    shop.run(Event::Status(StatusChange {
        member: ExternalId::parse("m").unwrap(),
        action,
        reason: None,
        occurred_at: at(at_text),
    }))
}

fn redeem(shop: &mut Shop, code: &str, at_text: &str) -> Result<Outcome, Rejection> {
    shop.run(Event::Redeem(Redemption {
        member: ExternalId::parse("m").unwrap(),
        reward: RewardCode::parse("cookie").unwrap(),
        code: InstanceCode::parse(code).unwrap(),
        occurred_at: at(at_text),
    }))
}

fn inactive(shop: &mut Shop, due: &str, at_text: &str) -> Result<Outcome, Rejection> {
    shop.run(Event::CloseInactive(DueTick {
        member: ExternalId::parse("m").unwrap(),
        due: at(due),
        occurred_at: at(at_text),
    }))
}

fn member_status(shop: &Shop) -> MemberStatus {
    shop.ledger.member(&ExternalId::parse("m").unwrap()).unwrap().status
}

#[test]
fn a_suspended_member_earns_into_review_and_cannot_redeem_until_resumed() {
    let mut shop = shop();
    shop.buy("m", "o-1", "2026-02-01T15:00:00Z", vec![line("tee", "", 1, 5000)]);
    shop.release("m", "2026-02-11T15:00:00Z").unwrap();
    status(&mut shop, StatusAction::Suspend, "2026-02-12T15:00:00Z").unwrap();
    assert_eq!(
        status(&mut shop, StatusAction::Suspend, "2026-02-12T16:00:00Z").unwrap_err().code(),
        "status_unchanged"
    );
    let held = shop.buy("m", "o-2", "2026-02-13T15:00:00Z", vec![line("tee", "", 1, 3000)]);
    assert_eq!(
        (held.balance.available.get(), held.balance.pending.get(), held.balance.pending_review.get()),
        (50, 0, 30)
    );
    assert_eq!(
        held.explanation.held_for_review.as_deref(),
        Some("the account is suspended for review; held until an administrator releases them")
    );
    assert_eq!(redeem(&mut shop, "C-1", "2026-02-14T15:00:00Z").unwrap_err().code(), "member_suspended");
    status(&mut shop, StatusAction::Resume, "2026-02-15T15:00:00Z").unwrap();
    assert!(matches!(redeem(&mut shop, "C-2", "2026-02-16T15:00:00Z").unwrap(), Outcome::Redemption(_)));
    // The held points wait for the review the suspension was for.
    shop.review("m", true, "2026-02-17T15:00:00Z").unwrap();
    assert_eq!(shop.available("m"), 70);
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn closing_forfeits_every_point_and_reinstating_gives_back_exactly_those_with_their_dates() {
    let mut shop = shop();
    shop.buy("m", "o-1", "2026-02-01T15:00:00Z", vec![line("tee", "", 1, 5000)]);
    shop.release("m", "2026-02-11T15:00:00Z").unwrap();
    redeem(&mut shop, "C-1", "2026-02-12T15:00:00Z").unwrap();
    // 40 available, 25 pending until 6 March.
    shop.buy("m", "o-2", "2026-02-24T15:00:00Z", vec![line("tee", "", 1, 2500)]);
    let before = shop.lots("m");
    status(&mut shop, StatusAction::Close, "2026-03-01T15:00:00Z").unwrap();
    assert_eq!(member_status(&shop), MemberStatus::ClosedByRequest);
    assert_eq!((shop.available("m"), shop.balance("m").pending.get()), (0, 0));
    let (kind, postings) = shop.last_entry("m");
    assert_eq!(kind, EntryKind::Forfeit);
    assert_eq!(
        postings,
        vec![
            ("member:available".into(), -40),
            ("member:pending".into(), -25),
            ("program:expired".into(), 65)
        ]
    );
    let refused =
        shop.try_buy("m", "o-3", "2026-03-02T15:00:00Z", vec![line("tee", "", 1, 100)]).unwrap_err();
    assert_eq!(refused.code(), "member_closed");
    assert_eq!(
        status(&mut shop, StatusAction::Close, "2026-03-02T15:00:00Z").unwrap_err().code(),
        "status_unchanged"
    );

    status(&mut shop, StatusAction::Reinstate, "2026-04-01T15:00:00Z").unwrap();
    assert_eq!(member_status(&shop), MemberStatus::Active);
    assert_eq!((shop.available("m"), shop.balance("m").pending.get()), (40, 25));
    let (kind, postings) = shop.last_entry("m");
    assert_eq!(kind, EntryKind::Reinstatement);
    assert_eq!(
        postings,
        vec![("program:expired".into(), -65), ("member:available".into(), 40), ("member:pending".into(), 25)]
    );
    // The restored lots are new, with the remaining points and the dates of the old.
    let after = shop.lots("m");
    assert_eq!(
        after[2..],
        [(40, 40, before[0].2.clone(), None), (25, 25, before[1].2.clone(), before[1].3.clone()),]
    );
    assert_eq!(
        status(&mut shop, StatusAction::Reinstate, "2026-04-02T15:00:00Z").unwrap_err().code(),
        "member_not_closed"
    );
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn inactivity_closes_once_at_the_end_of_the_period_and_the_window_to_come_back_closes() {
    let mut shop = shop();
    shop.buy("m", "o-1", "2026-02-01T15:00:00Z", vec![line("tee", "", 1, 5000)]);
    shop.release("m", "2026-02-11T15:00:00Z").unwrap();
    // The period runs from the last activity: 1 August at the same wall-clock time (10:00
    // in New York, summer time by then).
    assert_eq!(
        inactive(&mut shop, "2026-08-01T14:00:00Z", "2026-07-31T14:00:00Z").unwrap_err().code(),
        "nothing_due"
    );
    assert_eq!(
        inactive(&mut shop, "2026-07-01T14:00:00Z", "2026-08-02T14:00:00Z").unwrap_err().code(),
        "nothing_due"
    );
    inactive(&mut shop, "2026-08-01T14:00:00Z", "2026-08-01T14:00:00Z").unwrap();
    assert_eq!(member_status(&shop), MemberStatus::ClosedInactive);
    assert_eq!(
        shop.last_entry("m").1,
        vec![("member:available".into(), -50), ("program:expired".into(), 50)]
    );
    assert_eq!(
        inactive(&mut shop, "2026-08-01T14:00:00Z", "2026-08-02T14:00:00Z").unwrap_err().code(),
        "member_closed"
    );
    // Three months to come back: to 10:00 on 1 November, winter time again.
    let late = status(&mut shop, StatusAction::Reinstate, "2026-11-01T16:00:00Z").unwrap_err();
    assert_eq!(late.code(), "reinstatement_window_passed");
    assert_eq!(late.to_string(), "m's account could be reinstated only until 2026-11-01T15:00:00Z");
    status(&mut shop, StatusAction::Reinstate, "2026-11-01T15:00:00Z").unwrap();
    assert_eq!(shop.available("m"), 50);
    // A reinstatement starts the inactivity period again.
    assert_eq!(inactive(&mut shop, "2027-05-01T14:00:00Z", "2027-05-01T14:00:00Z").map(|_| ()), Ok(()));
}

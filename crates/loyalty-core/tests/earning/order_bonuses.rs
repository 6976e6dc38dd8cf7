//! Bonuses an order earns as a whole are re-judged on what a return leaves of it: a
//! campaign's fixed bonus goes with the last line that earned it, a referee's bonus with
//! the referral's minimum, and the referrer keeps their share.

use super::*;

const RULES: &str = r#"
[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1

[[earning]]
id = "shoe-bonus"
kind = "campaign"
name = "Shoe bonus"
starts = "2026-01-01"
ends = "2027-01-01"
categories = ["shoes"]
points = 50

[[earning]]
id = "refer"
kind = "referral"
referrer_points = 500
referee_points = 200
min_purchase_minor = 5000
"#;

fn reversed(outcome: &Outcome) -> (i64, Vec<(String, i64)>) {
    let Outcome::Return(back) = outcome else { panic!("a return rendered {outcome:?}") };
    let bonuses =
        back.explanation.bonuses_reversed.iter().map(|b| (b.rule.clone(), b.points.get())).collect();
    (back.points_reversed.get(), bonuses)
}

#[test]
fn a_campaign_bonus_goes_with_the_last_line_that_earned_it() {
    let mut shop = Shop::new(RULES);
    shop.enrol("m");
    let lines = vec![
        line("sneaker", "shoes", 1, 8_000),
        line("loafer", "shoes", 1, 6_000),
        line("tee", "", 1, 2_000),
    ];
    assert_eq!(shop.buy("m", "o-1", "2026-03-02T15:00:00Z", lines).points, 210);
    // A shoe is kept: the bonus stays.
    assert_eq!(reversed(&shop.give_back("m", "o-1", "sneaker", 1, "2026-03-03T15:00:00Z")), (80, vec![]));
    // The tee alone earns no shoe bonus.
    assert_eq!(
        reversed(&shop.give_back("m", "o-1", "loafer", 1, "2026-03-04T15:00:00Z")),
        (110, vec![("shoe-bonus".to_owned(), 50)])
    );
    assert_eq!(shop.available("m"), 20);
    // Nothing left to take back a second time.
    assert_eq!(reversed(&shop.give_back("m", "o-1", "tee", 1, "2026-03-05T15:00:00Z")), (20, vec![]));
    assert_eq!(shop.available("m"), 0);
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn a_referee_bonus_needs_the_minimum_kept_and_the_referrer_keeps_theirs() {
    let mut shop = Shop::new(RULES);
    shop.enrol("ann");
    shop.enrol_with("bob", "2026-01-02T12:00:00Z", |e| {
        e.referred_by = Some(ReferralCode::parse(code_of("ann")).unwrap())
    });
    let lines = vec![line("tee", "", 1, 3_000), line("jacket", "", 1, 4_000)];
    // 70 base and 200 for a first order of 50.00 or more; 500 for ann.
    assert_eq!(shop.buy("bob", "o-1", "2026-03-02T15:00:00Z", lines).points, 270);
    assert_eq!(shop.available("ann"), 500);
    // 30.00 kept is under the minimum.
    assert_eq!(
        reversed(&shop.give_back("bob", "o-1", "jacket", 1, "2026-03-03T15:00:00Z")),
        (240, vec![("refer".to_owned(), 200)])
    );
    assert_eq!((shop.available("bob"), shop.available("ann")), (30, 500));
    shop.ledger.check_invariants().unwrap();
}

//! Punch cards: every Nth qualifying purchase earns bonus points or a reward, and the
//! member's progress is kept in a counter.

use super::*;
use loyalty_core::earning::punch_counter;

/// How far `who` is on the punch card of rule `rule`.
fn progress(shop: &Shop, who: &str, rule: &str) -> i64 {
    let member = shop.ledger.member(&ExternalId::parse(who).unwrap()).unwrap().id;
    shop.ledger.counter(Some(member), &punch_counter(rule))
}

const POINTS: &str = r#"
[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1

[[earning]]
id = "coffee-card"
kind = "punch_card"
every = 3
categories = ["coffee"]
points = 50
"#;

fn coffee() -> PurchaseLine {
    line("latte", "coffee", 1, 450)
}

fn pastry() -> PurchaseLine {
    line("croissant", "bakery", 1, 300)
}

#[test]
fn every_third_qualifying_purchase_earns_the_points_and_others_do_not_count() {
    let mut shop = Shop::new(POINTS);
    shop.enrol("m");
    let latte = triple("base", "4.5", "1 point per 1.00 USD on 4.50 USD");
    let croissant = triple("base", "3", "1 point per 1.00 USD on 3.00 USD");
    assert_eq!(progress(&shop, "m", "coffee-card"), 0);

    let p1 = shop.buy("m", "o-1", "2026-03-02T08:00:00Z", vec![coffee()]);
    // 4.5, floor 4; first punch.
    assert_eq!(p1.points, 4);
    assert_eq!(p1.awards(), vec![latte.clone(), triple("coffee-card", "0", "punch card: 1 of 3")]);
    assert_eq!(progress(&shop, "m", "coffee-card"), 1);

    let p2 = shop.buy("m", "o-2", "2026-03-03T08:00:00Z", vec![pastry()]);
    // No coffee: 3 points and no punch.
    assert_eq!(p2.points, 3);
    assert_eq!(p2.awards(), vec![croissant.clone()]);
    assert_eq!(progress(&shop, "m", "coffee-card"), 1);

    let p3 = shop.buy("m", "o-3", "2026-03-04T08:00:00Z", vec![coffee(), pastry()]);
    // 4.5 + 3 = 7.5, floor 7; second punch.
    assert_eq!(p3.points, 7);
    assert_eq!(
        p3.awards(),
        vec![latte.clone(), croissant.clone(), triple("coffee-card", "0", "punch card: 2 of 3")]
    );
    assert_eq!(progress(&shop, "m", "coffee-card"), 2);

    let p4 = shop.buy("m", "o-4", "2026-03-05T08:00:00Z", vec![coffee()]);
    // 4.5 + 50 = 54.5, floor 54; the card is full and starts again.
    assert_eq!(p4.points, 54);
    assert_eq!(
        p4.awards(),
        vec![latte.clone(), triple("coffee-card", "50", "punch card: 3 of 3, a bonus of 50 points")]
    );
    assert_eq!(p4.reward, None);
    assert_eq!(progress(&shop, "m", "coffee-card"), 0);

    let p5 = shop.buy("m", "o-5", "2026-03-06T08:00:00Z", vec![coffee()]);
    // 4.5, floor 4; first punch of the next card.
    assert_eq!(p5.points, 4);
    assert_eq!(p5.awards(), vec![latte, triple("coffee-card", "0", "punch card: 1 of 3")]);
    assert_eq!(progress(&shop, "m", "coffee-card"), 1);
    // 4 + 3 + 7 + 54 + 4.
    assert_eq!(shop.available("m"), 72);
}

#[test]
fn punch_cards_are_kept_per_member() {
    let mut shop = Shop::new(POINTS);
    shop.enrol("ann");
    shop.enrol("bob");
    shop.buy("ann", "a-1", "2026-03-02T08:00:00Z", vec![coffee()]);
    shop.buy("ann", "a-2", "2026-03-02T09:00:00Z", vec![coffee()]);
    let bob = shop.buy("bob", "b-1", "2026-03-02T10:00:00Z", vec![coffee()]);
    // Ann's two punches are not Bob's: his first.
    assert_eq!(bob.awards()[1], triple("coffee-card", "0", "punch card: 1 of 3"));
    assert_eq!(progress(&shop, "ann", "coffee-card"), 2);
    assert_eq!(progress(&shop, "bob", "coffee-card"), 1);
}

const REWARD: &str = r#"
[[earning]]
id = "visits"
kind = "punch_card"
every = 2
reward = "free-coffee"

[[rewards]]
code = "free-coffee"
name = "A free coffee"
points_cost = 500
"#;

#[test]
fn a_full_punch_card_can_issue_a_catalogue_reward() {
    let mut shop = Shop::new(REWARD);
    shop.enrol("m");
    // Any purchase counts: the card names no product.
    let p1 = shop.buy("m", "o-1", "2026-03-02T08:00:00Z", vec![pastry()]);
    assert_eq!(p1.points, 0);
    assert_eq!(p1.reward, None);
    assert_eq!(p1.awards(), vec![triple("visits", "0", "punch card: 1 of 2")]);
    assert_eq!(progress(&shop, "m", "visits"), 1);

    let p2 = shop.buy("m", "o-2", "2026-03-03T08:00:00Z", vec![coffee()]);
    // The second purchase fills the card: the reward, no points.
    assert_eq!(p2.points, 0);
    assert_eq!(p2.reward.as_deref(), Some("free-coffee"));
    assert_eq!(p2.awards(), vec![triple("visits", "0", "punch card: 2 of 2, reward free-coffee issued")]);
    assert_eq!(progress(&shop, "m", "visits"), 0);
    let issued: Vec<(String, String, i64)> = shop
        .ledger
        .rewards()
        .iter()
        .map(|(_, r)| (r.reward.to_string(), r.code.to_string(), r.points.get()))
        .collect();
    // The code is the one the till sent with the second purchase; it cost no points.
    assert_eq!(issued, vec![("free-coffee".to_owned(), "PUNCH-2".to_owned(), 0)]);
    assert_eq!(shop.available("m"), 0);

    let p3 = shop.buy("m", "o-3", "2026-03-04T08:00:00Z", vec![coffee()]);
    assert_eq!(p3.reward, None);
    assert_eq!(p3.awards(), vec![triple("visits", "0", "punch card: 1 of 2")]);
    assert_eq!(progress(&shop, "m", "visits"), 1);
}

#[test]
fn a_punch_card_refuses_bad_definitions() {
    let too_few = invalid("[[earning]]\nid = \"p\"\nkind = \"punch_card\"\nevery = 1\npoints = 10\n");
    assert_eq!(too_few, "earning[0].every: must be between 2 and 1000, not 1");
    let unknown =
        invalid("[[earning]]\nid = \"p\"\nkind = \"punch_card\"\nevery = 5\nreward = \"free-tea\"\n");
    assert_eq!(unknown, "earning[0].reward: `free-tea` is not in the program's rewards");
    let both = invalid(
        "[[earning]]\nid = \"p\"\nkind = \"punch_card\"\nevery = 5\npoints = 10\nreward = \"free-coffee\"\n\
         \n[[rewards]]\ncode = \"free-coffee\"\nname = \"A free coffee\"\npoints_cost = 500\n",
    );
    assert_eq!(both, "earning[0].points: a punch card gives either points or a reward");
    let neither = invalid("[[earning]]\nid = \"p\"\nkind = \"punch_card\"\nevery = 5\n");
    assert_eq!(neither, "earning[0].points: a punch card gives either points or a reward");
}

#[test]
fn a_purchase_that_fills_a_reward_card_without_a_reward_code_is_refused_and_changes_nothing() {
    let mut shop = Shop::new(REWARD);
    shop.enrol("m");
    shop.buy("m", "o-1", "2026-03-02T08:00:00Z", vec![pastry()]);
    let uncoded = Event::Purchase(Purchase {
        member: ExternalId::parse("m").unwrap(),
        order_id: OrderId::parse("o-2").unwrap(),
        occurred_at: at("2026-03-03T08:00:00Z"),
        lines: vec![coffee()],
        reward_code: None,
    });
    let refused = shop.run(uncoded).unwrap_err();
    assert_eq!(refused.code(), "invalid_request");
    assert_eq!(
        refused.to_string(),
        "reward_code: this purchase completes a punch card and needs a code for its reward"
    );
    assert_eq!(progress(&shop, "m", "visits"), 1);
    assert!(shop.ledger.rewards().is_empty());
}

//! Spend thresholds: spending enough within a rolling window earns a bonus, once per window.

use super::*;
use loyalty_core::event::{Quantity, Return, ReturnLine};

const RULES: &str = r#"
[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1

[[earning]]
id = "spend-200"
kind = "spend_threshold"
spend_minor = 20000
window_days = 30
points = 500
"#;

fn base(amount: &str) -> (String, String, String) {
    // One point per 1.00: the points are the amount, without a zero fraction.
    let points = amount.strip_suffix(".00").unwrap_or(amount);
    triple("base", points, &format!("1 point per 1.00 USD on {amount} USD"))
}

fn bonus(spent: &str) -> (String, String, String) {
    triple(
        "spend-200",
        "500",
        &format!("{spent} USD spent in 30 days reaches 200.00 USD: a bonus of 500 points"),
    )
}

#[test]
fn the_order_that_takes_spend_to_the_threshold_earns_the_bonus_and_one_cent_less_does_not() {
    let mut shop = Shop::new(RULES);
    shop.enrol("m");
    let first = shop.buy("m", "o-1", "2026-03-01T12:00:00Z", vec![line("coat", "coats", 1, 15_000)]);
    // 150.00 spent: 150.
    assert_eq!(first.points, 150);
    assert_eq!(first.awards(), vec![base("150.00")]);

    let second = shop.buy("m", "o-2", "2026-03-10T12:00:00Z", vec![line("hat", "hats", 1, 4_999)]);
    // 150.00 + 49.99 = 199.99, one cent short: 49.99, floor 49.
    assert_eq!(second.points, 49);
    assert_eq!(second.awards(), vec![base("49.99")]);

    let third = shop.buy("m", "o-3", "2026-03-11T12:00:00Z", vec![line("pin", "badges", 1, 1)]);
    // 199.99 + 0.01 = 200.00 reaches it: 0.01 + 500, floor 500.
    assert_eq!(third.points, 500);
    assert_eq!(third.awards(), vec![base("0.01"), bonus("200.00")]);
    assert_eq!(
        third.explanation.summary,
        "the lines and the order's awards earn 500.01 points in all; rounded once per order (floor): 500 points"
    );
    // 150 + 49 + 500.
    assert_eq!(third.balance.available.get(), 699);
    assert_eq!(shop.available("m"), 699);
}

#[test]
fn an_order_exactly_window_days_earlier_counts_and_one_microsecond_older_does_not() {
    let mut shop = Shop::new(RULES);
    shop.enrol("edge");
    shop.enrol("older");
    shop.buy("edge", "e-1", "2026-03-01T12:00:00Z", vec![line("coat", "coats", 1, 15_000)]);
    shop.buy("older", "o-1", "2026-03-01T12:00:00Z", vec![line("coat", "coats", 1, 15_000)]);

    // 30 × 24 hours later: the window [at − 30 days, at] includes its first edge.
    let edge = shop.buy("edge", "e-2", "2026-03-31T12:00:00Z", vec![line("boots", "shoes", 1, 5_000)]);
    // 150.00 + 50.00 = 200.00: 50 + 500.
    assert_eq!(edge.points, 550);
    assert_eq!(edge.awards(), vec![base("50.00"), bonus("200.00")]);
    assert_eq!(shop.available("edge"), 700);

    let older =
        shop.buy("older", "o-2", "2026-03-31T12:00:00.000001Z", vec![line("boots", "shoes", 1, 5_000)]);
    // The coat is one microsecond older than the window: 50.00 alone, no bonus.
    assert_eq!(older.points, 50);
    assert_eq!(older.awards(), vec![base("50.00")]);
    assert_eq!(shop.available("older"), 200);
}

#[test]
fn the_bonus_is_given_once_per_window_and_again_once_the_last_one_has_left_the_window() {
    let mut shop = Shop::new(RULES);
    shop.enrol("m");
    let first = shop.buy("m", "o-1", "2026-03-01T12:00:00Z", vec![line("coat", "coats", 1, 20_000)]);
    // 200.00 at once: 200 + 500.
    assert_eq!(first.points, 700);
    assert_eq!(first.awards(), vec![base("200.00"), bonus("200.00")]);

    let again = shop.buy("m", "o-2", "2026-03-15T12:00:00Z", vec![line("coat", "coats", 1, 20_000)]);
    // 400.00 spent in the window, but the bonus was given 14 days ago: 200 only.
    assert_eq!(again.points, 200);
    assert_eq!(again.awards(), vec![base("200.00")]);

    let edge = shop.buy("m", "o-3", "2026-03-31T12:00:00Z", vec![line("coat", "coats", 1, 20_000)]);
    // Exactly 30 days since the bonus: the window [03-01 12:00, 03-31 12:00] still holds it, 200 only.
    assert_eq!(edge.points, 200);
    assert_eq!(edge.awards(), vec![base("200.00")]);

    let due = shop.buy("m", "o-4", "2026-03-31T12:00:00.000001Z", vec![line("scarf", "scarves", 1, 1_000)]);
    // One microsecond later the first bonus (and its 200.00) has left the window: due again on
    // 200 + 200 + 10 = 410.00 spent since; 10 + 500.
    assert_eq!(due.points, 510);
    assert_eq!(due.awards(), vec![base("10.00"), bonus("410.00")]);

    let next = shop.buy("m", "o-5", "2026-04-01T12:00:00Z", vec![line("coat", "coats", 1, 20_000)]);
    // The bonus was given a day ago: 200 only.
    assert_eq!(next.points, 200);
    assert_eq!(next.awards(), vec![base("200.00")]);
    // 700 + 200 + 200 + 510 + 200.
    assert_eq!(shop.available("m"), 1810);
}

#[test]
fn returned_items_no_longer_count_towards_the_spend() {
    let mut shop = Shop::new(RULES);
    shop.enrol("m");
    let first = shop.buy(
        "m",
        "o-1",
        "2026-03-01T12:00:00Z",
        vec![line("jacket", "coats", 1, 15_000), line("scarf", "scarves", 1, 4_000)],
    );
    // 190.00 spent: 150 + 40.
    assert_eq!(first.points, 190);
    assert_eq!(first.awards(), vec![base("150.00"), base("40.00")]);

    let returned = shop
        .run(Event::Return(Return {
            member: ExternalId::parse("m").unwrap(),
            order_id: OrderId::parse("o-1").unwrap(),
            occurred_at: at("2026-03-02T12:00:00Z"),
            lines: vec![ReturnLine {
                sku: Sku::parse("scarf").unwrap(),
                quantity: Quantity::parse(1, 1).unwrap(),
            }],
        }))
        .unwrap();
    let Outcome::Return(returned) = returned else { panic!("a return rendered {returned:?}") };
    // The scarf's 40 points are taken back: 150 left.
    assert_eq!(returned.points_reversed.get(), 40);
    assert_eq!(shop.available("m"), 150);

    let second = shop.buy("m", "o-2", "2026-03-05T12:00:00Z", vec![line("gloves", "gloves", 1, 4_000)]);
    // 150.00 kept + 40.00 = 190.00 (230.00 had the scarf counted): 40, no bonus.
    assert_eq!(second.points, 40);
    assert_eq!(second.awards(), vec![base("40.00")]);

    let third = shop.buy("m", "o-3", "2026-03-06T12:00:00Z", vec![line("socks", "socks", 1, 1_000)]);
    // 190.00 + 10.00 = 200.00: 10 + 500.
    assert_eq!(third.points, 510);
    assert_eq!(third.awards(), vec![base("10.00"), bonus("200.00")]);
    // 150 + 40 + 510.
    assert_eq!(shop.available("m"), 700);
}

#[test]
fn a_spend_threshold_refuses_settings_out_of_range() {
    let err = invalid(
        "[[earning]]\nid = \"s\"\nkind = \"spend_threshold\"\nspend_minor = 0\nwindow_days = 3661\npoints = 500\n",
    );
    assert_eq!(
        err,
        "earning[0].spend_minor: must be between 1 and 2305843009213693951, not 0; \
         earning[0].window_days: must be between 1 and 3660, not 3661"
    );
}

//! Campaigns: time-boxed multipliers and bonuses, in the program's time zone (New York,
//! daylight saving included), for some members and products, within a budget and caps.

use super::*;
use loyalty_core::earning::budget_key;
use loyalty_core::needs::Counter;

/// 1 point per 1.00 USD, so that a line's base points are its price in dollars.
const BASE: &str = r#"
[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1
"#;

fn shop(campaign: &str) -> Shop {
    Shop::new(&format!("{BASE}\n{campaign}"))
}

/// The base award of a line of `dollars` USD.
fn base(dollars: i64) -> (String, String, String) {
    triple("base", &dollars.to_string(), &format!("1 point per 1.00 USD on {dollars}.00 USD"))
}

/// A line of `dollars` USD in category `tops`.
fn tee(dollars: i64) -> PurchaseLine {
    line("tee", "tops", 1, dollars * 100)
}

/// What campaign `id` has awarded from its budget, all members together.
fn spent(shop: &Shop, id: &str) -> i64 {
    shop.ledger.counter(None, &Counter::program(budget_key(id)))
}

/// Member `m` buys a 10.00 line at each time of `cases`; an order marked `true` earns
/// `bonus` (the campaign's award, as (rule, points, reason)) on top of its 10 base points,
/// one marked `false` its base points alone.
fn check_times(campaign: &str, bonus: (&str, &str, &str), cases: &[(&str, bool)]) {
    let mut shop = shop(campaign);
    shop.enrol("m");
    let mut balance = 0;
    for (i, (when, earns)) in cases.iter().enumerate() {
        let earned = shop.buy("m", &format!("o-{i}"), when, vec![tee(10)]);
        let mut expected = vec![base(10)];
        let mut points = 10;
        if *earns {
            expected.push(triple(bonus.0, bonus.1, bonus.2));
            points += bonus.1.parse::<i64>().unwrap();
        }
        assert_eq!(earned.points, points, "points of an order at {when}");
        assert_eq!(earned.awards(), expected, "awards of an order at {when}");
        balance += points;
        assert_eq!(earned.balance.available.get(), balance, "balance after an order at {when}");
    }
}

// ---------------------------------------------------------------------------------------
// Strategies

#[test]
fn a_multiplier_campaign_adds_its_extra_on_the_base_points_of_its_categories_only() {
    let mut shop = shop(
        r#"
[[earning]]
id = "shoe-week"
kind = "campaign"
name = "Shoe week"
starts = "2026-01-05T00:00"
ends = "2026-01-12T00:00"
categories = ["shoes"]
multiplier = 2

[[earning]]
id = "boots-half"
kind = "campaign"
name = "Boots and a half"
starts = "2026-01-05T00:00"
ends = "2026-01-12T00:00"
categories = ["boots"]
multiplier = "1.5"
"#,
    );
    shop.enrol("m");
    let earned = shop.buy(
        "m",
        "o-1",
        "2026-01-06T15:00:00Z",
        vec![
            line("sneaker", "shoes", 1, 8_000),
            line("chelsea", "boots", 1, 2_500),
            tee(20),
            line("sample", "shoes", 1, 0),
        ],
    );
    // 80 + 80 extra (×2); 25 + 12.5 extra (×1.5); 20 for tops; a free sample has nothing to
    // multiply: 217.5, rounded down once.
    assert_eq!(earned.points, 217);
    assert_eq!(
        earned.awards(),
        vec![
            base(80),
            triple("shoe-week", "80", "Shoe week (×2) until 2026-01-12T00:00: 80 on top of 80 base points"),
            base(25),
            triple(
                "boots-half",
                "12.5",
                "Boots and a half (×1.5) until 2026-01-12T00:00: 12.5 on top of 25 base points"
            ),
            base(20),
        ]
    );
    assert_eq!(earned.explanation.subtotal.to_string(), "217.5");
    assert_eq!(
        earned.explanation.summary,
        "the lines earn 217.5 points in all; rounded once per order (floor): 217 points"
    );
    assert_eq!(earned.explanation.lines[0].points.to_string(), "160");
    assert_eq!(earned.explanation.lines[2].points.to_string(), "20");
    assert_eq!(shop.available("m"), 217);
}

#[test]
fn a_points_campaign_gives_its_points_once_per_order_with_a_qualifying_line() {
    let mut shop = shop(
        r#"
[[earning]]
id = "shoe-bonus"
kind = "campaign"
name = "Shoe bonus"
starts = "2026-01-05"
ends = "2026-01-12"
categories = ["shoes"]
points = 50
"#,
    );
    shop.enrol("m");
    let earned = shop.buy(
        "m",
        "o-1",
        "2026-01-06T15:00:00Z",
        vec![line("sneaker", "shoes", 1, 8_000), line("loafer", "shoes", 1, 6_000), tee(20)],
    );
    // 80 + 60 + 20 base, and 50 for the order once, however many shoes: 210.
    assert_eq!(earned.points, 210);
    assert_eq!(
        earned.awards(),
        vec![
            base(80),
            base(60),
            base(20),
            triple("shoe-bonus", "50", "Shoe bonus until 2026-01-12: 50 points")
        ]
    );
    assert_eq!(
        earned.explanation.summary,
        "the lines and the order's awards earn 210 points in all; rounded once per order (floor): 210 points"
    );

    // No shoes: the base points alone.
    let earned = shop.buy("m", "o-2", "2026-01-06T16:00:00Z", vec![tee(20), tee(15)]);
    assert_eq!(earned.points, 35); // 20 + 15
    assert_eq!(earned.awards(), vec![base(20), base(15)]);
    assert!(earned.explanation.awards.is_empty());
    assert_eq!(shop.available("m"), 245); // 210 + 35
}

#[test]
fn a_campaign_with_a_multiplier_and_points_gives_both() {
    let mut shop = shop(
        r#"
[[earning]]
id = "combo"
kind = "campaign"
name = "Combo"
starts = "2026-01-01"
ends = "2026-02-01"
skus = ["tee"]
multiplier = 3
points = 15
"#,
    );
    shop.enrol("m");
    let earned = shop.buy("m", "o-1", "2026-01-06T15:00:00Z", vec![tee(10), line("cap", "hats", 1, 500)]);
    // 10 + 20 extra (×3) on the tee; 5 on the cap; 15 for the order: 50.
    assert_eq!(earned.points, 50);
    assert_eq!(
        earned.awards(),
        vec![
            base(10),
            triple("combo", "20", "Combo (×3) until 2026-02-01: 20 on top of 10 base points"),
            base(5),
            triple("combo", "15", "Combo until 2026-02-01: 15 points"),
        ]
    );
    assert_eq!(shop.available("m"), 50);
}

// ---------------------------------------------------------------------------------------
// When a campaign runs

#[test]
fn a_campaign_runs_from_its_start_included_to_its_end_excluded() {
    // 09:00 and 17:00 in New York in January (UTC-5) are 14:00Z and 22:00Z.
    check_times(
        r#"
[[earning]]
id = "flash"
kind = "campaign"
name = "Flash sale"
starts = "2026-01-06T09:00"
ends = "2026-01-06T17:00"
points = 25
"#,
        ("flash", "25", "Flash sale until 2026-01-06T17:00: 25 points"),
        &[
            ("2026-01-06T13:59:59.999999Z", false),
            ("2026-01-06T14:00:00Z", true),
            ("2026-01-06T21:59:59.999999Z", true),
            ("2026-01-06T22:00:00Z", false),
        ],
    );
}

#[test]
fn a_campaign_starting_at_midnight_starts_at_midnight_in_new_york_not_in_utc() {
    // Midnight of 27 Nov in New York (EST, UTC-5) is 05:00Z; of 30 Nov, 05:00Z too.
    for (starts, ends) in [("2026-11-27T00:00", "2026-11-30T00:00"), ("2026-11-27", "2026-11-30")] {
        let campaign = format!(
            r#"
[[earning]]
id = "black-friday"
kind = "campaign"
name = "Black Friday"
starts = "{starts}"
ends = "{ends}"
multiplier = 3
"#
        );
        // 10 base + 20 extra (×3).
        let reason = format!("Black Friday (×3) until {ends}: 20 on top of 10 base points");
        check_times(
            &campaign,
            ("black-friday", "20", &reason),
            &[
                ("2026-11-27T00:00:00Z", false),
                ("2026-11-27T04:59:59Z", false),
                ("2026-11-27T05:00:00Z", true),
                ("2026-11-30T04:59:59Z", true),
                ("2026-11-30T05:00:00Z", false),
            ],
        );
    }
}

#[test]
fn hours_on_the_night_clocks_go_back_last_three_real_hours() {
    // 1 Nov 2026: 02:00 EDT becomes 01:00 EST, so 01:00-03:00 local runs 05:00Z-08:00Z and
    // 01:30 happens twice (05:30Z and 06:30Z), both inside.
    check_times(
        r#"
[[earning]]
id = "night"
kind = "campaign"
name = "Night owls"
starts = "2026-10-31"
ends = "2026-11-03"
hours = "01:00-03:00"
points = 5
"#,
        ("night", "5", "Night owls until 2026-11-03: 5 points"),
        &[
            ("2026-11-01T04:59:59Z", false), // 00:59:59 EDT
            ("2026-11-01T05:00:00Z", true),  // 01:00 EDT
            ("2026-11-01T05:30:00Z", true),  // 01:30 EDT
            ("2026-11-01T06:30:00Z", true),  // 01:30 EST
            ("2026-11-01T07:59:59Z", true),  // 02:59:59 EST
            ("2026-11-01T08:00:00Z", false), // 03:00 EST
            ("2026-11-02T05:59:59Z", false), // 00:59:59 EST the next night
            ("2026-11-02T06:00:00Z", true),  // 01:00 EST
        ],
    );
}

#[test]
fn hours_on_the_night_clocks_go_forward_last_one_real_hour() {
    // 8 Mar 2026: 02:00 EST becomes 03:00 EDT, so 01:00-03:00 local is 06:00Z-07:00Z.
    check_times(
        r#"
[[earning]]
id = "night"
kind = "campaign"
name = "Night owls"
starts = "2026-03-01"
ends = "2026-03-15"
hours = "01:00-03:00"
points = 5
"#,
        ("night", "5", "Night owls until 2026-03-15: 5 points"),
        &[
            ("2026-03-08T05:59:59Z", false), // 00:59:59 EST
            ("2026-03-08T06:00:00Z", true),  // 01:00 EST
            ("2026-03-08T06:59:59Z", true),  // 01:59:59 EST
            ("2026-03-08T07:00:00Z", false), // 03:00 EDT
            ("2026-03-09T05:00:00Z", true),  // 01:00 EDT the next night
        ],
    );
}

#[test]
fn a_campaign_starting_after_the_clocks_go_forward_starts_in_summer_time() {
    // 03:00 EDT on 8 Mar 2026 is 07:00Z; an hour earlier on the wall was 01:59:59 EST.
    check_times(
        r#"
[[earning]]
id = "spring"
kind = "campaign"
name = "Spring"
starts = "2026-03-08T03:00"
ends = "2026-03-09T00:00"
points = 5
"#,
        ("spring", "5", "Spring until 2026-03-09T00:00: 5 points"),
        &[
            ("2026-03-08T06:59:59Z", false),
            ("2026-03-08T07:00:00Z", true),
            ("2026-03-09T03:59:59Z", true),  // 23:59:59 EDT
            ("2026-03-09T04:00:00Z", false), // midnight EDT
        ],
    );
}

#[test]
fn a_start_in_the_hour_skipped_by_summer_time_is_taken_as_that_long_after_the_change() {
    // 02:30 on 8 Mar 2026 does not exist in New York; the calendar takes it as 03:30 EDT,
    // 07:30Z (`Calendar::instant`).
    check_times(
        r#"
[[earning]]
id = "gap"
kind = "campaign"
name = "Gap"
starts = "2026-03-08T02:30"
ends = "2026-03-09T00:00"
points = 5
"#,
        ("gap", "5", "Gap until 2026-03-09T00:00: 5 points"),
        &[
            ("2026-03-08T07:00:00Z", false), // 03:00 EDT
            ("2026-03-08T07:29:59Z", false),
            ("2026-03-08T07:30:00Z", true),
        ],
    );
}

#[test]
fn an_end_at_a_time_the_clocks_repeat_is_its_first_occurrence() {
    // 01:30 on 1 Nov 2026 happens at 05:30Z (EDT) and at 06:30Z (EST); the first is meant.
    check_times(
        r#"
[[earning]]
id = "autumn"
kind = "campaign"
name = "Autumn"
starts = "2026-10-31"
ends = "2026-11-01T01:30"
points = 5
"#,
        ("autumn", "5", "Autumn until 2026-11-01T01:30: 5 points"),
        &[("2026-11-01T05:29:59Z", true), ("2026-11-01T05:30:00Z", false), ("2026-11-01T06:30:00Z", false)],
    );
}

#[test]
fn days_and_hours_are_the_days_and_hours_of_new_york() {
    // January 2026 in New York is UTC-5; 5 Jan is a Monday, 6 Jan a Tuesday, 7 Jan a Wednesday.
    check_times(
        r#"
[[earning]]
id = "midweek"
kind = "campaign"
name = "Midweek"
starts = "2026-01-01"
ends = "2026-02-01"
days = ["mon", "Wed"]
hours = "09:00-17:00"
points = 5
"#,
        ("midweek", "5", "Midweek until 2026-02-01: 5 points"),
        &[
            ("2026-01-05T13:59:59Z", false), // Mon 08:59:59
            ("2026-01-05T14:00:00Z", true),  // Mon 09:00
            ("2026-01-05T21:59:59Z", true),  // Mon 16:59:59
            ("2026-01-05T22:00:00Z", false), // Mon 17:00
            ("2026-01-06T17:00:00Z", false), // Tue 12:00
            ("2026-01-07T17:00:00Z", true),  // Wed 12:00
        ],
    );
    check_times(
        r#"
[[earning]]
id = "mondays"
kind = "campaign"
name = "Mondays"
starts = "2026-01-01"
ends = "2026-02-01"
days = ["mon"]
points = 5
"#,
        ("mondays", "5", "Mondays until 2026-02-01: 5 points"),
        &[
            ("2026-01-05T04:59:59Z", false), // Sun 23:59:59, though Monday in UTC
            ("2026-01-05T05:00:00Z", true),  // Mon 00:00
            ("2026-01-06T04:59:59Z", true),  // Mon 23:59:59, though Tuesday in UTC
            ("2026-01-06T05:00:00Z", false), // Tue 00:00
        ],
    );
}

#[test]
fn hours_past_midnight_belong_to_the_night_of_the_day_they_start() {
    // Saturday nights, 22:00 to 02:00: 3 Jan 2026 is a Saturday; New York is UTC-5.
    check_times(
        r#"
[[earning]]
id = "sat-night"
kind = "campaign"
name = "Saturday night"
starts = "2026-01-01"
ends = "2026-02-01"
days = ["sat"]
hours = "22:00-02:00"
points = 5
"#,
        ("sat-night", "5", "Saturday night until 2026-02-01: 5 points"),
        &[
            ("2026-01-03T06:00:00Z", false), // Sat 01:00, the tail of Friday night
            ("2026-01-04T02:59:59Z", false), // Sat 21:59:59
            ("2026-01-04T03:00:00Z", true),  // Sat 22:00
            ("2026-01-04T04:59:59Z", true),  // Sat 23:59:59
            ("2026-01-04T05:00:00Z", true),  // Sun 00:00, still Saturday night
            ("2026-01-04T06:59:59Z", true),  // Sun 01:59:59
            ("2026-01-04T07:00:00Z", false), // Sun 02:00
            ("2026-01-05T03:30:00Z", false), // Sun 22:30
        ],
    );
    // Without days, every night: 22:00 to 02:00 local.
    check_times(
        r#"
[[earning]]
id = "nights"
kind = "campaign"
name = "Nights"
starts = "2026-01-01"
ends = "2026-02-01"
hours = "22:00-02:00"
points = 5
"#,
        ("nights", "5", "Nights until 2026-02-01: 5 points"),
        &[
            ("2026-01-06T02:59:59Z", false), // Mon 21:59:59
            ("2026-01-06T03:00:00Z", true),  // Mon 22:00
            ("2026-01-06T06:59:59Z", true),  // Tue 01:59:59
            ("2026-01-06T07:00:00Z", false), // Tue 02:00
            ("2026-01-06T17:00:00Z", false), // Tue 12:00
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Whom a campaign is for

#[test]
fn a_campaign_for_tags_or_tiers_gives_nothing_to_other_members() {
    let mut shop = shop(
        r#"
[[earning]]
id = "vip-bonus"
kind = "campaign"
name = "VIP bonus"
starts = "2026-01-01"
ends = "2026-02-01"
tags = ["vip", "staff"]
points = 20

[[earning]]
id = "gold-x2"
kind = "campaign"
name = "Gold double"
starts = "2026-01-01"
ends = "2026-02-01"
tiers = ["gold"]
multiplier = 2
"#,
    );
    for who in ["vip", "gold", "staff-gold", "silver", "plain"] {
        shop.enrol(who);
    }
    shop.profile("vip", None, &["vip"]);
    shop.profile("gold", Some("gold"), &[]);
    shop.profile("staff-gold", Some("gold"), &["staff"]);
    shop.profile("silver", Some("silver"), &["regular"]);

    let vip_bonus = triple("vip-bonus", "20", "VIP bonus until 2026-02-01: 20 points");
    let gold_double =
        triple("gold-x2", "10", "Gold double (×2) until 2026-02-01: 10 on top of 10 base points");
    let cases = [
        ("vip", 30, vec![base(10), vip_bonus.clone()]),    // 10 + 20
        ("gold", 20, vec![base(10), gold_double.clone()]), // 10 + 10
        ("staff-gold", 40, vec![base(10), gold_double, vip_bonus]), // 10 + 10 + 20
        ("silver", 10, vec![base(10)]),
        ("plain", 10, vec![base(10)]),
    ];
    for (who, points, awards) in cases {
        let earned = shop.buy(who, &format!("o-{who}"), "2026-01-06T15:00:00Z", vec![tee(10)]);
        assert_eq!(earned.points, points, "points of {who}");
        assert_eq!(earned.awards(), awards, "awards of {who}");
        assert_eq!(shop.available(who), points, "balance of {who}");
    }
}

// ---------------------------------------------------------------------------------------
// Budget

const LAUNCH: &str = r#"
[[earning]]
id = "launch"
kind = "campaign"
name = "Launch"
starts = "2026-01-01"
ends = "2026-02-01"
multiplier = 2
budget = 100
"#;

#[test]
fn a_budget_exhausted_mid_order_cuts_one_line_and_refuses_the_rest() {
    let mut shop = shop(LAUNCH);
    shop.enrol("a");
    shop.enrol("b");
    let earned = shop.buy(
        "a",
        "o-1",
        "2026-01-06T15:00:00Z",
        vec![line("x", "tops", 1, 6_000), line("y", "tops", 1, 6_000), line("z", "tops", 1, 6_000)],
    );
    // 3 × 60 base; 60 extra wanted per line of a budget of 100: 60, then 40, then 0. 280.
    assert_eq!(earned.points, 280);
    assert_eq!(
        earned.awards(),
        vec![
            base(60),
            triple("launch", "60", "Launch (×2) until 2026-02-01: 60 on top of 60 base points"),
            base(60),
            triple(
                "launch",
                "40",
                "Launch (×2) until 2026-02-01: 40 of 60 points, all that its budget of 100 points had left"
            ),
            base(60),
            triple("launch", "0", "Launch (×2): its budget of 100 points is reached"),
        ]
    );
    assert_eq!(spent(&shop, "launch"), 100);

    // Another member, the next day: the budget is for all members together.
    let earned = shop.buy("b", "o-2", "2026-01-07T15:00:00Z", vec![tee(60)]);
    assert_eq!(earned.points, 60); // the base alone
    assert_eq!(
        earned.awards(),
        vec![base(60), triple("launch", "0", "Launch (×2): its budget of 100 points is reached")]
    );
    assert_eq!(spent(&shop, "launch"), 100);
    assert_eq!((shop.available("a"), shop.available("b")), (280, 60));
}

#[test]
fn a_budget_exactly_reached_cuts_nothing_and_refuses_the_next_order() {
    let mut shop = shop(&LAUNCH.replace("budget = 100", "budget = 120"));
    shop.enrol("a");
    shop.enrol("b");
    let earned = shop.buy("a", "o-1", "2026-01-06T15:00:00Z", vec![tee(60), line("shirt", "tops", 1, 6_000)]);
    // 60 + 60 extra, twice: 240; the extra uses all 120 of the budget, uncut.
    assert_eq!(earned.points, 240);
    let doubled = triple("launch", "60", "Launch (×2) until 2026-02-01: 60 on top of 60 base points");
    assert_eq!(earned.awards(), vec![base(60), doubled.clone(), base(60), doubled]);
    assert_eq!(spent(&shop, "launch"), 120);

    let earned = shop.buy("b", "o-2", "2026-01-06T16:00:00Z", vec![tee(10)]);
    assert_eq!(earned.points, 10);
    assert_eq!(
        earned.awards(),
        vec![base(10), triple("launch", "0", "Launch (×2): its budget of 120 points is reached")]
    );
    assert_eq!((shop.available("a"), shop.available("b")), (240, 10));
}

#[test]
fn a_budget_pays_line_extras_before_the_orders_points() {
    let mut shop = shop(
        r#"
[[earning]]
id = "combo"
kind = "campaign"
name = "Combo"
starts = "2026-01-01"
ends = "2026-02-01"
multiplier = 2
points = 50
budget = 100
"#,
    );
    shop.enrol("a");
    shop.enrol("b");
    let earned = shop.buy("a", "o-1", "2026-01-06T15:00:00Z", vec![tee(30)]);
    // 30 base + 30 extra + 50 for the order: 110; 80 of the budget used.
    assert_eq!(earned.points, 110);
    assert_eq!(
        earned.awards(),
        vec![
            base(30),
            triple("combo", "30", "Combo (×2) until 2026-02-01: 30 on top of 30 base points"),
            triple("combo", "50", "Combo until 2026-02-01: 50 points"),
        ]
    );
    let earned = shop.buy("b", "o-2", "2026-01-06T16:00:00Z", vec![tee(30)]);
    // 30 base + 20 of the 30 extra (what is left of 100); the order's 50 refused: 50.
    assert_eq!(earned.points, 50);
    assert_eq!(
        earned.awards(),
        vec![
            base(30),
            triple(
                "combo",
                "20",
                "Combo (×2) until 2026-02-01: 20 of 30 points, all that its budget of 100 points had left"
            ),
            triple("combo", "0", "Combo (50 bonus points): its budget of 100 points is reached"),
        ]
    );
    assert_eq!(spent(&shop, "combo"), 100);
    assert_eq!((shop.available("a"), shop.available("b")), (110, 50));
}

#[test]
fn a_points_campaign_cut_by_its_budget_says_how_much_was_left() {
    let mut shop = shop(
        r#"
[[earning]]
id = "hello"
kind = "campaign"
name = "Hello"
starts = "2026-01-01"
ends = "2026-02-01"
points = 50
budget = 120
"#,
    );
    let mut balances = Vec::new();
    for (i, who) in ["a", "b", "c", "d"].into_iter().enumerate() {
        shop.enrol(who);
        let earned = shop.buy(who, &format!("o-{i}"), "2026-01-06T15:00:00Z", vec![tee(10)]);
        balances.push((earned.points, earned.awards()));
    }
    // 50, 50, then the 20 left of 120, then nothing; each on 10 base points.
    assert_eq!(
        balances,
        vec![
            (60, vec![base(10), triple("hello", "50", "Hello until 2026-02-01: 50 points")]),
            (60, vec![base(10), triple("hello", "50", "Hello until 2026-02-01: 50 points")]),
            (
                30,
                vec![
                    base(10),
                    triple(
                        "hello",
                        "20",
                        "Hello (50 bonus points) until 2026-02-01: 20 of 50 points, all that its budget of 120 points had left"
                    )
                ]
            ),
            (
                10,
                vec![
                    base(10),
                    triple("hello", "0", "Hello (50 bonus points): its budget of 120 points is reached")
                ]
            ),
        ]
    );
    assert_eq!(spent(&shop, "hello"), 120);
    assert_eq!(shop.available("d"), 10);
}

#[test]
fn a_cut_to_a_fraction_of_a_point_is_explained_with_that_fraction() {
    let mut shop = shop(
        r#"
[[earning]]
id = "half"
kind = "campaign"
name = "Half again"
starts = "2026-01-01"
ends = "2026-02-01"
multiplier = "1.5"
budget = 50
"#,
    );
    shop.enrol("a");
    let earned = shop.buy("a", "o-1", "2026-01-06T15:00:00Z", vec![tee(75), line("shirt", "tops", 1, 7_500)]);
    // 75 + 37.5 extra; 75 + the 12.5 left of 50: 200.
    assert_eq!(earned.points, 200);
    assert_eq!(
        earned.awards(),
        vec![
            base(75),
            triple("half", "37.5", "Half again (×1.5) until 2026-02-01: 37.5 on top of 75 base points"),
            base(75),
            triple(
                "half",
                "12.5",
                "Half again (×1.5) until 2026-02-01: 12.5 of 37.5 points, all that its budget of 50 points had left"
            ),
        ]
    );
    assert_eq!(spent(&shop, "half"), 50);
}

#[test]
fn lines_an_exclusion_takes_out_use_none_of_the_budget() {
    let mut shop = shop(&format!(
        r#"{LAUNCH}
[[earning]]
id = "points"
kind = "campaign"
name = "Order bonus"
starts = "2026-01-01"
ends = "2026-02-01"
points = 5

[[earning]]
id = "no-gift-cards"
kind = "exclusion"
categories = ["gift-card"]
"#
    ));
    shop.enrol("a");
    shop.enrol("b");
    let earned =
        shop.buy("a", "o-1", "2026-01-06T15:00:00Z", vec![line("card", "gift-card", 1, 5_000), tee(50)]);
    // The gift card earns nothing; the tee 50 + 50 extra; 5 for the order: 105, and 50 of
    // the budget used.
    assert_eq!(earned.points, 105);
    assert_eq!(
        earned.awards(),
        vec![
            base(50),
            triple("no-gift-cards", "-50", "category gift-card earns nothing"),
            base(50),
            triple("launch", "50", "Launch (×2) until 2026-02-01: 50 on top of 50 base points"),
            triple("points", "5", "Order bonus until 2026-02-01: 5 points"),
        ]
    );
    assert_eq!(spent(&shop, "launch"), 50);

    // An order of gift cards alone earns nothing at all, the order's bonus included.
    let earned = shop.buy("a", "o-2", "2026-01-06T16:00:00Z", vec![line("card", "gift-card", 1, 5_000)]);
    assert_eq!(earned.points, 0);
    assert_eq!(
        earned.awards(),
        vec![base(50), triple("no-gift-cards", "-50", "category gift-card earns nothing")]
    );

    let earned = shop.buy("b", "o-3", "2026-01-06T17:00:00Z", vec![tee(60)]);
    // 60 + the 50 left of 100 + 5: 115.
    assert_eq!(earned.points, 115);
    assert_eq!(
        earned.awards(),
        vec![
            base(60),
            triple(
                "launch",
                "50",
                "Launch (×2) until 2026-02-01: 50 of 60 points, all that its budget of 100 points had left"
            ),
            triple("points", "5", "Order bonus until 2026-02-01: 5 points"),
        ]
    );
    assert_eq!(spent(&shop, "launch"), 100);
}

// ---------------------------------------------------------------------------------------
// Caps per member

#[test]
fn caps_per_member_a_day_and_a_month_cut_reset_at_new_york_midnight_and_spare_others() {
    let mut shop = shop(
        r#"
[[earning]]
id = "double"
kind = "campaign"
name = "Double days"
starts = "2026-01-01"
ends = "2026-03-01"
multiplier = 2
max_points_per_day = 100
max_points_per_month = 250
"#,
    );
    shop.enrol("a");
    shop.enrol("b");
    let doubled = |n: i64| {
        triple(
            "double",
            &n.to_string(),
            &format!("Double days (×2) until 2026-03-01: {n} on top of {n} base points"),
        )
    };
    let cut = |n: i64, of: i64, cap: &str| {
        triple(
            "double",
            &n.to_string(),
            &format!("Double days (×2) until 2026-03-01: {n} of {of} points, all that its {cap} had left"),
        )
    };
    let refused = |cap: &str| triple("double", "0", &format!("Double days (×2): its {cap} is reached"));
    let day = "limit of 100 points a day per member";
    let month = "limit of 250 points a month per member";
    // (member, when, line in dollars, points, the campaign's award). New York is UTC-5.
    let orders = [
        // Mon 5 Jan: 60 extra (day 60, month 60).
        ("a", "2026-01-05T15:00:00Z", 60, 120, doubled(60)),
        // 40 of the day left: cut (day 100, month 100).
        ("a", "2026-01-05T16:00:00Z", 60, 100, cut(40, 60, day)),
        // Another member has a day of their own.
        ("b", "2026-01-05T17:00:00Z", 60, 120, doubled(60)),
        // 23:59:59 on 5 Jan in New York, though 6 Jan in UTC: the day is spent.
        ("a", "2026-01-06T04:59:59Z", 60, 60, refused(day)),
        // Midnight in New York: a new day (day 60, month 160).
        ("a", "2026-01-06T05:00:00Z", 60, 120, doubled(60)),
        // 40 of 40 left: the day exactly reached, uncut (day 100, month 200).
        ("a", "2026-01-06T15:00:00Z", 40, 80, doubled(40)),
        ("a", "2026-01-06T16:00:00Z", 10, 10, refused(day)),
        // 7 Jan: 100 left of the day, 50 of the month: the month cuts (month 250).
        ("a", "2026-01-07T15:00:00Z", 60, 110, cut(50, 60, month)),
        // 23:59:59 on 31 Jan in New York: still January.
        ("a", "2026-02-01T04:59:59Z", 10, 10, refused(month)),
        // Midnight of 1 Feb in New York: a new month.
        ("a", "2026-02-01T05:00:00Z", 60, 120, doubled(60)),
        ("b", "2026-02-01T06:00:00Z", 60, 120, doubled(60)),
    ];
    for (i, (who, when, dollars, points, award)) in orders.into_iter().enumerate() {
        let earned = shop.buy(who, &format!("o-{i}"), when, vec![tee(dollars)]);
        assert_eq!(earned.points, points, "points of order {i}");
        assert_eq!(earned.awards(), vec![base(dollars), award], "awards of order {i}");
        assert!(earned.explanation.limits.is_empty(), "the program's own caps are not involved");
    }
    // 120 + 100 + 60 + 120 + 80 + 10 + 110 + 10 + 120; 120 + 120.
    assert_eq!((shop.available("a"), shop.available("b")), (730, 240));
}

#[test]
fn the_tightest_of_budget_day_and_month_cuts_and_is_named() {
    let mut shop = shop(
        r#"
[[earning]]
id = "tight"
kind = "campaign"
name = "Tight"
starts = "2026-01-01"
ends = "2026-03-01"
multiplier = 2
budget = 150
max_points_per_day = 100
max_points_per_month = 120
"#,
    );
    for who in ["a", "b", "c"] {
        shop.enrol(who);
    }
    let cut = |n: i64, of: i64, cap: &str| {
        triple(
            "tight",
            &n.to_string(),
            &format!("Tight (×2) until 2026-03-01: {n} of {of} points, all that its {cap} had left"),
        )
    };
    let orders = [
        // Left: budget 150, day 100, month 120: 90 fits.
        (
            "a",
            "2026-01-05T15:00:00Z",
            90,
            180,
            triple("tight", "90", "Tight (×2) until 2026-03-01: 90 on top of 90 base points"),
        ),
        // Left: budget 60, day 10, month 30: the day cuts.
        ("a", "2026-01-05T16:00:00Z", 30, 40, cut(10, 30, "limit of 100 points a day per member")),
        // Left: budget 50, day 100, month 20: the month cuts.
        ("a", "2026-01-06T15:00:00Z", 30, 50, cut(20, 30, "limit of 120 points a month per member")),
        // Left: budget 30, day 100, month 120: the budget cuts.
        ("b", "2026-01-06T16:00:00Z", 60, 90, cut(30, 60, "budget of 150 points")),
        // Left: budget 0.
        (
            "c",
            "2026-01-06T17:00:00Z",
            10,
            10,
            triple("tight", "0", "Tight (×2): its budget of 150 points is reached"),
        ),
    ];
    for (i, (who, when, dollars, points, award)) in orders.into_iter().enumerate() {
        let earned = shop.buy(who, &format!("o-{i}"), when, vec![tee(dollars)]);
        assert_eq!(earned.points, points, "points of order {i}");
        assert_eq!(earned.awards(), vec![base(dollars), award], "awards of order {i}");
    }
    assert_eq!(spent(&shop, "tight"), 150); // 90 + 10 + 20 + 30
    // 180 + 40 + 50; 90; 10.
    assert_eq!((shop.available("a"), shop.available("b"), shop.available("c")), (270, 90, 10));
}

// ---------------------------------------------------------------------------------------
// Definition errors

fn campaign_with(settings: &str) -> String {
    format!(
        r#"
[[earning]]
id = "c"
kind = "campaign"
{settings}
"#
    )
}

#[test]
fn a_campaign_definition_with_a_mistake_is_refused_with_the_field_named() {
    let window = "starts = \"2026-01-01\"\nends = \"2026-02-01\"";
    let cases = [
        (
            "starts = \"2026-02-01\"\nends = \"2026-01-01\"\npoints = 5".to_owned(),
            "earning[0].ends: must be after starts",
        ),
        (
            "starts = \"2026-01-01T09:00\"\nends = \"2026-01-01 09:00\"\npoints = 5".to_owned(),
            "earning[0].ends: must be after starts",
        ),
        (
            "starts = \"next friday\"\nends = \"2026-01-01\"\npoints = 5".to_owned(),
            "earning[0].starts: `next friday` is not a wall-clock time like 2026-11-27T09:00",
        ),
        (
            format!("{window}\ndays = [\"sat\", \"saturday\"]\npoints = 5"),
            "earning[0].days[1]: `saturday` is not a day: use mon, tue, ... sun",
        ),
        (
            format!("{window}\nhours = \"9-17\"\npoints = 5"),
            "earning[0].hours: `9-17` is not a span of hours like 09:00-17:00",
        ),
        (
            format!("{window}\nhours = \"10:00-10:00\"\npoints = 5"),
            "earning[0].hours: `10:00-10:00` is not a span of hours like 09:00-17:00",
        ),
        (
            format!("{window}\nhours = \"22:00-24:30\"\npoints = 5"),
            "earning[0].hours: `22:00-24:30` is not a span of hours like 09:00-17:00",
        ),
        (window.to_owned(), "earning[0].multiplier: a campaign needs a multiplier, points, or both"),
        (
            format!("{window}\nmultiplier = \"0.5\""),
            "earning[0].multiplier: must be between 1 and 1000, not 0.5",
        ),
        (format!("{window}\npoints = 0"), "earning[0].points: must be between 1 and 1000000000000, not 0"),
        (
            format!("{window}\npoints = 5\nbudget = 0"),
            "earning[0].budget: must be between 1 and 1000000000000, not 0",
        ),
        (
            format!("{window}\npoints = 5\nmax_points_per_day = -5"),
            "earning[0].max_points_per_day: must be between 1 and 1000000000000, not -5",
        ),
        (
            format!("{window}\npoints = 5\nmax_points_per_month = 0"),
            "earning[0].max_points_per_month: must be between 1 and 1000000000000, not 0",
        ),
    ];
    for (settings, message) in cases {
        assert_eq!(invalid(&campaign_with(&settings)), message, "for {settings}");
    }
    // Every mistake is reported, not just the first.
    assert_eq!(
        invalid(&campaign_with(
            "starts = \"2026-02-01\"\nends = \"2026-01-01\"\ndays = [\"funday\"]\nbudget = 0"
        )),
        "earning[0].ends: must be after starts; \
         earning[0].days[0]: `funday` is not a day: use mon, tue, ... sun; \
         earning[0].multiplier: a campaign needs a multiplier, points, or both; \
         earning[0].budget: must be between 1 and 1000000000000, not 0"
    );
}

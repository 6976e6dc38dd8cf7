//! Rules on products: multipliers and bonuses per SKU or category, exclusions, and the
//! minimum basket.

use super::*;

const RULES: &str = r#"
[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 10

[[earning]]
id = "shoes-x3"
kind = "product_multiplier"
skus = ["sneaker"]
categories = ["boots"]
multiplier = 3

[[earning]]
id = "socks-bonus"
kind = "product_bonus"
categories = ["socks"]
points_per_unit = "2.5"

[[earning]]
id = "no-gift-cards"
kind = "exclusion"
categories = ["gift-card"]
skus = ["tobacco"]
"#;

#[test]
fn a_product_multiplier_adds_its_extra_on_the_base_of_its_skus_and_categories() {
    let mut shop = Shop::new(RULES);
    shop.enrol("m");
    let earned = shop.buy(
        "m",
        "o-1",
        "2026-03-02T15:00:00Z",
        vec![
            line("sneaker", "shoes", 1, 8_000),
            line("chelsea", "boots", 1, 12_050),
            line("tee", "tops", 2, 1_000),
        ],
    );
    // 800 + 1600 extra; 1205 + 2410 extra; 200.
    assert_eq!(earned.points, 6215);
    assert_eq!(
        earned.awards(),
        vec![
            triple("base", "800", "10 points per 1.00 USD on 80.00 USD"),
            triple(
                "shoes-x3",
                "1600",
                "sku sneaker, category boots earns ×3: 1600 on top of 800 base points"
            ),
            triple("base", "1205", "10 points per 1.00 USD on 120.50 USD"),
            triple(
                "shoes-x3",
                "2410",
                "sku sneaker, category boots earns ×3: 2410 on top of 1205 base points"
            ),
            triple("base", "200", "10 points per 1.00 USD on 20.00 USD"),
        ]
    );
    assert_eq!(shop.available("m"), 6215);
}

#[test]
fn product_bonuses_per_sku_and_category_are_fractional_and_rounded_once_per_order() {
    let mut shop = Shop::new(
        r#"
[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1

[[earning]]
id = "socks-bonus"
kind = "product_bonus"
categories = ["socks"]
points_per_unit = "2.5"

[[earning]]
id = "laces-bonus"
kind = "product_bonus"
skus = ["laces"]
points_per_unit = "0.3"
"#,
    );
    shop.enrol("m");
    let earned = shop.buy(
        "m",
        "o-1",
        "2026-03-02T15:00:00Z",
        vec![line("wool-socks", "socks", 3, 1_299), line("laces", "accessories", 2, 250)],
    );
    // 38.97 + 3 × 2.5 + 5 + 2 × 0.3 = 52.07, floored once: 52 (per line it would be 38 + 7 + 5 + 0).
    assert_eq!(earned.points, 52);
    assert_eq!(
        earned.awards(),
        vec![
            triple("base", "38.97", "1 point per 1.00 USD on 38.97 USD"),
            triple("socks-bonus", "7.5", "category socks: a bonus of 2.5 points per unit × 3"),
            triple("base", "5", "1 point per 1.00 USD on 5.00 USD"),
            triple("laces-bonus", "0.6", "sku laces: a bonus of 0.3 points per unit × 2"),
        ]
    );
    let e = &earned.explanation;
    let line_points: Vec<String> = e.lines.iter().map(|l| l.points.to_string()).collect();
    assert_eq!(line_points, ["46.47", "5.6"]);
    assert_eq!(e.subtotal.to_string(), "52.07");
    assert_eq!(e.points.get(), 52);
    assert_eq!(e.summary, "the lines earn 52.07 points in all; rounded once per order (floor): 52 points");
    assert_eq!(shop.available("m"), 52);
}

#[test]
fn a_category_and_a_product_multiplier_on_one_line_add_their_extras() {
    let mut shop = Shop::new(
        r#"
[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 10

[[earning]]
id = "shoes-x2"
kind = "category_multiplier"
category = "shoes"
multiplier = 2

[[earning]]
id = "sneaker-x1-5"
kind = "product_multiplier"
skus = ["sneaker"]
multiplier = "1.5"
"#,
    );
    shop.enrol("m");
    let earned = shop.buy(
        "m",
        "o-1",
        "2026-03-02T15:00:00Z",
        vec![line("sneaker", "shoes", 1, 8_005), line("loafer", "shoes", 1, 5_000)],
    );
    // Sneaker: 800.5 + 800.5 (×2) + 400.25 (×1.5) = 2001.25; loafer: 500 + 500 = 1000; floor 3001.25.
    assert_eq!(earned.points, 3001);
    assert_eq!(
        earned.awards(),
        vec![
            triple("base", "800.5", "10 points per 1.00 USD on 80.05 USD"),
            triple("shoes-x2", "800.5", "category shoes earns ×2: 800.5 on top of 800.5 base points"),
            triple("sneaker-x1-5", "400.25", "sku sneaker earns ×1.5: 400.25 on top of 800.5 base points"),
            triple("base", "500", "10 points per 1.00 USD on 50.00 USD"),
            triple("shoes-x2", "500", "category shoes earns ×2: 500 on top of 500 base points"),
        ]
    );
    assert_eq!(earned.explanation.subtotal.to_string(), "3001.25");
    assert_eq!(shop.available("m"), 3001);
}

#[test]
fn excluded_lines_earn_nothing_whatever_multipliers_and_bonuses_gave_them() {
    // The exclusion is written first; it still runs after the rules that give points.
    let mut shop = Shop::new(
        r#"
[[earning]]
id = "no-gift-cards"
kind = "exclusion"
categories = ["gift-card"]
skus = ["tobacco"]

[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 10

[[earning]]
id = "promo-x2"
kind = "product_multiplier"
skus = ["tobacco"]
categories = ["gift-card"]
multiplier = 2

[[earning]]
id = "promo-bonus"
kind = "product_bonus"
skus = ["tobacco"]
categories = ["gift-card"]
points_per_unit = 5
"#,
    );
    shop.enrol("m");
    let earned = shop.buy(
        "m",
        "o-1",
        "2026-03-02T15:00:00Z",
        vec![
            line("gc-50", "gift-card", 1, 5_000),
            line("tobacco", "smoking", 2, 1_250),
            line("tee", "tops", 1, 1_999),
        ],
    );
    // Gift card 500 + 500 + 5 = 1005, taken back; tobacco 250 + 250 + 10 = 510, taken back;
    // tee 199.9; floor 199.
    assert_eq!(earned.points, 199);
    assert_eq!(
        earned.awards(),
        vec![
            triple("base", "500", "10 points per 1.00 USD on 50.00 USD"),
            triple(
                "promo-x2",
                "500",
                "sku tobacco, category gift-card earns ×2: 500 on top of 500 base points"
            ),
            triple("promo-bonus", "5", "sku tobacco, category gift-card: a bonus of 5 points per unit × 1"),
            triple("no-gift-cards", "-1005", "sku tobacco, category gift-card earns nothing"),
            triple("base", "250", "10 points per 1.00 USD on 25.00 USD"),
            triple(
                "promo-x2",
                "250",
                "sku tobacco, category gift-card earns ×2: 250 on top of 250 base points"
            ),
            triple("promo-bonus", "10", "sku tobacco, category gift-card: a bonus of 5 points per unit × 2"),
            triple("no-gift-cards", "-510", "sku tobacco, category gift-card earns nothing"),
            triple("base", "199.9", "10 points per 1.00 USD on 19.99 USD"),
        ]
    );
    let line_points: Vec<String> = earned.explanation.lines.iter().map(|l| l.points.to_string()).collect();
    assert_eq!(line_points, ["0", "0", "199.9"]);
    assert_eq!(earned.explanation.subtotal.to_string(), "199.9");
    assert_eq!(shop.available("m"), 199);
}

const MINIMUM_BASKET: &str = r#"
[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 10

[[earning]]
id = "min-25"
kind = "minimum_basket"
amount_minor = 2500
"#;

#[test]
fn an_order_one_cent_below_the_minimum_basket_earns_nothing_from_its_lines() {
    let mut shop = Shop::new(MINIMUM_BASKET);
    shop.enrol("m");
    let earned = shop.buy(
        "m",
        "o-1",
        "2026-03-02T15:00:00Z",
        vec![line("tee", "tops", 1, 1_999), line("socks", "socks", 1, 500)],
    );
    // 19.99 + 5.00 = 24.99 < 25.00: 199.9 and 50 are both taken back.
    let why = "orders under 25.00 USD earn nothing; this one is 24.99 USD";
    assert_eq!(earned.points, 0);
    assert_eq!(
        earned.awards(),
        vec![
            triple("base", "199.9", "10 points per 1.00 USD on 19.99 USD"),
            triple("min-25", "-199.9", why),
            triple("base", "50", "10 points per 1.00 USD on 5.00 USD"),
            triple("min-25", "-50", why),
            triple("min-25", "0", why),
        ]
    );
    assert_eq!(
        earned.explanation.summary,
        "the lines and the order's awards earn 0 points in all; rounded once per order (floor): 0 points"
    );
    assert_eq!(shop.available("m"), 0);
}

#[test]
fn an_order_exactly_at_the_minimum_basket_earns() {
    let mut shop = Shop::new(MINIMUM_BASKET);
    shop.enrol("m");
    let earned = shop.buy(
        "m",
        "o-1",
        "2026-03-02T15:00:00Z",
        vec![line("tee", "tops", 1, 2_000), line("socks", "socks", 1, 500)],
    );
    // 20.00 + 5.00 = 25.00, not under 25.00: 200 + 50.
    assert_eq!(earned.points, 250);
    assert_eq!(
        earned.awards(),
        vec![
            triple("base", "200", "10 points per 1.00 USD on 20.00 USD"),
            triple("base", "50", "10 points per 1.00 USD on 5.00 USD"),
        ]
    );
    assert_eq!(shop.available("m"), 250);
}

const TIERS: &str = r#"
[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 10

[[earning]]
id = "tiers"
kind = "tier_multiplier"
multipliers = { gold = 2, silver = "1.5" }
"#;

#[test]
fn a_member_of_a_listed_tier_earns_its_multiple_of_base_points() {
    let mut shop = Shop::new(TIERS);
    for who in ["gold-m", "silver-m"] {
        shop.enrol(who);
    }
    shop.profile("gold-m", Some("gold"), &[]);
    shop.profile("silver-m", Some("silver"), &[]);
    let order = || vec![line("tee", "tops", 1, 4_005), line("cap", "hats", 1, 1_000)];

    let gold = shop.buy("gold-m", "o-1", "2026-03-02T15:00:00Z", order());
    // (400.5 + 400.5) + (100 + 100) = 1001.
    assert_eq!(gold.points, 1001);
    assert_eq!(
        gold.awards(),
        vec![
            triple("base", "400.5", "10 points per 1.00 USD on 40.05 USD"),
            triple("tiers", "400.5", "tier earns ×2: 400.5 on top of 400.5 base points"),
            triple("base", "100", "10 points per 1.00 USD on 10.00 USD"),
            triple("tiers", "100", "tier earns ×2: 100 on top of 100 base points"),
        ]
    );
    assert_eq!(shop.available("gold-m"), 1001);

    let silver = shop.buy("silver-m", "o-2", "2026-03-02T15:00:00Z", order());
    // (400.5 + 200.25) + (100 + 50) = 750.75, floor 750.
    assert_eq!(silver.points, 750);
    assert_eq!(
        silver.awards(),
        vec![
            triple("base", "400.5", "10 points per 1.00 USD on 40.05 USD"),
            triple("tiers", "200.25", "tier earns ×1.5: 200.25 on top of 400.5 base points"),
            triple("base", "100", "10 points per 1.00 USD on 10.00 USD"),
            triple("tiers", "50", "tier earns ×1.5: 50 on top of 100 base points"),
        ]
    );
    assert_eq!(shop.available("silver-m"), 750);
}

#[test]
fn a_member_in_no_tier_or_an_unlisted_tier_earns_base_points_only() {
    let mut shop = Shop::new(TIERS);
    shop.enrol("plain");
    shop.enrol("bronze-m");
    shop.profile("bronze-m", Some("bronze"), &[]);
    for (who, order) in [("plain", "o-1"), ("bronze-m", "o-2")] {
        let earned = shop.buy(who, order, "2026-03-02T15:00:00Z", vec![line("tee", "tops", 1, 4_005)]);
        // 400.5, floor 400.
        assert_eq!(earned.points, 400, "{who}");
        assert_eq!(earned.awards(), vec![triple("base", "400.5", "10 points per 1.00 USD on 40.05 USD")]);
        assert_eq!(shop.available(who), 400, "{who}");
    }
}

#[test]
fn a_tier_multiplier_says_nothing_about_a_free_line() {
    let mut shop = Shop::new(TIERS);
    shop.enrol("m");
    shop.profile("m", Some("gold"), &[]);
    let earned = shop.buy(
        "m",
        "o-1",
        "2026-03-02T15:00:00Z",
        vec![line("sample", "tops", 1, 0), line("tee", "tops", 1, 1_000)],
    );
    // The free line has no base to multiply; the tee earns 100 + 100.
    assert_eq!(earned.points, 200);
    assert_eq!(
        earned.awards(),
        vec![
            triple("base", "100", "10 points per 1.00 USD on 10.00 USD"),
            triple("tiers", "100", "tier earns ×2: 100 on top of 100 base points"),
        ]
    );
}

#[test]
fn product_rules_refuse_bad_definitions_naming_the_field() {
    let base = "[[earning]]\nid = \"base\"\nkind = \"base_rate\"\npoints_per_unit = 10\n";
    let too_big = invalid(&format!(
        "{base}\n[[earning]]\nid = \"x\"\nkind = \"category_multiplier\"\ncategory = \"shoes\"\nmultiplier = 1001\n"
    ));
    assert_eq!(too_big, "earning[1].multiplier: must be between 0 and 1000, not 1001");
    let negative = invalid(
        "[[earning]]\nid = \"x\"\nkind = \"product_multiplier\"\nskus = [\"a\"]\nmultiplier = \"-0.5\"\n",
    );
    assert_eq!(negative, "earning[0].multiplier: must be between 0 and 1000, not -0.5");
    let nothing = invalid("[[earning]]\nid = \"no-gift-cards\"\nkind = \"exclusion\"\n");
    assert_eq!(nothing, "earning[0]: names no sku and no category");
    let bad_bonus = invalid(
        "[[earning]]\nid = \"b\"\nkind = \"product_bonus\"\ncategories = [\"socks\"]\npoints_per_unit = -1\n",
    );
    assert_eq!(bad_bonus, "earning[0].points_per_unit: must be between 0 and 1000000, not -1");
    let no_basket = invalid("[[earning]]\nid = \"min\"\nkind = \"minimum_basket\"\namount_minor = 0\n");
    assert!(no_basket.starts_with("earning[0].amount_minor: must be between 1 and "), "{no_basket}");
    assert!(no_basket.ends_with(", not 0"), "{no_basket}");
    let no_tier = invalid("[[earning]]\nid = \"t\"\nkind = \"tier_multiplier\"\nmultipliers = {}\n");
    assert_eq!(no_tier, "earning[0].multipliers: names no tier");
    let tier_too_big =
        invalid("[[earning]]\nid = \"t\"\nkind = \"tier_multiplier\"\nmultipliers = { gold = 1001 }\n");
    assert_eq!(tier_too_big, "earning[0].multipliers.gold: must be between 0 and 1000, not 1001");

    // A misspelt field is refused when the definition is read, before it is checked.
    let misspelt = format!(
        "{HEADER}\n[[earning]]\nid = \"x\"\nkind = \"product_multiplier\"\nskus = [\"a\"]\nmultiplyer = 2\n"
    );
    let err = toml::from_str::<ProgramDef>(&misspelt).unwrap_err().to_string();
    assert!(err.contains("unknown field `multiplyer`"), "{err}");
}

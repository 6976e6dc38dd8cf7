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

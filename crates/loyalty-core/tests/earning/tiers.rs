//! Tiers: the upgrade in the decision of the purchase that crosses a threshold, the
//! evaluation that moves a member down only after the grace period, one tier at a time,
//! paid tiers that last until the paid period ends, and rewards only some tiers may take.

use super::*;
use loyalty_core::decision::HistoryTopic;
use loyalty_core::event::{DueTick, Redemption, SubscriptionAction, SubscriptionUpdate};
use loyalty_core::ids::RewardCode;
use loyalty_core::outcome::{JobOutcome, MemberView};

/// A point per dollar, ×1.5 for silver and ×2 for gold; silver at 500.00 spent in the
/// calendar year, gold at 1,500.00 (or 9.99 a month), and 30 days of grace. `extra` is
/// added under `[tiers]`.
fn shop(extra: &str) -> Shop {
    let mut shop = Shop::new(&format!(
        r#"
[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1

[[earning]]
id = "tiers"
kind = "tier_multiplier"
multipliers = {{ silver = "1.5", gold = "2" }}

[[rewards]]
code = "lounge"
name = "Lounge pass"
points_cost = 10
tiers = ["gold"]

[tiers]
metric = "spend"
grace_days = 30
{extra}

[[tiers.levels]]
code = "silver"
name = "Silver"
threshold = 50000
perks = ["Free shipping"]

[[tiers.levels]]
code = "gold"
name = "Gold"
threshold = 150000
price_minor = 999
perks = ["Free shipping", "Lounge access"]
"#
    ));
    shop.enrol("m");
    shop
}

fn buy(shop: &mut Shop, order: &str, at_text: &str, dollars: i64) -> Earned {
    shop.buy("m", order, at_text, vec![line("tee", "", 1, dollars * 100)])
}

fn tier(shop: &Shop) -> (Option<String>, Option<String>) {
    let m = shop.ledger.member(&ExternalId::parse("m").unwrap()).unwrap();
    (m.profile.tier.as_ref().map(ToString::to_string), m.standing.tier_review_at.map(|t| t.to_string()))
}

fn review(shop: &mut Shop, due: &str, at_text: &str) -> Result<JobOutcome, Rejection> {
    let tick = DueTick { member: ExternalId::parse("m").unwrap(), due: at(due), occurred_at: at(at_text) };
    match shop.run(Event::TierReview(tick))? {
        Outcome::Job(j) => Ok(j),
        other => panic!("a review rendered {other:?}"),
    }
}

fn history(shop: &Shop, topic: HistoryTopic) -> Vec<(Option<String>, Option<String>)> {
    let snapshot = shop.ledger.snapshot();
    snapshot.members["m"]
        .history
        .iter()
        .filter(|h| h.topic == topic)
        .map(|h| (h.from.clone(), h.to.clone()))
        .collect()
}

const NEW_YEAR_2027: &str = "2027-01-01T05:00:00Z";
const NEW_YEAR_2028: &str = "2028-01-01T05:00:00Z";

#[test]
fn the_purchase_that_crosses_a_threshold_upgrades_and_the_next_one_earns_the_multiple() {
    let mut shop = shop("");
    assert_eq!(buy(&mut shop, "o-1", "2026-03-01T15:00:00Z", 400).points, 400);
    assert_eq!(tier(&shop), (None, None));
    // 400 + 100 = 500.00: silver, in this purchase's decision; it earns at the old rate.
    assert_eq!(buy(&mut shop, "o-2", "2026-03-02T15:00:00Z", 100).points, 100);
    assert_eq!(tier(&shop), (Some("silver".into()), Some(NEW_YEAR_2027.into())));
    assert_eq!(buy(&mut shop, "o-3", "2026-03-03T15:00:00Z", 100).points, 150);
    // Straight past gold's threshold in one order: gold, not silver then gold.
    assert_eq!(buy(&mut shop, "o-4", "2026-03-04T15:00:00Z", 1000).points, 1500);
    assert_eq!(tier(&shop).0.as_deref(), Some("gold"));
    assert_eq!(
        history(&shop, HistoryTopic::Tier),
        vec![(None, Some("silver".into())), (Some("silver".into()), Some("gold".into()))]
    );
    let reasons: Vec<String> =
        shop.ledger.snapshot().members["m"].history.iter().map(|h| h.reason.clone()).collect();
    assert_eq!(reasons[0], "50000 USD minor units spent in the window reaches the Silver threshold of 50000");
}

#[test]
fn a_purchase_in_the_same_second_as_the_last_counts_the_last_towards_the_tier() {
    let mut shop = shop("");
    assert_eq!(buy(&mut shop, "o-1", "2026-03-01T15:00:00Z", 400).points, 400);
    // Same second: the window ending "now" holds o-1, so 400 + 100 reaches silver.
    assert_eq!(buy(&mut shop, "o-2", "2026-03-01T15:00:00Z", 100).points, 100);
    assert_eq!(tier(&shop), (Some("silver".into()), Some(NEW_YEAR_2027.into())));
}

#[test]
fn a_member_who_falls_short_keeps_the_tier_through_the_grace_period_then_drops_one_tier() {
    let mut shop = shop("");
    buy(&mut shop, "o-1", "2026-05-01T15:00:00Z", 1600);
    assert_eq!(tier(&shop), (Some("gold".into()), Some(NEW_YEAR_2027.into())));
    // The evaluation of 1 January 2027 judges 2026, in which gold was reached: kept a year.
    let kept = review(&mut shop, NEW_YEAR_2027, "2027-01-31T05:00:00Z").unwrap();
    assert_eq!(kept.tier.as_deref(), Some("gold"));
    assert_eq!(tier(&shop), (Some("gold".into()), Some(NEW_YEAR_2028.into())));
    // 2027 earns nothing. Inside the 30 days of grace nothing is due.
    let early = review(&mut shop, NEW_YEAR_2028, "2028-01-30T05:00:00Z").unwrap_err();
    assert_eq!(early.code(), "nothing_due");
    // After it: down one tier to silver, though nothing reaches silver either.
    let down = review(&mut shop, NEW_YEAR_2028, "2028-01-31T05:00:00Z").unwrap();
    assert_eq!(down.tier.as_deref(), Some("silver"));
    assert_eq!(tier(&shop), (Some("silver".into()), Some("2029-01-01T05:00:00Z".into())));
    // The same evaluation twice finds nothing: the date it names has moved on.
    assert_eq!(review(&mut shop, NEW_YEAR_2028, "2028-02-01T05:00:00Z").unwrap_err().code(), "nothing_due");
    assert_eq!(
        review(&mut shop, "2029-01-01T05:00:00Z", "2029-02-01T05:00:00Z").unwrap().tier.as_deref(),
        Some("none")
    );
    assert_eq!(tier(&shop), (None, None));
    assert_eq!(shop.available("m"), 1600, "tiers move no points");
}

#[test]
fn spending_again_during_the_grace_period_keeps_the_tier() {
    let mut shop = shop("");
    buy(&mut shop, "o-1", "2026-05-01T15:00:00Z", 1600);
    review(&mut shop, NEW_YEAR_2027, "2027-01-31T05:00:00Z").unwrap();
    // Nothing in 2027; 1,500.00 in the first days of 2028, inside the grace period.
    buy(&mut shop, "o-2", "2028-01-10T15:00:00Z", 1500);
    let kept = review(&mut shop, NEW_YEAR_2028, "2028-01-31T05:00:00Z").unwrap();
    assert_eq!(kept.tier.as_deref(), Some("gold"));
    assert_eq!(tier(&shop), (Some("gold".into()), Some("2029-01-01T05:00:00Z".into())));
}

#[test]
fn to_qualified_drops_as_far_as_the_metric_says_and_rolling_windows_review_a_year_on() {
    let mut shop = shop("downgrade = \"to_qualified\"\nwindow = \"rolling_12_months\"");
    buy(&mut shop, "o-1", "2026-05-01T15:00:00Z", 1600);
    // Rolling: evaluated 12 months after gold was reached, at the same wall-clock time.
    assert_eq!(tier(&shop), (Some("gold".into()), Some("2027-05-01T15:00:00Z".into())));
    // The 12 months to then hold the purchase that reached gold: kept another year.
    let kept = review(&mut shop, "2027-05-01T15:00:00Z", "2027-06-01T15:00:00Z").unwrap();
    assert_eq!(kept.tier.as_deref(), Some("gold"));
    // A small order in the grace period reaches silver; to_qualified drops straight there.
    buy(&mut shop, "o-2", "2028-05-10T15:00:00Z", 500);
    let down = review(&mut shop, "2028-05-01T15:00:00Z", "2028-06-01T15:00:00Z").unwrap();
    assert_eq!(down.tier.as_deref(), Some("silver"));
    let kept = review(&mut shop, "2029-05-01T15:00:00Z", "2029-06-01T15:00:00Z").unwrap();
    assert_eq!(kept.tier.as_deref(), Some("silver"), "the order of 10 May 2028 is in the 12 months");
    let down = review(&mut shop, "2030-05-01T15:00:00Z", "2030-06-01T15:00:00Z").unwrap();
    assert_eq!(down.tier.as_deref(), Some("none"));
}

#[test]
fn a_paid_tier_lasts_until_the_paid_period_ends_whatever_billing_says() {
    let mut shop = shop("");
    let sub = |shop: &mut Shop, action: SubscriptionAction, at_text: &str| {
        shop.run(Event::Subscription(SubscriptionUpdate {
            member: ExternalId::parse("m").unwrap(),
            action,
            occurred_at: at(at_text),
        }))
    };
    let silver = TierCode::parse("silver").unwrap();
    let gold = TierCode::parse("gold").unwrap();
    assert_eq!(
        sub(&mut shop, SubscriptionAction::Start { tier: silver }, "2026-03-01T15:00:00Z")
            .unwrap_err()
            .code(),
        "tier_not_for_sale"
    );
    assert_eq!(
        sub(&mut shop, SubscriptionAction::Renew, "2026-03-01T15:00:00Z").unwrap_err().code(),
        "not_subscribed"
    );
    let view = match sub(&mut shop, SubscriptionAction::Start { tier: gold.clone() }, "2026-03-01T15:00:00Z")
        .unwrap()
    {
        Outcome::Member(v) => v,
        other => panic!("{other:?}"),
    };
    let paid = *view.subscription.unwrap();
    // A month on at the same wall-clock time: summer time has begun in New York since.
    assert_eq!((paid.price_minor, paid.paid_until.to_string()), (999, "2026-04-01T14:00:00Z".to_owned()));
    assert_eq!(
        sub(&mut shop, SubscriptionAction::Start { tier: gold.clone() }, "2026-03-05T15:00:00Z")
            .unwrap_err()
            .code(),
        "already_subscribed"
    );
    // Gold's ×2 from the start, though nothing was earned: the paid tier.
    assert_eq!(buy(&mut shop, "o-1", "2026-03-02T15:00:00Z", 10).points, 20);
    sub(&mut shop, SubscriptionAction::Renew, "2026-04-01T14:00:00Z").unwrap();
    assert_eq!(buy(&mut shop, "o-2", "2026-04-30T15:00:00Z", 10).points, 20);
    // Past due: the paid period (to 1 May) has run out, and the base rate is back.
    sub(&mut shop, SubscriptionAction::PaymentFailed, "2026-05-01T14:00:00Z").unwrap();
    assert_eq!(buy(&mut shop, "o-3", "2026-05-02T15:00:00Z", 10).points, 10);
    // A late payment pays a month from when it came.
    sub(&mut shop, SubscriptionAction::Renew, "2026-05-03T15:00:00Z").unwrap();
    sub(&mut shop, SubscriptionAction::Cancel, "2026-05-04T15:00:00Z").unwrap();
    assert_eq!(buy(&mut shop, "o-4", "2026-06-02T15:00:00Z", 10).points, 20, "cancelled, but paid to 3 June");
    assert_eq!(buy(&mut shop, "o-5", "2026-06-03T15:00:00Z", 10).points, 10);
    let states: Vec<String> =
        history(&shop, HistoryTopic::Subscription).into_iter().map(|(_, to)| to.unwrap()).collect();
    assert_eq!(states, ["gold active", "gold active", "gold past_due", "gold active", "gold cancelled"]);
    assert_eq!(tier(&shop).0, None, "paying gives the tier, not the earned tier");
}

#[test]
fn rewards_for_some_tiers_refuse_other_members() {
    let mut shop = shop("");
    buy(&mut shop, "o-1", "2026-03-01T15:00:00Z", 600);
    let redeem = |shop: &mut Shop, code: &str| {
        shop.run(Event::Redeem(Redemption {
            member: ExternalId::parse("m").unwrap(),
            reward: RewardCode::parse("lounge").unwrap(),
            code: InstanceCode::parse(code).unwrap(),
            occurred_at: at("2026-03-02T15:00:00Z"),
        }))
    };
    let refused = redeem(&mut shop, "L-1").unwrap_err();
    assert_eq!(refused.code(), "tier_required");
    assert_eq!(refused.to_string(), "reward lounge is only for members of the tiers gold");
    buy(&mut shop, "o-2", "2026-03-01T16:00:00Z", 1000);
    assert!(matches!(redeem(&mut shop, "L-2").unwrap(), Outcome::Redemption(_)));
}

#[test]
fn the_member_page_shows_the_tier_what_the_next_one_needs_and_the_evaluation_date() {
    let mut shop = shop("");
    buy(&mut shop, "o-1", "2026-03-01T15:00:00Z", 600);
    let member = shop.ledger.member(&ExternalId::parse("m").unwrap()).unwrap().clone();
    let progress =
        loyalty_core::outcome::TierProgress::of(&shop.program, &member, 60000, at("2026-03-05T15:00:00Z"))
            .unwrap();
    assert_eq!(progress.tier.as_deref(), Some("silver"));
    assert_eq!((progress.next_tier.as_deref(), progress.needed), (Some("gold"), Some(90000)));
    assert_eq!(progress.next_evaluation.map(|t| t.to_string()).as_deref(), Some(NEW_YEAR_2027));
    assert_eq!(progress.window_from.to_string(), "2026-01-01T05:00:00Z");
    assert_eq!(progress.perks, ["Free shipping"]);
    let _: MemberView = MemberView::of(&member, None);
}

#[test]
fn tier_definitions_are_checked() {
    let base = "[[tiers.levels]]\ncode = \"gold\"\nname = \"Gold\"\nthreshold = 100\n";
    assert_eq!(
        invalid(&format!("{base}[[tiers.levels]]\ncode = \"silver\"\nname = \"Silver\"\nthreshold = 50\n")),
        "tiers.levels[1].threshold: must be above the threshold of the tiers before it (100): tiers go lowest first"
    );
    assert_eq!(
        invalid(&format!("{base}[[tiers.levels]]\ncode = \"vip\"\nname = \"VIP\"\n")),
        "tiers.levels[1]: needs a threshold, a price_minor, or both"
    );
    assert_eq!(
        invalid(&format!(
            "[[earning]]\nid = \"t\"\nkind = \"tier_multiplier\"\nmultipliers = {{ silver = \"2\" }}\n{base}"
        )),
        "earning[0].multipliers.silver: `silver` is not one of the program's tiers"
    );
}

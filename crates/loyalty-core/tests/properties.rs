//! Random histories against the pure engine: after every one of a million operations the
//! ledger invariants hold, and a refused operation changes nothing.

#![allow(clippy::unwrap_used)]

use loyalty_testkit::coffee_variants;
use loyalty_testkit::ops::{Harness, ops};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// 1,000 histories of 1,000 operations: a million per run. `PROPTEST_CASES` changes the
/// number of histories.
const HISTORIES: u32 = 1_000;
const LENGTH: usize = 1_000;

#[test]
fn one_million_random_operations_keep_every_invariant() {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(HISTORIES);
    // One fixed sequence of histories: the rarest refusals (a survey answered again inside
    // its cool-down) come up a handful of times in a million operations, so a random draw
    // would now and then miss one and fail for no fault.
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let programs = coffee_variants();
    let (accepted, refused) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let codes = Mutex::new(BTreeMap::<&'static str, usize>::new());
    let features = Mutex::new(BTreeMap::<&'static str, usize>::new());
    // Half the histories run the program with every kind of rule (the last two variants).
    let rich = programs.len() - 2;
    let variant = prop_oneof![0..rich, rich..programs.len()];
    runner
        .run(&(ops(LENGTH), variant), |(history, variant)| {
            let program = &programs[variant];
            let mut harness = Harness::new();
            for (step, op) in history.iter().enumerate() {
                let _decided = harness.step(program, op, step).map_err(TestCaseError::fail)?;
            }
            harness.finish(program).map_err(TestCaseError::fail)?;
            accepted.fetch_add(harness.accepted, Ordering::Relaxed);
            refused.fetch_add(harness.refused, Ordering::Relaxed);
            let mut codes = codes.lock().unwrap();
            for (code, n) in harness.refusals {
                *codes.entry(code).or_default() += n;
            }
            let mut features = features.lock().unwrap();
            for (feature, n) in harness.features {
                *features.entry(feature).or_default() += n;
            }
            Ok(())
        })
        .unwrap();
    let (accepted, refused) = (accepted.into_inner(), refused.into_inner());
    let codes = codes.into_inner().unwrap();
    let features = features.into_inner().unwrap();
    println!(
        "{} operations in {cases} histories: {accepted} accepted, {refused} refused",
        accepted + refused
    );
    println!("refusals: {codes:?}");
    println!("exercised: {features:?}");
    assert!(accepted + refused >= cases as usize * LENGTH);
    // Both kinds must be common, or the histories would not be testing much.
    assert!(
        accepted * 4 > accepted + refused && refused * 10 > accepted + refused,
        "{accepted} accepted, {refused} refused"
    );
    for code in [
        "member_not_found",
        "member_already_exists",
        "order_already_recorded",
        "order_not_found",
        "return_exceeds_purchase",
        "insufficient_points",
        "reward_not_found",
        "quantity_must_be_positive",
        "order_has_no_lines",
        "adjustment_must_not_be_zero",
        "points_overflow",
        "activity_not_rewarded",
        "referral_code_not_found",
        "self_referral",
        "referee_already_enrolled",
        "nothing_in_review",
        "nothing_due",
        "member_closed",
        "status_unchanged",
        "member_not_closed",
        "tier_not_for_sale",
        "not_subscribed",
        "tier_required",
        "reward_out_of_stock",
        "reward_limit_reached",
        "donation_not_held",
        "reward_code_not_found",
        "reward_already_used",
        "reward_cancelled",
        "reward_expired",
        "not_a_gift_card",
        "gift_card_needs_amount",
        "gift_card_insufficient_balance",
        "gift_card_partly_used",
        "hold_not_found",
        "hold_not_open",
        "hold_expired",
        "member_has_open_holds",
        "amount_must_be_positive",
        "amount_not_payable_in_points",
        "payment_below_minimum",
        "payment_exceeds_share",
        "basket_required",
        "score_out_of_range",
        "survey_not_found",
        "survey_already_answered",
        "survey_cooling_down",
    ] {
        assert!(codes.get(code).is_some_and(|n| *n > 0), "no history was refused with {code}: {codes:?}");
    }
    for feature in [
        "base_rate",
        "category_multiplier",
        "product_bonus",
        "tier_multiplier",
        "campaign",
        "budget_cut",
        "campaign_capped",
        "spend_threshold",
        "punch_card",
        "activity",
        "limited",
        "welcome_bonus",
        "referral",
        "referrer_credited",
        "capped",
        "held_for_review",
        "review_decided",
        "pending",
        "released",
        "expired",
        "tier_changed",
        "tier_reviewed",
        "subscription",
        "suspended",
        "closed",
        "status_restored",
        "points_forfeited_or_restored",
        "hold",
        "hold_captured",
        "hold_released",
        "hold_expired",
        "paid_with_points",
        "payment_refunded",
        "donated",
        "reward_used",
        "gift_card_drawn",
        "reward_cancelled",
        "reward_expired",
        "code_refunded",
        "hold_lapsed",
        "achievement_completed",
        "achievement_revoked",
        "streak_milestone",
        "survey_answered",
        "leaderboard_opt_in",
    ] {
        assert!(
            features.get(feature).is_some_and(|n| *n > 0),
            "no history exercised {feature}: {features:?}"
        );
    }
}

//! The liability roll-forward against the ledger: a year of random activity is booked
//! through the store and the in-memory model side by side, and every month's report is
//! checked to the point against what the model booked that month.

use super::*;
use loyalty_core::books::RollForward;
use loyalty_testkit::each_backend;
use loyalty_testkit::ops::{Harness, ops, time_of};
use loyalty_testkit::property_program;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRunner};
use std::collections::BTreeMap;

/// About a year: 400 brisk steps of minutes, then steps of six hours.
const LENGTH: usize = 1_800;

each_backend!(a_year_of_random_activity_rolls_forward_month_by_month_to_the_point);

/// What the model booked in one month: program-side sums by account, and the change in
/// what members hold.
#[derive(Debug, Default)]
struct Month {
    start: Option<Timestamp>,
    posted: BTreeMap<&'static str, i64>,
    members: i64,
}

async fn a_year_of_random_activity_rolls_forward_month_by_month_to_the_point(db: TestDb) {
    let program = property_program();
    let mut runner = TestRunner::new(Config { failure_persistence: None, ..Config::default() });
    let history = ops(LENGTH).new_tree(&mut runner).unwrap().current();
    let store = db.connect().await;
    let installed = store.install_program(program.definition(), time_of(0)).await.unwrap();
    let loaded = LoadedProgram::installed(installed, property_program());
    let calendar = program.calendar();
    let mut model = Harness::new();
    let mut months: BTreeMap<String, Month> = BTreeMap::new();

    for (step, op) in history.iter().enumerate() {
        let booked = model.ledger.journal().len();
        let event = op.event(step, time_of(step), &model.ledger);
        let expected = model.step(&program, op, step).unwrap_or_else(|broken| panic!("{broken}"));
        let Ok(event) = event else { continue };
        let command = Command {
            fingerprint: format!("{event:?}"),
            event,
            idempotency_key: Some(IdempotencyKey::parse(format!("k-{step}")).unwrap()),
            now: time_of(step),
            recorded_segment: None,
        };
        let got = store.submit(&loaded, &command).await;
        assert_eq!(expected.is_ok(), got.is_ok(), "step {step}: {op:?}: {expected:?} / {got:?}");
        let local = calendar.local(time_of(step));
        let month = months.entry(local.month_key()).or_default();
        month.start.get_or_insert(calendar.start_of_month(time_of(step)));
        for row in &model.ledger.journal()[booked..] {
            for p in &row.postings {
                if p.account.is_member() {
                    month.members += p.amount.get();
                } else {
                    *month.posted.entry(p.account.name()).or_default() += p.amount.get();
                }
            }
        }
    }
    assert!(months.len() >= 11, "the history spans {} months", months.len());

    let starts: Vec<Timestamp> = months.values().filter_map(|m| m.start).collect();
    let mut held_before = 0i64;
    let mut last_closing = None;
    for (i, (key, month)) in months.iter().enumerate() {
        let from = starts[i];
        let to =
            starts.get(i + 1).copied().unwrap_or_else(|| calendar.start_of_month(at("2028-01-01T00:00:00Z")));
        let sums = store.liability(loaded.id, from, to).await.unwrap();
        let lines: Vec<RollForward> =
            sums.iter().map(|s| RollForward::of(s.tier.clone(), s.opening, s.closing, &s.posted)).collect();
        let total = RollForward::total(&lines);
        assert!(lines.iter().all(RollForward::reconciles), "{key}: {lines:?}");
        assert!(total.reconciles(), "{key}: {total:?}");
        if let Some(closing) = last_closing {
            assert_eq!(total.opening, closing, "{key}: the opening is not last month's closing");
        }
        assert_eq!(total.opening, held_before, "{key}: opening");
        held_before += month.members;
        assert_eq!(total.closing, held_before, "{key}: closing");
        let mut got: BTreeMap<&str, i64> = BTreeMap::new();
        for (account, amount) in sums.iter().flat_map(|s| s.posted.iter()) {
            *got.entry(account.name()).or_default() += amount;
        }
        got.retain(|_, v| *v != 0);
        let expected: BTreeMap<&str, i64> =
            month.posted.iter().filter(|(_, v)| **v != 0).map(|(a, v)| (*a, *v)).collect();
        assert_eq!(got, expected, "{key}: movements");
        last_closing = Some(total.closing);
    }

    // The closing of the last month is what members hold, tier by tier.
    let snapshot = model.ledger.snapshot();
    let mut by_tier: BTreeMap<Option<String>, i64> = BTreeMap::new();
    for member in snapshot.members.values() {
        *by_tier.entry(member.profile.tier.as_ref().map(ToString::to_string)).or_default() +=
            i64::try_from(member.balance.owed()).unwrap();
    }
    let end = store.liability(loaded.id, time_of(0), at("2028-01-01T00:00:00Z")).await.unwrap();
    let closing: BTreeMap<Option<String>, i64> =
        end.iter().map(|s| (s.tier.clone(), s.closing)).filter(|(_, v)| *v != 0).collect();
    by_tier.retain(|_, v| *v != 0);
    assert_eq!(closing, by_tier);
    assert_eq!(Some(snapshot.outstanding()), last_closing.map(i128::from));
}

//! The same random histories as the core's property test, through each real backend and
//! the in-memory model side by side: every outcome agrees, a retried key changes nothing,
//! and the stored ledger equals the model's.

use super::*;
use loyalty_core::ids::IdempotencyKey;
use loyalty_store::{LoadedProgram, StoreError};
use loyalty_testkit::coffee_variants;
use loyalty_testkit::each_backend;
use loyalty_testkit::ops::{Harness, ops, time_of};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRunner};

/// 20 histories of 500 operations: 10,000 per backend per run.
const HISTORIES: usize = 20;
const LENGTH: usize = 500;
/// How often the whole stored ledger is compared with the model during a history.
const COMPARE_EVERY: usize = 100;

each_backend!(ten_thousand_random_operations_leave_the_store_equal_to_the_model);

async fn ten_thousand_random_operations_leave_the_store_equal_to_the_model(db: TestDb) {
    let programs = coffee_variants();
    let mut runner = TestRunner::new(Config { failure_persistence: None, ..Config::default() });
    let strategy = (ops(LENGTH), 0..programs.len());
    let mut operations = 0;
    for history_number in 0..HISTORIES {
        let (history, variant) = strategy.new_tree(&mut runner).unwrap().current();
        let program = &programs[variant];
        let fresh = if history_number == 0 { None } else { Some(db.another().await) };
        let store = fresh.as_ref().unwrap_or(&db).connect().await;
        let installed = store.install_program(program.definition(), now()).await.unwrap();
        let loaded = LoadedProgram::installed(installed, coffee_variants().swap_remove(variant));
        let mut model = Harness::new();

        for (step, op) in history.iter().enumerate() {
            let event = op.event(step, time_of(step), &model.ledger);
            let expected = model.step(program, op, step).unwrap_or_else(|broken| panic!("{broken}"));
            let Ok(event) = event else {
                continue; // refused at the edge; the store never sees it
            };
            let command = Command {
                fingerprint: format!("{event:?}"),
                event,
                idempotency_key: Some(IdempotencyKey::parse(format!("k-{history_number}-{step}")).unwrap()),
                now: time_of(step),
                recorded_segment: None,
            };
            let got = store.submit(&loaded, &command).await;
            match (&expected, &got) {
                (Ok(_), Ok(done)) => {
                    assert!(!done.replayed, "step {step}: {op:?} was taken for a retry");
                    if step % 5 == 0 {
                        let retried = store.submit(&loaded, &command).await.unwrap();
                        assert!(
                            retried.replayed && retried.outcome == done.outcome,
                            "step {step}: the retry differs"
                        );
                    }
                }
                (Err(want), Err(StoreError::Rejected(have))) if want.code() == have.code() => {}
                _ => panic!("step {step}: {op:?}: the model says {expected:?}, the store says {got:?}"),
            }
            if step % COMPARE_EVERY == COMPARE_EVERY - 1 {
                let differences =
                    model.ledger.snapshot().differences(&store.snapshot(loaded.id).await.unwrap());
                assert!(differences.is_empty(), "after step {step}: {differences:#?}");
            }
        }
        model.finish(program).unwrap();
        let differences = model.ledger.snapshot().differences(&store.snapshot(loaded.id).await.unwrap());
        assert!(differences.is_empty(), "at the end: {differences:#?}");
        let report = store.verify().await.unwrap();
        assert_eq!(report.violations, vec![], "history {history_number}");
        operations += history.len();
        store.close().await;
    }
    println!("{operations} operations through the store, equal to the model");
    assert!(operations >= 10_000);
}

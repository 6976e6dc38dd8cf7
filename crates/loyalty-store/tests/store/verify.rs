//! `verify` finds each kind of damage a ledger can suffer, naming the rows.

use super::*;
use loyalty_testkit::each_backend;
use sqlx::{AnyPool, AssertSqlSafe};

each_backend!(
    a_sound_ledger_passes_every_check,
    a_posting_that_loses_a_point_breaks_balances_replay_and_roll_forward,
    an_altered_event_no_longer_replays_to_the_stored_ledger,
    an_overdrawn_lot_and_a_reward_without_its_points_are_named,
    a_key_applied_twice_is_named,
    rows_whose_event_is_gone_are_named,
    a_posting_that_strays_from_its_entry_is_named,
);

async fn sound_ledger(db: &TestDb) -> SqlStore {
    let store = db.connect().await;
    let program = installed(&store).await;
    store.submit(&program, &command(enrol("c-1"), None)).await.unwrap();
    store.submit(&program, &command(buy("c-1", "o-1", 2), Some("buy-1"))).await.unwrap();
    store.submit(&program, &command(redeem("c-1", "free-drink", "CODE-1"), Some("redeem-1"))).await.unwrap();
    store
}

async fn break_it(db: &TestDb, statements: &[&str]) {
    let raw: AnyPool = db.raw().await;
    for statement in statements {
        sqlx::query(AssertSqlSafe(*statement)).execute(&raw).await.unwrap();
    }
    raw.close().await;
}

async fn findings(store: &SqlStore) -> Vec<(u8, String)> {
    store.verify().await.unwrap().violations.into_iter().map(|v| (v.invariant, v.detail)).collect()
}

async fn a_sound_ledger_passes_every_check(db: TestDb) {
    let store = sound_ledger(&db).await;
    let report = store.verify().await.unwrap();
    assert_eq!((report.events, report.entries, report.members, report.lots), (3, 2, 1, 1));
    assert_eq!(report.violations, vec![]);
}

async fn a_posting_that_loses_a_point_breaks_balances_replay_and_roll_forward(db: TestDb) {
    let store = sound_ledger(&db).await;
    break_it(&db, &["UPDATE postings SET amount = amount - 1 WHERE id = 2"]).await;
    assert_eq!(
        findings(&store).await,
        vec![
            (1, "journal entry 1 has 2 postings summing to -1".to_owned()),
            (1, "postings of program 1 sum to -1".to_owned()),
            (2, "member c-1 (id 1) shows available 5 but its postings sum to 4".to_owned()),
            (
                4,
                "program coffee: member c-1: journal entry 1 is purchase [program:issued -95, member:available 94], \
                 expected purchase [program:issued -95, member:available 95]"
                    .to_owned()
            ),
            (7, "program 1 on 2026-11-02: opening 0 + movements 5 = 5 but members hold 4".to_owned()),
            (7, "program 1: members' balances add up to 5 but the ledger holds 4 for them".to_owned()),
        ]
    );
}

async fn an_altered_event_no_longer_replays_to_the_stored_ledger(db: TestDb) {
    let store = sound_ledger(&db).await;
    // Someone rewrites history: the logged order now had three lattes.
    break_it(&db, &["UPDATE events SET payload = REPLACE(payload, '\"quantity\":2', '\"quantity\":3') WHERE kind = 'purchase'"])
        .await;
    let found = findings(&store).await;
    let replay: Vec<&str> = found.iter().filter(|(i, _)| *i == 4).map(|(_, d)| d.as_str()).collect();
    assert_eq!(
        replay,
        vec![
            "program coffee: member c-1: available is 5, expected 52",
            "program coffee: member c-1: lot 1 is 5 of 95 from purchase earned 2026-11-02T09:15:00Z for order o-1, \
             expected 52 of 142 from purchase earned 2026-11-02T09:15:00Z for order o-1",
            "program coffee: member c-1: journal entry 1 is purchase [program:issued -95, member:available 95], \
             expected purchase [program:issued -142, member:available 142]",
            "program coffee: order o-1 is 95 points for c-1 of 950 spent at 2026-11-02T09:15:00Z \
             [latte 0/2 returned, 95 points], expected 142 points for c-1 of 1425 spent at \
             2026-11-02T09:15:00Z [latte 0/3 returned, 142.5 points]",
        ]
    );
    assert!(found.iter().all(|(i, _)| *i == 4), "{found:?}");
}

async fn an_overdrawn_lot_and_a_reward_without_its_points_are_named(db: TestDb) {
    let store = sound_ledger(&db).await;
    // The schema refuses an overdrawn lot, so the damage needs the check switched off first.
    let unchecked = if db.is_postgres() {
        "ALTER TABLE lots DROP CONSTRAINT lots_check"
    } else {
        "PRAGMA ignore_check_constraints = ON"
    };
    break_it(
        &db,
        &[
            unchecked,
            "UPDATE lots SET remaining = 96 WHERE id = 1",
            "UPDATE reward_instances SET points = 60",
        ],
    )
    .await;
    let found = findings(&store).await;
    let of = |n: u8| found.iter().filter(|(i, _)| *i == n).map(|(_, d)| d.clone()).collect::<Vec<_>>();
    assert_eq!(of(3), vec!["lot 1 of member id 1 has remaining 96 of amount 95"]);
    assert_eq!(of(6), vec!["reward CODE-1 costs 60 points but its redemption spent 90"]);
    assert_eq!(of(2), vec!["member c-1 (id 1) shows available 5 but its lots hold 96 with debt 0"]);
}

async fn a_key_applied_twice_is_named(db: TestDb) {
    let store = sound_ledger(&db).await;
    break_it(
        &db,
        &[
            "DROP INDEX events_idempotency_key",
            "UPDATE events SET idempotency_key = 'buy-1' WHERE kind = 'redeem'",
        ],
    )
    .await;
    let found = findings(&store).await;
    assert_eq!(found, vec![(5, "idempotency key buy-1 of program 1 was applied 2 times".to_owned())]);
}

async fn rows_whose_event_is_gone_are_named(db: TestDb) {
    let store = sound_ledger(&db).await;
    break_it(&db, &["DELETE FROM events WHERE kind = 'purchase'"]).await;
    let found = findings(&store).await;
    let of = |n: u8| found.iter().filter(|(i, _)| *i == n).map(|(_, d)| d.clone()).collect::<Vec<_>>();
    assert_eq!(
        of(1),
        vec![
            "journal entry 1 belongs to event 2, which does not exist",
            "lot 1 belongs to event 2, which does not exist",
            "order o-1 belongs to event 2 or a program that does not exist",
        ]
    );
    // The log no longer holds the purchase, so replaying it cannot give the stored ledger.
    assert_eq!(
        of(4),
        vec![
            "event 3 (redeem for member c-1) is refused on replay: insufficient_points",
            "program coffee: member c-1: available is 5, expected 0",
            "program coffee: member c-1: history is [HistoryNote { topic: Reward, from: None, to: Some(\"issued\"), \
             reason: \"Any handcrafted drink issued for 90 points as CODE-1\" }], expected []",
            "program coffee: member c-1: lot count is 1, expected 0",
            "program coffee: member c-1: journal entry count is 2, expected 0",
            "program coffee: member c-1: reward count is 1, expected 0",
            "program coffee: order o-1 should not exist",
        ]
    );
}

/// The reports trust each posting's copy of its entry's member and booking time.
async fn a_posting_that_strays_from_its_entry_is_named(db: TestDb) {
    let store = sound_ledger(&db).await;
    break_it(
        &db,
        &[
            "UPDATE postings SET recorded_at_us = recorded_at_us + 1 WHERE id = 1",
            "UPDATE postings SET holder_id = NULL WHERE id = 4",
        ],
    )
    .await;
    assert_eq!(
        findings(&store).await,
        vec![
            (1, "posting 1 does not carry the member and booking time of its journal entry 1".to_owned()),
            (1, "posting 4 does not carry the member and booking time of its journal entry 2".to_owned()),
        ]
    );
}

use super::*;
use loyalty_core::Outcome;
use loyalty_store::StoreError;
use loyalty_testkit::each_backend;

each_backend!(
    a_command_writes_every_row_of_its_decision,
    a_refused_command_writes_nothing,
    retries_answer_from_the_stored_result,
    data_survives_reopening_the_database,
    concurrent_redemptions_never_spend_a_point_twice,
);

fn rejected_code(result: Result<loyalty_store::Submitted, StoreError>) -> &'static str {
    match result {
        Err(StoreError::Rejected(r)) => r.code(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

async fn a_command_writes_every_row_of_its_decision(db: TestDb) {
    let store = db.connect().await;
    let program = installed(&store).await;
    store.submit(&program, &command(enrol("c-1"), None)).await.unwrap();
    let bought = store.submit(&program, &command(buy("c-1", "o-1", 2), None)).await.unwrap();
    let Outcome::Purchase(outcome) = &bought.outcome else { panic!("{bought:?}") };
    assert_eq!((outcome.points_awarded.get(), bought.replayed), (95, false));
    for (table, expected) in
        [("members", 1), ("events", 2), ("journal_entries", 1), ("postings", 2), ("lots", 1), ("orders", 1)]
    {
        assert_eq!(db.count(table).await, expected, "{table}");
    }
    store.submit(&program, &command(redeem("c-1", "free-drink", "CODE-1"), None)).await.unwrap();
    assert_eq!(db.count("reward_instances").await, 1);
    let view = store.member(&program, &member("c-1"), now()).await.unwrap().unwrap();
    assert_eq!(view.balance.available.get(), 5);
    let ledger = store.ledger(program.id, &member("c-1"), 10, None).await.unwrap();
    let amounts: Vec<Vec<i64>> =
        ledger.entries.iter().map(|e| e.postings.iter().map(|p| p.amount).collect()).collect();
    assert_eq!(amounts, vec![vec![-90, 90], vec![-95, 95]]);
    assert!(store.verify().await.unwrap().violations.is_empty());
}

async fn a_refused_command_writes_nothing(db: TestDb) {
    let store = db.connect().await;
    let program = installed(&store).await;
    store.submit(&program, &command(enrol("c-1"), None)).await.unwrap();
    store.submit(&program, &command(buy("c-1", "o-1", 1), None)).await.unwrap();
    let tables = ["members", "events", "journal_entries", "postings", "lots", "orders", "reward_instances"];
    let mut before = Vec::new();
    for table in tables {
        before.push(db.count(table).await);
    }
    let refusals = [
        (redeem("c-1", "free-drink", "CODE-1"), "insufficient_points"),
        (redeem("c-1", "yacht", "CODE-2"), "reward_not_found"),
        (adjust("c-1", -48), "insufficient_points"),
        (buy("ghost", "o-2", 1), "member_not_found"),
        (enrol("c-1"), "member_already_exists"),
    ];
    for (event, code) in refusals {
        assert_eq!(rejected_code(store.submit(&program, &command(event, Some("k"))).await), code);
    }
    let mut after = Vec::new();
    for table in tables {
        after.push(db.count(table).await);
    }
    assert_eq!(after, before);
    // The key of a refused command was not used up.
    let ok = store.submit(&program, &command(adjust("c-1", 1), Some("k"))).await.unwrap();
    assert!(!ok.replayed);
}

async fn retries_answer_from_the_stored_result(db: TestDb) {
    let store = db.connect().await;
    let program = installed(&store).await;
    store.submit(&program, &command(enrol("c-1"), None)).await.unwrap();
    let first = store.submit(&program, &command(buy("c-1", "o-1", 2), Some("buy"))).await.unwrap();
    let retry = store.submit(&program, &command(buy("c-1", "o-1", 2), Some("buy"))).await.unwrap();
    assert!(retry.replayed);
    assert_eq!(retry.outcome, first.outcome);
    let other = store.submit(&program, &command(adjust("c-1", 5), Some("buy"))).await;
    assert_eq!(rejected_code(other), "idempotency_key_reused");
    let same_order = store.submit(&program, &command(buy("c-1", "o-1", 2), None)).await.unwrap();
    assert!(same_order.replayed);
    let changed_order = store.submit(&program, &command(buy("c-1", "o-1", 3), None)).await;
    assert_eq!(rejected_code(changed_order), "order_already_recorded");
    assert_eq!(db.count("events").await, 2);
    assert_eq!(db.count("journal_entries").await, 1);
}

async fn data_survives_reopening_the_database(db: TestDb) {
    let store = db.connect().await;
    let program = installed(&store).await;
    store.submit(&program, &command(enrol("c-1"), None)).await.unwrap();
    store.submit(&program, &command(buy("c-1", "o-1", 4), None)).await.unwrap();
    store.close().await;

    let reopened = db.connect().await;
    let programs = reopened.programs().await.unwrap();
    assert_eq!(programs.len(), 1);
    assert_eq!(programs[0].id, program.id);
    let view = reopened.member(&program, &member("c-1"), now()).await.unwrap().unwrap();
    assert_eq!(view.balance.available.get(), 190);
    assert!(reopened.verify().await.unwrap().violations.is_empty());
}

async fn concurrent_redemptions_never_spend_a_point_twice(db: TestDb) {
    let store = db.connect().await;
    let program = installed(&store).await;
    store.submit(&program, &command(enrol("c-1"), None)).await.unwrap();
    // 4 lattes earn 190 beans: two free drinks (90 each), not three.
    store.submit(&program, &command(buy("c-1", "o-1", 4), None)).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (store, program) = (store.clone(), program.clone());
        tasks.push(tokio::spawn(async move {
            store.submit(&program, &command(redeem("c-1", "free-drink", &format!("CODE-{i}")), None)).await
        }));
    }
    let mut granted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => granted += 1,
            Err(e) => assert_eq!(rejected_code(Err(e)), "insufficient_points"),
        }
    }
    assert_eq!(granted, 2);
    let view = store.member(&program, &member("c-1"), now()).await.unwrap().unwrap();
    assert_eq!(view.balance.available.get(), 10);
    assert!(store.verify().await.unwrap().violations.is_empty());
}

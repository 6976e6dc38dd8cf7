use super::*;
use loyalty_testkit::each_backend;

each_backend!(verify_names_the_rows_that_break_each_invariant);

async fn verify_names_the_rows_that_break_each_invariant(db: TestDb) {
    let store = db.connect().await;
    let program = installed(&store).await;
    store.submit(&program, &command(enrol("c-1"), None)).await.unwrap();
    store.submit(&program, &command(buy("c-1", "o-1", 2), None)).await.unwrap();
    let clean = store.verify().await.unwrap();
    assert_eq!((clean.entries, clean.members, clean.lots, clean.violations.len()), (1, 1, 1, 0));

    let raw = db.raw().await;
    // A posting that loses a point breaks the entry, the program and the member's balance.
    sqlx::query("UPDATE postings SET amount = amount - 1 WHERE account = 'member:available'")
        .execute(&raw)
        .await
        .unwrap();
    let broken = store.verify().await.unwrap();
    let found: Vec<(u8, &str)> = broken.violations.iter().map(|v| (v.invariant, v.detail.as_str())).collect();
    assert_eq!(
        found,
        vec![
            (1, "journal entry 1 has 2 postings summing to -1"),
            (1, "postings of program 1 sum to -1"),
            (2, "member c-1 (id 1) shows available 95 but its postings sum to 94"),
        ]
    );
    raw.close().await;
}

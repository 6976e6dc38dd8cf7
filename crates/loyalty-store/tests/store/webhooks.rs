//! The webhook outbox's claims: a delivery handed to one dispatcher is not handed to
//! another until its lease runs out, unless its attempt is recorded first.

use super::*;
use loyalty_store::{AttemptResult, DeliveryAttempt};
use loyalty_testkit::each_backend;

each_backend!(a_claimed_delivery_waits_for_its_lease_or_its_attempt);

fn ids(due: &[loyalty_store::DueDelivery]) -> Vec<i64> {
    due.iter().map(|d| d.delivery.id).collect()
}

async fn a_claimed_delivery_waits_for_its_lease_or_its_attempt(db: TestDb) {
    let store = db.connect().await;
    let program = installed(&store).await;
    let types = ["member_enrolled".to_owned()];
    store.add_webhook(program.id, "http://127.0.0.1:9/hook", "s3cret", &types, now()).await.unwrap();
    for id in ["c-1", "c-2"] {
        store.submit(&program, &command(enrol(id), None)).await.unwrap();
    }
    let lease = at("2026-11-02T12:30:00Z");

    let first = store.due_deliveries(now(), 10, lease).await.unwrap();
    assert_eq!(ids(&first), [1, 2]);
    assert_eq!(first[0].url, "http://127.0.0.1:9/hook");
    assert_eq!(first[0].delivery.event_type, "member_enrolled");
    // Another dispatcher, at the same time or a minute later, finds nothing.
    assert_eq!(ids(&store.due_deliveries(now(), 10, lease).await.unwrap()), Vec::<i64>::new());
    let later = at("2026-11-02T12:01:00Z");
    assert_eq!(ids(&store.due_deliveries(later, 10, lease).await.unwrap()), Vec::<i64>::new());

    // The first is recorded as failed, due again at 12:05; the second's dispatcher died.
    let attempt = DeliveryAttempt { attempted_at: now(), status: Some(500), error: None, duration_ms: 3 };
    let retry = at("2026-11-02T12:05:00Z");
    store.record_attempt(1, &attempt, AttemptResult::RetryAt(retry)).await.unwrap();
    let next_lease = at("2026-11-02T13:00:00Z");
    assert_eq!(ids(&store.due_deliveries(retry, 10, next_lease).await.unwrap()), [1]);
    assert_eq!(ids(&store.due_deliveries(lease, 10, next_lease).await.unwrap()), [2]);
    assert_eq!(ids(&store.due_deliveries(lease, 10, next_lease).await.unwrap()), Vec::<i64>::new());
}

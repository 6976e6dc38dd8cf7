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

    let first = store.due_deliveries(None, now(), 10, lease).await.unwrap();
    assert_eq!(ids(&first), [1, 2]);
    assert_eq!(first[0].url, "http://127.0.0.1:9/hook");
    assert_eq!(first[0].delivery.event_type, "member_enrolled");
    // Another dispatcher, at the same time or a minute later, finds nothing.
    assert_eq!(ids(&store.due_deliveries(None, now(), 10, lease).await.unwrap()), Vec::<i64>::new());
    let later = at("2026-11-02T12:01:00Z");
    assert_eq!(ids(&store.due_deliveries(None, later, 10, lease).await.unwrap()), Vec::<i64>::new());

    // The first is recorded as failed, due again at 12:05; the second's dispatcher died.
    let attempt = DeliveryAttempt { attempted_at: now(), status: Some(500), error: None, duration_ms: 3 };
    let retry = at("2026-11-02T12:05:00Z");
    store.record_attempt(1, &attempt, AttemptResult::RetryAt(retry)).await.unwrap();
    let next_lease = at("2026-11-02T13:00:00Z");
    assert_eq!(ids(&store.due_deliveries(None, retry, 10, next_lease).await.unwrap()), [1]);
    assert_eq!(ids(&store.due_deliveries(None, lease, 10, next_lease).await.unwrap()), [2]);
    assert_eq!(ids(&store.due_deliveries(None, lease, 10, next_lease).await.unwrap()), Vec::<i64>::new());
}

each_backend!(removing_a_subscription_cancels_its_pending_deliveries_only);
each_backend!(a_claim_can_be_limited_to_one_program);

async fn removing_a_subscription_cancels_its_pending_deliveries_only(db: TestDb) {
    let store = db.connect().await;
    let program = installed(&store).await;
    let types = ["member_enrolled".to_owned()];
    let gone = store.add_webhook(program.id, "http://127.0.0.1:9/a", "s3cret", &types, now()).await.unwrap();
    let kept = store.add_webhook(program.id, "http://127.0.0.1:9/b", "s3cret", &types, now()).await.unwrap();
    for id in ["c-1", "c-2"] {
        store.submit(&program, &command(enrol(id), None)).await.unwrap();
    }
    // c-1's delivery to `gone` is delivered, c-2's is pending and claimed by a dispatcher.
    let lease = at("2026-11-02T12:30:00Z");
    let claimed = store.due_deliveries(None, now(), 10, lease).await.unwrap();
    assert_eq!(ids(&claimed), [1, 2, 3, 4]);
    let of_gone: Vec<i64> =
        claimed.iter().filter(|d| d.delivery.subscription_id == gone.id).map(|d| d.delivery.id).collect();
    let (delivered, in_flight) = (of_gone[0], of_gone[1]);
    let sent = DeliveryAttempt { attempted_at: now(), status: Some(200), error: None, duration_ms: 3 };
    store.record_attempt(delivered, &sent, AttemptResult::Delivered).await.unwrap();

    assert!(store.remove_webhook(program.id, gone.id).await.unwrap());
    assert!(!store.remove_webhook(program.id, gone.id).await.unwrap(), "already removed");
    // The attempt in flight when it was removed is logged, and the delivery stays cancelled.
    let late = DeliveryAttempt { attempted_at: now(), status: Some(200), error: None, duration_ms: 9 };
    store.record_attempt(in_flight, &late, AttemptResult::Delivered).await.unwrap();

    let states = |state: &'static str| {
        let store = store.clone();
        async move {
            let page = store.deliveries(program.id, Some(state), None, 50).await.unwrap();
            page.iter().map(|d| (d.subscription_id, d.id)).collect::<Vec<_>>()
        }
    };
    assert_eq!(states("cancelled").await, [(gone.id, in_flight)]);
    assert_eq!(states("delivered").await, [(gone.id, delivered)]);
    assert_eq!(states("pending").await.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [kept.id, kept.id]);
    assert!(!store.replay_delivery(program.id, in_flight, now()).await.unwrap());
    assert!(!store.replay_delivery(program.id, delivered, now()).await.unwrap(), "nor a delivered one of it");
    let backlog = store.webhook_backlog().await.unwrap();
    assert_eq!(backlog, [("pending", 2), ("delivered", 1), ("failed", 0), ("cancelled", 1)]);
    // Nothing of the removed subscription is due again, even after the lease.
    let due = store.due_deliveries(None, lease, 10, at("2026-11-02T13:00:00Z")).await.unwrap();
    assert!(due.iter().all(|d| d.delivery.subscription_id == kept.id), "{due:?}");
    assert_eq!(due.len(), 2);
}

async fn a_claim_can_be_limited_to_one_program(db: TestDb) {
    let store = db.connect().await;
    let coffee = installed(&store).await;
    let mut other_def = coffee.program.definition().clone();
    other_def.id = "tea".to_owned();
    let tea = store.install_program(&other_def, now()).await.unwrap();
    let tea =
        loyalty_store::LoadedProgram::installed(tea, loyalty_core::Program::from_def(other_def).unwrap());
    let types = ["member_enrolled".to_owned()];
    for program in [&coffee, &tea] {
        store.add_webhook(program.id, "http://127.0.0.1:9/hook", "s3cret", &types, now()).await.unwrap();
        store.submit(program, &command(enrol("c-1"), None)).await.unwrap();
    }
    let lease = at("2026-11-02T12:30:00Z");
    let tea_only = store.due_deliveries(Some(tea.id), now(), 10, lease).await.unwrap();
    assert_eq!(ids(&tea_only), [2]);
    assert_eq!(ids(&store.due_deliveries(Some(tea.id), now(), 10, lease).await.unwrap()), Vec::<i64>::new());
    assert_eq!(ids(&store.due_deliveries(None, now(), 10, lease).await.unwrap()), [1]);
}

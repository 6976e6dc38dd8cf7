//! The webhook dispatcher: sends the deliveries the store queued with each event, signed,
//! and retries failures with exponential backoff and jitter until it gives up. Delivery is
//! at least once: a receiver that answered 2xx after a timeout may see an event twice,
//! under the same `id`.
//!
//! Each subscription's deliveries go in order, one at a time; different subscriptions are
//! sent to at once (up to [`CONCURRENCY`]), so a receiver that never answers holds up only
//! itself, and for one timeout per round: after an attempt that got no answer, its other
//! deliveries wait for the retry.

mod sender;
pub mod targets;

pub use sender::{DeliveryMode, Sender, SenderError, WebhookSettings};

use crate::clock::Clock;
use crate::secrets::{hmac_sha256_hex, jitter};
use futures_util::StreamExt;
use loyalty_store::{AttemptResult, DeliveryAttempt, DueDelivery, ProgramId, Store, StoreError};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// How deliveries are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failure; it doubles after each next one.
    pub first_wait: Duration,
    pub longest_wait: Duration,
    /// A delivery still failing this long after its event is given up.
    pub give_up_after: Duration,
    /// How long one attempt may take.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            first_wait: Duration::from_secs(10),
            longest_wait: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(24 * 3600),
            timeout: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `n + 1` after `n` failures, before jitter.
    pub fn wait_after(&self, failures: i64) -> Duration {
        let doublings = u32::try_from(failures.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        self.first_wait.saturating_mul(2u32.saturating_pow(doublings)).min(self.longest_wait)
    }
}

/// What one round of dispatch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DispatchReport {
    /// Deliveries the receiver accepted.
    pub delivered: u64,
    /// Deliveries that failed and will be tried again.
    pub retrying: u64,
    /// Deliveries that failed for the last time.
    pub given_up: u64,
}

/// How many deliveries one round takes at a time.
const BATCH: u32 = 100;
/// How many subscriptions one round sends to at once.
pub const CONCURRENCY: usize = 16;

/// The body a delivery sends: its stable id, type, time and the event's data.
pub fn body(due: &DueDelivery) -> String {
    let data: Value = serde_json::from_str(&due.payload).unwrap_or(Value::Null);
    json!({
        "id": format!("evt_{}", due.delivery.id),
        "type": due.delivery.event_type,
        "created_at": due.delivery.created_at,
        "data": data,
    })
    .to_string()
}

/// The signature header's value: `v1=` and the HMAC-SHA256 of `{timestamp}.{body}`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    format!("v1={}", hmac_sha256_hex(secret.as_bytes(), format!("{timestamp}.{body}").as_bytes()))
}

/// Sends every delivery due now (of `program`, or of every program) once, recording each
/// attempt. Each is signed with the clock's time as it is sent, not the round's start.
/// With delivery off nothing is sent and nothing in the queue changes: the deliveries
/// queued since the last round are logged, and the report is empty.
pub async fn dispatch_due<S: Store>(
    store: &S,
    sender: &Sender,
    clock: &Clock,
    program: Option<ProgramId>,
) -> Result<DispatchReport, StoreError> {
    if sender.mode == DeliveryMode::Off {
        log_held_back(store, sender, program).await?;
        return Ok(DispatchReport::default());
    }
    let now = clock.now();
    // A subscription's deliveries go one after another, each within the timeout: the
    // round claims them for as long as that could take.
    let lease = sender.policy.timeout.saturating_mul(BATCH + 1);
    let until = now.checked_add_micros(i64::try_from(lease.as_micros()).unwrap_or(i64::MAX)).unwrap_or(now);
    let due = store.due_deliveries(program, now, BATCH, until).await?;
    let mut by_subscription: BTreeMap<i64, Vec<DueDelivery>> = BTreeMap::new();
    for d in due {
        by_subscription.entry(d.delivery.subscription_id).or_default().push(d);
    }
    let rounds: Vec<Result<DispatchReport, StoreError>> =
        futures_util::stream::iter(by_subscription.into_values())
            .map(|deliveries| send_in_order(store, sender, clock, deliveries))
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
    let mut report = DispatchReport::default();
    for round in rounds {
        let part = round?;
        report.delivered += part.delivered;
        report.retrying += part.retrying;
        report.given_up += part.given_up;
    }
    Ok(report)
}

/// With delivery off: logs, at info, each pending delivery not logged before, without
/// claiming it, so that it stays queued exactly as it was (for a server with delivery on
/// that shares the database, or for this one restarted with delivery on). A round of one
/// program's logs its deliveries without marking them, so the next round of every
/// program's may log them again.
async fn log_held_back<S: Store>(
    store: &S,
    sender: &Sender,
    program: Option<ProgramId>,
) -> Result<(), StoreError> {
    let after = sender.held_up_to.load(Ordering::Relaxed);
    let queued = store.queued_deliveries(program, after, BATCH).await?;
    for d in &queued {
        tracing::info!(
            delivery = d.id,
            subscription = d.subscription_id,
            event_type = %d.event_type,
            attempts = d.attempts,
            "webhook delivery queued, not sent: delivery is off (--webhook-delivery off)"
        );
    }
    if program.is_none()
        && let Some(last) = queued.last()
    {
        sender.held_up_to.fetch_max(last.id, Ordering::Relaxed);
    }
    Ok(())
}

/// One subscription's deliveries, oldest first. After one that got no answer (timed out,
/// or could not connect) the rest are handed back unsent, due at its retry, so a dead
/// receiver costs one timeout per round; one that answers, even with an error, costs
/// nobody any time and its other deliveries are still sent.
async fn send_in_order<S: Store>(
    store: &S,
    sender: &Sender,
    clock: &Clock,
    deliveries: Vec<DueDelivery>,
) -> Result<DispatchReport, StoreError> {
    let mut report = DispatchReport::default();
    for (i, d) in deliveries.iter().enumerate() {
        let (attempt, result) = send_one(sender, clock, d).await;
        store.record_attempt(d.delivery.id, &attempt, result).await?;
        match result {
            AttemptResult::Delivered => report.delivered += 1,
            AttemptResult::GaveUp => report.given_up += 1,
            AttemptResult::RetryAt(at) => {
                report.retrying += 1;
                if attempt.status.is_none() {
                    let rest: Vec<i64> = deliveries[i + 1..].iter().map(|d| d.delivery.id).collect();
                    store.release_deliveries(&rest, at).await?;
                    break;
                }
            }
        }
    }
    Ok(report)
}

/// Checks the target, then sends one delivery signed at this moment; what came of it.
async fn send_one(sender: &Sender, clock: &Clock, d: &DueDelivery) -> (DeliveryAttempt, AttemptResult) {
    let policy = sender.policy;
    if let Err(refusal) = sender.targets.check(&d.url).await {
        // Refused before connecting: the subscription's URL will not change, so no retry.
        let attempt = DeliveryAttempt {
            attempted_at: clock.now(),
            status: None,
            error: Some(format!("refused: {refusal}")),
            duration_ms: 0,
        };
        return (attempt, AttemptResult::GaveUp);
    }
    let body = body(d);
    let sent_at = clock.now();
    let seconds = sent_at.as_micros().div_euclid(1_000_000);
    let started = Instant::now();
    let sent = sender
        .client
        .post(&d.url)
        .timeout(policy.timeout)
        .header("content-type", "application/json")
        .header("loyalty-event-id", format!("evt_{}", d.delivery.id))
        .header("loyalty-event-type", d.delivery.event_type.as_str())
        .header("loyalty-timestamp", seconds.to_string())
        .header("loyalty-signature", signature(&d.secret, seconds, &body))
        .body(body)
        .send()
        .await;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let (status, error) = match &sent {
        Ok(response) => (Some(i64::from(response.status().as_u16())), None),
        Err(e) => (None, Some(describe(e))),
    };
    let ok = sent.as_ref().is_ok_and(|r| r.status().is_success());
    let age = Duration::from_micros(
        u64::try_from(sent_at.as_micros() - d.delivery.created_at.as_micros()).unwrap_or(0),
    );
    let result = if ok {
        AttemptResult::Delivered
    } else if age >= policy.give_up_after {
        AttemptResult::GaveUp
    } else {
        let wait = policy.wait_after(d.delivery.attempts + 1).mul_f64(jitter());
        let micros = i64::try_from(wait.as_micros()).unwrap_or(i64::MAX);
        AttemptResult::RetryAt(sent_at.checked_add_micros(micros).unwrap_or(sent_at))
    };
    (DeliveryAttempt { attempted_at: sent_at, status, error, duration_ms }, result)
}

/// A send error with its causes (reqwest's own message hides the TLS or IO reason), and
/// without the URL, which the log shows elsewhere.
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() { "timed out".to_owned() } else { "cannot send".to_owned() };
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// Dispatches due deliveries every `every` until the process ends; a failed round is
/// logged and the next one picks up what it left.
pub async fn schedule<S: Store>(state: crate::AppState<S>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match dispatch_due(state.store.as_ref(), &state.webhooks, &state.clock, None).await {
            Ok(report) if report != DispatchReport::default() => tracing::info!(?report, "webhooks sent"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "webhook dispatch failed; retrying at the next tick"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_longest() {
        let policy = RetryPolicy::default();
        let waits: Vec<u64> = (1..=10).map(|n| policy.wait_after(n).as_secs()).collect();
        assert_eq!(waits, [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600]);
    }

    #[test]
    fn the_signature_is_the_hmac_of_the_timestamp_and_body() {
        // RFC 4231 test case 2, with the timestamp and body making up the message.
        let sig = signature("Jefe", 0, "");
        assert_eq!(sig.len(), 3 + 64);
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}

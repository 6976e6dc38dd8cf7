//! The webhook dispatcher: sends the deliveries the store queued with each event, signed,
//! and retries failures with exponential backoff and jitter until it gives up. Delivery is
//! at least once: a receiver that answered 2xx after a timeout may see an event twice,
//! under the same `id`.

use crate::secrets::{hmac_sha256_hex, jitter};
use loyalty_core::Timestamp;
use loyalty_store::{AttemptResult, DeliveryAttempt, DueDelivery, Store, StoreError};
use serde::Serialize;
use serde_json::{Value, json};
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DispatchReport {
    pub delivered: u64,
    pub retrying: u64,
    pub given_up: u64,
}

/// How many deliveries one round takes at a time.
const BATCH: u32 = 100;

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

/// Sends every delivery due at `now` once, recording each attempt.
pub async fn dispatch_due<S: Store>(
    store: &S,
    client: &reqwest::Client,
    now: Timestamp,
    policy: RetryPolicy,
) -> Result<DispatchReport, StoreError> {
    let mut report = DispatchReport::default();
    // The round sends one delivery after another, each within the timeout: it claims
    // them for as long as that could take.
    let lease = policy.timeout.saturating_mul(BATCH + 1);
    let until = now.checked_add_micros(i64::try_from(lease.as_micros()).unwrap_or(i64::MAX)).unwrap_or(now);
    let due = store.due_deliveries(now, BATCH, until).await?;
    for d in &due {
        let body = body(d);
        let seconds = now.as_micros().div_euclid(1_000_000);
        let started = Instant::now();
        let sent = client
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
            Err(e) => (None, Some(e.to_string())),
        };
        let ok = sent.as_ref().is_ok_and(|r| r.status().is_success());
        let age = Duration::from_micros(
            u64::try_from(now.as_micros() - d.delivery.created_at.as_micros()).unwrap_or(0),
        );
        let result = if ok {
            report.delivered += 1;
            AttemptResult::Delivered
        } else if age >= policy.give_up_after {
            report.given_up += 1;
            AttemptResult::GaveUp
        } else {
            report.retrying += 1;
            let wait = policy.wait_after(d.delivery.attempts + 1).mul_f64(jitter());
            let micros = i64::try_from(wait.as_micros()).unwrap_or(i64::MAX);
            AttemptResult::RetryAt(now.checked_add_micros(micros).unwrap_or(now))
        };
        let attempt = DeliveryAttempt { attempted_at: now, status, error, duration_ms };
        store.record_attempt(d.delivery.id, &attempt, result).await?;
    }
    Ok(report)
}

/// Dispatches due deliveries every `every` until the process ends; a failed round is
/// logged and the next one picks up what it left.
pub async fn schedule<S: Store>(state: crate::AppState<S>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match dispatch_due(state.store.as_ref(), &state.http, state.clock.now(), RetryPolicy::default()).await
        {
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

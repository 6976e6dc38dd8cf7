//! Webhooks: subscriptions, the outbox of deliveries written in the transaction of the
//! event they tell of, and the log of every attempt to send them.

use super::rows::{int, opt_int, opt_text, opt_timestamp, text, timestamp};
use crate::StoreError;
use crate::types::{
    AttemptResult, Command, Delivery, DeliveryAttempt, DueDelivery, LoadedProgram, ProgramId,
    WebhookSubscription,
};
use crate::url::Backend;
use loyalty_core::decide::{Milestone, milestones};
use loyalty_core::decision::{Calculation, Decision, EngagementKind, HistoryTopic, RewardChange};
use loyalty_core::event::{Event, SettleAction};
use loyalty_core::feedback::Band;
use loyalty_core::state::MemberState;
use loyalty_core::{Outcome, Timestamp};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, AssertSqlSafe, Transaction};

/// The event types a subscription may ask for.
pub const EVENT_TYPES: [&str; 12] = [
    "member_enrolled",
    "points_earned",
    "points_redeemed",
    "points_expiring",
    "points_expired",
    "tier_changed",
    "reward_issued",
    "member_closed",
    "achievement_completed",
    "tier_progress",
    "balance_milestone",
    "feedback_received",
];

/// What an applied event tells subscribers.
fn notices(event: &Event, decision: &Decision) -> Vec<&'static str> {
    let mut types = Vec::new();
    let earned = match &decision.calculation {
        Calculation::Enrolment(c)
        | Calculation::Purchase(c)
        | Calculation::Activity(c)
        | Calculation::Birthday(c) => c.points.is_positive(),
        Calculation::Survey(c) => c.points.is_positive(),
        _ => false,
    };
    if matches!(event, Event::Enrol(_)) {
        types.push("member_enrolled");
    }
    if earned {
        types.push("points_earned");
    }
    match event {
        Event::Redeem(_) => types.push("points_redeemed"),
        Event::Settle(s) if s.action == SettleAction::Capture => types.push("points_redeemed"),
        Event::Expire(_) if !decision.entries.is_empty() => types.push("points_expired"),
        Event::ExpiryNotice(_) => types.push("points_expiring"),
        _ => {}
    }
    if decision.reward_changes().iter().any(|r| matches!(r, RewardChange::Issue(_))) {
        types.push("reward_issued");
    }
    if decision.engagement.iter().any(|e| e.kind == EngagementKind::AchievementCompleted) {
        types.push("achievement_completed");
    }
    if let Some(standing) = &decision.standing {
        if standing.history.iter().any(|h| h.topic == HistoryTopic::Tier) {
            types.push("tier_changed");
        }
        if standing.status.is_closed() && standing.history.iter().any(|h| h.topic == HistoryTopic::Status) {
            types.push("member_closed");
        }
    }
    types
}

/// What a milestone adds to the common payload, under its own event type.
fn milestone_notice(milestone: &Milestone) -> (&'static str, serde_json::Value) {
    match milestone {
        Milestone::TierProgress { tier, value, threshold, share } => (
            "tier_progress",
            json!({ "tier": tier, "value": value, "threshold": threshold, "share": share.normalize().to_string() }),
        ),
        Milestone::Balance { milestone, balance } => {
            ("balance_milestone", json!({ "milestone": milestone, "balance": balance }))
        }
    }
}

/// What a detractor's answer adds to the common payload, so that the merchant can follow
/// up: the survey, the score and any comment.
fn feedback_notice(event: &Event, decision: &Decision) -> Option<serde_json::Value> {
    match (event, &decision.calculation) {
        (Event::Survey(a), Calculation::Survey(c)) if c.band == Band::Detractor => Some(json!({
            "survey": a.survey,
            "kind": c.kind,
            "score": a.score,
            "comment": a.comment,
            "order_id": a.order_id,
        })),
        _ => None,
    }
}

/// Queues a delivery of each of the event's notices to every active subscription that
/// asked for it, in the command's transaction: one statement, whatever their number.
pub(super) async fn enqueue(
    tx: &mut Transaction<'static, Any>,
    program: &LoadedProgram,
    command: &Command,
    state: &MemberState,
    decision: &Decision,
    outcome: &Outcome,
) -> Result<(), StoreError> {
    let common = json!({
        "program": program.program.code(),
        "member": command.event.member(),
        "event": command.event.kind().as_str(),
        "occurred_at": command.event.occurred_at(),
        "outcome": outcome,
    });
    let mut notices: Vec<(&str, String)> =
        notices(&command.event, decision).into_iter().map(|t| (t, common.to_string())).collect();
    for milestone in milestones(&program.program, state, &command.event, decision) {
        let (kind, extra) = milestone_notice(&milestone);
        let mut payload = common.clone();
        if let (Some(body), serde_json::Value::Object(extra)) = (payload.as_object_mut(), extra) {
            body.extend(extra);
        }
        notices.push((kind, payload.to_string()));
    }
    if let Some(extra) = feedback_notice(&command.event, decision) {
        let mut payload = common.clone();
        if let (Some(body), serde_json::Value::Object(extra)) = (payload.as_object_mut(), extra) {
            body.extend(extra);
        }
        notices.push(("feedback_received", payload.to_string()));
    }
    if notices.is_empty() {
        return Ok(());
    }
    let values: Vec<String> =
        (0..notices.len()).map(|i| format!("(${}, ${})", 2 * i + 3, 2 * i + 4)).collect();
    // A named common table, as SQLite names no columns of a bare VALUES list.
    let sql = format!(
        "WITH v (t, payload) AS (VALUES {}) \
         INSERT INTO webhook_deliveries (program_id, subscription_id, event_type, payload, state, attempts, \
         next_attempt_us, created_at_us) \
         SELECT $1, s.id, v.t, v.payload, 'pending', 0, $2, $2 FROM webhook_subscriptions s \
         JOIN v ON s.event_types LIKE '%\"' || v.t || '\"%' \
         WHERE s.program_id = $1 AND s.active = 1",
        values.join(", ")
    );
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(program.id.0).bind(command.now.as_micros());
    for (kind, payload) in notices {
        query = query.bind(kind).bind(payload);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

pub(super) async fn add(
    pool: &AnyPool,
    program: ProgramId,
    url: &str,
    secret: &str,
    types: &[String],
    now: Timestamp,
) -> Result<WebhookSubscription, StoreError> {
    let listed = serde_json::to_string(types).map_err(|e| StoreError::corrupt(e.to_string()))?;
    let row = sqlx::query(
        "INSERT INTO webhook_subscriptions (program_id, url, secret, event_types, active, created_at_us) \
         VALUES ($1, $2, $3, $4, 1, $5) RETURNING id",
    )
    .bind(program.0)
    .bind(url)
    .bind(secret)
    .bind(listed)
    .bind(now.as_micros())
    .fetch_one(pool)
    .await?;
    Ok(WebhookSubscription {
        id: int(&row, "id")?,
        url: url.to_owned(),
        event_types: types.to_vec(),
        active: true,
        created_at: now,
        secret: Some(secret.to_owned()),
    })
}

pub(super) async fn list(pool: &AnyPool, program: ProgramId) -> Result<Vec<WebhookSubscription>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, url, event_types, active, created_at_us FROM webhook_subscriptions \
         WHERE program_id = $1 ORDER BY id",
    )
    .bind(program.0)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(WebhookSubscription {
                id: int(r, "id")?,
                url: text(r, "url")?,
                event_types: serde_json::from_str(&text(r, "event_types")?)
                    .map_err(|e| StoreError::corrupt(format!("event_types: {e}")))?,
                active: int(r, "active")? != 0,
                created_at: timestamp(r, "created_at_us")?,
                secret: None,
            })
        })
        .collect()
}

/// Stops the subscription and cancels what it still had to send, in one transaction, so
/// that a removed receiver is sent nothing more.
pub(super) async fn deactivate(pool: &AnyPool, program: ProgramId, id: i64) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE webhook_subscriptions SET active = 0 WHERE program_id = $1 AND id = $2 AND active = 1",
    )
    .bind(program.0)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE webhook_deliveries SET state = 'cancelled' \
         WHERE program_id = $1 AND subscription_id = $2 AND state = 'pending'",
    )
    .bind(program.0)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

const DELIVERY_COLUMNS: &str = "d.id, d.subscription_id, d.event_type, d.state, d.attempts, d.next_attempt_us, \
     d.last_status, d.last_error, d.created_at_us, d.delivered_at_us";

fn delivery(row: &AnyRow) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: int(row, "id")?,
        subscription_id: int(row, "subscription_id")?,
        event_type: text(row, "event_type")?,
        state: text(row, "state")?,
        attempts: int(row, "attempts")?,
        next_attempt_at: timestamp(row, "next_attempt_us")?,
        last_status: opt_int(row, "last_status")?,
        last_error: opt_text(row, "last_error")?,
        created_at: timestamp(row, "created_at_us")?,
        delivered_at: opt_timestamp(row, "delivered_at_us")?,
    })
}

/// Claims the deliveries due by `now` (of `program`, or of every program), oldest first:
/// each is due again only at `until`, so that another dispatcher (on another node) passes
/// it by, unless the attempt is recorded first. A dispatcher that dies with claims in hand
/// leaves them due again at `until`.
pub(super) async fn due(
    writer: &AnyPool,
    backend: Backend,
    program: Option<ProgramId>,
    now: Timestamp,
    limit: u32,
    until: Timestamp,
) -> Result<Vec<DueDelivery>, StoreError> {
    // PostgreSQL's dispatchers pass over the rows another one is claiming; SQLite has one
    // writer at a time.
    let skip = if backend == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let claim = format!(
        "UPDATE webhook_deliveries SET next_attempt_us = $3 WHERE id IN (SELECT id FROM webhook_deliveries \
         WHERE state = 'pending' AND next_attempt_us <= $1 AND ($4 = 0 OR program_id = $4) \
         ORDER BY next_attempt_us, id LIMIT $2{skip}) RETURNING id"
    );
    let claimed = sqlx::query(AssertSqlSafe(claim))
        .bind(now.as_micros())
        .bind(i64::from(limit))
        .bind(until.as_micros())
        .bind(program.map_or(0, |p| p.0))
        .fetch_all(writer)
        .await?;
    let ids = claimed.iter().map(|r| int(r, "id").map(|id| id.to_string())).collect::<Result<Vec<_>, _>>()?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS}, d.payload, s.url, s.secret FROM webhook_deliveries d \
         JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id IN ({}) ORDER BY d.id",
        ids.join(", ")
    );
    let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(writer).await?;
    rows.iter()
        .map(|r| {
            Ok(DueDelivery {
                delivery: delivery(r)?,
                url: text(r, "url")?,
                secret: text(r, "secret")?,
                payload: text(r, "payload")?,
            })
        })
        .collect()
}

/// Pending deliveries above id `after`, oldest first, read without claiming them.
pub(super) async fn queued(
    pool: &AnyPool,
    program: Option<ProgramId>,
    after: i64,
    limit: u32,
) -> Result<Vec<Delivery>, StoreError> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.state = 'pending' AND d.id > $1 \
         AND ($2 = 0 OR d.program_id = $2) ORDER BY d.id LIMIT $3"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(after)
        .bind(program.map_or(0, |p| p.0))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    rows.iter().map(delivery).collect()
}

/// Hands claimed deliveries back unsent: due again at `at`, their attempts unchanged.
pub(super) async fn release(pool: &AnyPool, ids: &[i64], at: Timestamp) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "UPDATE webhook_deliveries SET next_attempt_us = $1 WHERE state = 'pending' AND id IN ({})",
        listed.join(", ")
    );
    sqlx::query(AssertSqlSafe(sql)).bind(at.as_micros()).execute(pool).await?;
    Ok(())
}

/// Logs an attempt and moves the delivery on, in one transaction; a delivery cancelled
/// while it was being sent stays cancelled.
pub(super) async fn record(
    pool: &AnyPool,
    id: i64,
    attempt: &DeliveryAttempt,
    result: AttemptResult,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO webhook_attempts (delivery_id, attempted_at_us, status, error, duration_ms) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(attempt.attempted_at.as_micros())
    .bind(attempt.status)
    .bind(attempt.error.clone())
    .bind(attempt.duration_ms)
    .execute(&mut *tx)
    .await?;
    let (state, next, delivered) = match result {
        AttemptResult::Delivered => {
            ("delivered", attempt.attempted_at, Some(attempt.attempted_at.as_micros()))
        }
        AttemptResult::RetryAt(at) => ("pending", at, None),
        AttemptResult::GaveUp => ("failed", attempt.attempted_at, None),
    };
    sqlx::query(
        "UPDATE webhook_deliveries SET state = $1, attempts = attempts + 1, next_attempt_us = $2, \
         last_status = $3, last_error = $4, delivered_at_us = $5 WHERE id = $6 AND state = 'pending'",
    )
    .bind(state)
    .bind(next.as_micros())
    .bind(attempt.status)
    .bind(attempt.error.clone())
    .bind(delivered)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The program's deliveries, newest first, below `before`, of `state` if given.
pub(super) async fn deliveries(
    pool: &AnyPool,
    program: ProgramId,
    state: Option<&str>,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<Delivery>, StoreError> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.program_id = $1 \
         AND ($2 = '' OR d.state = $2) AND d.id < $3 ORDER BY d.id DESC LIMIT $4"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(program.0)
        .bind(state.unwrap_or(""))
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    rows.iter().map(delivery).collect()
}

/// One delivery with its attempts, oldest first.
pub(super) async fn delivery_log(
    pool: &AnyPool,
    program: ProgramId,
    id: i64,
) -> Result<Option<(Delivery, Vec<DeliveryAttempt>)>, StoreError> {
    let sql =
        format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.program_id = $1 AND d.id = $2");
    let Some(row) = sqlx::query(AssertSqlSafe(sql)).bind(program.0).bind(id).fetch_optional(pool).await?
    else {
        return Ok(None);
    };
    let attempts = sqlx::query(
        "SELECT attempted_at_us, status, error, duration_ms FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let attempts = attempts
        .iter()
        .map(|r| {
            Ok(DeliveryAttempt {
                attempted_at: timestamp(r, "attempted_at_us")?,
                status: opt_int(r, "status")?,
                error: opt_text(r, "error")?,
                duration_ms: int(r, "duration_ms")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Some((delivery(&row)?, attempts)))
}

/// Sends a delivery again from now: its attempts so far stay in the log. A delivery whose
/// subscription was removed is not sent again.
pub(super) async fn replay(
    pool: &AnyPool,
    program: ProgramId,
    id: i64,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET state = 'pending', next_attempt_us = $3, delivered_at_us = NULL \
         WHERE program_id = $1 AND id = $2 AND subscription_id IN \
         (SELECT id FROM webhook_subscriptions WHERE program_id = $1 AND active = 1)",
    )
    .bind(program.0)
    .bind(id)
    .bind(now.as_micros())
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deliveries by state, every state named even when none is in it.
pub(super) async fn backlog(pool: &AnyPool) -> Result<Vec<(&'static str, i64)>, StoreError> {
    let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM webhook_deliveries GROUP BY state")
        .fetch_all(pool)
        .await?;
    let mut counts = vec![("pending", 0), ("delivered", 0), ("failed", 0), ("cancelled", 0)];
    for row in &rows {
        let state = text(row, "state")?;
        if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == state) {
            slot.1 = int(row, "n")?;
        }
    }
    Ok(counts)
}

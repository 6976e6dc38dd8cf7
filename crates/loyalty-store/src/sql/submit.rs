//! One command, start to finish, in one transaction: lock the member, load state, decide,
//! apply. Nothing is written unless every step succeeds.
//!
//! Retries are answered from the stored result of the first request. Looking for that
//! first request costs a query that almost never finds anything, so the first attempt
//! skips it: a repeated key or order id then breaks a unique index when written, and the
//! store tries again, looking first. A refusal also looks, so that the retry of a request
//! that succeeded is answered with its first result rather than refused anew.

use super::rows::text;
use super::{SqlStore, apply, state};
use crate::StoreError;
use crate::types::{Command, LoadedProgram, Submitted};
use loyalty_core::decide::needs;
use loyalty_core::ids::{IdempotencyKey, OrderId};
use loyalty_core::insight::segment::SeenSegment;
use loyalty_core::{Event, Outcome, Rejection, decide};
use sqlx::{Any, Transaction};

/// Whether to look for an earlier request before deciding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Priors {
    /// Only if the command is refused (the first attempt).
    WhenRefused,
    /// Always (a retry after a unique index was broken).
    First,
}

pub(super) async fn run(
    store: &SqlStore,
    program: &LoadedProgram,
    command: &Command,
    priors: Priors,
) -> Result<Submitted, StoreError> {
    let mut tx = store.begin_write().await?;
    let member = state::lock_member(&mut tx, store.dialect(), program.id, command.event.member()).await?;
    if priors == Priors::First
        && let Some(answer) = earlier_request(&mut tx, program, command).await?
    {
        return answer;
    }
    let needs = needs(&program.program, &command.event);
    let mut state = state::load(&mut tx, store.dialect(), program.id, member, &command.event, &needs).await?;
    state::load_more(&mut tx, store.dialect(), program, &command.event, &mut state).await?;
    // The segment is read only for programs that target some, and recorded with the
    // event; a replayed event is judged by the segment it recorded.
    let seen = match (needs.segment, command.recorded_segment, &state.member) {
        (false, ..) => None,
        (true, Some(recorded), _) => Some(recorded),
        (true, None, Some(member)) => {
            Some(SeenSegment(super::segments::current(&mut tx, program.id, member.id).await?))
        }
        (true, None, None) => Some(SeenSegment(None)),
    };
    state.segment = seen.and_then(|s| s.0);
    // A return may take back an achievement, and void the code it issued.
    if let (Event::Return(_), Some(member)) = (&command.event, &state.member)
        && program.program.engagement().rewards_revocable()
    {
        state.achievement_codes =
            super::spending::achievement_codes(&mut tx, program.id, member.id.0).await?;
    }
    let decision = match decide(&program.program, &state, &command.event, command.now) {
        Ok(decision) => decision,
        Err(refused) => {
            if priors == Priors::WhenRefused
                && let Some(answer) = earlier_request(&mut tx, program, command).await?
            {
                return answer;
            }
            return Err(refused.into());
        }
    };
    let outcome = Outcome::render(&program.program, program.version, &state, &command.event, &decision)
        .ok_or_else(|| StoreError::corrupt("the decision does not match its event"))?;
    apply::write(&mut tx, store.dialect(), program, command, &state, &decision, &outcome).await?;
    super::webhooks::enqueue(&mut tx, program, command, &state, &decision, &outcome).await?;
    tx.commit().await?;
    Ok(Submitted { outcome, replayed: false })
}

/// The answer owed to a command that repeats an earlier request: its stored result if it
/// is the same request, a conflict if it is not. `None` if there is no earlier request.
async fn earlier_request(
    tx: &mut Transaction<'static, Any>,
    program: &LoadedProgram,
    command: &Command,
) -> Result<Option<Result<Submitted, StoreError>>, StoreError> {
    if let Some(key) = &command.idempotency_key
        && let Some(prior) = prior_by_key(tx, program.id.0, key).await?
    {
        return Ok(Some(prior.replay(command, Rejection::IdempotencyKeyReused)));
    }
    if let Event::Purchase(purchase) = &command.event
        && let Some(prior) = prior_by_order(tx, program.id.0, &purchase.order_id).await?
    {
        let order_id = purchase.order_id.to_string();
        return Ok(Some(prior.replay(command, Rejection::OrderAlreadyRecorded { order_id })));
    }
    Ok(None)
}

/// An earlier event that a new command may be a retry of.
struct Prior {
    fingerprint: String,
    result: String,
}

impl Prior {
    /// The stored result if the command is the same request; otherwise `conflict`.
    fn replay(self, command: &Command, conflict: Rejection) -> Result<Submitted, StoreError> {
        if self.fingerprint != command.fingerprint {
            return Err(conflict.into());
        }
        let outcome = serde_json::from_str(&self.result)
            .map_err(|e| StoreError::corrupt(format!("stored result of a retried event: {e}")))?;
        Ok(Submitted { outcome, replayed: true })
    }
}

async fn prior_by_key(
    tx: &mut Transaction<'static, Any>,
    program: i64,
    key: &IdempotencyKey,
) -> Result<Option<Prior>, StoreError> {
    let row =
        sqlx::query("SELECT fingerprint, result FROM events WHERE program_id = $1 AND idempotency_key = $2")
            .bind(program)
            .bind(key.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    row.map(|r| Ok(Prior { fingerprint: text(&r, "fingerprint")?, result: text(&r, "result")? })).transpose()
}

async fn prior_by_order(
    tx: &mut Transaction<'static, Any>,
    program: i64,
    order: &OrderId,
) -> Result<Option<Prior>, StoreError> {
    let row = sqlx::query(
        "SELECT e.fingerprint, e.result FROM orders o JOIN events e ON e.id = o.event_id \
         WHERE o.program_id = $1 AND o.order_id = $2",
    )
    .bind(program)
    .bind(order.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| Ok(Prior { fingerprint: text(&r, "fingerprint")?, result: text(&r, "result")? })).transpose()
}

//! Reading the event log back, to replay it.

use super::rows::{int, json, opt_text, parsed, text, timestamp};
use crate::StoreError;
use crate::types::{Command, ProgramId, StoredEvent};
use loyalty_core::ids::IdempotencyKey;
use loyalty_core::insight::segment::SeenSegment;
use sqlx::AnyPool;

pub(super) async fn events(pool: &AnyPool, after: i64, limit: u32) -> Result<Vec<StoredEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, program_id, program_version, idempotency_key, fingerprint, payload, recorded_at_us, segment \
         FROM events WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let idempotency_key = match opt_text(row, "idempotency_key")? {
                Some(_) => Some(parsed(row, "idempotency_key", IdempotencyKey::parse)?),
                None => None,
            };
            Ok(StoredEvent {
                id: int(row, "id")?,
                program: ProgramId(int(row, "program_id")?),
                program_version: int(row, "program_version")?,
                command: Command {
                    event: json(row, "payload")?,
                    idempotency_key,
                    fingerprint: text(row, "fingerprint")?,
                    now: timestamp(row, "recorded_at_us")?,
                    recorded_segment: match opt_text(row, "segment")? {
                        Some(text) => Some(SeenSegment::from_column(&text).ok_or_else(|| {
                            StoreError::corrupt(format!("column segment: `{text}` is not a segment"))
                        })?),
                        None => None,
                    },
                },
            })
        })
        .collect()
}

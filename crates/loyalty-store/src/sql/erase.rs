//! Erasure ("right to be forgotten"): a member's personal data leaves the database while
//! their ledger stays. The event log is rewritten as if the member had enrolled under the
//! replacement id and told nothing about themselves, so replaying it still rebuilds the
//! stored books. Every other stored copy goes too: the webhook outbox's payloads (pending,
//! delivered or failed, so a replay sends nothing personal) and the member's idempotency
//! keys, which a client may have built from the external id.

use super::SqlStore;
use super::rows::{int, opt_int, text};
use crate::StoreError;
use crate::types::ProgramId;
use loyalty_core::ids::ExternalId;
use loyalty_core::{Event, Outcome, Timestamp};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::{Any, AssertSqlSafe, Transaction};

/// What a member tells about themselves; emptied wherever their own events hold it.
const PROFILE: &[&str] = &["name", "email", "birth_date", "nickname", "comment"];

/// Keys whose values name orders, products, rewards or codes, never members. The store
/// keeps these values in its own tables too, so one that happens to equal the external id
/// must stay as it is, or the log would no longer replay into the stored rows.
const NOT_MEMBERS: &[&str] = &["order_id", "sku", "category", "reward", "code", "referral_code"];

/// Erases the member's profile and gives them `replacement` for their external id, in one
/// transaction; `false` if the program has no such member.
pub(super) async fn erase(
    store: &SqlStore,
    program: ProgramId,
    external_id: &ExternalId,
    replacement: &ExternalId,
    at: Timestamp,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    // Locked so that no event for the member (or naming them as a referrer) is decided
    // against the old profile while the log is rewritten.
    let sql =
        store.dialect().locked("SELECT id FROM members WHERE program_id = $1 AND external_id = $2".into());
    let found = sqlx::query(AssertSqlSafe(sql))
        .bind(program.0)
        .bind(external_id.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = found else {
        tx.rollback().await?;
        return Ok(false);
    };
    let member = int(&row, "id")?;
    sqlx::query(
        "UPDATE members SET external_id = $1, name = NULL, email = NULL, birth_date = NULL, nickname = NULL, \
         tags = '[]' \
         WHERE id = $2",
    )
    .bind(replacement.as_str())
    .bind(member)
    .execute(&mut *tx)
    .await?;
    // What they wrote beside their survey scores; the scores stay, as their points do.
    sqlx::query("UPDATE survey_responses SET comment = NULL WHERE member_id = $1")
        .bind(member)
        .execute(&mut *tx)
        .await?;
    let ids = Ids { old: external_id.as_str(), new: replacement.as_str() };
    rewrite_events(&mut tx, program, member, &ids).await?;
    rekey_events(&mut tx, member, &ids).await?;
    scrub_deliveries(&mut tx, program, &ids).await?;
    super::audit::scrub(&mut tx, program, external_id, replacement).await?;
    sqlx::query("INSERT INTO erasures (program_id, member_id, erased_at_us) VALUES ($1, $2, $3)")
        .bind(program.0)
        .bind(member)
        .bind(at.as_micros())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

struct Ids<'a> {
    old: &'a str,
    new: &'a str,
}

/// Rewrites the member's own events and every event of the program that names them.
async fn rewrite_events(
    tx: &mut Transaction<'static, Any>,
    program: ProgramId,
    member: i64,
    ids: &Ids<'_>,
) -> Result<(), StoreError> {
    let pattern = quoted_pattern(ids.old);
    let rows = sqlx::query(
        "SELECT id, member_id, payload, result FROM events WHERE program_id = $1 \
         AND (member_id = $2 OR payload LIKE $3 ESCAPE '\\' OR result LIKE $3 ESCAPE '\\') ORDER BY id",
    )
    .bind(program.0)
    .bind(member)
    .bind(pattern)
    .fetch_all(&mut **tx)
    .await?;
    for row in &rows {
        let id = int(row, "id")?;
        let own = opt_int(row, "member_id")? == Some(member);
        let (payload, result) = (text(row, "payload")?, text(row, "result")?);
        let new_payload = rewritten::<Event>(id, "payload", &payload, ids, own)?;
        let new_result = rewritten::<Outcome>(id, "result", &result, ids, own)?;
        if new_payload.is_none() && new_result.is_none() {
            continue;
        }
        sqlx::query("UPDATE events SET payload = $1, result = $2 WHERE id = $3")
            .bind(new_payload.unwrap_or(payload))
            .bind(new_result.unwrap_or(result))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The quoted id as a LIKE pattern: it finds every JSON string equal to the id (external
/// ids hold no character JSON escapes); the rows found are then checked exactly.
fn quoted_pattern(id: &str) -> String {
    format!("%\"{}\"%", id.replace('\\', "\\\\").replace('_', "\\_").replace('%', "\\%"))
}

/// The member's own idempotency keys lose the old id (`enrol-c-1001` becomes
/// `enrol-erased-...`). The replacement is random, so no key of the program collides.
async fn rekey_events(
    tx: &mut Transaction<'static, Any>,
    member: i64,
    ids: &Ids<'_>,
) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT id, idempotency_key FROM events WHERE member_id = $1 AND idempotency_key IS NOT NULL",
    )
    .bind(member)
    .fetch_all(&mut **tx)
    .await?;
    for row in &rows {
        let key = text(row, "idempotency_key")?;
        if key.contains(ids.old) {
            sqlx::query("UPDATE events SET idempotency_key = $1 WHERE id = $2")
                .bind(key.replace(ids.old, ids.new))
                .bind(int(row, "id")?)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Webhook payloads that name the member, whatever their state: those of the member's own
/// events (`member` is them) lose the profile too, as their events do.
async fn scrub_deliveries(
    tx: &mut Transaction<'static, Any>,
    program: ProgramId,
    ids: &Ids<'_>,
) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT id, payload FROM webhook_deliveries WHERE program_id = $1 AND payload LIKE $2 ESCAPE '\\'",
    )
    .bind(program.0)
    .bind(quoted_pattern(ids.old))
    .fetch_all(&mut **tx)
    .await?;
    for row in &rows {
        let id = int(row, "id")?;
        let corrupt = |e: serde_json::Error| StoreError::corrupt(format!("webhook delivery {id}: {e}"));
        let mut payload: Value = serde_json::from_str(&text(row, "payload")?).map_err(corrupt)?;
        let own = payload.get("member").and_then(Value::as_str) == Some(ids.old);
        if scrub(&mut payload, ids, own, true) {
            sqlx::query("UPDATE webhook_deliveries SET payload = $1 WHERE id = $2")
                .bind(serde_json::to_string(&payload).map_err(corrupt)?)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// The stored JSON with the member scrubbed from it, or `None` if nothing changed. The
/// result must still read as a `T`: replay and retries read it back.
fn rewritten<T: DeserializeOwned>(
    event: i64,
    column: &str,
    stored: &str,
    ids: &Ids<'_>,
    own: bool,
) -> Result<Option<String>, StoreError> {
    let corrupt = |e: serde_json::Error| StoreError::corrupt(format!("event {event} {column}: {e}"));
    let mut value: Value = serde_json::from_str(stored).map_err(corrupt)?;
    if !scrub(&mut value, ids, own, true) {
        return Ok(None);
    }
    let text = serde_json::to_string(&value).map_err(corrupt)?;
    serde_json::from_str::<T>(&text).map_err(corrupt)?;
    Ok(Some(text))
}

/// Replaces the old external id wherever a member may be named, and in the member's own
/// events (`own`) empties their profile. Whether anything changed.
fn scrub(value: &mut Value, ids: &Ids<'_>, own: bool, may_name_member: bool) -> bool {
    match value {
        Value::String(s) if may_name_member && s == ids.old => {
            ids.new.clone_into(s);
            true
        }
        Value::Array(items) => {
            items.iter_mut().fold(false, |changed, item| scrub(item, ids, own, may_name_member) | changed)
        }
        Value::Object(fields) => {
            let mut changed = false;
            for (key, field) in fields.iter_mut() {
                let key = key.as_str();
                if own && PROFILE.contains(&key) {
                    changed |= replace(field, Value::Null);
                } else if own && key == "tags" && !field.is_null() {
                    changed |= replace(field, Value::Array(Vec::new()));
                } else {
                    changed |= scrub(field, ids, own, !NOT_MEMBERS.contains(&key));
                }
            }
            changed
        }
        _ => false,
    }
}

fn replace(field: &mut Value, with: Value) -> bool {
    if *field == with {
        return false;
    }
    *field = with;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const IDS: Ids<'static> = Ids { old: "zq-1", new: "erased-00" };

    #[test]
    fn the_member_s_own_events_lose_their_profile_and_old_id() {
        let mut enrol = json!({
            "type": "enrol", "member": "zq-1", "email": "z@example.org", "name": "Zelda",
            "birth_date": "1987-06-05", "tags": ["vip"], "referral_code": "zq-1", "referred_by": null,
        });
        assert!(scrub(&mut enrol, &IDS, true, true));
        assert_eq!(
            enrol,
            json!({
                "type": "enrol", "member": "erased-00", "email": null, "name": null,
                "birth_date": null, "tags": [], "referral_code": "zq-1", "referred_by": null,
            })
        );
        let mut patch = json!({"member": "zq-1", "changes": {"email": "z@example.org", "tags": null}});
        assert!(scrub(&mut patch, &IDS, true, true));
        assert_eq!(patch, json!({"member": "erased-00", "changes": {"email": null, "tags": null}}));
    }

    #[test]
    fn other_members_events_keep_their_profile_and_their_orders() {
        let mut result = json!({
            "name": "Bea", "referred_by": "zq-1", "order_id": "zq-1",
            "explanation": {"awards": [{"to": "zq-1"}, {"to": "c-2"}]},
        });
        assert!(scrub(&mut result, &IDS, false, true));
        assert_eq!(
            result,
            json!({
                "name": "Bea", "referred_by": "erased-00", "order_id": "zq-1",
                "explanation": {"awards": [{"to": "erased-00"}, {"to": "c-2"}]},
            })
        );
        let mut untouched = json!({"member": "c-2", "lines": [{"sku": "zq-1"}]});
        assert!(!scrub(&mut untouched, &IDS, false, true));
    }
}

//! The audit trail, read by an administrator: who made each write of the program, what,
//! when, and for administrators' changes the state before and after.

use super::paging::{decode_cursor, encode_cursor, limit};
use crate::auth::AdminCaller;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::openapi::{Documented, doc};
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::get_with;
use axum::Json;
use axum::extract::State;
use loyalty_core::Timestamp;
use loyalty_store::{AuditQuery, AuditRecord, Store};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new().api_route(
        "/v1/audit",
        get_with(list::<S>, |op| {
            doc("list_audit", "keys", "The audit trail: who made each write, oldest first")(op)
                .answers::<200, AuditPage>("A page of the trail")
                // A `from` or `to` that is not a time, or a `limit` out of range.
                .errors(&[422])
        }),
    )
}

/// Which page of the trail; every filter optional.
#[derive(Debug, Deserialize, JsonSchema)]
struct TrailQuery {
    /// Only this actor's writes: `key:12`, `member:c-1001`, `platform`, `job:expiry`,
    /// `import:members.csv`.
    actor: Option<String>,
    /// Only this action: an operation id of the API document (`create_key`,
    /// `record_event`) or a job's name.
    action: Option<String>,
    /// Writes at or after this instant (RFC 3339).
    #[schemars(with = "Option<Timestamp>")]
    from: Option<String>,
    /// Writes before this instant (RFC 3339).
    #[schemars(with = "Option<Timestamp>")]
    to: Option<String>,
    /// `next_cursor` of the previous page.
    #[schemars(extend("pattern" = r"^a0*([1-9a-f][0-9a-f]{0,14}|[1-7][0-9a-f]{15})$"))]
    cursor: Option<String>,
    /// Rows on the page, from 1 to 500; 100 if not given.
    #[schemars(with = "Option<u32>", range(min = 1, max = 500))]
    limit: Option<String>,
}

/// One write.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AuditRow {
    id: i64,
    at: Timestamp,
    /// Who, as the `actor` filter names them.
    actor: String,
    /// Who, in words.
    actor_name: String,
    action: String,
    path: String,
    /// The member the write concerned, if one.
    member: Option<String>,
    request_id: Option<String>,
    /// For an administrator's change: what it changed, as read before (null otherwise).
    before: Option<Value>,
    /// For an administrator's change: its answer (null otherwise).
    after: Option<Value>,
}

impl From<AuditRecord> for AuditRow {
    fn from(record: AuditRecord) -> AuditRow {
        let e = record.entry;
        AuditRow {
            id: record.id,
            at: e.at,
            actor: e.actor,
            actor_name: e.actor_name,
            action: e.action,
            path: e.path,
            member: e.member,
            request_id: e.request_id,
            before: e.before,
            after: e.after,
        }
    }
}

/// A page of the trail.
#[derive(Debug, Serialize, JsonSchema)]
struct AuditPage {
    entries: Vec<AuditRow>,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

fn instant(name: &str, text: Option<&str>) -> Result<Option<Timestamp>, ApiError> {
    text.map(|t| Timestamp::parse_rfc3339(t).map_err(|e| ApiError::invalid_request(format!("{name}: {e}"))))
        .transpose()
}

async fn list<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiQuery(query): ApiQuery<TrailQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let limit = limit::<u32>(query.limit.as_deref(), 100, 500)?;
    let after = query.cursor.as_deref().map(|c| decode_cursor('a', c)).transpose()?;
    let filter = AuditQuery {
        actor: query.actor,
        action: query.action,
        from: instant("from", query.from.as_deref())?,
        to: instant("to", query.to.as_deref())?,
    };
    let rows = state.store.audit(caller.program.id(), &filter, after, limit).await?;
    let next_cursor =
        (rows.len() == limit as usize).then(|| rows.last().map(|r| encode_cursor('a', r.id))).flatten();
    Ok(Json(AuditPage { entries: rows.into_iter().map(AuditRow::from).collect(), next_cursor }))
}

//! Finding members: `GET /v1/members?q=&tier=&segment=&status=&tag=&cursor=&limit=`.

use super::paging;
use crate::auth::{Access, Caller};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loyalty_core::ids::{Tag, TierCode};
use loyalty_core::insight::Segment;
use loyalty_core::outcome::MemberView;
use loyalty_core::state::MemberStatus;
use loyalty_store::{MemberSearch, Store};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

const DEFAULT_PAGE: u32 = 20;
const MAX_PAGE: u32 = 100;
/// The longest prefix searched for, in characters: longer than any id, email or name kept.
const MAX_QUERY: usize = 320;

/// What to look for; the filters given combine with AND.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// A prefix of the external id, the email or the name; ASCII letters match in any case.
    #[schemars(length(max = 320))]
    q: Option<String>,
    /// Only members in this tier.
    #[schemars(with = "Option<TierCode>")]
    tier: Option<String>,
    /// Only members with this status (`active`, `suspended`, `closed_by_request`,
    /// `closed_inactive`).
    #[schemars(extend("enum" = ["active", "suspended", "closed_by_request", "closed_inactive"]))]
    status: Option<String>,
    /// Only members with this tag.
    #[schemars(with = "Option<Tag>")]
    tag: Option<String>,
    /// Only members in this RFM segment as the analytics job last computed it
    /// (`champions`, `at_risk`, ...).
    #[schemars(with = "Option<Segment>")]
    segment: Option<String>,
    /// `next_cursor` of the previous page.
    #[schemars(extend("pattern" = r"^m0*([1-9a-f][0-9a-f]{0,14}|[1-7][0-9a-f]{15})$"))]
    cursor: Option<String>,
    /// Members on the page, from 1 to 100; 20 if not given.
    #[schemars(with = "Option<u32>", range(min = 1, max = 100))]
    limit: Option<String>,
}

/// A page of the members found, in a stable order.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MemberSearchResponse {
    members: Vec<MemberView>,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

pub async fn search<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<(StatusCode, Json<MemberSearchResponse>), ApiError> {
    caller.require(Access::Read)?;
    let limit = paging::limit(query.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)?;
    let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
    let search = parse(&query)?;
    let page = state.store.search_members(caller.program.id(), &search, after, limit).await?;
    let body =
        MemberSearchResponse { members: page.members, next_cursor: page.next_after.map(encode_cursor) };
    Ok((StatusCode::OK, Json(body)))
}

fn parse(query: &SearchQuery) -> Result<MemberSearch, ApiError> {
    let prefix = match query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        None => None,
        Some(q) if q.chars().count() > MAX_QUERY => {
            return Err(ApiError::invalid_request(format!("q: at most {MAX_QUERY} characters")));
        }
        // Only ASCII letters are folded, as the store's indexes fold them.
        Some(q) => Some(q.to_ascii_lowercase()),
    };
    let tier = query
        .tier
        .as_deref()
        .map(|t| TierCode::parse(t).map(|t| t.as_str().to_owned()))
        .transpose()
        .map_err(|e| ApiError::invalid_request(format!("tier: {}", e.problem)))?;
    let status = query
        .status
        .as_deref()
        .map(|s| {
            MemberStatus::parse(s).map(|s| s.as_str().to_owned()).ok_or_else(|| {
                ApiError::invalid_request(format!(
                    "status: must be active, suspended, closed_by_request or closed_inactive, not `{s}`"
                ))
            })
        })
        .transpose()?;
    let tag = query
        .tag
        .as_deref()
        .map(|t| Tag::parse(t).map(|t| t.as_str().to_owned()))
        .transpose()
        .map_err(|e| ApiError::invalid_request(format!("tag: {}", e.problem)))?;
    let segment = query
        .segment
        .as_deref()
        .map(|name| {
            Segment::parse(name).map(|s| s.as_str().to_owned()).ok_or_else(|| {
                let names: Vec<&str> = Segment::ALL.iter().map(|s| s.as_str()).collect();
                ApiError::invalid_request(format!(
                    "segment: must be one of {}, not `{name}`",
                    names.join(", ")
                ))
            })
        })
        .transpose()?;
    Ok(MemberSearch { prefix, tier, status, tag, segment })
}

/// Cursors are opaque to clients; inside they are the member to continue after.
fn encode_cursor(after: i64) -> String {
    paging::encode_cursor('m', after)
}

fn decode_cursor(cursor: &str) -> Result<i64, ApiError> {
    paging::decode_cursor('m', cursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        assert_eq!(decode_cursor(&encode_cursor(77)).unwrap(), 77);
        for bad in ["", "77", "m", "mzz", "m-5", "m0", "e4d"] {
            assert_eq!(decode_cursor(bad).unwrap_err().code(), "invalid_cursor", "{bad}");
        }
    }
}

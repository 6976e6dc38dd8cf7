//! RFM segments, churn risk and next best offers: the segments the analytics job computed,
//! the members of one, a member's own scores (shown on their page), and offers for one
//! member ranked from the catalogue and the running campaigns.

use super::MemberPath;
use super::paging;
use crate::auth::{Access, Caller};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::openapi::{Documented, doc};
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::get_with;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loyalty_core::ids::TierCode;
use loyalty_core::insight::offers::{DEFAULT_OFFERS, MAX_OFFERS, MemberOutlook, Offer, offers};
use loyalty_core::insight::{ChurnRisk, MemberScore, Rfm, Segment};
use loyalty_core::{Rejection, Timestamp};
use loyalty_store::{MemberSegment, Store, StoredSegment};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/segments",
            get_with(list::<S>, |op| {
                doc("list_segments", "insight", "Each RFM segment with its members and average spend")(op)
                    .answers::<200, SegmentList>("Every segment, as of the last analytics run")
            }),
        )
        .api_route(
            "/v1/segments/{name}/members",
            get_with(members::<S>, |op| {
                doc("segment_members", "insight", "The members of one segment, a page at a time")(op)
                    .answers::<200, SegmentMembers>("A page of the segment's members")
                    .errors(&[400, 404])
            }),
        )
        .api_route(
            "/v1/members/{external_id}/offers",
            get_with(member_offers::<S>, |op| {
                doc(
                    "member_offers",
                    "insight",
                    "Personalised offers for a member, best first, each with its reason",
                )(op)
                .answers::<200, MemberOffers>("The member's offers")
                .errors(&[404])
            }),
        )
}

/// A member's churn figures: the ratio of days since their last purchase to their typical
/// gap between purchases.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChurnView {
    pub risk: ChurnRisk,
    pub ratio: f64,
    pub days_since: i64,
    pub typical_gap_days: f64,
}

/// What the member's page shows of their segment (absent until the analytics job ran;
/// `segment` null for a member with no purchase in the window).
#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct MemberInsight {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<Segment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfm: Option<Rfm>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub churn: Option<ChurnView>,
    /// When the analytics job last ran; absent before it first did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segments_computed_at: Option<Timestamp>,
}

impl MemberInsight {
    pub fn of(found: MemberSegment) -> MemberInsight {
        let score = found.scored.map(|s| s.score);
        MemberInsight {
            segment: score.as_ref().map(|s| s.segment),
            rfm: score.as_ref().map(|s| s.rfm),
            churn: score.as_ref().map(churn_view),
            segments_computed_at: found.computed_at,
        }
    }
}

fn churn_view(score: &MemberScore) -> ChurnView {
    ChurnView {
        risk: score.churn.risk,
        ratio: score.churn.ratio,
        days_since: score.churn.days_since,
        typical_gap_days: score.churn.typical_gap_days,
    }
}

#[derive(Debug, Serialize, JsonSchema)]
struct SegmentList {
    /// When the analytics job last ran; null before it first did (every count is then 0).
    computed_at: Option<Timestamp>,
    segments: Vec<SegmentSummary>,
    /// The scored members by recency score (a row each, 5 first) and, across, the mean of
    /// their frequency and monetary scores rounded up (1 to 5).
    grid: Vec<GridRow>,
    /// The scored members by churn risk.
    churn: ChurnSpread,
}

/// One recency score's row of the R × FM grid.
#[derive(Debug, Serialize, JsonSchema)]
struct GridRow {
    r: i64,
    /// Members with an FM score of 1, 2, 3, 4 and 5.
    members: [i64; 5],
}

#[derive(Debug, Default, Serialize, JsonSchema)]
struct ChurnSpread {
    low: i64,
    medium: i64,
    high: i64,
}

impl GridRow {
    /// The five rows, 5 first, from the store's non-empty cells.
    fn all(cells: &[(i64, i64, i64)]) -> Vec<GridRow> {
        (1..=5)
            .rev()
            .map(|r| {
                let mut members = [0; 5];
                for (_, fm, n) in cells.iter().filter(|(row, ..)| *row == r) {
                    if let Some(cell) = usize::try_from(fm - 1).ok().and_then(|i| members.get_mut(i)) {
                        *cell += n;
                    }
                }
                GridRow { r, members }
            })
            .collect()
    }
}

#[derive(Debug, Serialize, JsonSchema)]
struct SegmentSummary {
    name: Segment,
    members: i64,
    /// The members' spend in the window, net of returns, averaged (rounded down); 0 for
    /// an empty segment.
    average_spend_minor: i64,
    computed_at: Option<Timestamp>,
}

async fn list<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
) -> Result<Json<SegmentList>, ApiError> {
    caller.require(Access::Read)?;
    let found = state.store.segment_totals(caller.program.id()).await?;
    let spread = state.store.segment_spread(caller.program.id()).await?;
    let mut churn = ChurnSpread::default();
    for (risk, n) in spread.churn {
        match risk {
            ChurnRisk::Low => churn.low += n,
            ChurnRisk::Medium => churn.medium += n,
            ChurnRisk::High => churn.high += n,
        }
    }
    let computed_at = found.as_ref().map(|(at, _)| *at);
    let segments = match found {
        Some((_, totals)) => totals
            .into_iter()
            .map(|t| SegmentSummary {
                name: t.segment,
                members: t.members,
                average_spend_minor: t.spend_minor.checked_div(t.members).unwrap_or(0),
                computed_at,
            })
            .collect(),
        None => Segment::ALL
            .into_iter()
            .map(|name| SegmentSummary { name, members: 0, average_spend_minor: 0, computed_at: None })
            .collect(),
    };
    Ok(Json(SegmentList { computed_at, segments, grid: GridRow::all(&spread.grid), churn }))
}

/// The path of one segment.
#[derive(Debug, Deserialize, JsonSchema)]
struct SegmentPath {
    /// The segment's name (`champions`, `at_risk`, ...).
    name: String,
}

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 500;

#[derive(Debug, Deserialize, JsonSchema)]
struct PageQuery {
    /// Members on the page, from 1 to 500; 50 if not given.
    #[schemars(with = "Option<u32>", range(min = 1, max = 500))]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    #[schemars(extend("pattern" = r"^s0*([1-9a-f][0-9a-f]{0,14}|[1-7][0-9a-f]{15})$"))]
    cursor: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct SegmentMembers {
    segment: Segment,
    members: Vec<SegmentMember>,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct SegmentMember {
    external_id: String,
    rfm: Rfm,
    recency_days: i64,
    frequency: i64,
    monetary_minor: i64,
    churn: ChurnView,
    computed_at: Timestamp,
}

impl SegmentMember {
    fn of(s: StoredSegment) -> SegmentMember {
        SegmentMember {
            churn: churn_view(&s.score),
            external_id: s.external_id,
            rfm: s.score.rfm,
            recency_days: s.score.recency_days,
            frequency: s.score.frequency,
            monetary_minor: s.score.monetary_minor,
            computed_at: s.computed_at,
        }
    }
}

async fn members<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiPath(SegmentPath { name }): ApiPath<SegmentPath>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<SegmentMembers>, ApiError> {
    caller.require(Access::Read)?;
    let segment = Segment::parse(&name).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "segment_not_found",
            format!("there is no segment `{name}`; GET /v1/segments lists them"),
        )
    })?;
    let limit = paging::limit(page.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)?;
    let after = page.cursor.as_deref().map(decode_cursor).transpose()?.unwrap_or(0);
    let found = state.store.segment_members(caller.program.id(), segment, after, limit).await?;
    Ok(Json(SegmentMembers {
        segment,
        members: found.members.into_iter().map(SegmentMember::of).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}

/// Cursors are opaque to clients; inside they are the member id to continue after.
fn encode_cursor(after: i64) -> String {
    paging::encode_cursor('s', after)
}

fn decode_cursor(cursor: &str) -> Result<i64, ApiError> {
    paging::decode_cursor('s', cursor)
}

#[derive(Debug, Deserialize, JsonSchema)]
struct OffersQuery {
    /// Offers wanted, from 1 to 20; 5 if not given.
    #[schemars(with = "Option<u32>", range(min = 1, max = 20))]
    limit: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct MemberOffers {
    member: String,
    offers: Vec<Offer>,
}

async fn member_offers<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(external_id): MemberPath,
    ApiQuery(query): ApiQuery<OffersQuery>,
) -> Result<Json<MemberOffers>, ApiError> {
    caller.require(Access::Read)?;
    let limit = paging::limit(query.limit.as_deref(), DEFAULT_OFFERS, MAX_OFFERS)?;
    let id = caller.program.id();
    let now = state.clock.now_for(id);
    let loaded = caller.program.at(now);
    let program = &loaded.program;
    let view = state
        .store
        .member(loaded, &external_id, now)
        .await?
        .ok_or_else(|| Rejection::MemberNotFound { external_id: external_id.to_string() })?;
    let since = program
        .calendar()
        .months_before(now, program.analytics().window_months)
        .unwrap_or(Timestamp::from_micros(0));
    let category_spend = state.store.category_spend(id, &external_id, since).await?.unwrap_or_default();
    let scored = state.store.member_segment(id, &external_id).await?.scored;
    let tier = view.tier.as_deref().and_then(|t| TierCode::parse(t).ok());
    let outlook = MemberOutlook {
        balance: view.balance.available.get(),
        tier: tier.as_ref(),
        tags: &view.tags,
        category_spend: &category_spend,
        segment: scored.as_ref().map(|s| s.score.segment),
        churn: scored.as_ref().map(|s| s.score.churn),
    };
    Ok(Json(MemberOffers { member: external_id.to_string(), offers: offers(program, &outlook, now, limit) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        assert_eq!(decode_cursor(&encode_cursor(77)).unwrap(), 77);
        for bad in ["", "77", "s", "szz", "s-5", "s0"] {
            assert_eq!(decode_cursor(bad).unwrap_err().code(), "invalid_cursor", "{bad}");
        }
    }
}

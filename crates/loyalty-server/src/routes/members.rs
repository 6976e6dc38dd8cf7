//! Members: enrolment, the member with their balance, their profile, their referrer, and
//! their journal.

use super::paging;
use super::segments::MemberInsight;
use super::{Idempotency, MemberPath, field, submit};
use crate::auth::{Access, Caller, PosCaller};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::json::ApiJson;
use crate::openapi::{Documented, doc};
use crate::secrets::new_referral_code;
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::{get_with, post_with};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use loyalty_core::earning::{RuleDef, punch_counter};
use loyalty_core::event::{Date, Enrolment, ProfileChanges, ProfileUpdate, Referral, date_text};
use loyalty_core::ids::{Email, ExternalId, Nickname, PersonName, ReferralCode, Tag, TierCode};
use loyalty_core::outcome::MemberView;
use loyalty_core::{Event, Rejection};
use loyalty_store::{LedgerEntry, Store};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/members",
            post_with(enrol::<S>, |op| {
                doc("enrol_member", "members", "Enrol a member")(op)
                    .answers::<201, MemberView>("The member, enrolled")
                    .errors(&[404])
            })
            .get_with(super::member_search::search::<S>, |op| {
                doc(
                    "search_members",
                    "members",
                    "Find members by a prefix of their id, email or name, and filters",
                )(op)
                .answers::<200, super::member_search::MemberSearchResponse>("A page of the members found")
                .errors(&[422])
            }),
        )
        .api_route(
            "/v1/members/{external_id}",
            get_with(show::<S>, |op| {
                doc("get_member", "members", "A member with their balance, tier, standing and punch cards")(
                    op,
                )
                .answers::<200, MemberDetail>("The member")
            })
            .patch_with(update::<S>, |op| {
                doc("update_member", "members", "Change a member's profile; `tier` needs an admin key")(op)
                    .answers::<200, MemberView>("The member, changed")
            }),
        )
        .api_route(
            "/v1/members/{external_id}/referrer",
            post_with(refer::<S>, |op| {
                doc(
                    "name_referrer",
                    "members",
                    "Name the member who referred them, before their first purchase",
                )(op)
                .answers::<201, MemberView>("The member, with their referrer")
            }),
        )
        .api_route(
            "/v1/members/{external_id}/ledger",
            get_with(ledger::<S>, |op| {
                doc("member_ledger", "members", "The member's journal entries with postings, newest first")(
                    op,
                )
                .answers::<200, LedgerResponse>("A page of the journal")
            }),
        )
}

/// A member to enrol.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(example = serde_json::json!({ "external_id": "c-1001", "email": "ada@example.com", "name": "Ada" }))]
struct EnrolRequest {
    /// The merchant's own id for the member.
    #[schemars(with = "ExternalId")]
    external_id: String,
    #[serde(default)]
    #[schemars(with = "Option<Email>")]
    email: Option<String>,
    #[serde(default)]
    #[schemars(with = "Option<PersonName>")]
    name: Option<String>,
    #[serde(default)]
    #[schemars(with = "Option<loyalty_core::schema::DateText>")]
    birth_date: Option<String>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<Tag>>")]
    tags: Option<Vec<String>>,
    /// The referral code of the member who referred them.
    #[serde(default)]
    #[schemars(with = "Option<ReferralCode>")]
    referred_by: Option<String>,
}

fn tags(given: Option<&[String]>) -> Result<Option<BTreeSet<Tag>>, ApiError> {
    given
        .map(|tags| {
            tags.iter()
                .enumerate()
                .map(|(i, t)| field(format!("tags[{i}]"), Tag::parse(t.as_str())))
                .collect()
        })
        .transpose()
}

fn birth_date(given: Option<&str>) -> Result<Option<Date>, ApiError> {
    given
        .map(|d| date_text::parse(d).map_err(|e| ApiError::invalid_request(format!("birth_date: {e}"))))
        .transpose()
}

async fn enrol<S: Store>(
    State(state): State<AppState<S>>,
    PosCaller(caller): PosCaller,
    idempotency: Idempotency,
    ApiJson(request): ApiJson<EnrolRequest>,
) -> Result<Response, ApiError> {
    let event = Event::Enrol(Enrolment {
        member: field("external_id", ExternalId::parse(request.external_id.as_str()))?,
        email: request.email.as_deref().map(|e| field("email", Email::parse(e))).transpose()?,
        name: request.name.as_deref().map(|n| field("name", PersonName::parse(n))).transpose()?,
        birth_date: birth_date(request.birth_date.as_deref())?,
        tags: tags(request.tags.as_deref())?.unwrap_or_default(),
        referral_code: new_referral_code()?,
        referred_by: request
            .referred_by
            .as_deref()
            .map(|c| field("referred_by", ReferralCode::parse(c)))
            .transpose()?,
        occurred_at: state.clock.now_for(caller.program.id()),
    });
    submit(&state, &caller, event, idempotency, &("enrol", &request)).await
}

/// The fields of a profile to change; those left out stay as they are.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ProfileRequest {
    #[serde(default)]
    #[schemars(with = "Option<PersonName>")]
    name: Option<String>,
    #[serde(default)]
    #[schemars(with = "Option<Email>")]
    email: Option<String>,
    #[serde(default)]
    #[schemars(with = "Option<loyalty_core::schema::DateText>")]
    birth_date: Option<String>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<Tag>>")]
    tags: Option<Vec<String>>,
    /// Set by hand until tiers are evaluated by the program itself; administrators only.
    #[serde(default)]
    #[schemars(with = "Option<TierCode>")]
    tier: Option<String>,
    /// Whether the member agrees to be shown on leaderboards.
    #[serde(default)]
    leaderboard_opt_in: Option<bool>,
    /// The name leaderboards show for them: 1 to 32 characters once trimmed, no control
    /// characters.
    #[serde(default)]
    #[schemars(with = "Option<Nickname>")]
    nickname: Option<String>,
}

async fn update<S: Store>(
    State(state): State<AppState<S>>,
    PosCaller(caller): PosCaller,
    MemberPath(member): MemberPath,
    idempotency: Idempotency,
    ApiJson(request): ApiJson<ProfileRequest>,
) -> Result<Response, ApiError> {
    // Setting a tier by hand is an administrator's; only the body says whether it is asked.
    if request.tier.is_some() {
        caller.require(Access::Admin)?;
    }
    // A member's own token changes how leaderboards show them, and nothing the merchant keeps.
    let merchants = request.name.is_some()
        || request.email.is_some()
        || request.birth_date.is_some()
        || request.tags.is_some()
        || request.tier.is_some();
    if caller.member.is_some() && merchants {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "a member token may change only `leaderboard_opt_in` and `nickname`",
        ));
    }
    let changes = ProfileChanges {
        name: request.name.as_deref().map(|n| field("name", PersonName::parse(n))).transpose()?,
        email: request.email.as_deref().map(|e| field("email", Email::parse(e))).transpose()?,
        birth_date: birth_date(request.birth_date.as_deref())?,
        tags: tags(request.tags.as_deref())?,
        tier: request.tier.as_deref().map(|t| field("tier", TierCode::parse(t))).transpose()?,
        leaderboard_opt_in: request.leaderboard_opt_in,
        nickname: request
            .nickname
            .as_deref()
            // Checked as sent (what the document's length speaks of), kept trimmed.
            .map(|n| {
                field("nickname", Nickname::parse(n))
                    .and_then(|_| field("nickname", Nickname::parse(n.trim())))
            })
            .transpose()?,
    };
    let event = Event::Profile(ProfileUpdate {
        member: member.clone(),
        changes,
        occurred_at: state.clock.now_for(caller.program.id()),
    });
    let mut response =
        submit(&state, &caller, event, idempotency, &("profile", member.as_str(), &request)).await?;
    *response.status_mut() = StatusCode::OK;
    Ok(response)
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ReferrerRequest {
    /// The referral code of the member who referred them.
    #[schemars(with = "ReferralCode")]
    code: String,
}

async fn refer<S: Store>(
    State(state): State<AppState<S>>,
    PosCaller(caller): PosCaller,
    MemberPath(member): MemberPath,
    idempotency: Idempotency,
    ApiJson(request): ApiJson<ReferrerRequest>,
) -> Result<Response, ApiError> {
    let event = Event::Refer(Referral {
        member: member.clone(),
        code: field("code", ReferralCode::parse(request.code.as_str()))?,
        occurred_at: state.clock.now_for(caller.program.id()),
    });
    submit(&state, &caller, event, idempotency, &("refer", member.as_str(), &request)).await
}

/// The member with their balance and the progress of each punch card of the program.
async fn show<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(external_id): MemberPath,
) -> Result<Json<MemberDetail>, ApiError> {
    caller.require(Access::Read)?;
    let id = caller.program.id();
    let view = state
        .store
        .member(
            caller.program.at(state.clock.now_for(caller.program.id())),
            &external_id,
            state.clock.now_for(caller.program.id()),
        )
        .await?
        .ok_or_else(|| Rejection::MemberNotFound { external_id: external_id.to_string() })?;
    let counters = state.store.member_counters(id, &external_id, "punch:").await?;
    let punch_cards = caller
        .program
        .latest()
        .program
        .definition()
        .earning
        .iter()
        .filter_map(|rule| match rule {
            RuleDef::PunchCard(card) => {
                let punched = counters.get(&punch_counter(&card.id).key).copied().unwrap_or(0);
                Some(PunchCardProgress { rule: card.id.clone(), punches: punched, every: card.every })
            }
            _ => None,
        })
        .collect();
    let insight = MemberInsight::of(state.store.member_segment(id, &external_id).await?);
    Ok(Json(MemberDetail { view, punch_cards, insight }))
}

/// A member with the progress of each punch card of the program.
#[derive(Debug, Serialize, JsonSchema)]
struct MemberDetail {
    #[serde(flatten)]
    view: MemberView,
    punch_cards: Vec<PunchCardProgress>,
    /// The member's RFM segment and churn risk, from the last analytics run.
    #[serde(flatten)]
    insight: MemberInsight,
}

/// How far a member is on one punch card.
#[derive(Debug, Serialize, JsonSchema)]
struct PunchCardProgress {
    /// The punch card rule's id.
    rule: String,
    /// Punches towards the next reward.
    punches: i64,
    /// Punches that earn the reward.
    every: i64,
}

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 500;

#[derive(Debug, Deserialize, JsonSchema)]
struct PageQuery {
    /// Entries on the page, from 1 to 500; 50 if not given.
    #[schemars(with = "Option<u32>", range(min = 1, max = 500))]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    #[schemars(extend("pattern" = r"^e0*([1-9a-f][0-9a-f]{0,14}|[1-7][0-9a-f]{15})$"))]
    cursor: Option<String>,
}

/// A page of a member's journal, newest first.
#[derive(Debug, Serialize, JsonSchema)]
struct LedgerResponse {
    member: String,
    entries: Vec<LedgerEntry>,
    /// Pass as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

async fn ledger<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(external_id): MemberPath,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Response, ApiError> {
    caller.require(Access::Read)?;
    let limit = paging::limit(page.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)?;
    let before = page.cursor.as_deref().map(decode_cursor).transpose()?;
    let found = state.store.ledger(caller.program.id(), &external_id, limit, before).await?;
    let body = LedgerResponse {
        member: external_id.to_string(),
        entries: found.entries,
        next_cursor: found.next_before.map(encode_cursor),
    };
    Ok((StatusCode::OK, Json(body)).into_response())
}

/// Cursors are opaque to clients; inside they are the entry to continue below.
fn encode_cursor(before: i64) -> String {
    paging::encode_cursor('e', before)
}

fn decode_cursor(cursor: &str) -> Result<i64, ApiError> {
    paging::decode_cursor('e', cursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        assert_eq!(decode_cursor(&encode_cursor(1234)).unwrap(), 1234);
        for bad in ["", "1234", "e", "ezz", "e-5", "e0"] {
            assert_eq!(decode_cursor(bad).unwrap_err().code(), "invalid_cursor", "{bad}");
        }
    }
}

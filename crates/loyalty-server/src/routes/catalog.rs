//! The reward catalogue over the API: listed, created, changed and archived without a
//! restart, each change a new version of the program. What was issued of a reward's stock
//! is counted across versions, so a change of stock applies to what is left.

use super::MemberPath;
use super::program::{NewVersion, new_version};
use crate::auth::{Access, AdminCaller, Caller};
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::json::{ApiJson, from_value};
use crate::openapi::{Documented, doc};
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::get_with;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loyalty_core::ids::{ExternalId, TierCode};
use loyalty_core::program::{Program, Reward, RewardDef};
use loyalty_core::state::Balance;
use loyalty_core::{Rejection, Timestamp};
use loyalty_store::Store;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/rewards",
            get_with(list::<S>, |op| {
                doc("list_rewards", "rewards", "The catalogue, with what was issued and what is left")(op)
                    .answers::<200, RewardList>("The catalogue of the program's latest version")
            })
            .post_with(create::<S>, |op| {
                doc("create_reward", "rewards", "Add a reward: a new program version")(op)
                    .answers::<201, RewardCreated>("The reward is in the catalogue of a new version")
                    .errors(&[409])
            }),
        )
        .api_route(
            "/v1/rewards/{code}",
            get_with(one::<S>, |op| {
                doc("get_reward", "rewards", "One reward")(op)
                    .answers::<200, RewardView>("The reward")
                    .errors(&[404])
            })
            .patch_with(update::<S>, |op| {
                doc(
                    "update_reward",
                    "rewards",
                    "Change a reward's fields (`null` removes one): a new program version",
                )(op)
                .answers::<200, NewVersion>("The version with the reward changed")
                .errors(&[404])
            })
            .delete_with(archive::<S>, |op| {
                doc(
                    "archive_reward",
                    "rewards",
                    "Archive a reward: no more redemptions; codes issued stay valid",
                )(op)
                .answers::<200, NewVersion>("The version with the reward archived")
                .errors(&[404, 409])
            }),
        )
        .api_route(
            "/v1/members/{external_id}/rewards",
            get_with(eligible::<S>, |op| {
                doc(
                    "eligible_rewards",
                    "rewards",
                    "What the member may redeem now, each with whether they can afford it",
                )(op)
                .answers::<200, EligibleRewards>("The rewards open to the member now")
            }),
        )
}

/// The `{code}` of a reward route.
#[derive(Debug, Deserialize, JsonSchema)]
struct RewardPath {
    /// The reward's code in the catalogue.
    #[schemars(with = "loyalty_core::ids::RewardCode")]
    code: String,
}

fn not_found(code: &str) -> ApiError {
    Rejection::RewardNotFound { reward: code.to_owned() }.into()
}

/// A reward of the catalogue as written, with what was issued and whether it is open now.
#[derive(Debug, Serialize, JsonSchema)]
struct RewardView {
    #[serde(flatten)]
    definition: RewardDef,
    /// What is left of its stock; absent when its stock is unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    stock_left: Option<i64>,
    /// How many were issued, across every version of the program.
    issued: i64,
    /// Not archived, and within its window now (its stock and a member's tier and limit aside).
    available_now: bool,
}

/// The catalogue of the program's latest version.
#[derive(Debug, Serialize, JsonSchema)]
struct RewardList {
    /// The version whose catalogue this is.
    program_version: i64,
    rewards: Vec<RewardView>,
}

/// What a member may redeem now.
#[derive(Debug, Serialize, JsonSchema)]
struct EligibleRewards {
    member: ExternalId,
    /// The member's balance now, which `affordable` is judged by.
    balance: Balance,
    /// Open now, for the member's tier, in stock and within their limit.
    rewards: Vec<EligibleReward>,
}

/// A reward the member may redeem now.
#[derive(Debug, Serialize, JsonSchema)]
struct EligibleReward {
    #[serde(flatten)]
    reward: RewardView,
    /// Whether the member's available points cover its cost.
    affordable: bool,
}

/// A reward added to the catalogue, and the version that added it.
#[derive(Debug, Serialize, JsonSchema)]
struct RewardCreated {
    #[serde(flatten)]
    version: NewVersion,
    /// The new reward's code.
    code: String,
}

/// A reward as written, with what is left of its stock and whether it is open now.
fn view(
    program: &Program,
    reward: &Reward,
    issued: &BTreeMap<String, i64>,
    now: Timestamp,
) -> Result<RewardView, ApiError> {
    let definition = program
        .definition()
        .rewards
        .iter()
        .find(|r| r.code == reward.code.as_str())
        .ok_or_else(|| ApiError::internal(format!("reward {} has no definition", reward.code)))?;
    let taken = issued.get(&reward.stock_key()).copied().unwrap_or(0);
    Ok(RewardView {
        definition: definition.clone(),
        stock_left: reward.stock.map(|stock| (stock - taken).max(0)),
        issued: taken,
        available_now: reward.is_open_at(now),
    })
}

async fn list<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
) -> Result<Json<RewardList>, ApiError> {
    caller.require(Access::Read)?;
    let latest = caller.program.latest();
    let issued = state.store.program_counters(latest.id, "reward:").await?;
    let now = state.clock.now_for(caller.program.id());
    let rewards = latest
        .program
        .rewards()
        .iter()
        .map(|r| view(&latest.program, r, &issued, now))
        .collect::<Result<_, _>>()?;
    Ok(Json(RewardList { program_version: latest.version, rewards }))
}

async fn one<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiPath(RewardPath { code }): ApiPath<RewardPath>,
) -> Result<Json<RewardView>, ApiError> {
    caller.require(Access::Read)?;
    let latest = caller.program.latest();
    let reward =
        latest.program.rewards().iter().find(|r| r.code.as_str() == code).ok_or_else(|| not_found(&code))?;
    let issued = state.store.program_counters(latest.id, "reward:").await?;
    Ok(Json(view(&latest.program, reward, &issued, state.clock.now_for(caller.program.id()))?))
}

/// Makes the latest definition, with `edit` applied to its catalogue, the next version.
async fn edit<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    edit: impl FnOnce(&mut Vec<RewardDef>) -> Result<(), ApiError>,
) -> Result<NewVersion, ApiError> {
    new_version(state, caller, |definition, _| edit(&mut definition.rewards)).await
}

async fn create<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiJson(reward): ApiJson<RewardDef>,
) -> Result<(StatusCode, Json<RewardCreated>), ApiError> {
    let code = reward.code.clone();
    let version = edit(&state, &caller, |rewards| {
        if rewards.iter().any(|r| r.code == code) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "reward_already_exists",
                format!("the catalogue already has a reward {code}"),
            ));
        }
        rewards.push(reward);
        Ok(())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(RewardCreated { version, code })))
}

/// The fields a reward has, as its schema lists them.
fn reward_fields() -> &'static BTreeSet<String> {
    static FIELDS: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
        let schema = crate::openapi::generator().into_root_schema_for::<RewardDef>();
        schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    });
    &FIELDS
}

/// The fields of a reward to change, read as any JSON value so that the route can tell a
/// field set to `null` (removed) from one left out (kept).
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct RewardChanges(Value);

impl JsonSchema for RewardChanges {
    fn schema_name() -> Cow<'static, str> {
        "RewardChanges".into()
    }

    /// The reward's own schema, so that the two cannot drift apart: every field optional
    /// but `code`, which cannot change, and `null` accepted where it removes a field.
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = RewardDef::json_schema(generator);
        let required = schema.remove("required").and_then(|r| r.as_array().cloned()).unwrap_or_default();
        schema.insert(
            "description".to_owned(),
            "The fields of a reward to change, as the catalogue writes them; those left out stay as they \
             are, and `null` removes an optional one (a stock, a window) or resets it to its default."
                .into(),
        );
        if let Some(properties) =
            schema.as_object_mut().and_then(|s| s.get_mut("properties")).and_then(Value::as_object_mut)
        {
            properties.remove("code");
            for (name, property) in properties.iter_mut() {
                // A field that must be there is refused as `null`, since removing it leaves
                // a reward without it.
                if !required.iter().any(|r| r == name) && !accepts_null(property) {
                    let description = property.as_object_mut().and_then(|p| p.remove("description"));
                    let mut nullable = json_schema!({ "anyOf": [property.take(), { "type": "null" }] });
                    if let Some(description) = description {
                        nullable.insert("description".to_owned(), description);
                    }
                    *property = nullable.to_value();
                }
            }
        }
        schema
    }
}

fn accepts_null(property: &Value) -> bool {
    let null = Value::from("null");
    match &property["type"] {
        Value::String(t) => t == "null",
        Value::Array(types) => types.contains(&null),
        _ => property["anyOf"].as_array().is_some_and(|any| any.iter().any(|s| s["type"] == null)),
    }
}

/// Changes the fields given; the others stay as they are.
async fn update<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiPath(RewardPath { code }): ApiPath<RewardPath>,
    ApiJson(RewardChanges(changes)): ApiJson<RewardChanges>,
) -> Result<Json<NewVersion>, ApiError> {
    let Value::Object(changes) = changes else {
        return Err(ApiError::invalid_request("the body must be a JSON object of the fields to change"));
    };
    if changes.contains_key("code") {
        return Err(ApiError::invalid_request("code: a reward's code cannot change"));
    }
    // A field a reward does not have is refused, even as `null` (which would otherwise
    // remove nothing and pass unseen).
    if let Some(unknown) = changes.keys().find(|k| !reward_fields().contains(k.as_str())) {
        return Err(ApiError::invalid_request(format!(
            "unknown field `{unknown}`: a reward has no such field"
        )));
    }
    let version = edit(&state, &caller, |rewards| {
        let reward = rewards.iter_mut().find(|r| r.code == code).ok_or_else(|| not_found(&code))?;
        let mut merged = serde_json::to_value(&*reward).map_err(ApiError::internal)?;
        if let Some(object) = merged.as_object_mut() {
            for (key, value) in changes {
                // `null` removes an optional field (a stock, a window).
                if value.is_null() {
                    object.remove(&key);
                } else {
                    object.insert(key, value);
                }
            }
        }
        *reward = from_value(merged)?;
        Ok(())
    })
    .await?;
    Ok(Json(version))
}

/// Archives a reward: it leaves the catalogue members see, and the codes already issued
/// stay valid.
async fn archive<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiPath(RewardPath { code }): ApiPath<RewardPath>,
) -> Result<Json<NewVersion>, ApiError> {
    let version = edit(&state, &caller, |rewards| {
        let reward = rewards.iter_mut().find(|r| r.code == code).ok_or_else(|| not_found(&code))?;
        if reward.archived {
            return Err(Rejection::RewardArchived { reward: code.clone() }.into());
        }
        reward.archived = true;
        Ok(())
    })
    .await?;
    Ok(Json(version))
}

/// The rewards a member may redeem now: open, of their tier, in stock and within their
/// limit; each says whether their balance affords it.
async fn eligible<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(member): MemberPath,
) -> Result<Json<EligibleRewards>, ApiError> {
    caller.require(Access::Read)?;
    let now = state.clock.now_for(caller.program.id());
    let loaded = caller.program.at(now);
    let program = &loaded.program;
    let view_of = state
        .store
        .member(loaded, &member, now)
        .await?
        .ok_or_else(|| Rejection::MemberNotFound { external_id: member.to_string() })?;
    let issued = state.store.program_counters(loaded.id, "reward:").await?;
    let counted = state.store.member_counters(loaded.id, &member, "reward:").await?;
    let tier = view_of.tier_progress.as_ref().and_then(|p| p.tier.clone()).or(view_of.tier.clone());
    let tier = tier.and_then(|t| TierCode::parse(t).ok());
    let local = program.calendar().local(now);
    let count = |counts: &BTreeMap<String, i64>, key: &str| counts.get(key).copied().unwrap_or(0);
    let rewards = program
        .rewards()
        .iter()
        .filter(|r| {
            let mine = r.limit.map_or(0, |l| count(&counted, &r.limit_key(l, local)));
            r.refusal(now, tier.as_ref(), count(&issued, &r.stock_key()), mine).is_none()
        })
        .map(|r| {
            Ok(EligibleReward {
                reward: view(program, r, &issued, now)?,
                affordable: view_of.balance.available >= r.points_cost,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Json(EligibleRewards { member, balance: view_of.balance, rewards }))
}

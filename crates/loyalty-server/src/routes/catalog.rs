//! The reward catalogue over the API: listed, created, changed and archived without a
//! restart, each change a new version of the program. What was issued of a reward's stock
//! is counted across versions, so a change of stock applies to what is left.

use super::MemberPath;
use super::program::new_version;
use crate::auth::{Access, AdminCaller, Caller};
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::json::{ApiJson, from_value};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use loyalty_core::Rejection;
use loyalty_core::ids::TierCode;
use loyalty_core::program::{Program, Reward, RewardDef};
use loyalty_store::Store;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub fn router<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/v1/rewards", get(list::<S>).post(create::<S>))
        .route("/v1/rewards/{code}", get(one::<S>).patch(update::<S>).delete(archive::<S>))
        .route("/v1/members/{external_id}/rewards", get(eligible::<S>))
}

fn not_found(code: &str) -> ApiError {
    Rejection::RewardNotFound { reward: code.to_owned() }.into()
}

/// A reward as written, with what is left of its stock and whether it is open now.
fn view(
    program: &Program,
    reward: &Reward,
    issued: &BTreeMap<String, i64>,
    now: loyalty_core::Timestamp,
) -> Value {
    let def = program.definition().rewards.iter().find(|r| r.code == reward.code.as_str());
    let mut view = serde_json::to_value(def).unwrap_or(Value::Null);
    if let Some(object) = view.as_object_mut() {
        let taken = issued.get(&reward.stock_key()).copied().unwrap_or(0);
        if let Some(stock) = reward.stock {
            object.insert("stock_left".to_owned(), json!((stock - taken).max(0)));
        }
        object.insert("issued".to_owned(), json!(taken));
        object.insert("available_now".to_owned(), json!(reward.is_open_at(now)));
    }
    view
}

async fn list<S: Store>(State(state): State<AppState<S>>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Read)?;
    let latest = caller.program.latest();
    let issued = state.store.program_counters(latest.id, "reward:").await?;
    let now = state.clock.now_for(caller.program.id());
    let rewards: Vec<Value> =
        latest.program.rewards().iter().map(|r| view(&latest.program, r, &issued, now)).collect();
    Ok(Json(json!({ "program_version": latest.version, "rewards": rewards })))
}

async fn one<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Read)?;
    let latest = caller.program.latest();
    let reward =
        latest.program.rewards().iter().find(|r| r.code.as_str() == code).ok_or_else(|| not_found(&code))?;
    let issued = state.store.program_counters(latest.id, "reward:").await?;
    Ok(Json(view(&latest.program, reward, &issued, state.clock.now_for(caller.program.id()))))
}

/// Makes the latest definition, with `edit` applied to its catalogue, the next version.
async fn edit<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    edit: impl FnOnce(&mut Vec<RewardDef>) -> Result<(), ApiError>,
) -> Result<Value, ApiError> {
    new_version(state, caller, |definition, _| edit(&mut definition.rewards)).await
}

async fn create<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiJson(reward): ApiJson<RewardDef>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let code = reward.code.clone();
    let mut body = edit(&state, &caller, |rewards| {
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
    body["code"] = json!(code);
    Ok((StatusCode::CREATED, Json(body)))
}

/// Changes the fields given; the others stay as they are.
async fn update<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiPath(code): ApiPath<String>,
    ApiJson(changes): ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let Value::Object(changes) = changes else {
        return Err(ApiError::invalid_request("the body must be a JSON object of the fields to change"));
    };
    if changes.contains_key("code") {
        return Err(ApiError::invalid_request("code: a reward's code cannot change"));
    }
    let body = edit(&state, &caller, |rewards| {
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
    Ok(Json(body))
}

/// Archives a reward: it leaves the catalogue members see, and the codes already issued
/// stay valid.
async fn archive<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let body = edit(&state, &caller, |rewards| {
        let reward = rewards.iter_mut().find(|r| r.code == code).ok_or_else(|| not_found(&code))?;
        if reward.archived {
            return Err(Rejection::RewardArchived { reward: code.clone() }.into());
        }
        reward.archived = true;
        Ok(())
    })
    .await?;
    Ok(Json(body))
}

/// The rewards a member may redeem now: open, of their tier, in stock and within their
/// limit; each says whether their balance affords it.
async fn eligible<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(member): MemberPath,
) -> Result<Json<Value>, ApiError> {
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
    let rewards: Vec<Value> = program
        .rewards()
        .iter()
        .filter(|r| {
            let mine = r.limit.map_or(0, |l| count(&counted, &r.limit_key(l, local)));
            r.refusal(now, tier.as_ref(), count(&issued, &r.stock_key()), mine).is_none()
        })
        .map(|r| {
            let mut v = view(program, r, &issued, now);
            v["affordable"] = json!(view_of.balance.available >= r.points_cost);
            v
        })
        .collect();
    Ok(Json(json!({ "member": member, "balance": view_of.balance, "rewards": rewards })))
}

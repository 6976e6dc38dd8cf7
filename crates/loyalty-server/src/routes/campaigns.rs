//! Campaigns over the API: created, changed and ended without a restart. Each change is a
//! new version of the program; what a campaign has spent of its budget is kept across
//! versions.

use super::program::new_version;
use crate::auth::{Access, AdminCaller, Caller};
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::json::{ApiJson, from_value};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use loyalty_core::Timestamp;
use loyalty_core::calendar::Calendar;
use loyalty_core::earning::{CampaignDef, RuleDef, budget_key, parse_local};
use loyalty_core::program::ProgramDef;
use loyalty_store::Store;
use serde_json::{Value, json};

pub fn router<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/v1/campaigns", get(list::<S>).post(create::<S>))
        .route("/v1/campaigns/{id}", patch(update::<S>))
        .route("/v1/campaigns/{id}/end", post(end::<S>))
}

fn campaigns(definition: &ProgramDef) -> impl Iterator<Item = &CampaignDef> {
    definition.earning.iter().filter_map(|rule| match rule {
        RuleDef::Campaign(c) => Some(c.as_ref()),
        _ => None,
    })
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "campaign_not_found", format!("no campaign {id} in this program"))
}

async fn list<S: Store>(State(state): State<AppState<S>>, caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Read)?;
    let latest = caller.program.latest();
    let spent = state.store.program_counters(latest.id, "campaign:").await?;
    let calendar = latest.program.calendar();
    let now = state.clock.now_for(caller.program.id());
    let at = |text: &str| parse_local(text).and_then(|t| calendar.instant(t));
    let listed: Vec<Value> = campaigns(latest.program.definition())
        .map(|c| {
            let status = match (at(&c.starts), at(&c.ends)) {
                (Some(starts), _) if now < starts => "scheduled",
                (_, Some(ends)) if now >= ends => "ended",
                _ => "running",
            };
            let mut view = serde_json::to_value(c).unwrap_or(Value::Null);
            if let Some(object) = view.as_object_mut() {
                object.insert("status".to_owned(), json!(status));
                let used = spent.get(&budget_key(&c.id)).copied().unwrap_or(0);
                object.insert("budget_spent".to_owned(), json!(used));
            }
            view
        })
        .collect();
    Ok(Json(json!({ "program_version": latest.version, "campaigns": listed })))
}

/// Makes the program's latest definition, with `edit` applied to its earning rules (and
/// the program's calendar at hand), its next version.
async fn edit<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    edit: impl FnOnce(&mut Vec<RuleDef>, &Calendar) -> Result<(), ApiError>,
) -> Result<Value, ApiError> {
    new_version(state, caller, |definition, latest| edit(&mut definition.earning, latest.program.calendar()))
        .await
}

async fn create<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiJson(campaign): ApiJson<CampaignDef>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = campaign.id.clone();
    let body = edit(&state, &caller, |rules, _| {
        if rules.iter().any(|r| r.spec().id() == id) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "campaign_already_exists",
                format!("the program already has a rule {id}"),
            ));
        }
        rules.push(RuleDef::Campaign(Box::new(campaign)));
        Ok(())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(body)))
}

/// Changes the fields given; the others stay as they are.
async fn update<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(changes): ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let Value::Object(changes) = changes else {
        return Err(ApiError::invalid_request("the body must be a JSON object of the fields to change"));
    };
    if changes.contains_key("id") {
        return Err(ApiError::invalid_request("id: a campaign's id cannot change"));
    }
    let body = edit(&state, &caller, |rules, _| {
        let campaign = rules
            .iter_mut()
            .find_map(|r| match r {
                RuleDef::Campaign(c) if c.id == id => Some(c),
                _ => None,
            })
            .ok_or_else(|| not_found(&id))?;
        let mut merged = serde_json::to_value(&*campaign).map_err(ApiError::internal)?;
        if let Some(object) = merged.as_object_mut() {
            object.extend(changes);
        }
        *campaign = from_value(merged)?;
        Ok(())
    })
    .await?;
    Ok(Json(body))
}

/// Ends a campaign now. A campaign that has not started yet is withdrawn.
async fn end<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let now: Timestamp = state.clock.now_for(caller.program.id());
    let body = edit(&state, &caller, |rules, calendar| {
        let index = rules
            .iter()
            .position(|r| matches!(r, RuleDef::Campaign(c) if c.id == id))
            .ok_or_else(|| not_found(&id))?;
        let RuleDef::Campaign(campaign) = &mut rules[index] else { return Err(not_found(&id)) };
        let at = |text: &str| parse_local(text).and_then(|t| calendar.instant(t));
        if at(&campaign.ends).is_some_and(|ends| ends <= now) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "campaign_already_ended",
                format!("campaign {id} ended at {}", campaign.ends),
            ));
        }
        if at(&campaign.starts).is_some_and(|starts| starts >= now) {
            rules.remove(index);
        } else {
            campaign.ends = calendar.local(now).wall_clock();
        }
        Ok(())
    })
    .await?;
    Ok(Json(body))
}

//! Campaigns over the API: created, changed and ended without a restart. Each change is a
//! new version of the program; what a campaign has spent of its budget is kept across
//! versions.

use super::program::{NewVersion, new_version};
use crate::auth::{Access, AdminCaller, Caller};
use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::json::{ApiJson, from_value};
use crate::openapi::{Documented, doc};
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::{get_with, patch_with, post_with};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loyalty_core::Timestamp;
use loyalty_core::calendar::Calendar;
use loyalty_core::earning::{CampaignDef, RuleDef, budget_key, parse_local};
use loyalty_core::program::ProgramDef;
use loyalty_store::Store;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::borrow::Cow;

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/campaigns",
            get_with(list::<S>, |op| {
                doc(
                    "list_campaigns",
                    "campaigns",
                    "The campaigns with their status and the budget they spent",
                )(op)
                .answers::<200, CampaignList>("The campaigns of the latest version")
            })
            .post_with(create::<S>, |op| {
                doc("create_campaign", "campaigns", "Add a campaign: a new program version")(op)
                    .answers::<201, NewVersion>("The version that added it")
                    .errors(&[409])
            }),
        )
        .api_route(
            "/v1/campaigns/{id}",
            patch_with(update::<S>, |op| {
                doc("update_campaign", "campaigns", "Change a campaign's fields: a new program version")(op)
                    .answers::<200, NewVersion>("The version that changed it")
                    .errors(&[404])
            }),
        )
        .api_route(
            "/v1/campaigns/{id}/end",
            post_with(end::<S>, |op| {
                doc("end_campaign", "campaigns", "End a campaign now (one not started yet is withdrawn)")(op)
                    .answers::<200, NewVersion>("The version that ended it")
                    .errors(&[404, 409])
            }),
        )
}

/// The path of one campaign.
#[derive(Debug, Deserialize, JsonSchema)]
struct CampaignPath {
    /// The campaign's id (its rule's id).
    id: String,
}

/// The campaigns of the program's latest version.
#[derive(Debug, Serialize, JsonSchema)]
struct CampaignList {
    program_version: i64,
    campaigns: Vec<CampaignView>,
}

/// A campaign as defined, with where it stands.
#[derive(Debug, Serialize, JsonSchema)]
struct CampaignView {
    #[serde(flatten)]
    campaign: CampaignDef,
    status: CampaignStatus,
    /// Points it has awarded, which count against its `budget`.
    budget_spent: i64,
}

#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum CampaignStatus {
    Scheduled,
    Running,
    Ended,
}

/// The fields of a campaign to change: any of a campaign's but `id`; those left out stay.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct CampaignChanges(Value);

impl JsonSchema for CampaignChanges {
    fn schema_name() -> Cow<'static, str> {
        "CampaignChanges".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = CampaignDef::json_schema(generator);
        if let Some(object) = schema.as_object_mut() {
            object.remove("required");
            if let Some(Value::Object(properties)) = object.get_mut("properties") {
                properties.remove("id");
            }
            object.insert("description".to_owned(), json!(Self::DESCRIPTION));
        }
        schema
    }
}

impl CampaignChanges {
    const DESCRIPTION: &str =
        "The fields of a campaign to change: any of a campaign's but `id`; those left out stay.";
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

async fn list<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
) -> Result<Json<CampaignList>, ApiError> {
    caller.require(Access::Read)?;
    let latest = caller.program.latest();
    let spent = state.store.program_counters(latest.id, "campaign:").await?;
    let calendar = latest.program.calendar();
    let now = state.clock.now_for(caller.program.id());
    let at = |text: &str| parse_local(text).and_then(|t| calendar.instant(t));
    let campaigns = campaigns(latest.program.definition())
        .map(|c| {
            let status = match (at(&c.starts), at(&c.ends)) {
                (Some(starts), _) if now < starts => CampaignStatus::Scheduled,
                (_, Some(ends)) if now >= ends => CampaignStatus::Ended,
                _ => CampaignStatus::Running,
            };
            let budget_spent = spent.get(&budget_key(&c.id)).copied().unwrap_or(0);
            CampaignView { campaign: c.clone(), status, budget_spent }
        })
        .collect();
    Ok(Json(CampaignList { program_version: latest.version, campaigns }))
}

/// Makes the program's latest definition, with `edit` applied to its earning rules (and
/// the program's calendar at hand), its next version.
async fn edit<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    edit: impl FnOnce(&mut Vec<RuleDef>, &Calendar) -> Result<(), ApiError>,
) -> Result<NewVersion, ApiError> {
    new_version(state, caller, |definition, latest| edit(&mut definition.earning, latest.program.calendar()))
        .await
}

async fn create<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiJson(campaign): ApiJson<CampaignDef>,
) -> Result<(StatusCode, Json<NewVersion>), ApiError> {
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
    ApiPath(CampaignPath { id }): ApiPath<CampaignPath>,
    ApiJson(CampaignChanges(changes)): ApiJson<CampaignChanges>,
) -> Result<Json<NewVersion>, ApiError> {
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
    ApiPath(CampaignPath { id }): ApiPath<CampaignPath>,
) -> Result<Json<NewVersion>, ApiError> {
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

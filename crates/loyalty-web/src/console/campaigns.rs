//! Campaigns: the list with status and budget spent; making one (a new program version);
//! ending one now.

use super::{Change, Staff, after, failed, posted};
use crate::api::{Refusal, escape};
use crate::page::{context, with};
use crate::web::Web;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use loyalty_store::Store;
use serde::Deserialize;
use serde_json::{Map, Value, json};

#[derive(Debug, Default, Deserialize)]
pub struct Shown {
    #[serde(default)]
    done: String,
}

pub async fn list<S: Store>(
    State(web): State<Web<S>>,
    Staff(session): Staff,
    Query(shown): Query<Shown>,
) -> Response {
    match web.api.get(&session.bearer, "/v1/campaigns").await {
        Ok(found) => {
            let page = json!({"campaigns": found["campaigns"], "version": found["program_version"], "done": shown.done});
            web.renderer.page(
                StatusCode::OK,
                "console/campaigns.html",
                with(context(&web, &session, "campaigns"), page),
            )
        }
        Err(refusal) => failed(&web, &refusal),
    }
}

/// The form as typed: every field text, empty when left blank.
#[derive(Debug, Default, Deserialize)]
pub struct NewCampaign {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    ends: String,
    #[serde(default)]
    multiplier: String,
    #[serde(default)]
    points: String,
    #[serde(default)]
    budget: String,
    #[serde(default)]
    tiers: String,
    #[serde(default)]
    tags: String,
}

impl NewCampaign {
    /// The campaign as the API takes it; a blank field is left out, a number that is not
    /// one is refused here with the field's name.
    fn body(&self) -> Result<Value, Refusal> {
        let mut body = Map::new();
        for (field, value) in
            [("id", &self.id), ("name", &self.name), ("starts", &self.starts), ("ends", &self.ends)]
        {
            if !value.trim().is_empty() {
                body.insert(field.into(), json!(value.trim()));
            }
        }
        if !self.multiplier.trim().is_empty() {
            body.insert("multiplier".into(), json!(self.multiplier.trim()));
        }
        for (field, value) in [("points", &self.points), ("budget", &self.budget)] {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let number: i64 = value.parse().map_err(|_| {
                Refusal::invalid(format!("{field} must be a whole number; it was `{value}`."))
            })?;
            body.insert(field.into(), json!(number));
        }
        for (field, value) in [("tiers", &self.tiers), ("tags", &self.tags)] {
            let list: Vec<&str> = value.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
            if !list.is_empty() {
                body.insert(field.into(), json!(list));
            }
        }
        Ok(Value::Object(body))
    }
}

pub async fn create<S: Store>(
    State(web): State<Web<S>>,
    Change(session, form): Change<NewCampaign>,
) -> Response {
    let made = match form.body() {
        Ok(body) => web.api.post(&session.bearer, "/v1/campaigns", &body).await,
        Err(refusal) => Err(refusal),
    };
    after(&web, made, "/console/campaigns?done=created")
}

/// The optional fields the edit form shows filled in: one emptied there is taken away.
const CLEARABLE: [&str; 4] = ["name", "multiplier", "points", "budget"];

/// Changes the campaign to the fields of its edit form (a new program version). The form
/// shows each field's value, so a field emptied there is taken away (sent as `null`).
pub async fn edit<S: Store>(
    State(web): State<Web<S>>,
    Path(id): Path<String>,
    Change(session, form): Change<NewCampaign>,
) -> Response {
    let changed = match form.body() {
        // The id names the campaign in the path; the body may not change it.
        Ok(Value::Object(mut body)) => {
            body.remove("id");
            for field in CLEARABLE {
                body.entry(field).or_insert(Value::Null);
            }
            web.api
                .patch(&session.bearer, &format!("/v1/campaigns/{}", escape(&id)), &Value::Object(body))
                .await
        }
        Ok(_) => Err(Refusal::invalid("the form could not be read")),
        Err(refusal) => Err(refusal),
    };
    after(&web, changed, "/console/campaigns?done=changed")
}

#[derive(Debug, Default, Deserialize)]
pub struct End {
    #[serde(default)]
    csrf: String,
}

pub async fn end<S: Store>(
    State(web): State<Web<S>>,
    Path(id): Path<String>,
    Change(session, _): Change<End>,
) -> Response {
    after(
        &web,
        web.api.post(&session.bearer, &format!("/v1/campaigns/{}/end", escape(&id)), &json!({})).await,
        "/console/campaigns?done=ended",
    )
}

posted!(End, NewCampaign);

//! Webhooks: the subscriptions (add one and see its signing secret once, end one) and the
//! delivery log, where a delivery can be sent again.

use super::{Change, Staff, after, failed, posted};
use crate::api::escape;
use crate::page::{context, with};
use crate::web::Web;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use loyalty_store::Store;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Default, Deserialize)]
pub struct Shown {
    #[serde(default)]
    done: String,
}

async fn page<S: Store>(web: &Web<S>, bearer: &str) -> Result<Value, crate::api::Refusal> {
    let (listed, deliveries) = tokio::join!(
        web.api.get(bearer, "/v1/webhooks"),
        web.api.get(bearer, "/v1/webhooks/deliveries?limit=50")
    );
    let (listed, deliveries) = (listed?, deliveries?);
    Ok(json!({
        "webhooks": listed["webhooks"],
        "event_types": listed["event_types"],
        "deliveries": deliveries["deliveries"],
        "made": Value::Null,
    }))
}

pub async fn show<S: Store>(
    State(web): State<Web<S>>,
    Staff(session): Staff,
    Query(shown): Query<Shown>,
) -> Response {
    match page(&web, &session.bearer).await {
        Ok(page) => {
            let page = with(page, json!({"done": shown.done}));
            web.renderer.page(
                StatusCode::OK,
                "console/webhooks.html",
                with(context(&web, &session, "settings"), page),
            )
        }
        Err(refusal) => failed(&web, &refusal),
    }
}

/// The form: the URL, and every event type ticked (a repeated field).
#[derive(Debug, Default, Deserialize)]
pub struct NewWebhook {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    event_types: Vec<String>,
}

/// Subscribes the URL and shows the signing secret on this page, once.
pub async fn create<S: Store>(
    State(web): State<Web<S>>,
    Change(session, form): Change<NewWebhook>,
) -> Response {
    let body = json!({"url": form.url.trim(), "event_types": form.event_types});
    let made = match web.api.post(&session.bearer, "/v1/webhooks", &body).await {
        Ok(made) => made,
        Err(refusal) => return failed(&web, &refusal),
    };
    match page(&web, &session.bearer).await {
        Ok(page) => {
            let page = with(page, json!({"made": made, "done": ""}));
            web.renderer.page(
                StatusCode::CREATED,
                "console/webhooks.html",
                with(context(&web, &session, "settings"), page),
            )
        }
        Err(refusal) => failed(&web, &refusal),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Act {
    #[serde(default)]
    csrf: String,
}

/// Ends a subscription; its deliveries not yet sent are cancelled.
pub async fn end<S: Store>(
    State(web): State<Web<S>>,
    Path(id): Path<String>,
    Change(session, _): Change<Act>,
) -> Response {
    after(
        &web,
        web.api.delete(&session.bearer, &format!("/v1/webhooks/{}", escape(&id))).await,
        "/console/settings/webhooks?done=ended",
    )
}

/// Sends a delivery again.
pub async fn replay<S: Store>(
    State(web): State<Web<S>>,
    Path(id): Path<String>,
    Change(session, _): Change<Act>,
) -> Response {
    let path = format!("/v1/webhooks/deliveries/{}/replay", escape(&id));
    after(
        &web,
        web.api.post(&session.bearer, &path, &json!({})).await,
        "/console/settings/webhooks?done=replayed",
    )
}

posted!(Act, NewWebhook);

//! Webhook subscriptions and their delivery log over the API (admin).

use crate::auth::AdminCaller;
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::json::ApiJson;
use crate::secrets::new_webhook_secret;
use crate::state::AppState;
use crate::webhooks::dispatch_due;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use loyalty_store::{Store, WEBHOOK_EVENT_TYPES};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/v1/webhooks", get(list::<S>).post(create::<S>))
        .route("/v1/webhooks/{id}", delete(remove::<S>))
        .route("/v1/webhooks/deliveries", get(deliveries::<S>))
        .route("/v1/webhooks/deliveries/{id}", get(delivery::<S>))
        .route("/v1/webhooks/deliveries/{id}/replay", post(replay::<S>))
        .route("/v1/webhooks/dispatch", post(dispatch::<S>))
}

/// A number from the path or the query; a bad one is a 422 naming the field, as elsewhere.
fn number(field: &str, text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        ApiError::invalid_request(format!("{field}: must be a positive whole number, not `{text}`"))
    })
}

fn not_found(what: &str, id: i64) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no {what} {id} in this program"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Subscription {
    url: String,
    event_types: Vec<String>,
    #[serde(default)]
    secret: Option<String>,
}

async fn create<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiJson(body): ApiJson<Subscription>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    // The URL is never echoed: it may carry credentials.
    reqwest::Url::parse(&body.url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| ApiError::invalid_request("url: must be an absolute http(s) URL with a host"))?;
    let url = state.webhooks.targets.check(&body.url).await.map_err(|refusal| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "webhook_url_refused", format!("url: {refusal}"))
    })?;
    if body.event_types.is_empty() {
        return Err(ApiError::invalid_request("event_types: name at least one"));
    }
    if let Some(unknown) = body.event_types.iter().find(|t| !WEBHOOK_EVENT_TYPES.contains(&t.as_str())) {
        return Err(ApiError::invalid_request(format!(
            "event_types: `{unknown}` is not one of {}",
            WEBHOOK_EVENT_TYPES.join(", ")
        )));
    }
    let secret = match body.secret {
        Some(s) if s.len() >= 16 && s.len() <= 256 && s.chars().all(|c| c.is_ascii_graphic()) => s,
        Some(_) => {
            return Err(ApiError::invalid_request("secret: must be 16 to 256 visible ASCII characters"));
        }
        None => new_webhook_secret()?,
    };
    let made = state
        .store
        .add_webhook(caller.program.id(), url.as_str(), &secret, &body.event_types, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(serde_json::to_value(made).map_err(ApiError::internal)?)))
}

async fn list<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Value>, ApiError> {
    let mut subscriptions = state.store.webhooks(caller.program.id()).await?;
    for s in &mut subscriptions {
        s.url = without_credentials(&s.url);
    }
    Ok(Json(json!({ "webhooks": subscriptions, "event_types": WEBHOOK_EVENT_TYPES })))
}

/// A URL stored before credentials were refused is listed without them.
fn without_credentials(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            // Both fail only for URLs without a host, which were never accepted.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Ends a subscription; its deliveries not yet sent are cancelled with it.
async fn remove<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let id = number("id", &id)?;
    if !state.store.remove_webhook(caller.program.id(), id).await? {
        return Err(not_found("active webhook", id));
    }
    Ok(Json(json!({ "id": id, "active": false })))
}

#[derive(Debug, Deserialize)]
struct LogQuery {
    state: Option<String>,
    before: Option<String>,
    limit: Option<String>,
}

async fn deliveries<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiQuery(query): ApiQuery<LogQuery>,
) -> Result<Json<Value>, ApiError> {
    if let Some(s) = query.state.as_deref()
        && !["pending", "delivered", "failed", "cancelled"].contains(&s)
    {
        return Err(ApiError::invalid_request(format!(
            "state: `{s}` is not pending, delivered, failed or cancelled"
        )));
    }
    let limit = match query.limit.as_deref() {
        None => 50,
        Some(text) => {
            u32::try_from(number("limit", text)?).ok().filter(|l| (1..=500).contains(l)).ok_or_else(|| {
                ApiError::invalid_request(format!("limit: must be between 1 and 500, not `{text}`"))
            })?
        }
    };
    let before = query.before.as_deref().map(|b| number("before", b)).transpose()?;
    let page = state.store.deliveries(caller.program.id(), query.state.as_deref(), before, limit).await?;
    let next = (page.len() == limit as usize).then(|| page.last().map(|d| d.id)).flatten();
    Ok(Json(json!({ "deliveries": page, "next_before": next })))
}

async fn delivery<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let id = number("id", &id)?;
    let (delivery, attempts) =
        state.store.delivery(caller.program.id(), id).await?.ok_or_else(|| not_found("delivery", id))?;
    let mut body = serde_json::to_value(delivery).map_err(ApiError::internal)?;
    body["attempt_log"] = serde_json::to_value(attempts).map_err(ApiError::internal)?;
    Ok(Json(body))
}

/// Sends a delivery again (a failed one, or one the receiver lost), unless its
/// subscription was removed.
async fn replay<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let id = number("id", &id)?;
    if !state.store.replay_delivery(caller.program.id(), id, state.clock.now()).await? {
        return Err(not_found("delivery of an active webhook", id));
    }
    Ok(Json(json!({ "id": id, "state": "pending" })))
}

/// Sends every delivery of the caller's program due now, at once, rather than at the
/// dispatcher's next tick; other programs' deliveries wait for theirs.
async fn dispatch<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
) -> Result<Json<Value>, ApiError> {
    let program = Some(caller.program.id());
    let report = dispatch_due(state.store.as_ref(), &state.webhooks, &state.clock, program).await?;
    Ok(Json(json!({ "now": state.clock.now(), "report": report })))
}

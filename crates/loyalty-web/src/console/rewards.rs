//! Rewards: the catalogue with cost, stock and codes issued; and a reward code looked up
//! as the till checks it.

use super::{failed, signed_in};
use crate::api::escape;
use crate::page::{context, with};
use crate::web::Web;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use loyalty_store::Store;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Default, Deserialize)]
pub struct Lookup {
    #[serde(default)]
    code: String,
}

pub async fn list<S: Store>(
    State(web): State<Web<S>>,
    headers: HeaderMap,
    Query(lookup): Query<Lookup>,
) -> Response {
    let session = match signed_in(&web, &headers).await {
        Ok(session) => session,
        Err(away) => return away,
    };
    let catalogue = match web.api.get(&session.bearer, "/v1/rewards").await {
        Ok(catalogue) => catalogue,
        Err(refusal) => return failed(&web, &refusal),
    };
    let code = lookup.code.trim();
    // A code not found is an answer to show, not a failed page.
    let (found, not_found) = if code.is_empty() {
        (Value::Null, Value::Null)
    } else {
        match web.api.get(&session.bearer, &format!("/v1/rewards/codes/{}", escape(code))).await {
            Ok(found) => (found, Value::Null),
            Err(refusal) if refusal.status == StatusCode::NOT_FOUND => (Value::Null, json!(refusal.message)),
            Err(refusal) => return failed(&web, &refusal),
        }
    };
    let page = json!({"rewards": catalogue["rewards"], "code": code, "found": found, "not_found": not_found});
    web.renderer.page(StatusCode::OK, "console/rewards.html", with(context(&web, &session, "rewards"), page))
}

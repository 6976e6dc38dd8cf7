//! Settings: the program's keys (make one and see its secret once, revoke one) and the
//! audit trail of who did what.

use super::{Change, Staff, after, failed, posted};
use crate::api::escape;
use crate::page::{context, with};
use crate::session::Session;
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

pub async fn keys<S: Store>(
    State(web): State<Web<S>>,
    Staff(session): Staff,
    Query(shown): Query<Shown>,
) -> Response {
    match web.api.get(&session.bearer, "/v1/keys").await {
        Ok(found) => {
            let page = json!({"keys": found["keys"], "made": null, "done": shown.done});
            web.renderer.page(
                StatusCode::OK,
                "console/keys.html",
                with(context(&web, &session, "settings"), page),
            )
        }
        Err(refusal) => failed(&web, &refusal),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NewKey {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

/// Makes a key and shows its secret on this one page, never again.
pub async fn create<S: Store>(State(web): State<Web<S>>, Change(session, form): Change<NewKey>) -> Response {
    let body = json!({"name": form.name.trim(), "role": form.role});
    let made = match web.api.post(&session.bearer, "/v1/keys", &body).await {
        Ok(made) => made,
        Err(refusal) => return failed(&web, &refusal),
    };
    keys_page(&web, &session, StatusCode::CREATED, made, "").await
}

#[derive(Debug, Default, Deserialize)]
pub struct Rotate {
    #[serde(default)]
    csrf: String,
    /// Seconds the old secret keeps working.
    #[serde(default)]
    grace_seconds: String,
}

/// Gives a key a new secret, shown on this one page; the old one works for the grace.
pub async fn rotate<S: Store>(
    State(web): State<Web<S>>,
    Path(id): Path<String>,
    Change(session, form): Change<Rotate>,
) -> Response {
    let grace: i64 = form.grace_seconds.trim().parse().unwrap_or(0);
    let path = format!("/v1/keys/{}/rotate", escape(&id));
    let made = match web.api.post(&session.bearer, &path, &json!({"grace_seconds": grace})).await {
        Ok(made) => made,
        Err(refusal) => return failed(&web, &refusal),
    };
    keys_page(&web, &session, StatusCode::OK, made, "rotated").await
}

/// The keys page with a secret just made (`made`), shown this once. If the key this
/// session signed in with was itself rotated without a grace, the list can no longer be
/// read with it; the secret is shown all the same, or it would be lost.
async fn keys_page<S: Store>(
    web: &Web<S>,
    session: &Session,
    status: StatusCode,
    made: Value,
    done: &str,
) -> Response {
    let keys = match web.api.get(&session.bearer, "/v1/keys").await {
        Ok(found) => found["keys"].clone(),
        Err(refusal) if refusal.signed_out() => json!([]),
        Err(refusal) => return failed(web, &refusal),
    };
    let page = json!({"keys": keys, "made": made, "done": done});
    web.renderer.page(status, "console/keys.html", with(context(web, session, "settings"), page))
}

#[derive(Debug, Default, Deserialize)]
pub struct Revoke {
    #[serde(default)]
    csrf: String,
}

pub async fn revoke<S: Store>(
    State(web): State<Web<S>>,
    Path(id): Path<String>,
    Change(session, _): Change<Revoke>,
) -> Response {
    after(
        &web,
        web.api.delete(&session.bearer, &format!("/v1/keys/{}", escape(&id))).await,
        "/console/settings/keys?done=revoked",
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct Trail {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    cursor: String,
}

/// The audit trail, newest page last as the API pages it, filtered by actor and action.
pub async fn audit<S: Store>(
    State(web): State<Web<S>>,
    Staff(session): Staff,
    Query(trail): Query<Trail>,
) -> Response {
    let query = |cursor: &str| {
        [("actor", trail.actor.trim()), ("action", trail.action.trim()), ("cursor", cursor)]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", escape(v)))
            .collect::<Vec<_>>()
            .join("&")
    };
    match web.api.get(&session.bearer, &format!("/v1/audit?limit=100&{}", query(&trail.cursor))).await {
        Ok(found) => {
            let next = found["next_cursor"].as_str().map(|c| format!("/console/settings/audit?{}", query(c)));
            let page = json!({"entries": found["entries"], "next": next, "actor": trail.actor, "action": trail.action});
            web.renderer.page(
                StatusCode::OK,
                "console/audit.html",
                with(context(&web, &session, "settings"), page),
            )
        }
        Err(refusal) => failed(&web, &refusal),
    }
}

posted!(NewKey, Revoke, Rotate);

//! Signing in with a program's key, and out. The form's CSRF token rides in a cookie of
//! its own until there is a session (SameSite=Strict: another site's post carries none).

use crate::page::see_other;
use crate::session::{self, CONSOLE, CONSOLE_SECONDS, SIGN_IN_CSRF, Session};
use crate::web::Web;
use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use loyalty_server::sealed::random_hex;
use loyalty_server::secrets::key_hash;
use loyalty_store::{Role, Store};
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;

#[derive(Debug, Deserialize)]
pub struct SignIn {
    #[serde(default)]
    key: String,
    #[serde(default)]
    csrf: String,
}

#[derive(Debug, Deserialize)]
pub struct SignOut {
    #[serde(default)]
    csrf: String,
}

pub async fn form<S: Store>(State(web): State<Web<S>>, headers: HeaderMap) -> Response {
    if session::current(&web, CONSOLE, &headers).await.is_some() {
        return see_other("/console/", &[]);
    }
    blank_form(&web, StatusCode::OK, None)
}

fn blank_form<S>(web: &Web<S>, status: StatusCode, error: Option<&str>) -> Response {
    let Ok(csrf) = random_hex() else {
        return web.renderer.page(StatusCode::INTERNAL_SERVER_ERROR, "message.html", json!({"title": "Not done", "message": "The server could not make a form token; try again.", "back": "/console/sign-in"}));
    };
    let mut page = web.renderer.page(status, "console/sign_in.html", json!({"csrf": csrf, "error": error}));
    if let Ok(cookie) = session::sign_in_csrf(web, &csrf).parse() {
        page.headers_mut().append(SET_COOKIE, cookie);
    }
    page
}

pub async fn submit<S: Store>(
    State(web): State<Web<S>>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<SignIn>,
) -> Response {
    let expected = session::cookie(&headers, SIGN_IN_CSRF).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq::constant_time_eq(expected.as_bytes(), form.csrf.as_bytes()) {
        return blank_form(&web, StatusCode::FORBIDDEN, Some("The form was out of date; sign in again."));
    }
    let key = form.key.trim();
    // The API judges the key, so that a refused one is counted as at the API.
    if let Err(refusal) = web.api.get_for(key, "/v1/program", address).await {
        let said = match refusal.code.as_str() {
            "unauthorized" => "This key is not valid: unknown, revoked or expired.",
            "rate_limited" => "Too many failed sign-ins from here; wait a minute and try again.",
            _ => refusal.message.as_str(),
        };
        return blank_form(&web, refusal.status, Some(said));
    }
    let now = web.state.clock.now();
    let Ok(Some(found)) = web.state.store.api_key(&key_hash(key), now).await else {
        return blank_form(
            &web,
            StatusCode::UNAUTHORIZED,
            Some("This key is not valid: unknown, revoked or expired."),
        );
    };
    if !matches!(found.role, Role::Admin | Role::Read) {
        let said = format!("The console takes an admin or read key; this is a {} key.", found.role.as_str());
        return blank_form(&web, StatusCode::FORBIDDEN, Some(&said));
    }
    let started = async {
        let program_now = web.state.clock.now_for(found.program_id);
        let session = Session {
            bearer: key.to_owned(),
            role: found.role.as_str().to_owned(),
            who: found.name.clone(),
            program: found.program_id.0,
            csrf: random_hex()?,
            expires_at: program_now.checked_add_micros(CONSOLE_SECONDS * 1_000_000).unwrap_or(program_now),
        };
        session::start(&web, CONSOLE, &session).await
    };
    match started.await {
        Ok(cookie) => see_other("/console/", &[cookie, session::end_sign_in_csrf(&web)]),
        Err(_) => blank_form(
            &web,
            StatusCode::INTERNAL_SERVER_ERROR,
            Some("The session could not be started; try again."),
        ),
    }
}

pub async fn sign_out<S: Store>(
    State(web): State<Web<S>>,
    headers: HeaderMap,
    Form(form): Form<SignOut>,
) -> Response {
    match session::current(&web, CONSOLE, &headers).await {
        Some(session) if !session.csrf_matches(&form.csrf) => web.renderer.page(
            StatusCode::FORBIDDEN,
            "message.html",
            json!({"title": "Not signed out", "message": "The sign-out form did not come from this console.", "back": "/console/"}),
        ),
        _ => see_other("/console/sign-in", &[session::end(&web, CONSOLE)]),
    }
}

/// The client's address, when the server was started to know it.
#[derive(Debug)]
pub struct ClientAddress(Option<SocketAddr>);

impl<S: Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ClientAddress, Self::Rejection> {
        Ok(ClientAddress(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)))
    }
}

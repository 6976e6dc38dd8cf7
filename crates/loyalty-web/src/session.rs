//! Sessions: a cookie holding the session sealed (PASETO v4.local, see
//! `loyalty_server::sealed`) under the program's rotating secret: the bearer the pages
//! call the API with, the role it had at sign-in, a CSRF token and when it ends. The
//! cookie is HttpOnly and SameSite=Strict; every form carries the CSRF token and every
//! post is refused without it. The API checks the bearer on every call, so a revoked key
//! or token ends its session at the next page.

use crate::web::Web;
use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use cookie::{Cookie, SameSite};
use loyalty_core::Timestamp;
use loyalty_server::sealed;
use loyalty_store::Store;
use serde::{Deserialize, Serialize};

/// The console's cookie and what its sessions are sealed for.
pub const CONSOLE: Kind =
    Kind { cookie: "loyalty_console", path: "/console", purpose: b"loyalty-engine console session" };
/// The portal's.
pub const PORTAL: Kind =
    Kind { cookie: "loyalty_portal", path: "/portal", purpose: b"loyalty-engine portal session" };
/// The cookie that carries the sign-in form's CSRF token before there is a session.
pub const SIGN_IN_CSRF: &str = "loyalty_sign_in";
/// How long a console session lasts.
pub const CONSOLE_SECONDS: i64 = 8 * 3600;

#[derive(Debug, Clone, Copy)]
pub struct Kind {
    cookie: &'static str,
    path: &'static str,
    purpose: &'static [u8],
}

#[derive(Clone, Serialize, Deserialize)]
pub struct Session {
    /// The API key (console) or member token (portal) the pages call the API with.
    pub bearer: String,
    /// The key's role at sign-in (console), or `member` (portal).
    pub role: String,
    /// The key's name, or the member's external id.
    pub who: String,
    /// The program's id.
    pub program: i64,
    pub csrf: String,
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The bearer is a key or a token, the CSRF token a secret too: neither in logs.
        f.debug_struct("Session")
            .field("role", &self.role)
            .field("who", &self.who)
            .field("program", &self.program)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Whether the session may write (a console session of an admin key, or a member).
    pub fn writes(&self) -> bool {
        self.role == "admin" || self.role == "member"
    }

    /// Whether `sent` is this session's CSRF token.
    pub fn csrf_matches(&self, sent: &str) -> bool {
        constant_time_eq::constant_time_eq(self.csrf.as_bytes(), sent.as_bytes())
    }
}

/// The value of cookie `name` in the request, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The request's session of `kind`, if it has one that opens and has not ended.
pub async fn current<S: Store>(web: &Web<S>, kind: Kind, headers: &HeaderMap) -> Option<Session> {
    let sealed_text = cookie(headers, kind.cookie)?;
    let opened = sealed::open::<S, Session>(&web.state, kind.purpose, sealed_text).await;
    let (session, secret) = match opened {
        Ok(Some(found)) => found,
        Ok(None) => return None,
        Err(e) => {
            tracing::warn!(error = e.code(), "a session could not be opened");
            return None;
        }
    };
    let now = web.state.clock.now_for(secret.program_id);
    (session.program == secret.program_id.0 && session.expires_at > now).then_some(session)
}

/// A `Set-Cookie` value that starts `session`.
pub async fn start<S: Store>(
    web: &Web<S>,
    kind: Kind,
    session: &Session,
) -> Result<String, loyalty_server::error::ApiError> {
    let program = loyalty_store::ProgramId(session.program);
    let value = sealed::seal(&web.state, program, kind.purpose, session).await?;
    let now = web.state.clock.now_for(program);
    let seconds = (session.expires_at.as_micros() - now.as_micros()) / 1_000_000;
    Ok(set_cookie(web, kind.cookie, kind.path, value, seconds))
}

/// A `Set-Cookie` value that ends the session of `kind`.
pub fn end<S>(web: &Web<S>, kind: Kind) -> String {
    set_cookie(web, kind.cookie, kind.path, String::new(), 0)
}

/// A `Set-Cookie` value for the sign-in form's CSRF token.
pub fn sign_in_csrf<S>(web: &Web<S>, token: &str) -> String {
    set_cookie(web, SIGN_IN_CSRF, CONSOLE.path, token.to_owned(), 3600)
}

/// A `Set-Cookie` value that drops the sign-in form's CSRF token, once signed in.
pub fn end_sign_in_csrf<S>(web: &Web<S>) -> String {
    set_cookie(web, SIGN_IN_CSRF, CONSOLE.path, String::new(), 0)
}

fn set_cookie<S>(
    web: &Web<S>,
    name: &'static str,
    path: &'static str,
    value: String,
    seconds: i64,
) -> String {
    Cookie::build((name, value))
        .path(path)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(web.settings.secure_cookies)
        .max_age(cookie::time::Duration::seconds(seconds.max(0)))
        .build()
        .to_string()
}

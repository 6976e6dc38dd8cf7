//! Who may see and do what in the console: a page needs a session ([`Staff`]); a form
//! that changes something needs a session whose CSRF token it carries and whose key may
//! write ([`Change`]). A refusal is a page that says why.

use crate::api::Refusal;
use crate::page::see_other;
use crate::session::{self, CONSOLE, Session};
use crate::web::Web;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use axum_extra::extract::Form;
use loyalty_store::Store;
use serde::de::DeserializeOwned;
use serde_json::json;

/// The signed-in staff member's session; without one, the way to the sign-in page.
#[derive(Debug)]
pub struct Staff(pub Session);

impl<S: Store> FromRequestParts<Web<S>> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, web: &Web<S>) -> Result<Staff, Response> {
        match session::current(web, CONSOLE, &parts.headers).await {
            Some(session) => Ok(Staff(session)),
            None => Err(see_other("/console/sign-in", &[])),
        }
    }
}

/// A form that carries the session's CSRF token, in its field `csrf`.
pub trait Posted {
    fn csrf(&self) -> &str;
}

/// Implements [`Posted`] for forms with a `csrf` field.
macro_rules! posted {
    ($($form:ty),+ $(,)?) => {
        $(impl crate::console::access::Posted for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })+
    };
}
pub(crate) use posted;

/// A form that changes something, with the session that sent it: refused unless it
/// carries the session's CSRF token and the session's key may write.
#[derive(Debug)]
pub struct Change<T>(pub Session, pub T);

impl<S: Store, T: Posted + DeserializeOwned + Send> FromRequest<Web<S>> for Change<T> {
    type Rejection = Response;

    async fn from_request(request: Request, web: &Web<S>) -> Result<Change<T>, Response> {
        let (mut parts, body) = request.into_parts();
        let Staff(session) = Staff::from_request_parts(&mut parts, web).await?;
        let Form(form) =
            Form::<T>::from_request(Request::from_parts(parts, body), web).await.map_err(|e| {
                refused(web, StatusCode::UNPROCESSABLE_ENTITY, &format!("The form could not be read: {e}"))
            })?;
        match form_refused(web, &session, form.csrf(), true) {
            Some(refusal) => Err(refusal),
            None => Ok(Change(session, form)),
        }
    }
}

/// The refusal of a form posted with `csrf` from `session`, if it is refused: the token
/// must be the session's, and a form that writes needs a session that may.
pub fn form_refused<S>(web: &Web<S>, session: &Session, csrf: &str, writes: bool) -> Option<Response> {
    if !session.csrf_matches(csrf) {
        return Some(refused(
            web,
            StatusCode::FORBIDDEN,
            "This form is out of date or did not come from the console. Open the page again and resend it.",
        ));
    }
    if writes && !session.writes() {
        return Some(refused(web, StatusCode::FORBIDDEN, "Your key reads only; changes need an admin key."));
    }
    None
}

/// A page that says why the API refused, or the way to sign in again if the key itself
/// was refused (revoked, expired).
pub fn failed<S: Store>(web: &Web<S>, refusal: &Refusal) -> Response {
    if refusal.signed_out() {
        return see_other("/console/sign-in", &[session::end(web, CONSOLE)]);
    }
    refused(web, refusal.status, &refusal.message)
}

/// Where a change form leads: to `then` once the API has made the change, or to the page
/// saying why it did not.
pub fn after<S: Store, T>(web: &Web<S>, outcome: Result<T, Refusal>, then: &str) -> Response {
    match outcome {
        Ok(_) => see_other(then, &[]),
        Err(refusal) => failed(web, &refusal),
    }
}

fn refused<S>(web: &Web<S>, status: StatusCode, message: &str) -> Response {
    web.renderer.page(
        status,
        "message.html",
        json!({"title": "Not done", "message": message, "back": "/console/"}),
    )
}

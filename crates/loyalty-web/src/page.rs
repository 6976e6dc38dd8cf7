//! What every page shows around its own content: the program's name, points name,
//! currency and time zone, and who is signed in.

use crate::session::Session;
use crate::web::Web;
use axum::http::StatusCode;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use loyalty_store::{ProgramId, Store};
use serde_json::{Value, json};

/// The program as pages name it; `null` fields if this server does not serve it (it was
/// made elsewhere and not asked for yet: the next API call loads it).
pub fn program<S: Store>(web: &Web<S>, program: i64) -> Value {
    let Some(versions) = web.state.programs.get(ProgramId(program)) else {
        return json!({"tiers": [], "name": "", "code": "", "points_name": "points", "currency": {"code": "XXX", "minor_digits": 0}, "time_zone": "UTC"});
    };
    let latest = &versions.latest().program;
    let tiers: Vec<Value> = latest
        .definition()
        .tiers
        .levels
        .iter()
        .map(|t| json!({"code": t.code, "name": t.name, "threshold": t.threshold}))
        .collect();
    json!({
        "tiers": tiers,
        "name": latest.name(),
        "code": latest.code(),
        "points_name": latest.points_name(),
        "currency": {"code": latest.currency().code(), "minor_digits": latest.currency().minor_digits()},
        "time_zone": latest.definition().time_zone,
    })
}

/// The context every page of a session starts from; a page adds its own fields.
pub fn context<S: Store>(web: &Web<S>, session: &Session, section: &str) -> Value {
    json!({
        "program": program(web, session.program),
        "me": {"who": session.who, "role": session.role, "writes": session.writes(), "csrf": session.csrf},
        "section": section,
    })
}

/// `base` with `extra`'s fields added (or replaced).
pub fn with(mut base: Value, extra: Value) -> Value {
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}

/// A `303 See Other` to `location`, setting `cookies`.
pub fn see_other(location: &str, cookies: &[String]) -> Response {
    let mut response = (StatusCode::SEE_OTHER, [(LOCATION, location.to_owned())]).into_response();
    for cookie in cookies {
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

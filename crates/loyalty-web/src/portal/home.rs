//! The member's page: balance and next expiry, tier and progress, the rewards (affordable
//! first, the others with the points still needed), their codes and their history; and
//! redeeming a reward, which shows the code with a QR code for the till.

use super::{failed, member, member_form, survey};
use crate::api::{Refusal, escape};
use crate::page::with;
use crate::session::Session;
use crate::web::Web;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use loyalty_store::Store;
use qrcode::QrCode;
use qrcode::render::svg;
use serde::Deserialize;
use serde_json::{Value, json};

pub async fn show<S: Store>(web: &Web<S>, headers: &HeaderMap, done: Option<&str>) -> Response {
    let session = match member(web, headers).await {
        Ok(session) => session,
        Err(away) => return away,
    };
    match home(web, &session, None, done).await {
        Ok(page) => page,
        Err(refusal) => failed(web, &refusal),
    }
}

async fn home<S: Store>(
    web: &Web<S>,
    session: &Session,
    error: Option<&str>,
    done: Option<&str>,
) -> Result<Response, Refusal> {
    let base = format!("/v1/members/{}", escape(&session.who));
    let read = |suffix: &'static str| {
        let path = format!("{base}{suffix}");
        async move { web.api.get(&session.bearer, &path).await }
    };
    let (profile, rewards, codes, history) =
        tokio::join!(read(""), read("/rewards"), read("/codes"), read("/history"));
    let (achievements, streaks, boards, surveys) =
        tokio::join!(read("/achievements"), read("/streaks"), read("/leaderboards"), read("/surveys"));
    let (profile, rewards, codes, history) = (profile?, rewards?, codes?, history?);
    let (achievements, streaks, boards, surveys) = (achievements?, streaks?, boards?, surveys?);
    let page = json!({
        "member": profile,
        "rewards": ordered(&rewards),
        "codes": codes["codes"],
        "history": history["history"],
        "achievements": achievements["achievements"],
        "streaks": streaks["streaks"],
        "boards": boards["leaderboards"],
        "survey": survey::due(&surveys),
        "error": error,
        "done": done,
    });
    Ok(web.renderer.page(StatusCode::OK, "portal/home.html", with(context(web, session), page)))
}

fn context<S: Store>(web: &Web<S>, session: &Session) -> Value {
    // The earning rules, for "ways to earn": the definition the API would show.
    let earning = web
        .state
        .programs
        .get(loyalty_store::ProgramId(session.program))
        .and_then(|v| serde_json::to_value(&v.latest().program.definition().earning).ok())
        .unwrap_or_else(|| json!([]));
    json!({"program": crate::page::program(web, session.program), "csrf": session.csrf, "earning": earning})
}

/// Rewards the member can afford now first (cheapest first), then the others with the
/// points each still needs.
fn ordered(rewards: &Value) -> Vec<Value> {
    let available = rewards["balance"]["available"].as_i64().unwrap_or(0);
    let mut listed: Vec<Value> = rewards["rewards"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|r| r["available_now"] == true)
                .map(|r| {
                    let cost = r["points_cost"].as_i64().unwrap_or(0);
                    let mut r = r.clone();
                    r["still_needed"] = json!((cost - available).max(0));
                    r
                })
                .collect()
        })
        .unwrap_or_default();
    listed.sort_by_key(|r| (r["affordable"] != true, r["points_cost"].as_i64().unwrap_or(0)));
    listed
}

#[derive(Debug, Deserialize)]
pub struct Redeem {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reward: String,
}

pub async fn redeem<S: Store>(
    State(web): State<Web<S>>,
    headers: HeaderMap,
    Form(form): Form<Redeem>,
) -> Response {
    let session = match member_form(&web, &headers, &form.csrf).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let path = format!("/v1/members/{}/redemptions", escape(&session.who));
    match web.api.post(&session.bearer, &path, &json!({"reward": form.reward})).await {
        Ok(redeemed) => {
            let code = redeemed["code"].as_str().unwrap_or_default();
            // Drawn here from the code alone; the template marks it `safe`.
            let page = json!({"redeemed": redeemed, "qr": qr(code)});
            web.renderer.page(StatusCode::OK, "portal/redeemed.html", with(context(&web, &session), page))
        }
        Err(refusal) if !refusal.signed_out() => {
            match home(&web, &session, Some(&refusal.message), None).await {
                Ok(mut page) => {
                    *page.status_mut() = refusal.status;
                    page
                }
                Err(refusal) => failed(&web, &refusal),
            }
        }
        Err(refusal) => failed(&web, &refusal),
    }
}

#[derive(Debug, Deserialize)]
pub struct OptIn {
    #[serde(default)]
    csrf: String,
    /// `yes` to show the member on the boards, anything else to take them off.
    #[serde(default)]
    show: String,
}

/// Opts the member in to the leaderboards, or out.
pub async fn leaderboards<S: Store>(
    State(web): State<Web<S>>,
    headers: HeaderMap,
    Form(form): Form<OptIn>,
) -> Response {
    let session = match member_form(&web, &headers, &form.csrf).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let path = format!("/v1/members/{}", escape(&session.who));
    match web.api.patch(&session.bearer, &path, &json!({"leaderboard_opt_in": form.show == "yes"})).await {
        Ok(_) => crate::page::see_other("/portal/#boards-title", &[]),
        Err(refusal) => failed(&web, &refusal),
    }
}

/// The code as a QR code the till can scan: an SVG drawn here, no image fetched.
fn qr(code: &str) -> String {
    match QrCode::new(code.as_bytes()) {
        Ok(qr) => qr.render::<svg::Color<'_>>().min_dimensions(180, 180).quiet_zone(true).build(),
        Err(_) => String::new(),
    }
}

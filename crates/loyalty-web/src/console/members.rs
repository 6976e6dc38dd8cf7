//! Members: search and filters, a member's page, and what staff do to a member (adjust,
//! change status, hand out a portal link), each a call of the API.

use super::{Change, Staff, after, failed, posted};
use crate::api::escape;
use crate::page::{context, see_other, with};
use crate::web::Web;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use futures_util::future::join_all;
use loyalty_core::insight::segment::Segment;
use loyalty_core::state::MemberStatus;
use loyalty_store::Store;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Default, Deserialize)]
pub struct Search {
    #[serde(default)]
    q: String,
    #[serde(default)]
    tier: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    segment: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    cursor: String,
}

impl Search {
    /// The query string of this search, with `cursor` for its page.
    fn query(&self, cursor: &str) -> String {
        [
            ("q", &self.q),
            ("tier", &self.tier),
            ("status", &self.status),
            ("segment", &self.segment),
            ("tag", &self.tag),
        ]
        .into_iter()
        .map(|(name, value)| (name, value.trim()))
        .chain(std::iter::once(("cursor", cursor)))
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", escape(value)))
        .collect::<Vec<_>>()
        .join("&")
    }
}

pub async fn list<S: Store>(
    State(web): State<Web<S>>,
    Staff(session): Staff,
    Query(search): Query<Search>,
) -> Response {
    let found =
        match web.api.get(&session.bearer, &format!("/v1/members?{}", search.query(&search.cursor))).await {
            Ok(found) => found,
            Err(refusal) => return failed(&web, &refusal),
        };
    let next =
        found["next_cursor"].as_str().map(|cursor| format!("/console/members?{}", search.query(cursor)));
    let page = json!({
        "members": found["members"],
        "next": next,
        "search": {"q": search.q, "tier": search.tier, "status": search.status, "segment": search.segment, "tag": search.tag},
        "statuses": MemberStatus::ALL.map(MemberStatus::as_str),
        "segments": Segment::ALL.map(Segment::as_str),
    });
    web.renderer.page(StatusCode::OK, "console/members.html", with(context(&web, &session, "members"), page))
}

#[derive(Debug, Deserialize)]
pub struct Enrol {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
}

/// Enrols a member from the form (blank name or email left out) and opens their page.
pub async fn enrol<S: Store>(State(web): State<Web<S>>, Change(session, form): Change<Enrol>) -> Response {
    let mut body = json!({"external_id": form.external_id.trim()});
    for (field, value) in [("name", form.name.trim()), ("email", form.email.trim())] {
        if !value.is_empty() {
            body[field] = json!(value);
        }
    }
    match web.api.post(&session.bearer, "/v1/members", &body).await {
        Ok(_) => {
            see_other(&format!("/console/members/{}?done=enrolled", escape(form.external_id.trim())), &[])
        }
        Err(refusal) => failed(&web, &refusal),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Shown {
    /// What the last action did, to say so at the top.
    #[serde(default)]
    done: String,
}

pub async fn show<S: Store>(
    State(web): State<Web<S>>,
    Staff(session): Staff,
    Path(id): Path<String>,
    Query(shown): Query<Shown>,
) -> Response {
    let base = format!("/v1/members/{}", escape(&id));
    let api = &web.api;
    let bearer = session.bearer.as_str();
    const PARTS: [&str; 8] =
        ["", "/ledger?limit=50", "/tiers", "/history", "/codes", "/offers", "/achievements", "/streaks"];
    let read = PARTS.map(|suffix| {
        let path = format!("{base}{suffix}");
        async move { api.get(bearer, &path).await }
    });
    let parts = match join_all(read).await.into_iter().collect::<Result<Vec<_>, _>>() {
        Ok(parts) => parts,
        Err(refusal) => return failed(&web, &refusal),
    };
    let [member, ledger, tiers, history, codes, offers, achievements, streaks] = &parts[..] else {
        return failed(&web, &crate::api::Refusal::invalid("the member's page could not be read whole"));
    };
    let page = json!({
        "member": member,
        "entries": running_balance(member, ledger),
        "more_entries": ledger["next_cursor"].is_string(),
        "tiers": tiers,
        "history": history["history"],
        "codes": codes["codes"],
        "offers": offers["offers"],
        "achievements": achievements["achievements"],
        "streaks": streaks["streaks"],
        "done": shown.done,
        "portal_link": Value::Null,
    });
    web.renderer.page(StatusCode::OK, "console/member.html", with(context(&web, &session, "members"), page))
}

/// The ledger's entries, newest first, each with what it did to the available balance and
/// the balance after it: counted back from the member's balance now.
fn running_balance(member: &Value, ledger: &Value) -> Vec<Value> {
    let mut after = member["balance"]["available"].as_i64().unwrap_or(0);
    let empty = Vec::new();
    let entries = ledger["entries"].as_array().unwrap_or(&empty);
    entries
        .iter()
        .map(|entry| {
            let change: i64 = entry["postings"]
                .as_array()
                .unwrap_or(&empty)
                .iter()
                .filter(|p| p["account"] == "member:available")
                .filter_map(|p| p["amount"].as_i64())
                .sum();
            let row = json!({
                "entry": entry["entry"], "kind": entry["kind"], "reference": entry["reference"],
                "occurred_at": entry["occurred_at"], "change": change, "balance": after,
                "postings": entry["postings"], "explanation": entry.get("explanation"),
            });
            after -= change;
            row
        })
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct Adjust {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    points: String,
    #[serde(default)]
    reason: String,
}

pub async fn adjust<S: Store>(
    State(web): State<Web<S>>,
    Path(id): Path<String>,
    Change(session, form): Change<Adjust>,
) -> Response {
    let Ok(points) = form.points.trim().parse::<i64>() else {
        return failed(
            &web,
            &crate::api::Refusal::invalid("Points must be a whole number, such as 50 or -20."),
        );
    };
    let body = json!({"points": points, "reason": form.reason.trim()});
    after(
        &web,
        web.api.post(&session.bearer, &format!("/v1/members/{}/adjustments", escape(&id)), &body).await,
        &format!("/console/members/{}?done=adjusted", escape(&id)),
    )
}

#[derive(Debug, Deserialize)]
pub struct StatusChange {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

pub async fn status<S: Store>(
    State(web): State<Web<S>>,
    Path(id): Path<String>,
    Change(session, form): Change<StatusChange>,
) -> Response {
    let reason = Some(form.reason.trim()).filter(|r| !r.is_empty());
    let body = json!({"action": form.action, "reason": reason});
    after(
        &web,
        web.api.post(&session.bearer, &format!("/v1/members/{}/status", escape(&id)), &body).await,
        &format!("/console/members/{}?done=status", escape(&id)),
    )
}

#[derive(Debug, Deserialize)]
pub struct Review {
    #[serde(default)]
    csrf: String,
    /// `release` or `void`.
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// Releases or voids the points held for review.
pub async fn review<S: Store>(
    State(web): State<Web<S>>,
    Path(id): Path<String>,
    Change(session, form): Change<Review>,
) -> Response {
    let decision = match form.decision.as_str() {
        "release" | "void" => form.decision.as_str(),
        _ => return failed(&web, &crate::api::Refusal::invalid("Choose to release or to void the points.")),
    };
    let path = format!("/v1/members/{}/review/{decision}", escape(&id));
    after(
        &web,
        web.api.post(&session.bearer, &path, &json!({"reason": form.reason.trim()})).await,
        &format!("/console/members/{}?done=reviewed", escape(&id)),
    )
}

#[derive(Debug, Deserialize)]
pub struct PortalLink {
    #[serde(default)]
    csrf: String,
}

/// A member token made now, shown as the portal link to hand the member.
pub async fn portal_link<S: Store>(
    State(web): State<Web<S>>,
    Path(id): Path<String>,
    Change(session, _): Change<PortalLink>,
) -> Response {
    match web.api.post(&session.bearer, &format!("/v1/members/{}/tokens", escape(&id)), &json!({})).await {
        Ok(made) => {
            let token = made["token"].as_str().unwrap_or_default();
            let page = json!({
                "title": "Portal link",
                "message": "Send the member this link; it opens their page and works until it expires.",
                "link": format!("/portal/?token={}", escape(token)),
                "expires_at": made["expires_at"],
                "back": format!("/console/members/{}", escape(&id)),
            });
            web.renderer.page(StatusCode::OK, "message.html", with(context(&web, &session, "members"), page))
        }
        Err(refusal) => failed(&web, &refusal),
    }
}

posted!(Adjust, Enrol, PortalLink, Review, StatusChange);

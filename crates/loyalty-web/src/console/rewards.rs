//! Rewards: the catalogue with cost, stock and codes issued; and a reward code looked up
//! as the till checks it.

use super::{Change, Staff, after, failed, posted};
use crate::api::Refusal;
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
pub struct Lookup {
    #[serde(default)]
    code: String,
    #[serde(default)]
    done: String,
}

pub async fn list<S: Store>(
    State(web): State<Web<S>>,
    Staff(session): Staff,
    Query(lookup): Query<Lookup>,
) -> Response {
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
    let page = json!({
        "rewards": catalogue["rewards"], "code": code, "found": found, "not_found": not_found, "done": lookup.done,
    });
    web.renderer.page(StatusCode::OK, "console/rewards.html", with(context(&web, &session, "rewards"), page))
}

/// A reward as the form gives it: text fields, blank when left empty.
#[derive(Debug, Default, Deserialize)]
pub struct NewReward {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    points_cost: String,
    #[serde(default)]
    amount_minor: String,
    #[serde(default)]
    sku: String,
    #[serde(default)]
    stock: String,
}

impl NewReward {
    fn body(&self) -> Result<Value, Refusal> {
        let number = |field: &str, text: &str| -> Result<Option<i64>, Refusal> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            text.parse()
                .map(Some)
                .map_err(|_| Refusal::invalid(format!("{field} must be a whole number; it was `{text}`.")))
        };
        let mut body = json!({"code": self.code.trim(), "name": self.name.trim(), "kind": self.kind.trim()});
        body["points_cost"] = json!(number("points_cost", &self.points_cost)?);
        for (field, value) in [("amount_minor", &self.amount_minor), ("stock", &self.stock)] {
            if let Some(n) = number(field, value)? {
                body[field] = json!(n);
            }
        }
        if !self.sku.trim().is_empty() {
            body["sku"] = json!(self.sku.trim());
        }
        Ok(body)
    }
}

/// Adds a reward to the catalogue: a new program version.
pub async fn create<S: Store>(
    State(web): State<Web<S>>,
    Change(session, form): Change<NewReward>,
) -> Response {
    let made = match form.body() {
        Ok(body) => web.api.post(&session.bearer, "/v1/rewards", &body).await,
        Err(refusal) => Err(refusal),
    };
    after(&web, made, "/console/rewards?done=added")
}

/// A reward's edit form: the fields it shows filled in.
#[derive(Debug, Default, Deserialize)]
pub struct RewardEdit {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    points_cost: String,
    #[serde(default)]
    stock: String,
}

impl RewardEdit {
    /// The changes as the API takes them; a stock emptied in the form is taken away
    /// (unlimited).
    fn body(&self) -> Result<Value, Refusal> {
        let whole = |field: &str, text: &str| -> Result<i64, Refusal> {
            text.parse()
                .map_err(|_| Refusal::invalid(format!("{field} must be a whole number; it was `{text}`.")))
        };
        let stock = match self.stock.trim() {
            "" => Value::Null,
            text => json!(whole("stock", text)?),
        };
        Ok(json!({
            "name": self.name.trim(),
            "points_cost": whole("points_cost", self.points_cost.trim())?,
            "stock": stock,
        }))
    }
}

/// Changes a reward's name, cost or stock: a new program version.
pub async fn edit<S: Store>(
    State(web): State<Web<S>>,
    Path(code): Path<String>,
    Change(session, form): Change<RewardEdit>,
) -> Response {
    let changed = match form.body() {
        Ok(body) => web.api.patch(&session.bearer, &format!("/v1/rewards/{}", escape(&code)), &body).await,
        Err(refusal) => Err(refusal),
    };
    after(&web, changed, "/console/rewards?done=changed")
}

#[derive(Debug, Default, Deserialize)]
pub struct Archive {
    #[serde(default)]
    csrf: String,
}

/// Archives a reward: no more redemptions; codes issued stay valid.
pub async fn archive<S: Store>(
    State(web): State<Web<S>>,
    Path(code): Path<String>,
    Change(session, _): Change<Archive>,
) -> Response {
    after(
        &web,
        web.api.delete(&session.bearer, &format!("/v1/rewards/{}", escape(&code))).await,
        "/console/rewards?done=archived",
    )
}

posted!(Archive, NewReward, RewardEdit);

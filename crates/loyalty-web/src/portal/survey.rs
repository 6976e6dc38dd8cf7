//! The survey a member is asked on their page when one is due (the API says which: the
//! program's `once` and `cooldown_days` rules), and their answer, which earns its points.

use super::{failed, member_form};
use crate::api::escape;
use crate::page::see_other;
use crate::web::Web;
use axum::Form;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use loyalty_store::Store;
use serde::Deserialize;
use serde_json::{Value, json};

/// The survey to ask now, from `GET /v1/members/{id}/surveys`: an NPS survey before
/// others, as that is the one a program reports on; none if nothing is due.
pub fn due(surveys: &Value) -> Option<Value> {
    let due: Vec<&Value> = surveys["surveys"]
        .as_array()
        .map(|all| all.iter().filter(|s| s["due"] == true).collect())
        .unwrap_or_default();
    due.iter().find(|s| s["kind"] == "nps").or_else(|| due.first()).map(|s| (*s).clone())
}

#[derive(Debug, Deserialize)]
pub struct Answer {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    survey: String,
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: String,
}

pub async fn answer<S: Store>(
    State(web): State<Web<S>>,
    headers: HeaderMap,
    Form(form): Form<Answer>,
) -> Response {
    let session = match member_form(&web, &headers, &form.csrf).await {
        Ok(session) => session,
        Err(refused) => return refused,
    };
    let Ok(score) = form.score.trim().parse::<i64>() else {
        return failed(&web, &crate::api::Refusal::invalid("Choose a score before sending."));
    };
    let comment = Some(form.comment.trim()).filter(|c| !c.is_empty());
    let path = format!("/v1/members/{}/survey-responses", escape(&session.who));
    let body = json!({"survey": form.survey, "score": score, "comment": comment});
    match web.api.post(&session.bearer, &path, &body).await {
        Ok(_) => see_other("/portal/?done=survey", &[]),
        Err(refusal) => failed(&web, &refusal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_nps_survey_is_asked_before_others_and_only_a_due_one() {
        let surveys = json!({"surveys": [
            {"code": "welcome", "kind": "csat", "due": true},
            {"code": "after-order", "kind": "nps", "due": true},
            {"code": "yearly", "kind": "nps", "due": false},
        ]});
        assert_eq!(due(&surveys).unwrap()["code"], "after-order");
        let only_csat = json!({"surveys": [
            {"code": "welcome", "kind": "csat", "due": true},
            {"code": "after-order", "kind": "nps", "due": false},
        ]});
        assert_eq!(due(&only_csat).unwrap()["code"], "welcome");
        assert_eq!(due(&json!({"surveys": [{"code": "x", "kind": "nps", "due": false}]})), None);
        assert_eq!(due(&json!({"surveys": []})), None);
    }
}

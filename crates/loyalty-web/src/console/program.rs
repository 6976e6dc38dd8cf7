//! The program: the version in force, every version with a diff between any two, and an
//! editor for the next one. A draft is checked as `loyalty program check` checks a file
//! (as you type, with htmx), previewed on a basket against the version in force, and
//! written only by "Publish" (`PUT /v1/program`).

use super::{Staff, after, failed, form_refused};
use crate::page::{context, with};
use crate::preview;
use crate::web::Web;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use loyalty_core::program::ProgramDef;
use loyalty_store::{ProgramId, Store};
use serde::Deserialize;
use serde_json::{Value, json};
use similar::TextDiff;

#[derive(Debug, Default, Deserialize)]
pub struct Compare {
    a: Option<i64>,
    b: Option<i64>,
    #[serde(default)]
    done: String,
}

/// A definition as the TOML of a program file.
fn toml_of(definition: &Value) -> String {
    serde_json::from_value::<ProgramDef>(definition.clone())
        .ok()
        .and_then(|def| toml::to_string(&def).ok())
        .unwrap_or_else(|| "# this version cannot be shown as TOML\n".to_owned())
}

pub async fn show<S: Store>(
    State(web): State<Web<S>>,
    Staff(session): Staff,
    Query(compare): Query<Compare>,
) -> Response {
    let versions = match web.api.get(&session.bearer, "/v1/program/versions").await {
        Ok(found) => found["versions"].as_array().cloned().unwrap_or_default(),
        Err(refusal) => return failed(&web, &refusal),
    };
    let latest = versions.last().map(|v| toml_of(&v["definition"])).unwrap_or_default();
    let page = editor(&versions, &compare, &latest, "", json!(null));
    let page = with(page, json!({"done": compare.done}));
    web.renderer.page(StatusCode::OK, "console/program.html", with(context(&web, &session, "program"), page))
}

/// The page's own fields: versions, the diff asked for, the draft and what was made of it.
fn editor(versions: &[Value], compare: &Compare, draft: &str, basket: &str, outcome: Value) -> Value {
    let number = |v: &Value| v["version"].as_i64().unwrap_or(0);
    let newest = versions.last().map(number).unwrap_or(0);
    let (a, b) = (compare.a.unwrap_or(newest - 1), compare.b.unwrap_or(newest));
    let text = |n: i64| versions.iter().find(|v| number(v) == n).map(|v| toml_of(&v["definition"]));
    let diff: Vec<Value> = match (text(a), text(b)) {
        (Some(old), Some(new)) => {
            let unified = TextDiff::from_lines(&old, &new)
                .unified_diff()
                .header(&format!("version {a}"), &format!("version {b}"))
                .to_string();
            unified.lines().map(|line| json!({"kind": diff_kind(line), "text": line})).collect()
        }
        _ => Vec::new(),
    };
    let listed: Vec<Value> = versions
        .iter()
        .rev()
        .map(|v| json!({"version": v["version"], "effective_from": v["effective_from"]}))
        .collect();
    json!({"versions": listed, "a": a, "b": b, "diff": diff, "draft": draft, "basket": basket, "outcome": outcome, "done": ""})
}

/// How a line of a unified diff is marked: `added`, `removed`, or `same` (context and
/// headers).
fn diff_kind(line: &str) -> &'static str {
    match line.as_bytes() {
        [b'+', b'+', b'+', ..] | [b'-', b'-', b'-', ..] => "same",
        [b'+', ..] => "added",
        [b'-', ..] => "removed",
        _ => "same",
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Draft {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    toml: String,
    #[serde(default)]
    basket: String,
    #[serde(default)]
    action: String,
}

/// The problems `loyalty program check` would list for the draft, each with its line.
fn problems(draft: &str) -> Result<loyalty_core::Program, Vec<String>> {
    loyalty_server::program_file::parse("draft", draft)
        .map_err(|e| e.problems.iter().map(ToString::to_string).collect())
}

/// Checks, previews or publishes the draft.
pub async fn submit<S: Store>(
    State(web): State<Web<S>>,
    Staff(session): Staff,
    Form(draft): Form<Draft>,
) -> Response {
    if let Some(refused) = form_refused(&web, &session, &draft.csrf, draft.action == "publish") {
        return refused;
    }
    if draft.action == "publish" {
        let published = web.api.put(&session.bearer, "/v1/program", "application/toml", &draft.toml).await;
        return after(&web, published, "/console/program?done=published");
    }
    let outcome = match problems(&draft.toml) {
        Err(problems) => json!({"problems": problems}),
        Ok(_) if draft.action != "preview" => json!({"valid": true}),
        Ok(program) => compare_earnings(&web, session.program, &program, &draft.basket),
    };
    let versions = match web.api.get(&session.bearer, "/v1/program/versions").await {
        Ok(found) => found["versions"].as_array().cloned().unwrap_or_default(),
        Err(refusal) => return failed(&web, &refusal),
    };
    let page = editor(&versions, &Compare::default(), &draft.toml, &draft.basket, outcome);
    web.renderer.page(StatusCode::OK, "console/program.html", with(context(&web, &session, "program"), page))
}

/// The check alone, as the fragment htmx puts under the editor while one types.
pub async fn check<S: Store>(
    State(web): State<Web<S>>,
    Staff(session): Staff,
    Form(draft): Form<Draft>,
) -> Response {
    if let Some(refused) = form_refused(&web, &session, &draft.csrf, false) {
        return refused;
    }
    let outcome = match problems(&draft.toml) {
        Err(problems) => json!({"problems": problems}),
        Ok(_) => json!({"valid": true}),
    };
    web.renderer.page(StatusCode::OK, "console/program_check.html", json!({"outcome": outcome}))
}

/// The basket's earnings under the draft and under the version in force, side by side.
fn compare_earnings<S: Store>(
    web: &Web<S>,
    program: i64,
    draft: &loyalty_core::Program,
    basket: &str,
) -> Value {
    let lines = match preview::basket(basket) {
        Ok(lines) if !lines.is_empty() => lines,
        Ok(_) => {
            return json!({"valid": true, "preview_error": "Add a basket line to preview, such as `coat, 1, 12000`."});
        }
        Err(problem) => return json!({"valid": true, "preview_error": problem}),
    };
    let Some(versions) = web.state.programs.get(ProgramId(program)) else {
        return json!({"valid": true, "preview_error": "The program in force is not loaded on this server."});
    };
    let now = web.state.clock.now_for(ProgramId(program));
    let latest = versions.latest();
    let earn = |program: &loyalty_core::Program, version: i64| match preview::purchase(
        program, version, &lines, now,
    ) {
        Ok(outcome) => json!({"outcome": outcome}),
        Err(problem) => json!({"error": problem}),
    };
    json!({
        "valid": true,
        "in_force": earn(&latest.program, latest.version),
        "draft": earn(draft, latest.version + 1),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::render::Renderer;

    #[test]
    fn a_preview_shows_each_side_s_points_line_by_line() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/programs/retail.toml");
        let program = loyalty_server::program_file::load(&path).unwrap();
        let now = loyalty_testkit::at("2026-11-02T12:00:00Z");
        let lines = preview::basket("coat, 1, 12000").unwrap();
        let earned = preview::purchase(&program, 1, &lines, now).unwrap();
        assert_eq!(earned["points_awarded"], 120, "{earned}");
        let outcome =
            json!({"valid": true, "in_force": {"outcome": earned}, "draft": {"error": "refused: no"}});
        let page = with(
            editor(&[], &Compare::default(), "id = \"retail\"", "coat, 1, 12000", outcome),
            json!({
                "program": {"name": "Club", "points_name": "points", "time_zone": "Europe/Paris", "currency": {"code": "EUR", "minor_digits": 2}},
                "me": {"who": "k", "role": "admin", "writes": true, "csrf": "c"},
                "section": "program",
            }),
        );
        let html =
            Renderer::new().render("console/program.html", page).map_err(|e| format!("{e:#}")).unwrap();
        assert!(html.contains("<td>coat × 1</td><td class=\"num\">120</td>"), "{html}");
        assert!(html.contains("<p class=\"error\">refused: no</p>"), "{html}");
    }
}

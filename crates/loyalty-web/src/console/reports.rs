//! Reports: the liability roll-forward, breakage, KPIs and donations of a period, each
//! shown as a table and downloadable as the API's CSV.

use super::{Staff, failed};
use crate::api::{Refusal, escape};
use crate::page::{context, with};
use crate::web::Web;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use loyalty_store::Store;
use serde::Deserialize;
use serde_json::json;

/// The reports the screen shows, by the name of their API route, with their titles.
const REPORTS: &[(&str, &str)] =
    &[("liability", "Liability"), ("breakage", "Breakage"), ("kpis", "KPIs"), ("donations", "Donations")];

#[derive(Debug, Default, Deserialize)]
pub struct Asked {
    #[serde(default)]
    report: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl Asked {
    /// The report asked for (liability if none), or a refusal naming the reports there are.
    fn report(&self) -> Result<&'static str, Refusal> {
        if self.report.is_empty() {
            return Ok("liability");
        }
        REPORTS.iter().map(|(name, _)| *name).find(|name| *name == self.report).ok_or_else(|| {
            Refusal::invalid(format!(
                "There is no report `{}`; the reports are {}.",
                self.report,
                REPORTS.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
            ))
        })
    }

    /// The API's path of `report` for this period, in `format`.
    fn path(&self, report: &str, format: &str) -> String {
        let mut path = format!("/v1/reports/{report}?format={format}");
        for (name, value) in [("from", self.from.trim()), ("to", self.to.trim())] {
            if !value.is_empty() {
                path.push_str(&format!("&{name}={}", escape(value)));
            }
        }
        path
    }
}

pub async fn show<S: Store>(
    State(web): State<Web<S>>,
    Staff(session): Staff,
    Query(asked): Query<Asked>,
) -> Response {
    let report = match asked.report() {
        Ok(report) => report,
        Err(refusal) => return failed(&web, &refusal),
    };
    let data = match web.api.get(&session.bearer, &asked.path(report, "json")).await {
        Ok(data) => data,
        Err(refusal) => return failed(&web, &refusal),
    };
    let download = format!(
        "/console/reports/download?report={report}&from={}&to={}",
        escape(asked.from.trim()),
        escape(asked.to.trim())
    );
    let reports: Vec<_> = REPORTS.iter().map(|(name, title)| json!({"name": name, "title": title})).collect();
    let page = json!({
        "report": report,
        "reports": reports,
        "data": data,
        "from": asked.from.trim(),
        "to": asked.to.trim(),
        "download": download,
    });
    web.renderer.page(StatusCode::OK, "console/reports.html", with(context(&web, &session, "reports"), page))
}

/// The report as the API's CSV, as a file to save.
pub async fn download<S: Store>(
    State(web): State<Web<S>>,
    Staff(session): Staff,
    Query(asked): Query<Asked>,
) -> Response {
    let report = match asked.report() {
        Ok(report) => report,
        Err(refusal) => return failed(&web, &refusal),
    };
    match web.api.get_raw(&session.bearer, &asked.path(report, "csv")).await {
        Ok((kind, body)) => {
            let file = format!("attachment; filename=\"{report}.csv\"");
            ([(CONTENT_TYPE, kind), (CONTENT_DISPOSITION, file)], body).into_response()
        }
        Err(refusal) => failed(&web, &refusal),
    }
}

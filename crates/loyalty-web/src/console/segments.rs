//! Segments: members per RFM segment with their average spend, the R × FM grid and the
//! churn-risk spread of the scored members (counted by the API), and every scored member
//! as CSV, read page by page. Figures are those of the analytics job's last run.

use super::{Staff, failed};
use crate::api::{Api, Refusal, escape};
use crate::page::{context, with};
use crate::web::Web;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use loyalty_store::Store;
use serde_json::{Value, json};

/// Members asked for per page: the most the API gives.
const PAGE: u32 = 500;

/// The segments as listed, and every scored member of each.
async fn everyone(api: &Api, bearer: &str) -> Result<(Value, Vec<(String, Value)>), Refusal> {
    let listed = api.get(bearer, "/v1/segments").await?;
    let segments = listed["segments"].as_array().cloned().unwrap_or_default();
    let members = scored(api, bearer, &segments).await?;
    Ok((listed, members))
}

/// Every scored member of every segment, with the segment's name beside each.
async fn scored(api: &Api, bearer: &str, segments: &[Value]) -> Result<Vec<(String, Value)>, Refusal> {
    let mut all = Vec::new();
    for segment in segments {
        let name = segment["name"].as_str().unwrap_or_default();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/v1/segments/{}/members?limit={PAGE}", escape(name));
            if let Some(cursor) = &cursor {
                path.push_str(&format!("&cursor={}", escape(cursor)));
            }
            let page = api.get(bearer, &path).await?;
            all.extend(
                page["members"].as_array().into_iter().flatten().map(|m| (name.to_owned(), m.clone())),
            );
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
    }
    Ok(all)
}

/// The counts, the grid and the churn spread, as the API counts them (no member is read).
pub async fn show<S: Store>(State(web): State<Web<S>>, Staff(session): Staff) -> Response {
    let listed = match web.api.get(&session.bearer, "/v1/segments").await {
        Ok(listed) => listed,
        Err(refusal) => return failed(&web, &refusal),
    };
    let scored: i64 =
        listed["segments"].as_array().into_iter().flatten().filter_map(|s| s["members"].as_i64()).sum();
    let page = json!({
        "computed_at": listed["computed_at"],
        "segments": listed["segments"],
        "grid": listed["grid"],
        "scored": scored,
        "churn": listed["churn"],
    });
    web.renderer.page(
        StatusCode::OK,
        "console/segments.html",
        with(context(&web, &session, "segments"), page),
    )
}

/// Every scored member as CSV: segment, id, scores, recency, frequency, spend, churn.
pub async fn download<S: Store>(State(web): State<Web<S>>, Staff(session): Staff) -> Response {
    let (_, members) = match everyone(&web.api, &session.bearer).await {
        Ok(found) => found,
        Err(refusal) => return failed(&web, &refusal),
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "segment",
        "external_id",
        "r",
        "f",
        "m",
        "recency_days",
        "frequency",
        "monetary_minor",
        "churn_risk",
    ];
    let mut written = writer.write_record(header);
    for (segment, m) in &members {
        let number = |v: &Value| v.as_i64().map(|n| n.to_string()).unwrap_or_default();
        let row = [
            segment.clone(),
            inert(m["external_id"].as_str().unwrap_or_default()),
            number(&m["rfm"]["r"]),
            number(&m["rfm"]["f"]),
            number(&m["rfm"]["m"]),
            number(&m["recency_days"]),
            number(&m["frequency"]),
            number(&m["monetary_minor"]),
            m["churn"]["risk"].as_str().unwrap_or_default().to_owned(),
        ];
        written = written.and_then(|()| writer.write_record(&row));
    }
    let csv = match written
        .map_err(|e| e.to_string())
        .and_then(|()| writer.into_inner().map_err(|e| e.to_string()))
    {
        Ok(csv) => csv,
        Err(e) => return failed(&web, &Refusal::invalid(format!("the CSV could not be written: {e}"))),
    };
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (CONTENT_DISPOSITION, "attachment; filename=\"segments.csv\""),
        ],
        csv,
    )
        .into_response()
}

/// A member id made inert for a spreadsheet: one that starts with `=`, `+`, `-` or `@`
/// gets a leading `'`, so that it is not run as a formula.
fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_a_spreadsheet_would_run_is_made_inert() {
        assert_eq!(inert("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(inert("m-1"), "m-1");
    }
}

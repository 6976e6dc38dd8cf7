//! Segments: members per RFM segment with their average spend, the R × FM grid and the
//! churn-risk spread of the scored members, and every scored member as CSV. Figures are
//! those of the analytics job's last run, read page by page from the API.

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

/// Counts of members by recency score (rows, 5 first) and the mean of their frequency
/// and monetary scores rounded to the nearest whole score (columns, 1 to 5).
fn grid(members: &[(String, Value)]) -> Vec<Vec<u64>> {
    let mut cells = vec![vec![0u64; 5]; 5];
    for (_, member) in members {
        let score = |k: &str| member["rfm"][k].as_u64().unwrap_or(0).clamp(1, 5);
        let fm = (score("f") + score("m")).div_ceil(2);
        let (row, column) =
            (usize::try_from(5 - score("r")).unwrap_or(0), usize::try_from(fm - 1).unwrap_or(0));
        cells[row][column] += 1;
    }
    cells
}

pub async fn show<S: Store>(State(web): State<Web<S>>, Staff(session): Staff) -> Response {
    let (listed, members) = match everyone(&web.api, &session.bearer).await {
        Ok(found) => found,
        Err(refusal) => return failed(&web, &refusal),
    };
    let risk = |level: &str| members.iter().filter(|(_, m)| m["churn"]["risk"] == level).count();
    let page = json!({
        "computed_at": listed["computed_at"],
        "segments": listed["segments"],
        "grid": grid(&members).into_iter().zip([5, 4, 3, 2, 1]).map(|(cells, r)| json!({"r": r, "cells": cells})).collect::<Vec<_>>(),
        "scored": members.len(),
        "churn": {"low": risk("low"), "medium": risk("medium"), "high": risk("high")},
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
    fn the_grid_puts_each_member_by_recency_and_rounded_up_mean_of_frequency_and_spend() {
        let member = |r: u8, f: u8, m: u8| ("x".to_owned(), json!({"rfm": {"r": r, "f": f, "m": m}}));
        let cells = grid(&[member(5, 1, 2), member(5, 5, 5), member(1, 3, 4), member(1, 3, 4)]);
        assert_eq!(cells[0], vec![0, 1, 0, 0, 1]);
        assert_eq!(cells[4], vec![0, 0, 0, 2, 0]);
        assert_eq!(cells.iter().flatten().sum::<u64>(), 4);
        assert_eq!(inert("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(inert("m-1"), "m-1");
    }
}

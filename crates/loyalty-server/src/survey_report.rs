//! The feedback reports: NPS (promoters 9–10, passives 7–8, detractors 0–6) and CSAT
//! (satisfied 4–5, neutral 3, dissatisfied 1–2) over a period, in total, per tier and per
//! segment, as JSON or CSV. The arithmetic is `loyalty_core::feedback::report`'s.

use crate::period::Bound;
use loyalty_core::Timestamp;
use loyalty_core::feedback::SurveyKind;
use loyalty_core::feedback::report::{Breakdown, Tally};
use loyalty_core::schema::DecimalText;
use schemars::JsonSchema;
use serde::Serialize;

/// A feedback report of a period: the NPS one with `NpsTally`, the CSAT one with `CsatTally`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FeedbackReport<T> {
    /// The survey reported on; null for every survey of the report's kind.
    pub survey: Option<String>,
    /// The period's start, as asked.
    #[schemars(with = "Bound")]
    pub from: String,
    /// The period's end, as asked.
    #[schemars(with = "Bound")]
    pub to: String,
    /// The instant the period starts (included).
    pub window_from: Timestamp,
    /// The instant the period ends (excluded).
    pub window_to: Timestamp,
    #[serde(flatten)]
    pub total: T,
    /// Per tier the member was in when they answered (`none` for no tier), by name.
    pub by_tier: Vec<Group<T>>,
    /// Per segment of the last analytics run (`unscored` for members it did not score).
    pub by_segment: Vec<Group<T>>,
}

pub type NpsReport = FeedbackReport<NpsTally>;
pub type CsatReport = FeedbackReport<CsatTally>;

/// The tally of one tier or segment.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Group<T> {
    pub name: String,
    #[serde(flatten)]
    pub tally: T,
}

/// Responses by band, and the score they make.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NpsTally {
    pub responses: i64,
    /// Scores of 9 and 10.
    pub promoters: i64,
    /// Scores of 7 and 8.
    pub passives: i64,
    /// Scores of 0 to 6.
    pub detractors: i64,
    /// % promoters − % detractors, −100 to 100, to one decimal; null without responses.
    #[schemars(with = "Option<DecimalText>")]
    pub nps: Option<String>,
    /// The mean score, to two decimals; null without responses.
    #[schemars(with = "Option<DecimalText>")]
    pub mean_score: Option<String>,
}

/// Responses by band, and the share satisfied.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CsatTally {
    pub responses: i64,
    /// Scores of 4 and 5.
    pub satisfied: i64,
    /// Scores of 3.
    pub neutral: i64,
    /// Scores of 1 and 2.
    pub dissatisfied: i64,
    /// % of responses satisfied, to one decimal; null without responses.
    #[schemars(with = "Option<DecimalText>")]
    pub csat: Option<String>,
    /// The mean score, to two decimals; null without responses.
    #[schemars(with = "Option<DecimalText>")]
    pub mean_score: Option<String>,
}

impl NpsTally {
    pub fn of(t: &Tally) -> NpsTally {
        NpsTally {
            responses: t.responses,
            promoters: t.promoters,
            passives: t.passives,
            detractors: t.detractors,
            nps: t.nps().map(|d| d.to_string()),
            mean_score: t.mean().map(|d| d.to_string()),
        }
    }
}

impl CsatTally {
    pub fn of(t: &Tally) -> CsatTally {
        CsatTally {
            responses: t.responses,
            satisfied: t.promoters,
            neutral: t.passives,
            dissatisfied: t.detractors,
            csat: t.top_share().map(|d| d.to_string()),
            mean_score: t.mean().map(|d| d.to_string()),
        }
    }
}

/// The period a report covers, as asked and as instants.
pub struct Window {
    pub survey: Option<String>,
    pub from: String,
    pub to: String,
    pub window_from: Timestamp,
    pub window_to: Timestamp,
}

/// The header of both reports' CSV: the bands are the kind's (NPS: promoters, passives,
/// detractors; CSAT: satisfied, neutral, dissatisfied) and `score` its NPS or CSAT.
pub fn csv_header(kind: SurveyKind) -> &'static str {
    match kind {
        SurveyKind::Nps => "group,name,responses,promoters,passives,detractors,nps,mean_score",
        SurveyKind::Csat => "group,name,responses,satisfied,neutral,dissatisfied,csat,mean_score",
    }
}

/// One line for the total, then one per tier and one per segment.
pub fn csv(kind: SurveyKind, b: &Breakdown) -> String {
    let mut out = format!("{}\n", csv_header(kind));
    let mut line = |group: &str, name: &str, t: &Tally| {
        let score = match kind {
            SurveyKind::Nps => t.nps(),
            SurveyKind::Csat => t.top_share(),
        };
        out.push_str(&format!(
            "{group},{},{},{},{},{},{},{}\n",
            csv_field(name),
            t.responses,
            t.promoters,
            t.passives,
            t.detractors,
            score.map(|d| d.to_string()).unwrap_or_default(),
            t.mean().map(|d| d.to_string()).unwrap_or_default()
        ));
    };
    line("total", "all", &b.total);
    for (name, t) in &b.by_tier {
        line("tier", name, t);
    }
    for (name, t) in &b.by_segment {
        line("segment", name, t);
    }
    out
}

/// Tier and segment names are slugs, but a CSV must not trust that.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The report of `kind` (`T`'s) over the window.
pub fn report<T>(w: Window, b: &Breakdown, tally: fn(&Tally) -> T) -> FeedbackReport<T> {
    let group = |(name, t): (&String, &Tally)| Group { name: name.clone(), tally: tally(t) };
    FeedbackReport {
        survey: w.survey,
        from: w.from,
        to: w.to,
        window_from: w.window_from,
        window_to: w.window_to,
        total: tally(&b.total),
        by_tier: b.by_tier.iter().map(group).collect(),
        by_segment: b.by_segment.iter().map(group).collect(),
    }
}

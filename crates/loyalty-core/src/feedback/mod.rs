//! Surveys: a question put to members (a 0–10 NPS or a 1–5 CSAT score), points for
//! answering, and how often a member may answer. An answer is an event, decided like any
//! other (see `decide::survey`); the store keeps each response for the reports.

pub mod report;

use crate::calendar::Calendar;
use crate::engage::StreakPeriod;
use crate::ids::{Comment, ExternalId, OrderId, SurveyCode, TierCode, check_slug};
use crate::needs::Counter;
use crate::points::Points;
use crate::program::DefinitionErrors;
use crate::state::Balance;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

const MAX_SURVEYS: usize = 50;
const MAX_QUESTION_CHARS: usize = 500;
/// Ten years: a longer pause between asks is "once ever".
const MAX_COOLDOWN_DAYS: u32 = 3650;

/// A survey as the program writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SurveyDef {
    pub code: String,
    pub question: String,
    pub kind: SurveyKind,
    /// Points for answering.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub points: i64,
    #[serde(default)]
    pub once: Once,
    /// The period of `once = "per_period"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<SurveyPeriod>,
    /// Days a member must wait after answering before answering again.
    #[serde(default, skip_serializing_if = "is_zero_days")]
    pub cooldown_days: u32,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

fn is_zero_days(n: &u32) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SurveyKind {
    /// Net Promoter Score: "how likely are you to recommend us", 0 to 10.
    Nps,
    /// Customer satisfaction, 1 to 5.
    Csat,
}

impl SurveyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyKind::Nps => "nps",
            SurveyKind::Csat => "csat",
        }
    }

    pub fn parse(text: &str) -> Option<SurveyKind> {
        [SurveyKind::Nps, SurveyKind::Csat].into_iter().find(|k| k.as_str() == text)
    }

    /// The lowest and highest score an answer may give.
    pub fn range(self) -> (i64, i64) {
        match self {
            SurveyKind::Nps => (0, 10),
            SurveyKind::Csat => (1, 5),
        }
    }

    /// Where a score falls: NPS promoters 9–10, passives 7–8, detractors 0–6; CSAT
    /// satisfied 4–5, neutral 3, dissatisfied 1–2 (the same three bands).
    pub fn band(self, score: i64) -> Band {
        let (high, middle) = match self {
            SurveyKind::Nps => (9, 7),
            SurveyKind::Csat => (4, 3),
        };
        if score >= high {
            Band::Promoter
        } else if score >= middle {
            Band::Passive
        } else {
            Band::Detractor
        }
    }
}

/// A score's band. A detractor's answer is told to webhook subscribers to follow up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Promoter,
    Passive,
    Detractor,
}

/// How often a member may answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Once {
    #[default]
    Ever,
    PerPeriod,
}

/// The local calendar period of `once = "per_period"`; weeks start on Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SurveyPeriod {
    Week,
    Month,
    Quarter,
    Year,
}

impl SurveyPeriod {
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyPeriod::Week => "week",
            SurveyPeriod::Month => "month",
            SurveyPeriod::Quarter => "quarter",
            SurveyPeriod::Year => "year",
        }
    }

    /// The number of the local period holding `at`.
    fn index(self, calendar: &Calendar, at: Timestamp) -> i64 {
        let date = calendar.local(at).date();
        let (year, month) = (i64::from(date.year()), i64::from(date.month()));
        match self {
            SurveyPeriod::Week => StreakPeriod::Week.index(date),
            SurveyPeriod::Month => year * 12 + month - 1,
            SurveyPeriod::Quarter => year * 4 + (month - 1) / 3,
            SurveyPeriod::Year => year,
        }
    }
}

/// A survey answered, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SurveyOutcome {
    pub member: ExternalId,
    pub survey: SurveyCode,
    pub kind: SurveyKind,
    pub score: i64,
    pub band: Band,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<Comment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<OrderId>,
    /// The member's tier when they answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<TierCode>,
    pub points_awarded: Points,
    pub balance: Balance,
    pub occurred_at: Timestamp,
}

/// What the keys of every survey counter of a member start with.
pub const COUNTERS: &str = "survey:";

/// A validated survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    pub code: String,
    pub question: String,
    pub kind: SurveyKind,
    pub points: Points,
    /// `None` for once ever.
    pub per_period: Option<SurveyPeriod>,
    pub cooldown_days: u32,
}

impl Survey {
    /// How many times the member answered, ever.
    pub fn answers_counter(&self) -> Counter {
        Counter::member(format!("{COUNTERS}{}:answers", self.code))
    }

    /// The instant (in microseconds) of the member's latest answer: the counter moves by
    /// the difference, as counters only add.
    pub fn last_counter(&self) -> Counter {
        Counter::member(format!("{COUNTERS}{}:last", self.code))
    }

    /// The member's answers in the `per_period` period holding `at`, if answers are limited so.
    pub fn period_counter(&self, calendar: &Calendar, at: Timestamp) -> Option<Counter> {
        self.per_period.map(|p| {
            Counter::member(format!("{COUNTERS}{}:{}:{}", self.code, p.as_str(), p.index(calendar, at)))
        })
    }

    /// Every counter judging an answer at `at` reads.
    pub fn counters(&self, calendar: &Calendar, at: Timestamp) -> Vec<Counter> {
        let mut counters = vec![self.answers_counter(), self.last_counter()];
        counters.extend(self.period_counter(calendar, at));
        counters
    }

    /// Why a member whose counters `count` reads may not answer at `at`; `None` if they may.
    /// Deciding an answer and telling a member which surveys are due both ask this.
    pub fn not_due(
        &self,
        calendar: &Calendar,
        at: Timestamp,
        count: impl Fn(&Counter) -> i64,
    ) -> Option<NotDue> {
        let answers = count(&self.answers_counter());
        match (self.per_period, self.period_counter(calendar, at)) {
            (None, _) if answers > 0 => return Some(NotDue::Answered),
            (Some(period), Some(counter)) if count(&counter) > 0 => {
                return Some(NotDue::AnsweredThisPeriod(period));
            }
            _ => {}
        }
        if answers > 0 && self.cooldown_days > 0 {
            let latest = Timestamp::from_micros(count(&self.last_counter()));
            let next = calendar.add_days(latest, self.cooldown_days).unwrap_or(latest);
            if at < next {
                return Some(NotDue::CoolingDown { next });
            }
        }
        None
    }
}

/// Why a member may not answer a survey now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotDue {
    /// The survey is answered once ever, and the member has.
    Answered,
    /// The member answered in this local period.
    AnsweredThisPeriod(SurveyPeriod),
    /// The cooldown after the member's latest answer runs until `next`.
    CoolingDown { next: Timestamp },
}

/// Validates the program's surveys, reporting each problem with its field's path.
pub fn build(defs: &[SurveyDef], errors: &mut DefinitionErrors) -> Vec<Survey> {
    if defs.len() > MAX_SURVEYS {
        errors.push("surveys", format!("at most {MAX_SURVEYS}"));
    }
    let mut seen = HashSet::new();
    let mut surveys = Vec::new();
    for (i, def) in defs.iter().enumerate() {
        let path = format!("surveys[{i}]");
        let before = errors.len();
        if let Err(e) = check_slug("code", &def.code, 64) {
            errors.push(format!("{path}.code"), e.problem);
        } else if !seen.insert(def.code.as_str()) {
            errors.push(format!("{path}.code"), format!("`{}` is used twice", def.code));
        }
        crate::program::check_name(errors, &format!("{path}.question"), &def.question, MAX_QUESTION_CHARS);
        if !(0..=Points::MAX_PER_EVENT.get()).contains(&def.points) {
            errors.push(
                format!("{path}.points"),
                format!("must be between 0 and {}, not {}", Points::MAX_PER_EVENT.get(), def.points),
            );
        }
        match (def.once, def.period) {
            (Once::PerPeriod, None) => errors.push(
                format!("{path}.period"),
                "once = \"per_period\" needs a period: \"week\", \"month\", \"quarter\" or \"year\"",
            ),
            (Once::Ever, Some(_)) => {
                errors.push(format!("{path}.period"), "a period is only for once = \"per_period\"")
            }
            _ => {}
        }
        if def.cooldown_days > MAX_COOLDOWN_DAYS {
            errors.push(
                format!("{path}.cooldown_days"),
                format!("must be at most {MAX_COOLDOWN_DAYS}, not {}", def.cooldown_days),
            );
        }
        if errors.len() == before {
            surveys.push(Survey {
                code: def.code.clone(),
                question: def.question.clone(),
                kind: def.kind,
                points: Points::new(def.points),
                per_period: def.period,
                cooldown_days: def.cooldown_days,
            });
        }
    }
    surveys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(code: &str) -> SurveyDef {
        SurveyDef {
            code: code.into(),
            question: "How likely are you to recommend us?".into(),
            kind: SurveyKind::Nps,
            points: 50,
            once: Once::Ever,
            period: None,
            cooldown_days: 0,
        }
    }

    #[test]
    fn bands_follow_the_usual_cut_offs() {
        let nps: Vec<Band> = (0..=10).map(|s| SurveyKind::Nps.band(s)).collect();
        assert_eq!(nps[..7], [Band::Detractor; 7]);
        assert_eq!(nps[7..9], [Band::Passive; 2]);
        assert_eq!(nps[9..], [Band::Promoter; 2]);
        let csat: Vec<Band> = (1..=5).map(|s| SurveyKind::Csat.band(s)).collect();
        assert_eq!(csat, [Band::Detractor, Band::Detractor, Band::Passive, Band::Promoter, Band::Promoter]);
    }

    #[test]
    fn definitions_are_checked_field_by_field() {
        let mut errors = DefinitionErrors::default();
        let mut per_period = def("quarterly");
        per_period.once = Once::PerPeriod;
        let mut bad = def("nps");
        bad.points = -1;
        bad.period = Some(SurveyPeriod::Month);
        bad.cooldown_days = 4000;
        let surveys = build(&[def("nps"), bad, per_period], &mut errors);
        let paths: Vec<&str> = errors.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "surveys[1].code",
                "surveys[1].points",
                "surveys[1].period",
                "surveys[1].cooldown_days",
                "surveys[2].period"
            ]
        );
        assert_eq!(surveys.len(), 1);
    }

    #[test]
    fn periods_number_local_calendar_periods() {
        let calendar = Calendar::new(jiff::tz::TimeZone::get("America/New_York").unwrap());
        let at = |s: &str| Timestamp::parse_rfc3339(s).unwrap();
        let q = SurveyPeriod::Quarter;
        // 1 April 03:00 UTC is still 31 March in New York: the first quarter.
        assert_eq!(q.index(&calendar, at("2026-04-01T03:00:00Z")), 2026 * 4);
        assert_eq!(q.index(&calendar, at("2026-04-01T05:00:00Z")), 2026 * 4 + 1);
        let m = SurveyPeriod::Month;
        assert_eq!(
            m.index(&calendar, at("2027-01-01T05:00:00Z")) - m.index(&calendar, at("2026-12-31T12:00:00Z")),
            1
        );
    }
}

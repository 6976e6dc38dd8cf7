//! Leaderboards: members ranked by what they did in a period (points earned, spend,
//! purchases, achievements). Scores are kept per board, period and member by the store,
//! moved by each decision in the transaction that writes it (see [`score::changes`]), so
//! that replay rebuilds them; a board is read from them, best first, never computed from
//! the journal per request.

pub mod period;
pub mod score;

pub use period::{BoardPeriod, PeriodSpan, Which};
pub use score::{ScoreChange, changes};

use crate::ids::{Tag, TierCode, check_slug};
use crate::program::DefinitionErrors;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A board's entries at most, and by default.
pub const MAX_SIZE: u32 = 100;
const DEFAULT_SIZE: u32 = 10;
const MAX_BOARDS: usize = 20;
const MAX_NAME_CHARS: usize = 200;

/// A leaderboard as the program writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LeaderboardDef {
    pub code: String,
    pub name: String,
    pub measure: BoardMeasure,
    pub period: BoardPeriod,
    /// Entries shown, 1 to 100.
    #[serde(default = "default_size")]
    pub size: u32,
    /// Only members of these tiers are ranked; everyone if empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
    /// Only members with one of these tags are ranked; everyone if empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

fn default_size() -> u32 {
    DEFAULT_SIZE
}

/// What a board ranks members by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum BoardMeasure {
    /// Points issued by purchases, activities, bonuses, achievements and streaks, less
    /// what returns and revoked achievements took back.
    PointsEarned,
    /// Money spent, net of returns, in minor units.
    SpendMinor,
    /// Purchases; an order returned in full no longer counts.
    Purchases,
    /// Achievements completed, less those taken back.
    Achievements,
}

impl BoardMeasure {
    pub fn as_str(self) -> &'static str {
        match self {
            BoardMeasure::PointsEarned => "points_earned",
            BoardMeasure::SpendMinor => "spend_minor",
            BoardMeasure::Purchases => "purchases",
            BoardMeasure::Achievements => "achievements",
        }
    }
}

/// A validated leaderboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaderboard {
    pub code: String,
    pub name: String,
    pub measure: BoardMeasure,
    pub period: BoardPeriod,
    pub size: u32,
    pub tiers: Vec<TierCode>,
    pub tags: Vec<Tag>,
}

/// Validates the program's boards, reporting each problem with its field's path.
pub fn build(defs: &[LeaderboardDef], errors: &mut DefinitionErrors) -> Vec<Leaderboard> {
    if defs.len() > MAX_BOARDS {
        errors.push("leaderboards", format!("at most {MAX_BOARDS}"));
    }
    let mut seen = HashSet::new();
    let mut boards = Vec::new();
    for (i, def) in defs.iter().enumerate() {
        let path = format!("leaderboards[{i}]");
        let before = errors.len();
        if let Err(e) = check_slug("code", &def.code, 64) {
            errors.push(format!("{path}.code"), e.problem);
        } else if !seen.insert(def.code.as_str()) {
            errors.push(format!("{path}.code"), format!("`{}` is used twice", def.code));
        }
        crate::program::check_name(errors, &format!("{path}.name"), &def.name, MAX_NAME_CHARS);
        if !(1..=MAX_SIZE).contains(&def.size) {
            errors
                .push(format!("{path}.size"), format!("must be between 1 and {MAX_SIZE}, not {}", def.size));
        }
        let tiers = parse_all(&path, "tiers", &def.tiers, TierCode::parse, errors);
        let tags = parse_all(&path, "tags", &def.tags, Tag::parse, errors);
        if errors.len() == before {
            boards.push(Leaderboard {
                code: def.code.clone(),
                name: def.name.clone(),
                measure: def.measure,
                period: def.period,
                size: def.size,
                tiers,
                tags,
            });
        }
    }
    boards
}

fn parse_all<T, E: std::fmt::Display>(
    path: &str,
    field: &str,
    values: &[String],
    parse: fn(String) -> Result<T, E>,
    errors: &mut DefinitionErrors,
) -> Vec<T> {
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            parse(v.clone()).map_err(|e| errors.push(format!("{path}.{field}[{i}]"), e.to_string())).ok()
        })
        .collect()
}

/// The name a board shows for a member: their nickname, else their first name and the
/// initial of their last ("Ada L."), else "Member #" and a short code made from their
/// internal id. Never their e-mail or the merchant's id for them.
pub fn display_name(nickname: Option<&str>, name: Option<&str>, member_id: i64) -> String {
    if let Some(nick) = nickname.map(str::trim).filter(|n| !n.is_empty()) {
        return nick.to_owned();
    }
    let mut words = name.unwrap_or_default().split_whitespace();
    match (words.next(), words.last().and_then(|w| w.chars().next())) {
        (Some(first), Some(initial)) => format!("{first} {initial}."),
        (Some(first), None) => first.to_owned(),
        (None, _) => format!("Member #{}", short_code(member_id)),
    }
}

/// Six base-36 characters mixed from the id (a 64-bit finaliser), so that neighbours'
/// codes do not show the order members enrolled in.
fn short_code(member_id: i64) -> String {
    let mut x = u64::from_ne_bytes(member_id.to_ne_bytes());
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    (0..6)
        .map(|i| {
            let d = (x >> (i * 6)) % 36;
            char::from(DIGITS[usize::try_from(d).unwrap_or(0)])
        })
        .collect()
}

/// Competition ranks (1, 1, 3) of scores sorted best first.
pub fn ranks(scores: &[i64]) -> Vec<u32> {
    let mut out = Vec::with_capacity(scores.len());
    for (i, score) in scores.iter().enumerate() {
        let rank = match (i, out.last()) {
            (i, Some(&last)) if scores[i - 1] == *score => last,
            (i, _) => u32::try_from(i + 1).unwrap_or(u32::MAX),
        };
        out.push(rank);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(code: &str) -> LeaderboardDef {
        LeaderboardDef {
            code: code.into(),
            name: "Top".into(),
            measure: BoardMeasure::Purchases,
            period: BoardPeriod::Month,
            size: 10,
            tiers: vec![],
            tags: vec![],
        }
    }

    #[test]
    fn ties_share_a_rank_and_the_next_skips() {
        assert_eq!(ranks(&[9, 9, 7, 5, 5, 5, 1]), vec![1, 1, 3, 4, 4, 4, 7]);
        assert_eq!(ranks(&[]), Vec::<u32>::new());
    }

    #[test]
    fn a_display_name_is_a_nickname_or_a_first_name_and_initial() {
        assert_eq!(display_name(Some("Ace"), Some("Ada Lovelace"), 1), "Ace");
        assert_eq!(display_name(None, Some("Ada Byron Lovelace"), 1), "Ada L.");
        assert_eq!(display_name(None, Some("Ada"), 1), "Ada");
        let anonymous = display_name(None, None, 42);
        assert!(anonymous.starts_with("Member #") && anonymous.len() == 14, "{anonymous}");
        assert_ne!(anonymous, display_name(None, None, 43));
    }

    #[test]
    fn sizes_and_codes_are_checked() {
        let mut errors = DefinitionErrors::default();
        let mut big = def("a");
        big.size = 101;
        let boards = build(&[big, def("b"), def("b")], &mut errors);
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, vec!["leaderboards[0].size", "leaderboards[2].code"]);
        assert_eq!(boards.len(), 1);
    }

    #[test]
    fn unknown_measures_and_periods_are_refused_when_read() {
        let bad: Result<LeaderboardDef, _> =
            serde_json::from_str(r#"{"code":"x","name":"X","measure":"likes","period":"month"}"#);
        assert!(bad.unwrap_err().to_string().contains("unknown variant `likes`"));
        let bad: Result<LeaderboardDef, _> =
            serde_json::from_str(r#"{"code":"x","name":"X","measure":"purchases","period":"fortnight"}"#);
        assert!(bad.unwrap_err().to_string().contains("unknown variant `fortnight`"));
    }
}

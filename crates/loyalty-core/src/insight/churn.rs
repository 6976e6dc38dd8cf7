//! Churn risk as a ratio: days since the member's last purchase over their typical gap
//! between purchases (the median of their own gaps with three purchases or more, else the
//! program's median gap). Not a BG/NBD model: a marketer can redo the sum by hand.

use super::rfm::MemberFacts;
use super::{DAY_MICROS, round2};
use serde::{Deserialize, Serialize};

/// The fewest purchases whose own gaps make a member's typical gap.
pub const OWN_GAP_PURCHASES: i64 = 3;

/// Below this ratio the risk is low; below `HIGH_FROM`, medium; else high.
pub const MEDIUM_FROM: f64 = 1.5;
pub const HIGH_FROM: f64 = 3.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChurnRisk {
    Low,
    Medium,
    High,
}

impl ChurnRisk {
    pub fn of(ratio: f64) -> ChurnRisk {
        if ratio < MEDIUM_FROM {
            ChurnRisk::Low
        } else if ratio < HIGH_FROM {
            ChurnRisk::Medium
        } else {
            ChurnRisk::High
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChurnRisk::Low => "low",
            ChurnRisk::Medium => "medium",
            ChurnRisk::High => "high",
        }
    }

    pub fn parse(text: &str) -> Option<ChurnRisk> {
        [ChurnRisk::Low, ChurnRisk::Medium, ChurnRisk::High].into_iter().find(|r| r.as_str() == text)
    }
}

/// A member's churn figures, rounded to two decimals as shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Churn {
    pub ratio: f64,
    pub risk: ChurnRisk,
    pub days_since: i64,
    pub typical_gap_days: f64,
}

impl Churn {
    /// The churn of a member whose last purchase was `days_since` days ago and whose
    /// typical gap is `typical_gap_days` (at least one day).
    pub fn of(days_since: i64, typical_gap_days: f64) -> Churn {
        let gap = round2(typical_gap_days.max(1.0));
        // Days are far below 2^52, so the conversion is exact.
        let ratio = round2(days_since as f64 / gap);
        Churn { ratio, risk: ChurnRisk::of(ratio), days_since, typical_gap_days: gap }
    }
}

/// The median of gaps in microseconds, in days (the mean of the middle two of an even
/// count); `None` for no gaps. Reorders `gaps`.
pub fn median_days(gaps: &mut [i64]) -> Option<f64> {
    if gaps.is_empty() {
        return None;
    }
    gaps.sort_unstable();
    let mid = gaps.len() / 2;
    let median_us =
        if gaps.len() % 2 == 1 { gaps[mid] as f64 } else { (gaps[mid - 1] as f64 + gaps[mid] as f64) / 2.0 };
    Some(median_us / DAY_MICROS as f64)
}

/// The member's own median gap with enough purchases, else the program's.
pub fn typical_gap_days(facts: &MemberFacts, program_gap_days: f64) -> f64 {
    if facts.purchases >= OWN_GAP_PURCHASES {
        let mut gaps = facts.gaps_us.clone();
        if let Some(days) = median_days(&mut gaps) {
            return days;
        }
    }
    program_gap_days
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    fn member(purchases: i64, gaps_days: &[i64]) -> MemberFacts {
        MemberFacts {
            last_purchase_at: Timestamp::from_micros(0),
            purchases,
            spend_minor: 100,
            gaps_us: gaps_days.iter().map(|d| d * DAY_MICROS).collect(),
        }
    }

    #[test]
    fn the_risk_changes_at_one_and_a_half_and_at_three() {
        assert_eq!(Churn::of(14, 10.0).risk, ChurnRisk::Low);
        assert_eq!(Churn::of(15, 10.0).risk, ChurnRisk::Medium);
        assert_eq!(Churn::of(29, 10.0).risk, ChurnRisk::Medium);
        assert_eq!(Churn::of(30, 10.0).risk, ChurnRisk::High);
        assert_eq!(Churn::of(30, 10.0).ratio, 3.0);
    }

    #[test]
    fn a_member_with_three_purchases_uses_their_own_median_gap() {
        assert_eq!(typical_gap_days(&member(3, &[10, 30]), 99.0), 20.0);
        assert_eq!(typical_gap_days(&member(4, &[30, 10, 12]), 99.0), 12.0);
    }

    #[test]
    fn a_member_with_fewer_than_three_purchases_uses_the_program_gap() {
        assert_eq!(typical_gap_days(&member(2, &[5]), 14.5), 14.5);
        assert_eq!(typical_gap_days(&member(1, &[]), 14.5), 14.5);
        let churn = Churn::of(29, 14.5);
        assert_eq!((churn.ratio, churn.risk), (2.0, ChurnRisk::Medium));
    }

    #[test]
    fn a_gap_shorter_than_a_day_counts_as_one_day() {
        let churn = Churn::of(2, 0.25);
        assert_eq!((churn.typical_gap_days, churn.ratio, churn.risk), (1.0, 2.0, ChurnRisk::Medium));
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median_days(&mut [DAY_MICROS, 4 * DAY_MICROS]), Some(2.5));
        assert_eq!(median_days(&mut []), None);
    }
}

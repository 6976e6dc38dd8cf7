//! RFM: recency, frequency and monetary value per member, each scored 1–5 by quintile
//! across the program's members, and the named segment the scores fall in.

use super::churn::{Churn, median_days, typical_gap_days};
use super::segment::Segment;
use super::{AnalyticsDef, DAY_MICROS};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What the store knows of one member's purchases in the window: computed in SQL, one row
/// per member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFacts {
    pub last_purchase_at: Timestamp,
    /// Purchases in the window (orders not wholly returned).
    pub purchases: i64,
    /// What they spent in the window, net of returns, in minor units.
    pub spend_minor: i64,
    /// The gaps between consecutive purchases, in microseconds, in any order.
    pub gaps_us: Vec<i64>,
}

/// Quintile scores, 1 (lowest fifth) to 5 (highest fifth); recency is reversed, so the
/// most recent buyers score 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Rfm {
    pub r: u8,
    pub f: u8,
    pub m: u8,
}

/// One member's scores, segment and churn risk.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberScore {
    pub segment: Segment,
    pub rfm: Rfm,
    /// Whole days since the last purchase.
    pub recency_days: i64,
    pub frequency: i64,
    pub monetary_minor: i64,
    pub churn: Churn,
}

/// The quintile score of each of `values` among all of them: 5 × (how many values are at
/// most this one) / n, rounded up. Tied values share the score of the last of them (ties
/// go to the higher score); one member, or all equal, score 5.
pub fn quintiles(values: &[i64]) -> Vec<u8> {
    let n = values.len();
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    values
        .iter()
        .map(|v| {
            let at_most = sorted.partition_point(|x| x <= v);
            // 1 ≤ at_most ≤ n, so the score is 1 to 5.
            let score = (5 * at_most).div_ceil(n);
            u8::try_from(score).unwrap_or(5)
        })
        .collect()
}

/// Scores every member of `facts` at `now`, in the order given. Members with no purchase
/// (the store sends none) are not scored.
pub fn score_members<K: Clone>(
    facts: &[(K, MemberFacts)],
    now: Timestamp,
    def: &AnalyticsDef,
) -> Vec<(K, MemberScore)> {
    let recency: Vec<i64> = facts.iter().map(|(_, f)| days_since(f.last_purchase_at, now)).collect();
    // Fewer days since the last purchase is better: score the negated days.
    let r = quintiles(&recency.iter().map(|d| -d).collect::<Vec<_>>());
    let f = quintiles(&facts.iter().map(|(_, f)| f.purchases).collect::<Vec<_>>());
    let m = quintiles(&facts.iter().map(|(_, f)| f.spend_minor).collect::<Vec<_>>());
    let mut all_gaps: Vec<i64> = facts.iter().flat_map(|(_, f)| f.gaps_us.iter().copied()).collect();
    let program_gap = median_days(&mut all_gaps).unwrap_or(f64::from(def.default_gap_days));
    facts
        .iter()
        .enumerate()
        .map(|(i, (key, fact))| {
            let rfm = Rfm { r: r[i], f: f[i], m: m[i] };
            let gap = typical_gap_days(fact, program_gap);
            let score = MemberScore {
                segment: Segment::of(rfm),
                rfm,
                recency_days: recency[i],
                frequency: fact.purchases,
                monetary_minor: fact.spend_minor,
                churn: Churn::of(recency[i], gap),
            };
            (key.clone(), score)
        })
        .collect()
}

/// Whole days from `then` to `now`; none for a purchase dated after `now`.
pub fn days_since(then: Timestamp, now: Timestamp) -> i64 {
    (now.as_micros().saturating_sub(then.as_micros()) / DAY_MICROS).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_distinct_values_score_one_to_five() {
        assert_eq!(quintiles(&[10, 20, 30, 40, 50]), vec![1, 2, 3, 4, 5]);
        assert_eq!(quintiles(&[50, 10, 40, 20, 30]), vec![5, 1, 4, 2, 3]);
    }

    #[test]
    fn ten_distinct_values_score_two_per_quintile() {
        let values: Vec<i64> = (1..=10).collect();
        assert_eq!(quintiles(&values), vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    }

    #[test]
    fn all_equal_values_all_score_five() {
        assert_eq!(quintiles(&[7, 7, 7, 7]), vec![5, 5, 5, 5]);
    }

    #[test]
    fn one_member_scores_five() {
        assert_eq!(quintiles(&[3]), vec![5]);
    }

    #[test]
    fn ties_take_the_higher_score() {
        // Sorted 1, 2, 2, 2, 9: the three 2s are at positions 2–4 and all take 4.
        assert_eq!(quintiles(&[1, 2, 2, 2, 9]), vec![1, 4, 4, 4, 5]);
        // A tie across a quintile edge of ten: positions 2 and 3 both score 2.
        assert_eq!(quintiles(&[1, 5, 5, 6, 7, 8, 9, 10, 11, 12]), vec![1, 2, 2, 2, 3, 3, 4, 4, 5, 5]);
    }

    #[test]
    fn three_values_round_their_fifths_up() {
        // 5/3 → 2, 10/3 → 4, 15/3 → 5.
        assert_eq!(quintiles(&[1, 2, 3]), vec![2, 4, 5]);
    }

    fn facts(days_ago: i64, purchases: i64, spend: i64, gaps_days: &[i64]) -> MemberFacts {
        MemberFacts {
            last_purchase_at: Timestamp::from_micros(100 * DAY_MICROS - days_ago * DAY_MICROS),
            purchases,
            spend_minor: spend,
            gaps_us: gaps_days.iter().map(|d| d * DAY_MICROS).collect(),
        }
    }

    #[test]
    fn recency_is_reversed_and_scores_are_per_member() {
        let now = Timestamp::from_micros(100 * DAY_MICROS);
        let members = vec![
            ("a", facts(1, 5, 5_000, &[10, 10, 10, 10])),
            ("b", facts(40, 1, 100, &[])),
            ("c", facts(10, 3, 2_000, &[20, 20])),
            ("d", facts(20, 2, 1_000, &[30])),
            ("e", facts(80, 4, 3_000, &[5, 5, 5])),
        ];
        let scored = score_members(&members, now, &AnalyticsDef::default());
        let rfm: Vec<(&str, Rfm, Segment)> = scored.iter().map(|(k, s)| (*k, s.rfm, s.segment)).collect();
        assert_eq!(
            rfm,
            vec![
                ("a", Rfm { r: 5, f: 5, m: 5 }, Segment::Champions),
                ("b", Rfm { r: 2, f: 1, m: 1 }, Segment::Hibernating),
                ("c", Rfm { r: 4, f: 3, m: 3 }, Segment::Loyal),
                ("d", Rfm { r: 3, f: 2, m: 2 }, Segment::NeedAttention),
                ("e", Rfm { r: 1, f: 4, m: 4 }, Segment::CannotLose),
            ]
        );
        assert_eq!(scored[1].1.recency_days, 40);
    }
}

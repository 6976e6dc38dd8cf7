//! The arithmetic of the NPS and CSAT reports: responses counted by band, overall, per
//! tier and per segment, from the store's count of each score.

use super::{Band, SurveyKind};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;

/// How many responses gave `score`, from members of `tier` in `segment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreCount {
    /// The member's tier when they answered.
    pub tier: Option<String>,
    /// The member's segment as the last analytics run scored them.
    pub segment: Option<String>,
    pub score: i64,
    pub count: i64,
}

/// Responses by band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub responses: i64,
    pub promoters: i64,
    pub passives: i64,
    pub detractors: i64,
    /// The sum of the scores, for the mean.
    pub score_sum: i64,
}

impl Tally {
    fn add(&mut self, band: Band, score: i64, count: i64) {
        self.responses += count;
        self.score_sum += score * count;
        match band {
            Band::Promoter => self.promoters += count,
            Band::Passive => self.passives += count,
            Band::Detractor => self.detractors += count,
        }
    }

    /// % promoters − % detractors, from −100 to 100, to one decimal; `None` without
    /// responses.
    pub fn nps(&self) -> Option<Decimal> {
        self.percent(self.promoters - self.detractors)
    }

    /// % of responses in the top band (for CSAT, the satisfied: 4 and 5).
    pub fn top_share(&self) -> Option<Decimal> {
        self.percent(self.promoters)
    }

    /// The mean score, to two decimals.
    pub fn mean(&self) -> Option<Decimal> {
        (self.responses > 0).then(|| fixed(Decimal::from(self.score_sum) / Decimal::from(self.responses), 2))
    }

    fn percent(&self, part: i64) -> Option<Decimal> {
        (self.responses > 0)
            .then(|| fixed(Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(self.responses), 1))
    }
}

/// Rounded half away from zero to `dp` places and written with exactly that many, so
/// that 50 reads `50.0` beside `14.3`.
fn fixed(d: Decimal, dp: u32) -> Decimal {
    let mut d = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    d.rescale(dp);
    d
}

/// Tier and segment names for members without one.
pub const NO_TIER: &str = "none";
pub const UNSCORED: &str = "unscored";

/// Every response of the period, and the same split by tier and by segment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Breakdown {
    pub total: Tally,
    pub by_tier: BTreeMap<String, Tally>,
    pub by_segment: BTreeMap<String, Tally>,
}

pub fn breakdown(kind: SurveyKind, counts: &[ScoreCount]) -> Breakdown {
    let mut out = Breakdown::default();
    for c in counts {
        let band = kind.band(c.score);
        out.total.add(band, c.score, c.count);
        let tier = c.tier.clone().unwrap_or_else(|| NO_TIER.to_owned());
        out.by_tier.entry(tier).or_default().add(band, c.score, c.count);
        let segment = c.segment.clone().unwrap_or_else(|| UNSCORED.to_owned());
        out.by_segment.entry(segment).or_default().add(band, c.score, c.count);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(tier: Option<&str>, segment: Option<&str>, score: i64, count: i64) -> ScoreCount {
        ScoreCount { tier: tier.map(Into::into), segment: segment.map(Into::into), score, count }
    }

    #[test]
    fn nps_is_the_share_of_promoters_less_the_share_of_detractors() {
        // 3 promoters (10, 9, 9), 2 passives (8, 7), 2 detractors (6, 0): (3 − 2) / 7 = 14.3.
        let counts = [
            count(Some("gold"), Some("champions"), 10, 1),
            count(Some("gold"), Some("champions"), 9, 2),
            count(None, Some("loyal"), 8, 1),
            count(None, None, 7, 1),
            count(None, None, 6, 1),
            count(Some("gold"), None, 0, 1),
        ];
        let b = breakdown(SurveyKind::Nps, &counts);
        assert_eq!(b.total, Tally { responses: 7, promoters: 3, passives: 2, detractors: 2, score_sum: 49 });
        assert_eq!(b.total.nps(), Some(Decimal::new(143, 1)));
        assert_eq!(b.total.mean(), Some(Decimal::new(700, 2)));
        assert_eq!(b.by_tier["gold"].nps(), Some(Decimal::new(500, 1)));
        assert_eq!(b.by_tier[NO_TIER].nps(), Some(Decimal::new(-333, 1)));
        assert_eq!(b.by_segment["champions"].nps(), Some(Decimal::new(1000, 1)));
        assert_eq!(b.by_segment[UNSCORED].responses, 3);
    }

    #[test]
    fn all_detractors_is_minus_100_and_no_answers_no_score() {
        let b = breakdown(SurveyKind::Nps, &[count(None, None, 3, 4)]);
        assert_eq!(b.total.nps(), Some(Decimal::new(-1000, 1)));
        assert_eq!(b.total.nps().map(|d| d.to_string()).as_deref(), Some("-100.0"));
        assert_eq!(b.total.mean().map(|d| d.to_string()).as_deref(), Some("3.00"));
        assert_eq!(Tally::default().nps(), None);
        assert_eq!(Tally::default().mean(), None);
    }

    #[test]
    fn csat_counts_four_and_five_as_satisfied() {
        let b = breakdown(
            SurveyKind::Csat,
            &[count(None, None, 5, 1), count(None, None, 4, 1), count(None, None, 2, 1)],
        );
        assert_eq!(b.total.top_share(), Some(Decimal::new(667, 1)));
        assert_eq!(b.total.mean(), Some(Decimal::new(367, 2)));
    }
}

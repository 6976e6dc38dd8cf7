//! Named RFM segments, from the recency score R and the mean of the frequency and
//! monetary scores, FM = (F + M) / 2. The first row of this table that matches names the
//! segment, and every (R, FM) falls in exactly one (the README shows it as a grid):
//!
//! | segment              | R     | FM        |
//! |----------------------|-------|-----------|
//! | `champions`          | 4–5   | 4–5       |
//! | `loyal`              | 3–5   | 3–3.5 (R 4–5), 3–5 (R 3) |
//! | `potential_loyalist` | 4–5   | 2–2.5     |
//! | `new`                | 5     | 1–1.5     |
//! | `promising`          | 4     | 1–1.5     |
//! | `need_attention`     | 3     | 2–2.5     |
//! | `about_to_sleep`     | 3     | 1–1.5     |
//! | `cannot_lose`        | 1–2   | 4–5       |
//! | `at_risk`            | 1–2   | 2.5–3.5   |
//! | `hibernating`        | 2     | 1–2       |
//! | `lost`               | 1     | 1–2       |

use super::rfm::Rfm;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    Champions,
    Loyal,
    PotentialLoyalist,
    New,
    Promising,
    NeedAttention,
    AboutToSleep,
    AtRisk,
    CannotLose,
    Hibernating,
    Lost,
}

impl Segment {
    /// Every segment, best first (the order `GET /v1/segments` lists them in).
    pub const ALL: [Segment; 11] = [
        Segment::Champions,
        Segment::Loyal,
        Segment::PotentialLoyalist,
        Segment::New,
        Segment::Promising,
        Segment::NeedAttention,
        Segment::AboutToSleep,
        Segment::AtRisk,
        Segment::CannotLose,
        Segment::Hibernating,
        Segment::Lost,
    ];

    /// The segment of a member's scores (the table above). FM is kept doubled, F + M, so
    /// that its halves stay whole numbers.
    pub fn of(rfm: Rfm) -> Segment {
        let r = rfm.r;
        let fm2 = u16::from(rfm.f) + u16::from(rfm.m);
        match (r, fm2) {
            (4..=5, 8..) => Segment::Champions,
            (3..=5, 6..) => Segment::Loyal,
            (4..=5, 4..) => Segment::PotentialLoyalist,
            (5, _) => Segment::New,
            (4, _) => Segment::Promising,
            (3, 4..) => Segment::NeedAttention,
            (3, _) => Segment::AboutToSleep,
            (_, 8..) => Segment::CannotLose,
            (_, 5..) => Segment::AtRisk,
            (2, _) => Segment::Hibernating,
            // R is 1 here (scores are 1 to 5).
            _ => Segment::Lost,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::Loyal => "loyal",
            Segment::PotentialLoyalist => "potential_loyalist",
            Segment::New => "new",
            Segment::Promising => "promising",
            Segment::NeedAttention => "need_attention",
            Segment::AboutToSleep => "about_to_sleep",
            Segment::AtRisk => "at_risk",
            Segment::CannotLose => "cannot_lose",
            Segment::Hibernating => "hibernating",
            Segment::Lost => "lost",
        }
    }

    pub fn parse(name: &str) -> Option<Segment> {
        Segment::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(r: u8, f: u8, m: u8) -> Segment {
        Segment::of(Rfm { r, f, m })
    }

    #[test]
    fn each_segment_at_its_edges() {
        use Segment::*;
        let cases = [
            ((4, 4, 4), Champions),
            ((5, 5, 5), Champions),
            ((4, 3, 5), Champions),
            ((5, 4, 3), Loyal),
            ((3, 5, 5), Loyal),
            ((3, 3, 3), Loyal),
            ((4, 3, 3), Loyal),
            ((5, 2, 2), PotentialLoyalist),
            ((4, 3, 2), PotentialLoyalist),
            ((5, 1, 2), New),
            ((5, 1, 1), New),
            ((4, 2, 1), Promising),
            ((4, 1, 1), Promising),
            ((3, 2, 2), NeedAttention),
            ((3, 2, 3), NeedAttention),
            ((3, 1, 2), AboutToSleep),
            ((3, 1, 1), AboutToSleep),
            ((2, 4, 4), CannotLose),
            ((1, 5, 5), CannotLose),
            ((2, 3, 4), AtRisk),
            ((1, 2, 3), AtRisk),
            ((2, 2, 2), Hibernating),
            ((2, 1, 1), Hibernating),
            ((1, 2, 2), Lost),
            ((1, 1, 1), Lost),
        ];
        for ((r, f, m), want) in cases {
            assert_eq!(seg(r, f, m), want, "R{r} F{f} M{m}");
        }
    }

    #[test]
    fn every_score_has_a_segment_and_every_segment_is_reached() {
        let mut seen = std::collections::BTreeSet::new();
        for r in 1..=5 {
            for f in 1..=5 {
                for m in 1..=5 {
                    seen.insert(seg(r, f, m));
                }
            }
        }
        assert_eq!(seen.len(), Segment::ALL.len());
    }

    #[test]
    fn names_parse_back() {
        for s in Segment::ALL {
            assert_eq!(Segment::parse(s.as_str()), Some(s));
        }
        assert_eq!(Segment::parse("vip"), None);
    }
}

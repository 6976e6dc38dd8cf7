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
use crate::program::DefinitionErrors;
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

    /// A rule's `segments = [...]` list, each name checked; an unknown name is an error
    /// at `{path}.segments[i]` that lists the names there are.
    pub fn parse_list(path: &str, names: &[String], errors: &mut DefinitionErrors) -> Vec<Segment> {
        let mut out = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match Segment::parse(name) {
                Some(s) if !out.contains(&s) => out.push(s),
                Some(_) => errors.push(format!("{path}.segments[{i}]"), format!("`{name}` is listed twice")),
                None => {
                    let known: Vec<&str> = Segment::ALL.iter().map(|s| s.as_str()).collect();
                    errors.push(
                        format!("{path}.segments[{i}]"),
                        format!("`{name}` is not a segment; the segments are {}", known.join(", ")),
                    );
                }
            }
        }
        out
    }

    /// Whether a member in `segment` takes part in a rule for `segments` (everyone when
    /// the list is empty; no one without a segment otherwise).
    pub fn admits(segments: &[Segment], segment: Option<Segment>) -> bool {
        segments.is_empty() || segment.is_some_and(|s| segments.contains(&s))
    }
}

/// The segment `decide` was given for a member, recorded with the event so that replay
/// judges it by that rather than by segments computed since. `None` inside: the member
/// had no segment then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeenSegment(pub Option<Segment>);

impl SeenSegment {
    /// How the events table keeps it: the segment's name, or an empty string for none
    /// (NULL is left for events that looked at no segment).
    pub fn as_column(self) -> &'static str {
        self.0.map_or("", Segment::as_str)
    }

    pub fn from_column(text: &str) -> Option<SeenSegment> {
        if text.is_empty() {
            Some(SeenSegment(None))
        } else {
            Segment::parse(text).map(|s| SeenSegment(Some(s)))
        }
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

    #[test]
    fn a_list_names_each_unknown_or_repeated_segment() {
        let mut errors = DefinitionErrors::default();
        let names = ["at_risk", "vip", "at_risk"].map(String::from);
        assert_eq!(Segment::parse_list("campaigns[0]", &names, &mut errors), vec![Segment::AtRisk]);
        let text = errors.to_string();
        assert!(
            text.contains(
                "campaigns[0].segments[1]: `vip` is not a segment; the segments are champions, loyal,"
            ),
            "{text}"
        );
        assert!(text.contains("campaigns[0].segments[2]: `at_risk` is listed twice"), "{text}");
    }

    #[test]
    fn an_empty_list_admits_everyone_and_a_list_only_its_segments() {
        assert!(Segment::admits(&[], None));
        assert!(Segment::admits(&[Segment::AtRisk], Some(Segment::AtRisk)));
        assert!(!Segment::admits(&[Segment::AtRisk], Some(Segment::Champions)));
        assert!(!Segment::admits(&[Segment::AtRisk], None));
    }

    #[test]
    fn a_seen_segment_round_trips_through_its_column() {
        for seen in [SeenSegment(None), SeenSegment(Some(Segment::Lost))] {
            assert_eq!(SeenSegment::from_column(seen.as_column()), Some(seen));
        }
        assert_eq!(SeenSegment::from_column("vip"), None);
    }
}

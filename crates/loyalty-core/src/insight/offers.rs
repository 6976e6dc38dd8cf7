//! Next best offers for one member: rewards they can nearly afford, rewards in the
//! categories they spend most on, running campaigns on categories they buy, and a
//! win-back offer for members slipping away. Each offer says why, in words, and carries a
//! score from 0 to 1; the best come first.

use super::churn::{Churn, ChurnRisk};
use super::round2;
use super::segment::Segment;
use crate::earning::{RuleDef, parse_local};
use crate::ids::TierCode;
use crate::program::Benefit;
use crate::program::Program;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most offers one request may ask for.
pub const MAX_OFFERS: usize = 20;
pub const DEFAULT_OFFERS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OfferKind {
    /// Comes first at equal scores: keeping a member matters most.
    WinBack,
    NearlyAffordable,
    FavouriteCategory,
    Campaign,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Offer {
    pub kind: OfferKind,
    /// The catalogue code of the reward offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<String>,
    /// The id of the campaign offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    pub reason: String,
    /// 0 to 1, higher first.
    pub score: f64,
    /// Points still needed to redeem the reward.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_needed: Option<i64>,
}

/// What the offers are chosen from, for one member.
#[derive(Debug, Clone)]
pub struct MemberOutlook<'a> {
    pub balance: i64,
    pub tier: Option<&'a TierCode>,
    pub tags: &'a [String],
    /// Net spend per category in the analytics window, in minor units.
    pub category_spend: &'a BTreeMap<String, i64>,
    pub segment: Option<Segment>,
    pub churn: Option<Churn>,
}

/// Up to `limit` offers for the member at `now`, best first.
pub fn offers(program: &Program, member: &MemberOutlook<'_>, now: Timestamp, limit: usize) -> Vec<Offer> {
    let total: i64 = member.category_spend.values().filter(|v| **v > 0).sum();
    let share = |category: &str| -> f64 {
        match member.category_spend.get(category) {
            Some(spend) if *spend > 0 && total > 0 => *spend as f64 / total as f64,
            _ => 0.0,
        }
    };
    let points = program.points_name();
    let mut found = Vec::new();

    if let Some(offer) = win_back(member) {
        found.push(offer);
    }

    let near_percent = i64::from(program.analytics().near_afford_percent);
    for reward in program.rewards() {
        if !reward.is_open_at(now)
            || !(reward.tiers.is_empty() || member.tier.is_some_and(|t| reward.tiers.contains(t)))
        {
            continue;
        }
        let cost = reward.points_cost.get();
        let needed = cost.saturating_sub(member.balance);
        let near = (needed > 0
            && cost > 0
            && needed.saturating_mul(100) <= cost.saturating_mul(near_percent))
        .then(|| {
            let reason = format!("{needed} more {points} for {} ({cost} {points})", reward.name);
            (OfferKind::NearlyAffordable, round2(member.balance as f64 / cost as f64), reason)
        });
        let favourite = match &reward.benefit {
            Benefit::FreeItem { category } if share(category.as_str()) > 0.0 => {
                let s = share(category.as_str());
                let reason = format!(
                    "{category} is {}% of their spend; {} is free {category}",
                    percent(s),
                    reward.name
                );
                Some((OfferKind::FavouriteCategory, round2(s), reason))
            }
            _ => None,
        };
        // A reward both nearly affordable and in a favourite category is offered once, as
        // the higher scoring of the two, with both reasons.
        let best = match (near, favourite) {
            (Some(n), Some(f)) => {
                let reason = format!("{}; {}", n.2, f.2);
                let (kind, score) = if f.1 > n.1 { (f.0, f.1) } else { (n.0, n.1) };
                Some((kind, score, reason))
            }
            (one, other) => one.or(other),
        };
        if let Some((kind, score, reason)) = best {
            found.push(Offer {
                kind,
                reward: Some(reward.code.to_string()),
                campaign: None,
                reason,
                score,
                points_needed: (needed > 0).then_some(needed),
            });
        }
    }

    for rule in &program.definition().earning {
        let RuleDef::Campaign(campaign) = rule else { continue };
        let calendar = program.calendar();
        let at = |text: &str| parse_local(text).and_then(|t| calendar.instant(t));
        let running =
            matches!((at(&campaign.starts), at(&campaign.ends)), (Some(s), Some(e)) if s <= now && now < e);
        let for_member = (campaign.tiers.is_empty()
            || member.tier.is_some_and(|t| campaign.tiers.iter().any(|c| c == t.as_str())))
            && (campaign.tags.is_empty() || campaign.tags.iter().any(|t| member.tags.contains(t)))
            // A campaign for some segments is offered to their members only, as it pays.
            && (campaign.segments.is_empty()
                || member.segment.is_some_and(|s| campaign.segments.iter().any(|c| c == s.as_str())));
        if !running || !for_member {
            continue;
        }
        let best = campaign
            .categories
            .iter()
            .map(|c| (c, share(c)))
            .filter(|(_, s)| *s > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(a.0)));
        if let Some((category, s)) = best {
            let name = campaign.name.as_deref().unwrap_or(&campaign.id);
            found.push(Offer {
                kind: OfferKind::Campaign,
                reward: None,
                campaign: Some(campaign.id.clone()),
                reason: format!(
                    "{name} runs on {category}, {}% of their spend, until {}",
                    percent(s),
                    campaign.ends
                ),
                score: round2(s),
                points_needed: None,
            });
        }
    }

    found.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.kind.cmp(&b.kind))
            .then_with(|| a.reward.cmp(&b.reward))
            .then_with(|| a.campaign.cmp(&b.campaign))
    });
    found.truncate(limit);
    found
}

/// A whole percentage of a share, for reasons.
fn percent(share: f64) -> i64 {
    (share * 100.0).round() as i64
}

/// A win-back offer for a member at risk of leaving: in an at-risk segment, or with a high
/// churn ratio.
fn win_back(member: &MemberOutlook<'_>) -> Option<Offer> {
    let at_risk_segment = matches!(member.segment, Some(Segment::AtRisk | Segment::CannotLose));
    let high_churn = member.churn.is_some_and(|c| c.risk == ChurnRisk::High);
    if !at_risk_segment && !high_churn {
        return None;
    }
    let reason = match (member.churn, member.segment) {
        (Some(c), _) if high_churn => format!(
            "no purchase in {} days, {} times their usual gap of {} days",
            c.days_since, c.ratio, c.typical_gap_days
        ),
        (_, Some(s)) => format!("in the {} segment: they used to buy often and have stopped", s.as_str()),
        _ => "slipping away".to_owned(),
    };
    Some(Offer {
        kind: OfferKind::WinBack,
        reward: None,
        campaign: None,
        reason,
        score: 1.0,
        points_needed: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{at, program};

    const SHOP: &str = r#"
id = "shop"
name = "Shop"
currency = "EUR"
time_zone = "UTC"

[[earning]]
id = "pastry-week"
kind = "campaign"
name = "Pastry week"
starts = "2026-03-01"
ends = "2026-04-01"
categories = ["pastry", "cake"]
multiplier = 2

[[rewards]]
code = "mug"
name = "Mug"
points_cost = 200

[[rewards]]
code = "croissant"
name = "Free croissant"
kind = "free_item"
category = "pastry"
points_cost = 150

[[rewards]]
code = "bag"
name = "Bag"
points_cost = 1000
"#;

    type Summary<'a> = (OfferKind, Option<&'a str>, Option<&'a str>, f64, Option<i64>);

    fn outlook(balance: i64, category_spend: &BTreeMap<String, i64>) -> MemberOutlook<'_> {
        MemberOutlook { balance, tier: None, tags: &[], category_spend, segment: None, churn: None }
    }

    fn spend(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
        pairs.iter().map(|(c, s)| ((*c).to_owned(), *s)).collect()
    }

    #[test]
    fn offers_rank_nearly_affordable_favourite_and_campaign() {
        let program = program(SHOP);
        let spend = spend(&[("pastry", 3_000), ("coffee", 1_000)]);
        let member = outlook(120, &spend);
        let found = offers(&program, &member, at("2026-03-10T12:00:00Z"), 5);
        let summary: Vec<Summary<'_>> = found
            .iter()
            .map(|o| (o.kind, o.reward.as_deref(), o.campaign.as_deref(), o.score, o.points_needed))
            .collect();
        assert_eq!(
            summary,
            vec![
                (OfferKind::NearlyAffordable, Some("croissant"), None, 0.8, Some(30)),
                (OfferKind::Campaign, None, Some("pastry-week"), 0.75, None),
                (OfferKind::NearlyAffordable, Some("mug"), None, 0.6, Some(80)),
            ]
        );
        assert_eq!(found[2].reason, "80 more points for Mug (200 points)");
        assert_eq!(
            found[0].reason,
            "30 more points for Free croissant (150 points); pastry is 75% of their spend; Free croissant is free pastry"
        );
    }

    #[test]
    fn a_campaign_for_a_segment_is_offered_to_its_members_only() {
        let targeted = SHOP.replace("id = \"pastry-week\"", "id = \"pastry-week\"\nsegments = [\"at_risk\"]");
        let program = program(&targeted);
        let spend = spend(&[("pastry", 3_000)]);
        let campaigns = |segment| {
            let member = MemberOutlook { segment, ..outlook(0, &spend) };
            let found = offers(&program, &member, at("2026-03-10T12:00:00Z"), 5);
            found.iter().filter(|o| o.kind == OfferKind::Campaign).count()
        };
        assert_eq!((campaigns(Some(Segment::Champions)), campaigns(None)), (0, 0));
        assert_eq!(campaigns(Some(Segment::AtRisk)), 1);
    }

    #[test]
    fn a_campaign_not_running_is_not_offered_and_the_limit_cuts() {
        let program = program(SHOP);
        let spend = spend(&[("pastry", 3_000)]);
        let member = outlook(120, &spend);
        let found = offers(&program, &member, at("2026-05-10T12:00:00Z"), 1);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].kind, found[0].score), (OfferKind::FavouriteCategory, 1.0));
    }

    #[test]
    fn high_churn_gets_a_win_back_offer_first() {
        let program = program(SHOP);
        let spend = BTreeMap::new();
        let member = MemberOutlook {
            segment: Some(Segment::Hibernating),
            churn: Some(Churn::of(60, 10.0)),
            ..outlook(0, &spend)
        };
        let found = offers(&program, &member, at("2026-05-10T12:00:00Z"), 5);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, OfferKind::WinBack);
        assert_eq!(found[0].reason, "no purchase in 60 days, 6 times their usual gap of 10 days");
    }
}

//! A program's ledger as plain data, without the engine's ids: what two ledgers must agree
//! on to be the same. The store and the in-memory model both produce one, so a replay, a
//! simulation or a property test can compare them field by field.

use crate::decision::HistoryNote;
use crate::ledger::{Account, EntryKind};
use crate::outcome::HoldView;
use crate::points::Points;
use crate::spending::RewardInstance;
use crate::state::{Balance, LotSource, MemberStatus, OrderLineRecord, Profile, Standing};
use crate::time::Timestamp;
use std::collections::BTreeMap;
use std::fmt::{self, Display};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// By external id.
    pub members: BTreeMap<String, MemberSnapshot>,
    /// By order id.
    pub orders: BTreeMap<String, OrderSnapshot>,
    /// The program's own counters (campaign budgets), by key.
    pub counters: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSnapshot {
    pub status: MemberStatus,
    pub balance: Balance,
    pub debt: Points,
    pub profile: Profile,
    pub referral_code: String,
    /// The external id of the member who referred them.
    pub referred_by: Option<String>,
    /// In the order they were earned.
    pub lots: Vec<LotSnapshot>,
    /// In the order they were written.
    pub entries: Vec<EntrySnapshot>,
    /// In the order they were issued.
    pub rewards: Vec<RewardSnapshot>,
    /// Checkout holds, in the order they were opened.
    pub holds: Vec<HoldView>,
    /// The member's counters (punch cards, activity caps, ...), by key.
    pub counters: BTreeMap<String, i64>,
    pub last_activity_at: Timestamp,
    pub standing: Standing,
    /// Tier, subscription and status changes, in order.
    pub history: Vec<HistoryNote>,
    /// Survey responses, in the order they were given.
    pub surveys: Vec<SurveyResponseSnapshot>,
}

/// A survey response as the store keeps it for the reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyResponseSnapshot {
    pub survey: String,
    pub score: i64,
    pub comment: Option<String>,
    pub order_id: Option<String>,
    pub tier: Option<String>,
    pub occurred_at: Timestamp,
}

impl SurveyResponseSnapshot {
    /// The response an answer's decision records, if it is one.
    pub fn of(event: &crate::event::Event, decision: &crate::decision::Decision) -> Option<Self> {
        match (event, &decision.calculation) {
            (crate::event::Event::Survey(a), crate::decision::Calculation::Survey(calc)) => Some(Self {
                survey: a.survey.to_string(),
                score: a.score,
                comment: a.comment.as_ref().map(ToString::to_string),
                order_id: a.order_id.as_ref().map(ToString::to_string),
                tier: calc.tier.as_ref().map(ToString::to_string),
                occurred_at: a.occurred_at,
            }),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotSnapshot {
    pub amount: Points,
    pub remaining: Points,
    pub earned_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub order_id: Option<String>,
    pub source: LotSource,
    pub in_review: bool,
    pub pending_until: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySnapshot {
    pub kind: EntryKind,
    pub postings: Vec<(Account, Points)>,
}

/// An issued reward code as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardSnapshot(pub RewardInstance);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderSnapshot {
    pub member: String,
    pub awarded: Points,
    pub amount_minor: i64,
    pub occurred_at: Timestamp,
    pub lines: Vec<OrderLineRecord>,
}

impl Snapshot {
    /// Every way `other` differs from `self`, in words; empty when they are the same.
    pub fn differences(&self, other: &Snapshot) -> Vec<String> {
        let mut found = Vec::new();
        compare_maps("member", &self.members, &other.members, &mut found, |id, a, b, found| {
            let mut field = |name: &str, x: &dyn Display, y: &dyn Display, same: bool| {
                if !same {
                    found.push(format!("member {id}: {name} is {x}, expected {y}"));
                }
            };
            field("status", &b.status.as_str(), &a.status.as_str(), a.status == b.status);
            field(
                "available",
                &b.balance.available,
                &a.balance.available,
                a.balance.available == b.balance.available,
            );
            field("pending", &b.balance.pending, &a.balance.pending, a.balance.pending == b.balance.pending);
            field("held", &b.balance.held, &a.balance.held, a.balance.held == b.balance.held);
            field("debt", &b.debt, &a.debt, a.debt == b.debt);
            field("referral code", &b.referral_code, &a.referral_code, a.referral_code == b.referral_code);
            let referrer = |s: &MemberSnapshot| s.referred_by.clone().unwrap_or_else(|| "nobody".to_owned());
            field("referred by", &referrer(b), &referrer(a), a.referred_by == b.referred_by);
            field(
                "last activity",
                &b.last_activity_at,
                &a.last_activity_at,
                a.last_activity_at == b.last_activity_at,
            );
            if a.profile != b.profile {
                found.push(format!("member {id}: profile is {:?}, expected {:?}", b.profile, a.profile));
            }
            if a.standing != b.standing {
                found.push(format!("member {id}: standing is {:?}, expected {:?}", b.standing, a.standing));
            }
            if a.history != b.history {
                found.push(format!("member {id}: history is {:?}, expected {:?}", b.history, a.history));
            }
            if a.surveys != b.surveys {
                found.push(format!(
                    "member {id}: survey responses are {:?}, expected {:?}",
                    b.surveys, a.surveys
                ));
            }
            if a.counters != b.counters {
                found.push(format!("member {id}: counters are {:?}, expected {:?}", b.counters, a.counters));
            }
            compare_lists(&format!("member {id}: lot"), &a.lots, &b.lots, found);
            compare_lists(&format!("member {id}: journal entry"), &a.entries, &b.entries, found);
            compare_lists(&format!("member {id}: reward"), &a.rewards, &b.rewards, found);
            compare_lists(&format!("member {id}: hold"), &a.holds, &b.holds, found);
        });
        compare_maps("order", &self.orders, &other.orders, &mut found, |id, a, b, found| {
            if a != b {
                found.push(format!("order {id} is {b}, expected {a}"));
            }
        });
        if self.counters != other.counters {
            found.push(format!("program counters are {:?}, expected {:?}", other.counters, self.counters));
        }
        found
    }

    /// Points members hold (available, pending, in review and reserved), which the
    /// program owes.
    pub fn outstanding(&self) -> i128 {
        self.members.values().map(|m| m.balance.owed()).sum()
    }
}

fn compare_maps<V>(
    what: &str,
    expected: &BTreeMap<String, V>,
    actual: &BTreeMap<String, V>,
    found: &mut Vec<String>,
    mut each: impl FnMut(&str, &V, &V, &mut Vec<String>),
) {
    for (key, a) in expected {
        match actual.get(key) {
            Some(b) => each(key, a, b, found),
            None => found.push(format!("{what} {key} is missing")),
        }
    }
    for key in actual.keys().filter(|k| !expected.contains_key(*k)) {
        found.push(format!("{what} {key} should not exist"));
    }
}

fn compare_lists<T: PartialEq + Display>(what: &str, expected: &[T], actual: &[T], found: &mut Vec<String>) {
    for (i, (a, b)) in expected.iter().zip(actual).enumerate() {
        if a != b {
            found.push(format!("{what} {} is {b}, expected {a}", i + 1));
        }
    }
    if expected.len() != actual.len() {
        found.push(format!("{what} count is {}, expected {}", actual.len(), expected.len()));
    }
}

impl Display for LotSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} from {} earned {}",
            self.remaining,
            self.amount,
            self.source.as_str(),
            self.earned_at
        )?;
        if self.in_review {
            f.write_str(" (in review)")?;
        }
        if let Some(until) = self.pending_until {
            write!(f, " pending until {until}")?;
        }
        if let Some(expires) = self.expires_at {
            write!(f, " expiring {expires}")?;
        }
        if let Some(order) = &self.order_id {
            write!(f, " for order {order}")?;
        }
        Ok(())
    }
}

impl Display for EntrySnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [", self.kind.as_str())?;
        for (i, (account, amount)) in self.postings.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{} {amount}", account.name())?;
        }
        f.write_str("]")
    }
}

impl Display for RewardSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.0;
        write!(f, "{} {} for {} points, {}", r.reward, r.code, r.points, r.state.as_str())?;
        if let Some(balance) = r.balance_minor {
            write!(f, " with {balance} left")?;
        }
        if let Some(order) = &r.order_id {
            write!(f, " on order {order}")?;
        }
        if let Some(at) = r.expires_at {
            write!(f, " expiring {at}")?;
        }
        Ok(())
    }
}

impl Display for HoldView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} points for order {}, {} until {}",
            self.hold_id,
            self.points,
            self.order_id,
            self.state.as_str(),
            self.expires_at
        )?;
        if self.refunded.is_positive() {
            write!(f, ", {} refunded", self.refunded)?;
        }
        Ok(())
    }
}

impl Display for OrderSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} points for {} of {} spent at {} [",
            self.awarded, self.member, self.amount_minor, self.occurred_at
        )?;
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{} {}/{} returned, {} points", line.sku, line.returned, line.quantity, line.points)?;
        }
        f.write_str("]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(available: i64) -> MemberSnapshot {
        MemberSnapshot {
            status: MemberStatus::Active,
            balance: Balance { available: Points::new(available), ..Balance::default() },
            debt: Points::ZERO,
            profile: Profile::default(),
            referral_code: "R".to_owned(),
            referred_by: None,
            counters: BTreeMap::new(),
            lots: Vec::new(),
            entries: Vec::new(),
            rewards: Vec::new(),
            holds: Vec::new(),
            last_activity_at: Timestamp::from_micros(0),
            standing: Standing::default(),
            history: Vec::new(),
            surveys: Vec::new(),
        }
    }

    #[test]
    fn differences_name_what_differs() {
        let mut a = Snapshot::default();
        a.members.insert("c-1".into(), member(10));
        a.members.insert("c-2".into(), member(5));
        let mut b = a.clone();
        assert!(a.differences(&b).is_empty());
        b.members.get_mut("c-1").unwrap().balance.available = Points::new(11);
        b.members.remove("c-2");
        b.members.insert("c-3".into(), member(0));
        assert_eq!(
            a.differences(&b),
            vec![
                "member c-1: available is 11, expected 10",
                "member c-2 is missing",
                "member c-3 should not exist",
            ]
        );
        assert_eq!(a.outstanding(), 15);
    }
}

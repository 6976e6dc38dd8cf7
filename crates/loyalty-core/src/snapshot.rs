//! A program's ledger as plain data, without the engine's ids: what two ledgers must agree
//! on to be the same. The store and the in-memory model both produce one, so a replay, a
//! simulation or a property test can compare them field by field.

use crate::ledger::{Account, EntryKind};
use crate::points::Points;
use crate::state::{Balance, MemberStatus, OrderLineRecord};
use crate::time::Timestamp;
use std::collections::BTreeMap;
use std::fmt::{self, Display};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// By external id.
    pub members: BTreeMap<String, MemberSnapshot>,
    /// By order id.
    pub orders: BTreeMap<String, OrderSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSnapshot {
    pub status: MemberStatus,
    pub balance: Balance,
    pub debt: Points,
    /// In the order they were earned.
    pub lots: Vec<LotSnapshot>,
    /// In the order they were written.
    pub entries: Vec<EntrySnapshot>,
    /// In the order they were issued.
    pub rewards: Vec<RewardSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotSnapshot {
    pub amount: Points,
    pub remaining: Points,
    pub earned_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub order_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySnapshot {
    pub kind: EntryKind,
    pub postings: Vec<(Account, Points)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardSnapshot {
    pub reward: String,
    pub code: String,
    pub points: Points,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderSnapshot {
    pub member: String,
    pub awarded: Points,
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
            field("debt", &b.debt, &a.debt, a.debt == b.debt);
            compare_lists(&format!("member {id}: lot"), &a.lots, &b.lots, found);
            compare_lists(&format!("member {id}: journal entry"), &a.entries, &b.entries, found);
            compare_lists(&format!("member {id}: reward"), &a.rewards, &b.rewards, found);
        });
        compare_maps("order", &self.orders, &other.orders, &mut found, |id, a, b, found| {
            if a != b {
                found.push(format!("order {id} is {b}, expected {a}"));
            }
        });
        found
    }

    /// Points members hold (available and pending), which the program owes.
    pub fn outstanding(&self) -> i128 {
        self.members
            .values()
            .map(|m| i128::from(m.balance.available.get()) + i128::from(m.balance.pending.get()))
            .sum()
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
        write!(f, "{} of {} earned {}", self.remaining, self.amount, self.earned_at)?;
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
        write!(f, "{} {} for {} points, {}", self.reward, self.code, self.points, self.state)
    }
}

impl Display for OrderSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} points for {} [", self.awarded, self.member)?;
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
            balance: Balance { available: Points::new(available), pending: Points::ZERO },
            debt: Points::ZERO,
            lots: Vec::new(),
            entries: Vec::new(),
            rewards: Vec::new(),
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

//! An in-memory ledger: the reference model of what a store must do with decisions. The
//! property tests compare the real stores against it, and simulations run on it.

use crate::decide;
use crate::decision::{Decision, IssuedReward, MemberChange, OrderChange};
use crate::event::Event;
use crate::ids::{ExternalId, LotId, MemberId, OrderId};
use crate::ledger::{Account, EntryKind, MemberAccount, Posting};
use crate::lots::LotChange;
use crate::points::Points;
use crate::program::Program;
use crate::rejection::Rejection;
use crate::snapshot::{EntrySnapshot, LotSnapshot, MemberSnapshot, OrderSnapshot, RewardSnapshot, Snapshot};
use crate::state::{Balance, Lot, Member, MemberState, MemberStatus, OrderRecord};
use crate::time::Timestamp;
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct MemoryLedger {
    members: Vec<Member>,
    by_external_id: HashMap<ExternalId, MemberId>,
    /// Lot `LotId(n)` is at index n - 1.
    lots: Vec<(MemberId, Lot)>,
    /// Indexes into `lots`, by member, so a member's state costs what the member holds.
    lots_by_member: HashMap<MemberId, Vec<usize>>,
    orders: HashMap<OrderId, OrderRecord>,
    journal: Vec<JournalRow>,
    rewards: Vec<(MemberId, IssuedReward)>,
}

/// A journal entry as written: whose it is, why, and its postings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRow {
    pub member: MemberId,
    pub kind: EntryKind,
    pub postings: Vec<Posting>,
}

impl MemoryLedger {
    pub fn new() -> MemoryLedger {
        MemoryLedger::default()
    }

    /// Decides `event` against this ledger and applies the decision if there is one.
    pub fn submit(
        &mut self,
        program: &Program,
        event: &Event,
        now: Timestamp,
    ) -> Result<Decision, Rejection> {
        let state = self.state_for(event);
        let decision = decide(program, &state, event, now)?;
        self.apply(&decision);
        Ok(decision)
    }

    /// What a store would load for `event`.
    pub fn state_for(&self, event: &Event) -> MemberState {
        let member = self.by_external_id.get(event.member()).and_then(|id| self.member_by_id(*id)).cloned();
        let lots = match &member {
            Some(m) if event.spends_points() => {
                self.lots_of(m.id).filter(|lot| lot.remaining.is_positive()).cloned().collect()
            }
            _ => Vec::new(),
        };
        let order = event.order_id().and_then(|o| self.orders.get(o)).cloned();
        MemberState { member, lots, order }
    }

    /// Applies a decision made against `state_for` of the same event.
    pub fn apply(&mut self, decision: &Decision) {
        let member_id = match &decision.member {
            MemberChange::Enrol(new) => {
                let id = MemberId(self.members.len() as i64 + 1);
                self.members.push(Member {
                    id,
                    external_id: new.external_id.clone(),
                    status: MemberStatus::Active,
                    balance: Balance::default(),
                    debt: Points::ZERO,
                });
                self.by_external_id.insert(new.external_id.clone(), id);
                id
            }
            MemberChange::Balance { member, balance, debt } => {
                if let Some(m) = self.member_mut(*member) {
                    m.balance = *balance;
                    m.debt = *debt;
                }
                *member
            }
        };
        for change in &decision.lots {
            match change {
                LotChange::Open(new) => {
                    let id = LotId(self.lots.len() as i64 + 1);
                    self.lots_by_member.entry(member_id).or_default().push(self.lots.len());
                    self.lots.push((
                        member_id,
                        Lot {
                            id,
                            amount: new.amount,
                            remaining: new.remaining,
                            earned_at: new.earned_at,
                            expires_at: new.expires_at,
                            order_id: new.order_id.clone(),
                        },
                    ));
                }
                LotChange::Draw { lot, amount } => {
                    let index = usize::try_from(lot.0 - 1).ok();
                    if let Some((_, l)) = index.and_then(|i| self.lots.get_mut(i)) {
                        l.remaining = Points::new(l.remaining.get() - amount.get());
                    }
                }
            }
        }
        match &decision.order {
            Some(OrderChange::Record { order_id, awarded, lines }) => {
                self.orders.insert(
                    order_id.clone(),
                    OrderRecord {
                        order_id: order_id.clone(),
                        member_id,
                        awarded: *awarded,
                        lines: lines.clone(),
                    },
                );
            }
            Some(OrderChange::Update { order_id, awarded, lines }) => {
                if let Some(o) = self.orders.get_mut(order_id) {
                    o.awarded = *awarded;
                    o.lines = lines.clone();
                }
            }
            None => {}
        }
        for entry in &decision.entries {
            self.journal.push(JournalRow {
                member: member_id,
                kind: entry.kind(),
                postings: entry.postings().to_vec(),
            });
        }
        if let Some(reward) = &decision.reward {
            self.rewards.push((member_id, reward.clone()));
        }
    }

    pub fn member(&self, external_id: &ExternalId) -> Option<&Member> {
        self.by_external_id.get(external_id).and_then(|id| self.member_by_id(*id))
    }

    /// A member's lots, oldest first, including spent ones.
    pub fn lots_of(&self, member: MemberId) -> impl Iterator<Item = &Lot> {
        let indexes = self.lots_by_member.get(&member).map_or(&[][..], Vec::as_slice);
        indexes.iter().filter_map(|i| self.lots.get(*i)).map(|(_, lot)| lot)
    }

    pub fn journal(&self) -> &[JournalRow] {
        &self.journal
    }

    pub fn rewards(&self) -> &[(MemberId, IssuedReward)] {
        &self.rewards
    }

    pub fn order(&self, order_id: &OrderId) -> Option<&OrderRecord> {
        self.orders.get(order_id)
    }

    /// Checks the ledger invariants 1 to 3 of the design: balanced entries, balances that
    /// agree with both the lots and the postings, and lots within their bounds.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut total = 0i128;
        let mut posted: HashMap<MemberId, i128> = HashMap::new();
        for (i, row) in self.journal.iter().enumerate() {
            let sum: i128 = row.postings.iter().map(|p| i128::from(p.amount.get())).sum();
            if sum != 0 || row.postings.len() < 2 {
                return Err(format!("entry {i} does not balance: {:?}", row.postings));
            }
            total += sum;
            for p in &row.postings {
                if p.account == Account::Member(MemberAccount::Available) {
                    *posted.entry(row.member).or_default() += i128::from(p.amount.get());
                }
            }
        }
        if total != 0 {
            return Err(format!("all postings sum to {total}, not 0"));
        }
        for (owner, lot) in &self.lots {
            if lot.remaining.get() < 0 || lot.remaining > lot.amount {
                return Err(format!(
                    "lot {:?} of member {owner:?} has remaining {} of {}",
                    lot.id, lot.remaining, lot.amount
                ));
            }
        }
        for m in &self.members {
            let in_lots: i128 = self.lots_of(m.id).map(|l| i128::from(l.remaining.get())).sum();
            let available = i128::from(m.balance.available.get());
            if available != in_lots - i128::from(m.debt.get()) {
                return Err(format!(
                    "member {} has available {available} but lots hold {in_lots} and debt is {}",
                    m.external_id, m.debt
                ));
            }
            let from_postings = posted.get(&m.id).copied().unwrap_or(0);
            if available != from_postings {
                return Err(format!(
                    "member {} has available {available} but its postings sum to {from_postings}",
                    m.external_id
                ));
            }
        }
        Ok(())
    }

    /// The ledger as id-free data, to compare with a store's.
    pub fn snapshot(&self) -> Snapshot {
        let mut entries: HashMap<MemberId, Vec<EntrySnapshot>> = HashMap::new();
        for row in &self.journal {
            entries.entry(row.member).or_default().push(EntrySnapshot {
                kind: row.kind,
                postings: row.postings.iter().map(|p| (p.account, p.amount)).collect(),
            });
        }
        let mut rewards: HashMap<MemberId, Vec<RewardSnapshot>> = HashMap::new();
        for (owner, r) in &self.rewards {
            rewards.entry(*owner).or_default().push(RewardSnapshot {
                reward: r.reward.to_string(),
                code: r.code.to_string(),
                points: r.points,
                state: "issued".to_owned(),
            });
        }
        let mut snapshot = Snapshot::default();
        for m in &self.members {
            let lots = self
                .lots_of(m.id)
                .map(|l| LotSnapshot {
                    amount: l.amount,
                    remaining: l.remaining,
                    earned_at: l.earned_at,
                    expires_at: l.expires_at,
                    order_id: l.order_id.as_ref().map(ToString::to_string),
                })
                .collect();
            snapshot.members.insert(
                m.external_id.to_string(),
                MemberSnapshot {
                    status: m.status,
                    balance: m.balance,
                    debt: m.debt,
                    lots,
                    entries: entries.remove(&m.id).unwrap_or_default(),
                    rewards: rewards.remove(&m.id).unwrap_or_default(),
                },
            );
        }
        for order in self.orders.values() {
            let member =
                self.member_by_id(order.member_id).map(|m| m.external_id.to_string()).unwrap_or_default();
            snapshot.orders.insert(
                order.order_id.to_string(),
                OrderSnapshot { member, awarded: order.awarded, lines: order.lines.clone() },
            );
        }
        snapshot
    }

    fn member_by_id(&self, id: MemberId) -> Option<&Member> {
        usize::try_from(id.0 - 1).ok().and_then(|i| self.members.get(i))
    }

    fn member_mut(&mut self, id: MemberId) -> Option<&mut Member> {
        usize::try_from(id.0 - 1).ok().and_then(|i| self.members.get_mut(i))
    }
}

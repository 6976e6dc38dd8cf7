//! An in-memory ledger: the reference model of what a store must do with decisions. The
//! property tests compare the real stores against it, `verify` replays logs into it, and
//! simulations run on it.

use crate::decide::{decide, needs, needs_after};
use crate::decision::{Decision, HistoryNote, HoldChange, MemberChange, OrderChange, RewardChange};
use crate::event::Event;
use crate::ids::{ExternalId, HoldId, InstanceCode, LotId, MemberId, OrderId, ReferralCode};
use crate::insight::Segment;
use crate::ledger::{Account, EntryKind, MemberAccount, Posting};
use crate::lots::{LotChange, NewLot};
use crate::needs::{Aggregates, Counter, Measure, Scope};
use crate::outcome::{HoldView, changed};
use crate::points::Points;
use crate::program::Program;
use crate::rejection::Rejection;
use crate::snapshot::{
    EntrySnapshot, LotSnapshot, MemberSnapshot, OrderSnapshot, RewardSnapshot, Snapshot,
    SurveyResponseSnapshot,
};
use crate::spending::{HoldRecord, HoldState, RewardInstance};
use crate::state::{Lot, Member, MemberState, OrderRecord};
use crate::time::Timestamp;
use std::collections::{BTreeMap, HashMap};

/// The deepest chain of referrers followed to refuse a referral loop.
const REFERRAL_CHAIN: usize = 64;

#[derive(Debug, Clone, Default)]
pub struct MemoryLedger {
    members: Vec<Member>,
    by_external_id: HashMap<ExternalId, MemberId>,
    by_referral_code: HashMap<ReferralCode, MemberId>,
    /// Lot `LotId(n)` is at index n - 1.
    lots: Vec<(MemberId, Lot)>,
    /// Indexes into `lots`, by member, so a member's state costs what the member holds.
    lots_by_member: HashMap<MemberId, Vec<usize>>,
    orders: HashMap<OrderId, StoredOrder>,
    orders_by_member: HashMap<MemberId, Vec<OrderId>>,
    counters: HashMap<(Option<MemberId>, String), i64>,
    journal: Vec<JournalRow>,
    /// Issued reward codes, in the order they were issued.
    rewards: Vec<(MemberId, RewardInstance)>,
    rewards_by_code: HashMap<InstanceCode, usize>,
    /// Checkout holds, in the order they were opened.
    holds: Vec<(MemberId, HoldRecord)>,
    holds_by_id: HashMap<HoldId, usize>,
    history: HashMap<MemberId, Vec<HistoryNote>>,
    surveys: HashMap<MemberId, Vec<SurveyResponseSnapshot>>,
    /// Members' segments, as the analytics job would have computed them; replay sets each
    /// to what its event recorded.
    segments: HashMap<ExternalId, Segment>,
}

#[derive(Debug, Clone)]
struct StoredOrder {
    record: OrderRecord,
    amount_minor: i64,
    occurred_at: Timestamp,
}

/// A journal entry as written: whose it is, why, when, and its postings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRow {
    pub member: MemberId,
    pub kind: EntryKind,
    pub at: Timestamp,
    pub postings: Vec<Posting>,
}

impl MemoryLedger {
    pub fn new() -> MemoryLedger {
        MemoryLedger::default()
    }

    /// Puts a member in `segment` (or in none) for the events judged from now on.
    pub fn set_segment(&mut self, member: &ExternalId, segment: Option<Segment>) {
        match segment {
            Some(s) => self.segments.insert(member.clone(), s),
            None => self.segments.remove(member),
        };
    }

    /// Decides `event` against this ledger and applies the decision if there is one.
    pub fn submit(
        &mut self,
        program: &Program,
        event: &Event,
        now: Timestamp,
    ) -> Result<Decision, Rejection> {
        let state = self.state_for(program, event);
        let decision = decide(program, &state, event, now)?;
        self.apply(event, &decision);
        Ok(decision)
    }

    /// What a store would load for `event`.
    pub fn state_for(&self, program: &Program, event: &Event) -> MemberState {
        let member = self.member(event.member()).cloned();
        let lots = match &member {
            Some(m) if event.spends_points() => {
                self.lots_of(m.id).filter(|lot| lot.remaining.is_positive()).cloned().collect()
            }
            _ => Vec::new(),
        };
        let mut order = event.order_id().and_then(|o| self.orders.get(o)).map(|o| o.record.clone());
        let mut aggregates = Aggregates::default();
        let wanted = needs(program, event);
        let wants_referrer = wanted.referrer;
        let segment = wanted.segment.then(|| self.segments.get(event.member()).copied()).flatten();
        for window in wanted.windows {
            let sum =
                member.as_ref().map_or(0, |m| self.window(m.id, window.from, window.to, window.measure));
            aggregates.windows.insert(window, sum);
        }
        self.load_counters(member.as_ref(), wanted.counters, &mut aggregates);
        let referrer_id = match event {
            Event::Enrol(e) => e.referred_by.as_ref().and_then(|c| self.by_referral_code.get(c)).copied(),
            Event::Refer(r) => self.by_referral_code.get(&r.code).copied(),
            Event::Purchase(_) if wants_referrer => member.as_ref().and_then(|m| m.referred_by),
            _ => None,
        };
        let referrer = referrer_id.and_then(|id| self.member_by_id(id)).cloned();
        let mut referrer_chain = Vec::new();
        if let (Event::Refer(_), Some(r)) = (event, &referrer) {
            let mut next = r.referred_by;
            while let Some(id) = next.filter(|_| referrer_chain.len() < REFERRAL_CHAIN) {
                referrer_chain.push(id);
                next = self.member_by_id(id).and_then(|m| m.referred_by);
            }
        }
        let member_id = member.as_ref().map(|m| m.id);
        let bonus_code = order.as_ref().and_then(|o| o.bonuses.iter().find_map(|b| b.reward_code.clone()));
        let code = match event {
            Event::Code(c) => Some(c.code.clone()),
            Event::Return(_) => bonus_code,
            _ => None,
        };
        let instance = code
            .and_then(|code| self.rewards_by_code.get(&code))
            .and_then(|i| self.rewards.get(*i))
            .filter(|(owner, _)| Some(*owner) == member_id)
            .map(|(_, r)| r.clone());
        let achievement_codes = match event {
            Event::Return(_) if program.engagement().rewards_revocable() => self
                .rewards
                .iter()
                .filter(|(owner, r)| Some(*owner) == member_id && r.achievement.is_some())
                .filter(|(_, r)| r.state == crate::spending::InstanceState::Issued)
                .map(|(_, r)| r.clone())
                .collect(),
            _ => Vec::new(),
        };
        let holds = match event {
            Event::Settle(s) => self
                .holds_by_id
                .get(&s.hold_id)
                .and_then(|i| self.holds.get(*i))
                .filter(|(owner, _)| Some(*owner) == member_id)
                .map(|(_, h)| h.clone())
                .into_iter()
                .collect(),
            Event::Return(_) | Event::Purchase(_) => self
                .holds
                .iter()
                .filter(|(owner, h)| {
                    Some(*owner) == member_id
                        && Some(&h.order_id) == event.order_id()
                        && h.state == HoldState::Captured
                })
                .map(|(_, h)| h.clone())
                .collect(),
            _ => Vec::new(),
        };
        if let (Event::Settle(_), [hold]) = (event, &holds[..])
            && hold.amount_minor.is_some()
        {
            order = self.orders.get(&hold.order_id).map(|o| o.record.clone());
        }
        let mut state = MemberState {
            member,
            lots,
            order,
            aggregates,
            referrer,
            referrer_chain,
            instance,
            holds,
            segment,
            achievement_codes,
        };
        let more = needs_after(program, event, &state);
        self.load_counters(state.member.as_ref(), more.counters, &mut state.aggregates);
        state
    }

    fn load_counters(
        &self,
        member: Option<&Member>,
        counters: impl IntoIterator<Item = Counter>,
        aggregates: &mut Aggregates,
    ) {
        for counter in counters {
            let owner = match counter.scope {
                Scope::Member => match member {
                    Some(m) => Some(m.id),
                    None => continue,
                },
                Scope::Program => None,
            };
            let value = self.counters.get(&(owner, counter.key.clone())).copied().unwrap_or(0);
            aggregates.counters.insert(counter, value);
        }
    }

    fn window(&self, member: MemberId, from: Timestamp, to: Timestamp, measure: Measure) -> i64 {
        let within = |at: Timestamp| at >= from && at < to;
        match measure {
            Measure::Spend | Measure::Purchases => self
                .orders_by_member
                .get(&member)
                .into_iter()
                .flatten()
                .filter_map(|o| self.orders.get(o))
                .filter(|o| within(o.occurred_at))
                .map(|o| if measure == Measure::Spend { o.amount_minor } else { 1 })
                .sum(),
            Measure::Earned => self
                .lots_of(member)
                .filter(|l| l.source.is_earned() && within(l.earned_at))
                .map(|l| l.amount.get())
                .sum(),
        }
    }

    /// Applies a decision made against `state_for` of the same event.
    pub fn apply(&mut self, event: &Event, decision: &Decision) {
        let member_id = match &decision.member {
            MemberChange::Enrol(new) => {
                let id = MemberId(self.members.len() as i64 + 1);
                self.members.push(Member {
                    id,
                    external_id: new.external_id.clone(),
                    status: new.status,
                    balance: new.balance,
                    debt: Points::ZERO,
                    profile: new.profile.clone(),
                    referral_code: new.referral_code.clone(),
                    referred_by: new.referred_by,
                    enrolled_at: new.enrolled_at,
                    last_activity_at: new.enrolled_at,
                    standing: Default::default(),
                });
                self.by_external_id.insert(new.external_id.clone(), id);
                self.by_referral_code.insert(new.referral_code.clone(), id);
                id
            }
            MemberChange::Update { member, balance, debt, profile, referred_by } => {
                if let Some(m) = self.member_mut(*member) {
                    m.balance = *balance;
                    m.debt = *debt;
                    if let Some(changes) = profile {
                        m.profile = changed(&m.profile, changes);
                    }
                    if referred_by.is_some() {
                        m.referred_by = *referred_by;
                    }
                }
                *member
            }
        };
        if let Some(m) = self.member_mut(member_id) {
            if let Some(change) = &decision.standing {
                change.apply_to(m);
            }
            if let Some(at) = decision.last_activity_at {
                m.last_activity_at = at;
            }
        }
        if let Some(change) = &decision.standing {
            self.history.entry(member_id).or_default().extend(change.history.iter().cloned());
        }
        self.history.entry(member_id).or_default().extend(decision.notes.iter().cloned());
        if let Some(response) = SurveyResponseSnapshot::of(event, decision) {
            self.surveys.entry(member_id).or_default().push(response);
        }
        let at = event.occurred_at();
        for change in &decision.lots {
            match change {
                LotChange::Open(new) => self.open_lot(member_id, new),
                LotChange::Draw { lot, amount } => {
                    if let Some(l) = self.lot_mut(*lot) {
                        l.remaining = Points::new(l.remaining.get() - amount.get());
                    }
                }
                LotChange::Release { lot } => {
                    if let Some(l) = self.lot_mut(*lot) {
                        l.in_review = false;
                        l.pending_until = None;
                    }
                }
                LotChange::Extend { until } => {
                    let indexes = self.lots_by_member.get(&member_id).cloned().unwrap_or_default();
                    for i in indexes {
                        if let Some((_, l)) = self.lots.get_mut(i)
                            && l.remaining.is_positive()
                            && l.expires_at.is_some_and(|e| e < *until)
                        {
                            l.expires_at = Some(*until);
                        }
                    }
                }
                LotChange::Void { lot } => {
                    if let Some(l) = self.lot_mut(*lot) {
                        l.remaining = Points::ZERO;
                    }
                }
                LotChange::Restore { lot, amount } => {
                    if let Some(l) = self.lot_mut(*lot) {
                        l.remaining = Points::new(l.remaining.get() + amount.get());
                    }
                }
            }
        }
        match &decision.order {
            Some(OrderChange::Record { order_id, awarded, amount_minor, lines, bonuses }) => {
                let record = OrderRecord {
                    order_id: order_id.clone(),
                    member_id,
                    awarded: *awarded,
                    occurred_at: at,
                    lines: lines.clone(),
                    bonuses: bonuses.clone(),
                };
                self.orders.insert(
                    order_id.clone(),
                    StoredOrder { record, amount_minor: *amount_minor, occurred_at: at },
                );
                self.orders_by_member.entry(member_id).or_default().push(order_id.clone());
            }
            Some(OrderChange::Update { order_id, awarded, amount_minor, lines, bonuses }) => {
                if let Some(o) = self.orders.get_mut(order_id) {
                    o.record.awarded = *awarded;
                    o.record.lines = lines.clone();
                    o.record.bonuses = bonuses.clone();
                    o.amount_minor = *amount_minor;
                }
            }
            None => {}
        }
        for (counter, delta) in &decision.counters {
            let owner = match counter.scope {
                Scope::Member => Some(member_id),
                Scope::Program => None,
            };
            *self.counters.entry((owner, counter.key.clone())).or_default() += delta;
        }
        for entry in &decision.entries {
            self.journal.push(JournalRow {
                member: member_id,
                kind: entry.kind(),
                at,
                postings: entry.postings().to_vec(),
            });
        }
        if let Some(credit) = &decision.referrer {
            if let Some(m) = self.member_mut(credit.member) {
                m.balance = credit.balance;
                m.debt = credit.debt;
            }
            self.open_lot(credit.member, &credit.lot);
            for counter in &credit.counters {
                *self.counters.entry((Some(credit.member), counter.key.clone())).or_insert(0) += 1;
            }
            self.journal.push(JournalRow {
                member: credit.member,
                kind: credit.entry.kind(),
                at,
                postings: credit.entry.postings().to_vec(),
            });
        }
        for change in decision.reward_changes() {
            match change {
                RewardChange::Issue(instance) => {
                    self.rewards_by_code.insert(instance.code.clone(), self.rewards.len());
                    self.rewards.push((member_id, instance));
                }
                RewardChange::Update(instance) => {
                    if let Some(i) = self.rewards_by_code.get(&instance.code) {
                        self.rewards[*i].1 = instance;
                    }
                }
            }
        }
        for change in &decision.holds {
            match change {
                HoldChange::Open(hold) => {
                    self.holds_by_id.insert(hold.hold_id.clone(), self.holds.len());
                    self.holds.push((member_id, hold.clone()));
                }
                HoldChange::Update(hold) => {
                    if let Some(i) = self.holds_by_id.get(&hold.hold_id) {
                        self.holds[*i].1 = hold.clone();
                    }
                }
            }
        }
    }

    fn open_lot(&mut self, member: MemberId, new: &NewLot) {
        let id = LotId(self.lots.len() as i64 + 1);
        self.lots_by_member.entry(member).or_default().push(self.lots.len());
        self.lots.push((
            member,
            Lot {
                id,
                amount: new.amount,
                remaining: new.remaining,
                earned_at: new.earned_at,
                expires_at: new.expires_at,
                order_id: new.order_id.clone(),
                source: new.source,
                in_review: new.in_review,
                pending_until: new.pending_until,
            },
        ));
    }

    fn lot_mut(&mut self, lot: LotId) -> Option<&mut Lot> {
        usize::try_from(lot.0 - 1).ok().and_then(|i| self.lots.get_mut(i)).map(|(_, l)| l)
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

    pub fn rewards(&self) -> &[(MemberId, RewardInstance)] {
        &self.rewards
    }

    pub fn holds(&self) -> &[(MemberId, HoldRecord)] {
        &self.holds
    }

    pub fn order(&self, order_id: &OrderId) -> Option<&OrderRecord> {
        self.orders.get(order_id).map(|o| &o.record)
    }

    /// A counter's value; member counters of `member`, program counters if `None`.
    pub fn counter(&self, member: Option<MemberId>, counter: &Counter) -> i64 {
        self.counters.get(&(member, counter.key.clone())).copied().unwrap_or(0)
    }

    /// Points members hold (available, pending and in review), which the program owes.
    pub fn snapshot_outstanding(&self) -> i128 {
        self.members.iter().map(|m| m.balance.owed()).sum()
    }

    /// Checks the ledger invariants 1 to 3 of the design: balanced entries, balances that
    /// agree with both the lots and the postings, and lots within their bounds.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut total = 0i128;
        let mut posted: HashMap<(MemberId, MemberAccount), i128> = HashMap::new();
        for (i, row) in self.journal.iter().enumerate() {
            let sum: i128 = row.postings.iter().map(|p| i128::from(p.amount.get())).sum();
            if sum != 0 || row.postings.len() < 2 {
                return Err(format!("entry {i} does not balance: {:?}", row.postings));
            }
            total += sum;
            for p in &row.postings {
                if let Account::Member(account) = p.account {
                    *posted.entry((row.member, account)).or_default() += i128::from(p.amount.get());
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
            let (mut spendable, mut held, mut pending) = (0i128, 0i128, 0i128);
            for lot in self.lots_of(m.id) {
                let remaining = i128::from(lot.remaining.get());
                match lot.account() {
                    MemberAccount::Review => held += remaining,
                    MemberAccount::Pending => pending += remaining,
                    MemberAccount::Available | MemberAccount::Held => spendable += remaining,
                }
            }
            let available = i128::from(m.balance.available.get());
            if available != spendable - i128::from(m.debt.get()) {
                return Err(format!(
                    "member {} has available {available} but lots hold {spendable} and debt is {}",
                    m.external_id, m.debt
                ));
            }
            if i128::from(m.balance.pending.get()) != pending {
                return Err(format!(
                    "member {} has {} pending but lots hold {pending}",
                    m.external_id, m.balance.pending
                ));
            }
            if i128::from(m.balance.pending_review.get()) != held {
                return Err(format!(
                    "member {} has {} in review but lots hold {held}",
                    m.external_id, m.balance.pending_review
                ));
            }
            let open: i128 = self
                .holds
                .iter()
                .filter(|(owner, h)| *owner == m.id && h.state == HoldState::Open)
                .map(|(_, h)| i128::from(h.points.get()))
                .sum();
            if i128::from(m.balance.held.get()) != open {
                return Err(format!(
                    "member {} has {} held but open holds reserve {open}",
                    m.external_id, m.balance.held
                ));
            }
            for (account, shown) in [
                (MemberAccount::Available, available),
                (MemberAccount::Pending, i128::from(m.balance.pending.get())),
                (MemberAccount::Review, i128::from(m.balance.pending_review.get())),
                (MemberAccount::Held, i128::from(m.balance.held.get())),
            ] {
                let from_postings = posted.get(&(m.id, account)).copied().unwrap_or(0);
                if shown != from_postings {
                    return Err(format!(
                        "member {} shows {shown} in {account:?} but its postings sum to {from_postings}",
                        m.external_id
                    ));
                }
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
            rewards.entry(*owner).or_default().push(RewardSnapshot(r.clone()));
        }
        let mut holds: HashMap<MemberId, Vec<HoldView>> = HashMap::new();
        for (owner, h) in &self.holds {
            holds.entry(*owner).or_default().push(HoldView::of(h));
        }
        let mut counters: HashMap<Option<MemberId>, BTreeMap<String, i64>> = HashMap::new();
        for ((owner, key), value) in self.counters.iter().filter(|(_, v)| **v != 0) {
            counters.entry(*owner).or_default().insert(key.clone(), *value);
        }
        let mut snapshot =
            Snapshot { counters: counters.remove(&None).unwrap_or_default(), ..Snapshot::default() };
        for m in &self.members {
            let lots = self
                .lots_of(m.id)
                .map(|l| LotSnapshot {
                    amount: l.amount,
                    remaining: l.remaining,
                    earned_at: l.earned_at,
                    expires_at: l.expires_at,
                    order_id: l.order_id.as_ref().map(ToString::to_string),
                    source: l.source,
                    in_review: l.in_review,
                    pending_until: l.pending_until,
                })
                .collect();
            let referred_by =
                m.referred_by.and_then(|id| self.member_by_id(id)).map(|r| r.external_id.to_string());
            snapshot.members.insert(
                m.external_id.to_string(),
                MemberSnapshot {
                    status: m.status,
                    balance: m.balance,
                    debt: m.debt,
                    profile: m.profile.clone(),
                    referral_code: m.referral_code.to_string(),
                    referred_by,
                    lots,
                    entries: entries.remove(&m.id).unwrap_or_default(),
                    rewards: rewards.remove(&m.id).unwrap_or_default(),
                    holds: holds.remove(&m.id).unwrap_or_default(),
                    counters: counters.remove(&Some(m.id)).unwrap_or_default(),
                    last_activity_at: m.last_activity_at,
                    standing: m.standing.clone(),
                    history: self.history.get(&m.id).cloned().unwrap_or_default(),
                    surveys: self.surveys.get(&m.id).cloned().unwrap_or_default(),
                },
            );
        }
        for order in self.orders.values() {
            let member = self
                .member_by_id(order.record.member_id)
                .map(|m| m.external_id.to_string())
                .unwrap_or_default();
            snapshot.orders.insert(
                order.record.order_id.to_string(),
                OrderSnapshot {
                    member,
                    awarded: order.record.awarded,
                    amount_minor: order.amount_minor,
                    occurred_at: order.occurred_at,
                    lines: order.record.lines.clone(),
                },
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

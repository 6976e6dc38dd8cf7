//! Random histories for property tests: operations as a till and an administrator would
//! send them, biased towards the edges (0, 1 and the largest values), and a harness that
//! applies them to the in-memory ledger and checks every invariant after every step.

use loyalty_core::decision::Decision;
use loyalty_core::event::{
    Adjustment, Enrolment, Purchase, PurchaseLine, Quantity, Redemption, Return, ReturnLine,
};
use loyalty_core::ids::{Category, ExternalId, InstanceCode, OrderId, Reason, RewardCode, Sku};
use loyalty_core::ledger::Account;
use loyalty_core::limits::{MAX_QUANTITY_PER_LINE, MAX_UNIT_PRICE};
use loyalty_core::memory::MemoryLedger;
use loyalty_core::{Event, Points, Program, Rejection, Timestamp};
use proptest::prelude::*;
use std::collections::HashMap;

pub const MEMBERS: usize = 6;
/// Order ids a history draws from: few enough that some orders repeat (and are refused)
/// and most returns find their order, enough that most purchases are new.
pub const ORDERS: usize = 300;
const SKUS: [(&str, Option<&str>); 4] =
    [("latte", Some("coffee")), ("scone", Some("pastry")), ("loaf", Some("pastry")), ("gift-card", None)];
const REWARDS: [&str; 3] = ["free-drink", "pastry-voucher", "yacht"];

#[derive(Debug, Clone)]
pub enum Op {
    Enrol { member: usize },
    Purchase { member: usize, order: usize, lines: Vec<(usize, i64, i64)> },
    Return { member: usize, order: usize, lines: Vec<(usize, i64)> },
    Redeem { member: usize, reward: usize },
    Adjust { member: usize, points: i64 },
}

fn quantity() -> impl Strategy<Value = i64> {
    prop_oneof![2 => Just(0), 3 => Just(1), 1 => Just(MAX_QUANTITY_PER_LINE), 10 => 1..5i64]
}

fn price() -> impl Strategy<Value = i64> {
    prop_oneof![2 => Just(0), 2 => Just(1), 1 => Just(MAX_UNIT_PRICE.get()), 10 => 1..2_000i64]
}

fn points() -> impl Strategy<Value = i64> {
    let max = Points::MAX_PER_EVENT.get();
    prop_oneof![1 => Just(0), 2 => Just(1), 2 => Just(-1), 1 => Just(max), 1 => Just(-max), 6 => -300..300i64]
}

pub fn op() -> impl Strategy<Value = Op> {
    let member = 0..MEMBERS;
    prop_oneof![
        2 => member.clone().prop_map(|member| Op::Enrol { member }),
        8 => (member.clone(), 0..ORDERS, prop::collection::vec((0..SKUS.len(), quantity(), price()), 0..5))
            .prop_map(|(member, order, lines)| Op::Purchase { member, order, lines }),
        3 => (member.clone(), 0..ORDERS, prop::collection::vec((0..SKUS.len(), quantity()), 1..3))
            .prop_map(|(member, order, lines)| Op::Return { member, order, lines }),
        4 => (member.clone(), 0..REWARDS.len()).prop_map(|(member, reward)| Op::Redeem { member, reward }),
        2 => (member, points()).prop_map(|(member, points)| Op::Adjust { member, points }),
    ]
}

pub fn ops(length: usize) -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), length..=length)
}

fn member(i: usize) -> ExternalId {
    ExternalId::parse(format!("m-{i}")).unwrap_or_else(|_| unreachable!())
}

fn sku(i: usize) -> Sku {
    Sku::parse(SKUS[i].0).unwrap_or_else(|_| unreachable!())
}

impl Op {
    /// The event this operation sends, or the refusal the edge gives it. `step` makes
    /// reward codes unique; `at` is when it happens.
    pub fn event(&self, step: usize, at: Timestamp) -> Result<Event, Rejection> {
        let order = |o: &usize| OrderId::parse(format!("o-{o}")).unwrap_or_else(|_| unreachable!());
        Ok(match self {
            Op::Enrol { member: m } => {
                Event::Enrol(Enrolment { member: member(*m), email: None, name: None, occurred_at: at })
            }
            Op::Purchase { member: m, order: o, lines } => {
                loyalty_core::event::check_line_count(lines.len())?;
                let lines = lines
                    .iter()
                    .enumerate()
                    .map(|(i, (s, q, p))| {
                        let category =
                            SKUS[*s].1.map(|c| Category::parse(c).unwrap_or_else(|_| unreachable!()));
                        PurchaseLine::parse(i + 1, sku(*s), category, *q, *p)
                    })
                    .collect::<Result<_, _>>()?;
                Event::Purchase(Purchase { member: member(*m), order_id: order(o), occurred_at: at, lines })
            }
            Op::Return { member: m, order: o, lines } => {
                let lines = lines
                    .iter()
                    .enumerate()
                    .map(|(i, (s, q))| Ok(ReturnLine { sku: sku(*s), quantity: Quantity::parse(i + 1, *q)? }))
                    .collect::<Result<_, Rejection>>()?;
                Event::Return(Return { member: member(*m), order_id: order(o), occurred_at: at, lines })
            }
            Op::Redeem { member: m, reward } => Event::Redeem(Redemption {
                member: member(*m),
                reward: RewardCode::parse(REWARDS[*reward]).unwrap_or_else(|_| unreachable!()),
                code: InstanceCode::parse(format!("R-{step}")).unwrap_or_else(|_| unreachable!()),
                occurred_at: at,
            }),
            Op::Adjust { member: m, points } => Event::Adjust(Adjustment {
                member: member(*m),
                points: Adjustment::parse_points(*points)?,
                reason: Reason::parse("property test").unwrap_or_else(|_| unreachable!()),
                occurred_at: at,
            }),
        })
    }
}

/// When the `step`th operation of a history happens: a minute apart, from 2026-11-02.
pub fn time_of(step: usize) -> Timestamp {
    let start = 1_793_577_600_000_000; // 2026-11-02T00:00:00Z
    Timestamp::from_micros(start + i64::try_from(step).unwrap_or(i64::MAX) * 60_000_000)
}

/// The in-memory ledger under test, with what the invariants are checked against kept
/// up to date step by step, so that a step costs no more than the member it touches.
#[derive(Debug)]
pub struct Harness {
    pub ledger: MemoryLedger,
    /// Accepted events with their times, in order, for the replay check.
    pub log: Vec<(Event, Timestamp)>,
    /// Sum of every member-account posting per member.
    member_postings: HashMap<ExternalId, i128>,
    /// Sum of every program-account posting.
    program_side: i128,
    pub accepted: usize,
    pub refused: usize,
    /// How often each refusal code came up.
    pub refusals: HashMap<&'static str, usize>,
}

impl Harness {
    pub fn new() -> Harness {
        Harness {
            ledger: MemoryLedger::new(),
            log: Vec::new(),
            member_postings: HashMap::new(),
            program_side: 0,
            accepted: 0,
            refused: 0,
            refusals: HashMap::new(),
        }
    }

    /// Applies one operation and checks the invariants it could break.
    pub fn step(
        &mut self,
        program: &Program,
        op: &Op,
        step: usize,
    ) -> Result<Result<Decision, Rejection>, String> {
        let at = time_of(step);
        let event = match op.event(step, at) {
            Ok(event) => event,
            Err(refused) => {
                self.refused += 1;
                *self.refusals.entry(refused.code()).or_default() += 1;
                return Ok(Err(refused));
            }
        };
        let before = self.fingerprint(event.member());
        match self.ledger.submit(program, &event, at) {
            Err(refused) => {
                self.refused += 1;
                *self.refusals.entry(refused.code()).or_default() += 1;
                if self.fingerprint(event.member()) != before {
                    return Err(format!(
                        "step {step}: the refused {op:?} ({}) changed the ledger",
                        refused.code()
                    ));
                }
                Ok(Err(refused))
            }
            Ok(decision) => {
                self.accepted += 1;
                self.check_step(program, &event, &decision, step)?;
                self.log.push((event, at));
                Ok(Ok(decision))
            }
        }
    }

    /// What a refused event must leave as it was.
    fn fingerprint(&self, member: &ExternalId) -> (usize, usize, Option<(Points, Points)>, usize) {
        let m = self.ledger.member(member);
        let lots = m.map_or(0, |m| self.ledger.lots_of(m.id).count());
        (
            self.ledger.journal().len(),
            lots,
            m.map(|m| (m.balance.available, m.debt)),
            self.ledger.rewards().len(),
        )
    }

    fn check_step(
        &mut self,
        program: &Program,
        event: &Event,
        decision: &Decision,
        step: usize,
    ) -> Result<(), String> {
        let fail = |what: String| Err(format!("step {step} ({:?}): {what}", event.kind()));
        let Some(m) = self.ledger.member(event.member()).cloned() else {
            return fail("the member is missing after the event".into());
        };
        // 1. Every entry balances; all postings together balance.
        for entry in &decision.entries {
            let sum: i128 = entry.postings().iter().map(|p| i128::from(p.amount.get())).sum();
            if sum != 0 || entry.postings().len() < 2 {
                return fail(format!("entry does not balance: {:?}", entry.postings()));
            }
            for p in entry.postings() {
                match p.account {
                    Account::Member(_) => {
                        *self.member_postings.entry(m.external_id.clone()).or_default() +=
                            i128::from(p.amount.get())
                    }
                    Account::Program(_) => self.program_side += i128::from(p.amount.get()),
                }
            }
        }
        let members_side: i128 = self.member_postings.values().sum();
        if members_side + self.program_side != 0 {
            return fail(format!("all postings sum to {}", members_side + self.program_side));
        }
        // 2. The balance equals the member's postings and their lots less debt.
        let available = i128::from(m.balance.available.get()) + i128::from(m.balance.pending.get());
        let posted = self.member_postings.get(&m.external_id).copied().unwrap_or(0);
        if available != posted {
            return fail(format!("{} holds {available} but its postings sum to {posted}", m.external_id));
        }
        let mut in_lots = 0i128;
        for lot in self.ledger.lots_of(m.id) {
            // 3. No lot below zero or above its amount (6: nothing spent twice).
            if lot.remaining.get() < 0 || lot.remaining > lot.amount {
                return fail(format!("lot {:?} has {} of {}", lot.id, lot.remaining, lot.amount));
            }
            in_lots += i128::from(lot.remaining.get());
        }
        if available != in_lots - i128::from(m.debt.get()) {
            return fail(format!(
                "{} holds {available} but its lots hold {in_lots} with debt {}",
                m.external_id, m.debt
            ));
        }
        // 6. A redemption spends exactly the reward's cost.
        if let (Event::Redeem(r), Some(issued)) = (event, &decision.reward) {
            let cost = program.reward(&r.reward).map(|reward| reward.points_cost);
            if Some(issued.points) != cost
                || decision
                    .entries
                    .first()
                    .map(|e| e.net(Account::Member(loyalty_core::ledger::MemberAccount::Available)))
                    != cost.and_then(Points::checked_neg)
            {
                return fail(format!("a reward of cost {cost:?} spent {:?}", issued.points));
            }
        }
        Ok(())
    }

    /// The checks of a whole history: every invariant over the whole ledger, the log
    /// replayed from empty (4), and every accepted event refused when sent again (5).
    pub fn finish(&self, program: &Program) -> Result<(), String> {
        self.ledger.check_invariants()?;
        // 7. Members hold what the program's accounts say they were given.
        if self.ledger.snapshot().outstanding() != -self.program_side {
            return Err(format!(
                "members hold {} but the program accounts say {}",
                self.ledger.snapshot().outstanding(),
                -self.program_side
            ));
        }
        let mut replayed = MemoryLedger::new();
        for (event, at) in &self.log {
            replayed
                .submit(program, event, *at)
                .map_err(|r| format!("replay refused {:?}: {}", event.kind(), r.code()))?;
        }
        let differences = replayed.snapshot().differences(&self.ledger.snapshot());
        if !differences.is_empty() {
            return Err(format!("replay differs: {differences:?}"));
        }
        // 5. An enrolment or a purchase sent twice has one effect: the second is refused.
        let mut again = self.ledger.clone();
        for (event, at) in self.log.iter().filter(|(e, _)| matches!(e, Event::Enrol(_) | Event::Purchase(_)))
        {
            if again.submit(program, event, *at).is_ok() {
                return Err(format!("a repeated {:?} was accepted", event.kind()));
            }
        }
        Ok(())
    }
}

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}

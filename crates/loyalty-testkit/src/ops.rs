//! Random histories for property tests: operations as a till and an administrator would
//! send them, biased towards the edges (0, 1 and the largest values), and a harness that
//! applies them to the in-memory ledger and checks every invariant after every step.

use loyalty_core::decision::{Calculation, Decision, HistoryTopic};
use loyalty_core::earning::{Detail, Limit};
use loyalty_core::event::{
    Activity, Adjustment, DueTick, Enrolment, JobTick, ProfileChanges, ProfileUpdate, Purchase, PurchaseLine,
    Quantity, Redemption, Referral, Return, ReturnLine, ReviewDecision, StatusAction, StatusChange,
    SubscriptionAction, SubscriptionUpdate,
};
use loyalty_core::ids::{
    ActivityKind, ActivityTarget, Category, ExternalId, InstanceCode, OrderId, Reason, ReferralCode,
    RewardCode, Sku, TierCode,
};
use loyalty_core::ledger::{Account, MemberAccount};
use loyalty_core::limits::{MAX_QUANTITY_PER_LINE, MAX_UNIT_PRICE};
use loyalty_core::memory::MemoryLedger;
use loyalty_core::state::Balance;
use loyalty_core::{Event, Points, Program, Rejection, Timestamp};
use proptest::prelude::*;
use std::collections::HashMap;

pub const MEMBERS: usize = 6;
/// Order ids a history draws from: few enough that some orders repeat (and are refused)
/// and most returns find their order, enough that most purchases are new.
pub const ORDERS: usize = 300;
const SKUS: [(&str, Option<&str>); 5] = [
    ("latte", Some("coffee")),
    ("scone", Some("pastry")),
    ("loaf", Some("pastry")),
    ("gift-card", Some("gift")),
    ("water", None),
];
const REWARDS: [&str; 3] = ["free-drink", "pastry-voucher", "yacht"];
/// The last is rewarded by no program, to be refused.
const ACTIVITIES: [&str; 4] = ["review", "social_follow", "survey_answered", "dance"];
const TARGETS: [&str; 2] = ["instagram", "tiktok"];
const TIERS: [&str; 2] = ["gold", "silver"];

/// A program with every kind of earning rule and both limits, for property tests: its
/// campaign runs over the days the histories cover, with a budget they can exhaust; its
/// purchases are pending for two days and its points expire after a month, which the
/// histories' later, slower steps reach.
pub const PROPERTY_PROGRAM: &str = r#"
id = "property"
name = "Every rule at once"
currency = "USD"
time_zone = "America/New_York"
points_name = "points"
rounding = "floor"

[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 10

[[earning]]
id = "pastry"
kind = "category_multiplier"
category = "pastry"
multiplier = 2

[[earning]]
id = "water-bonus"
kind = "product_bonus"
skus = ["water"]
points_per_unit = 3

[[earning]]
id = "no-gift-cards"
kind = "exclusion"
categories = ["gift"]

[[earning]]
id = "small-baskets"
kind = "minimum_basket"
amount_minor = 150

[[earning]]
id = "tiers"
kind = "tier_multiplier"
multipliers = { gold = "2", silver = "1.5" }

[[earning]]
id = "coffee-week"
kind = "campaign"
starts = "2026-11-02T06:00"
ends = "2026-11-05T00:00"
categories = ["coffee"]
multiplier = 2
points = 5
budget = 4000
max_points_per_day = 600

[[earning]]
id = "big-spender"
kind = "spend_threshold"
spend_minor = 5000
window_days = 2
points = 300

[[earning]]
id = "coffee-card"
kind = "punch_card"
every = 3
categories = ["coffee"]
points = 50

[[earning]]
id = "reviews"
kind = "activity"
activity = "review"
points = 20
per_day = 2

[[earning]]
id = "follows"
kind = "activity"
activity = "social_follow"
points = 15
once = true

[[earning]]
id = "surveys"
kind = "activity"
activity = "survey_answered"
points = 5
per_month = 3

[[earning]]
id = "welcome"
kind = "welcome_bonus"
points = 25

[[earning]]
id = "friends"
kind = "referral"
referrer_points = 100
referee_points = 50
min_purchase_minor = 1000

[[rewards]]
code = "free-drink"
name = "Any drink"
points_cost = 90

[[rewards]]
code = "pastry-voucher"
name = "Any pastry"
points_cost = 60
tiers = ["silver", "gold"]

[returns]
when_points_spent = "negative_balance"
pending_days = 2

[expiry]
policy = "months_after_earning"
months = 1

[tiers]
metric = "spend"
grace_days = 1

[[tiers.levels]]
code = "silver"
name = "Silver"
threshold = 5000

[[tiers.levels]]
code = "gold"
name = "Gold"
threshold = 40000
price_minor = 500

[lifecycle]
inactivity_months = 2
reinstatement_months = 12

[limits]
max_points_per_day = 5000

[limits.velocity]
minutes = 120
max_purchases = 2
max_points = 20000
"#;

#[derive(Debug, Clone)]
pub enum Op {
    Enrol {
        member: usize,
        referred_by: Option<usize>,
    },
    Purchase {
        member: usize,
        order: usize,
        lines: Vec<(usize, i64, i64)>,
    },
    Return {
        member: usize,
        order: usize,
        lines: Vec<(usize, i64)>,
    },
    Redeem {
        member: usize,
        reward: usize,
    },
    Adjust {
        member: usize,
        points: i64,
    },
    Activity {
        member: usize,
        kind: usize,
        target: usize,
    },
    Refer {
        member: usize,
        referrer: usize,
    },
    Review {
        member: usize,
        release: bool,
    },
    Tier {
        member: usize,
        tier: usize,
    },
    /// One of the jobs (see `JOBS`) for one member.
    Tick {
        member: usize,
        job: usize,
    },
    /// An administrator's change of status (see `STATUS_ACTIONS`).
    Status {
        member: usize,
        action: usize,
    },
    /// What billing says of a paid tier (see `BILLING`).
    Billing {
        member: usize,
        action: usize,
    },
}

const JOBS: usize = 4;
/// Weighted so that closed accounts mostly come back: a closed account refuses everything.
const STATUS_ACTIONS: [StatusAction; 8] = [
    StatusAction::Suspend,
    StatusAction::Resume,
    StatusAction::Resume,
    StatusAction::Close,
    StatusAction::Reinstate,
    StatusAction::Reinstate,
    StatusAction::Reinstate,
    StatusAction::Reinstate,
];
/// Starting silver is refused: it has no price.
const BILLING: usize = 5;

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
        2 => (member.clone(), prop::option::of(0..MEMBERS)).prop_map(|(member, referred_by)| Op::Enrol { member, referred_by }),
        8 => (member.clone(), 0..ORDERS, prop::collection::vec((0..SKUS.len(), quantity(), price()), 0..5))
            .prop_map(|(member, order, lines)| Op::Purchase { member, order, lines }),
        3 => (member.clone(), 0..ORDERS, prop::collection::vec((0..SKUS.len(), quantity()), 1..3))
            .prop_map(|(member, order, lines)| Op::Return { member, order, lines }),
        4 => (member.clone(), 0..REWARDS.len()).prop_map(|(member, reward)| Op::Redeem { member, reward }),
        2 => (member.clone(), points()).prop_map(|(member, points)| Op::Adjust { member, points }),
        3 => (member.clone(), 0..ACTIVITIES.len(), 0..TARGETS.len())
            .prop_map(|(member, kind, target)| Op::Activity { member, kind, target }),
        1 => (member.clone(), 0..MEMBERS).prop_map(|(member, referrer)| Op::Refer { member, referrer }),
        1 => (member.clone(), any::<bool>()).prop_map(|(member, release)| Op::Review { member, release }),
        1 => (member.clone(), 0..TIERS.len()).prop_map(|(member, tier)| Op::Tier { member, tier }),
        2 => (member.clone(), 0..JOBS).prop_map(|(member, job)| Op::Tick { member, job }),
        1 => (member.clone(), 0..STATUS_ACTIONS.len()).prop_map(|(member, action)| Op::Status { member, action }),
        1 => (member, 0..BILLING).prop_map(|(member, action)| Op::Billing { member, action }),
    ]
}

pub fn ops(length: usize) -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), length..=length)
}

fn member(i: usize) -> ExternalId {
    ExternalId::parse(format!("m-{i}")).unwrap_or_else(|_| unreachable!())
}

fn referral_code(i: usize) -> ReferralCode {
    ReferralCode::parse(format!("REF-{i}")).unwrap_or_else(|_| unreachable!())
}

fn sku(i: usize) -> Sku {
    Sku::parse(SKUS[i].0).unwrap_or_else(|_| unreachable!())
}

impl Op {
    /// The event this operation sends to `ledger`, or the refusal the edge gives it. `step`
    /// makes reward codes unique; `at` is when it happens. Jobs name the work the member
    /// has (their evaluation date, the end of their inactivity period), as the runner does.
    pub fn event(&self, step: usize, at: Timestamp, ledger: &MemoryLedger) -> Result<Event, Rejection> {
        let order = |o: &usize| OrderId::parse(format!("o-{o}")).unwrap_or_else(|_| unreachable!());
        Ok(match self {
            Op::Enrol { member: m, referred_by } => Event::Enrol(Enrolment {
                referred_by: referred_by.map(referral_code),
                ..Enrolment::new(member(*m), referral_code(*m), at)
            }),
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
                Event::Purchase(Purchase {
                    member: member(*m),
                    order_id: order(o),
                    occurred_at: at,
                    lines,
                    reward_code: Some(
                        InstanceCode::parse(format!("P-{step}")).unwrap_or_else(|_| unreachable!()),
                    ),
                })
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
            Op::Activity { member: m, kind, target } => Event::Activity(Activity {
                member: member(*m),
                kind: ActivityKind::parse(ACTIVITIES[*kind]).unwrap_or_else(|_| unreachable!()),
                target: Some(ActivityTarget::parse(TARGETS[*target]).unwrap_or_else(|_| unreachable!())),
                occurred_at: at,
            }),
            Op::Refer { member: m, referrer } => {
                Event::Refer(Referral { member: member(*m), code: referral_code(*referrer), occurred_at: at })
            }
            Op::Review { member: m, release } => Event::Review(ReviewDecision {
                member: member(*m),
                release: *release,
                reason: Reason::parse("property test").unwrap_or_else(|_| unreachable!()),
                occurred_at: at,
            }),
            Op::Tier { member: m, tier } => Event::Profile(ProfileUpdate {
                member: member(*m),
                changes: ProfileChanges {
                    tier: Some(TierCode::parse(TIERS[*tier]).unwrap_or_else(|_| unreachable!())),
                    ..ProfileChanges::default()
                },
                occurred_at: at,
            }),
            Op::Tick { member: m, job } => {
                let tick = JobTick { member: member(*m), occurred_at: at };
                let found = ledger.member(&tick.member);
                match job {
                    0 => Event::Expire(tick),
                    1 => Event::ReleasePending(tick),
                    2 => Event::TierReview(DueTick {
                        due: found.and_then(|m| m.standing.tier_review_at).unwrap_or(at).min(at),
                        member: tick.member,
                        occurred_at: at,
                    }),
                    _ => Event::CloseInactive(DueTick {
                        // Two months, as PROPERTY_PROGRAM says; a wrong date is refused.
                        due: found
                            .map_or(at, |m| m.last_activity_at.checked_add_micros(61 * DAY).unwrap_or(at)),
                        member: tick.member,
                        occurred_at: at,
                    }),
                }
            }
            Op::Status { member: m, action } => Event::Status(StatusChange {
                member: member(*m),
                action: STATUS_ACTIONS[*action],
                reason: None,
                occurred_at: at,
            }),
            Op::Billing { member: m, action } => Event::Subscription(SubscriptionUpdate {
                member: member(*m),
                action: match action {
                    0 => SubscriptionAction::Start {
                        tier: TierCode::parse("gold").unwrap_or_else(|_| unreachable!()),
                    },
                    1 => SubscriptionAction::Start {
                        tier: TierCode::parse("silver").unwrap_or_else(|_| unreachable!()),
                    },
                    2 => SubscriptionAction::Renew,
                    3 => SubscriptionAction::PaymentFailed,
                    _ => SubscriptionAction::Cancel,
                },
                occurred_at: at,
            }),
        })
    }
}

/// When the `step`th operation of a history happens: from 2026-11-02, seven minutes apart
/// for the first 400 steps, so that a history crosses days (caps, windows) and a
/// campaign's start and end; six hours apart after, so that return windows close and
/// points expire.
const DAY: i64 = 86_400_000_000;

fn decision_is_review(decision: &Decision) -> bool {
    matches!(decision.calculation, Calculation::TierReview(_))
}

pub fn time_of(step: usize) -> Timestamp {
    const START: i64 = 1_793_577_600_000_000; // 2026-11-02T00:00:00Z
    const MINUTE: i64 = 60_000_000;
    const BRISK: i64 = 400;
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    let (brisk, slow) = (step.min(BRISK), (step - BRISK).max(0));
    Timestamp::from_micros(START + brisk * 7 * MINUTE + slow * 6 * 60 * MINUTE)
}

/// The in-memory ledger under test, with what the invariants are checked against kept
/// up to date step by step, so that a step costs no more than the members it touches.
#[derive(Debug)]
pub struct Harness {
    pub ledger: MemoryLedger,
    /// Accepted events with their times, in order, for the replay check.
    pub log: Vec<(Event, Timestamp)>,
    /// Sum of the postings of each member's accounts.
    member_postings: HashMap<(ExternalId, MemberAccount), i128>,
    /// Sum of every program-account posting.
    program_side: i128,
    pub accepted: usize,
    pub refused: usize,
    /// How often each refusal code came up.
    pub refusals: HashMap<&'static str, usize>,
    /// How often each kind of rule awarded something, and each limit acted.
    pub features: HashMap<&'static str, usize>,
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
            features: HashMap::new(),
        }
    }

    /// Counts what a decision exercised, to show the histories reach every rule and limit.
    fn count_features(&mut self, program: &Program, decision: &Decision) {
        for note in decision.standing.iter().flat_map(|s| s.history.iter()).chain(&decision.notes) {
            let feature = match (note.topic, note.to.as_deref()) {
                (HistoryTopic::Tier, _) if decision_is_review(decision) => "tier_reviewed",
                (HistoryTopic::Tier, _) => "tier_changed",
                (HistoryTopic::Subscription, _) => "subscription",
                (HistoryTopic::Status, Some("closed_inactive")) => "closed_inactive",
                (HistoryTopic::Status, Some("closed_by_request")) => "closed",
                (HistoryTopic::Status, Some("active")) => "status_restored",
                (HistoryTopic::Status, _) => "suspended",
                (HistoryTopic::Hold, Some("open")) => "hold",
                (HistoryTopic::Hold, Some("captured")) => "hold_captured",
                (HistoryTopic::Hold, Some("released")) => "hold_released",
                (HistoryTopic::Hold, _) => "hold_expired",
                (HistoryTopic::Reward, Some("cancelled")) => "reward_cancelled",
                (HistoryTopic::Reward, Some("used")) if note.from.is_none() => "donated",
                (HistoryTopic::Reward, Some("used")) => "reward_used",
                (HistoryTopic::Reward, Some("expired")) => "reward_expired",
                (HistoryTopic::Reward, _) => "reward_issued",
            };
            *self.features.entry(feature).or_default() += 1;
        }
        if matches!(decision.calculation, Calculation::Status { points } if points.is_positive()) {
            *self.features.entry("points_forfeited_or_restored").or_default() += 1;
        }
        let calc = match &decision.calculation {
            Calculation::Purchase(c)
            | Calculation::Activity(c)
            | Calculation::Enrolment(c)
            | Calculation::Birthday(c) => c,
            Calculation::Review { .. } => {
                *self.features.entry("review_decided").or_default() += 1;
                return;
            }
            Calculation::Expiry { .. } => {
                *self.features.entry("expired").or_default() += 1;
                return;
            }
            Calculation::PendingRelease { .. } => {
                *self.features.entry("released").or_default() += 1;
                return;
            }
            _ => return,
        };
        let mut seen = Vec::new();
        for award in calc.awards.iter().filter(|a| !a.points.is_zero()) {
            if let Some(rule) = program.rules().get(award.rule as usize) {
                seen.push(rule.kind());
            }
        }
        for award in &calc.awards {
            match award.detail {
                Detail::Cut { limit: Limit::Budget, .. } | Detail::Refused(Limit::Budget) => {
                    seen.push("budget_cut")
                }
                Detail::Cut { .. } | Detail::Refused(_) => seen.push("campaign_capped"),
                _ => {}
            }
        }
        if calc.awards.iter().any(|a| matches!(a.detail, Detail::Limited { .. })) {
            seen.push("limited");
        }
        if !calc.cuts.is_empty() {
            seen.push("capped");
        }
        if calc.review.is_some() {
            seen.push("held_for_review");
        }
        if calc.pending_until.is_some() && calc.points.is_positive() {
            seen.push("pending");
        }
        if decision.referrer.is_some() {
            seen.push("referrer_credited");
        }
        if decision.reward.is_some() {
            seen.push("reward_issued");
        }
        seen.sort_unstable();
        seen.dedup();
        for feature in seen {
            *self.features.entry(feature).or_default() += 1;
        }
    }

    fn refuse(&mut self, refused: &Rejection) {
        self.refused += 1;
        *self.refusals.entry(refused.code()).or_default() += 1;
    }

    /// Applies one operation and checks the invariants it could break.
    pub fn step(
        &mut self,
        program: &Program,
        op: &Op,
        step: usize,
    ) -> Result<Result<Decision, Rejection>, String> {
        let at = time_of(step);
        let event = match op.event(step, at, &self.ledger) {
            Ok(event) => event,
            Err(refused) => {
                self.refuse(&refused);
                return Ok(Err(refused));
            }
        };
        let before = self.fingerprint(event.member());
        match self.ledger.submit(program, &event, at) {
            Err(refused) => {
                self.refuse(&refused);
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
                self.count_features(program, &decision);
                self.check_step(program, &event, &decision, step)?;
                self.log.push((event, at));
                Ok(Ok(decision))
            }
        }
    }

    /// What a refused event must leave as it was.
    fn fingerprint(&self, member: &ExternalId) -> (usize, usize, Option<(Balance, Points)>, usize) {
        let m = self.ledger.member(member);
        let lots = m.map_or(0, |m| self.ledger.lots_of(m.id).count());
        let balances = m.map(|m| (m.balance, m.debt));
        (self.ledger.journal().len(), lots, balances, self.ledger.rewards().len())
    }

    fn post(&mut self, owner: &ExternalId, entry: &loyalty_core::ledger::EntryDraft) -> Result<(), String> {
        let sum: i128 = entry.postings().iter().map(|p| i128::from(p.amount.get())).sum();
        if sum != 0 || entry.postings().len() < 2 {
            return Err(format!("entry does not balance: {:?}", entry.postings()));
        }
        for p in entry.postings() {
            match p.account {
                Account::Member(account) => {
                    *self.member_postings.entry((owner.clone(), account)).or_default() +=
                        i128::from(p.amount.get());
                }
                Account::Program(_) => self.program_side += i128::from(p.amount.get()),
            }
        }
        Ok(())
    }

    /// Invariants 2 and 3 for one member: balances equal postings and lots.
    fn check_member(&self, external_id: &ExternalId) -> Result<(), String> {
        let m = self.ledger.member(external_id).ok_or_else(|| format!("member {external_id} is missing"))?;
        let posted =
            |account| self.member_postings.get(&(external_id.clone(), account)).copied().unwrap_or(0);
        let (mut spendable, mut held, mut pending) = (0i128, 0i128, 0i128);
        for lot in self.ledger.lots_of(m.id) {
            // 3. No lot below zero or above its amount (6: nothing spent twice).
            if lot.remaining.get() < 0 || lot.remaining > lot.amount {
                return Err(format!("lot {:?} has {} of {}", lot.id, lot.remaining, lot.amount));
            }
            let remaining = i128::from(lot.remaining.get());
            match lot.account() {
                MemberAccount::Review => held += remaining,
                MemberAccount::Pending => pending += remaining,
                MemberAccount::Available | MemberAccount::Held => spendable += remaining,
            }
        }
        let shown = i128::from(m.balance.pending.get());
        if shown != posted(MemberAccount::Pending) || shown != pending {
            return Err(format!(
                "{external_id} has {shown} pending but its postings sum to {} and its pending lots to {pending}",
                posted(MemberAccount::Pending)
            ));
        }
        let available = i128::from(m.balance.available.get());
        let review = i128::from(m.balance.pending_review.get());
        if available != posted(MemberAccount::Available) || available != spendable - i128::from(m.debt.get())
        {
            return Err(format!(
                "{external_id} holds {available} but its postings sum to {} and its lots to {spendable} with debt {}",
                posted(MemberAccount::Available),
                m.debt
            ));
        }
        if review != posted(MemberAccount::Review) || review != held {
            return Err(format!(
                "{external_id} has {review} in review but its postings sum to {} and its held lots to {held}",
                posted(MemberAccount::Review)
            ));
        }
        Ok(())
    }

    fn check_step(
        &mut self,
        program: &Program,
        event: &Event,
        decision: &Decision,
        step: usize,
    ) -> Result<(), String> {
        let fail = |what: String| format!("step {step} ({:?}): {what}", event.kind());
        // 1. Every entry balances; all postings together balance.
        for entry in &decision.entries {
            self.post(event.member(), entry).map_err(fail)?;
        }
        if let Some(credit) = &decision.referrer {
            self.post(&credit.external_id, &credit.entry).map_err(fail)?;
            self.check_member(&credit.external_id).map_err(fail)?;
        }
        let members_side: i128 = self.member_postings.values().sum();
        if members_side + self.program_side != 0 {
            return Err(fail(format!("all postings sum to {}", members_side + self.program_side)));
        }
        self.check_member(event.member()).map_err(fail)?;
        // 7. What members hold is what the program's accounts say it gave them (a few
        // members, so this costs little).
        let held = self.ledger.snapshot_outstanding();
        if held != -self.program_side {
            return Err(fail(format!(
                "members hold {held} but the program accounts say {}",
                -self.program_side
            )));
        }
        // 6. A redemption spends exactly the reward's cost.
        if let (Event::Redeem(r), Some(issued)) = (event, decision.reward.as_ref().map(|r| r.instance())) {
            let cost = program.reward(&r.reward).map(|reward| reward.points_cost);
            let spent = decision.entries.first().map(|e| e.net(Account::Member(MemberAccount::Available)));
            if Some(issued.points) != cost || spent != cost.and_then(Points::checked_neg) {
                return Err(fail(format!("a reward of cost {cost:?} spent {:?}", issued.points)));
            }
        }
        Ok(())
    }

    /// The checks of a whole history: every invariant over the whole ledger, the log
    /// replayed from empty (4), and every accepted enrolment and purchase refused when
    /// sent again (5).
    pub fn finish(&self, program: &Program) -> Result<(), String> {
        self.ledger.check_invariants()?;
        // 7. Members hold what the program's accounts say they were given.
        let snapshot = self.ledger.snapshot();
        if snapshot.outstanding() != -self.program_side {
            return Err(format!(
                "members hold {} but the program accounts say {}",
                snapshot.outstanding(),
                -self.program_side
            ));
        }
        let mut replayed = MemoryLedger::new();
        for (event, at) in &self.log {
            replayed
                .submit(program, event, *at)
                .map_err(|r| format!("replay refused {:?}: {}", event.kind(), r.code()))?;
        }
        let differences = replayed.snapshot().differences(&snapshot);
        if !differences.is_empty() {
            return Err(format!("replay differs: {differences:?}"));
        }
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

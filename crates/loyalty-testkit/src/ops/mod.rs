//! Random histories for property tests: operations as a till and an administrator would
//! send them, biased towards the edges (0, 1 and the largest values), and a harness that
//! applies them to the in-memory ledger and checks every invariant after every step.

use loyalty_core::decision::{Calculation, Decision, HistoryTopic, HoldChange, RewardChange};
use loyalty_core::earning::{Detail, Limit};
use loyalty_core::event::{
    Activity, Adjustment, CodeAction, CodeUpdate, DueTick, Enrolment, HoldRequest, HoldSettlement, HoldSpend,
    JobTick, ProfileChanges, ProfileUpdate, Purchase, PurchaseLine, Quantity, Redemption, Referral, Return,
    ReturnLine, ReviewDecision, SettleAction, StatusAction, StatusChange, SubscriptionAction,
    SubscriptionUpdate, SurveyAnswer,
};
use loyalty_core::ids::{
    ActivityKind, ActivityTarget, Category, ExternalId, HoldId, InstanceCode, MemberId, Nickname, OrderId,
    Reason, ReferralCode, RewardCode, Sku, SurveyCode, TierCode,
};
use loyalty_core::ledger::{Account, EntryKind, MemberAccount};
use loyalty_core::limits::{MAX_QUANTITY_PER_LINE, MAX_UNIT_PRICE};
use loyalty_core::memory::MemoryLedger;
use loyalty_core::money::MinorUnits;
use loyalty_core::needs::Counter;
use loyalty_core::program::RewardKind;
use loyalty_core::spending::{HoldRecord, HoldState, InstanceState, RewardInstance};
use loyalty_core::state::Balance;
use loyalty_core::{Event, Points, Program, Rejection, Timestamp};
use proptest::prelude::*;
use std::collections::HashMap;

mod harness;
mod program;
mod spending_checks;

pub use harness::Harness;
pub use program::PROPERTY_PROGRAM;

pub const MEMBERS: usize = 6;
/// Order ids a history draws from: few enough that some orders repeat (and are refused)
/// and most returns find their order, enough that most purchases are new.
pub const ORDERS: usize = 300;
/// How many orders a hold looks through for one of its member's, enough to find one
/// mostly, as a member has some tens.
const OWN_ORDER_SEARCH: usize = 60;
const SKUS: [(&str, Option<&str>); 5] = [
    ("latte", Some("coffee")),
    ("scone", Some("pastry")),
    ("loaf", Some("pastry")),
    ("gift-card", Some("gift")),
    ("water", None),
];
/// The third is in no catalogue; the last four only in PROPERTY_PROGRAM's: a donation, a
/// gift card, a reward of small stock and one limited to one a month.
const REWARDS: [&str; 7] =
    ["free-drink", "pastry-voucher", "yacht", "plant-a-tree", "gift-card-5", "mug", "monthly-treat"];
/// The last is rewarded by no program, to be refused.
const ACTIVITIES: [&str; 4] = ["review", "social_follow", "survey_answered", "dance"];
const TARGETS: [&str; 2] = ["instagram", "tiktok"];
const TIERS: [&str; 2] = ["gold", "silver"];
/// The last is in no program, to be refused.
const SURVEYS: [&str; 3] = ["nps", "pulse", "nope"];

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
    /// `paid` returns part of the latest order its member paid for partly with points, if
    /// there is one.
    Return {
        member: usize,
        order: usize,
        lines: Vec<(usize, i64)>,
        paid: bool,
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
    /// An answer to one of `SURVEYS`, about one of the orders or none.
    Survey {
        member: usize,
        survey: usize,
        score: i64,
        order: Option<usize>,
    },
    Review {
        member: usize,
        release: bool,
    },
    Tier {
        member: usize,
        tier: usize,
    },
    /// The member joins (or leaves) the leaderboards, with a nickname or none.
    OptIn {
        member: usize,
        opt_in: bool,
        nickname: bool,
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
    /// Points reserved at the till for an order: with `own_order`, the first of the
    /// member's orders from `order` on (among `OWN_ORDER_SEARCH`), if there is one.
    Hold {
        member: usize,
        order: usize,
        own_order: bool,
        spend: Spend,
    },
    /// The till's (or the job's) word (see `SETTLE_ACTIONS`) on a hold: one that fits is
    /// open, and in time to capture or out of time to expire.
    Settle {
        member: usize,
        hold: Pick,
        action: usize,
    },
    /// What happens to a reward code: one that fits is issued (and, to expire, out of time;
    /// to draw on, a gift card; to use, not one).
    Code {
        member: usize,
        code: Pick,
        action: CodeOp,
    },
}

/// What a hold reserves points for.
#[derive(Debug, Clone)]
pub enum Spend {
    Points(i64),
    /// One of `REWARDS`.
    Reward(usize),
    /// Money paid with points, of a basket worth so much.
    Payment {
        amount: i64,
        basket: Option<i64>,
    },
}

/// Which hold or code a settlement or a code's operation names.
#[derive(Debug, Clone, Copy)]
pub enum Pick {
    /// The `k`th most recent that the operation could apply to (or of all, if none could),
    /// sent as its owner.
    Fit(usize),
    /// The `k`th most recent of all, sent as its owner.
    Any(usize),
    /// The most recent, sent as the operation's member, who mostly does not own it.
    Stranger,
}

/// What happens to a reward code.
#[derive(Debug, Clone)]
pub enum CodeOp {
    Use {
        order: usize,
    },
    /// `None` draws what is left of the card.
    Draw {
        order: usize,
        amount: Option<i64>,
    },
    Cancel,
    Expire,
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
const SETTLE_ACTIONS: [SettleAction; 3] =
    [SettleAction::Capture, SettleAction::Release, SettleAction::Expire];

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

/// Mostly the latest that fits, sometimes one a little older.
fn pick_strategy() -> impl Strategy<Value = Pick> {
    let k = prop_oneof![6 => Just(0), 3 => 1..4usize, 1 => 4..30usize];
    prop_oneof![12 => k.clone().prop_map(Pick::Fit), 1 => k.prop_map(Pick::Any), 1 => Just(Pick::Stranger)]
}

/// Under PROPERTY_PROGRAM two points pay a cent, in steps of ten points, at least fifty, for
/// at most half the basket: mostly payable amounts, and each way of being refused.
fn payment() -> impl Strategy<Value = (i64, Option<i64>)> {
    prop_oneof![
        1 => Just((0, Some(100))),
        1 => (1..400i64, prop::option::of(1..1_000i64)),
        4 => (1..60i64, 2..5i64).prop_map(|(n, k)| (n * 5, Some(n * 5 * k))),
        4 => (1..4i64, 2..5i64).prop_map(|(n, k)| (n * 100, Some(n * 100 * k))),
        1 => (1..60i64).prop_map(|n| (n * 5, None)),
        1 => (5..60i64).prop_map(|n| (n * 5, Some(n * 5))),
    ]
}

fn spend() -> impl Strategy<Value = Spend> {
    let max = Points::MAX_PER_EVENT.get();
    prop_oneof![
        1 => prop_oneof![Just(0), Just(-1), Just(max), Just(max + 1)].prop_map(Spend::Points),
        4 => (1..300i64).prop_map(Spend::Points),
        4 => (0..REWARDS.len()).prop_map(Spend::Reward),
        4 => payment().prop_map(|(amount, basket)| Spend::Payment { amount, basket }),
    ]
}

fn code_op() -> impl Strategy<Value = CodeOp> {
    prop_oneof![
        3 => (0..ORDERS).prop_map(|order| CodeOp::Use { order }),
        3 => (0..ORDERS, prop::option::of(prop_oneof![Just(0), Just(1), 1..600i64]))
            .prop_map(|(order, amount)| CodeOp::Draw { order, amount }),
        2 => Just(CodeOp::Cancel),
        2 => Just(CodeOp::Expire),
    ]
}

pub fn op() -> impl Strategy<Value = Op> {
    let member = 0..MEMBERS;
    prop_oneof![
        2 => (member.clone(), prop::option::of(0..MEMBERS)).prop_map(|(member, referred_by)| Op::Enrol { member, referred_by }),
        8 => (member.clone(), 0..ORDERS, prop::collection::vec((0..SKUS.len(), quantity(), price()), 0..5))
            .prop_map(|(member, order, lines)| Op::Purchase { member, order, lines }),
        2 => (member.clone(), 0..ORDERS, prop::collection::vec((0..SKUS.len(), quantity()), 1..3))
            .prop_map(|(member, order, lines)| Op::Return { member, order, lines, paid: false }),
        1 => (member.clone(), 0..ORDERS, prop::collection::vec((0..SKUS.len(), 1..3i64), 1..2))
            .prop_map(|(member, order, lines)| Op::Return { member, order, lines, paid: true }),
        4 => (member.clone(), 0..REWARDS.len()).prop_map(|(member, reward)| Op::Redeem { member, reward }),
        2 => (member.clone(), points()).prop_map(|(member, points)| Op::Adjust { member, points }),
        3 => (member.clone(), 0..ACTIVITIES.len(), 0..TARGETS.len())
            .prop_map(|(member, kind, target)| Op::Activity { member, kind, target }),
        1 => (member.clone(), 0..MEMBERS).prop_map(|(member, referrer)| Op::Refer { member, referrer }),
        2 => (member.clone(), 0..SURVEYS.len(), prop_oneof![1 => Just(-1), 1 => Just(0), 1 => Just(11), 6 => 1..=10i64],
              prop::option::of(0..ORDERS))
            .prop_map(|(member, survey, score, order)| Op::Survey { member, survey, score, order }),
        1 => (member.clone(), any::<bool>()).prop_map(|(member, release)| Op::Review { member, release }),
        1 => (member.clone(), 0..TIERS.len()).prop_map(|(member, tier)| Op::Tier { member, tier }),
        1 => (member.clone(), any::<bool>(), any::<bool>())
            .prop_map(|(member, opt_in, nickname)| Op::OptIn { member, opt_in, nickname }),
        2 => (member.clone(), 0..JOBS).prop_map(|(member, job)| Op::Tick { member, job }),
        1 => (member.clone(), 0..STATUS_ACTIONS.len()).prop_map(|(member, action)| Op::Status { member, action }),
        1 => (member.clone(), 0..BILLING).prop_map(|(member, action)| Op::Billing { member, action }),
        3 => (member.clone(), 0..ORDERS, any::<bool>(), spend())
            .prop_map(|(member, order, own_order, spend)| Op::Hold { member, order, own_order, spend }),
        2 => (member.clone(), pick_strategy(), prop_oneof![3 => Just(0), 2 => Just(1), 2 => Just(2)])
            .prop_map(|(member, hold, action)| Op::Settle { member, hold, action }),
        2 => (member, pick_strategy(), code_op()).prop_map(|(member, code, action)| Op::Code { member, code, action }),
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

fn reward(i: usize) -> RewardCode {
    RewardCode::parse(REWARDS[i]).unwrap_or_else(|_| unreachable!())
}

fn hold_id(text: String) -> HoldId {
    HoldId::parse(text).unwrap_or_else(|_| unreachable!())
}

fn instance_code(text: String) -> InstanceCode {
    InstanceCode::parse(text).unwrap_or_else(|_| unreachable!())
}

/// The external id of the member `id`, one of the few a history enrols.
fn owner(ledger: &MemoryLedger, id: MemberId) -> ExternalId {
    (0..MEMBERS)
        .map(member)
        .find(|e| ledger.member(e).is_some_and(|m| m.id == id))
        .unwrap_or_else(|| member(0))
}

/// The `k`th most recent of `items` that is `wanted`, or the oldest of them if fewer are.
fn recent<T>(items: &[T], k: usize, wanted: impl Fn(&T) -> bool) -> Option<&T> {
    items.iter().rev().filter(|i| wanted(i)).take(k + 1).last()
}

/// Whether an operation may name a hold or code, with its owner.
type Wanted<'w, T> = &'w dyn Fn(&(MemberId, T)) -> bool;

/// The hold or code `which` names, and who sends the operation: its owner, or `stranger`.
/// Of what is `allowed`, what fits is picked first, then what nearly does, then anything.
fn pick<'l, T>(
    ledger: &MemoryLedger,
    items: &'l [(MemberId, T)],
    which: Pick,
    [fits, nearly, allowed]: [Wanted<'_, T>; 3],
    stranger: usize,
) -> (ExternalId, Option<&'l T>) {
    let picked = match which {
        Pick::Fit(k) => recent(items, k, |i| allowed(i) && fits(i))
            .or_else(|| recent(items, k, |i| allowed(i) && nearly(i)))
            .or_else(|| recent(items, k, allowed)),
        Pick::Any(k) => recent(items, k, allowed),
        Pick::Stranger => return (member(stranger), recent(items, 0, allowed).map(|(_, item)| item)),
    };
    match picked {
        Some((id, item)) => (owner(ledger, *id), Some(item)),
        None => (member(stranger), None),
    }
}

impl Op {
    /// The event this operation sends to `ledger`, or the refusal the edge gives it. `step`
    /// makes reward codes and hold ids unique; `at` is when it happens. Jobs name the work the member
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
            Op::Return { member: m, order: o, lines, paid } => {
                let paid = ledger.holds().iter().rev().find(|(id, h)| {
                    *paid
                        && h.state == HoldState::Captured
                        && h.amount_minor.is_some()
                        && ledger.order(&h.order_id).is_some_and(|o| o.member_id == *id)
                });
                let (member, order_id) = match paid {
                    Some((id, h)) => (owner(ledger, *id), h.order_id.clone()),
                    None => (member(*m), order(o)),
                };
                // A paid order's return takes back units it has left, of its first line that has.
                let left = ledger
                    .order(&order_id)
                    .filter(|_| paid.is_some())
                    .and_then(|o| o.lines.iter().find(|l| l.returned < l.quantity));
                let lines = match (left, lines.first()) {
                    (Some(line), Some((_, q))) => vec![ReturnLine {
                        sku: line.sku.clone(),
                        quantity: Quantity::parse(1, (*q).min(i64::from(line.quantity - line.returned)))?,
                    }],
                    _ => lines
                        .iter()
                        .enumerate()
                        .map(|(i, (s, q))| {
                            Ok(ReturnLine { sku: sku(*s), quantity: Quantity::parse(i + 1, *q)? })
                        })
                        .collect::<Result<_, Rejection>>()?,
                };
                Event::Return(Return { member, order_id, occurred_at: at, lines })
            }
            Op::Redeem { member: m, reward: r } => Event::Redeem(Redemption {
                member: member(*m),
                reward: reward(*r),
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
                reward_code: None,
            }),
            Op::Refer { member: m, referrer } => {
                Event::Refer(Referral { member: member(*m), code: referral_code(*referrer), occurred_at: at })
            }
            Op::Survey { member: m, survey, score, order: o } => Event::Survey(SurveyAnswer {
                member: member(*m),
                survey: SurveyCode::parse(SURVEYS[*survey]).unwrap_or_else(|_| unreachable!()),
                score: *score,
                comment: None,
                order_id: o.as_ref().map(order),
                occurred_at: at,
            }),
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
            Op::OptIn { member: m, opt_in, nickname } => Event::Profile(ProfileUpdate {
                member: member(*m),
                changes: ProfileChanges {
                    leaderboard_opt_in: Some(*opt_in),
                    nickname: nickname
                        .then(|| Nickname::parse(format!("player-{m}")).unwrap_or_else(|_| unreachable!())),
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
            Op::Hold { member: m, order: o, own_order, spend } => Event::Hold(HoldRequest {
                member: member(*m),
                hold_id: hold_id(format!("H-{step}")),
                order_id: match ledger.member(&member(*m)).filter(|_| *own_order) {
                    Some(me) => (*o..*o + OWN_ORDER_SEARCH)
                        .map(|o| order(&(o % ORDERS)))
                        .find(|id| ledger.order(id).is_some_and(|r| r.member_id == me.id))
                        .unwrap_or_else(|| order(o)),
                    None => order(o),
                },
                spend: match spend {
                    Spend::Points(points) => HoldSpend::Points { points: Points::new(*points) },
                    Spend::Reward(r) => {
                        HoldSpend::Reward { reward: reward(*r), code: instance_code(format!("HR-{step}")) }
                    }
                    Spend::Payment { amount, basket } => HoldSpend::Payment {
                        amount: MinorUnits::new(*amount),
                        basket: basket.map(MinorUnits::new),
                    },
                },
                occurred_at: at,
            }),
            Op::Settle { member: m, hold, action } => {
                let action = SETTLE_ACTIONS[*action];
                let open = |(_, h): &(MemberId, HoldRecord)| h.state == HoldState::Open;
                let fits = |held: &(MemberId, HoldRecord)| {
                    open(held)
                        && match action {
                            SettleAction::Capture => at < held.1.expires_at,
                            SettleAction::Release => true,
                            SettleAction::Expire => held.1.expires_at <= at,
                        }
                };
                let (member, hold) = pick(ledger, ledger.holds(), *hold, [&fits, &open, &|_| true], *m);
                let hold_id = hold.map_or_else(|| hold_id("H-none".to_owned()), |h| h.hold_id.clone());
                Event::Settle(HoldSettlement { member, hold_id, action, occurred_at: at })
            }
            Op::Code { member: m, code, action } => {
                let issued = |(_, r): &(MemberId, RewardInstance)| r.state == InstanceState::Issued;
                let fits = |(_, r): &(MemberId, RewardInstance)| {
                    r.state == InstanceState::Issued
                        && match action {
                            CodeOp::Expire => r.expires_at.is_some_and(|e| e <= at),
                            CodeOp::Draw { .. } => r.kind == RewardKind::GiftCard,
                            CodeOp::Use { .. } => r.kind != RewardKind::GiftCard,
                            CodeOp::Cancel => true,
                        }
                };
                let allowed = |_: &(MemberId, RewardInstance)| true;
                let (member, instance) =
                    pick(ledger, ledger.rewards(), *code, [&fits, &issued, &allowed], *m);
                Event::Code(CodeUpdate {
                    member,
                    code: instance.map_or_else(|| instance_code("C-none".to_owned()), |r| r.code.clone()),
                    action: match action {
                        CodeOp::Use { order: o } => CodeAction::Use { order_id: order(o) },
                        CodeOp::Draw { order: o, amount } => CodeAction::Draw {
                            order_id: order(o),
                            amount: MinorUnits::new(
                                amount.unwrap_or_else(|| instance.and_then(|r| r.balance_minor).unwrap_or(1)),
                            ),
                        },
                        CodeOp::Cancel => CodeAction::Cancel,
                        CodeOp::Expire => CodeAction::Expire,
                    },
                    occurred_at: at,
                })
            }
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

//! Random histories for property tests: operations as a till and an administrator would
//! send them, biased towards the edges (0, 1 and the largest values), and a harness that
//! applies them to the in-memory ledger and checks every invariant after every step.

use loyalty_core::decision::{Calculation, Decision, HistoryTopic, HoldChange, RewardChange};
use loyalty_core::earning::{Detail, Limit};
use loyalty_core::event::{
    Activity, Adjustment, CodeAction, CodeUpdate, DueTick, Enrolment, HoldRequest, HoldSettlement, HoldSpend,
    JobTick, ProfileChanges, ProfileUpdate, Purchase, PurchaseLine, Quantity, Redemption, Referral, Return,
    ReturnLine, ReviewDecision, SettleAction, StatusAction, StatusChange, SubscriptionAction,
    SubscriptionUpdate,
};
use loyalty_core::ids::{
    ActivityKind, ActivityTarget, Category, ExternalId, HoldId, InstanceCode, MemberId, OrderId, Reason,
    ReferralCode, RewardCode, Sku, TierCode,
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

/// A program with every kind of earning rule and both limits, for property tests: its
/// campaign runs over the days the histories cover, with a budget they can exhaust; its
/// purchases are pending for two days and its points expire after a month, which the
/// histories' later, slower steps reach. Its catalogue has every kind of reward, one of
/// small stock, one limited per month whose codes last a day; its holds last a day (the
/// brisk steps capture them, the slow ones let them run out), and points pay for part of
/// a basket.
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
budget = 2500
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
id = "mug-card"
kind = "punch_card"
every = 4
categories = ["pastry"]
reward = "mug"

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

[[rewards]]
code = "plant-a-tree"
name = "A tree planted"
kind = "donation"
charity = "Forests Forever"
points_cost = 40

[[rewards]]
code = "gift-card-5"
name = "A five dollar gift card"
kind = "gift_card"
value_minor = 500
points_cost = 120

[[rewards]]
code = "mug"
name = "The last mugs"
kind = "product"
sku = "mug"
points_cost = 50
stock = 3

[[rewards]]
code = "monthly-treat"
name = "A pastry a month"
kind = "free_item"
category = "pastry"
points_cost = 30
limit = { count = 1, period = "month" }
code_valid_days = 1

[redemption]
hold_minutes = 1440
refund_expired_codes = true
point_value = { points = 2, minor = 1 }
pay_with_points = { min_points = 50, max_share = "0.5", step = 10 }

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
        1 => (member.clone(), any::<bool>()).prop_map(|(member, release)| Op::Review { member, release }),
        1 => (member.clone(), 0..TIERS.len()).prop_map(|(member, tier)| Op::Tier { member, tier }),
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

/// What a refused event must leave as it was: how many journal entries, codes and holds
/// there are, the member's lots and balances, and the hold or code the event names.
#[derive(Debug, PartialEq)]
struct Fingerprint {
    counts: (usize, usize, usize, usize),
    balances: Option<(Balance, Points)>,
    hold: Option<HoldRecord>,
    code: Option<RewardInstance>,
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
                (HistoryTopic::Reward, Some("issued")) if note.from.is_some() => "gift_card_drawn",
                (HistoryTopic::Reward, _) => "reward_issued",
            };
            *self.features.entry(feature).or_default() += 1;
        }
        if matches!(decision.calculation, Calculation::Status { points } if points.is_positive()) {
            *self.features.entry("points_forfeited_or_restored").or_default() += 1;
        }
        if matches!(decision.holds.as_slice(), [HoldChange::Open(h)] if h.amount_minor.is_some()) {
            *self.features.entry("paid_with_points").or_default() += 1;
        }
        if matches!(decision.calculation, Calculation::Hold { .. })
            && decision.entries.iter().any(|e| e.kind() == EntryKind::Expiry)
        {
            *self.features.entry("hold_lapsed").or_default() += 1;
        }
        if matches!(&decision.calculation, Calculation::Return(r) if r.refunded.is_positive()) {
            *self.features.entry("payment_refunded").or_default() += 1;
        }
        if matches!(decision.calculation, Calculation::Code { refunded } if refunded.is_positive()) {
            *self.features.entry("code_refunded").or_default() += 1;
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
        let before = self.fingerprint(&event);
        match self.ledger.submit(program, &event, at) {
            Err(refused) => {
                self.refuse(&refused);
                if self.fingerprint(&event) != before {
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
    fn fingerprint(&self, event: &Event) -> Fingerprint {
        let m = self.ledger.member(event.member());
        let lots = m.map_or(0, |m| self.ledger.lots_of(m.id).count());
        let (holds, rewards) = (self.ledger.holds(), self.ledger.rewards());
        Fingerprint {
            counts: (self.ledger.journal().len(), lots, rewards.len(), holds.len()),
            balances: m.map(|m| (m.balance, m.debt)),
            hold: match event {
                Event::Settle(s) => {
                    holds.iter().find(|(_, h)| h.hold_id == s.hold_id).map(|(_, h)| h.clone())
                }
                _ => None,
            },
            code: match event {
                Event::Code(c) => rewards.iter().find(|(_, r)| r.code == c.code).map(|(_, r)| r.clone()),
                _ => None,
            },
        }
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
        // Points held at the till are what the member's open holds reserve.
        let reserved: i128 = self
            .ledger
            .holds()
            .iter()
            .filter(|(owner, h)| *owner == m.id && h.state == HoldState::Open)
            .map(|(_, h)| i128::from(h.points.get()))
            .sum();
        let on_hold = i128::from(m.balance.held.get());
        if on_hold != posted(MemberAccount::Held) || on_hold != reserved {
            return Err(format!(
                "{external_id} has {on_hold} held but its postings sum to {} and its open holds to {reserved}",
                posted(MemberAccount::Held)
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
        self.check_spending(program, event, decision).map_err(fail)
    }

    /// Spending (8): a hold reserves what it is for costs, moved from the available points
    /// to the held; a settlement leaves the hold as it says and moves all its points out of
    /// the held, and a captured reward's code carries them; a code's change gives back what
    /// it says, a cancelled code all it cost; a return gives back no more than the points
    /// that paid for its order.
    fn check_spending(&self, program: &Program, event: &Event, decision: &Decision) -> Result<(), String> {
        let net = |account| {
            (decision.entries.iter())
                .map(|e| e.net(Account::Member(account)))
                .try_fold(Points::ZERO, Points::checked_add)
        };
        let moved = || net(MemberAccount::Available);
        match event {
            Event::Hold(h) => {
                let [HoldChange::Open(record)] = decision.holds.as_slice() else {
                    return Err(format!("a hold changed {:?}", decision.holds));
                };
                let cost = match &h.spend {
                    HoldSpend::Points { points } => Some(*points),
                    HoldSpend::Reward { reward, .. } => program.reward(reward).map(|r| r.points_cost),
                    HoldSpend::Payment { amount, .. } => (program.redemption().point_value)
                        .and_then(|v| v.points_for(*amount))
                        .map(Points::new),
                };
                if Some(record.points) != cost
                    || moved() != cost.and_then(Points::checked_neg)
                    || net(MemberAccount::Held) != cost
                    || record.hold_id != h.hold_id
                    || record.state != HoldState::Open
                {
                    return Err(format!("a hold for {:?} costing {cost:?} reserved {record:?}", h.spend));
                }
            }
            Event::Settle(s) => {
                let [HoldChange::Update(after)] = decision.holds.as_slice() else {
                    return Err(format!("a settlement changed {:?}", decision.holds));
                };
                let issued = match &decision.reward {
                    Some(RewardChange::Issue(instance)) => Some(instance),
                    _ => None,
                };
                let want = match s.action {
                    SettleAction::Capture => HoldState::Captured,
                    SettleAction::Release => HoldState::Released,
                    SettleAction::Expire => HoldState::Expired,
                };
                let reward_ok = match (&after.reward, issued) {
                    (Some(held), Some(i)) => {
                        s.action == SettleAction::Capture && i.code == held.code && i.points == after.points
                    }
                    (Some(_), None) => s.action != SettleAction::Capture,
                    (None, issued) => issued.is_none(),
                };
                // Whatever becomes of the held points, they leave the held account.
                let unheld = net(MemberAccount::Held).and_then(Points::checked_neg);
                if after.hold_id != s.hold_id
                    || after.state != want
                    || !reward_ok
                    || unheld != Some(after.points)
                {
                    return Err(format!("a {} left {after:?} and issued {issued:?}", s.action.as_str()));
                }
            }
            Event::Code(c) => {
                let (Some(RewardChange::Update(after)), Calculation::Code { refunded }) =
                    (&decision.reward, &decision.calculation)
                else {
                    return Err(format!("a code's {} changed {:?}", c.action.as_str(), decision.reward));
                };
                let cancelled = matches!(c.action, CodeAction::Cancel);
                if after.code != c.code
                    || (cancelled && (*refunded != after.points || after.state != InstanceState::Cancelled))
                    || moved() != Some(*refunded)
                {
                    return Err(format!(
                        "a code's {} gave back {refunded} and left {after:?}",
                        c.action.as_str()
                    ));
                }
            }
            // A return gives back at most what a captured payment of its order spent.
            Event::Return(r) => {
                let fine = |h: &HoldRecord| {
                    h.order_id == r.order_id
                        && h.state == HoldState::Captured
                        && h.amount_minor.is_some()
                        && h.refunded <= h.points
                };
                if !decision.holds.iter().all(|change| fine(change.record())) {
                    return Err(format!("a return of {} left the holds {:?}", r.order_id, decision.holds));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Rewards' counters (9): a reward's stock counts its codes bought with points (not
    /// those a punch card gave) that are still issued or used, and its open holds; a
    /// member's count in a period counts their codes of it taken then (expired ones too)
    /// and their holds of it opened then and still open. A held code was taken when its
    /// hold was opened.
    fn check_counters(&self, program: &Program) -> Result<(), String> {
        let (holds, codes) = (self.ledger.holds(), self.ledger.rewards());
        let hold_of = |code: &InstanceCode| {
            holds.iter().map(|(_, h)| h).find(|h| h.reward.as_ref().is_some_and(|held| held.code == *code))
        };
        for reward in program.rewards() {
            let bought = || codes.iter().filter(|(_, c)| c.reward == reward.code && c.points.is_positive());
            let held = || {
                holds.iter().filter(|(_, h)| h.reward.as_ref().is_some_and(|held| held.reward == reward.code))
            };
            if reward.stock.is_some() {
                let out =
                    bought().filter(|(_, c)| matches!(c.state, InstanceState::Issued | InstanceState::Used));
                let want = out.count() + held().filter(|(_, h)| h.state == HoldState::Open).count();
                let counted = self.ledger.counter(None, &Counter::program(reward.stock_key()));
                if usize::try_from(counted).ok() != Some(want) {
                    return Err(format!("{} has {counted} taken from its stock, not {want}", reward.code));
                }
            }
            let Some(limit) = reward.limit else { continue };
            let period = |at| reward.limit_key(limit, program.calendar().local(at));
            // Every period a code or hold touches, so that one counted in the wrong period shows.
            let mut want: HashMap<(MemberId, String), i64> = HashMap::new();
            for (owner, code) in bought() {
                let taken_at = hold_of(&code.code).map_or(code.issued_at, |h| h.created_at);
                *want.entry((*owner, period(taken_at))).or_default() +=
                    i64::from(code.state != InstanceState::Cancelled);
                want.entry((*owner, period(code.issued_at))).or_default();
            }
            for (owner, hold) in held() {
                *want.entry((*owner, period(hold.created_at))).or_default() +=
                    i64::from(hold.state == HoldState::Open);
            }
            for ((owner, key), want) in want {
                let counted = self.ledger.counter(Some(owner), &Counter::member(key.as_str()));
                if counted != want {
                    return Err(format!("member {owner:?} has taken {counted} of {key}, not {want}"));
                }
            }
        }
        Ok(())
    }

    /// The checks of a whole history: every invariant over the whole ledger, the log
    /// replayed from empty (4), and every accepted enrolment, purchase, settlement and
    /// change of a code but a draw refused when sent again (5).
    pub fn finish(&self, program: &Program) -> Result<(), String> {
        self.ledger.check_invariants()?;
        self.check_counters(program)?;
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
        // Settled holds and used, cancelled or expired codes stay so.
        let once = |e: &Event| match e {
            Event::Enrol(_) | Event::Purchase(_) | Event::Settle(_) => true,
            Event::Code(c) => !matches!(c.action, CodeAction::Draw { .. }),
            _ => false,
        };
        for (event, at) in self.log.iter().filter(|(e, _)| once(e)) {
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

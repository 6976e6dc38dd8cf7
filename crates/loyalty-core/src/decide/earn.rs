//! The one way points are earned, whatever earns them (a purchase, an activity, an
//! enrolment, a birthday): the rules' awards, summed and rounded once, cut by the program's
//! caps, held for review if earning is too fast, then booked with a lot.

use super::{add, round, sub};
use crate::calendar::Calendar;
use crate::decision::{Calculation, Credit, Decision, EarnCalc, LimitCut, MemberChange, Period, VelocityHit};
use crate::earning::{Judging, Keep, Occasion, Tally};
use crate::ids::{MemberId, OrderId};
use crate::ledger::{Account, EntryDraft, EntryKind, MemberAccount, ProgramAccount};
use crate::lots::{LotChange, NewLot};
use crate::needs::{Counter, Measure, Needs, Window};
use crate::points::Points;
use crate::program::Program;
use crate::rejection::Rejection;
use crate::state::{Balance, LotSource, Member, MemberState, MemberStatus};
use crate::time::Timestamp;
use rust_decimal::Decimal;

/// What the limits of `program` need to know of the member to judge an earning at `at`.
pub(super) fn limit_needs(program: &Program, at: Timestamp, needs: &mut Needs) {
    let limits = program.limits();
    let calendar = program.calendar();
    if limits.max_points_per_day.is_some() {
        needs.window(day(calendar, at));
    }
    if limits.max_points_per_month.is_some() {
        needs.window(month(calendar, at));
    }
    if let Some(v) = &limits.velocity {
        // Both, whatever earns: a hold for too many points still says how many purchases
        // the window holds.
        let (purchases, earned) = velocity(v.minutes, at);
        needs.window(purchases);
        needs.window(earned);
    }
}

fn day(calendar: &Calendar, at: Timestamp) -> Window {
    Window { from: calendar.start_of_day(at), to: calendar.end_of_day(at), measure: Measure::Earned }
}

fn month(calendar: &Calendar, at: Timestamp) -> Window {
    Window { from: calendar.start_of_month(at), to: calendar.end_of_month(at), measure: Measure::Earned }
}

/// The velocity windows: the `minutes` before `at`, `at` included.
fn velocity(minutes: i64, at: Timestamp) -> (Window, Window) {
    let from = Timestamp::from_micros(at.as_micros() - minutes * 60_000_000);
    let to = Timestamp::from_micros(at.as_micros() + 1);
    (Window { from, to, measure: Measure::Purchases }, Window { from, to, measure: Measure::Earned })
}

/// An earning to decide.
pub(super) struct Earning<'a> {
    pub program: &'a Program,
    pub state: &'a MemberState,
    pub member: &'a Member,
    pub occasion: Occasion<'a>,
    pub occurred_at: Timestamp,
    pub entry: EntryKind,
    pub source: LotSource,
    pub order_id: Option<&'a OrderId>,
}

/// Everything an earning writes.
pub(super) struct Earned {
    pub calc: EarnCalc,
    pub entries: Vec<EntryDraft>,
    pub lots: Vec<LotChange>,
    pub balance: Balance,
    pub debt: Points,
    pub counters: Vec<(Counter, i64)>,
    pub reward: Option<String>,
    pub referrer: Option<Credit>,
    /// What a purchase's order-level bonuses need to keep, and which rule moved which
    /// counter and issued the reward: for `bonuses::record`.
    pub keeps: Vec<Keep>,
    pub moves: Vec<(u32, Counter, i64)>,
    pub reward_rule: Option<u32>,
}

impl Earned {
    /// The decision of an earning that records no order: the member's balance changes.
    pub(super) fn for_member(self, member: MemberId, calculation: fn(EarnCalc) -> Calculation) -> Decision {
        let change = MemberChange::balance(member, self.balance, self.debt);
        self.into_decision(change, calculation)
    }

    pub(super) fn into_decision(
        self,
        member: MemberChange,
        calculation: fn(EarnCalc) -> Calculation,
    ) -> Decision {
        Decision {
            member,
            entries: self.entries,
            lots: self.lots,
            order: None,
            reward: None,
            holds: Vec::new(),
            notes: Vec::new(),
            counters: self.counters,
            referrer: self.referrer,
            standing: None,
            last_activity_at: None,
            engagement: Vec::new(),
            calculation: calculation(self.calc),
        }
    }
}

pub(super) fn earn(e: Earning<'_>) -> Result<Earned, Rejection> {
    let program = e.program;
    let judging = Judging {
        occasion: e.occasion,
        member: e.member,
        tier: super::tier_at(program.tiers(), e.member, e.occurred_at),
        aggregates: &e.state.aggregates,
        referrer: e.state.referrer.as_ref(),
        segment: e.state.segment,
        calendar: program.calendar(),
        occurred_at: e.occurred_at,
    };
    let mut tally = Tally::new(judging.lines().len());
    for (index, rule) in program.rules().iter().enumerate() {
        tally.begin_rule(index, rule.stage());
        rule.evaluate(&judging, &mut tally);
    }
    let parts = tally.into_parts();
    let lines = judging.lines();
    // Excluded lines count towards no spend measure (threshold windows, tiers).
    let spend_minor = lines
        .iter()
        .zip(&parts.excluded)
        .filter(|(_, excluded)| !**excluded)
        .map(|(line, _)| line.paid_in_money().get())
        .sum();
    let paid_with_points = if lines.iter().any(|l| !l.paid_with_points.is_zero()) {
        lines.iter().map(|l| l.paid_with_points).collect()
    } else {
        Vec::new()
    };
    let subtotal = parts
        .lines
        .iter()
        .try_fold(parts.order, |acc, p| acc.checked_add(*p))
        .ok_or(Rejection::PointsOverflow)?;
    let rounded = round(program.rounding(), subtotal)?;
    let (points, cuts) = apply_caps(program, &judging, rounded);
    let review = velocity_hit(program, &judging, points);
    // A suspended member's points wait for the review that the suspension is for.
    let suspended = e.member.status == MemberStatus::Suspended && points.is_positive();
    let held = review.is_some() || suspended;
    // Only a purchase's points wait for its return window; a hold for review comes first.
    let pending_until = match (e.source, held) {
        (LotSource::Purchase, false) => program.pending_until(e.occurred_at),
        _ => None,
    };

    let mut calc = EarnCalc {
        awards: parts.awards,
        line_points: parts.lines,
        order_points: parts.order,
        subtotal,
        rounded,
        cuts,
        points,
        debt_repaid: Points::ZERO,
        review,
        suspended,
        pending_until,
        referrer_points: Points::ZERO,
        spend_minor,
        paid_with_points,
        excluded: parts.excluded,
    };
    let member = e.member;
    let mut balance = member.balance;
    let mut debt = member.debt;
    let mut entries = Vec::with_capacity(1);
    let mut lots = Vec::with_capacity(1);
    let into = MemberAccount::holding(held, pending_until);
    let expires_at = program.expires_at(e.occurred_at);
    if let Some(entry) =
        EntryDraft::transfer(e.entry, Account::Program(ProgramAccount::Issued), Account::Member(into), points)
    {
        entries.push(entry);
        // Debt left by an earlier return is repaid before new points become spendable;
        // points held for review or pending repay nothing until they are released.
        let repaid = if into == MemberAccount::Available { points.min(debt) } else { Points::ZERO };
        calc.debt_repaid = repaid;
        lots.push(LotChange::Open(NewLot {
            amount: points,
            remaining: sub(points, repaid)?,
            earned_at: e.occurred_at,
            expires_at,
            order_id: e.order_id.cloned(),
            source: e.source,
            in_review: held,
            pending_until,
        }));
        match into {
            MemberAccount::Review => balance.pending_review = add(balance.pending_review, points)?,
            MemberAccount::Pending => balance.pending = add(balance.pending, points)?,
            // A lot's points are never reserved by a hold; only spendable lots are drawn.
            MemberAccount::Available | MemberAccount::Held => {
                balance.available = add(balance.available, points)?;
                debt = sub(debt, repaid)?;
            }
        }
        if program.expiry().activity_extends_all_lots
            && let Some(until) = expires_at
        {
            lots.push(LotChange::Extend { until });
        }
    }

    let referrer = match (&e.state.referrer, parts.referrer > Decimal::ZERO) {
        // A closed account takes no points; a suspended one's wait for review.
        (Some(referrer), true) if !referrer.status.is_closed() => {
            let share = round(program.rounding(), parts.referrer)?;
            calc.referrer_points = share;
            let held = held || referrer.status == MemberStatus::Suspended;
            credit(referrer, share, e.occurred_at, program.expires_at(e.occurred_at), held)?
        }
        _ => None,
    };
    Ok(Earned {
        calc,
        entries,
        lots,
        balance,
        debt,
        counters: parts.counters,
        reward: parts.reward,
        referrer,
        keeps: parts.keeps,
        moves: parts.moves,
        reward_rule: parts.reward_rule,
    })
}

/// Points for the referrer, booked to them like any earning; held for review, as the
/// referee's are, when the referee's earning is held (a voided order must not pay).
fn credit(
    referrer: &Member,
    points: Points,
    at: Timestamp,
    expires_at: Option<Timestamp>,
    held: bool,
) -> Result<Option<Credit>, Rejection> {
    let into = if held { MemberAccount::Review } else { MemberAccount::Available };
    let Some(entry) = EntryDraft::transfer(
        EntryKind::Referral,
        Account::Program(ProgramAccount::Issued),
        Account::Member(into),
        points,
    ) else {
        return Ok(None);
    };
    let repaid = if held { Points::ZERO } else { points.min(referrer.debt) };
    let balance = if held {
        Balance { pending_review: add(referrer.balance.pending_review, points)?, ..referrer.balance }
    } else {
        Balance { available: add(referrer.balance.available, points)?, ..referrer.balance }
    };
    Ok(Some(Credit {
        member: referrer.id,
        external_id: referrer.external_id.clone(),
        balance,
        debt: sub(referrer.debt, repaid)?,
        entry,
        lot: NewLot {
            amount: points,
            remaining: sub(points, repaid)?,
            earned_at: at,
            expires_at,
            order_id: None,
            source: LotSource::Referral,
            in_review: held,
            pending_until: None,
        },
        counters: Vec::new(),
    }))
}

/// Works out the window of a period that holds an instant.
type PeriodBounds = fn(&Calendar, Timestamp) -> Window;

/// Cuts `points` to what the program's caps per day and per month leave.
fn apply_caps(program: &Program, judging: &Judging<'_>, mut points: Points) -> (Points, Vec<LimitCut>) {
    let limits = program.limits();
    let calendar = program.calendar();
    let at = judging.occurred_at;
    let mut cuts = Vec::new();
    // The periods' bounds cost time zone arithmetic: worked out only for the caps there are.
    let periods: [(Period, Option<i64>, PeriodBounds); 2] =
        [(Period::Day, limits.max_points_per_day, day), (Period::Month, limits.max_points_per_month, month)];
    for (period, cap, window) in periods {
        let Some(cap) = cap else { continue };
        let earned = judging.aggregates.window(&window(calendar, at));
        let left = Points::new((cap - earned).max(0));
        if points > left {
            cuts.push(LimitCut { period, cap, earned, from: points, to: left });
            points = left;
        }
    }
    (points, cuts)
}

/// Whether earning `points` now is faster than the program's velocity limit allows. An
/// event that earns nothing holds nothing, however fast it came.
fn velocity_hit(program: &Program, judging: &Judging<'_>, points: Points) -> Option<VelocityHit> {
    let v = program.limits().velocity.as_ref().filter(|_| points.is_positive())?;
    let (purchases, earned) = velocity(v.minutes, judging.occurred_at);
    let is_purchase = matches!(judging.occasion, Occasion::Purchase(_));
    let purchases = judging.aggregates.window(&purchases) + i64::from(is_purchase);
    let earned = judging.aggregates.window(&earned) + points.get();
    let too_many = v.max_purchases.is_some_and(|max| is_purchase && purchases > max);
    let too_much = v.max_points.is_some_and(|max| earned > max);
    (too_many || too_much).then_some(VelocityHit { minutes: v.minutes, purchases, points: earned })
}

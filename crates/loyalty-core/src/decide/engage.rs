//! Achievements and streaks, judged with the event that moves them: the event's facts
//! move the member's counters, a streak steps, and every achievement whose criteria now
//! hold is completed (or, after a return, taken back) in the same decision.

use super::achievement_rewards as rewards;
use super::{add, sub};
use crate::decision::{Decision, EngagementChange, EngagementKind, HistoryNote, HistoryTopic, MemberChange};
use crate::engage::count::{category_counter, day_counter};
use crate::engage::{
    Achievement, Count, Engagement, Qualifies, facts, last_completion, last_counter, times_counter,
};
use crate::event::Event;
use crate::ledger::{Account, EntryDraft, EntryKind, MemberAccount, Posting, ProgramAccount};
use crate::lots::{self, LotChange, NewLot};
use crate::needs::{Aggregates, Counter, Needs};
use crate::points::Points;
use crate::program::{Program, SpentPointsPolicy};
use crate::rejection::Rejection;
use crate::state::{Balance, LotSource, Member, MemberState, MemberStatus};
use crate::time::Timestamp;

/// Whether achievements and streaks look at this kind of event at all.
fn concerns(program: &Program, event: &Event) -> bool {
    !program.engagement().is_empty()
        && matches!(event, Event::Purchase(_) | Event::Activity(_) | Event::Birthday(_) | Event::Return(_))
}

/// What must be known before the member's state is: where each achievement and streak
/// stands.
pub(super) fn needs(program: &Program, event: &Event, needs: &mut Needs) {
    if !concerns(program, event) {
        return;
    }
    let engagement = program.engagement();
    for a in &engagement.achievements {
        needs.counter(times_counter(&a.code));
        needs.counter(last_counter(&a.code));
    }
    for streak in &engagement.streaks {
        for counter in streak.counters(program.calendar(), event.occurred_at()) {
            needs.counter(counter);
        }
    }
}

/// What must be known once the state is loaded: the counters the event's facts touch and
/// those the criteria are read from, at the event (or, after a return, at the completions
/// it may undo).
pub fn needs_after(program: &Program, event: &Event, state: &MemberState) -> Needs {
    let mut needs = Needs::default();
    if !concerns(program, event) || state.member.is_none() {
        return needs;
    }
    let engagement = program.engagement();
    let calendar = program.calendar();
    for fact in facts(engagement, state, event, None) {
        for counter in fact_counters(engagement, program, &fact.count, fact.item.as_deref(), fact.at) {
            needs.counter(counter);
        }
    }
    for (a, at, after) in judged_at(program, event, state, &state.aggregates) {
        for criterion in &a.criteria {
            for counter in criterion.counters(calendar, at, after) {
                needs.counter(counter);
            }
        }
    }
    needs
}

/// Each achievement to judge, at which instant, counting the days after which.
fn judged_at<'p>(
    program: &'p Program,
    event: &Event,
    state: &MemberState,
    counts: &Aggregates,
) -> Vec<(&'p Achievement, Timestamp, Option<jiff::civil::Date>)> {
    let calendar = program.calendar();
    let mut out = Vec::new();
    for a in &program.engagement().achievements {
        let times = counts.counter(&times_counter(&a.code));
        let last = last_completion(counts.counter(&last_counter(&a.code)));
        match (event, &state.order) {
            (Event::Return(_), Some(order)) => {
                if let Some(last) =
                    last.filter(|l| a.revoke_on_return && times > 0 && *l >= order.occurred_at)
                {
                    out.push((a, last, None));
                }
            }
            (Event::Return(_), None) => {}
            // One that cannot be completed again needs no judging, nor its counters loading.
            _ if !a.repeatable(calendar, times, last, event.occurred_at()) => {}
            _ => out.push((a, event.occurred_at(), a.counting_after(calendar, last))),
        }
    }
    out
}

/// The counters one fact moves, for each window its count is read over.
fn fact_counters(
    engagement: &Engagement,
    program: &Program,
    count: &Count,
    item: Option<&str>,
    at: Timestamp,
) -> Vec<Counter> {
    let calendar = program.calendar();
    let windows = engagement.tracked.get(count).into_iter().flatten();
    match (count, item) {
        (Count::Categories, Some(category)) => {
            windows.map(|w| category_counter(category, &w.key(calendar, at))).collect()
        }
        (Count::Visits, _) => vec![day_counter(calendar.local(at).date())],
        _ => windows.map(|w| count.counter(&w.key(calendar, at))).collect(),
    }
}

/// The counters as the decision leaves them, and the moves that got them there.
struct Counts {
    values: Aggregates,
    moves: Vec<(Counter, i64)>,
}

impl Counts {
    fn bump(&mut self, counter: Counter, by: i64) {
        if by == 0 {
            return;
        }
        *self.values.counters.entry(counter.clone()).or_insert(0) += by;
        // One move per counter: the store writes each counter once per event.
        match self.moves.iter_mut().find(|(c, _)| *c == counter) {
            Some((_, sum)) => *sum += by,
            None => self.moves.push((counter, by)),
        }
    }

    fn get(&self, counter: &Counter) -> i64 {
        self.values.counter(counter)
    }
}

pub(super) fn judge(
    program: &Program,
    state: &MemberState,
    event: &Event,
    decision: &mut Decision,
) -> Result<(), Rejection> {
    let Some(member) = &state.member else { return Ok(()) };
    if !concerns(program, event) {
        return Ok(());
    }
    let engagement = program.engagement();
    let calendar = program.calendar();
    let at = event.occurred_at();
    let mut counts = Counts { values: state.aggregates.clone(), moves: Vec::new() };

    for fact in facts(engagement, state, event, Some(decision)) {
        let windows: Vec<_> = engagement.tracked.get(&fact.count).into_iter().flatten().copied().collect();
        match (&fact.count, fact.item.as_deref()) {
            (Count::Categories, Some(category)) => {
                for w in windows {
                    let period = w.key(calendar, fact.at);
                    let crossed = crossing(&mut counts, category_counter(category, &period), fact.by);
                    counts.bump(Count::Categories.counter(&period), crossed);
                }
            }
            (Count::Visits, _) => {
                let crossed = crossing(&mut counts, day_counter(calendar.local(fact.at).date()), fact.by);
                for w in windows.into_iter().filter(|w| w.rolling_days().is_none()) {
                    counts.bump(Count::Visits.counter(&w.key(calendar, fact.at)), crossed);
                }
            }
            (count, _) => {
                for w in windows {
                    counts.bump(count.counter(&w.key(calendar, fact.at)), fact.by);
                }
            }
        }
    }

    for streak in &engagement.streaks {
        let qualifies = match (&streak.qualifies, event) {
            (Qualifies::Purchase, Event::Purchase(_)) => true,
            (Qualifies::Activity(kind), Event::Activity(a)) => a.kind == *kind,
            _ => false,
        };
        let Some(step) = qualifies.then(|| streak.step(calendar, &counts.values, at)).flatten() else {
            continue;
        };
        for (counter, by) in streak.moves(calendar, at, &step) {
            counts.bump(counter, by);
        }
        if let Some(run) = step.milestone {
            let points = streak.points_per_milestone;
            award(program, member, decision, points, at, EntryKind::Streak)?;
            let reason = format!("{}: {run} in a row", streak.name);
            let moved = change(EngagementKind::StreakMilestone, &streak.code, &streak.name, points, run);
            record(decision, HistoryTopic::Streak, moved, reason);
        }
    }

    let tier = super::tier_at(program.tiers(), member, at);
    let mut issued = 0;
    for (a, when, after) in judged_at(program, event, state, &counts.values) {
        let times = counts.get(&times_counter(&a.code));
        let last = last_completion(counts.get(&last_counter(&a.code)));
        let holds = a.criteria.iter().all(|c| c.value(calendar, &counts.values, when, after) >= c.threshold);
        if matches!(event, Event::Return(_)) {
            if holds {
                continue;
            }
            counts.bump(times_counter(&a.code), -1);
            counts.bump(last_counter(&a.code), -last.map_or(0, Timestamp::as_micros));
            take_back(program, state, decision, a.points)?;
            let mut moved = change(EngagementKind::AchievementRevoked, &a.code, &a.name, a.points, times - 1);
            moved.reward = rewards::void(state, a, last, decision);
            record(
                decision,
                HistoryTopic::Achievement,
                moved,
                format!("{} taken back: a return undid it", a.name),
            );
        } else if holds
            && a.open_to(tier.map(|t| t.as_str()), |t| member.profile.tags.contains(t), state.segment, at)
        {
            // `judged_at` left out what may not be completed again.
            counts.bump(times_counter(&a.code), 1);
            counts.bump(last_counter(&a.code), at.as_micros() - last.map_or(0, Timestamp::as_micros));
            award(program, member, decision, a.points, at, EntryKind::Achievement)?;
            let mut moved =
                change(EngagementKind::AchievementCompleted, &a.code, &a.name, a.points, times + 1);
            if let Some(reward) = &a.reward {
                issued += 1;
                moved.reward = rewards::issue(program, event, a, reward, issued, decision)?;
            }
            record(decision, HistoryTopic::Achievement, moved, format!("{} completed", a.name));
        }
    }
    decision.counters.extend(counts.moves.into_iter().filter(|(_, by)| *by != 0));
    // A referral counts for the referrer when their share is paid: a first purchase.
    if let Some(credit) = &mut decision.referrer {
        let windows = engagement.tracked.get(&Count::Referrals).into_iter().flatten();
        credit.counters = windows.map(|w| Count::Referrals.counter(&w.key(calendar, at))).collect();
    }
    Ok(())
}

/// Moves a per-item counter and says how the count of distinct items moves with it: +1
/// when the item starts counting, -1 when it stops.
fn crossing(counts: &mut Counts, counter: Counter, by: i64) -> i64 {
    let before = counts.get(&counter);
    counts.bump(counter, by);
    let after = before + by;
    i64::from(after > 0) - i64::from(before > 0)
}

/// Tells a move twice over: a line of the member's history, and an item of the event's
/// answer (and of its webhooks).
fn record(decision: &mut Decision, topic: HistoryTopic, moved: EngagementChange, reason: String) {
    let code = Some(moved.code.clone());
    let (from, to) = match moved.kind {
        EngagementKind::AchievementRevoked => (code, None),
        EngagementKind::AchievementCompleted | EngagementKind::StreakMilestone => (None, code),
    };
    decision.notes.push(HistoryNote { topic, from, to, reason });
    decision.engagement.push(moved);
}

fn change(kind: EngagementKind, code: &str, name: &str, points: Points, count: i64) -> EngagementChange {
    EngagementChange { kind, code: code.to_owned(), name: name.to_owned(), points, count, reward: None }
}

/// The member's balance and debt as the decision leaves them.
fn standing(decision: &Decision) -> (Balance, Points) {
    match &decision.member {
        MemberChange::Update { balance, debt, .. } => (*balance, *debt),
        MemberChange::Enrol(new) => (new.balance, Points::ZERO),
    }
}

fn set_standing(decision: &mut Decision, new_balance: Balance, new_debt: Points) {
    if let MemberChange::Update { balance, debt, .. } = &mut decision.member {
        *balance = new_balance;
        *debt = new_debt;
    }
}

/// Books `points` to the member like any earning: a lot, spendable at once (held for
/// review while the member is suspended), repaying any debt first.
pub(super) fn award(
    program: &Program,
    member: &Member,
    decision: &mut Decision,
    points: Points,
    at: Timestamp,
    kind: EntryKind,
) -> Result<(), Rejection> {
    let held = member.status == MemberStatus::Suspended;
    let into = if held { MemberAccount::Review } else { MemberAccount::Available };
    let Some(entry) =
        EntryDraft::transfer(kind, Account::Program(ProgramAccount::Issued), Account::Member(into), points)
    else {
        return Ok(());
    };
    let (mut balance, mut debt) = standing(decision);
    let repaid = if held { Points::ZERO } else { points.min(debt) };
    if held {
        balance.pending_review = add(balance.pending_review, points)?;
    } else {
        balance.available = add(balance.available, points)?;
        debt = sub(debt, repaid)?;
    }
    decision.entries.push(entry);
    decision.lots.push(LotChange::Open(NewLot {
        amount: points,
        remaining: sub(points, repaid)?,
        earned_at: at,
        expires_at: program.expires_at(at),
        order_id: None,
        source: LotSource::Bonus,
        in_review: held,
        pending_until: None,
    }));
    set_standing(decision, balance, debt);
    Ok(())
}

/// Takes back an achievement's points from the spendable lots the rest of the decision
/// left; what was already spent goes as a return's shortfall does, by the program's policy.
fn take_back(
    program: &Program,
    state: &MemberState,
    decision: &mut Decision,
    points: Points,
) -> Result<(), Rejection> {
    if !points.is_positive() {
        return Ok(());
    }
    let mut left = state.lots.clone();
    for change in &decision.lots {
        if let LotChange::Draw { lot, amount } = change
            && let Some(l) = left.iter_mut().find(|l| l.id == *lot)
        {
            l.remaining = sub(l.remaining, *amount)?;
        }
    }
    let (draws, drawn) = lots::draw(&left, points, None);
    let shortfall = sub(points, drawn)?;
    let (mut balance, mut debt) = standing(decision);
    let (from_balance, lost) = match program.spent_points_policy() {
        SpentPointsPolicy::NegativeBalance => {
            debt = add(debt, shortfall)?;
            (points, Points::ZERO)
        }
        SpentPointsPolicy::Clamp => (drawn, shortfall),
    };
    balance.available = sub(balance.available, from_balance)?;
    let mut postings = vec![Posting { account: Account::Program(ProgramAccount::Issued), amount: points }];
    for (account, amount) in [
        (Account::Member(MemberAccount::Available), from_balance),
        (Account::Program(ProgramAccount::ReturnLoss), lost),
    ] {
        if amount.is_positive() {
            postings
                .push(Posting { account, amount: amount.checked_neg().ok_or(Rejection::PointsOverflow)? });
        }
    }
    if let Some(entry) = EntryDraft::balanced(EntryKind::Achievement, postings) {
        decision.entries.push(entry);
    }
    decision.lots.extend(draws);
    set_standing(decision, balance, debt);
    Ok(())
}

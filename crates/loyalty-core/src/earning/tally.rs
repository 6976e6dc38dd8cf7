//! The running account of what an event has earned so far, rule by rule.

use super::Stage;
use crate::needs::Counter;
use rust_decimal::Decimal;

/// What an award is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// One line of a purchase (its index).
    Line(u32),
    /// The event as a whole.
    Order,
}

/// Who an award goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Beneficiary {
    /// The event's member.
    Member,
    /// The member who referred them.
    Referrer,
}

/// The numbers behind an award that its reason quotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    #[default]
    None,
    /// The line's base points a bonus was computed on.
    Base(Decimal),
    /// A count reached (`n` of `of`): a punch card, an activity's cap.
    Count { n: i64, of: i64 },
    /// Money spent in a window, in minor units.
    Spend(i64),
    /// The award was cut to what `limit` had left (its points); `wanted` points were due.
    Cut { wanted: Decimal, limit: Limit },
    /// The award was refused: `limit` had nothing left.
    Refused(Limit),
    /// The award was refused: a limit on how often it is given was reached, `count` times.
    Limited { limit: Limit, count: i64 },
}

/// What bounds an award: how often it may be given, or how many points it may give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    PerDay,
    PerMonth,
    Once,
    /// A campaign's budget of points for all members together.
    Budget,
}

/// One rule's award, before the event's points are rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Award {
    pub target: Target,
    /// Index of the rule in `Program::rules`.
    pub rule: u32,
    pub points: Decimal,
    pub detail: Detail,
    pub beneficiary: Beneficiary,
}

/// What an order must keep, after returns, to keep a bonus it earned as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keep {
    /// The rule whose bonus it is (index in `Program::rules`).
    pub rule: u32,
    /// The lines whose kept spend counts; all when empty.
    pub lines: Vec<u32>,
    pub min_spend_minor: i64,
    /// Whether a reversal undoes the member counters the rule moved.
    pub undo_counters: bool,
}

/// Awards of every rule for one event, with what they change besides points.
#[derive(Debug, Clone)]
pub struct Tally {
    base: Vec<Decimal>,
    lines: Vec<Decimal>,
    /// Lines an exclusion took out: they earn nothing more from any rule.
    excluded: Vec<bool>,
    order: Decimal,
    referrer: Decimal,
    awards: Vec<Award>,
    counters: Vec<(Counter, i64)>,
    /// Each rule's counter moves, for bonuses a return may undo.
    moves: Vec<(u32, Counter, i64)>,
    reward: Option<String>,
    /// The rule that issued the reward.
    reward_rule: Option<u32>,
    keeps: Vec<Keep>,
    rule: u32,
    stage: Stage,
}

fn add(total: &mut Decimal, points: Decimal) {
    *total = total.checked_add(points).unwrap_or(Decimal::MAX);
}

impl Tally {
    pub fn new(lines: usize) -> Tally {
        Tally {
            base: vec![Decimal::ZERO; lines],
            lines: vec![Decimal::ZERO; lines],
            excluded: vec![false; lines],
            order: Decimal::ZERO,
            referrer: Decimal::ZERO,
            // Room for an award a line, a bonus on every other line, and a few for the
            // order, so that the list rarely grows.
            awards: Vec::with_capacity(lines + lines / 2 + 2),
            counters: Vec::new(),
            moves: Vec::new(),
            reward: None,
            reward_rule: None,
            keeps: Vec::new(),
            rule: 0,
            stage: Stage::Base,
        }
    }

    /// Starts the awards of the rule at `index` of `Program::rules`.
    pub fn begin_rule(&mut self, index: usize, stage: Stage) {
        self.rule = u32::try_from(index).unwrap_or(u32::MAX);
        self.stage = stage;
    }

    /// The base points of a line, which bonus rules build on.
    pub fn base(&self, line: usize) -> Decimal {
        self.base.get(line).copied().unwrap_or_default()
    }

    /// What a line has earned so far.
    pub fn line(&self, line: usize) -> Decimal {
        self.lines.get(line).copied().unwrap_or_default()
    }

    /// Awards `points` on `line` for the current rule. Awards of zero are not recorded.
    pub fn award(&mut self, line: usize, points: Decimal) {
        self.award_with(line, points, Detail::None);
    }

    pub fn award_with(&mut self, line: usize, points: Decimal, detail: Detail) {
        if (points.is_zero() && detail == Detail::None) || line >= self.lines.len() || self.excluded[line] {
            return;
        }
        if self.stage == Stage::Base {
            add(&mut self.base[line], points);
        }
        add(&mut self.lines[line], points);
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        self.awards.push(Award {
            target: Target::Line(line),
            rule: self.rule,
            points,
            detail,
            beneficiary: Beneficiary::Member,
        });
    }

    /// Takes a line out: what it earned so far is cancelled by one award (with `detail` for
    /// its reason), and later rules give it nothing.
    pub fn exclude(&mut self, line: usize, detail: Detail) {
        let earned = self.line(line);
        if !earned.is_zero() {
            self.award_with(line, -earned, detail);
        }
        if let Some(excluded) = self.excluded.get_mut(line) {
            *excluded = true;
        }
    }

    pub fn is_excluded(&self, line: usize) -> bool {
        self.excluded.get(line).copied().unwrap_or(false)
    }

    /// Awards points for the event as a whole (or records, with a detail, why none).
    pub fn award_order(&mut self, points: Decimal, detail: Detail, beneficiary: Beneficiary) {
        if points.is_zero() && detail == Detail::None {
            return;
        }
        match beneficiary {
            Beneficiary::Member => add(&mut self.order, points),
            Beneficiary::Referrer => add(&mut self.referrer, points),
        }
        self.awards.push(Award { target: Target::Order, rule: self.rule, points, detail, beneficiary });
    }

    /// Adds `delta` to a counter when the decision is applied.
    pub fn count(&mut self, counter: Counter, delta: i64) {
        self.moves.push((self.rule, counter.clone(), delta));
        match self.counters.iter_mut().find(|(c, _)| *c == counter) {
            Some((_, value)) => *value += delta,
            None => self.counters.push((counter, delta)),
        }
    }

    /// Issues a reward to the member (a punch card's free item).
    pub fn issue(&mut self, reward: &str) {
        if self.reward.is_none() {
            self.reward = Some(reward.to_owned());
            self.reward_rule = Some(self.rule);
        }
    }

    /// Says that the current rule's bonus for the order holds only while `lines` (all, if
    /// empty) keep `min_spend_minor` of spend after returns; `undo_counters` if taking it
    /// back undoes the member counters the rule moved.
    pub fn keep_while(&mut self, lines: Vec<u32>, min_spend_minor: i64, undo_counters: bool) {
        self.keeps.push(Keep { rule: self.rule, lines, min_spend_minor, undo_counters });
    }

    /// What each line earned; never below zero, whatever the rules did.
    pub fn line_points(&self) -> impl Iterator<Item = Decimal> + '_ {
        self.lines.iter().map(|p| (*p).max(Decimal::ZERO))
    }

    pub fn awards(&self) -> &[Award] {
        &self.awards
    }

    pub fn into_parts(self) -> TallyParts {
        TallyParts {
            lines: self.lines.into_iter().map(|p| p.max(Decimal::ZERO)).collect(),
            excluded: self.excluded,
            order: self.order.max(Decimal::ZERO),
            referrer: self.referrer.max(Decimal::ZERO),
            awards: self.awards,
            counters: self.counters,
            moves: self.moves,
            reward: self.reward,
            reward_rule: self.reward_rule,
            keeps: self.keeps,
        }
    }
}

/// A finished tally.
#[derive(Debug, Clone)]
pub struct TallyParts {
    pub lines: Vec<Decimal>,
    /// Lines an exclusion took out.
    pub excluded: Vec<bool>,
    pub order: Decimal,
    pub referrer: Decimal,
    pub awards: Vec<Award>,
    pub counters: Vec<(Counter, i64)>,
    pub moves: Vec<(u32, Counter, i64)>,
    pub reward: Option<String>,
    pub reward_rule: Option<u32>,
    pub keeps: Vec<Keep>,
}

//! The running account of what each line of a purchase has earned so far.

use super::Stage;
use rust_decimal::Decimal;

/// One rule's award on one line, before the order is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Award {
    /// Index of the line in the purchase.
    pub line: u32,
    /// Index of the rule in `Program::rules`.
    pub rule: u32,
    pub points: Decimal,
}

/// Awards of every rule on every line of one purchase.
#[derive(Debug, Clone)]
pub struct Tally {
    base: Vec<Decimal>,
    lines: Vec<Decimal>,
    awards: Vec<Award>,
    rule: u32,
    stage: Stage,
}

impl Tally {
    pub fn new(lines: usize) -> Tally {
        Tally {
            base: vec![Decimal::ZERO; lines],
            lines: vec![Decimal::ZERO; lines],
            awards: Vec::with_capacity(lines * 2),
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

    /// Awards `points` on `line` for the current rule. Awards of zero are not recorded.
    pub fn award(&mut self, line: usize, points: Decimal) {
        if points.is_zero() || line >= self.lines.len() {
            return;
        }
        let add = |total: &mut Decimal| *total = total.checked_add(points).unwrap_or(Decimal::MAX);
        if self.stage == Stage::Base {
            add(&mut self.base[line]);
        }
        add(&mut self.lines[line]);
        self.awards.push(Award { line: u32::try_from(line).unwrap_or(u32::MAX), rule: self.rule, points });
    }

    /// What each line earned; never below zero, whatever the rules did.
    pub fn line_points(&self) -> impl Iterator<Item = Decimal> + '_ {
        self.lines.iter().map(|p| (*p).max(Decimal::ZERO))
    }

    pub fn awards(&self) -> &[Award] {
        &self.awards
    }

    pub fn into_parts(self) -> (Vec<Award>, Vec<Decimal>) {
        let lines = self.lines.into_iter().map(|p| p.max(Decimal::ZERO)).collect();
        (self.awards, lines)
    }
}

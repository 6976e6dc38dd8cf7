//! What `decide` needs to know of a member's history to judge an event, and what the store
//! found. Rules say what they need; the store loads exactly that, so deciding stays pure.

use crate::time::Timestamp;
use std::collections::{BTreeMap, BTreeSet};

/// A sum over the member's history in `[from, to)`: events that occurred from `from` up to,
/// not including, `to`. Windows end at the event being judged, so a late event counts only
/// what happened before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Window {
    pub from: Timestamp,
    pub to: Timestamp,
    pub measure: Measure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Measure {
    /// Money spent on orders that occurred since (less what was returned), in minor units.
    Spend,
    /// Orders that occurred since.
    Purchases,
    /// Points earned (by purchases, activities and bonuses, not by adjustments) since.
    Earned,
}

/// A named count kept for a member or for the program.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Counter {
    pub scope: Scope,
    pub key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// The event's member.
    Member,
    /// The whole program (a campaign's budget).
    Program,
}

impl Counter {
    pub fn member(key: impl Into<String>) -> Counter {
        Counter { scope: Scope::Member, key: key.into() }
    }

    pub fn program(key: impl Into<String>) -> Counter {
        Counter { scope: Scope::Program, key: key.into() }
    }
}

/// What to load for one event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    pub windows: BTreeSet<Window>,
    pub counters: BTreeSet<Counter>,
    /// The member who referred the event's member, if any.
    pub referrer: bool,
    /// The member's current segment (only when some rule targets segments).
    pub segment: bool,
}

impl Needs {
    pub fn window(&mut self, window: Window) {
        self.windows.insert(window);
    }

    pub fn counter(&mut self, counter: Counter) {
        self.counters.insert(counter);
    }
}

/// What the store found for the needs of one event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aggregates {
    pub windows: BTreeMap<Window, i64>,
    pub counters: BTreeMap<Counter, i64>,
}

impl Aggregates {
    /// The sum over a window; 0 if nothing happened (or it was not asked for).
    pub fn window(&self, window: &Window) -> i64 {
        self.windows.get(window).copied().unwrap_or(0)
    }

    /// A counter's value; 0 if it was never counted.
    pub fn counter(&self, counter: &Counter) -> i64 {
        self.counters.get(counter).copied().unwrap_or(0)
    }
}

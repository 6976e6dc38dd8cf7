//! What a decision moves on the program's boards, for the store to add to its scores in
//! the transaction that writes the decision.
//!
//! - `purchases`: +1 per purchase; a return that leaves none of the order's units takes
//!   the 1 back (a partial return keeps it).
//! - `spend_minor`: what the order counts as spend; a return takes back the spend of the
//!   units it returns.
//! - `points_earned`: points put in the member's accounts by purchases, activities,
//!   bonuses, achievements and streaks, less what returns and revoked achievements take
//!   back. Redemptions and adjustments do not count, nor a referrer's share (it is the
//!   referrer's, not the member's, doing).
//! - `achievements`: +1 per completion, −1 per revocation.
//!
//! A return counts against the period of its purchase, as achievements' windows do, so
//! that returning last month's order lowers last month's score, not this month's.

use super::{BoardMeasure, Leaderboard};
use crate::calendar::Calendar;
use crate::decision::{Decision, EngagementKind, OrderChange};
use crate::event::Event;
use crate::ledger::EntryKind;
use crate::state::{MemberState, OrderLineRecord};

/// A delta to one member's score on one board, under each of its score keys (one, or a
/// rolling board's 30: see `period`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreChange {
    pub board: String,
    pub keys: Vec<String>,
    pub delta: i64,
}

/// The score changes of the member `decision` is about, on each of `boards`; none that
/// are zero.
pub fn changes(
    boards: &[Leaderboard],
    calendar: &Calendar,
    state: &MemberState,
    event: &Event,
    decision: &Decision,
) -> Vec<ScoreChange> {
    if boards.is_empty() {
        return Vec::new();
    }
    let moved = Moved::of(state, event, decision);
    let at = match (event, &state.order) {
        (Event::Return(_), Some(order)) => order.occurred_at,
        _ => event.occurred_at(),
    };
    boards
        .iter()
        .filter_map(|board| {
            let delta = match board.measure {
                BoardMeasure::PointsEarned => moved.points,
                BoardMeasure::SpendMinor => moved.spend_minor,
                BoardMeasure::Purchases => moved.purchases,
                BoardMeasure::Achievements => moved.achievements,
            };
            (delta != 0).then(|| ScoreChange {
                board: board.code.clone(),
                keys: board.period.score_keys(calendar, at),
                delta,
            })
        })
        .collect()
}

/// What one decision moved, by measure.
#[derive(Debug, Default)]
struct Moved {
    points: i64,
    spend_minor: i64,
    purchases: i64,
    achievements: i64,
}

fn spend(lines: &[OrderLineRecord]) -> i64 {
    lines.iter().map(OrderLineRecord::kept_spend_minor).fold(0, i64::saturating_add)
}

fn all_returned(lines: &[OrderLineRecord]) -> bool {
    lines.iter().all(|l| l.returned >= l.quantity)
}

impl Moved {
    fn of(state: &MemberState, event: &Event, decision: &Decision) -> Moved {
        let mut moved = Moved::default();
        match (&decision.order, event) {
            (Some(OrderChange::Record { lines, .. }), Event::Purchase(_)) => {
                moved.purchases = 1;
                moved.spend_minor = spend(lines);
            }
            (Some(OrderChange::Update { lines, .. }), Event::Return(_)) => {
                let before = state.order.as_ref().map(|o| o.lines.as_slice()).unwrap_or_default();
                moved.spend_minor = spend(lines).saturating_sub(spend(before));
                if all_returned(lines) && !all_returned(before) {
                    moved.purchases = -1;
                }
            }
            _ => {}
        }
        moved.points = decision
            .entries
            .iter()
            .filter(|e| {
                matches!(
                    e.kind(),
                    EntryKind::Purchase
                        | EntryKind::Activity
                        | EntryKind::Bonus
                        | EntryKind::Achievement
                        | EntryKind::Streak
                        | EntryKind::Survey
                        | EntryKind::Return
                )
            })
            .flat_map(|e| e.postings())
            .filter(|p| p.account.is_member())
            .fold(0i64, |sum, p| sum.saturating_add(p.amount.get()));
        moved.achievements = decision
            .engagement
            .iter()
            .map(|c| match c.kind {
                EngagementKind::AchievementCompleted => 1,
                EngagementKind::AchievementRevoked => -1,
                EngagementKind::StreakMilestone => 0,
            })
            .sum();
        moved
    }
}

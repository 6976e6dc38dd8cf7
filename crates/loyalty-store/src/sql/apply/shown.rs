//! Whether a member's leaderboard scores count (`leaderboard_scores.shown`): a member is
//! shown when they opted in and their account is not closed. The flag is copied onto each
//! of their score rows so that a rank is a count over one index, with no join to members;
//! a decision that changes either fact re-marks all of the member's rows in the same
//! transaction.

use crate::StoreError;
use loyalty_core::decision::{Decision, MemberChange};
use loyalty_core::state::{MemberState, MemberStatus};
use sqlx::{Any, Transaction};

/// Whether the member is shown after the decision, and whether that differs from before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Visibility {
    pub shown: bool,
    pub changed: bool,
}

fn is_shown(opted_in: bool, status: MemberStatus) -> bool {
    opted_in && !status.is_closed()
}

pub(super) fn visibility(state: &MemberState, decision: &Decision) -> Visibility {
    match &decision.member {
        // A new member's row is written without an opt-in (only a profile change sets it),
        // so nothing they score in their enrolment shows yet.
        MemberChange::Enrol(_) => Visibility { shown: false, changed: false },
        MemberChange::Update { profile, .. } => {
            let (was_in, was_status) = state
                .member
                .as_ref()
                .map_or((false, MemberStatus::Active), |m| (m.profile.leaderboard_opt_in, m.status));
            let opted_in = profile.as_ref().and_then(|p| p.leaderboard_opt_in).unwrap_or(was_in);
            let status = decision.standing.as_ref().map_or(was_status, |s| s.status);
            let shown = is_shown(opted_in, status);
            Visibility { shown, changed: shown != is_shown(was_in, was_status) }
        }
    }
}

/// Marks every score row of the member shown or not. How many rows that is is not known
/// ahead, so it runs apart from the decision's counted batch.
pub(super) async fn mark(
    tx: &mut Transaction<'static, Any>,
    member_id: i64,
    shown: bool,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE leaderboard_scores SET shown = $1 WHERE member_id = $2")
        .bind(i64::from(shown))
        .bind(member_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

//! The catalogue reward an achievement gives: a code issued with each completion, at no
//! cost in points, as a punch card's is, and voided (if still unused) when a return takes
//! the completion back.

use crate::decision::{Decision, HistoryNote, HistoryTopic};
use crate::engage::Achievement;
use crate::event::Event;
use crate::ids::{InstanceCode, RewardCode};
use crate::points::Points;
use crate::program::Program;
use crate::rejection::Rejection;
use crate::spending::{InstanceState, RewardInstance};
use crate::state::MemberState;
use crate::time::Timestamp;

/// Issues the `n`th code (from 1) of the event's completions, and notes it in the
/// member's history.
pub(super) fn issue(
    program: &Program,
    event: &Event,
    achievement: &Achievement,
    reward: &RewardCode,
    n: usize,
    decision: &mut Decision,
) -> Result<Option<RewardInstance>, Rejection> {
    // Validation found the reward in the catalogue of this program version.
    let Some(reward) = program.reward(reward) else { return Ok(None) };
    let code = code(event, n)?;
    let mut instance = super::redeem::issue(program, reward, code, Points::ZERO, event.occurred_at());
    instance.achievement = Some(achievement.code.clone());
    decision.notes.push(HistoryNote {
        topic: HistoryTopic::Reward,
        from: None,
        to: Some(instance.state.as_str().to_owned()),
        reason: format!("{} issued as {}: {} completed", reward.name, instance.code, achievement.name),
    });
    Ok(Some(instance))
}

/// The code of the `n`th reward an event's achievements issue: the code the edge made for
/// the event, with `-A{n}` after it, so that one event may issue several and a punch
/// card's (which is the event's code itself) besides.
fn code(event: &Event, n: usize) -> Result<InstanceCode, Rejection> {
    let base = match event {
        Event::Purchase(p) => p.reward_code.as_ref(),
        Event::Activity(a) => a.reward_code.as_ref(),
        Event::Birthday(b) => b.reward_code.as_ref(),
        _ => None,
    };
    let refused = || {
        Rejection::InvalidRequest(
            "reward_code: this event completes an achievement with a reward and needs a code for it \
             (at most 60 characters)"
                .to_owned(),
        )
    };
    let base = base.ok_or_else(refused)?;
    InstanceCode::parse(format!("{base}-A{n}")).map_err(|_| refused())
}

/// Cancels the unused code that the completion at `last` issued, if there is one, and
/// notes it; a code already used stays the member's.
pub(super) fn void(
    state: &MemberState,
    achievement: &Achievement,
    last: Option<Timestamp>,
    decision: &mut Decision,
) -> Option<RewardInstance> {
    let issued = state.achievement_codes.iter().find(|i| {
        i.achievement.as_deref() == Some(achievement.code.as_str())
            && i.state == InstanceState::Issued
            && Some(i.issued_at) == last
    })?;
    let mut after = issued.clone();
    after.state = InstanceState::Cancelled;
    decision.notes.push(HistoryNote {
        topic: HistoryTopic::Reward,
        from: Some(InstanceState::Issued.as_str().to_owned()),
        to: Some(InstanceState::Cancelled.as_str().to_owned()),
        reason: format!("{} {}: a return took back {}", issued.reward, issued.code, achievement.name),
    });
    Some(after)
}

#[cfg(test)]
mod tests {
    use crate::event::{Event, Purchase};
    use crate::fixtures::{COFFEE, at, enrol, line, program};
    use crate::ids::{ExternalId, InstanceCode, OrderId};
    use crate::insight::Segment;
    use crate::memory::MemoryLedger;
    use crate::rejection::Rejection;
    use crate::spending::InstanceState;

    const MONTHLY: &str = r#"
[[achievements]]
code = "monthly"
name = "Monthly regular"
criteria = [{ measure = "purchases", threshold = 1, period = "calendar_month" }]
recurrence = "each_period"
reward = "free-drink"
"#;

    fn order(n: u32, when: &str, code: Option<&str>) -> Event {
        Event::Purchase(Purchase {
            member: ExternalId::parse("c-1001").unwrap(),
            order_id: OrderId::parse(format!("o-{n}")).unwrap(),
            occurred_at: at(when),
            lines: vec![line("latte", "coffee", 1, 475)],
            reward_code: code.map(|c| InstanceCode::parse(c).unwrap()),
        })
    }

    #[test]
    fn each_completion_of_a_repeatable_achievement_issues_its_own_code() {
        let program = program(&format!("{COFFEE}{MONTHLY}"));
        assert!(!program.targets_segments());
        let mut ledger = MemoryLedger::new();
        ledger.submit(&program, &enrol("c-1001"), at("2026-11-01T08:00:00Z")).unwrap();
        for (n, when, code) in [(1, "2026-11-02T12:00:00Z", "K-1"), (2, "2026-12-02T12:00:00Z", "K-2")] {
            ledger.submit(&program, &order(n, when, Some(code)), at(when)).unwrap();
        }
        // The second order of December completes nothing more, and issues nothing.
        ledger
            .submit(&program, &order(3, "2026-12-03T12:00:00Z", Some("K-3")), at("2026-12-03T12:00:00Z"))
            .unwrap();
        let codes: Vec<(&str, &str, i64, InstanceState)> = ledger
            .rewards()
            .iter()
            .map(|(_, r)| (r.code.as_str(), r.reward.as_str(), r.points.get(), r.state))
            .collect();
        assert_eq!(
            codes,
            [
                ("K-1-A1", "free-drink", 0, InstanceState::Issued),
                ("K-2-A1", "free-drink", 0, InstanceState::Issued),
            ]
        );
    }

    #[test]
    fn a_completion_with_a_reward_needs_the_events_code() {
        let program = program(&format!("{COFFEE}{MONTHLY}"));
        let mut ledger = MemoryLedger::new();
        ledger.submit(&program, &enrol("c-1001"), at("2026-11-01T08:00:00Z")).unwrap();
        let refused =
            ledger.submit(&program, &order(1, "2026-11-02T12:00:00Z", None), at("2026-11-02T12:00:00Z"));
        assert!(matches!(refused, Err(Rejection::InvalidRequest(m)) if m.starts_with("reward_code:")));
    }

    #[test]
    fn an_achievement_for_a_segment_waits_for_the_member_to_be_in_it() {
        let targeted = MONTHLY.replace("recurrence", "segments = [\"at_risk\"]\nrecurrence");
        let program = program(&format!("{COFFEE}{targeted}"));
        assert!(program.targets_segments());
        let mut ledger = MemoryLedger::new();
        let member = ExternalId::parse("c-1001").unwrap();
        ledger.submit(&program, &enrol("c-1001"), at("2026-11-01T08:00:00Z")).unwrap();
        ledger.set_segment(&member, Some(Segment::Champions));
        let first = ledger.submit(
            &program,
            &order(1, "2026-11-02T12:00:00Z", Some("K-1")),
            at("2026-11-02T12:00:00Z"),
        );
        assert!(first.unwrap().engagement.is_empty());
        ledger.set_segment(&member, Some(Segment::AtRisk));
        let second = ledger.submit(
            &program,
            &order(2, "2026-11-03T12:00:00Z", Some("K-2")),
            at("2026-11-03T12:00:00Z"),
        );
        let engagement = second.unwrap().engagement;
        assert_eq!(engagement.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(), ["monthly"]);
        assert_eq!(engagement[0].reward.as_ref().map(|r| r.code.as_str()), Some("K-2-A1"));
    }
}

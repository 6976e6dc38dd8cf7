//! A member answers a survey: the score is checked against the survey's kind, the
//! answer against how often the survey may be answered, and the points for answering are
//! booked like any earning. What the store keeps of the response is in the calculation.

use super::engage::award;
use super::existing_member;
use crate::decision::{Calculation, Decision, HistoryNote, HistoryTopic, SurveyCalc};
use crate::event::SurveyAnswer;
use crate::feedback::{NotDue, Survey};
use crate::ledger::EntryKind;
use crate::needs::Needs;
use crate::program::Program;
use crate::rejection::Rejection;
use crate::state::MemberState;

/// The survey's counters of the member: answers ever, the latest, and in the period.
pub(super) fn needs(program: &Program, answer: &SurveyAnswer, needs: &mut Needs) {
    if let Some(survey) = program.survey(answer.survey.as_str()) {
        for counter in survey.counters(program.calendar(), answer.occurred_at) {
            needs.counter(counter);
        }
    }
}

pub(super) fn decide(
    program: &Program,
    state: &MemberState,
    a: &SurveyAnswer,
) -> Result<Decision, Rejection> {
    let member = existing_member(state, &a.member)?;
    let survey = program
        .survey(a.survey.as_str())
        .ok_or_else(|| Rejection::SurveyNotFound { survey: a.survey.to_string() })?;
    let (min, max) = survey.kind.range();
    if !(min..=max).contains(&a.score) {
        return Err(Rejection::ScoreOutOfRange { survey: survey.code.clone(), min, max, given: a.score });
    }
    if let Some(order_id) = &a.order_id {
        let order = state
            .order
            .as_ref()
            .ok_or_else(|| Rejection::OrderNotFound { order_id: order_id.to_string() })?;
        if order.member_id != member.id {
            return Err(Rejection::OrderBelongsToAnotherMember { order_id: order_id.to_string() });
        }
    }
    let counts = &state.aggregates;
    if let Some(why) = survey.not_due(program.calendar(), a.occurred_at, |c| counts.counter(c)) {
        return Err(refusal(survey, a, why));
    }
    let last = counts.counter(&survey.last_counter());
    let period = survey.period_counter(program.calendar(), a.occurred_at);

    let at = a.occurred_at;
    let calc = SurveyCalc {
        kind: survey.kind,
        band: survey.kind.band(a.score),
        tier: super::tier_at(program.tiers(), member, at).cloned(),
        points: survey.points,
    };
    let mut decision = Decision::about_member(member, None, None, Calculation::Survey(calc));
    decision.counters.push((survey.answers_counter(), 1));
    // The latest answer's instant, kept by moving the counter by the difference; a
    // back-dated answer leaves it where it is.
    decision.counters.push((survey.last_counter(), (at.as_micros() - last).max(0)));
    if let Some(period) = period {
        decision.counters.push((period, 1));
    }
    award(program, member, &mut decision, survey.points, at, EntryKind::Survey)?;
    decision.notes.push(HistoryNote {
        topic: HistoryTopic::Survey,
        from: None,
        to: Some(a.score.to_string()),
        reason: format!("answered survey {}", survey.code),
    });
    Ok(decision)
}

/// The refusal of an answer the survey's `once` or `cooldown_days` rule forbids.
fn refusal(survey: &Survey, a: &SurveyAnswer, why: NotDue) -> Rejection {
    let (external_id, days, survey) = (a.member.to_string(), survey.cooldown_days, survey.code.clone());
    match why {
        NotDue::Answered => Rejection::SurveyAlreadyAnswered { external_id, survey, period: String::new() },
        NotDue::AnsweredThisPeriod(period) => Rejection::SurveyAlreadyAnswered {
            external_id,
            survey,
            period: format!(" this {}", period.as_str()),
        },
        NotDue::CoolingDown { next } => Rejection::SurveyCoolingDown { external_id, survey, days, next },
    }
}

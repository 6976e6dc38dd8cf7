//! The result of an event as members and tills see it: rendered once from the decision,
//! stored with the event, and returned unchanged when the event is retried.

use crate::decision::{Calculation, Decision, EngagementChange, MemberChange};
use crate::event::{Event, ProfileChanges};
pub use crate::explanation::{
    AwardExplanation, Explanation, LimitExplanation, LineExplanation, ReturnExplanation,
};
use crate::explanation::{explain, explain_return};
use crate::ids::{ExternalId, InstanceCode, OrderId, Reason, RewardCode};
use crate::points::Points;
use crate::program::{Program, RewardKind, SpentPointsPolicy};
pub use crate::spending_view::{CodeOutcome, HoldOutcome, HoldView};
pub use crate::standing_view::{ClosureView, TierProgress};
use crate::state::{Balance, Member, MemberState, MemberStatus, Profile, Subscription};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Outcome {
    Member(MemberView),
    Purchase(PurchaseOutcome),
    Return(ReturnOutcome),
    Redemption(RedemptionOutcome),
    Adjustment(AdjustmentOutcome),
    Earning(EarningOutcome),
    Review(ReviewOutcome),
    Job(JobOutcome),
    Hold(HoldOutcome),
    Code(CodeOutcome),
    Survey(crate::feedback::SurveyOutcome),
}

/// A member as the API shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct MemberView {
    pub external_id: String,
    pub email: Option<String>,
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub tier: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Whether the member agreed to be shown on leaderboards.
    #[serde(default)]
    pub leaderboard_opt_in: bool,
    /// The name leaderboards show for them, if they chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    pub referral_code: String,
    /// The external id of the member who referred them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referred_by: Option<String>,
    pub status: MemberStatus,
    pub enrolled_at: Timestamp,
    /// The last thing the member did themselves; the inactivity period runs from it.
    pub last_activity_at: Timestamp,
    pub balance: Balance,
    /// Where the member stands in the program's tiers (shown by the member's page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_progress: Option<Box<TierProgress>>,
    /// The paid tier, if the member ever subscribed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<Box<Subscription>>,
    /// What the account's closure took, while it may be reinstated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closure: Option<ClosureView>,
    /// The next dates on which points expire, with how many, soonest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expiring_soon: Vec<Expiring>,
    /// How an enrolment's welcome bonus was reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PurchaseOutcome {
    pub member: ExternalId,
    pub order_id: OrderId,
    pub occurred_at: Timestamp,
    pub points_awarded: Points,
    pub balance: Balance,
    /// A reward the purchase earned (a completed punch card).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<IssuedRewardView>,
    /// Achievements completed or taken back, and streak milestones reached.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub engagement: Vec<EngagementChange>,
    pub explanation: Explanation,
}

/// An activity or a birthday that earned points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EarningOutcome {
    pub member: ExternalId,
    /// The activity's kind, or `birthday`.
    pub kind: String,
    pub occurred_at: Timestamp,
    pub points_awarded: Points,
    pub balance: Balance,
    /// Achievements completed or taken back, and streak milestones reached.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub engagement: Vec<EngagementChange>,
    pub explanation: Explanation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IssuedRewardView {
    pub reward: RewardCode,
    pub code: InstanceCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReturnOutcome {
    pub member: ExternalId,
    pub order_id: OrderId,
    pub occurred_at: Timestamp,
    pub points_reversed: Points,
    /// Points taken back that the member had already spent and the program wrote off.
    pub points_unrecovered: Points,
    /// Points the order was paid with, given back for the returned part.
    #[serde(default, skip_serializing_if = "Points::is_zero_ref")]
    pub points_refunded: Points,
    pub balance: Balance,
    /// Achievements completed or taken back, and streak milestones reached.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub engagement: Vec<EngagementChange>,
    pub explanation: ReturnExplanation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RedemptionOutcome {
    pub member: ExternalId,
    pub reward: RewardCode,
    pub code: InstanceCode,
    pub points_spent: Points,
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RewardKind>,
    /// When the code stops being accepted, if it ever does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// A gift card's balance in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance_minor: Option<i64>,
    /// A donation's charity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charity: Option<String>,
    pub occurred_at: Timestamp,
    pub balance: Balance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AdjustmentOutcome {
    pub member: ExternalId,
    pub points: Points,
    pub reason: Reason,
    pub occurred_at: Timestamp,
    pub balance: Balance,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReviewOutcome {
    pub member: ExternalId,
    /// `released` or `voided`.
    pub decision: String,
    pub points: Points,
    pub reason: Reason,
    pub occurred_at: Timestamp,
    pub balance: Balance,
}

/// Points that expire together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Expiring {
    pub points: Points,
    pub expires_at: Timestamp,
}

/// What a job did for one member: points expired or released, or a warning recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JobOutcome {
    pub member: ExternalId,
    /// `expire`, `release_pending` or `expiry_notice`.
    pub job: String,
    pub occurred_at: Timestamp,
    pub points: Points,
    /// For a notice: when the points will expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// For a tier evaluation: the tier the member has after it (`none` for no tier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    pub balance: Balance,
}

impl MemberView {
    /// The view of a member whose referrer, if any, has external id `referred_by`.
    pub fn of(member: &Member, referred_by: Option<String>) -> MemberView {
        let p = &member.profile;
        MemberView {
            external_id: member.external_id.to_string(),
            email: p.email.as_ref().map(|e| e.as_str().to_owned()),
            name: p.name.as_ref().map(|n| n.as_str().to_owned()),
            birth_date: p.birth_date.map(|d| d.to_string()),
            tier: p.tier.as_ref().map(ToString::to_string),
            tags: p.tags.iter().map(ToString::to_string).collect(),
            leaderboard_opt_in: p.leaderboard_opt_in,
            nickname: p.nickname.as_ref().map(ToString::to_string),
            referral_code: member.referral_code.to_string(),
            referred_by,
            status: member.status,
            enrolled_at: member.enrolled_at,
            last_activity_at: member.last_activity_at,
            balance: member.balance,
            tier_progress: None,
            subscription: member.standing.subscription.clone().map(Box::new),
            closure: member.standing.closure.as_ref().map(ClosureView::of),
            expiring_soon: Vec::new(),
            explanation: None,
        }
    }
}

/// A profile with `changes` applied.
pub fn changed(profile: &Profile, changes: &ProfileChanges) -> Profile {
    Profile {
        name: changes.name.clone().or_else(|| profile.name.clone()),
        email: changes.email.clone().or_else(|| profile.email.clone()),
        birth_date: changes.birth_date.or(profile.birth_date),
        tier: changes.tier.clone().or_else(|| profile.tier.clone()),
        tags: changes.tags.clone().unwrap_or_else(|| profile.tags.clone()),
        leaderboard_opt_in: changes.leaderboard_opt_in.unwrap_or(profile.leaderboard_opt_in),
        nickname: changes.nickname.clone().or_else(|| profile.nickname.clone()),
    }
}

impl Outcome {
    /// Renders the result of applying `decision`, which `decide` made for `event` against
    /// `state` with version `version` of `program`. `None` only if the two do not belong
    /// together, which is a bug in the caller.
    pub fn render(
        program: &Program,
        version: i64,
        state: &MemberState,
        event: &Event,
        decision: &Decision,
    ) -> Option<Outcome> {
        let balance = decision.balance_after();
        let referrer_id = state.referrer.as_ref().map(|r| r.external_id.to_string());
        let outcome =
            match (event, &decision.calculation, &decision.member) {
                (Event::Enrol(_), Calculation::Enrolment(calc), MemberChange::Enrol(new)) => {
                    let member = Member {
                        id: crate::ids::MemberId(0),
                        external_id: new.external_id.clone(),
                        status: new.status,
                        balance,
                        debt: Points::ZERO,
                        profile: new.profile.clone(),
                        referral_code: new.referral_code.clone(),
                        referred_by: new.referred_by,
                        enrolled_at: new.enrolled_at,
                        last_activity_at: new.enrolled_at,
                        standing: decision.standing.as_ref().map(|s| s.standing.clone()).unwrap_or_default(),
                    };
                    let mut view = MemberView::of(&member, new.referred_by.and(referrer_id));
                    if !calc.awards.is_empty() {
                        view.explanation = Some(explain(program, version, &[], calc, referrer_id_of(state)));
                    }
                    Outcome::Member(view)
                }
                (Event::Purchase(p), Calculation::Purchase(calc), _) => Outcome::Purchase(PurchaseOutcome {
                    member: p.member.clone(),
                    order_id: p.order_id.clone(),
                    occurred_at: p.occurred_at,
                    points_awarded: calc.points,
                    balance,
                    reward: decision
                        .reward
                        .as_ref()
                        .map(|r| r.instance())
                        .map(|r| IssuedRewardView { reward: r.reward.clone(), code: r.code.clone() }),
                    engagement: decision.engagement.clone(),
                    explanation: explain(program, version, &p.lines, calc, referrer_id_of(state)),
                }),
                (Event::Activity(a), Calculation::Activity(calc), _) => Outcome::Earning(EarningOutcome {
                    member: a.member.clone(),
                    kind: a.kind.to_string(),
                    occurred_at: a.occurred_at,
                    points_awarded: calc.points,
                    balance,
                    engagement: decision.engagement.clone(),
                    explanation: explain(program, version, &[], calc, None),
                }),
                (Event::Birthday(b), Calculation::Birthday(calc), _) => Outcome::Earning(EarningOutcome {
                    member: b.member.clone(),
                    kind: "birthday".to_owned(),
                    occurred_at: b.occurred_at,
                    points_awarded: calc.points,
                    balance,
                    engagement: decision.engagement.clone(),
                    explanation: explain(program, version, &[], calc, None),
                }),
                (Event::Return(r), Calculation::Return(calc), _) => Outcome::Return(ReturnOutcome {
                    member: r.member.clone(),
                    order_id: r.order_id.clone(),
                    occurred_at: r.occurred_at,
                    points_reversed: calc.reversed,
                    points_unrecovered: match calc.policy {
                        SpentPointsPolicy::Clamp => calc.shortfall,
                        SpentPointsPolicy::NegativeBalance => Points::ZERO,
                    },
                    points_refunded: calc.refunded,
                    balance,
                    engagement: decision.engagement.clone(),
                    explanation: explain_return(program, r.order_id.as_str(), calc),
                }),
                (Event::Redeem(r), Calculation::Redemption, _) => {
                    let issued = decision.reward.as_ref()?.instance();
                    Outcome::Redemption(RedemptionOutcome {
                        member: r.member.clone(),
                        reward: r.reward.clone(),
                        code: r.code.clone(),
                        points_spent: issued.points,
                        state: issued.state.as_str().to_owned(),
                        kind: Some(issued.kind),
                        expires_at: issued.expires_at,
                        balance_minor: issued.balance_minor,
                        charity: issued.charity.clone(),
                        occurred_at: r.occurred_at,
                        balance,
                    })
                }
                (Event::Adjust(a), Calculation::Adjustment, _) => Outcome::Adjustment(AdjustmentOutcome {
                    member: a.member.clone(),
                    points: a.points,
                    reason: a.reason.clone(),
                    occurred_at: a.occurred_at,
                    balance,
                }),
                (Event::Review(r), Calculation::Review { points }, _) => Outcome::Review(ReviewOutcome {
                    member: r.member.clone(),
                    decision: if r.release { "released" } else { "voided" }.to_owned(),
                    points: *points,
                    reason: r.reason.clone(),
                    occurred_at: r.occurred_at,
                    balance,
                }),
                (Event::Refer(_), Calculation::Referral, _) => {
                    let member = state.member.as_ref()?;
                    Outcome::Member(MemberView::of(member, referrer_id))
                }
                (Event::Profile(p), Calculation::Profile, _) => {
                    let mut member = state.member.clone()?;
                    member.profile = changed(&member.profile, &p.changes);
                    let referred_by = member.referred_by.and(referrer_id);
                    Outcome::Member(MemberView::of(&member, referred_by))
                }
                (Event::Expire(t), Calculation::Expiry { points }, _) => {
                    Outcome::Job(JobOutcome::new(&t.member, "expire", t.occurred_at, *points, None, balance))
                }
                (Event::ReleasePending(t), Calculation::PendingRelease { points }, _) => Outcome::Job(
                    JobOutcome::new(&t.member, "release_pending", t.occurred_at, *points, None, balance),
                ),
                (Event::ExpiryNotice(n), Calculation::ExpiryNotice { points, expires_at }, _) => {
                    Outcome::Job(JobOutcome::new(
                        &n.member,
                        "expiry_notice",
                        n.occurred_at,
                        *points,
                        Some(*expires_at),
                        balance,
                    ))
                }
                (Event::TierReview(t), Calculation::TierReview(calc), _) => {
                    let mut job =
                        JobOutcome::new(&t.member, "tier_review", t.occurred_at, Points::ZERO, None, balance);
                    job.tier = Some(calc.to.as_ref().map_or_else(|| "none".to_owned(), ToString::to_string));
                    Outcome::Job(job)
                }
                (Event::CloseInactive(t), Calculation::Status { points }, _) => Outcome::Job(
                    JobOutcome::new(&t.member, "close_inactive", t.occurred_at, *points, None, balance),
                ),
                (
                    Event::Subscription(_) | Event::Status(_),
                    Calculation::Subscription | Calculation::Status { .. },
                    _,
                ) => {
                    let member = member_after(state, decision)?;
                    let referred_by = member.referred_by.and(referrer_id);
                    Outcome::Member(MemberView::of(&member, referred_by))
                }
                (Event::Survey(a), Calculation::Survey(calc), _) => {
                    Outcome::Survey(crate::feedback::SurveyOutcome {
                        member: a.member.clone(),
                        survey: a.survey.clone(),
                        kind: calc.kind,
                        score: a.score,
                        band: calc.band,
                        comment: a.comment.clone(),
                        order_id: a.order_id.clone(),
                        tier: calc.tier.clone(),
                        points_awarded: calc.points,
                        balance,
                        occurred_at: a.occurred_at,
                    })
                }
                (Event::Hold(_) | Event::Settle(_) | Event::Code(_), _, _) => {
                    crate::spending_view::render(event, decision)?
                }
                _ => return None,
            };
        Some(outcome)
    }
}

impl JobOutcome {
    fn new(
        member: &ExternalId,
        job: &str,
        occurred_at: Timestamp,
        points: Points,
        expires_at: Option<Timestamp>,
        balance: Balance,
    ) -> JobOutcome {
        JobOutcome {
            member: member.clone(),
            job: job.to_owned(),
            occurred_at,
            points,
            expires_at,
            tier: None,
            balance,
        }
    }
}

/// The event's member as the decision leaves them.
fn member_after(state: &MemberState, decision: &Decision) -> Option<Member> {
    let mut member = state.member.clone()?;
    member.balance = decision.balance_after();
    if let Some(change) = &decision.standing {
        change.apply_to(&mut member);
    }
    if let Some(at) = decision.last_activity_at {
        member.last_activity_at = at;
    }
    Some(member)
}

fn referrer_id_of(state: &MemberState) -> Option<String> {
    state.referrer.as_ref().map(|r| r.external_id.to_string())
}

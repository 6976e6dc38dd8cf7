//! What `decide` returns: everything the store must write for one event, and the
//! calculation that explains it.

use crate::earning::Award;
use crate::event::ProfileChanges;
use crate::ids::{ExternalId, MemberId, OrderId, ReferralCode, TierCode};
use crate::ledger::EntryDraft;
use crate::lots::{LotChange, NewLot};
use crate::money::MinorUnits;
use crate::needs::Counter;
use crate::points::Points;
use crate::program::SpentPointsPolicy;
use crate::spending::{HoldRecord, RewardInstance};
use crate::state::{Balance, Member, MemberStatus, OrderBonus, OrderLineRecord, Profile, Standing};
use crate::time::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub member: MemberChange,
    pub entries: Vec<EntryDraft>,
    pub lots: Vec<LotChange>,
    pub order: Option<OrderChange>,
    /// A reward code issued or changed.
    pub reward: Option<RewardChange>,
    /// Checkout holds opened or changed.
    pub holds: Vec<HoldChange>,
    /// Lines for the member's history about codes and holds (standing keeps its own).
    pub notes: Vec<HistoryNote>,
    /// Counters to add to (punch cards, activity caps, campaign budgets, ...).
    pub counters: Vec<(Counter, i64)>,
    /// Points for another member: the one who referred this one.
    pub referrer: Option<Credit>,
    /// The member's tier, status and subscription after the event, when it changes them.
    pub standing: Option<Box<StandingChange>>,
    /// When the event is the member's own doing: the instant of their latest activity.
    pub last_activity_at: Option<Timestamp>,
    /// Achievements completed or taken back and streak milestones reached by the event.
    pub engagement: Vec<EngagementChange>,
    pub calculation: Calculation,
}

/// An achievement or a streak moved by an event, for its outcome and the webhooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EngagementChange {
    pub kind: EngagementKind,
    /// The achievement's or the streak's code.
    pub code: String,
    pub name: String,
    /// Points given (or, for a revocation, taken back).
    pub points: Points,
    /// Times the achievement stands completed after the event; a streak's run.
    pub count: i64,
    /// The code a completion issued, or (cancelled) the unused one a revocation voids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<RewardInstance>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EngagementKind {
    AchievementCompleted,
    AchievementRevoked,
    StreakMilestone,
}

/// A member's standing after an event, in full, and the lines it adds to their history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandingChange {
    pub status: MemberStatus,
    pub tier: Option<TierCode>,
    pub standing: Standing,
    pub history: Vec<HistoryNote>,
}

impl StandingChange {
    /// The member's standing as it is, to change.
    pub fn of(member: &Member) -> StandingChange {
        StandingChange {
            status: member.status,
            tier: member.profile.tier.clone(),
            standing: member.standing.clone(),
            history: Vec::new(),
        }
    }

    /// Gives `member` this standing.
    pub fn apply_to(&self, member: &mut Member) {
        member.status = self.status;
        member.profile.tier.clone_from(&self.tier);
        member.standing = self.standing.clone();
    }

    pub fn note(&mut self, topic: HistoryTopic, from: Option<String>, to: Option<String>, reason: String) {
        self.history.push(HistoryNote { topic, from, to, reason });
    }
}

/// One line of a member's history: a tier reached or lost, a subscription's turn, a status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HistoryNote {
    pub topic: HistoryTopic,
    pub from: Option<String>,
    pub to: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HistoryTopic {
    Tier,
    Subscription,
    Status,
    Reward,
    Hold,
    Achievement,
    Streak,
    Leaderboard,
    Survey,
}

impl HistoryTopic {
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryTopic::Tier => "tier",
            HistoryTopic::Subscription => "subscription",
            HistoryTopic::Status => "status",
            HistoryTopic::Reward => "reward",
            HistoryTopic::Hold => "hold",
            HistoryTopic::Achievement => "achievement",
            HistoryTopic::Streak => "streak",
            HistoryTopic::Leaderboard => "leaderboard",
            HistoryTopic::Survey => "survey",
        }
    }

    pub fn parse(text: &str) -> Option<HistoryTopic> {
        [
            HistoryTopic::Tier,
            HistoryTopic::Subscription,
            HistoryTopic::Status,
            HistoryTopic::Reward,
            HistoryTopic::Hold,
            HistoryTopic::Achievement,
            HistoryTopic::Streak,
            HistoryTopic::Leaderboard,
            HistoryTopic::Survey,
        ]
        .into_iter()
        .find(|t| t.as_str() == text)
    }
}

impl Decision {
    /// A decision that changes the member's standing and moves no points.
    pub fn about_standing(member: &Member, change: StandingChange, calculation: Calculation) -> Decision {
        let mut decision = Decision::about_member(member, None, None, calculation);
        decision.standing = Some(Box::new(change));
        decision
    }

    /// A decision that changes what is known of a member and moves no points.
    pub fn about_member(
        member: &Member,
        profile: Option<ProfileChanges>,
        referred_by: Option<MemberId>,
        calculation: Calculation,
    ) -> Decision {
        Decision {
            member: MemberChange::Update {
                member: member.id,
                balance: member.balance,
                debt: member.debt,
                profile,
                referred_by,
            },
            entries: Vec::new(),
            lots: Vec::new(),
            order: None,
            reward: None,
            holds: Vec::new(),
            notes: Vec::new(),
            counters: Vec::new(),
            referrer: None,
            standing: None,
            last_activity_at: None,
            engagement: Vec::new(),
            calculation,
        }
    }

    /// The member's balance once the decision is applied.
    pub fn balance_after(&self) -> Balance {
        match &self.member {
            MemberChange::Enrol(new) => new.balance,
            MemberChange::Update { balance, .. } => *balance,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberChange {
    Enrol(NewMember),
    /// The projections of an existing member after the event, and what else changed.
    Update {
        member: MemberId,
        balance: Balance,
        debt: Points,
        /// New profile fields, when the event changes them.
        profile: Option<ProfileChanges>,
        /// The member who referred them, when the event names one.
        referred_by: Option<MemberId>,
    },
}

impl MemberChange {
    /// An update of balance and debt only.
    pub fn balance(member: MemberId, balance: Balance, debt: Points) -> MemberChange {
        MemberChange::Update { member, balance, debt, profile: None, referred_by: None }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    pub external_id: ExternalId,
    pub profile: Profile,
    pub status: MemberStatus,
    pub referral_code: ReferralCode,
    pub referred_by: Option<MemberId>,
    pub enrolled_at: Timestamp,
    /// The balance a welcome bonus leaves.
    pub balance: Balance,
}

/// Points credited to another member than the event's: the referrer's share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    pub member: MemberId,
    pub external_id: ExternalId,
    pub balance: Balance,
    pub debt: Points,
    pub entry: EntryDraft,
    pub lot: NewLot,
    /// The referrer's counters the referral adds one to (their achievements' referrals).
    pub counters: Vec<Counter>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderChange {
    Record {
        order_id: OrderId,
        awarded: Points,
        amount_minor: i64,
        lines: Vec<OrderLineRecord>,
        bonuses: Vec<OrderBonus>,
    },
    Update {
        order_id: OrderId,
        awarded: Points,
        amount_minor: i64,
        lines: Vec<OrderLineRecord>,
        bonuses: Vec<OrderBonus>,
    },
}

/// A reward code issued, or one whose state or balance changed: the instance after the
/// event, in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RewardChange {
    Issue(RewardInstance),
    Update(RewardInstance),
}

impl Decision {
    /// Every reward code the decision issues or changes: its own (a redemption's, a punch
    /// card's, ...) and those its achievements issue or void.
    pub fn reward_changes(&self) -> Vec<RewardChange> {
        let engaged = self.engagement.iter().filter_map(|e| {
            let instance = e.reward.clone()?;
            Some(match e.kind {
                EngagementKind::AchievementCompleted => RewardChange::Issue(instance),
                _ => RewardChange::Update(instance),
            })
        });
        self.reward.iter().cloned().chain(engaged).collect()
    }
}

impl RewardChange {
    pub fn instance(&self) -> &RewardInstance {
        match self {
            RewardChange::Issue(i) | RewardChange::Update(i) => i,
        }
    }
}

/// A hold opened, or one whose state changed: the hold after the event, in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldChange {
    Open(HoldRecord),
    Update(HoldRecord),
}

impl HoldChange {
    pub fn record(&self) -> &HoldRecord {
        match self {
            HoldChange::Open(h) | HoldChange::Update(h) => h,
        }
    }
}

/// The numbers behind a decision, kept structured so that deciding stays cheap; the
/// words are rendered once, in `outcome`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Calculation {
    Enrolment(EarnCalc),
    Purchase(EarnCalc),
    Activity(EarnCalc),
    Birthday(EarnCalc),
    Return(ReturnCalc),
    Redemption,
    /// Points reserved, or a hold settled: the points it moved.
    Hold {
        points: Points,
    },
    /// A reward code's change, and the points it gave back.
    Code {
        refunded: Points,
    },
    Adjustment,
    Review {
        points: Points,
    },
    Referral,
    Profile,
    Expiry {
        points: Points,
    },
    PendingRelease {
        points: Points,
    },
    ExpiryNotice {
        points: Points,
        expires_at: Timestamp,
    },
    /// A tier evaluation: the metric in the evaluated window and now, and what it gave.
    TierReview(TierReviewCalc),
    Subscription,
    /// A status change; for a closure or reinstatement, the points forfeited or restored.
    Status {
        points: Points,
    },
    Survey(SurveyCalc),
}

/// A survey answered: what the store keeps of the response, and the points it gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyCalc {
    pub kind: crate::feedback::SurveyKind,
    pub band: crate::feedback::Band,
    /// The member's tier when they answered.
    pub tier: Option<TierCode>,
    pub points: Points,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierReviewCalc {
    pub evaluated: i64,
    pub current: i64,
    pub from: Option<TierCode>,
    pub to: Option<TierCode>,
}

/// How an earning event's points were reached.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EarnCalc {
    pub awards: Vec<Award>,
    /// Points of each line before rounding.
    pub line_points: Vec<Decimal>,
    /// Points for the event as a whole before rounding.
    pub order_points: Decimal,
    pub subtotal: Decimal,
    /// The subtotal rounded once.
    pub rounded: Points,
    /// Limits that cut the rounded points.
    pub cuts: Vec<LimitCut>,
    /// What the member earned in the end.
    pub points: Points,
    pub debt_repaid: Points,
    /// Why the points are held for review, if they are.
    pub review: Option<VelocityHit>,
    /// The points are held for review because the member is suspended.
    pub suspended: bool,
    /// Until when the points are pending for the return window, if they are.
    pub pending_until: Option<Timestamp>,
    /// The referrer's share, rounded.
    pub referrer_points: Points,
    /// What a purchase counts as spend (for spend windows and tiers): what was paid in
    /// money for the lines no exclusion took out. Zero for other events.
    pub spend_minor: i64,
    /// Each line's share of what the order paid with points, left out of its earning;
    /// empty when nothing was.
    pub paid_with_points: Vec<MinorUnits>,
    /// Which of a purchase's lines an exclusion took out.
    pub excluded: Vec<bool>,
}

/// A cap on earnings per period that cut an event's points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitCut {
    pub period: Period,
    pub cap: i64,
    /// What the member had earned in the period before.
    pub earned: i64,
    pub from: Points,
    pub to: Points,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Month,
}

/// What made earning look too fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VelocityHit {
    pub minutes: i64,
    pub purchases: i64,
    pub points: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnCalc {
    /// Points the order held before the return.
    pub held_before: Points,
    /// What the lines still kept earn, before rounding.
    pub subtotal_after: Decimal,
    /// Points the order holds after the return.
    pub held_after: Points,
    pub reversed: Points,
    /// Points taken back that the member had already spent.
    pub shortfall: Points,
    pub policy: SpentPointsPolicy,
    /// Points the order paid with at the till, given back for what was returned.
    pub refunded: Points,
    /// The order's bonuses it no longer earns, by rule, whose points are in `reversed`.
    pub bonuses_lost: Vec<(String, Points)>,
}

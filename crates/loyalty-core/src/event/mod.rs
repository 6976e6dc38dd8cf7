//! The events that change a member's points. Each is built from validated parts, so an
//! `Event` inside the core is always well-formed; `decide` only judges it against state.

use crate::ids::{
    ActivityKind, ActivityTarget, Category, Email, ExternalId, InstanceCode, Nickname, OrderId, PersonName,
    Reason, ReferralCode, RewardCode, Sku, Tag, TierCode,
};
use crate::limits::{MAX_LINES_PER_ORDER, MAX_QUANTITY_PER_LINE, MAX_UNIT_PRICE};
use crate::money::MinorUnits;
use crate::points::Points;
use crate::rejection::Rejection;
use crate::time::Timestamp;
pub use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

mod feedback;
mod spending;
mod standing;

pub use feedback::SurveyAnswer;
pub use spending::{CodeAction, CodeUpdate, HoldRequest, HoldSettlement, HoldSpend, SettleAction};
pub use standing::{DueTick, StatusAction, StatusChange, SubscriptionAction, SubscriptionUpdate};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Enrol(Enrolment),
    Purchase(Purchase),
    Return(Return),
    Redeem(Redemption),
    Adjust(Adjustment),
    Activity(Activity),
    Birthday(Birthday),
    Review(ReviewDecision),
    Refer(Referral),
    Profile(ProfileUpdate),
    /// The expiry job: lots due by `occurred_at` expire.
    Expire(JobTick),
    /// The pending-release job: pending lots due by `occurred_at` become available.
    ReleasePending(JobTick),
    /// The expiry job's warning, some days ahead, of the points a date will expire.
    ExpiryNotice(ExpiryNotice),
    /// The tier evaluation job: the member's tier is judged on the window that ended at `due`.
    TierReview(DueTick),
    /// The inactivity job: the member has done nothing since `due` less the program's period.
    CloseInactive(DueTick),
    Subscription(SubscriptionUpdate),
    Status(StatusChange),
    /// Points reserved for a checkout.
    Hold(HoldRequest),
    /// A hold captured, released, or run out.
    Settle(HoldSettlement),
    /// An issued reward code used, drawn on, cancelled or expired.
    Code(CodeUpdate),
    /// A member's answer to one of the program's surveys.
    Survey(SurveyAnswer),
}

/// What kind of event this is, for storage and for the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Enrol,
    Purchase,
    Return,
    Redeem,
    Adjust,
    Activity,
    Birthday,
    Review,
    Refer,
    Profile,
    Expire,
    ReleasePending,
    ExpiryNotice,
    TierReview,
    CloseInactive,
    Subscription,
    Status,
    Hold,
    Settle,
    Code,
    Survey,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Enrol => "enrol",
            EventKind::Purchase => "purchase",
            EventKind::Return => "return",
            EventKind::Redeem => "redeem",
            EventKind::Adjust => "adjust",
            EventKind::Activity => "activity",
            EventKind::Birthday => "birthday",
            EventKind::Review => "review",
            EventKind::Refer => "refer",
            EventKind::Profile => "profile",
            EventKind::Expire => "expire",
            EventKind::ReleasePending => "release_pending",
            EventKind::ExpiryNotice => "expiry_notice",
            EventKind::TierReview => "tier_review",
            EventKind::CloseInactive => "close_inactive",
            EventKind::Subscription => "subscription",
            EventKind::Status => "status",
            EventKind::Hold => "hold",
            EventKind::Settle => "settle",
            EventKind::Code => "code",
            EventKind::Survey => "survey",
        }
    }
}

impl Event {
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Enrol(_) => EventKind::Enrol,
            Event::Purchase(_) => EventKind::Purchase,
            Event::Return(_) => EventKind::Return,
            Event::Redeem(_) => EventKind::Redeem,
            Event::Adjust(_) => EventKind::Adjust,
            Event::Activity(_) => EventKind::Activity,
            Event::Birthday(_) => EventKind::Birthday,
            Event::Review(_) => EventKind::Review,
            Event::Refer(_) => EventKind::Refer,
            Event::Profile(_) => EventKind::Profile,
            Event::Expire(_) => EventKind::Expire,
            Event::ReleasePending(_) => EventKind::ReleasePending,
            Event::ExpiryNotice(_) => EventKind::ExpiryNotice,
            Event::TierReview(_) => EventKind::TierReview,
            Event::CloseInactive(_) => EventKind::CloseInactive,
            Event::Subscription(_) => EventKind::Subscription,
            Event::Status(_) => EventKind::Status,
            Event::Hold(_) => EventKind::Hold,
            Event::Settle(_) => EventKind::Settle,
            Event::Code(_) => EventKind::Code,
            Event::Survey(_) => EventKind::Survey,
        }
    }

    /// The member the event is about.
    pub fn member(&self) -> &ExternalId {
        match self {
            Event::Enrol(e) => &e.member,
            Event::Purchase(e) => &e.member,
            Event::Return(e) => &e.member,
            Event::Redeem(e) => &e.member,
            Event::Adjust(e) => &e.member,
            Event::Activity(e) => &e.member,
            Event::Birthday(e) => &e.member,
            Event::Review(e) => &e.member,
            Event::Refer(e) => &e.member,
            Event::Profile(e) => &e.member,
            Event::Expire(e) | Event::ReleasePending(e) => &e.member,
            Event::ExpiryNotice(e) => &e.member,
            Event::TierReview(e) | Event::CloseInactive(e) => &e.member,
            Event::Subscription(e) => &e.member,
            Event::Status(e) => &e.member,
            Event::Hold(e) => &e.member,
            Event::Settle(e) => &e.member,
            Event::Code(e) => &e.member,
            Event::Survey(e) => &e.member,
        }
    }

    pub fn occurred_at(&self) -> Timestamp {
        match self {
            Event::Enrol(e) => e.occurred_at,
            Event::Purchase(e) => e.occurred_at,
            Event::Return(e) => e.occurred_at,
            Event::Redeem(e) => e.occurred_at,
            Event::Adjust(e) => e.occurred_at,
            Event::Activity(e) => e.occurred_at,
            Event::Birthday(e) => e.occurred_at,
            Event::Review(e) => e.occurred_at,
            Event::Refer(e) => e.occurred_at,
            Event::Profile(e) => e.occurred_at,
            Event::Expire(e) | Event::ReleasePending(e) => e.occurred_at,
            Event::ExpiryNotice(e) => e.occurred_at,
            Event::TierReview(e) | Event::CloseInactive(e) => e.occurred_at,
            Event::Subscription(e) => e.occurred_at,
            Event::Status(e) => e.occurred_at,
            Event::Hold(e) => e.occurred_at,
            Event::Settle(e) => e.occurred_at,
            Event::Code(e) => e.occurred_at,
            Event::Survey(e) => e.occurred_at,
        }
    }

    /// The order the event refers to, whose record `decide` must see.
    pub fn order_id(&self) -> Option<&OrderId> {
        match self {
            Event::Purchase(e) => Some(&e.order_id),
            Event::Return(e) => Some(&e.order_id),
            Event::Survey(e) => e.order_id.as_ref(),
            _ => None,
        }
    }

    /// What the journal notes beside the event's entries: the order, the reward or the
    /// reason.
    pub fn reference(&self) -> Option<&str> {
        match self {
            Event::Enrol(_)
            | Event::Birthday(_)
            | Event::Profile(_)
            | Event::Expire(_)
            | Event::ReleasePending(_)
            | Event::ExpiryNotice(_)
            | Event::TierReview(_)
            | Event::CloseInactive(_) => None,
            Event::Subscription(e) => Some(e.action.as_str()),
            Event::Status(e) => Some(e.reason.as_ref().map_or(e.action.as_str(), |r| r.as_str())),
            Event::Purchase(e) => Some(e.order_id.as_str()),
            Event::Return(e) => Some(e.order_id.as_str()),
            Event::Redeem(e) => Some(e.reward.as_str()),
            Event::Adjust(e) => Some(e.reason.as_str()),
            Event::Activity(e) => Some(e.kind.as_str()),
            Event::Review(e) => Some(e.reason.as_str()),
            Event::Refer(e) => Some(e.code.as_str()),
            Event::Hold(e) => Some(e.order_id.as_str()),
            Event::Settle(e) => Some(e.hold_id.as_str()),
            Event::Code(e) => Some(e.code.as_str()),
            Event::Survey(e) => Some(e.survey.as_str()),
        }
    }

    /// Whether `decide` needs the member's open lots (it does whenever points may leave).
    pub fn spends_points(&self) -> bool {
        match self {
            Event::Return(_)
            | Event::Redeem(_)
            | Event::Review(_)
            | Event::Expire(_)
            | Event::ReleasePending(_)
            | Event::ExpiryNotice(_)
            | Event::CloseInactive(_)
            | Event::Status(_)
            | Event::Hold(_)
            // A payment captured after its order earned takes back what its share earned.
            | Event::Settle(_) => true,
            Event::Adjust(a) => !a.points.is_positive(),
            Event::Enrol(_)
            | Event::Purchase(_)
            | Event::Activity(_)
            | Event::Birthday(_)
            | Event::Refer(_)
            | Event::Profile(_)
            | Event::TierReview(_)
            | Event::Subscription(_)
            | Event::Code(_)
            | Event::Survey(_) => false,
        }
    }

    /// Whether the event is something the member did, which keeps the account from
    /// closing for inactivity.
    pub fn is_member_activity(&self) -> bool {
        match self {
            Event::Enrol(_)
            | Event::Purchase(_)
            | Event::Return(_)
            | Event::Redeem(_)
            | Event::Activity(_)
            | Event::Survey(_)
            | Event::Hold(_) => true,
            Event::Settle(s) => s.action == SettleAction::Capture,
            Event::Code(c) => matches!(c.action, CodeAction::Use { .. } | CodeAction::Draw { .. }),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Enrolment {
    pub member: ExternalId,
    pub email: Option<Email>,
    pub name: Option<PersonName>,
    #[serde(default, with = "date_text")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<crate::schema::DateText>"))]
    pub birth_date: Option<Date>,
    #[serde(default)]
    pub tags: BTreeSet<Tag>,
    /// The code the new member will share; made at the edge, as random codes are.
    pub referral_code: ReferralCode,
    /// The code of the member who referred them.
    #[serde(default)]
    pub referred_by: Option<ReferralCode>,
    pub occurred_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Purchase {
    pub member: ExternalId,
    pub order_id: OrderId,
    pub occurred_at: Timestamp,
    pub lines: Vec<PurchaseLine>,
    /// The code a reward would carry if this purchase completes a punch card; made at the
    /// edge so that deciding stays deterministic.
    #[serde(default)]
    pub reward_code: Option<InstanceCode>,
}

impl Enrolment {
    /// A member who tells nothing about themselves and was referred by no one.
    pub fn new(member: ExternalId, referral_code: ReferralCode, occurred_at: Timestamp) -> Enrolment {
        Enrolment {
            member,
            email: None,
            name: None,
            birth_date: None,
            tags: BTreeSet::new(),
            referral_code,
            referred_by: None,
            occurred_at,
        }
    }
}

impl Purchase {
    /// The order's total before any return.
    pub fn amount(&self) -> MinorUnits {
        self.lines.iter().fold(MinorUnits::ZERO, |total, l| total.checked_add(l.amount()).unwrap_or(total))
    }

    /// The same order with `paid` (a payment in points at the till) spread over its lines
    /// in proportion to their amounts.
    pub fn paying_with_points(&self, paid: MinorUnits) -> Purchase {
        let amounts: Vec<MinorUnits> = self.lines.iter().map(PurchaseLine::amount).collect();
        let mut order = self.clone();
        for (line, share) in order.lines.iter_mut().zip(crate::money::spread(paid, &amounts)) {
            line.paid_with_points = share;
        }
        order
    }
}

/// Something a member did that the program rewards: a review, a follow, a survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Activity {
    pub member: ExternalId,
    pub kind: ActivityKind,
    /// What it was about, for activities rewarded once per target (which network was followed).
    #[serde(default)]
    pub target: Option<ActivityTarget>,
    pub occurred_at: Timestamp,
    /// The code a reward would carry if this activity completes an achievement with one;
    /// made at the edge so that deciding stays deterministic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward_code: Option<InstanceCode>,
}

/// The job runner's call on a member's birthday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Birthday {
    pub member: ExternalId,
    pub occurred_at: Timestamp,
    /// As an activity's: for an achievement with a reward that the birthday completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward_code: Option<InstanceCode>,
}

/// A job's call on one member at the instant the job's work fell due. Jobs date their
/// events by when the work was due, not when they ran, so that a late run writes the same
/// ledger as a punctual one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JobTick {
    pub member: ExternalId,
    pub occurred_at: Timestamp,
}

/// A warning that the member's lots expiring at `expires_at` will expire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExpiryNotice {
    pub member: ExternalId,
    pub expires_at: Timestamp,
    pub occurred_at: Timestamp,
}

/// An administrator's decision on the points a member has in review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReviewDecision {
    pub member: ExternalId,
    /// True to make the points available, false to void them.
    pub release: bool,
    pub reason: Reason,
    pub occurred_at: Timestamp,
}

/// Naming the member who referred an existing member, before their first qualifying purchase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Referral {
    pub member: ExternalId,
    pub code: ReferralCode,
    pub occurred_at: Timestamp,
}

/// Changes to what the program knows of a member; absent fields stay as they are.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProfileChanges {
    #[serde(default)]
    pub name: Option<PersonName>,
    #[serde(default)]
    pub email: Option<Email>,
    #[serde(default, with = "date_text")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<crate::schema::DateText>"))]
    pub birth_date: Option<Date>,
    #[serde(default)]
    pub tags: Option<BTreeSet<Tag>>,
    #[serde(default)]
    pub tier: Option<TierCode>,
    /// Whether the member agrees to be shown on leaderboards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaderboard_opt_in: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<Nickname>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProfileUpdate {
    pub member: ExternalId,
    pub changes: ProfileChanges,
    pub occurred_at: Timestamp,
}

/// Dates as `YYYY-MM-DD` text.
pub mod date_text {
    use jiff::civil::Date;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(date: &Option<Date>, serializer: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => serializer.collect_str(d),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Date>, D::Error> {
        let text = Option::<String>::deserialize(deserializer)?;
        text.map(|t| parse(&t).map_err(serde::de::Error::custom)).transpose()
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Date, String> {
        text.parse::<Date>().map_err(|_| format!("`{text}` is not a date like 1990-05-17"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PurchaseLine {
    pub sku: Sku,
    pub category: Option<Category>,
    pub quantity: Quantity,
    pub unit_price: MinorUnits,
    /// The line's share of what the order paid with points at the till: set by `decide`
    /// from the order's captured payments, never taken from the client.
    #[serde(default, skip_serializing_if = "MinorUnits::is_zero")]
    pub paid_with_points: MinorUnits,
}

impl PurchaseLine {
    /// Parses one line; `line` is its 1-based position, named in any error.
    pub fn parse(
        line: usize,
        sku: Sku,
        category: Option<Category>,
        quantity: i64,
        unit_price_minor: i64,
    ) -> Result<PurchaseLine, Rejection> {
        let quantity = Quantity::parse(line, quantity)?;
        if unit_price_minor < 0 {
            return Err(Rejection::PriceMustNotBeNegative { line, given: unit_price_minor });
        }
        if unit_price_minor > MAX_UNIT_PRICE.get() {
            return Err(Rejection::PriceExceedsLimit {
                line,
                given: unit_price_minor,
                max: MAX_UNIT_PRICE.get(),
            });
        }
        Ok(PurchaseLine {
            sku,
            category,
            quantity,
            unit_price: MinorUnits::new(unit_price_minor),
            paid_with_points: MinorUnits::ZERO,
        })
    }

    /// The line's total; bounded by the limits, so it cannot overflow.
    pub fn amount(&self) -> MinorUnits {
        MinorUnits::new(self.unit_price.get() * i64::from(self.quantity.get()))
    }

    /// What the member paid for the line in money: what earns points and counts as spend.
    pub fn paid_in_money(&self) -> MinorUnits {
        MinorUnits::new((self.amount().get() - self.paid_with_points.get()).max(0))
    }
}

/// A positive number of units on a line, at most `MAX_QUANTITY_PER_LINE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "i64", into = "i64")]
pub struct Quantity(u32);

impl Quantity {
    pub fn parse(line: usize, given: i64) -> Result<Quantity, Rejection> {
        if given <= 0 {
            return Err(Rejection::QuantityMustBePositive { line, given });
        }
        if given > MAX_QUANTITY_PER_LINE {
            return Err(Rejection::QuantityExceedsLimit { line, given, max: MAX_QUANTITY_PER_LINE });
        }
        u32::try_from(given).map(Quantity).map_err(|_| Rejection::QuantityExceedsLimit {
            line,
            given,
            max: MAX_QUANTITY_PER_LINE,
        })
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for Quantity {
    type Error = String;
    fn try_from(value: i64) -> Result<Self, String> {
        Quantity::parse(0, value).map_err(|e| e.to_string())
    }
}

impl From<Quantity> for i64 {
    fn from(q: Quantity) -> i64 {
        i64::from(q.0)
    }
}

/// Checks the number of lines of an order or a return.
pub fn check_line_count(count: usize) -> Result<(), Rejection> {
    if count == 0 {
        return Err(Rejection::OrderHasNoLines);
    }
    if count > MAX_LINES_PER_ORDER {
        return Err(Rejection::TooManyLines { max: MAX_LINES_PER_ORDER, given: count });
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Return {
    pub member: ExternalId,
    pub order_id: OrderId,
    pub occurred_at: Timestamp,
    pub lines: Vec<ReturnLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReturnLine {
    pub sku: Sku,
    pub quantity: Quantity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Redemption {
    pub member: ExternalId,
    pub reward: RewardCode,
    /// The code the issued reward will carry; random codes are made at the edge so that
    /// the core stays deterministic and a replay issues the same code.
    pub code: InstanceCode,
    pub occurred_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Adjustment {
    pub member: ExternalId,
    pub points: Points,
    pub reason: Reason,
    pub occurred_at: Timestamp,
}

impl Adjustment {
    pub fn parse_points(points: i64) -> Result<Points, Rejection> {
        if points == 0 {
            return Err(Rejection::AdjustmentMustNotBeZero);
        }
        if points.unsigned_abs() > Points::MAX_PER_EVENT.get().unsigned_abs() {
            return Err(Rejection::AdjustmentExceedsLimit { max: Points::MAX_PER_EVENT });
        }
        Ok(Points::new(points))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sku() -> Sku {
        Sku::parse("latte").unwrap()
    }

    #[test]
    fn lines_refuse_bad_quantities_and_prices_naming_the_line() {
        assert_eq!(
            PurchaseLine::parse(2, sku(), None, 0, 100),
            Err(Rejection::QuantityMustBePositive { line: 2, given: 0 })
        );
        assert_eq!(
            PurchaseLine::parse(1, sku(), None, -3, 100),
            Err(Rejection::QuantityMustBePositive { line: 1, given: -3 })
        );
        assert_eq!(
            PurchaseLine::parse(1, sku(), None, 100_001, 100).unwrap_err().code(),
            "quantity_exceeds_limit"
        );
        assert_eq!(
            PurchaseLine::parse(1, sku(), None, 1, -1).unwrap_err().code(),
            "price_must_not_be_negative"
        );
        assert_eq!(
            PurchaseLine::parse(1, sku(), None, 1, 1_000_000_001).unwrap_err().code(),
            "price_exceeds_limit"
        );
    }

    #[test]
    fn the_largest_line_stays_far_from_overflow() {
        let line = PurchaseLine::parse(1, sku(), None, 100_000, 1_000_000_000).unwrap();
        assert_eq!(line.amount().get(), 100_000_000_000_000);
    }

    #[test]
    fn line_counts_are_bounded() {
        assert_eq!(check_line_count(0), Err(Rejection::OrderHasNoLines));
        assert!(check_line_count(500).is_ok());
        assert_eq!(check_line_count(501), Err(Rejection::TooManyLines { max: 500, given: 501 }));
    }

    #[test]
    fn adjustments_must_move_points_within_the_limit() {
        assert_eq!(Adjustment::parse_points(0), Err(Rejection::AdjustmentMustNotBeZero));
        assert_eq!(Adjustment::parse_points(-20), Ok(Points::new(-20)));
        assert_eq!(Adjustment::parse_points(i64::MIN).unwrap_err().code(), "adjustment_exceeds_limit");
    }
}

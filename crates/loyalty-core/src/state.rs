//! What `decide` may know about a member: the projections the store loads for one event.

use crate::ids::{
    Category, Email, ExternalId, InstanceCode, LotId, MemberId, Nickname, OrderId, PersonName, ReferralCode,
    Sku, Tag, TierCode,
};
use crate::insight::Segment;
use crate::ledger::MemberAccount;
use crate::needs::Aggregates;
use crate::points::Points;
use crate::spending::{HoldRecord, RewardInstance};
use crate::time::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberState {
    /// `None` when no member has the event's external id.
    pub member: Option<Member>,
    /// The member's lots with points remaining, in any order. Loaded only for events that
    /// take points away (see `Event::spends_points`).
    pub lots: Vec<Lot>,
    /// The order named by the event, if it exists.
    pub order: Option<OrderRecord>,
    /// The history the program's rules asked for (see `needs`).
    pub aggregates: Aggregates,
    /// The member whose referral code the event uses, or who referred the event's member.
    pub referrer: Option<Member>,
    /// The referrer's own chain of referrers, nearest first, to refuse loops.
    pub referrer_chain: Vec<MemberId>,
    /// The reward code the event names, if it exists.
    pub instance: Option<RewardInstance>,
    /// The hold the event settles, or the captured payments of the order a return names.
    pub holds: Vec<HoldRecord>,
    /// The member's segment as the analytics job last computed it (or as the event
    /// recorded it, on replay); loaded only when `Needs::segment` asks for it.
    pub segment: Option<Segment>,
    /// The member's unused codes issued by achievements, loaded for returns when the
    /// program has achievements whose codes a return may cancel.
    pub achievement_codes: Vec<RewardInstance>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
    /// Under a fraud review: points earned are held for review, and nothing is redeemed.
    Suspended,
    /// Closed at the member's request.
    ClosedByRequest,
    /// Closed by the inactivity job.
    ClosedInactive,
}

impl MemberStatus {
    pub const ALL: [MemberStatus; 4] = [
        MemberStatus::Active,
        MemberStatus::Suspended,
        MemberStatus::ClosedByRequest,
        MemberStatus::ClosedInactive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Active => "active",
            MemberStatus::Suspended => "suspended",
            MemberStatus::ClosedByRequest => "closed_by_request",
            MemberStatus::ClosedInactive => "closed_inactive",
        }
    }

    pub fn parse(text: &str) -> Option<MemberStatus> {
        MemberStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn is_closed(self) -> bool {
        matches!(self, MemberStatus::ClosedByRequest | MemberStatus::ClosedInactive)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub external_id: ExternalId,
    pub status: MemberStatus,
    pub balance: Balance,
    /// Points owed after a return took back points that were already spent; repaid
    /// first from the next points earned. `balance.available` already has it subtracted.
    pub debt: Points,
    pub profile: Profile,
    pub referral_code: ReferralCode,
    pub referred_by: Option<MemberId>,
    pub enrolled_at: Timestamp,
    /// The last time the member did something themselves (see `Event::is_member_activity`).
    pub last_activity_at: Timestamp,
    pub standing: Standing,
}

/// What a member holds besides points and profile: when their tier is next evaluated,
/// the tier they pay for, and what a closure took from them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Standing {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_review_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<Subscription>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closure: Option<Closure>,
}

/// A paid tier, month to month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Subscription {
    pub tier: TierCode,
    pub status: SubscriptionStatus,
    pub price_minor: i64,
    pub started_at: Timestamp,
    /// The tier's benefits last until this instant, whatever the status.
    pub paid_until: Timestamp,
}

impl Subscription {
    /// The tier it gives at `at`, if the paid period has not ended.
    pub fn tier_at(&self, at: Timestamp) -> Option<&TierCode> {
        (at < self.paid_until).then_some(&self.tier)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Active,
    /// The last renewal failed; the paid period still runs out.
    PastDue,
    /// Cancelled; the paid period still runs out.
    Cancelled,
}

impl SubscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::PastDue => "past_due",
            SubscriptionStatus::Cancelled => "cancelled",
        }
    }
}

/// What closing an account took, so that a reinstatement gives back exactly that.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Closure {
    pub closed_at: Timestamp,
    pub forfeited: Vec<ForfeitedLot>,
}

/// The unspent part of a lot a closure forfeited, with the dates that governed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ForfeitedLot {
    pub points: Points,
    pub earned_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    pub source: LotSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<OrderId>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_review: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_until: Option<Timestamp>,
}

/// What a member tells about themselves, and what the program knows of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub name: Option<PersonName>,
    pub email: Option<Email>,
    pub birth_date: Option<Date>,
    pub tier: Option<TierCode>,
    pub tags: BTreeSet<Tag>,
    /// Whether the member agreed to be shown on leaderboards; no one is unless they did.
    pub leaderboard_opt_in: bool,
    /// The name leaderboards show for them, if they chose one.
    pub nickname: Option<Nickname>,
}

/// A member's balance as shown to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Balance {
    pub available: Points,
    pub pending: Points,
    /// Points held for a fraud review.
    #[serde(default)]
    pub pending_review: Points,
    /// Points reserved by open checkout holds.
    #[serde(default)]
    pub held: Points,
}

impl Balance {
    /// Every point the member holds in any account: what the program owes them.
    pub fn owed(&self) -> i128 {
        [self.available, self.pending, self.pending_review, self.held]
            .iter()
            .map(|p| i128::from(p.get()))
            .sum()
    }
}

/// A parcel of points earned together, spent first-to-expire first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lot {
    pub id: LotId,
    pub amount: Points,
    pub remaining: Points,
    pub earned_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    /// The order whose purchase earned this lot, so that a return takes back from it first.
    pub order_id: Option<OrderId>,
    pub source: LotSource,
    /// Held for a fraud review: not spendable until released.
    pub in_review: bool,
    /// Pending for the return window: not spendable until the release job frees it, at
    /// or after this instant.
    pub pending_until: Option<Timestamp>,
}

impl Lot {
    /// The member account that holds the lot's points: review first, then pending.
    pub fn account(&self) -> MemberAccount {
        MemberAccount::holding(self.in_review, self.pending_until)
    }

    /// Whether the lot's points are held (in review or pending) rather than spendable.
    pub fn is_held(&self) -> bool {
        self.account() != MemberAccount::Available
    }
}

/// How the points of a lot came about; caps and velocity count only what was earned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LotSource {
    Purchase,
    Activity,
    Bonus,
    Referral,
    Adjustment,
    /// Spent points given back (a cancelled reward, a returned order paid with points).
    Refund,
}

impl LotSource {
    const ALL: [LotSource; 6] = [
        LotSource::Refund,
        LotSource::Purchase,
        LotSource::Activity,
        LotSource::Bonus,
        LotSource::Referral,
        LotSource::Adjustment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LotSource::Purchase => "purchase",
            LotSource::Activity => "activity",
            LotSource::Bonus => "bonus",
            LotSource::Referral => "referral",
            LotSource::Adjustment => "adjustment",
            LotSource::Refund => "refund",
        }
    }

    pub fn parse(text: &str) -> Option<LotSource> {
        LotSource::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether points of this source count as earned (for caps and velocity).
    pub fn is_earned(self) -> bool {
        !matches!(self, LotSource::Adjustment | LotSource::Refund)
    }
}

/// A recorded purchase, as returns need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    pub order_id: OrderId,
    pub member_id: MemberId,
    /// Points the order holds now: what it earned less what returns took back.
    pub awarded: Points,
    /// When the order was bought: a return counts against the period of its purchase.
    pub occurred_at: Timestamp,
    pub lines: Vec<OrderLineRecord>,
    /// Bonuses the order earned as a whole, which a return re-judges.
    pub bonuses: Vec<OrderBonus>,
}

/// A bonus an order earned as a whole (a spend threshold, a punch card's stamp, a
/// campaign's fixed bonus, a referee's bonus), with what it must keep to keep it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderBonus {
    /// The rule that gave it.
    pub rule: String,
    /// The points the member was given for it, after rounding and caps.
    pub points: Points,
    /// The lines whose kept spend counts (0-based); all when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<u32>,
    /// The order keeps the bonus while those lines keep at least this much spend.
    pub min_spend_minor: i64,
    /// The member's counters the bonus moved (a punch card's stamps), undone with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counters: Vec<(String, i64)>,
    /// The code of a reward it issued, cancelled with it if still unused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward_code: Option<InstanceCode>,
    /// Whether a return took it back already.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reversed: bool,
}

impl OrderBonus {
    /// Whether the order, with `lines` as they are now, no longer earns the bonus.
    pub fn lost(&self, lines: &[OrderLineRecord]) -> bool {
        let counted = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| self.lines.is_empty() || self.lines.iter().any(|l| *l as usize == *i));
        let kept: i64 = counted.map(|(_, l)| l.kept_spend_minor()).fold(0, i64::saturating_add);
        !self.reversed && kept < self.min_spend_minor
    }
}

/// One line of a recorded order with the (unrounded) points it earned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderLineRecord {
    pub sku: Sku,
    /// The line's category, which achievements may count; unknown for orders recorded
    /// before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    pub quantity: u32,
    pub returned: u32,
    #[cfg_attr(feature = "schema", schemars(with = "crate::schema::DecimalText"))]
    pub points: Decimal,
    /// The line's price per unit, so that spend windows can subtract returns.
    #[serde(default)]
    pub unit_price_minor: i64,
    /// What the line counts as spend, all units: what was paid for it in money, nothing if
    /// an exclusion took it out. Orders recorded before it was kept count their price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend_minor: Option<i64>,
}

impl OrderLineRecord {
    /// The points of the units not returned.
    pub fn kept_points(&self) -> Decimal {
        if self.quantity == 0 {
            return Decimal::ZERO;
        }
        let kept = Decimal::from(self.quantity - self.returned);
        self.points
            .checked_mul(kept)
            .and_then(|p| p.checked_div(Decimal::from(self.quantity)))
            .unwrap_or(Decimal::MAX)
    }

    /// What the units not returned count as spend.
    pub fn kept_spend_minor(&self) -> i64 {
        let all = self
            .spend_minor
            .unwrap_or_else(|| i64::from(self.quantity).saturating_mul(self.unit_price_minor));
        if self.quantity == 0 {
            return 0;
        }
        let kept = i128::from(self.quantity - self.returned);
        i64::try_from(i128::from(all) * kept / i128::from(self.quantity)).unwrap_or(i64::MAX)
    }
}

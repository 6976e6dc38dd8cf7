//! Why an event was refused. One flat enum, in the order the checks run: the shape of the
//! input, then idempotency, then lookups, then balances and limits. Each variant has a
//! stable snake_case code that goes over the wire unchanged.

use crate::ids::FieldError;
use crate::points::Points;
use crate::time::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    // The shape of the input.
    #[error("{0}")]
    InvalidRequest(String),
    #[error("an order needs at least one line")]
    OrderHasNoLines,
    #[error("an order may have at most {max} lines; this one has {given}")]
    TooManyLines { max: usize, given: usize },
    #[error("line {line}: quantity must be a positive whole number, not {given}")]
    QuantityMustBePositive { line: usize, given: i64 },
    #[error("line {line}: quantity {given} is over the limit of {max}")]
    QuantityExceedsLimit { line: usize, given: i64, max: i64 },
    #[error("line {line}: unit_price_minor must not be negative, not {given}")]
    PriceMustNotBeNegative { line: usize, given: i64 },
    #[error("line {line}: unit_price_minor {given} is over the limit of {max}")]
    PriceExceedsLimit { line: usize, given: i64, max: i64 },
    #[error("occurred_at {occurred_at} is in the future (the server's time is {now})")]
    OccurredAtInFuture { occurred_at: Timestamp, now: Timestamp },
    #[error("an adjustment must move at least one point")]
    AdjustmentMustNotBeZero,
    #[error("an adjustment may move at most {max} points")]
    AdjustmentExceedsLimit { max: Points },

    #[error("no rule of this program rewards the activity {kind}")]
    ActivityNotRewarded { kind: String },
    #[error("survey {survey} takes scores from {min} to {max}, not {given}")]
    ScoreOutOfRange { survey: String, min: i64, max: i64, given: i64 },

    // Idempotency.
    #[error("this Idempotency-Key was already used with a different request")]
    IdempotencyKeyReused,
    #[error("order {order_id} was already recorded with different contents")]
    OrderAlreadyRecorded { order_id: String },

    // Lookups.
    #[error("no member with external_id {external_id}")]
    MemberNotFound { external_id: String },
    #[error("a member with external_id {external_id} is already enrolled")]
    MemberAlreadyExists { external_id: String },
    #[error("no reward {reward} in this program's catalogue")]
    RewardNotFound { reward: String },
    #[error("no order {order_id} in this program")]
    OrderNotFound { order_id: String },
    #[error("order {order_id} belongs to another member")]
    OrderBelongsToAnotherMember { order_id: String },
    #[error("no member has the referral code {code}")]
    ReferralCodeNotFound { code: String },
    #[error("no survey {survey} in this program")]
    SurveyNotFound { survey: String },
    #[error("{external_id} already answered survey {survey}{period}")]
    SurveyAlreadyAnswered { external_id: String, survey: String, period: String },
    #[error(
        "{external_id} answered survey {survey} less than {days} days ago; they may answer again from {next}"
    )]
    SurveyCoolingDown { external_id: String, survey: String, days: u32, next: Timestamp },

    // Referrals.
    #[error("a member cannot refer themselves")]
    SelfReferral,
    #[error(
        "{external_id} referred the owner of this code, directly or through others; a referral cannot go round"
    )]
    ReferralLoop { external_id: String },
    #[error("{external_id} is already a member (enrolled, referred or buying) and cannot be referred now")]
    RefereeAlreadyEnrolled { external_id: String },

    // Birthdays and reviews.
    #[error("{external_id} has no birth date on file")]
    BirthDateUnknown { external_id: String },
    #[error("it is not {external_id}'s birthday in the program's time zone")]
    NotBirthday { external_id: String },
    #[error("{external_id} has no points held for review")]
    NothingInReview { external_id: String },

    // Standing: status, tiers and subscriptions.
    #[error("{external_id}'s account is closed; only a reinstatement reopens it")]
    MemberClosed { external_id: String },
    #[error("{external_id}'s account is suspended for review and cannot redeem")]
    MemberSuspended { external_id: String },
    #[error("cannot {action} {external_id}: the account is {status}")]
    StatusUnchanged { external_id: String, action: &'static str, status: &'static str },
    #[error("{external_id}'s account is not closed")]
    MemberNotClosed { external_id: String },
    #[error("{external_id}'s account could be reinstated only until {until}")]
    ReinstatementWindowPassed { external_id: String, until: Timestamp },
    #[error("no tier {tier} in this program")]
    TierNotFound { tier: String },
    #[error("tier {tier} has no price_minor and cannot be bought")]
    TierNotForSale { tier: String },
    #[error("{external_id} already pays for tier {tier}")]
    AlreadySubscribed { external_id: String, tier: String },
    #[error("{external_id} has no subscription to a paid tier")]
    NotSubscribed { external_id: String },
    #[error("reward {reward} is only for members of the tiers {tiers}")]
    TierRequired { reward: String, tiers: String },

    // Jobs.
    #[error("{external_id} has no {what} due by {at}")]
    NothingDue { external_id: String, what: &'static str, at: Timestamp },

    // Rewards, codes and holds.
    #[error("reward {reward} is archived and can no longer be redeemed")]
    RewardArchived { reward: String },
    #[error("reward {reward} can be redeemed {window}, not now")]
    RewardNotActive { reward: String, window: String },
    #[error("reward {reward} is out of stock")]
    RewardOutOfStock { reward: String },
    #[error("reward {reward} may be redeemed {count} time(s) per {period}, and this member has reached that")]
    RewardLimitReached { reward: String, count: i64, period: &'static str },
    #[error("reward {reward} is a donation, given at once; it cannot be held")]
    DonationNotHeld { reward: String },
    #[error("no reward code {code} in this program")]
    RewardCodeNotFound { code: String },
    #[error("reward code {code} was already used (order {order_id})")]
    RewardAlreadyUsed { code: String, order_id: String },
    #[error("reward code {code} was cancelled")]
    RewardCancelled { code: String },
    #[error("reward code {code} expired at {expires_at}")]
    RewardExpired { code: String, expires_at: Timestamp },
    #[error("reward code {code} is not a gift card")]
    NotAGiftCard { code: String },
    #[error("reward code {code} is a gift card: draw an amount from it instead")]
    GiftCardNeedsAmount { code: String },
    #[error("gift card {code} has {balance_minor} left, less than the {requested_minor} asked for")]
    GiftCardInsufficientBalance { code: String, balance_minor: i64, requested_minor: i64 },
    #[error("gift card {code} was partly spent and can no longer be cancelled")]
    GiftCardPartlyUsed { code: String },
    #[error("amount_minor must be positive, not {given}")]
    AmountMustBePositive { given: i64 },
    #[error("no hold {hold_id} in this program")]
    HoldNotFound { hold_id: String },
    #[error("hold {hold_id} is {state}, no longer open")]
    HoldNotOpen { hold_id: String, state: &'static str },
    #[error("hold {hold_id} expired at {expires_at}; its points are being released")]
    HoldExpired { hold_id: String, expires_at: Timestamp },
    #[error("{external_id} has points held for a checkout; capture or release them first")]
    MemberHasOpenHolds { external_id: String },
    #[error("this program does not take points as payment (it sets no redemption.point_value)")]
    PayWithPointsNotOffered,
    #[error(
        "{amount_minor} minor units is not a whole number of payment steps of {step} points ({points_per_step_minor})"
    )]
    AmountNotPayableInPoints { amount_minor: i64, step: i64, points_per_step_minor: String },
    #[error("a payment with points must use at least {min} points, not {points}")]
    PaymentBelowMinimum { min: i64, points: i64 },
    #[error("points may pay at most {max_minor} of this basket of {basket_minor}, not {amount_minor}")]
    PaymentExceedsShare { amount_minor: i64, basket_minor: i64, max_minor: i64 },
    #[error("basket_minor is needed: points may pay only part of a basket in this program")]
    BasketRequired,

    // Balances and limits.
    #[error(
        "cannot return {requested} of {sku} from order {order_id}: {bought} bought, {returned} already returned"
    )]
    ReturnExceedsPurchase { order_id: String, sku: String, bought: u64, returned: u64, requested: u64 },
    #[error("{required} points are needed but only {available} are available")]
    InsufficientPoints { available: Points, required: Points },
    #[error("the result would exceed the largest number of points the ledger can hold")]
    PointsOverflow,
}

impl Rejection {
    /// Every code [`Rejection::code`] can return, in the order of the variants; a test
    /// keeps it in step with `code`.
    pub const ALL_CODES: &'static [&'static str] = &[
        "invalid_request",
        "order_has_no_lines",
        "too_many_lines",
        "quantity_must_be_positive",
        "quantity_exceeds_limit",
        "price_must_not_be_negative",
        "price_exceeds_limit",
        "occurred_at_in_future",
        "adjustment_must_not_be_zero",
        "adjustment_exceeds_limit",
        "activity_not_rewarded",
        "score_out_of_range",
        "idempotency_key_reused",
        "order_already_recorded",
        "member_not_found",
        "member_already_exists",
        "reward_not_found",
        "order_not_found",
        "order_belongs_to_another_member",
        "referral_code_not_found",
        "survey_not_found",
        "survey_already_answered",
        "survey_cooling_down",
        "self_referral",
        "referral_loop",
        "referee_already_enrolled",
        "birth_date_unknown",
        "not_birthday",
        "nothing_in_review",
        "member_closed",
        "member_suspended",
        "status_unchanged",
        "member_not_closed",
        "reinstatement_window_passed",
        "tier_not_found",
        "tier_not_for_sale",
        "already_subscribed",
        "not_subscribed",
        "tier_required",
        "nothing_due",
        "reward_archived",
        "reward_not_active",
        "reward_out_of_stock",
        "reward_limit_reached",
        "donation_not_held",
        "reward_code_not_found",
        "reward_already_used",
        "reward_cancelled",
        "reward_expired",
        "not_a_gift_card",
        "gift_card_needs_amount",
        "gift_card_insufficient_balance",
        "gift_card_partly_used",
        "amount_must_be_positive",
        "hold_not_found",
        "hold_not_open",
        "hold_expired",
        "member_has_open_holds",
        "pay_with_points_not_offered",
        "amount_not_payable_in_points",
        "payment_below_minimum",
        "payment_exceeds_share",
        "basket_required",
        "return_exceeds_purchase",
        "insufficient_points",
        "points_overflow",
    ];

    /// The stable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::InvalidRequest(_) => "invalid_request",
            Rejection::OrderHasNoLines => "order_has_no_lines",
            Rejection::TooManyLines { .. } => "too_many_lines",
            Rejection::QuantityMustBePositive { .. } => "quantity_must_be_positive",
            Rejection::QuantityExceedsLimit { .. } => "quantity_exceeds_limit",
            Rejection::PriceMustNotBeNegative { .. } => "price_must_not_be_negative",
            Rejection::PriceExceedsLimit { .. } => "price_exceeds_limit",
            Rejection::OccurredAtInFuture { .. } => "occurred_at_in_future",
            Rejection::AdjustmentMustNotBeZero => "adjustment_must_not_be_zero",
            Rejection::AdjustmentExceedsLimit { .. } => "adjustment_exceeds_limit",
            Rejection::ActivityNotRewarded { .. } => "activity_not_rewarded",
            Rejection::ScoreOutOfRange { .. } => "score_out_of_range",
            Rejection::IdempotencyKeyReused => "idempotency_key_reused",
            Rejection::OrderAlreadyRecorded { .. } => "order_already_recorded",
            Rejection::MemberNotFound { .. } => "member_not_found",
            Rejection::MemberAlreadyExists { .. } => "member_already_exists",
            Rejection::RewardNotFound { .. } => "reward_not_found",
            Rejection::OrderNotFound { .. } => "order_not_found",
            Rejection::OrderBelongsToAnotherMember { .. } => "order_belongs_to_another_member",
            Rejection::ReferralCodeNotFound { .. } => "referral_code_not_found",
            Rejection::SurveyNotFound { .. } => "survey_not_found",
            Rejection::SurveyAlreadyAnswered { .. } => "survey_already_answered",
            Rejection::SurveyCoolingDown { .. } => "survey_cooling_down",
            Rejection::SelfReferral => "self_referral",
            Rejection::ReferralLoop { .. } => "referral_loop",
            Rejection::RefereeAlreadyEnrolled { .. } => "referee_already_enrolled",
            Rejection::BirthDateUnknown { .. } => "birth_date_unknown",
            Rejection::NotBirthday { .. } => "not_birthday",
            Rejection::NothingInReview { .. } => "nothing_in_review",
            Rejection::MemberClosed { .. } => "member_closed",
            Rejection::MemberSuspended { .. } => "member_suspended",
            Rejection::StatusUnchanged { .. } => "status_unchanged",
            Rejection::MemberNotClosed { .. } => "member_not_closed",
            Rejection::ReinstatementWindowPassed { .. } => "reinstatement_window_passed",
            Rejection::TierNotFound { .. } => "tier_not_found",
            Rejection::TierNotForSale { .. } => "tier_not_for_sale",
            Rejection::AlreadySubscribed { .. } => "already_subscribed",
            Rejection::NotSubscribed { .. } => "not_subscribed",
            Rejection::TierRequired { .. } => "tier_required",
            Rejection::NothingDue { .. } => "nothing_due",
            Rejection::RewardArchived { .. } => "reward_archived",
            Rejection::RewardNotActive { .. } => "reward_not_active",
            Rejection::RewardOutOfStock { .. } => "reward_out_of_stock",
            Rejection::RewardLimitReached { .. } => "reward_limit_reached",
            Rejection::DonationNotHeld { .. } => "donation_not_held",
            Rejection::RewardCodeNotFound { .. } => "reward_code_not_found",
            Rejection::RewardAlreadyUsed { .. } => "reward_already_used",
            Rejection::RewardCancelled { .. } => "reward_cancelled",
            Rejection::RewardExpired { .. } => "reward_expired",
            Rejection::NotAGiftCard { .. } => "not_a_gift_card",
            Rejection::GiftCardNeedsAmount { .. } => "gift_card_needs_amount",
            Rejection::GiftCardInsufficientBalance { .. } => "gift_card_insufficient_balance",
            Rejection::GiftCardPartlyUsed { .. } => "gift_card_partly_used",
            Rejection::AmountMustBePositive { .. } => "amount_must_be_positive",
            Rejection::HoldNotFound { .. } => "hold_not_found",
            Rejection::HoldNotOpen { .. } => "hold_not_open",
            Rejection::HoldExpired { .. } => "hold_expired",
            Rejection::MemberHasOpenHolds { .. } => "member_has_open_holds",
            Rejection::PayWithPointsNotOffered => "pay_with_points_not_offered",
            Rejection::AmountNotPayableInPoints { .. } => "amount_not_payable_in_points",
            Rejection::PaymentBelowMinimum { .. } => "payment_below_minimum",
            Rejection::PaymentExceedsShare { .. } => "payment_exceeds_share",
            Rejection::BasketRequired => "basket_required",
            Rejection::ReturnExceedsPurchase { .. } => "return_exceeds_purchase",
            Rejection::InsufficientPoints { .. } => "insufficient_points",
            Rejection::PointsOverflow => "points_overflow",
        }
    }
}

impl From<FieldError> for Rejection {
    fn from(err: FieldError) -> Self {
        Rejection::InvalidRequest(err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::Rejection;

    /// `code` matches every variant without a wildcard, so the codes written in it are all
    /// the codes there are; `ALL_CODES` must list exactly those.
    #[test]
    fn all_codes_lists_every_code_of_every_variant() {
        let source = include_str!("rejection.rs");
        let start = source.find("pub fn code(&self)").unwrap();
        let body = &source[start..];
        let body = &body[..body.find("\n    }\n").unwrap()];
        assert!(!body.contains("_ =>"), "Rejection::code must name every variant");
        let arms = body.matches("Rejection::").count();
        let mut written: Vec<&str> =
            body.split("=> \"").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]).collect();
        assert_eq!(written.len(), arms, "every arm of Rejection::code returns a literal");
        let mut listed = Rejection::ALL_CODES.to_vec();
        written.sort_unstable();
        listed.sort_unstable();
        assert_eq!(listed, written, "Rejection::ALL_CODES and Rejection::code differ");
        written.dedup();
        assert_eq!(written.len(), arms, "two variants share a code");
    }
}

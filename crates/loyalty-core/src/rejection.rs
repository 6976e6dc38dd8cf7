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
            Rejection::IdempotencyKeyReused => "idempotency_key_reused",
            Rejection::OrderAlreadyRecorded { .. } => "order_already_recorded",
            Rejection::MemberNotFound { .. } => "member_not_found",
            Rejection::MemberAlreadyExists { .. } => "member_already_exists",
            Rejection::RewardNotFound { .. } => "reward_not_found",
            Rejection::OrderNotFound { .. } => "order_not_found",
            Rejection::OrderBelongsToAnotherMember { .. } => "order_belongs_to_another_member",
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

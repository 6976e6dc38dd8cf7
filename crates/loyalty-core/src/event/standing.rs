//! Events about a member's standing rather than their points as such: tier evaluations,
//! paid tiers, and the account's life from suspension to closure and back.

use crate::ids::{ExternalId, Reason, TierCode};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A job's call on work that fell due at `due` (a tier evaluation date, the end of the
/// inactivity period), made at `occurred_at`; `due` names which piece of work it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DueTick {
    pub member: ExternalId,
    pub due: Timestamp,
    pub occurred_at: Timestamp,
}

/// What the merchant's billing system says of a member's paid tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SubscriptionUpdate {
    pub member: ExternalId,
    pub action: SubscriptionAction,
    pub occurred_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum SubscriptionAction {
    /// The first month is paid: the tier starts now.
    Start { tier: TierCode },
    /// Another month is paid.
    Renew,
    /// A month's payment failed; the paid period runs out.
    PaymentFailed,
    /// No more months; the paid period runs out.
    Cancel,
}

impl SubscriptionAction {
    pub fn as_str(&self) -> &'static str {
        match self {
            SubscriptionAction::Start { .. } => "start",
            SubscriptionAction::Renew => "renew",
            SubscriptionAction::PaymentFailed => "payment_failed",
            SubscriptionAction::Cancel => "cancel",
        }
    }
}

/// An administrator's (or the member's own) change to the account's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StatusChange {
    pub member: ExternalId,
    pub action: StatusAction,
    #[serde(default)]
    pub reason: Option<Reason>,
    pub occurred_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatusAction {
    /// Hold what the member earns for review and refuse redemptions, for a fraud review.
    Suspend,
    /// End a suspension.
    Resume,
    /// Close the account at the member's request; its points are forfeited.
    Close,
    /// Reopen a closed account within the program's window, with the points it lost.
    Reinstate,
}

impl StatusAction {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusAction::Suspend => "suspend",
            StatusAction::Resume => "resume",
            StatusAction::Close => "close",
            StatusAction::Reinstate => "reinstate",
        }
    }
}

//! `[notifications]`: milestones the engine tells webhook subscribers of, beyond the
//! events themselves, so a merchant can nudge a member at the right moment.

use super::DefinitionErrors;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// At most this many balance milestones: each is a message to a member, not a ladder.
const MAX_BALANCE_MILESTONES: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationsDef {
    /// `tier_progress` is sent when an event takes a member from below this share of the
    /// next tier's threshold to it or past it (but not to the tier itself): `0.8`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<crate::program::decimal::Strict>"))]
    pub tier_progress_share: Option<Decimal>,
    /// `balance_milestone` is sent when an available balance rises from below one of
    /// these to it or past it; the highest passed, when one change passes several.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub balance_milestones: Vec<i64>,
}

impl NotificationsDef {
    pub fn is_default(&self) -> bool {
        *self == NotificationsDef::default()
    }

    pub(super) fn check(&self, errors: &mut DefinitionErrors) {
        if let Some(share) = self.tier_progress_share
            && !(share > Decimal::ZERO && share < Decimal::ONE)
        {
            errors.push(
                "notifications.tier_progress_share",
                format!("must be a share between 0 and 1 such as 0.8, not {share}"),
            );
        }
        let milestones = &self.balance_milestones;
        if milestones.len() > MAX_BALANCE_MILESTONES {
            errors.push(
                "notifications.balance_milestones",
                format!("at most {MAX_BALANCE_MILESTONES} milestones, not {}", milestones.len()),
            );
        }
        for (i, m) in milestones.iter().enumerate() {
            if *m <= 0 {
                errors.push(
                    format!("notifications.balance_milestones[{i}]"),
                    format!("must be positive, not {m}"),
                );
            } else if i > 0 && *m <= milestones[i - 1] {
                errors.push(
                    format!("notifications.balance_milestones[{i}]"),
                    format!("milestones must rise: {m} does not exceed {}", milestones[i - 1]),
                );
            }
        }
    }
}

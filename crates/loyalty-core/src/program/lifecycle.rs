//! When dormant accounts close, and how long a closed account may come back.

use super::DefinitionErrors;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LifecycleDef {
    /// Months without activity after which the inactivity job closes an account and
    /// forfeits its points; 0 never closes one.
    #[serde(default = "default_inactivity_months")]
    pub inactivity_months: u32,
    /// Months after a closure within which the account may be reinstated with the
    /// points it lost.
    #[serde(default = "default_reinstatement_months")]
    pub reinstatement_months: u32,
}

fn default_inactivity_months() -> u32 {
    24
}

fn default_reinstatement_months() -> u32 {
    12
}

const MAX_MONTHS: u32 = 240;

impl Default for LifecycleDef {
    fn default() -> Self {
        LifecycleDef {
            inactivity_months: default_inactivity_months(),
            reinstatement_months: default_reinstatement_months(),
        }
    }
}

impl LifecycleDef {
    pub fn is_default(&self) -> bool {
        *self == LifecycleDef::default()
    }

    pub(super) fn check(&self, errors: &mut DefinitionErrors) {
        for (field, value) in [
            ("inactivity_months", self.inactivity_months),
            ("reinstatement_months", self.reinstatement_months),
        ] {
            if value > MAX_MONTHS {
                errors
                    .push(format!("lifecycle.{field}"), format!("must be at most {MAX_MONTHS}, not {value}"));
            }
        }
    }
}

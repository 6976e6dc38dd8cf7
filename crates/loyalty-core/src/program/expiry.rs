//! When points expire: the program's policy, checked once, and the date it gives a lot.

use super::DefinitionErrors;
use crate::calendar::Calendar;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// The expiry policy as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ExpiryDef {
    #[serde(default)]
    pub policy: ExpiryPolicy,
    /// `months_after_earning`: how many months a lot lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    /// `end_of_quarter`: lots expire at the end of the Nth calendar quarter after the one
    /// they were earned in (0: the end of that same quarter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarters: Option<u32>,
    /// `end_of_year`: lots expire at the end of the Nth calendar year after the one they
    /// were earned in (0: the end of that same year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<u32>,
    /// Any points earned push every open lot's expiry to what a lot earned then would get.
    #[serde(default, skip_serializing_if = "is_false")]
    pub activity_extends_all_lots: bool,
    /// How many days before a lot expires the member is sent a notice.
    #[serde(default = "default_notice_days")]
    pub notice_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExpiryPolicy {
    #[default]
    Never,
    MonthsAfterEarning,
    EndOfQuarter,
    EndOfYear,
}

fn is_false(value: &bool) -> bool {
    !value
}

fn default_notice_days() -> u32 {
    30
}

const MAX_MONTHS: u32 = 120;
const MAX_QUARTERS: u32 = 40;
const MAX_YEARS: u32 = 10;
const MAX_NOTICE_DAYS: u32 = 365;

impl ExpiryDef {
    /// Points that never expire, which programs get unless they say otherwise.
    pub fn never() -> ExpiryDef {
        ExpiryDef {
            policy: ExpiryPolicy::Never,
            months: None,
            quarters: None,
            years: None,
            activity_extends_all_lots: false,
            notice_days: default_notice_days(),
        }
    }

    pub fn is_never(&self) -> bool {
        *self == ExpiryDef::never()
    }

    /// Reports each field that does not fit the policy, under `expiry.`.
    pub fn check(&self, errors: &mut DefinitionErrors) {
        let fields = [("months", self.months, MAX_MONTHS, 1), ("quarters", self.quarters, MAX_QUARTERS, 0)];
        let wanted = match self.policy {
            ExpiryPolicy::Never => None,
            ExpiryPolicy::MonthsAfterEarning => Some("months"),
            ExpiryPolicy::EndOfQuarter => Some("quarters"),
            ExpiryPolicy::EndOfYear => Some("years"),
        };
        for (name, value, max, min) in fields.into_iter().chain([("years", self.years, MAX_YEARS, 0)]) {
            let path = format!("expiry.{name}");
            match (value, wanted == Some(name)) {
                (None, true) => errors.push(path, format!("is required by policy `{}`", self.policy_name())),
                (Some(_), false) => {
                    errors.push(path, format!("does not apply to policy `{}`", self.policy_name()))
                }
                (Some(v), true) if !(min..=max).contains(&v) => {
                    errors.push(path, format!("must be between {min} and {max}, not {v}"))
                }
                _ => {}
            }
        }
        if self.activity_extends_all_lots && self.policy == ExpiryPolicy::Never {
            errors.push("expiry.activity_extends_all_lots", "needs a policy under which points expire");
        }
        if self.notice_days > MAX_NOTICE_DAYS {
            errors.push(
                "expiry.notice_days",
                format!("must be at most {MAX_NOTICE_DAYS}, not {}", self.notice_days),
            );
        }
    }

    fn policy_name(&self) -> &'static str {
        match self.policy {
            ExpiryPolicy::Never => "never",
            ExpiryPolicy::MonthsAfterEarning => "months_after_earning",
            ExpiryPolicy::EndOfQuarter => "end_of_quarter",
            ExpiryPolicy::EndOfYear => "end_of_year",
        }
    }

    /// The instant from which points earned at `earned_at` are expired; `None` if they
    /// never expire.
    pub fn expires_at(&self, calendar: &Calendar, earned_at: Timestamp) -> Option<Timestamp> {
        match self.policy {
            ExpiryPolicy::Never => None,
            ExpiryPolicy::MonthsAfterEarning => calendar.add_months(earned_at, self.months.unwrap_or(0)),
            ExpiryPolicy::EndOfQuarter => {
                calendar.start_of_quarter_after(earned_at, self.quarters.unwrap_or(0).saturating_add(1))
            }
            ExpiryPolicy::EndOfYear => {
                calendar.start_of_year_after(earned_at, self.years.unwrap_or(0).saturating_add(1))
            }
        }
    }
}

impl Default for ExpiryDef {
    fn default() -> Self {
        ExpiryDef::never()
    }
}

//! A member's answer to a survey.

use crate::ids::{Comment, ExternalId, OrderId, SurveyCode};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SurveyAnswer {
    pub member: ExternalId,
    pub survey: SurveyCode,
    /// Checked against the survey's kind when decided: the program says the range.
    pub score: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<Comment>,
    /// The order the answer is about; it must be the member's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<OrderId>,
    pub occurred_at: Timestamp,
}

//! The counts behind the NPS and CSAT reports: one row per tier, segment and score, from
//! the responses of a period (the `survey_responses_by_time` index).

use super::rows::{int, opt_text};
use crate::StoreError;
use crate::types::ProgramId;
use loyalty_core::Timestamp;
use loyalty_core::feedback::SurveyKind;
use loyalty_core::feedback::report::ScoreCount;
use sqlx::AnyPool;

pub(super) async fn score_counts(
    pool: &AnyPool,
    program: ProgramId,
    kind: SurveyKind,
    from: Timestamp,
    to: Timestamp,
    survey: Option<&str>,
) -> Result<Vec<ScoreCount>, StoreError> {
    // `$5` empty stands for every survey of the kind, so the statement has one shape.
    let rows = sqlx::query(
        "SELECT r.tier, s.segment, r.score, CAST(COUNT(*) AS BIGINT) AS n \
         FROM survey_responses r \
         LEFT JOIN member_segments s ON s.program_id = r.program_id AND s.member_id = r.member_id \
         WHERE r.program_id = $1 AND r.kind = $2 AND r.occurred_at_us >= $3 AND r.occurred_at_us < $4 \
           AND ($5 = '' OR r.survey = $5) \
         GROUP BY r.tier, s.segment, r.score \
         ORDER BY r.tier, s.segment, r.score",
    )
    .bind(program.0)
    .bind(kind.as_str())
    .bind(from.as_micros())
    .bind(to.as_micros())
    .bind(survey.unwrap_or(""))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ScoreCount {
                tier: opt_text(row, "tier")?,
                segment: opt_text(row, "segment")?,
                score: int(row, "score")?,
                count: int(row, "n")?,
            })
        })
        .collect()
}

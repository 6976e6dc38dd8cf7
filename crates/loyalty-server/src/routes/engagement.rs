//! Achievements and streaks: the program's achievements with how many members completed
//! each, and where one member stands on each achievement and streak.

use super::MemberPath;
use crate::auth::{Access, Caller};
use crate::error::ApiError;
use crate::openapi::{Documented, doc};
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::get_with;
use axum::Json;
use axum::extract::State;
use loyalty_core::engage::view::{AchievementProgress, achievements, attach_codes, counts};
use loyalty_core::engage::{MeasureName, Recurrence, StreakView, Window, times_counter};
use loyalty_core::ids::{ExternalId, RewardCode};
use loyalty_core::insight::Segment;
use loyalty_core::outcome::MemberView;
use loyalty_core::{Points, Rejection, Timestamp};
use loyalty_store::Store;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/achievements",
            get_with(list::<S>, |op| {
                doc(
                    "list_achievements",
                    "engagement",
                    "The program's achievements, with how many members completed each",
                )(op)
                .answers::<200, AchievementList>("Every achievement of the program in force")
            }),
        )
        .api_route(
            "/v1/members/{external_id}/achievements",
            get_with(member_achievements::<S>, |op| {
                doc(
                    "member_achievements",
                    "engagement",
                    "Where a member stands on each achievement they may take part in",
                )(op)
                .answers::<200, MemberAchievements>("Each achievement with its progress")
            }),
        )
        .api_route(
            "/v1/members/{external_id}/streaks",
            get_with(member_streaks::<S>, |op| {
                doc(
                    "member_streaks",
                    "engagement",
                    "A member's streaks: current and longest runs, freezes left, next due date",
                )(op)
                .answers::<200, MemberStreaks>("Each streak of the program")
            }),
        )
}

#[derive(Debug, Serialize, JsonSchema)]
struct AchievementList {
    achievements: Vec<AchievementSummary>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct AchievementSummary {
    code: String,
    name: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    badge: Option<String>,
    criteria: Vec<CriterionSummary>,
    recurrence: Recurrence,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_completions: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    starts_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ends_at: Option<Timestamp>,
    points: Points,
    /// The catalogue reward each completion issues a code of.
    #[serde(skip_serializing_if = "Option::is_none")]
    reward: Option<RewardCode>,
    /// Only members of these segments take part; everyone if empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    segments: Vec<Segment>,
    /// Members who hold it now (completed, not taken back).
    members_completed: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
struct CriterionSummary {
    measure: MeasureName,
    threshold: i64,
    period: Window,
}

async fn list<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
) -> Result<Json<AchievementList>, ApiError> {
    caller.require(Access::Read)?;
    let now = state.clock.now_for(caller.program.id());
    let program = &caller.program.at(now).program;
    let engagement = program.engagement();
    let keys: Vec<String> = engagement.achievements.iter().map(|a| times_counter(&a.code).key).collect();
    let completed = state.store.members_counting(caller.program.id(), &keys).await?;
    let achievements = engagement
        .achievements
        .iter()
        .map(|a| AchievementSummary {
            code: a.code.clone(),
            name: a.name.clone(),
            description: a.description.clone(),
            badge: a.badge.clone(),
            criteria: a
                .criteria
                .iter()
                .map(|c| CriterionSummary { measure: c.measure, threshold: c.threshold, period: c.window })
                .collect(),
            recurrence: a.recurrence,
            max_completions: a.max_completions,
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            points: a.points,
            reward: a.reward.clone(),
            segments: a.segments.clone(),
            members_completed: completed.get(&times_counter(&a.code).key).copied().unwrap_or(0),
        })
        .collect();
    Ok(Json(AchievementList { achievements }))
}

#[derive(Debug, Serialize, JsonSchema)]
struct MemberAchievements {
    member: ExternalId,
    achievements: Vec<AchievementProgress>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct MemberStreaks {
    member: ExternalId,
    streaks: Vec<StreakView>,
}

/// The member (404 if none) and their counters whose key starts with `prefix`, at the
/// program's time.
pub(super) async fn member_counts<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    external_id: &ExternalId,
    prefix: &str,
) -> Result<(MemberView, BTreeMap<String, i64>, Timestamp), ApiError> {
    let now = state.clock.now_for(caller.program.id());
    let view = state
        .store
        .member(caller.program.at(now), external_id, now)
        .await?
        .ok_or_else(|| Rejection::MemberNotFound { external_id: external_id.to_string() })?;
    let counters = state.store.member_counters(caller.program.id(), external_id, prefix).await?;
    Ok((view, counters, now))
}

async fn member_achievements<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(external_id): MemberPath,
) -> Result<Json<MemberAchievements>, ApiError> {
    caller.require(Access::Read)?;
    let (view, counters, now) = member_counts(&state, &caller, &external_id, "").await?;
    let program = &caller.program.at(now).program;
    // Achievements for some segments are shown to members of them: read the member's
    // segment only when one is.
    let segment = if program.engagement().achievements.iter().any(|a| !a.segments.is_empty()) {
        let found = state.store.member_segment(caller.program.id(), &external_id).await?;
        found.scored.map(|s| s.score.segment)
    } else {
        None
    };
    let mut list = achievements(
        program.engagement(),
        program.calendar(),
        &counts(&counters),
        view.tier.as_deref(),
        |tag| view.tags.iter().any(|t| t == tag.as_str()),
        segment,
        now,
    );
    if program.engagement().achievements.iter().any(|a| a.reward.is_some()) {
        let codes = state.store.member_codes(caller.program.id(), &external_id).await?;
        attach_codes(&mut list, &codes.unwrap_or_default());
    }
    Ok(Json(MemberAchievements { member: external_id, achievements: list }))
}

async fn member_streaks<S: Store>(
    State(state): State<AppState<S>>,
    caller: Caller,
    MemberPath(external_id): MemberPath,
) -> Result<Json<MemberStreaks>, ApiError> {
    caller.require(Access::Read)?;
    let (_, counters, now) = member_counts(&state, &caller, &external_id, "").await?;
    let program = &caller.program.at(now).program;
    let counts = counts(&counters);
    let streaks =
        program.engagement().streaks.iter().map(|s| s.view(program.calendar(), &counts, now)).collect();
    Ok(Json(MemberStreaks { member: external_id, streaks }))
}

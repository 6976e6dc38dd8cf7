//! The program itself: its definition, its versions, and changes to it. A change makes a
//! new version, in force from now; events are judged by the version in force when they
//! occurred.

use crate::auth::{Access, AdminCaller, Caller};
use crate::error::ApiError;
use crate::openapi::{Documented, doc};
use crate::program_body::ProgramBody;
use crate::startup::versions;
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::get_with;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loyalty_core::program::ProgramDef;
use loyalty_core::{Program, Timestamp};
use loyalty_store::{LoadedProgram, ProgramId, ProgramOrigin, Store};
use schemars::JsonSchema;
use serde::Serialize;

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/program",
            get_with(current, |op| {
                doc("get_program", "program", "The program's latest version and definition")(op)
                    .answers::<200, ProgramVersion>("The latest version")
            })
            .put_with(replace::<S>, |op| {
                doc("replace_program", "program", "A new definition, in force from now")(op)
                    .answers::<201, ProgramVersion>("A new version")
                    .answers::<200, ProgramVersion>("The definition is unchanged: the latest version")
            }),
        )
        .api_route(
            "/v1/program/versions",
            get_with(list, |op| {
                doc("program_versions", "program", "Every version of the program, with `effective_from`")(op)
                    .answers::<200, ProgramVersions>("Every version, oldest first")
            }),
        )
}

/// A version of the program: its definition and the instant it is in force from.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ProgramVersion {
    /// The program's code.
    code: String,
    version: i64,
    effective_from: Timestamp,
    definition: ProgramDef,
}

/// Every version of the program.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ProgramVersions {
    versions: Vec<ProgramVersion>,
}

/// The version a change made.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct NewVersion {
    pub program_version: i64,
    pub effective_from: Timestamp,
}

pub(crate) fn describe(program: &LoadedProgram) -> ProgramVersion {
    ProgramVersion {
        code: program.program.code().to_owned(),
        version: program.version,
        effective_from: program.effective_from,
        definition: program.program.definition().clone(),
    }
}

async fn current(caller: Caller) -> Result<Json<ProgramVersion>, ApiError> {
    caller.require(Access::Read)?;
    Ok(Json(describe(caller.program.latest())))
}

async fn list(caller: Caller) -> Result<Json<ProgramVersions>, ApiError> {
    caller.require(Access::Read)?;
    Ok(Json(ProgramVersions { versions: caller.program.all().iter().map(describe).collect() }))
}

async fn replace<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ProgramBody(definition): ProgramBody,
) -> Result<(StatusCode, Json<ProgramVersion>), ApiError> {
    let (after, changed) = change(&state, caller.program.id(), |_| Ok(definition)).await?;
    let status = if changed { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(describe(&after))))
}

/// Makes the latest definition, with `edit` applied, the next version; answers with its
/// number and the instant it is in force from.
pub(crate) async fn new_version<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    edit: impl FnOnce(&mut ProgramDef, &LoadedProgram) -> Result<(), ApiError>,
) -> Result<NewVersion, ApiError> {
    let (after, _) = change(state, caller.program.id(), |latest| {
        let mut definition = latest.program.definition().clone();
        edit(&mut definition, latest)?;
        Ok(definition)
    })
    .await?;
    Ok(NewVersion { program_version: after.version, effective_from: after.effective_from })
}

/// Makes `edit` of the program's latest version its next version (unless it is the same),
/// in force and served from now on; returns the latest version and whether it is new.
///
/// Changes run one at a time, and each edits the latest version as stored, not the one
/// the request started with, so that changes made at once (two campaigns created
/// together) all count.
pub(crate) async fn change<S: Store>(
    state: &AppState<S>,
    program: ProgramId,
    edit: impl FnOnce(&LoadedProgram) -> Result<ProgramDef, ApiError>,
) -> Result<(LoadedProgram, bool), ApiError> {
    let _one_at_a_time = state.changing.lock().await;
    let current = versions(&*state.store, program).await.map_err(ApiError::internal)?;
    let definition = edit(current.latest())?;
    let code = current.latest().program.code().to_owned();
    if definition.id != code {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_program",
            format!("id: this program is `{code}`; it cannot become `{}`", definition.id),
        ));
    }
    Program::from_def(definition.clone()).map_err(|errors| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_program", errors.to_string())
    })?;
    let installed = state
        .store
        .install_program_from(&definition, ProgramOrigin::Api, state.clock.now_for(program))
        .await?;
    if !installed.changed {
        // Serve what is stored, in case another server changed it.
        state.programs.replace(current.clone());
        return Ok((current.latest().clone(), false));
    }
    let fresh = versions(&*state.store, installed.id).await.map_err(ApiError::internal)?;
    let latest = fresh.latest().clone();
    state.programs.replace(fresh);
    Ok((latest, true))
}

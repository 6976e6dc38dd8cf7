//! The program itself: its definition, its versions, and changes to it. A change makes a
//! new version, in force from now; events are judged by the version in force when they
//! occurred.

use crate::auth::{Access, AdminCaller, Caller};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::startup::versions;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use loyalty_core::Program;
use loyalty_core::program::ProgramDef;
use loyalty_store::{LoadedProgram, ProgramOrigin, Store};
use serde_json::{Value, json};

pub fn router<S: Store>() -> Router<AppState<S>> {
    Router::new()
        .route("/v1/program", get(current).put(replace::<S>))
        .route("/v1/program/versions", get(list))
}

pub(crate) fn describe(program: &LoadedProgram) -> Value {
    json!({
        "code": program.program.code(),
        "version": program.version,
        "effective_from": program.effective_from,
        "definition": program.program.definition(),
    })
}

async fn current(caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Read)?;
    Ok(Json(describe(caller.program.latest())))
}

async fn list(caller: Caller) -> Result<Json<Value>, ApiError> {
    caller.require(Access::Read)?;
    Ok(Json(json!({ "versions": caller.program.all().iter().map(describe).collect::<Vec<_>>() })))
}

async fn replace<S: Store>(
    State(state): State<AppState<S>>,
    AdminCaller(caller): AdminCaller,
    ApiJson(definition): ApiJson<ProgramDef>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (after, changed) = change(&state, &caller, |_| Ok(definition)).await?;
    let status = if changed { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(describe(&after))))
}

/// Makes the latest definition, with `edit` applied, the next version; answers with its
/// number and the instant it is in force from.
pub(crate) async fn new_version<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    edit: impl FnOnce(&mut ProgramDef, &LoadedProgram) -> Result<(), ApiError>,
) -> Result<Value, ApiError> {
    let (after, _) = change(state, caller, |latest| {
        let mut definition = latest.program.definition().clone();
        edit(&mut definition, latest)?;
        Ok(definition)
    })
    .await?;
    Ok(json!({ "program_version": after.version, "effective_from": after.effective_from }))
}

/// Makes `edit` of the program's latest version its next version (unless it is the same),
/// in force and served from now on; returns the latest version and whether it is new.
///
/// Changes run one at a time, and each edits the latest version as stored, not the one
/// the request started with, so that changes made at once (two campaigns created
/// together) all count.
pub(crate) async fn change<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    edit: impl FnOnce(&LoadedProgram) -> Result<ProgramDef, ApiError>,
) -> Result<(LoadedProgram, bool), ApiError> {
    let _one_at_a_time = state.changing.lock().await;
    let current = versions(&*state.store, caller.program.id()).await.map_err(ApiError::internal)?;
    let definition = edit(current.latest())?;
    let code = current.latest().program.code().to_owned();
    if definition.id != code {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_program",
            format!("id: this key's program is `{code}`; it cannot change `{}`", definition.id),
        ));
    }
    Program::from_def(definition.clone()).map_err(|errors| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_program", errors.to_string())
    })?;
    let installed = state
        .store
        .install_program_from(&definition, ProgramOrigin::Api, state.clock.now_for(caller.program.id()))
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

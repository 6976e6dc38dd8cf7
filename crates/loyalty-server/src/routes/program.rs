//! The program itself: its definition, its versions, and changes to it. A change makes a
//! new version, in force from now; events are judged by the version in force when they
//! occurred.

use crate::auth::{Access, Caller};
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
use loyalty_store::{LoadedProgram, Store};
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
    caller: Caller,
    ApiJson(definition): ApiJson<ProgramDef>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(Access::Admin)?;
    let before = caller.program.latest().version;
    let after = change(&state, &caller, definition).await?;
    let status = if after.version == before { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(describe(&after))))
}

/// Validates `definition`, stores it as the program's next version (unless it is the same
/// as the latest), and serves it from now on.
pub(crate) async fn change<S: Store>(
    state: &AppState<S>,
    caller: &Caller,
    definition: ProgramDef,
) -> Result<LoadedProgram, ApiError> {
    let code = caller.program.latest().program.code().to_owned();
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
    let installed = state.store.install_program(&definition, state.clock.now()).await?;
    let fresh = versions(&*state.store, installed.id).await.map_err(ApiError::internal)?;
    let latest = fresh.latest().clone();
    state.programs.replace(fresh);
    Ok(latest)
}

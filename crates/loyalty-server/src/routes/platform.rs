//! Programs managed with the platform key, live: made (with their first admin key),
//! listed, changed and archived, without a restart. The platform key reaches no member
//! data; a program's key never reaches these routes.

use crate::error::ApiError;
use crate::extract::ApiPath;
use crate::openapi::{Documented, doc};
use crate::platform::PlatformCaller;
use crate::program_body::ProgramBody;
use crate::routes::keys::{CreatedKey, secret};
use crate::routes::program::{ProgramVersion, change, describe};
use crate::startup::versions;
use crate::state::AppState;
use aide::axum::ApiRouter;
use aide::axum::routing::{get_with, post_with};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use loyalty_core::{Program, Timestamp};
use loyalty_store::{NewKey, Role, Store, StoredProgram};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub fn router<S: Store>() -> ApiRouter<AppState<S>> {
    ApiRouter::new()
        .api_route(
            "/v1/admin/programs",
            get_with(list::<S>, |op| {
                doc("list_programs", "platform", "Every program of this deployment")(op)
                    .answers::<200, ProgramList>("The programs, oldest first")
            })
            .post_with(create::<S>, |op| {
                doc("create_program", "platform", "Make a program, with its first admin key (shown once)")(op)
                    .answers::<201, CreatedProgram>("The program and its admin key")
                    .errors(&[409])
            }),
        )
        .api_route(
            "/v1/admin/programs/{code}",
            get_with(show::<S>, |op| {
                doc("get_platform_program", "platform", "A program: where it stands and its definition")(op)
                    .answers::<200, ProgramDetail>("The program")
                    .errors(&[404])
            })
            .put_with(replace::<S>, |op| {
                doc(
                    "replace_platform_program",
                    "platform",
                    "A new definition of a program, in force from now",
                )(op)
                .answers::<201, ProgramDetail>("A new version")
                .answers::<200, ProgramDetail>("The definition is unchanged: the latest version")
                .errors(&[404, 409])
            }),
        )
        .api_route(
            "/v1/admin/programs/{code}/archive",
            post_with(archive::<S>, |op| {
                doc("archive_program", "platform", "Archive a program: reads and exports only from now on")(
                    op,
                )
                .answers::<200, ProgramSummary>("The program, archived")
                .errors(&[404])
            }),
        )
}

/// Where a program stands.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ProgramSummary {
    code: String,
    name: String,
    /// Its latest version.
    version: i64,
    /// When the latest version came into force.
    effective_from: Timestamp,
    /// Where the latest version came from: `file` (a program file at start-up) or `api`.
    origin: String,
    /// When it was archived (it takes no more writes); null while it is live.
    archived_at: Option<Timestamp>,
}

/// Every program.
#[derive(Debug, Serialize, JsonSchema)]
struct ProgramList {
    programs: Vec<ProgramSummary>,
}

/// A program with its latest definition.
#[derive(Debug, Serialize, JsonSchema)]
struct ProgramDetail {
    #[serde(flatten)]
    program: ProgramVersion,
    /// When it was archived; null while it is live.
    archived_at: Option<Timestamp>,
}

/// A program just made, with its first admin key: the only time the secret is shown.
#[derive(Debug, Serialize, JsonSchema)]
struct CreatedProgram {
    program: ProgramVersion,
    admin_key: CreatedKey,
}

/// The `{code}` of a program.
#[derive(Debug, Deserialize, JsonSchema)]
struct ProgramPath {
    /// The program's code (its `id` in the definition).
    code: String,
}

fn summary(stored: &StoredProgram) -> ProgramSummary {
    ProgramSummary {
        code: stored.definition.id.clone(),
        name: stored.definition.name.clone(),
        version: stored.version,
        effective_from: stored.effective_from,
        origin: stored.origin.as_str().to_owned(),
        archived_at: stored.archived_at,
    }
}

/// The latest version of the program of `code`.
async fn find<S: Store>(state: &AppState<S>, code: &str) -> Result<StoredProgram, ApiError> {
    state.store.program_by_code(code).await?.ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "program_not_found", format!("no program `{code}` here"))
    })
}

async fn list<S: Store>(
    State(state): State<AppState<S>>,
    _: PlatformCaller,
) -> Result<Json<ProgramList>, ApiError> {
    let programs = state.store.programs().await?;
    Ok(Json(ProgramList { programs: programs.iter().map(summary).collect() }))
}

async fn create<S: Store>(
    State(state): State<AppState<S>>,
    _: PlatformCaller,
    ProgramBody(definition): ProgramBody,
) -> Result<(StatusCode, Json<CreatedProgram>), ApiError> {
    Program::from_def(definition.clone()).map_err(|errors| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_program", errors.to_string())
    })?;
    let (key_hash, prefix, secret) = secret()?;
    let key = NewKey {
        name: "admin".to_owned(),
        role: Role::Admin,
        key_hash,
        prefix: Some(prefix),
        expires_at: None,
    };
    let made = state.store.create_program(&definition, &key, state.clock.now()).await?;
    let Some((installed, key)) = made else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "program_already_exists",
            format!(
                "a program `{}` exists; change it with PUT /v1/admin/programs/{}",
                definition.id, definition.id
            ),
        ));
    };
    let loaded = versions(&*state.store, installed.id).await.map_err(ApiError::internal)?;
    let program = describe(loaded.latest());
    state.programs.replace(loaded);
    Ok((
        StatusCode::CREATED,
        Json(CreatedProgram { program, admin_key: CreatedKey { key: key.into(), secret } }),
    ))
}

async fn show<S: Store>(
    State(state): State<AppState<S>>,
    _: PlatformCaller,
    ApiPath(ProgramPath { code }): ApiPath<ProgramPath>,
) -> Result<Json<ProgramDetail>, ApiError> {
    let stored = find(&state, &code).await?;
    let loaded = versions(&*state.store, stored.id).await.map_err(ApiError::internal)?;
    Ok(Json(ProgramDetail { program: describe(loaded.latest()), archived_at: stored.archived_at }))
}

async fn replace<S: Store>(
    State(state): State<AppState<S>>,
    _: PlatformCaller,
    ApiPath(ProgramPath { code }): ApiPath<ProgramPath>,
    ProgramBody(definition): ProgramBody,
) -> Result<(StatusCode, Json<ProgramDetail>), ApiError> {
    let stored = find(&state, &code).await?;
    if stored.archived_at.is_some() {
        return Err(crate::auth::archived());
    }
    let (after, changed) = change(&state, stored.id, |_| Ok(definition)).await?;
    let status = if changed { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(ProgramDetail { program: describe(&after), archived_at: None })))
}

async fn archive<S: Store>(
    State(state): State<AppState<S>>,
    _: PlatformCaller,
    ApiPath(ProgramPath { code }): ApiPath<ProgramPath>,
) -> Result<Json<ProgramSummary>, ApiError> {
    let stored = find(&state, &code).await?;
    let archived_at = state.store.archive_program(stored.id, state.clock.now()).await?;
    Ok(Json(ProgramSummary { archived_at, ..summary(&stored) }))
}

//! Start-up: install the program files, load every program, make sure each has an admin
//! key. Shared by `loyalty serve` and the tests, so both start the same server.

use crate::clock::Clock;
use crate::file_install::{self, Overwrites, Step};
use crate::program_file::{self, ProgramFileError};
use crate::secrets::{key_hash, new_api_key};
use crate::state::{AppState, Programs, Versions};
use crate::webhooks::{Sender, SenderError, WebhookSettings};
use loyalty_core::Program;
use loyalty_core::program::DefinitionErrors;
use loyalty_store::{LoadedProgram, ProgramId, ProgramOrigin, Store, StoreError};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Program files to install (a changed file becomes a new version).
    pub program_files: Vec<PathBuf>,
    /// The admin key of the first program, from `LOYALTY_ADMIN_KEY`.
    pub admin_key: Option<String>,
    /// The platform key, which manages programs, from `LOYALTY_PLATFORM_KEY`.
    pub platform_key: Option<String>,
    /// Install a changed program file even over versions made through the API since
    /// (`--program-overrides-api`); without it, start-up refuses.
    pub program_overrides_api: bool,
    /// How webhooks are sent: allowed targets, extra CAs, the timeout.
    pub webhooks: WebhookSettings,
    /// Requests a key, or an address without a valid key, may make.
    pub rate_limits: crate::rate_limit::RateLimitSettings,
}

/// A program being served, with its admin key when this start knows it.
#[derive(Debug, Clone)]
pub struct ServedProgram {
    pub code: String,
    pub name: String,
    pub version: i64,
    /// Where the version in force came from.
    pub origin: ProgramOrigin,
    /// The admin key's secret: the one from `LOYALTY_ADMIN_KEY`, or one generated at this
    /// start (to be shown now, and never again). `None` when an earlier start made it:
    /// the database keeps only its hash.
    pub admin_key: Option<String>,
    pub key_source: KeySource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Taken from `LOYALTY_ADMIN_KEY`.
    Environment,
    /// Generated at this start.
    Generated,
    /// Made at an earlier start (or by `loyalty keys rotate`); only its hash is kept.
    Kept,
}

/// The platform key, with its secret when this start knows it.
#[derive(Debug, Clone)]
pub struct PlatformKey {
    /// From `LOYALTY_PLATFORM_KEY`, or generated at this start (to be shown now, and never
    /// again); `None` when an earlier start made it.
    pub key: Option<String>,
    pub source: KeySource,
}

#[derive(Debug)]
pub struct Started<S> {
    pub state: AppState<S>,
    pub programs: Vec<ServedProgram>,
    pub platform: PlatformKey,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    ProgramFile(#[from] ProgramFileError),
    #[error(transparent)]
    WouldReplaceApi(#[from] Overwrites),
    #[error(
        "no program is loaded: pass --program FILE, for example --program examples/programs/coffee.toml \
         (or set LOYALTY_PLATFORM_KEY to start without one and make programs with POST /v1/admin/programs)"
    )]
    NoProgram,
    #[error("the stored program {code} is not valid any more: {errors}")]
    StoredProgram { code: String, errors: DefinitionErrors },
    #[error("LOYALTY_ADMIN_KEY must be 16 to 255 visible ASCII characters without spaces")]
    AdminKey,
    #[error("LOYALTY_PLATFORM_KEY must be 16 to 255 visible ASCII characters without spaces")]
    PlatformKey,
    #[error(transparent)]
    Webhooks(#[from] SenderError),
    #[error("cannot generate an API key: {0}")]
    Random(getrandom::Error),
}

const ADMIN_KEY_LENGTHS: std::ops::RangeInclusive<usize> = 16..=255;

/// What can be checked before the database is opened: the program files parse and the
/// admin key has a valid shape. `loyalty serve` runs this first, so that a mistake in
/// either leaves no new database behind.
pub fn check(settings: &Settings) -> Result<Vec<Program>, StartError> {
    let well_formed =
        |key: &String| ADMIN_KEY_LENGTHS.contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
    if settings.admin_key.as_ref().is_some_and(|key| !well_formed(key)) {
        return Err(StartError::AdminKey);
    }
    if settings.platform_key.as_ref().is_some_and(|key| !well_formed(key)) {
        return Err(StartError::PlatformKey);
    }
    Ok(settings.program_files.iter().map(|path| program_file::load(path)).collect::<Result<_, _>>()?)
}

pub async fn start<S: Store>(store: S, settings: &Settings, clock: Clock) -> Result<Started<S>, StartError> {
    // Before anything is stored: a bad CA bundle stops the start as a bad program does.
    let sender = Sender::new(&settings.webhooks)?;
    let now = clock.now();
    let mut first: Option<ProgramId> = None;
    let files = settings.program_files.iter().cloned().zip(check(settings)?).collect();
    let steps =
        file_install::plan(&store, files, settings.program_overrides_api).await?.map_err(Overwrites)?;
    for step in steps {
        let id = match step {
            Step::Keep(id) => id,
            Step::Install(program) => store.install_program(program.definition(), now).await?.id,
        };
        first.get_or_insert(id);
    }

    let mut loaded = Vec::new();
    let mut origins = std::collections::HashMap::new();
    for latest in store.programs().await? {
        origins.insert(latest.id, latest.origin);
        loaded.push(versions(&store, latest.id).await?);
    }
    // The first program named on the command line, or else the oldest, takes LOYALTY_ADMIN_KEY.
    let first = first.or_else(|| loaded.first().map(Versions::id));
    // A deployment without programs is one whose operator makes them over the platform API.
    if first.is_none() && settings.platform_key.is_none() && !store.has_platform_key().await? {
        return Err(StartError::NoProgram);
    }
    loaded.sort_by_key(|p| (Some(p.id()) != first, p.id()));

    let mut served = Vec::with_capacity(loaded.len());
    for versions in &loaded {
        let program = versions.latest();
        let from_environment = settings.admin_key.as_deref().filter(|_| Some(program.id) == first);
        let (admin_key, key_source) = admin_key(&store, program.id, from_environment, &clock).await?;
        served.push(ServedProgram {
            code: program.program.code().to_owned(),
            name: program.program.name().to_owned(),
            version: program.version,
            origin: origins.get(&program.id).copied().unwrap_or(ProgramOrigin::File),
            admin_key,
            key_source,
        });
    }
    let platform = platform_key(&store, settings.platform_key.as_deref(), &clock).await?;
    let state = AppState::new(Arc::new(store), Programs::new(loaded), clock)
        .with_webhooks(sender)
        .with_rate_limits(&settings.rate_limits);
    Ok(Started { state, programs: served, platform })
}

/// Every version of a stored program, validated.
pub async fn versions<S: Store>(store: &S, id: ProgramId) -> Result<Versions, StartError> {
    let mut all = Vec::new();
    for stored in store.program_versions(id).await? {
        let code = stored.definition.id.clone();
        let program = Program::from_def(stored.definition)
            .map_err(|errors| StartError::StoredProgram { code, errors })?;
        all.push(LoadedProgram {
            id: stored.id,
            version: stored.version,
            effective_from: stored.effective_from,
            program: Arc::new(program),
        });
    }
    Versions::new(all).ok_or(StartError::NoProgram)
}

async fn admin_key<S: Store>(
    store: &S,
    program: ProgramId,
    from_environment: Option<&str>,
    clock: &Clock,
) -> Result<(Option<String>, KeySource), StartError> {
    if let Some(key) = from_environment {
        store.set_bootstrap_key(program, &key_hash(key), clock.now()).await?;
        return Ok((Some(key.to_owned()), KeySource::Environment));
    }
    if store.has_bootstrap_key(program).await? {
        return Ok((None, KeySource::Kept));
    }
    let key = rotate_admin_key(store, program, clock).await?;
    Ok((Some(key), KeySource::Generated))
}

async fn platform_key<S: Store>(
    store: &S,
    from_environment: Option<&str>,
    clock: &Clock,
) -> Result<PlatformKey, StartError> {
    if let Some(key) = from_environment {
        store.set_platform_key(&key_hash(key), clock.now()).await?;
        return Ok(PlatformKey { key: Some(key.to_owned()), source: KeySource::Environment });
    }
    if store.has_platform_key().await? {
        return Ok(PlatformKey { key: None, source: KeySource::Kept });
    }
    let key = new_api_key().map_err(StartError::Random)?;
    store.set_platform_key(&key_hash(&key), clock.now()).await?;
    Ok(PlatformKey { key: Some(key), source: KeySource::Generated })
}

/// Makes a new admin key for the program and revokes the one before. The secret is
/// returned to be shown once; the database keeps only its hash.
pub async fn rotate_admin_key<S: Store>(
    store: &S,
    program: ProgramId,
    clock: &Clock,
) -> Result<String, StartError> {
    let key = new_api_key().map_err(StartError::Random)?;
    store.set_bootstrap_key(program, &key_hash(&key), clock.now()).await?;
    Ok(key)
}

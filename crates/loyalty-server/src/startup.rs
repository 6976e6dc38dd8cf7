//! Start-up: install the program files, load every program, make sure each has an admin
//! key. Shared by `loyalty serve` and the tests, so both start the same server.

use crate::clock::Clock;
use crate::program_file::{self, ProgramFileError};
use crate::secrets::{key_hash, new_api_key};
use crate::state::{AppState, Programs, Versions};
use crate::webhooks::{Sender, SenderError, WebhookSettings};
use loyalty_core::Program;
use loyalty_core::program::DefinitionErrors;
use loyalty_store::{LoadedProgram, ProgramId, Store, StoreError};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Program files to install (a changed file becomes a new version).
    pub program_files: Vec<PathBuf>,
    /// The admin key of the first program, from `LOYALTY_ADMIN_KEY`.
    pub admin_key: Option<String>,
    /// How webhooks are sent: allowed targets, extra CAs, the timeout.
    pub webhooks: WebhookSettings,
}

/// A program being served, with its admin key.
#[derive(Debug, Clone)]
pub struct ServedProgram {
    pub code: String,
    pub name: String,
    pub version: i64,
    pub admin_key: String,
    pub key_source: KeySource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Taken from `LOYALTY_ADMIN_KEY`.
    Environment,
    /// Generated at this start.
    Generated,
    /// Generated at an earlier start and kept in the database.
    Kept,
}

#[derive(Debug)]
pub struct Started<S> {
    pub state: AppState<S>,
    pub programs: Vec<ServedProgram>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    ProgramFile(#[from] ProgramFileError),
    #[error("no program is loaded: pass --program FILE, for example --program examples/programs/coffee.toml")]
    NoProgram,
    #[error("the stored program {code} is not valid any more: {errors}")]
    StoredProgram { code: String, errors: DefinitionErrors },
    #[error("LOYALTY_ADMIN_KEY must be 16 to 255 visible ASCII characters without spaces")]
    AdminKey,
    #[error(transparent)]
    Webhooks(#[from] SenderError),
    #[error("cannot generate an API key: {0}")]
    Random(getrandom::Error),
}

const ADMIN_KEY_LENGTHS: std::ops::RangeInclusive<usize> = 16..=255;

pub async fn start<S: Store>(store: S, settings: &Settings, clock: Clock) -> Result<Started<S>, StartError> {
    // Before anything is stored: a bad CA bundle stops the start as a bad program does.
    let sender = Sender::new(&settings.webhooks)?;
    let now = clock.now();
    let mut first: Option<ProgramId> = None;
    for path in &settings.program_files {
        let program = program_file::load(path)?;
        let installed = store.install_program(program.definition(), now).await?;
        first.get_or_insert(installed.id);
    }

    let mut loaded = Vec::new();
    for latest in store.programs().await? {
        loaded.push(versions(&store, latest.id).await?);
    }
    // The first program named on the command line, or else the oldest, takes LOYALTY_ADMIN_KEY.
    let first = first.or_else(|| loaded.first().map(Versions::id)).ok_or(StartError::NoProgram)?;
    loaded.sort_by_key(|p| (p.id() != first, p.id()));

    let mut served = Vec::with_capacity(loaded.len());
    for versions in &loaded {
        let program = versions.latest();
        let from_environment = settings.admin_key.as_deref().filter(|_| program.id == first);
        let (admin_key, key_source) = admin_key(&store, program.id, from_environment, &clock).await?;
        served.push(ServedProgram {
            code: program.program.code().to_owned(),
            name: program.program.name().to_owned(),
            version: program.version,
            admin_key,
            key_source,
        });
    }
    let state = AppState::new(Arc::new(store), Programs::new(loaded), clock).with_webhooks(sender);
    Ok(Started { state, programs: served })
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
) -> Result<(String, KeySource), StartError> {
    if let Some(key) = from_environment {
        if !ADMIN_KEY_LENGTHS.contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(StartError::AdminKey);
        }
        store.set_bootstrap_key(program, &key_hash(key), None, clock.now()).await?;
        return Ok((key.to_owned(), KeySource::Environment));
    }
    if let Some(kept) = store.bootstrap_key(program).await? {
        return Ok((kept, KeySource::Kept));
    }
    let key = new_api_key().map_err(StartError::Random)?;
    store.set_bootstrap_key(program, &key_hash(&key), Some(&key), clock.now()).await?;
    Ok((key, KeySource::Generated))
}

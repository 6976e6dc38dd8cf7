//! What every request handler shares.

use crate::clock::Clock;
use loyalty_store::{LoadedProgram, ProgramId, Store};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

#[derive(Debug)]
pub struct AppState<S> {
    pub store: Arc<S>,
    pub programs: Arc<Programs>,
    pub clock: Clock,
}

impl<S> Clone for AppState<S> {
    fn clone(&self) -> Self {
        AppState { store: self.store.clone(), programs: self.programs.clone(), clock: self.clock.clone() }
    }
}

impl<S: Store> AppState<S> {
    pub fn new(store: Arc<S>, programs: Programs, clock: Clock) -> AppState<S> {
        AppState { store, programs: Arc::new(programs), clock }
    }
}

/// The validated programs this server judges events by, by id.
#[derive(Debug, Default)]
pub struct Programs(RwLock<HashMap<ProgramId, LoadedProgram>>);

impl Programs {
    pub fn new(programs: impl IntoIterator<Item = LoadedProgram>) -> Programs {
        Programs(RwLock::new(programs.into_iter().map(|p| (p.id, p)).collect()))
    }

    pub fn get(&self, id: ProgramId) -> Option<LoadedProgram> {
        // A writer that panicked cannot have left a half-made entry: inserts are single calls.
        self.0.read().unwrap_or_else(PoisonError::into_inner).get(&id).cloned()
    }
}

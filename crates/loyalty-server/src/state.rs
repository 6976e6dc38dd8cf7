//! What every request handler shares.

use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::webhooks::Sender;
use loyalty_core::Timestamp;
use loyalty_store::{LoadedProgram, ProgramId, Store};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

#[derive(Debug)]
pub struct AppState<S> {
    pub store: Arc<S>,
    pub programs: Arc<Programs>,
    pub clock: Clock,
    /// Held while a program is changed, so that changes made at once are each made to
    /// the definition the one before left, and none is lost.
    pub(crate) changing: Arc<tokio::sync::Mutex<()>>,
    /// What `GET /metrics` shows.
    pub(crate) metrics: Arc<Metrics>,
    /// What webhooks are sent with (its client pools connections; cloning shares it).
    pub(crate) webhooks: Sender,
    /// When each key's use was last written, so that a burst writes it once.
    pub(crate) key_uses: Arc<crate::auth::KeyUses>,
    /// The rate limits' buckets.
    pub(crate) limits: Arc<crate::rate_limit::RateLimits>,
}

impl<S> Clone for AppState<S> {
    fn clone(&self) -> Self {
        AppState {
            store: self.store.clone(),
            programs: self.programs.clone(),
            clock: self.clock.clone(),
            changing: self.changing.clone(),
            metrics: self.metrics.clone(),
            webhooks: self.webhooks.clone(),
            key_uses: self.key_uses.clone(),
            limits: self.limits.clone(),
        }
    }
}

impl<S: Store> AppState<S> {
    pub fn new(store: Arc<S>, programs: Programs, clock: Clock) -> AppState<S> {
        let metrics = Arc::default();
        let webhooks = Sender::standard();
        AppState {
            store,
            programs: Arc::new(programs),
            clock,
            changing: Arc::default(),
            metrics,
            webhooks,
            key_uses: Arc::default(),
            limits: Arc::new(crate::rate_limit::RateLimits::new(
                &crate::rate_limit::RateLimitSettings::default(),
            )),
        }
    }

    /// The same state, limiting requests as `settings` say.
    pub fn with_rate_limits(mut self, settings: &crate::rate_limit::RateLimitSettings) -> AppState<S> {
        self.limits = Arc::new(crate::rate_limit::RateLimits::new(settings));
        self
    }

    /// The same state, sending webhooks with `sender`.
    pub fn with_webhooks(mut self, sender: Sender) -> AppState<S> {
        self.webhooks = sender;
        self
    }
}

/// Every version of one program, oldest first.
#[derive(Debug, Clone)]
pub struct Versions(Vec<LoadedProgram>);

impl Versions {
    /// `versions` must not be empty.
    pub fn new(mut versions: Vec<LoadedProgram>) -> Option<Versions> {
        versions.sort_by_key(|v| v.version);
        (!versions.is_empty()).then_some(Versions(versions))
    }

    pub fn single(version: LoadedProgram) -> Versions {
        Versions(vec![version])
    }

    pub fn latest(&self) -> &LoadedProgram {
        // `new` refuses an empty list.
        &self.0[self.0.len() - 1]
    }

    /// The version in force at `at`: the latest one in force from `at` or before, or the
    /// first for events older than every version.
    pub fn at(&self, at: Timestamp) -> &LoadedProgram {
        self.0.iter().rev().find(|v| v.effective_from <= at).unwrap_or(&self.0[0])
    }

    pub fn all(&self) -> &[LoadedProgram] {
        &self.0
    }

    pub fn id(&self) -> ProgramId {
        self.latest().id
    }
}

/// The programs this server judges events by, with every version of each.
#[derive(Debug, Default)]
pub struct Programs(RwLock<HashMap<ProgramId, Arc<Versions>>>);

impl Programs {
    pub fn new(programs: impl IntoIterator<Item = Versions>) -> Programs {
        Programs(RwLock::new(programs.into_iter().map(|v| (v.id(), Arc::new(v))).collect()))
    }

    pub fn get(&self, id: ProgramId) -> Option<Arc<Versions>> {
        // A writer that panicked cannot have left a half-made entry: inserts are single calls.
        self.0.read().unwrap_or_else(PoisonError::into_inner).get(&id).cloned()
    }

    /// Every program served, in no particular order.
    pub fn all(&self) -> Vec<Arc<Versions>> {
        self.0.read().unwrap_or_else(PoisonError::into_inner).values().cloned().collect()
    }

    /// Serves `versions` unless the program is served already (by a change made meanwhile,
    /// which is newer).
    pub fn insert_if_absent(&self, versions: Versions) {
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(versions.id())
            .or_insert_with(|| Arc::new(versions));
    }

    /// Serves `versions` from now on, in place of what was served for the program.
    pub fn replace(&self, versions: Versions) {
        self.0.write().unwrap_or_else(PoisonError::into_inner).insert(versions.id(), Arc::new(versions));
    }
}

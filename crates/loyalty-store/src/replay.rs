//! Rebuilding ledgers from the event log: in memory, to check that the stored projections
//! are what the events imply (invariant 4), or into a scratch store, to check the store
//! path itself.

use crate::types::{LoadedProgram, ProgramId, StoredEvent};
use crate::{Store, StoreError};
use loyalty_core::Program;
use loyalty_core::memory::MemoryLedger;
use loyalty_core::snapshot::Snapshot;
use std::collections::HashMap;
use std::sync::Arc;

/// Events read from the log per query.
const PAGE: u32 = 1_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayReport {
    pub events: u64,
    /// Every difference between the rebuilt ledgers and the stored ones.
    pub differences: Vec<String>,
}

/// Every version of every program of `store`, validated.
async fn programs<S: Store>(store: &S) -> Result<Vec<(String, Vec<LoadedProgram>)>, StoreError> {
    let mut all = Vec::new();
    for latest in store.programs().await? {
        let mut versions = Vec::new();
        for stored in store.program_versions(latest.id).await? {
            let program = Program::from_def(stored.definition).map_err(|e| {
                StoreError::corrupt(format!(
                    "program {} version {} is not valid: {e}",
                    latest.id.0, stored.version
                ))
            })?;
            versions.push(LoadedProgram {
                id: stored.id,
                version: stored.version,
                effective_from: stored.effective_from,
                program: Arc::new(program),
            });
        }
        all.push((latest.definition.id, versions));
    }
    Ok(all)
}

/// The event log, read a page at a time.
struct EventLog<'s, S> {
    store: &'s S,
    after: i64,
    page: std::vec::IntoIter<StoredEvent>,
    count: u64,
}

impl<'s, S: Store> EventLog<'s, S> {
    fn new(store: &'s S) -> Self {
        EventLog { store, after: 0, page: Vec::new().into_iter(), count: 0 }
    }

    async fn next(&mut self) -> Result<Option<StoredEvent>, StoreError> {
        if self.page.len() == 0 {
            self.page = self.store.events(self.after, PAGE).await?.into_iter();
        }
        let event = self.page.next();
        if let Some(e) = &event {
            self.after = e.id;
            self.count += 1;
        }
        Ok(event)
    }
}

fn missing_version(event: &StoredEvent) -> String {
    format!("{} names program version {}, which does not exist", describe(event), event.program_version)
}

fn describe(event: &StoredEvent) -> String {
    format!(
        "event {} ({} for member {})",
        event.id,
        event.command.event.kind().as_str(),
        event.command.event.member()
    )
}

/// Replays the whole log in memory and compares the result with what the store holds.
pub async fn in_memory<S: Store>(store: &S) -> Result<ReplayReport, StoreError> {
    let programs = programs(store).await?;
    let versions: HashMap<(ProgramId, i64), Arc<Program>> = programs
        .iter()
        .flat_map(|(_, versions)| versions.iter().map(|p| ((p.id, p.version), p.program.clone())))
        .collect();
    let mut ledgers: HashMap<ProgramId, MemoryLedger> = HashMap::new();
    let mut differences = Vec::new();
    let mut log = EventLog::new(store);
    while let Some(event) = log.next().await? {
        let Some(program) = versions.get(&(event.program, event.program_version)) else {
            differences.push(missing_version(&event));
            continue;
        };
        let ledger = ledgers.entry(event.program).or_default();
        // The event is judged by the segment it recorded, whatever the segments are now.
        if let Some(seen) = event.command.recorded_segment {
            ledger.set_segment(event.command.event.member(), seen.0);
        }
        if let Err(refused) = ledger.submit(program, &event.command.event, event.command.now) {
            differences.push(format!("{} is refused on replay: {}", describe(&event), refused.code()));
        }
    }
    let events = log.count;
    for (code, versions) in &programs {
        let Some(id) = versions.first().map(|p| p.id) else { continue };
        let rebuilt = ledgers.get(&id).map(MemoryLedger::snapshot).unwrap_or_default();
        compare(code, &rebuilt, &store.snapshot(id).await?, &mut differences);
    }
    Ok(ReplayReport { events, differences })
}

/// Replays the log of `source` into `target`, which must be empty, through the store's
/// own command path, then compares the two stores. `progress` hears the count of events
/// replayed so far.
pub async fn into_store<S: Store, T: Store>(
    source: &S,
    target: &T,
    mut progress: impl FnMut(u64),
) -> Result<ReplayReport, StoreError> {
    let programs = programs(source).await?;
    // Installing every version in order gives the target the same version numbers.
    let mut loaded: HashMap<(ProgramId, i64), LoadedProgram> = HashMap::new();
    let mut targets = Vec::new();
    for (code, versions) in &programs {
        let mut target_id = None;
        for version in versions {
            let installed = target.install_program(version.program.definition(), version_time()).await?;
            target_id = Some(installed.id);
            loaded.insert(
                (version.id, version.version),
                LoadedProgram {
                    id: installed.id,
                    version: installed.version,
                    effective_from: version.effective_from,
                    program: version.program.clone(),
                },
            );
        }
        if let (Some(source_id), Some(target_id)) = (versions.first().map(|p| p.id), target_id) {
            targets.push((code.clone(), source_id, target_id));
        }
    }
    let mut differences = Vec::new();
    let mut log = EventLog::new(source);
    while let Some(event) = log.next().await? {
        let Some(program) = loaded.get(&(event.program, event.program_version)) else {
            differences.push(missing_version(&event));
            continue;
        };
        match target.submit(program, &event.command).await {
            Ok(done) if done.replayed => {
                differences.push(format!("{} repeats an earlier event", describe(&event)));
            }
            Ok(_) => {}
            Err(StoreError::Rejected(refused)) => {
                differences.push(format!("{} is refused on replay: {}", describe(&event), refused.code()));
            }
            Err(other) => return Err(other),
        }
        progress(log.count);
    }
    let events = log.count;
    for (code, source_id, target_id) in targets {
        let rebuilt = target.snapshot(target_id).await?;
        compare(&code, &rebuilt, &source.snapshot(source_id).await?, &mut differences);
    }
    Ok(ReplayReport { events, differences })
}

/// Program versions are installed in the scratch store at a fixed time; nothing depends
/// on when they were installed.
fn version_time() -> loyalty_core::Timestamp {
    loyalty_core::Timestamp::from_micros(0)
}

fn compare(code: &str, rebuilt: &Snapshot, stored: &Snapshot, differences: &mut Vec<String>) {
    differences.extend(rebuilt.differences(stored).into_iter().map(|d| format!("program {code}: {d}")));
}

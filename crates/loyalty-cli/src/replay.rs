use crate::{fail, open_existing};
use loyalty_store::{DatabaseUrl, SqlStore, replay};
use std::process::ExitCode;

/// How often progress is reported on long replays.
const PROGRESS_EVERY: u64 = 10_000;

pub async fn run(database: &str) -> ExitCode {
    let (url, source) = match open_existing(database).await {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let scratch_dir = match tempfile::Builder::new().prefix("loyalty-replay-").tempdir() {
        Ok(dir) => dir,
        Err(e) => return fail(format!("cannot make a scratch directory: {e}")),
    };
    let scratch_url = format!("sqlite://{}", scratch_dir.path().join("replay.db").display());
    let scratch = match DatabaseUrl::parse(&scratch_url) {
        Ok(scratch_url) => SqlStore::connect_scratch(&scratch_url).await,
        Err(e) => return fail(e),
    };
    let scratch = match scratch {
        Ok(store) => store,
        Err(e) => return fail(format!("cannot open the scratch store: {e}")),
    };
    eprintln!("replaying the event log of {url} into a scratch store");
    let report = replay::into_store(&source, &scratch, |done| {
        if done % PROGRESS_EVERY == 0 {
            eprintln!("  {done} events replayed");
        }
    })
    .await;
    source.close().await;
    scratch.close().await;
    let report = match report {
        Ok(report) => report,
        Err(e) => return fail(format!("the replay stopped: {e}")),
    };
    if report.differences.is_empty() {
        println!(
            "replayed {} events: every balance, lot, entry, reward and order matches the database",
            report.events
        );
        return ExitCode::SUCCESS;
    }
    println!("replayed {} events; the database differs from its event log:", report.events);
    for difference in &report.differences {
        println!("  {difference}");
    }
    println!("{} differences found", report.differences.len());
    ExitCode::from(1)
}

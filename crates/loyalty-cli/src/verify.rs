use crate::{fail, open_existing};
use loyalty_store::Store;
use std::process::ExitCode;

pub async fn run(database: &str) -> ExitCode {
    let (url, store) = match open_existing(database).await {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let report = store.verify().await;
    store.close().await;
    let report = match report {
        Ok(report) => report,
        Err(e) => return fail(format!("cannot verify {url}: {e}")),
    };
    println!(
        "checked {url}: {} events, {} journal entries, {} members, {} lots",
        report.events, report.entries, report.members, report.lots
    );
    if report.violations.is_empty() {
        println!(
            "ok: entries balance, balances match postings and lots, lots are in bounds, the event log replays to \
             the same ledger, every key had one effect, every reward was paid once, and the roll-forward holds"
        );
        return ExitCode::SUCCESS;
    }
    for v in &report.violations {
        println!("invariant {} broken: {}", v.invariant, v.detail);
    }
    println!("{} problems found", report.violations.len());
    ExitCode::from(1)
}

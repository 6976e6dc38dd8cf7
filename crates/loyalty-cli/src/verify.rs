use crate::fail;
use loyalty_store::{DatabaseUrl, SqlStore, Store};
use std::path::Path;
use std::process::ExitCode;

pub async fn run(database: &str) -> ExitCode {
    let url = match DatabaseUrl::parse(database) {
        Ok(url) => url,
        Err(e) => return fail(e),
    };
    if let Some(path) = url.sqlite_path()
        && !Path::new(path).exists()
    {
        return fail(format!("there is no database at {path}"));
    }
    let store = match SqlStore::connect(&url).await {
        Ok(store) => store,
        Err(e) => return fail(format!("cannot open {url}: {e}")),
    };
    let report = match store.verify().await {
        Ok(report) => report,
        Err(e) => return fail(format!("cannot verify {url}: {e}")),
    };
    store.close().await;
    println!(
        "checked {url}: {} journal entries, {} members, {} lots",
        report.entries, report.members, report.lots
    );
    if report.violations.is_empty() {
        println!(
            "ok: every entry balances, every balance matches its postings and lots, every lot is within bounds"
        );
        return ExitCode::SUCCESS;
    }
    for v in &report.violations {
        println!("invariant {} broken: {}", v.invariant, v.detail);
    }
    println!("{} problems found", report.violations.len());
    ExitCode::from(1)
}

//! Test helpers shared by the loyalty crates. Everything here talks to real databases and
//! real routers; nothing is mocked.

#![allow(clippy::unwrap_used)]

mod api;
mod db;

pub use api::{TestApp, TestResponse};
pub use db::TestDb;

use loyalty_core::{Program, Timestamp};
use std::path::PathBuf;

/// The demo program file.
pub fn coffee_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/programs/coffee.toml")
}

pub fn coffee() -> Program {
    loyalty_server::program_file::load(&coffee_path()).unwrap()
}

pub fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).unwrap()
}

/// Runs each named `async fn(TestDb)` once per backend, as `name::sqlite`, so that every
/// backend passes the very same test body.
#[macro_export]
macro_rules! each_backend {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$test($crate::TestDb::sqlite()).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$test($crate::TestDb::postgres().await).await
            }
        }
    )*};
}

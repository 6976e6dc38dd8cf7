//! Test helpers shared by the loyalty crates. Everything here talks to real databases and
//! real routers; nothing is mocked.

#![allow(clippy::unwrap_used)]

mod api;
pub mod contract;
pub mod db;
mod dump;
pub mod fuzz;
mod https;
mod listener;
pub mod ops;
mod server;

pub use api::{TestApp, TestResponse, local_webhooks};
pub use db::TestDb;
pub use https::HttpsReceiver;
pub use listener::CountingListener;
pub use server::TestServer;

use loyalty_core::{Program, Timestamp};
use std::path::PathBuf;

/// The demo program file.
pub fn coffee_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/programs/coffee.toml")
}

/// The retail example program: every kind of earning rule, caps and velocity review.
pub fn bistro_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/programs/bistro.toml")
}

/// The engagement example program: achievements of several measures and a daily streak.
pub fn bakery_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/programs/bakery.toml")
}

pub fn retail_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/programs/retail.toml")
}

pub fn coffee() -> Program {
    loyalty_server::program_file::load(&coffee_path()).unwrap()
}

/// The demo program with another rounding and another policy for spent points, for tests
/// that must hold whatever the program chooses.
pub fn coffee_variant(rounding: &str, when_points_spent: &str) -> Program {
    let text = std::fs::read_to_string(coffee_path())
        .unwrap()
        .replace("rounding = \"floor\"", &format!("rounding = \"{rounding}\""))
        .replace(
            "when_points_spent = \"negative_balance\"",
            &format!("when_points_spent = \"{when_points_spent}\""),
        );
    loyalty_server::program_file::parse("coffee variant", &text).unwrap()
}

/// Every combination of rounding and spent-points policy of the demo program, and the
/// property-test program (every rule kind, both limits) with each policy.
pub fn coffee_variants() -> Vec<Program> {
    let mut all = Vec::new();
    for rounding in ["floor", "half_up", "ceil"] {
        for policy in ["negative_balance", "clamp"] {
            all.push(coffee_variant(rounding, policy));
        }
    }
    // The second also has every earning extend the member's lots.
    for (policy, extends) in [("negative_balance", false), ("clamp", true)] {
        let mut text = ops::PROPERTY_PROGRAM.replace(
            "when_points_spent = \"negative_balance\"",
            &format!("when_points_spent = \"{policy}\""),
        );
        if extends {
            text = text.replace("months = 1\n", "months = 1\nactivity_extends_all_lots = true\n");
        }
        all.push(loyalty_server::program_file::parse("property program", &text).unwrap());
    }
    all
}

/// The property-test program: every rule kind, tiers, every reward kind, holds.
pub fn property_program() -> Program {
    loyalty_server::program_file::parse("property program", ops::PROPERTY_PROGRAM).unwrap()
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

//! A client of the loyalty engine's API, generated from the repository's `openapi.json`
//! by progenitor when this crate is built (`build.rs`). A route or a type of the API
//! that changes under a user of the client fails to compile here first: the tests drive
//! the README walkthrough through it against a real server.

// The generated code is progenitor's, not ours: its lints are its own.
#[allow(
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    missing_debug_implementations,
    unused,
    unreachable_pub
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/client.rs"));
}

pub use generated::*;

//! The pure heart of the loyalty engine. No IO, no async, no clock: every function here is
//! a deterministic computation on its arguments, so the same events always give the same
//! ledger, whether applied live, replayed, or simulated.

pub mod books;
pub mod calendar;
pub mod decide;
pub mod decision;
pub mod earning;
pub mod engage;
pub mod event;
pub mod explanation;
pub mod feedback;
#[cfg(test)]
mod fixtures;
pub mod ids;
pub mod insight;
pub mod ledger;
pub mod limits;
pub mod lots;
pub mod memory;
pub mod money;
pub mod needs;
pub mod outcome;
pub mod points;
pub mod program;
pub mod rejection;
#[cfg(feature = "schema")]
pub mod schema;
pub mod snapshot;
pub mod spending;
mod spending_view;
mod standing_view;
pub mod state;
pub mod time;
mod wording;

pub use decide::decide;
pub use decision::Decision;
pub use event::Event;
pub use outcome::Outcome;
pub use points::Points;
pub use program::Program;
pub use rejection::Rejection;
pub use state::MemberState;
pub use time::Timestamp;

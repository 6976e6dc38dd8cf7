//! A `POST /v1/events` body: JSON read strictly and decoded into the core's event, every
//! check of the route made, by `loyalty_server::decode_event`. A refusal is fine; a panic
//! is a bug.

#![no_main]

use libfuzzer_sys::fuzz_target;
use loyalty_core::Timestamp;

fuzz_target!(|data: &[u8]| {
    // A fixed "now", for events that do not say when they occurred.
    let now = Timestamp::from_micros(1_767_225_600_000_000);
    let _ = loyalty_server::decode_event(data, now);
});

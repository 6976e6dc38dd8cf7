//! The server's clock. Tests set it; in production it is the system's.
//!
//! A test clock is kept per program: `PUT /v1/admin/clock` moves the caller's program
//! only, so that one merchant's test run never moves another's time. A program whose
//! clock was never set on its own follows the server's test clock.

use loyalty_core::Timestamp;
use loyalty_store::ProgramId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<Manual>>);

#[derive(Debug)]
struct Manual {
    /// The server's test time, which every program without its own follows.
    base: AtomicI64,
    /// The programs whose clock was set on its own, with their time.
    programs: Mutex<HashMap<ProgramId, i64>>,
}

impl Manual {
    fn programs(&self) -> std::sync::MutexGuard<'_, HashMap<ProgramId, i64>> {
        // Every change is one insert or clear: a panic cannot leave half of one.
        self.programs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Clock {
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that stands still at `start` until it is set.
    pub fn manual(start: Timestamp) -> Clock {
        Clock(Some(Arc::new(Manual {
            base: AtomicI64::new(start.as_micros()),
            programs: Mutex::new(HashMap::new()),
        })))
    }

    /// The server's time (the test clock's base when it is one).
    pub fn now(&self) -> Timestamp {
        match &self.0 {
            Some(manual) => Timestamp::from_micros(manual.base.load(Ordering::SeqCst)),
            None => system_now(),
        }
    }

    /// The time in `program`: its own test time if it was set, else the server's.
    pub fn now_for(&self, program: ProgramId) -> Timestamp {
        match &self.0 {
            Some(manual) => match manual.programs().get(&program) {
                Some(&own) => Timestamp::from_micros(own),
                None => Timestamp::from_micros(manual.base.load(Ordering::SeqCst)),
            },
            None => system_now(),
        }
    }

    /// Whether this is a test clock that `set` can move.
    pub fn is_manual(&self) -> bool {
        self.0.is_some()
    }

    /// Moves a manual clock to `to` for every program; returns false (and does nothing) on
    /// the system clock.
    pub fn set(&self, to: Timestamp) -> bool {
        match &self.0 {
            Some(manual) => {
                let mut programs = manual.programs();
                programs.clear();
                manual.base.store(to.as_micros(), Ordering::SeqCst);
                true
            }
            None => false,
        }
    }

    /// Moves one program's test clock to `to`, and no other's; false on the system clock.
    pub fn set_for(&self, program: ProgramId, to: Timestamp) -> bool {
        match &self.0 {
            Some(manual) => {
                manual.programs().insert(program, to.as_micros());
                true
            }
            None => false,
        }
    }
}

fn system_now() -> Timestamp {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    Timestamp::from_micros(i64::try_from(since_epoch.as_micros()).unwrap_or(i64::MAX))
}

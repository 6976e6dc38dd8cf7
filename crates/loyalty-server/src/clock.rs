//! The server's clock. Tests set it; in production it is the system's.

use loyalty_core::Timestamp;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Default)]
pub struct Clock(Option<Arc<AtomicI64>>);

impl Clock {
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that stands still at `start` until it is set.
    pub fn manual(start: Timestamp) -> Clock {
        Clock(Some(Arc::new(AtomicI64::new(start.as_micros()))))
    }

    pub fn now(&self) -> Timestamp {
        match &self.0 {
            Some(manual) => Timestamp::from_micros(manual.load(Ordering::SeqCst)),
            None => {
                let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
                Timestamp::from_micros(i64::try_from(since_epoch.as_micros()).unwrap_or(i64::MAX))
            }
        }
    }

    /// Whether this is a test clock that `set` can move.
    pub fn is_manual(&self) -> bool {
        self.0.is_some()
    }

    /// Moves a manual clock to `to`; returns false (and does nothing) on the system clock.
    pub fn set(&self, to: Timestamp) -> bool {
        match &self.0 {
            Some(manual) => {
                manual.store(to.as_micros(), Ordering::SeqCst);
                true
            }
            None => false,
        }
    }
}

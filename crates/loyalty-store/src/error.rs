use loyalty_core::Rejection;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The engine refused the event; nothing was written.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A value read back from the database breaks a rule it was written under.
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("{0}")]
    BadUrl(String),
}

impl StoreError {
    pub(crate) fn corrupt(what: impl Into<String>) -> StoreError {
        StoreError::Corrupt(what.into())
    }

    /// Whether the operation may succeed if tried again from the start: a concurrent
    /// writer won a race for a unique key, or the database chose this transaction as the
    /// victim of a deadlock or a serialisation conflict.
    pub(crate) fn is_retryable(&self) -> bool {
        let StoreError::Database(sqlx::Error::Database(db)) = self else {
            return false;
        };
        if db.is_unique_violation() {
            return true;
        }
        // PostgreSQL: serialization_failure, deadlock_detected. SQLite: BUSY, LOCKED.
        matches!(db.code().as_deref(), Some("40001" | "40P01" | "5" | "6" | "517" | "262"))
    }
}

//! Database URLs: the scheme chooses the backend.

use crate::StoreError;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A parsed `--database` URL.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    backend: Backend,
    /// The URL handed to the driver.
    driver_url: String,
    /// What to show people: the file path, or the URL without its password.
    shown: String,
}

impl DatabaseUrl {
    /// Parses `sqlite://PATH` (or `sqlite:PATH`) and `postgres://...` (or `postgresql://`).
    /// A SQLite file is created if it does not exist.
    pub fn parse(url: &str) -> Result<DatabaseUrl, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if path.is_empty() || path.contains('?') || path == ":memory:" {
                return Err(StoreError::BadUrl(format!(
                    "`{url}` does not name a database file: use sqlite://PATH, e.g. sqlite://loyalty.db"
                )));
            }
            let encoded: String = path
                .chars()
                .map(|c| match c {
                    '%' => "%25".to_owned(),
                    '#' => "%23".to_owned(),
                    c => c.to_string(),
                })
                .collect();
            return Ok(DatabaseUrl {
                backend: Backend::Sqlite,
                driver_url: format!("sqlite://{encoded}?mode=rwc"),
                shown: path.to_owned(),
            });
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl {
                backend: Backend::Postgres,
                driver_url: url.to_owned(),
                shown: redact(url),
            });
        }
        Err(StoreError::BadUrl(format!(
            "`{}` is not a database URL this engine knows: use sqlite://PATH or postgres://USER@HOST/DATABASE",
            redact(url)
        )))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn driver_url(&self) -> &str {
        &self.driver_url
    }

    /// The SQLite file's path, if this is SQLite.
    pub fn sqlite_path(&self) -> Option<&str> {
        (self.backend == Backend::Sqlite).then_some(self.shown.as_str())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({:?}, {})", self.backend, self.shown)
    }
}

/// Hides a password in `scheme://user:password@host`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_become_files_that_are_created_if_missing() {
        let url = DatabaseUrl::parse("sqlite://data/loyalty.db").unwrap();
        assert_eq!(url.backend(), Backend::Sqlite);
        assert_eq!(url.driver_url(), "sqlite://data/loyalty.db?mode=rwc");
        assert_eq!(url.sqlite_path(), Some("data/loyalty.db"));
        let absolute = DatabaseUrl::parse("sqlite:///tmp/x#1.db").unwrap();
        assert_eq!(absolute.driver_url(), "sqlite:///tmp/x%231.db?mode=rwc");
    }

    #[test]
    fn postgres_urls_hide_their_password_when_shown() {
        let url = DatabaseUrl::parse("postgres://app:secret@db.example/loyalty").unwrap();
        assert_eq!(url.backend(), Backend::Postgres);
        assert_eq!(url.to_string(), "postgres://app:***@db.example/loyalty");
    }

    #[test]
    fn other_urls_are_refused_with_the_accepted_forms() {
        for bad in ["mysql://x", "loyalty.db", "sqlite://", "sqlite::memory:"] {
            let err = DatabaseUrl::parse(bad).unwrap_err().to_string();
            assert!(err.contains("sqlite://PATH"), "{bad}: {err}");
        }
    }
}

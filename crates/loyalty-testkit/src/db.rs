//! Fresh databases for tests, removed afterwards.

use loyalty_store::{DatabaseUrl, SqlStore};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, AssertSqlSafe};
use std::path::PathBuf;
use tempfile::TempDir;

/// A database that exists only for one test.
#[derive(Debug)]
pub struct TestDb {
    url: DatabaseUrl,
    path: Option<PathBuf>,
    _dir: Option<TempDir>,
}

impl TestDb {
    /// A new SQLite file in a temporary directory.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::Builder::new().prefix("loyalty-test-").tempdir().unwrap();
        let path = dir.path().join("loyalty.db");
        let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display())).unwrap();
        TestDb { url, path: Some(path), _dir: Some(dir) }
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The URL as a user would pass it to `--database`.
    pub fn url_text(&self) -> String {
        match &self.path {
            Some(path) => format!("sqlite://{}", path.display()),
            None => self.url.to_string(),
        }
    }

    /// The SQLite file, for tests that break it by hand.
    pub fn sqlite_path(&self) -> Option<&PathBuf> {
        self.path.as_ref()
    }

    pub async fn connect(&self) -> SqlStore {
        SqlStore::connect(&self.url).await.unwrap()
    }

    /// A plain connection pool to the same database, for tests that look at (or break)
    /// rows behind the store's back.
    pub async fn raw(&self) -> AnyPool {
        install_default_drivers();
        AnyPoolOptions::new().max_connections(1).connect(&self.url_text()).await.unwrap()
    }

    /// Counts the rows of `table`.
    pub async fn count(&self, table: &str) -> i64 {
        let pool = self.raw().await;
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let count: i64 = sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(&pool).await.unwrap();
        pool.close().await;
        count
    }
}

//! Fresh databases for tests, removed afterwards.

use loyalty_store::{DatabaseUrl, SqlStore};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, AssertSqlSafe, Executor};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use tempfile::TempDir;

/// The PostgreSQL server tests create their databases on; `LOYALTY_TEST_POSTGRES` overrides it.
pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database that exists only for one test.
#[derive(Debug)]
pub struct TestDb {
    url: DatabaseUrl,
    text: String,
    path: Option<PathBuf>,
    _dir: Option<TempDir>,
    /// The PostgreSQL database to drop when the test ends.
    postgres: Option<String>,
}

static POSTGRES_SEQUENCE: AtomicU32 = AtomicU32::new(0);

fn admin_url() -> String {
    std::env::var("LOYALTY_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned())
}

impl TestDb {
    /// A new SQLite file in a temporary directory.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::Builder::new().prefix("loyalty-test-").tempdir().unwrap();
        let path = dir.path().join("loyalty.db");
        let text = format!("sqlite://{}", path.display());
        let url = DatabaseUrl::parse(&text).unwrap();
        TestDb { url, text, path: Some(path), _dir: Some(dir), postgres: None }
    }

    /// A new, empty PostgreSQL database with a name no other test uses; dropped on drop.
    /// Fails loudly when the server cannot be reached: these tests are never skipped.
    pub async fn postgres() -> TestDb {
        install_default_drivers();
        let admin = admin_url();
        let name = format!(
            "loyalty_test_{}_{}_{}",
            std::process::id(),
            POSTGRES_SEQUENCE.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .subsec_nanos()
        );
        let pool = AnyPoolOptions::new().max_connections(1).connect(&admin).await.unwrap_or_else(|e| {
            panic!("PostgreSQL is not reachable at {admin} ({e}); start it (scripts/test does) or set LOYALTY_TEST_POSTGRES")
        });
        pool.execute(AssertSqlSafe(format!("CREATE DATABASE {name}"))).await.unwrap();
        pool.close().await;
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
        let text = format!("{base}/{name}");
        let url = DatabaseUrl::parse(&text).unwrap();
        TestDb { url, text, path: None, _dir: None, postgres: Some(name) }
    }

    /// Another fresh database on the same backend.
    pub async fn another(&self) -> TestDb {
        if self.is_postgres() { TestDb::postgres().await } else { TestDb::sqlite() }
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The URL as a user would pass it to `--database`.
    pub fn url_text(&self) -> String {
        self.text.clone()
    }

    /// The SQLite file, for tests that break it by hand.
    pub fn sqlite_path(&self) -> Option<&PathBuf> {
        self.path.as_ref()
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    pub async fn connect(&self) -> SqlStore {
        SqlStore::connect(&self.url).await.unwrap()
    }

    /// A plain connection pool to the same database, for tests that look at (or break)
    /// rows behind the store's back.
    pub async fn raw(&self) -> AnyPool {
        install_default_drivers();
        AnyPoolOptions::new().max_connections(1).connect(&self.text).await.unwrap()
    }

    /// Runs one statement behind the store's back (to put rows in a state a test needs);
    /// how many rows it changed.
    pub async fn execute(&self, sql: &str) -> u64 {
        let pool = self.raw().await;
        let done = sqlx::query(AssertSqlSafe(sql.to_owned())).execute(&pool).await.unwrap();
        pool.close().await;
        done.rows_affected()
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

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.postgres.take() else { return };
        let shown = name.clone();
        // Drop runs outside any async context we could borrow, so the database is dropped
        // from a thread with a runtime of its own. FORCE ends connections still open.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                let pool = AnyPoolOptions::new().max_connections(1).connect(&admin_url()).await.ok()?;
                pool.execute(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                    .await
                    .ok()?;
                pool.close().await;
                Some(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!(
                "warning: could not drop the test database {shown}; scripts/test drops leftovers when it starts"
            );
        }
    }
}

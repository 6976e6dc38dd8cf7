//! Everything a database holds, as text: for tests that must prove a value is gone from
//! every table, including tables added after the test was written.

use crate::TestDb;
use sqlx::{AnyPool, AssertSqlSafe, Row};

impl TestDb {
    /// Every non-null value of every table, each as `table.column: value`.
    pub async fn every_value(&self) -> Vec<String> {
        let pool = self.raw().await;
        let mut values = Vec::new();
        for table in self.tables(&pool).await {
            let columns = self.columns(&pool, &table).await;
            assert!(!columns.is_empty(), "table {table} has no columns");
            // As bytes from SQLite, whose blobs need not be UTF-8 (read lossily, text in a
            // blob is still found); as text from PostgreSQL, which cannot cast everything to bytes.
            let cast = if self.is_postgres() { "TEXT" } else { "BLOB" };
            let select: Vec<String> = columns.iter().map(|c| format!("CAST(\"{c}\" AS {cast})")).collect();
            let sql = format!("SELECT {} FROM \"{table}\"", select.join(", "));
            for row in sqlx::query(AssertSqlSafe(sql)).fetch_all(&pool).await.unwrap() {
                for (i, column) in columns.iter().enumerate() {
                    let value = if self.is_postgres() {
                        row.try_get::<Option<String>, _>(i).unwrap()
                    } else {
                        row.try_get::<Option<Vec<u8>>, _>(i)
                            .unwrap()
                            .map(|b| String::from_utf8_lossy(&b).into_owned())
                    };
                    if let Some(value) = value {
                        values.push(format!("{table}.{column}: {value}"));
                    }
                }
            }
        }
        pool.close().await;
        values
    }

    async fn tables(&self, pool: &AnyPool) -> Vec<String> {
        let sql = if self.is_postgres() {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        } else {
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1"
        };
        sqlx::query_scalar(sql).fetch_all(pool).await.unwrap()
    }

    async fn columns(&self, pool: &AnyPool, table: &str) -> Vec<String> {
        let sql = if self.is_postgres() {
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        } else {
            "SELECT name FROM pragma_table_info($1) ORDER BY cid"
        };
        sqlx::query_scalar(sql).bind(table).fetch_all(pool).await.unwrap()
    }
}

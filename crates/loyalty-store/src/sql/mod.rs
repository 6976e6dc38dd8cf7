//! The SQL store. SQLite and PostgreSQL share this code through sqlx's `Any` driver: the
//! statements are written once in the dialect both accept (`$n` parameters, `RETURNING`,
//! partial indexes), and the few differences are in `Dialect`.

mod apply;
mod audit;
mod due;
mod erase;
pub(crate) mod export;
mod keys;
mod leaderboards;
mod log;
mod member_tokens;
mod platform;
mod programs;
mod read;
mod reports;
mod rows;
mod search;
mod segments;
mod snapshot;
mod spending;
mod state;
mod submit;
mod surveys;
mod verify;
mod webhooks;

pub use webhooks::EVENT_TYPES as WEBHOOK_EVENT_TYPES;

use crate::types::*;
use crate::url::{Backend, DatabaseUrl};
use crate::{MemberSegment, SegmentPage, SegmentSpread, SegmentTotals};
use crate::{Store, StoreError};
use loyalty_core::Timestamp;
use loyalty_core::decision::HistoryTopic;
use loyalty_core::feedback::SurveyKind;
use loyalty_core::feedback::report::ScoreCount;
use loyalty_core::ids::MemberId;
use loyalty_core::ids::{ExternalId, HoldId, InstanceCode};
use loyalty_core::insight::{MemberFacts, MemberScore, Segment};
use loyalty_core::outcome::MemberView;
use loyalty_core::program::ProgramDef;
use loyalty_core::snapshot::Snapshot;
use loyalty_core::spending::{HoldRecord, RewardInstance};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::collections::BTreeMap;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Connections kept open for PostgreSQL, shared by readers and writers.
const POSTGRES_CONNECTIONS: u32 = 16;
/// Read connections to a SQLite file; WAL lets them read while the writer writes.
const SQLITE_READERS: u32 = 4;

#[derive(Debug, Clone)]
pub struct SqlStore {
    backend: Backend,
    /// SQLite allows one writer at a time, so its writer pool has one connection: waiting
    /// for it is waiting for the write lock, in order, without busy retries. PostgreSQL
    /// writers share the one pool and serialise per member with row locks.
    writer: AnyPool,
    reader: AnyPool,
}

impl SqlStore {
    /// Opens (creating a SQLite file if needed) and migrates the database.
    pub async fn connect(url: &DatabaseUrl) -> Result<SqlStore, StoreError> {
        SqlStore::open(url, Durability::Full).await
    }

    /// Opens a SQLite file whose contents may be lost in a crash, for scratch work such
    /// as a replay that is thrown away afterwards.
    pub async fn connect_scratch(url: &DatabaseUrl) -> Result<SqlStore, StoreError> {
        SqlStore::open(url, Durability::Scratch).await
    }

    /// Opens the database for work that running again finishes, such as an import keyed
    /// by its rows: a commit does not wait for the disk, so a crash keeps the database
    /// whole but may lose the last commits. `make_durable` waits for every commit so far.
    pub async fn connect_resumable(url: &DatabaseUrl) -> Result<SqlStore, StoreError> {
        SqlStore::open(url, Durability::Resumable).await
    }

    /// After a bulk load: on PostgreSQL, marks the loaded tables' pages all-visible (so that
    /// the reports and leaderboard ranks read their indexes alone) and refreshes the
    /// planner's statistics, as autovacuum would in time. SQLite needs neither.
    pub async fn settle_bulk_load(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query(
                "VACUUM (ANALYZE) postings, journal_entries, members, lots, orders, leaderboard_scores",
            )
            .execute(&self.writer)
            .await?;
        }
        Ok(())
    }

    /// Waits until every commit made through this store is on disk.
    pub async fn make_durable(&self) -> Result<(), StoreError> {
        match self.backend {
            // A checkpoint syncs the log, then copies it into the file and syncs that.
            Backend::Sqlite => {
                sqlx::query("PRAGMA wal_checkpoint(FULL)").execute(&self.writer).await?;
            }
            // A commit that waits for the disk waits for every earlier commit, as the log
            // is written in order; taking a transaction id makes it write a commit record.
            Backend::Postgres => {
                let mut tx = self.writer.begin().await?;
                sqlx::query("SET LOCAL synchronous_commit = on").execute(&mut *tx).await?;
                sqlx::query("SELECT CAST(txid_current() AS BIGINT)").execute(&mut *tx).await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    async fn open(url: &DatabaseUrl, durability: Durability) -> Result<SqlStore, StoreError> {
        install_default_drivers();
        let store = match url.backend() {
            Backend::Sqlite => {
                let writer = sqlite_pool(1, durability).connect(url.driver_url()).await?;
                // The first connection switches the file to WAL before readers open it.
                let reader = sqlite_pool(SQLITE_READERS, durability).connect(url.driver_url()).await?;
                SqlStore { backend: Backend::Sqlite, writer, reader }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(POSTGRES_CONNECTIONS)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(move |conn, _| {
                        Box::pin(async move {
                            if durability != Durability::Full {
                                conn.execute("SET synchronous_commit = off").await?;
                            }
                            Ok(())
                        })
                    })
                    .connect(url.driver_url())
                    .await?;
                SqlStore { backend: Backend::Postgres, writer: pool.clone(), reader: pool }
            }
        };
        let migrator = match store.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&store.writer).await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction on the connection the store writes through, with the same
    /// locking and durability. For benchmarks that compare the engine with plain SQL on
    /// equal terms; nothing else should write behind the store's back.
    pub async fn begin_raw_write(&self) -> Result<Transaction<'static, Any>, StoreError> {
        Ok(self.begin_write().await?)
    }

    /// Closes every connection, waiting for work in flight.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once, so a
    /// transaction that reads before it writes cannot be refused the lock half-way.
    async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.writer.begin().await,
        }
    }

    fn dialect(&self) -> Dialect {
        Dialect(self.backend)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Durability {
    /// A commit is on disk before the client hears of it.
    Full,
    /// Nothing waits for the disk.
    Scratch,
    /// Commits do not wait for the disk, but what is on it is always whole.
    Resumable,
}

fn sqlite_pool(connections: u32, durability: Durability) -> AnyPoolOptions {
    AnyPoolOptions::new().max_connections(connections).acquire_timeout(Duration::from_secs(60)).after_connect(
        move |conn, _| {
            Box::pin(async move {
                let synchronous = match durability {
                    Durability::Full => "PRAGMA synchronous = FULL",
                    Durability::Scratch => "PRAGMA synchronous = OFF",
                    // In WAL mode the log is synced at each checkpoint, not each commit.
                    Durability::Resumable => "PRAGMA synchronous = NORMAL",
                };
                for pragma in [
                    "PRAGMA journal_mode = WAL",
                    synchronous,
                    "PRAGMA foreign_keys = ON",
                    "PRAGMA busy_timeout = 5000",
                ] {
                    conn.execute(pragma).await?;
                }
                Ok(())
            })
        },
    )
}

/// The statements that differ between backends.
#[derive(Debug, Clone, Copy)]
struct Dialect(Backend);

impl Dialect {
    /// `sql` with the rows it reads locked until the transaction ends, on PostgreSQL: two
    /// events for one member (or one budget) are then decided one after the other. SQLite's
    /// single writer already serialises every write transaction.
    fn locked(self, sql: String) -> String {
        match self.0 {
            Backend::Sqlite => sql,
            Backend::Postgres => sql + " FOR UPDATE",
        }
    }
}

/// How many times a command is tried in all: the first attempt, a retry that looks for an
/// earlier request after a unique index refused a write, and retries after lost races
/// (see `StoreError::is_retryable`).
const MAX_ATTEMPTS: u32 = 8;

impl Store for SqlStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    async fn install_program_from(
        &self,
        definition: &ProgramDef,
        origin: ProgramOrigin,
        now: Timestamp,
    ) -> Result<InstalledProgram, StoreError> {
        programs::install(self, definition, origin, now).await
    }

    async fn programs(&self) -> Result<Vec<StoredProgram>, StoreError> {
        programs::latest(&self.reader).await
    }

    async fn program_by_code(&self, code: &str) -> Result<Option<StoredProgram>, StoreError> {
        programs::latest_by_code(&self.reader, code).await
    }

    async fn program_versions(&self, program: ProgramId) -> Result<Vec<StoredProgram>, StoreError> {
        programs::versions(&self.reader, program).await
    }

    async fn events(&self, after: i64, limit: u32) -> Result<Vec<StoredEvent>, StoreError> {
        log::events(&self.reader, after, limit).await
    }

    async fn snapshot(&self, program: ProgramId) -> Result<Snapshot, StoreError> {
        snapshot::read(&self.reader, program).await
    }

    async fn set_bootstrap_key(
        &self,
        program: ProgramId,
        key_hash: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        keys::set_bootstrap(self, program, key_hash, now).await
    }

    async fn record_audit(&self, entry: &AuditEntry) -> Result<i64, StoreError> {
        audit::record(self, entry).await
    }

    async fn audit(
        &self,
        program: ProgramId,
        query: &AuditQuery,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        audit::list(&self.reader, program, query, after, limit).await
    }

    async fn member_token_signing_secret(
        &self,
        program: ProgramId,
        fresh: &str,
        not_before: Timestamp,
        now: Timestamp,
    ) -> Result<TokenSecret, StoreError> {
        member_tokens::signing(self, program, fresh, not_before, now).await
    }

    async fn member_token_secret(&self, id: i64) -> Result<Option<TokenSecret>, StoreError> {
        member_tokens::find(&self.reader, id).await
    }

    async fn member_token_generation(
        &self,
        program: ProgramId,
        member: &ExternalId,
    ) -> Result<i64, StoreError> {
        member_tokens::generation(&self.reader, program, member).await
    }

    async fn revoke_member_tokens(&self, program: ProgramId, member: &ExternalId) -> Result<i64, StoreError> {
        member_tokens::revoke(self, program, member).await
    }

    async fn create_program(
        &self,
        definition: &ProgramDef,
        first_key: &NewKey,
        now: Timestamp,
    ) -> Result<Option<(InstalledProgram, KeyInfo)>, StoreError> {
        programs::create(self, definition, first_key, now).await
    }

    async fn archive_program(
        &self,
        program: ProgramId,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError> {
        programs::archive(self, program, now).await
    }

    async fn set_platform_key(&self, key_hash: &str, now: Timestamp) -> Result<(), StoreError> {
        platform::set(self, key_hash, now).await
    }

    async fn has_platform_key(&self) -> Result<bool, StoreError> {
        platform::exists(&self.reader).await
    }

    async fn is_platform_key(&self, key_hash: &str) -> Result<bool, StoreError> {
        platform::is_key(&self.reader, key_hash).await
    }

    async fn has_bootstrap_key(&self, program: ProgramId) -> Result<bool, StoreError> {
        keys::has_bootstrap(&self.reader, program).await
    }

    async fn add_api_key(
        &self,
        program: ProgramId,
        role: Role,
        name: &str,
        key_hash: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let key = NewKey {
            name: name.to_owned(),
            role,
            key_hash: key_hash.to_owned(),
            prefix: None,
            expires_at: None,
        };
        keys::create(self, program, &key, now).await.map(|_| ())
    }

    async fn api_key(&self, key_hash: &str, now: Timestamp) -> Result<Option<ApiKey>, StoreError> {
        keys::find(&self.reader, key_hash, now).await
    }

    async fn create_api_key(
        &self,
        program: ProgramId,
        key: &NewKey,
        now: Timestamp,
    ) -> Result<KeyInfo, StoreError> {
        keys::create(self, program, key, now).await
    }

    async fn api_keys(&self, program: ProgramId, now: Timestamp) -> Result<Vec<KeyInfo>, StoreError> {
        keys::list(&self.reader, program, now).await
    }

    async fn rotate_api_key(
        &self,
        program: ProgramId,
        id: i64,
        secret: (&str, &str),
        grace_until: Timestamp,
        now: Timestamp,
    ) -> Result<Option<KeyInfo>, StoreError> {
        keys::rotate(self, program, id, secret, grace_until, now).await
    }

    async fn revoke_api_key(&self, program: ProgramId, id: i64, now: Timestamp) -> Result<bool, StoreError> {
        keys::revoke(self, program, id, now).await
    }

    async fn touch_api_key(&self, id: i64, now: Timestamp) -> Result<(), StoreError> {
        keys::touch(self, id, now).await
    }

    async fn submit(&self, program: &LoadedProgram, command: &Command) -> Result<Submitted, StoreError> {
        let mut attempt = 1;
        loop {
            let priors = if attempt == 1 { submit::Priors::WhenRefused } else { submit::Priors::First };
            match submit::run(self, program, command, priors).await {
                Err(e) if e.is_retryable() && attempt < MAX_ATTEMPTS => {
                    tracing::debug!(attempt, error = %e, "trying a command again");
                    // The first retry usually follows a repeated request, which needs no
                    // wait; later ones follow contention, which a short backoff eases.
                    if attempt > 1 {
                        tokio::time::sleep(Duration::from_millis(u64::from(attempt) * 2)).await;
                    }
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    async fn member(
        &self,
        program: &LoadedProgram,
        external_id: &ExternalId,
        at: Timestamp,
    ) -> Result<Option<MemberView>, StoreError> {
        read::member(&self.reader, program, external_id, at).await
    }

    async fn member_history(
        &self,
        program: ProgramId,
        external_id: &ExternalId,
        topic: Option<HistoryTopic>,
    ) -> Result<Option<Vec<HistoryEntry>>, StoreError> {
        read::member_history(&self.reader, program, external_id, topic).await
    }

    async fn member_counters(
        &self,
        program: ProgramId,
        external_id: &ExternalId,
        prefix: &str,
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        read::member_counters(&self.reader, program, external_id, prefix).await
    }

    async fn reward_code(
        &self,
        program: ProgramId,
        code: &InstanceCode,
    ) -> Result<Option<(ExternalId, RewardInstance)>, StoreError> {
        spending::code(&mut *self.reader.acquire().await?, program, code).await
    }

    async fn member_codes(
        &self,
        program: ProgramId,
        external_id: &ExternalId,
    ) -> Result<Option<Vec<RewardInstance>>, StoreError> {
        let mut conn = self.reader.acquire().await?;
        let row = sqlx::query("SELECT id FROM members WHERE program_id = $1 AND external_id = $2")
            .bind(program.0)
            .bind(external_id.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let member = rows::int(&row, "id")?;
        spending::instances(&mut conn, program, member, None).await.map(Some)
    }

    async fn hold(
        &self,
        program: ProgramId,
        hold_id: &HoldId,
    ) -> Result<Option<(ExternalId, HoldRecord)>, StoreError> {
        spending::hold_by_id(&mut *self.reader.acquire().await?, program, hold_id).await
    }

    async fn due_holds(
        &self,
        program: ProgramId,
        until: Timestamp,
        after: i64,
        limit: u32,
    ) -> Result<Vec<DueItem<HoldRecord>>, StoreError> {
        let rows =
            spending::due_holds(&mut *self.reader.acquire().await?, program, until, after, limit).await?;
        Ok(rows.into_iter().map(|(row, external_id, item)| DueItem { row, external_id, item }).collect())
    }

    async fn due_codes(
        &self,
        program: ProgramId,
        until: Timestamp,
        after: i64,
        limit: u32,
    ) -> Result<Vec<DueItem<RewardInstance>>, StoreError> {
        let rows =
            spending::due_codes(&mut *self.reader.acquire().await?, program, until, after, limit).await?;
        Ok(rows.into_iter().map(|(row, external_id, item)| DueItem { row, external_id, item }).collect())
    }

    async fn donations(
        &self,
        program: ProgramId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<DonationTotal>, StoreError> {
        spending::donations(&mut *self.reader.acquire().await?, program, from, to).await
    }

    async fn liability(
        &self,
        program: ProgramId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<LiabilitySums>, StoreError> {
        reports::liability(&self.reader, program, from, to).await
    }

    async fn breakage(
        &self,
        program: ProgramId,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<BreakageSums, StoreError> {
        reports::breakage(&self.reader, program, since, until).await
    }

    async fn survey_scores(
        &self,
        program: ProgramId,
        kind: SurveyKind,
        from: Timestamp,
        to: Timestamp,
        survey: Option<&str>,
    ) -> Result<Vec<ScoreCount>, StoreError> {
        surveys::score_counts(&self.reader, program, kind, from, to, survey).await
    }

    async fn kpis(&self, program: ProgramId, from: Timestamp, to: Timestamp) -> Result<KpiSums, StoreError> {
        reports::kpis(&self.reader, program, from, to).await
    }

    async fn add_webhook(
        &self,
        program: ProgramId,
        url: &str,
        secret: &str,
        types: &[String],
        now: Timestamp,
    ) -> Result<WebhookSubscription, StoreError> {
        webhooks::add(&self.writer, program, url, secret, types, now).await
    }

    async fn webhooks(&self, program: ProgramId) -> Result<Vec<WebhookSubscription>, StoreError> {
        webhooks::list(&self.reader, program).await
    }

    async fn remove_webhook(&self, program: ProgramId, id: i64) -> Result<bool, StoreError> {
        webhooks::deactivate(&self.writer, program, id).await
    }

    async fn due_deliveries(
        &self,
        program: Option<ProgramId>,
        now: Timestamp,
        limit: u32,
        until: Timestamp,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        webhooks::due(&self.writer, self.backend, program, now, limit, until).await
    }

    async fn queued_deliveries(
        &self,
        program: Option<ProgramId>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        webhooks::queued(&self.reader, program, after, limit).await
    }

    async fn release_deliveries(&self, ids: &[i64], at: Timestamp) -> Result<(), StoreError> {
        webhooks::release(&self.writer, ids, at).await
    }

    async fn record_attempt(
        &self,
        id: i64,
        attempt: &DeliveryAttempt,
        result: AttemptResult,
    ) -> Result<(), StoreError> {
        webhooks::record(&self.writer, id, attempt, result).await
    }

    async fn deliveries(
        &self,
        program: ProgramId,
        state: Option<&str>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError> {
        webhooks::deliveries(&self.reader, program, state, before, limit).await
    }

    async fn delivery(
        &self,
        program: ProgramId,
        id: i64,
    ) -> Result<Option<(Delivery, Vec<DeliveryAttempt>)>, StoreError> {
        webhooks::delivery_log(&self.reader, program, id).await
    }

    async fn replay_delivery(&self, program: ProgramId, id: i64, now: Timestamp) -> Result<bool, StoreError> {
        webhooks::replay(&self.writer, program, id, now).await
    }

    async fn webhook_backlog(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        webhooks::backlog(&self.reader).await
    }

    async fn members_counting(
        &self,
        program: ProgramId,
        keys: &[String],
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        read::members_counting(&self.reader, program, keys).await
    }

    async fn leaderboard_top(
        &self,
        program: ProgramId,
        query: &BoardQuery,
    ) -> Result<Vec<BoardRow>, StoreError> {
        leaderboards::top(&self.reader, program, query).await
    }

    async fn leaderboard_standing(
        &self,
        program: ProgramId,
        member: &ExternalId,
        query: &BoardQuery,
    ) -> Result<(i64, i64), StoreError> {
        leaderboards::standing(&self.reader, program, member, query).await
    }

    async fn program_counters(
        &self,
        program: ProgramId,
        prefix: &str,
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        read::program_counters(&self.reader, program, prefix).await
    }

    async fn search_members(
        &self,
        program: ProgramId,
        search: &MemberSearch,
        after: Option<i64>,
        limit: u32,
    ) -> Result<MemberSearchPage, StoreError> {
        search::search_members(&self.reader, self.backend, program, search, after, limit).await
    }

    async fn ledger(
        &self,
        program: ProgramId,
        external_id: &ExternalId,
        limit: u32,
        before: Option<i64>,
    ) -> Result<LedgerPage, StoreError> {
        read::ledger(&self.reader, program, external_id, limit, before).await
    }

    async fn due(
        &self,
        program: ProgramId,
        work: DueWork,
        after: Option<DueCursor>,
        limit: u32,
    ) -> Result<Vec<Due>, StoreError> {
        due::due(&self.reader, program, work, after, limit).await
    }

    async fn birthdays(
        &self,
        program: ProgramId,
        month_days: &[String],
        after: loyalty_core::ids::MemberId,
        limit: u32,
    ) -> Result<Vec<(loyalty_core::ids::MemberId, ExternalId)>, StoreError> {
        due::birthdays(&self.reader, program, month_days, after, limit).await
    }

    async fn last_job_run(&self, program: ProgramId, job: &str) -> Result<Option<Timestamp>, StoreError> {
        due::last_run(&self.reader, program, job).await
    }

    async fn record_job_run(&self, program: ProgramId, job: &str, at: Timestamp) -> Result<(), StoreError> {
        due::record_run(&self.writer, program, job, at).await
    }

    async fn verify(&self) -> Result<VerifyReport, StoreError> {
        verify::run(self, &self.reader).await
    }

    async fn erase_member(
        &self,
        program: ProgramId,
        external_id: &ExternalId,
        replacement: &ExternalId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        erase::erase(self, program, external_id, replacement, at).await
    }

    async fn purchase_facts(
        &self,
        program: ProgramId,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<(MemberId, MemberFacts)>, StoreError> {
        segments::purchase_facts(&self.reader, program, since, until).await
    }

    async fn replace_segments(
        &self,
        program: ProgramId,
        scores: &[(MemberId, MemberScore)],
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        segments::replace(&mut tx, program, scores, at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn member_segment(
        &self,
        program: ProgramId,
        external_id: &ExternalId,
    ) -> Result<MemberSegment, StoreError> {
        segments::member_segment(&self.reader, program, external_id).await
    }

    async fn segment_totals(
        &self,
        program: ProgramId,
    ) -> Result<Option<(Timestamp, Vec<SegmentTotals>)>, StoreError> {
        segments::totals(&self.reader, program).await
    }

    async fn point_flows(
        &self,
        program: ProgramId,
        bounds: &[Timestamp],
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        reports::flows(&self.reader, program, bounds).await
    }

    async fn segment_spread(&self, program: ProgramId) -> Result<SegmentSpread, StoreError> {
        segments::spread(&self.reader, program).await
    }

    async fn segment_members(
        &self,
        program: ProgramId,
        segment: Segment,
        after: i64,
        limit: u32,
    ) -> Result<SegmentPage, StoreError> {
        segments::members(&self.reader, program, segment, after, limit).await
    }

    async fn category_spend(
        &self,
        program: ProgramId,
        external_id: &ExternalId,
        since: Timestamp,
    ) -> Result<Option<BTreeMap<String, i64>>, StoreError> {
        segments::category_spend(&self.reader, program, external_id, since).await
    }
}

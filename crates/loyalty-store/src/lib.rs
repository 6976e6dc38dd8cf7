//! Persistence for the loyalty engine. The `Store` trait's methods are use cases; the SQL
//! implementation serves SQLite and PostgreSQL from one body of code, with one migration
//! directory per backend.

mod error;
pub mod replay;
mod segments;
mod sql;
mod types;
mod url;

pub use error::StoreError;
pub use segments::{MemberSegment, SegmentPage, SegmentSpread, SegmentTotals, StoredSegment};
pub use sql::{SqlStore, WEBHOOK_EVENT_TYPES};
pub use types::*;
pub use url::{Backend, DatabaseUrl};

use loyalty_core::Timestamp;
use loyalty_core::decision::HistoryTopic;
use loyalty_core::feedback::SurveyKind;
use loyalty_core::feedback::report::ScoreCount;
use loyalty_core::ids::{ExternalId, HoldId, InstanceCode, MemberId};
use loyalty_core::insight::{MemberFacts, MemberScore, Segment};
use loyalty_core::outcome::MemberView;
use loyalty_core::program::ProgramDef;
use loyalty_core::snapshot::Snapshot;
use loyalty_core::spending::{HoldRecord, RewardInstance};
use std::collections::BTreeMap;
use std::future::Future;

/// Everything the engine asks of its database.
pub trait Store: Send + Sync + 'static {
    /// Succeeds when the database answers.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores a program definition read from a program file; a changed definition becomes
    /// a new version.
    fn install_program(
        &self,
        definition: &ProgramDef,
        now: Timestamp,
    ) -> impl Future<Output = Result<InstalledProgram, StoreError>> + Send {
        self.install_program_from(definition, ProgramOrigin::File, now)
    }

    /// Stores a program definition and where it came from; a definition that differs from
    /// the latest version becomes a new version.
    fn install_program_from(
        &self,
        definition: &ProgramDef,
        origin: ProgramOrigin,
        now: Timestamp,
    ) -> impl Future<Output = Result<InstalledProgram, StoreError>> + Send;

    /// The latest version of every program.
    fn programs(&self) -> impl Future<Output = Result<Vec<StoredProgram>, StoreError>> + Send;

    /// The latest version of the program with this code, if there is one.
    fn program_by_code(
        &self,
        code: &str,
    ) -> impl Future<Output = Result<Option<StoredProgram>, StoreError>> + Send;

    /// Makes `key_hash` the program's bootstrap admin key, revoking any earlier one. Only
    /// the hash is stored: a generated key is shown once, by whoever generated it.
    fn set_bootstrap_key(
        &self,
        program: ProgramId,
        key_hash: &str,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Every version of one program, oldest first.
    fn program_versions(
        &self,
        program: ProgramId,
    ) -> impl Future<Output = Result<Vec<StoredProgram>, StoreError>> + Send;

    /// Events of every program in the order they were applied, `limit` at a time, after
    /// event `after` (0 for the first page).
    fn events(
        &self,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, StoreError>> + Send;

    /// A program's whole ledger as id-free data.
    fn snapshot(&self, program: ProgramId) -> impl Future<Output = Result<Snapshot, StoreError>> + Send;

    /// Adds a row to the audit trail; its id.
    fn record_audit(&self, entry: &AuditEntry) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// The program's audit rows matching `query`, oldest first, `limit` at a time after
    /// row `after`.
    fn audit(
        &self,
        program: ProgramId,
        query: &AuditQuery,
        after: Option<i64>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<AuditRecord>, StoreError>> + Send;

    /// The secret to sign `program`'s member tokens with: its newest made at or after
    /// `not_before`, or else `fresh` (hex of 32 random bytes), stored at `now`.
    fn member_token_signing_secret(
        &self,
        program: ProgramId,
        fresh: &str,
        not_before: Timestamp,
        now: Timestamp,
    ) -> impl Future<Output = Result<TokenSecret, StoreError>> + Send;

    /// Member token secret `id`.
    fn member_token_secret(
        &self,
        id: i64,
    ) -> impl Future<Output = Result<Option<TokenSecret>, StoreError>> + Send;

    /// The generation the member's live tokens carry: 0 until they are first revoked.
    fn member_token_generation(
        &self,
        program: ProgramId,
        member: &ExternalId,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// Ends every token of the member made so far; gives the new generation.
    fn revoke_member_tokens(
        &self,
        program: ProgramId,
        member: &ExternalId,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// Makes a new program (made over the API) and its first key, together; `None` if a
    /// program of that code exists.
    fn create_program(
        &self,
        definition: &ProgramDef,
        first_key: &NewKey,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<(InstalledProgram, KeyInfo)>, StoreError>> + Send;

    /// Archives the program at `now` (it takes no more writes): when it was archived (now,
    /// or earlier if it already was), `None` if there is no such program.
    fn archive_program(
        &self,
        program: ProgramId,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<Timestamp>, StoreError>> + Send;

    /// Makes `key_hash` the platform key (the one that manages programs), revoking any
    /// other. Only the hash is stored.
    fn set_platform_key(
        &self,
        key_hash: &str,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Whether a platform key is live.
    fn has_platform_key(&self) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Whether `key_hash` is the live platform key's.
    fn is_platform_key(&self, key_hash: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Whether the program has a live (not revoked) bootstrap admin key.
    fn has_bootstrap_key(&self, program: ProgramId) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Adds an API key (stored as the hash of its secret).
    fn add_api_key(
        &self,
        program: ProgramId,
        role: Role,
        name: &str,
        key_hash: &str,
        now: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The key whose secret hashes to `key_hash`, if it is live at `now` (not expired, not
    /// revoked, not past a rotation's grace period).
    fn api_key(
        &self,
        key_hash: &str,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<ApiKey>, StoreError>> + Send;

    /// Makes a key and gives what may be shown of it.
    fn create_api_key(
        &self,
        program: ProgramId,
        key: &NewKey,
        now: Timestamp,
    ) -> impl Future<Output = Result<KeyInfo, StoreError>> + Send;

    /// The program's keys live at `now`, oldest first.
    fn api_keys(
        &self,
        program: ProgramId,
        now: Timestamp,
    ) -> impl Future<Output = Result<Vec<KeyInfo>, StoreError>> + Send;

    /// Gives the live key `id` a new secret (`(hash, prefix)`), as a new key of the same
    /// name, role and expiry; the old secret works until `grace_until`. `None` if the
    /// program has no such live key.
    fn rotate_api_key(
        &self,
        program: ProgramId,
        id: i64,
        secret: (&str, &str),
        grace_until: Timestamp,
        now: Timestamp,
    ) -> impl Future<Output = Result<Option<KeyInfo>, StoreError>> + Send;

    /// Ends the live key `id` at `now`; false if the program has no such live key.
    fn revoke_api_key(
        &self,
        program: ProgramId,
        id: i64,
        now: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records that key `id` was used at `now` (at most once a minute is written).
    fn touch_api_key(&self, id: i64, now: Timestamp) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Applies one event: idempotency, then `decide`, then every write in one transaction.
    fn submit(
        &self,
        program: &LoadedProgram,
        command: &Command,
    ) -> impl Future<Output = Result<Submitted, StoreError>> + Send;

    /// A member as their page shows them at `at`: with their tier then and what the next
    /// one needs, under the latest version of `program`.
    fn member(
        &self,
        program: &LoadedProgram,
        external_id: &ExternalId,
        at: Timestamp,
    ) -> impl Future<Output = Result<Option<MemberView>, StoreError>> + Send;

    /// The member's history of tier, subscription and status changes (of `topic` only, if
    /// given), oldest first; `None` if there is no such member.
    fn member_history(
        &self,
        program: ProgramId,
        external_id: &ExternalId,
        topic: Option<HistoryTopic>,
    ) -> impl Future<Output = Result<Option<Vec<HistoryEntry>>, StoreError>> + Send;

    /// A member's counters whose key starts with `prefix` (punch card progress).
    fn member_counters(
        &self,
        program: ProgramId,
        external_id: &ExternalId,
        prefix: &str,
    ) -> impl Future<Output = Result<BTreeMap<String, i64>, StoreError>> + Send;

    /// For each of `keys`, how many members' counters of that key are above zero
    /// (members who completed an achievement).
    fn members_counting(
        &self,
        program: ProgramId,
        keys: &[String],
    ) -> impl Future<Output = Result<BTreeMap<String, i64>, StoreError>> + Send;

    /// A leaderboard's best scores of members opted in and in its scope, best first
    /// (ties in the order members enrolled), at most `query.limit`.
    fn leaderboard_top(
        &self,
        program: ProgramId,
        query: &BoardQuery,
    ) -> impl Future<Output = Result<Vec<BoardRow>, StoreError>> + Send;

    /// A member's score on a leaderboard, and how many members shown on it score more.
    fn leaderboard_standing(
        &self,
        program: ProgramId,
        member: &ExternalId,
        query: &BoardQuery,
    ) -> impl Future<Output = Result<(i64, i64), StoreError>> + Send;

    /// The program's own counters (campaign budgets) whose key starts with `prefix`.
    fn program_counters(
        &self,
        program: ProgramId,
        prefix: &str,
    ) -> impl Future<Output = Result<BTreeMap<String, i64>, StoreError>> + Send;

    /// Members matching `search`, in member id order, `limit` at a time after member id
    /// `after`.
    fn search_members(
        &self,
        program: ProgramId,
        search: &MemberSearch,
        after: Option<i64>,
        limit: u32,
    ) -> impl Future<Output = Result<MemberSearchPage, StoreError>> + Send;

    /// A member's journal entries with their postings, newest first, `limit` at a time,
    /// starting below entry `before`. A `MemberNotFound` rejection if there is no member.
    fn ledger(
        &self,
        program: ProgramId,
        external_id: &ExternalId,
        limit: u32,
        before: Option<i64>,
    ) -> impl Future<Output = Result<LedgerPage, StoreError>> + Send;

    /// Who has `work` due, earliest first, `limit` at a time after `after`.
    fn due(
        &self,
        program: ProgramId,
        work: DueWork,
        after: Option<DueCursor>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Due>, StoreError>> + Send;

    /// Active members born on one of `month_days` (`MM-DD`), by id after `after`.
    fn birthdays(
        &self,
        program: ProgramId,
        month_days: &[String],
        after: MemberId,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(MemberId, ExternalId)>, StoreError>> + Send;

    /// When `job` (a job's name, `birthdays`) of the program last finished a run.
    fn last_job_run(
        &self,
        program: ProgramId,
        job: &str,
    ) -> impl Future<Output = Result<Option<Timestamp>, StoreError>> + Send;

    /// Records that `job` of the program finished a run at `at`.
    fn record_job_run(
        &self,
        program: ProgramId,
        job: &str,
        at: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The program's reward code `code`, with the external id of its member.
    fn reward_code(
        &self,
        program: ProgramId,
        code: &InstanceCode,
    ) -> impl Future<Output = Result<Option<(ExternalId, RewardInstance)>, StoreError>> + Send;

    /// A member's reward codes, oldest first; `None` if there is no such member.
    fn member_codes(
        &self,
        program: ProgramId,
        external_id: &ExternalId,
    ) -> impl Future<Output = Result<Option<Vec<RewardInstance>>, StoreError>> + Send;

    /// The program's hold `hold_id`, with the external id of its member.
    fn hold(
        &self,
        program: ProgramId,
        hold_id: &HoldId,
    ) -> impl Future<Output = Result<Option<(ExternalId, HoldRecord)>, StoreError>> + Send;

    /// Open holds whose time ran out by `until`, by row after `after`.
    fn due_holds(
        &self,
        program: ProgramId,
        until: Timestamp,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DueItem<HoldRecord>>, StoreError>> + Send;

    /// Issued reward codes whose validity ran out by `until`, by row after `after`.
    fn due_codes(
        &self,
        program: ProgramId,
        until: Timestamp,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DueItem<RewardInstance>>, StoreError>> + Send;

    /// Points donated in [from, to), per charity.
    fn donations(
        &self,
        program: ProgramId,
        from: Timestamp,
        to: Timestamp,
    ) -> impl Future<Output = Result<Vec<DonationTotal>, StoreError>> + Send;

    /// Per tier (the members' tier now), what members held before `from` and before `to`,
    /// and what entries booked in [from, to) posted to each program account.
    fn liability(
        &self,
        program: ProgramId,
        from: Timestamp,
        to: Timestamp,
    ) -> impl Future<Output = Result<Vec<LiabilitySums>, StoreError>> + Send;

    /// The points redeemed and expired in [since, until), what members hold now, and the
    /// points issued into lots over time with what is left of them.
    fn breakage(
        &self,
        program: ProgramId,
        since: Timestamp,
        until: Timestamp,
    ) -> impl Future<Output = Result<BreakageSums, StoreError>> + Send;

    /// How many responses to surveys of `kind` (or to `survey` alone) in [from, to) gave
    /// each score, per tier when answered and per segment now.
    fn survey_scores(
        &self,
        program: ProgramId,
        kind: SurveyKind,
        from: Timestamp,
        to: Timestamp,
        survey: Option<&str>,
    ) -> impl Future<Output = Result<Vec<ScoreCount>, StoreError>> + Send;

    /// Members, activity and points over [from, to).
    fn kpis(
        &self,
        program: ProgramId,
        from: Timestamp,
        to: Timestamp,
    ) -> impl Future<Output = Result<KpiSums, StoreError>> + Send;

    /// Subscribes `url` to the program's events of `types`, signed with `secret`.
    fn add_webhook(
        &self,
        program: ProgramId,
        url: &str,
        secret: &str,
        types: &[String],
        now: Timestamp,
    ) -> impl Future<Output = Result<WebhookSubscription, StoreError>> + Send;

    /// The program's subscriptions, without their secrets.
    fn webhooks(
        &self,
        program: ProgramId,
    ) -> impl Future<Output = Result<Vec<WebhookSubscription>, StoreError>> + Send;

    /// Stops a subscription and cancels its pending deliveries (state `cancelled`), in one
    /// transaction; `false` if there is no such active one.
    fn remove_webhook(
        &self,
        program: ProgramId,
        id: i64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Claims up to `limit` deliveries due by `now`, oldest first, of `program` or of every
    /// program: none is due again before `until` unless an attempt is recorded, so that
    /// dispatchers on other nodes pass them by.
    fn due_deliveries(
        &self,
        program: Option<ProgramId>,
        now: Timestamp,
        limit: u32,
        until: Timestamp,
    ) -> impl Future<Output = Result<Vec<DueDelivery>, StoreError>> + Send;

    /// Up to `limit` pending deliveries with an id above `after`, oldest first, of `program`
    /// or of every program, read without claiming them: what a server that sends nothing
    /// (`--webhook-delivery off`) reports as queued.
    fn queued_deliveries(
        &self,
        program: Option<ProgramId>,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Delivery>, StoreError>> + Send;

    /// Hands claimed deliveries back unsent, due again at `at`, with no attempt logged.
    fn release_deliveries(
        &self,
        ids: &[i64],
        at: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Logs an attempt to send delivery `id` and moves the delivery on (a delivery
    /// cancelled meanwhile stays cancelled).
    fn record_attempt(
        &self,
        id: i64,
        attempt: &DeliveryAttempt,
        result: AttemptResult,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The program's deliveries, newest first, below id `before`, of `state` if given.
    fn deliveries(
        &self,
        program: ProgramId,
        state: Option<&str>,
        before: Option<i64>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Delivery>, StoreError>> + Send;

    /// One delivery and every attempt to send it.
    fn delivery(
        &self,
        program: ProgramId,
        id: i64,
    ) -> impl Future<Output = Result<Option<(Delivery, Vec<DeliveryAttempt>)>, StoreError>> + Send;

    /// Sends a delivery again from `now`, whatever became of it; `false` if there is none,
    /// or its subscription was removed.
    fn replay_delivery(
        &self,
        program: ProgramId,
        id: i64,
        now: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// How many webhook deliveries are pending, delivered, failed and cancelled, over every
    /// program.
    fn webhook_backlog(&self) -> impl Future<Output = Result<Vec<(&'static str, i64)>, StoreError>> + Send;

    /// Checks the seven ledger invariants over the whole database.
    fn verify(&self) -> impl Future<Output = Result<VerifyReport, StoreError>> + Send;

    /// Erases a member's personal data in one transaction: their profile is emptied, their
    /// external id becomes `replacement` everywhere (the event log included), their ledger
    /// stays, and the erasure is recorded at `at`. `false` if there is no such member.
    fn erase_member(
        &self,
        program: ProgramId,
        external_id: &ExternalId,
        replacement: &ExternalId,
        at: Timestamp,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// For each member with a purchase (an order not wholly returned) in [since, until],
    /// computed in SQL: the last purchase, how many, the spend net of returns and the gaps
    /// between consecutive purchases; by member id. The analytics job's input.
    fn purchase_facts(
        &self,
        program: ProgramId,
        since: Timestamp,
        until: Timestamp,
    ) -> impl Future<Output = Result<Vec<(MemberId, MemberFacts)>, StoreError>> + Send;

    /// Replaces the program's member segments with `scores`, computed at `at`, in one
    /// transaction.
    fn replace_segments(
        &self,
        program: ProgramId,
        scores: &[(MemberId, MemberScore)],
        at: Timestamp,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// When the last analytics run was, and the member's scores from it if it scored them.
    fn member_segment(
        &self,
        program: ProgramId,
        external_id: &ExternalId,
    ) -> impl Future<Output = Result<MemberSegment, StoreError>> + Send;

    /// When the last analytics run was, with every segment's totals; `None` before the first.
    fn segment_totals(
        &self,
        program: ProgramId,
    ) -> impl Future<Output = Result<Option<(Timestamp, Vec<SegmentTotals>)>, StoreError>> + Send;

    /// Points earned and burned (as the KPI report counts them) between each two of
    /// `bounds`, ascending instants: one pair per interval, oldest first.
    fn point_flows(
        &self,
        program: ProgramId,
        bounds: &[Timestamp],
    ) -> impl Future<Output = Result<Vec<(i64, i64)>, StoreError>> + Send;

    /// How the scored members of the last analytics run spread over the R × FM grid and
    /// the churn risks.
    fn segment_spread(
        &self,
        program: ProgramId,
    ) -> impl Future<Output = Result<SegmentSpread, StoreError>> + Send;

    /// A page of a segment's members, by member id after `after` (0 for the first page).
    fn segment_members(
        &self,
        program: ProgramId,
        segment: Segment,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<SegmentPage, StoreError>> + Send;

    /// A member's spend per category in orders since `since`, net of returns; `None` if
    /// there is no such member.
    fn category_spend(
        &self,
        program: ProgramId,
        external_id: &ExternalId,
        since: Timestamp,
    ) -> impl Future<Output = Result<Option<BTreeMap<String, i64>>, StoreError>> + Send;
}

pub use sql::export::{ExportSnapshot, ExportedEntry, ExportedMember, ExportedReward};

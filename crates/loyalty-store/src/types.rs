//! What goes in and out of a store.

use loyalty_core::decision::HistoryNote;
use loyalty_core::ids::{ExternalId, IdempotencyKey, MemberId};
use loyalty_core::insight::segment::SeenSegment;
use loyalty_core::program::ProgramDef;
use loyalty_core::{Event, Outcome, Points, Program, Timestamp};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The engine's own id of a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProgramId(pub i64);

/// A program's latest version as stored.
#[derive(Debug, Clone)]
pub struct StoredProgram {
    pub id: ProgramId,
    pub version: i64,
    /// Events that occurred from this moment are judged by this version.
    pub effective_from: Timestamp,
    pub created_at: Timestamp,
    pub definition: ProgramDef,
    pub origin: ProgramOrigin,
    /// When the program was archived: from then on it takes no writes.
    pub archived_at: Option<Timestamp>,
}

/// Where a program version came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProgramOrigin {
    /// A program file installed at start-up.
    File,
    /// A change made over the API.
    Api,
}

impl ProgramOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            ProgramOrigin::File => "file",
            ProgramOrigin::Api => "api",
        }
    }

    pub fn parse(text: &str) -> Option<ProgramOrigin> {
        match text {
            "file" => Some(ProgramOrigin::File),
            "api" => Some(ProgramOrigin::Api),
            _ => None,
        }
    }
}

/// A program ready to judge events: the validated program with its id and version.
#[derive(Debug, Clone)]
pub struct LoadedProgram {
    pub id: ProgramId,
    pub version: i64,
    pub effective_from: Timestamp,
    pub program: Arc<Program>,
}

impl LoadedProgram {
    /// `program` as the store just installed it.
    pub fn installed(installed: InstalledProgram, program: Program) -> LoadedProgram {
        LoadedProgram {
            id: installed.id,
            version: installed.version,
            effective_from: installed.effective_from,
            program: Arc::new(program),
        }
    }
}

/// What installing a definition did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstalledProgram {
    pub id: ProgramId,
    pub version: i64,
    pub effective_from: Timestamp,
    /// False when the definition equals the latest version already stored.
    pub changed: bool,
}

/// A key's role: `admin` (everything in its program), `pos` (a till: members, events,
/// redemptions), `read` (reading only) or `billing` (paid tiers, and reading).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
// The API document has named it `RoleName` since keys were first managed.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(rename = "RoleName"))]
pub enum Role {
    // Everything in its program.
    Admin,
    // What a till needs: members, events, redemptions.
    Pos,
    // Reading only.
    Read,
    // The billing system's: starting and changing paid tiers, and reading.
    Billing,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Pos => "pos",
            Role::Read => "read",
            Role::Billing => "billing",
        }
    }

    pub const ALL: [Role; 4] = [Role::Admin, Role::Pos, Role::Read, Role::Billing];

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "pos" => Some(Role::Pos),
            "read" => Some(Role::Read),
            "billing" => Some(Role::Billing),
            _ => None,
        }
    }
}

/// How often a key's `last_used_at` is written: a key used all day costs a write a minute,
/// not one per request.
pub const KEY_USE_EVERY_MICROS: i64 = 60_000_000;

/// A live API key, found by the hash of its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: i64,
    pub program_id: ProgramId,
    pub role: Role,
    pub name: String,
    /// When the key was last seen, to the minute (see `Store::touch_api_key`).
    pub last_used_at: Option<Timestamp>,
    /// Whether the key's program is archived (reads only).
    pub program_archived: bool,
}

/// What may be shown of a key: everything but its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The secret's first characters (`lk_3f9a`), to tell keys apart; unknown for keys
    /// made before keys were managed.
    pub prefix: Option<String>,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    /// When a rotated key stops working: the end of its grace period.
    pub revoked_at: Option<Timestamp>,
}

/// A secret member tokens of a program are signed with (hex of 32 random bytes).
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret {
    pub id: i64,
    pub program_id: ProgramId,
    pub secret: String,
    pub created_at: Timestamp,
    /// Whether its program is archived (as `Store::member_token_secret` finds it).
    pub program_archived: bool,
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret stays out of logs.
        f.debug_struct("TokenSecret").field("id", &self.id).field("program_id", &self.program_id).finish()
    }
}

/// A key to make: its name, role, expiry and the hash and prefix of its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    pub name: String,
    pub role: Role,
    pub key_hash: String,
    /// The secret's first characters; none for a key whose secret is not at hand.
    pub prefix: Option<String>,
    pub expires_at: Option<Timestamp>,
}

/// An event to apply, with what makes a retry safe.
#[derive(Debug, Clone)]
pub struct Command {
    pub event: Event,
    pub idempotency_key: Option<IdempotencyKey>,
    /// A digest of the request as the client sent it; a retry must match it.
    pub fingerprint: String,
    /// The server's time when the command arrived.
    pub now: Timestamp,
    /// The member's segment as the event recorded it when first judged; set on replay
    /// only, so that the event is judged as it was (live commands read the segments table).
    pub recorded_segment: Option<SeenSegment>,
}

/// An event from the log, with everything needed to apply it again.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub id: i64,
    pub program: ProgramId,
    /// The version of the program that judged it.
    pub program_version: i64,
    /// The command as first applied; `now` is when it was recorded.
    pub command: Command,
}

/// The result of a command. `replayed` is true when it is the stored result of an
/// earlier, identical request and nothing changed now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub outcome: Outcome,
    pub replayed: bool,
}

/// What a job looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueWork {
    /// Lots (not held for review) with points left whose expiry is at or before `until`.
    Expiry { until: Timestamp },
    /// Pending lots due for release at or before `until`.
    Release { until: Timestamp },
    /// Lots with points left expiring after `from`, up to and including `until`.
    ExpiringSoon { from: Timestamp, until: Timestamp },
    /// Members whose tier evaluation date is at or before `until`.
    TierReview { until: Timestamp },
    /// Open accounts (active or suspended) whose last activity is at or before `until`.
    Inactive { until: Timestamp },
}

/// A member whose work fell due at `at` (for inactivity: whose last activity was then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub at: Timestamp,
    pub member: MemberId,
    pub external_id: ExternalId,
}

/// Where a page of due work ended: the next page starts after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueCursor {
    pub at: Timestamp,
    pub member: MemberId,
}

impl Due {
    pub fn cursor(&self) -> DueCursor {
        DueCursor { at: self.at, member: self.member }
    }
}

/// What to read of a leaderboard: the key of the period's scores, the tiers and tags it
/// is limited to, and how many entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardQuery {
    pub board: String,
    pub key: String,
    pub tiers: Vec<String>,
    pub tags: Vec<String>,
    pub limit: u32,
}

/// One member's score on a board, with what its display name is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRow {
    pub member_id: i64,
    pub score: i64,
    pub name: Option<String>,
    pub nickname: Option<String>,
}

/// A line of a member's history as stored, with when it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HistoryEntry {
    #[serde(flatten)]
    pub note: HistoryNote,
    pub occurred_at: Timestamp,
}

/// One page of a member's journal, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LedgerPage {
    pub entries: Vec<LedgerEntry>,
    /// Pass as `before` to get the next page; `None` on the last page.
    #[serde(skip)]
    pub next_before: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LedgerEntry {
    pub entry: i64,
    pub kind: String,
    /// The order, reward or reason the entry is about.
    pub reference: Option<String>,
    pub occurred_at: Timestamp,
    pub recorded_at: Timestamp,
    pub postings: Vec<PostingView>,
    /// How the engine worked the points out, in words, for an entry of the member's own
    /// event that has an explanation (earning, returns); absent otherwise, and for points
    /// another member's event gave them (a referral), whose order is not theirs to read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PostingView {
    pub account: String,
    pub amount: i64,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerifyReport {
    pub events: i64,
    pub entries: i64,
    pub members: i64,
    pub lots: i64,
    pub violations: Vec<Violation>,
}

/// One broken invariant, naming the rows that break it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The invariant's number in DESIGN.md.
    pub invariant: u8,
    pub detail: String,
}

/// Points given to one charity over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DonationTotal {
    pub charity: String,
    pub points: Points,
    pub donations: i64,
}

/// A hold or reward code whose time ran out, with the row id that pages through them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueItem<T> {
    pub row: i64,
    pub external_id: ExternalId,
    pub item: T,
}

/// What one tier's members held before and at the end of a period, and what the period
/// posted to each program account for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiabilitySums {
    pub tier: Option<String>,
    pub opening: i64,
    pub closing: i64,
    pub posted: Vec<(loyalty_core::ledger::Account, i64)>,
}

/// The ledger's figures behind the breakage estimate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakageSums {
    /// Points redeemed or donated, and expired, booked since the window's start.
    pub redeemed: i64,
    pub expired: i64,
    /// Points members hold now.
    pub outstanding: i64,
    /// Points issued into lots, by quarter hour of issue.
    pub issued: Vec<IssuedLots>,
}

/// The lots issued in one quarter hour, and where their points are now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuedLots {
    pub from: Timestamp,
    pub issued: i64,
    /// Still in the lots: spendable, pending or in review.
    pub open: i64,
    pub expired: i64,
    /// Taken back by a return, an adjustment or a rejected review.
    pub reversed: i64,
}

/// The figures of the KPI report over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiSums {
    /// Members whose last activity falls in the 30 and 90 days before the period's end.
    pub active_30_days: i64,
    pub active_90_days: i64,
    pub enrolments: i64,
    /// Open accounts, and the points they hold on average (rounded down).
    pub members: i64,
    pub average_balance: i64,
    /// Points issued (less returns) and spent (redeemed and donated, less refunds).
    pub earned: i64,
    pub burned: i64,
    /// The most redeemed rewards: (reward, codes issued, points).
    pub top_rewards: Vec<(String, i64, i64)>,
    /// Open accounts per tier code now (`None`: no tier), by code.
    pub members_by_tier: Vec<(Option<String>, i64)>,
}

/// Where a program's events are sent, and which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct WebhookSubscription {
    pub id: i64,
    pub url: String,
    pub event_types: Vec<String>,
    pub active: bool,
    pub created_at: Timestamp,
    /// Only where the subscription was just made: it is shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// One event for one subscription, and how its delivery stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Delivery {
    pub id: i64,
    pub subscription_id: i64,
    pub event_type: String,
    /// `pending`, `delivered`, `failed` (given up) or `cancelled` (its subscription was
    /// removed before it was delivered).
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Timestamp,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
}

/// A delivery due now, with what sending it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub delivery: Delivery,
    pub url: String,
    pub secret: String,
    pub payload: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeliveryAttempt {
    pub attempted_at: Timestamp,
    pub status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// What became of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptResult {
    Delivered,
    RetryAt(Timestamp),
    GaveUp,
}

/// What a member search asks for: each given field narrows the result (they combine with
/// AND). A new filter is one more field here and one more line in the store's builder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberSearch {
    /// A prefix of the external id, the email or the name, with ASCII letters compared in
    /// any case; its ASCII letters already lower-cased by the caller.
    pub prefix: Option<String>,
    pub tier: Option<String>,
    /// A member status as stored (`active`, `suspended`, ...).
    pub status: Option<String>,
    pub tag: Option<String>,
    /// A segment name as the analytics job writes it.
    pub segment: Option<String>,
}

/// One page of a member search, in the engine's member id order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSearchPage {
    pub members: Vec<loyalty_core::outcome::MemberView>,
    /// The last member id of the page when another page follows.
    pub next_after: Option<i64>,
}

/// One write of the audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub program: ProgramId,
    pub at: Timestamp,
    /// Who, as a filter names them: `key:12`, `member:c-1001`, `platform`, `job:expiry`,
    /// `import:members.csv`.
    pub actor: String,
    /// Who, in words: `till 4 (pos key)`.
    pub actor_name: String,
    /// What: the operation (`create_key`, `record_event`) or job.
    pub action: String,
    pub path: String,
    /// The member it concerned, if one.
    pub member: Option<String>,
    pub request_id: Option<String>,
    /// For an administrator's change: the state before it and the answer it gave.
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A stored row of the audit trail.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub id: i64,
    pub entry: AuditEntry,
}

/// Which rows of the trail to list; every filter optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from: Option<Timestamp>,
    /// Rows before this instant.
    pub to: Option<Timestamp>,
}

//! Writing a decision: the event, the member's projections, journal entries and postings,
//! lots, the order, counters, any issued reward and the referrer's credit, inside the
//! command's transaction. The rows are worked out once, here, and written in one call to
//! the database: a batch of statements on SQLite, one statement of chained `WITH` clauses
//! on PostgreSQL. Each call costs a network round trip (PostgreSQL) or a hand-off to the
//! connection's thread (SQLite), which cost more than the writes themselves.

mod postgres;
mod shown;
mod sqlite;

use super::Dialect;
use super::rows::to_json;
use crate::StoreError;
use crate::types::{Command, LoadedProgram};
use crate::url::Backend;
use loyalty_core::decide::reads_segment;
use loyalty_core::decision::{
    Calculation, Credit, Decision, HoldChange, MemberChange, OrderChange, RewardChange, StandingChange,
};
use loyalty_core::engage::leaderboard::{self, ScoreChange};
use loyalty_core::ids::LotId;
use loyalty_core::insight::segment::SeenSegment;
use loyalty_core::lots::{LotChange, NewLot};
use loyalty_core::needs::Counter;
use loyalty_core::snapshot::SurveyResponseSnapshot;
use loyalty_core::spending::{HoldRecord, RewardInstance};
use loyalty_core::state::{Balance, MemberState, Profile};
use loyalty_core::{Event, Outcome};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe, Transaction};

pub(super) async fn write(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    program: &LoadedProgram,
    command: &Command,
    state: &MemberState,
    decision: &Decision,
    outcome: &Outcome,
) -> Result<(), StoreError> {
    let mut rows = Rows::of(program, command, state, decision, outcome)?;
    // The segment the decision was given is recorded, for replay to judge by.
    rows.segment =
        reads_segment(&program.program, &command.event).then(|| SeenSegment(state.segment).as_column());
    match dialect.0 {
        Backend::Sqlite => sqlite::write(tx, &rows).await?,
        Backend::Postgres => postgres::write(tx, &rows).await?,
    }
    if rows.visibility.changed
        && let Some((member, _)) = &rows.updated
    {
        shown::mark(tx, *member, rows.visibility.shown).await?;
    }
    Ok(())
}

/// A journal entry's kind and its postings as (belongs to the member, account, amount).
type EntryRows = (&'static str, Vec<(bool, &'static str, i64)>);

/// The member columns a decision sets.
struct MemberRow {
    balance: Balance,
    debt: i64,
    /// Profile fields to set; `None` leaves the stored ones.
    profile: Option<ProfileRow>,
    referred_by: Option<i64>,
    standing: Option<StandingRow>,
    last_activity: Option<i64>,
}

/// The standing columns, all set together.
struct StandingRow {
    status: &'static str,
    tier: Option<String>,
    tier_review_at: Option<i64>,
    /// The subscription and closure, as JSON.
    standing: String,
}

fn standing_row(change: &StandingChange) -> Result<StandingRow, StoreError> {
    Ok(StandingRow {
        status: change.status.as_str(),
        tier: change.tier.as_ref().map(ToString::to_string),
        tier_review_at: change.standing.tier_review_at.map(|t| t.as_micros()),
        standing: to_json(&change.standing)?,
    })
}

/// Profile columns, each `None` to keep what is stored.
struct ProfileRow {
    name: Option<String>,
    email: Option<String>,
    birth_date: Option<String>,
    tier: Option<String>,
    tags: Option<String>,
    /// 1 or 0 to set whether the member shows on leaderboards.
    leaderboard_opt_in: Option<i64>,
    nickname: Option<String>,
}

/// Every row one decision writes, as the values to bind.
struct Rows<'a> {
    program_id: i64,
    program_version: i64,
    /// The member enrolled now, with their profile and standing as stored.
    enrolled: Option<(&'a loyalty_core::decision::NewMember, ProfileRow, Option<StandingRow>)>,
    /// The existing member's id and new columns.
    updated: Option<(i64, MemberRow)>,
    kind: &'static str,
    idempotency_key: Option<String>,
    fingerprint: &'a str,
    payload: String,
    result: String,
    occurred_at: i64,
    now: i64,
    memo: Option<String>,
    /// The member's segment as `decide` saw it, if it looked (see `SeenSegment`).
    segment: Option<&'static str>,
    entries: Vec<EntryRows>,
    opened: Vec<&'a NewLot>,
    draws: Vec<(LotId, i64)>,
    /// The lot column that also counts the draws, when they are not redemptions.
    drawn_as: Option<&'static str>,
    /// Lots released from review, each with what is drawn from it at once (to repay debt):
    /// one update per row, as PostgreSQL needs within a statement.
    released: Vec<(LotId, i64)>,
    voided: Vec<LotId>,
    /// The instant the member's open lots are extended to, if the decision extends them.
    extended: Option<i64>,
    /// The order's change, with its lines and bonuses as JSON.
    order: Option<(&'a OrderChange, String, String)>,
    /// Reward codes issued (true) or changed (false).
    rewards: Vec<(bool, RewardInstance)>,
    /// Holds opened (true) or changed (false), each with its reward and draws as JSON.
    holds: Vec<(bool, &'a HoldRecord, Option<String>, String)>,
    /// Lots a released hold gives points back to.
    restored: Vec<(LotId, i64)>,
    /// Counters to add to: (of the member, key, delta).
    counters: Vec<(bool, &'a str, i64)>,
    credit: Option<(&'a Credit, EntryRows)>,
    /// Deltas to the member's leaderboard scores.
    scores: Vec<ScoreChange>,
    /// Whether the member shows on leaderboards after the decision (each score row
    /// written carries it), and whether that changed.
    visibility: shown::Visibility,
    /// Lines of the member's history: (topic, from, to, reason).
    history: Vec<(&'static str, Option<&'a str>, Option<&'a str>, &'a str)>,
    /// A survey response, with its survey's kind.
    survey: Option<(SurveyResponseSnapshot, &'static str)>,
}

/// The columns of a survey response after program, member and event.
const SURVEY_COLUMNS: &str =
    "program_id, member_id, event_id, survey, kind, score, comment, order_id, tier, occurred_at_us";

fn profile_row(profile: &Profile) -> Result<ProfileRow, StoreError> {
    Ok(ProfileRow {
        name: profile.name.as_ref().map(|n| n.as_str().to_owned()),
        email: profile.email.as_ref().map(|e| e.as_str().to_owned()),
        birth_date: profile.birth_date.map(|d| d.to_string()),
        tier: profile.tier.as_ref().map(ToString::to_string),
        tags: Some(to_json(&profile.tags.iter().map(ToString::to_string).collect::<Vec<_>>())?),
        leaderboard_opt_in: None,
        nickname: None,
    })
}

/// What a draw of `amount` (a bound value) sets on its lot: less remaining, and more
/// expired or reversed when the event's draws are counted so.
fn draw_set(drawn_as: Option<&str>, amount: &str) -> String {
    let counted = drawn_as.map(|column| format!(", {column} = {column} + {amount}")).unwrap_or_default();
    format!("remaining = remaining - {amount}{counted}")
}

/// What voiding a lot in review sets: nothing remains, and all it held was taken back.
const VOID_SET: &str = "reversed = reversed + remaining, remaining = 0";

/// How the event's draws leave their lots, for the breakage cohorts: expired (by the job,
/// or forfeited on closing), taken back (by a return or an adjustment), or else redeemed.
fn drawn_as(event: &Event) -> Option<&'static str> {
    match event {
        Event::Expire(_) | Event::Status(_) | Event::CloseInactive(_) => Some("expired"),
        Event::Return(_) | Event::Adjust(_) => Some("reversed"),
        _ => None,
    }
}

fn entry_rows(entry: &loyalty_core::ledger::EntryDraft) -> EntryRows {
    let postings = entry.postings().iter().map(|p| (p.account.is_member(), p.account.name(), p.amount.get()));
    (entry.kind().as_str(), postings.collect())
}

impl<'a> Rows<'a> {
    fn of(
        program: &LoadedProgram,
        command: &'a Command,
        state: &MemberState,
        decision: &'a Decision,
        outcome: &Outcome,
    ) -> Result<Rows<'a>, StoreError> {
        let event = &command.event;
        let (mut opened, mut draws, mut released, mut voided, mut restored) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut extended = None;
        for change in &decision.lots {
            match change {
                LotChange::Open(lot) => opened.push(lot),
                // A return and the achievements it takes back may draw on one lot; one
                // row per lot, as PostgreSQL applies only one update of a row per statement.
                LotChange::Draw { lot, amount } => match draws.iter_mut().find(|(d, _)| d == lot) {
                    Some((_, drawn)) => *drawn += amount.get(),
                    None => draws.push((*lot, amount.get())),
                },
                LotChange::Release { lot } => released.push((*lot, 0)),
                LotChange::Void { lot } => voided.push(*lot),
                LotChange::Extend { until } => extended = Some(until.as_micros()),
                LotChange::Restore { lot, amount } => match restored.iter_mut().find(|(r, _)| r == lot) {
                    Some((_, given)) => *given += amount.get(),
                    None => restored.push((*lot, amount.get())),
                },
            }
        }
        for (lot, drawn) in &mut released {
            if let Some(i) = draws.iter().position(|(d, _)| d == lot) {
                *drawn = draws.remove(i).1;
            }
        }
        let order = match &decision.order {
            Some(
                change @ (OrderChange::Record { lines, bonuses, .. }
                | OrderChange::Update { lines, bonuses, .. }),
            ) => Some((change, to_json(lines)?, to_json(bonuses)?)),
            None => None,
        };
        let (enrolled, updated) = match &decision.member {
            MemberChange::Enrol(new) => {
                let standing = decision.standing.as_deref().map(standing_row).transpose()?;
                (Some((new, profile_row(&new.profile)?, standing)), None)
            }
            MemberChange::Update { member, balance, debt, profile, referred_by } => {
                let profile = match profile {
                    None => None,
                    Some(changes) => Some(ProfileRow {
                        name: changes.name.as_ref().map(|n| n.as_str().to_owned()),
                        email: changes.email.as_ref().map(|e| e.as_str().to_owned()),
                        birth_date: changes.birth_date.map(|d| d.to_string()),
                        tier: changes.tier.as_ref().map(ToString::to_string),
                        tags: changes
                            .tags
                            .as_ref()
                            .map(|t| to_json(&t.iter().map(ToString::to_string).collect::<Vec<_>>()))
                            .transpose()?,
                        leaderboard_opt_in: changes.leaderboard_opt_in.map(i64::from),
                        nickname: changes.nickname.as_ref().map(ToString::to_string),
                    }),
                };
                let row = MemberRow {
                    balance: *balance,
                    debt: debt.get(),
                    profile,
                    referred_by: referred_by.map(|r| r.0),
                    standing: decision.standing.as_deref().map(standing_row).transpose()?,
                    last_activity: decision.last_activity_at.map(|t| t.as_micros()),
                };
                (None, Some((member.0, row)))
            }
        };
        Ok(Rows {
            program_id: program.id.0,
            program_version: program.version,
            enrolled,
            updated,
            kind: event.kind().as_str(),
            idempotency_key: command.idempotency_key.as_ref().map(|k| k.as_str().to_owned()),
            fingerprint: &command.fingerprint,
            payload: to_json(event)?,
            result: to_json(outcome)?,
            occurred_at: event.occurred_at().as_micros(),
            now: command.now.as_micros(),
            memo: event.reference().map(str::to_owned),
            segment: None,
            entries: decision.entries.iter().map(entry_rows).collect(),
            opened,
            draws,
            drawn_as: drawn_as(event),
            released,
            voided,
            extended,
            order,
            rewards: decision
                .reward_changes()
                .into_iter()
                .map(|r| (matches!(r, RewardChange::Issue(_)), r.instance().clone()))
                .collect(),
            holds: decision
                .holds
                .iter()
                .map(|h| {
                    let record = h.record();
                    let reward = record.reward.as_ref().map(to_json).transpose()?;
                    Ok((matches!(h, HoldChange::Open(_)), record, reward, to_json(&record.draws)?))
                })
                .collect::<Result<_, StoreError>>()?,
            restored,
            counters: decision
                .counters
                .iter()
                .map(|(Counter { scope, key }, delta)| {
                    (*scope == loyalty_core::needs::Scope::Member, key.as_str(), *delta)
                })
                .collect(),
            credit: decision.referrer.as_ref().map(|c| (c, entry_rows(&c.entry))),
            scores: leaderboard::changes(
                program.program.leaderboards(),
                program.program.calendar(),
                state,
                event,
                decision,
            ),
            visibility: shown::visibility(state, decision),
            history: decision
                .standing
                .iter()
                .flat_map(|c| c.history.iter())
                .chain(&decision.notes)
                .map(|h| (h.topic.as_str(), h.from.as_deref(), h.to.as_deref(), h.reason.as_str()))
                .collect(),
            survey: match &decision.calculation {
                Calculation::Survey(calc) => {
                    SurveyResponseSnapshot::of(event, decision).map(|r| (r, calc.kind.as_str()))
                }
                _ => None,
            },
        })
    }
}

fn lot_cannot_give(lot: LotId, amount: i64) -> StoreError {
    StoreError::corrupt(format!("lot {} cannot give {amount} points", lot.0))
}

/// A value to bind.
enum Arg {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
}

/// SQL being built from parts, with its arguments in placeholder order.
#[derive(Default)]
struct Statement {
    parts: Vec<String>,
    args: Vec<Arg>,
}

impl Statement {
    /// Adds an argument and gives its placeholder.
    fn arg(&mut self, value: Arg) -> String {
        self.args.push(value);
        format!("${}", self.args.len())
    }

    fn int(&mut self, value: i64) -> String {
        self.arg(Arg::Int(value))
    }

    fn text(&mut self, value: impl Into<String>) -> String {
        self.arg(Arg::Text(value.into()))
    }

    fn opt_text(&mut self, value: &Option<String>) -> String {
        self.arg(Arg::OptText(value.clone()))
    }

    fn opt_int(&mut self, value: Option<i64>) -> String {
        self.arg(Arg::OptInt(value))
    }

    /// The placeholders of a survey response's columns after program, member and event,
    /// in the order of `SURVEY_COLUMNS`.
    fn survey(&mut self, (r, kind): &(SurveyResponseSnapshot, &'static str)) -> String {
        [
            self.text(r.survey.as_str()),
            self.text(*kind),
            self.int(r.score),
            self.arg(Arg::OptText(r.comment.clone())),
            self.arg(Arg::OptText(r.order_id.clone())),
            self.arg(Arg::OptText(r.tier.clone())),
            self.int(r.occurred_at.as_micros()),
        ]
        .join(", ")
    }

    /// The placeholders of a new reward code's columns after program, member and event,
    /// in the order of `INSTANCE_COLUMNS`.
    fn instance(&mut self, r: &RewardInstance) -> String {
        let values = [
            self.text(r.reward.as_str()),
            self.text(r.code.as_str()),
            self.text(r.state.as_str()),
            self.int(r.points.get()),
            self.int(r.issued_at.as_micros()),
            self.text(r.kind.as_str()),
            self.opt_int(r.expires_at.map(|t| t.as_micros())),
            self.opt_text(&r.order_id.as_ref().map(ToString::to_string)),
            self.opt_int(r.value_minor),
            self.opt_int(r.balance_minor),
            self.opt_text(&r.charity),
            self.opt_text(&r.achievement),
        ];
        values.join(", ")
    }

    /// `SET` of a changed reward code, and its `WHERE`.
    fn instance_update(&mut self, program: &str, r: &RewardInstance) -> String {
        let (state, order, balance, code) = (
            self.text(r.state.as_str()),
            self.opt_text(&r.order_id.as_ref().map(ToString::to_string)),
            self.opt_int(r.balance_minor),
            self.text(r.code.as_str()),
        );
        format!(
            "UPDATE reward_instances SET state = {state}, order_id = {order}, balance_minor = {balance}              WHERE program_id = {program} AND code = {code}"
        )
    }

    /// The placeholders of a new hold's columns after program, member and event, in the
    /// order of `HOLD_COLUMNS`.
    fn hold(&mut self, h: &HoldRecord, reward: &Option<String>, draws: &str) -> String {
        let values = [
            self.text(h.hold_id.as_str()),
            self.text(h.order_id.as_str()),
            self.text(h.state.as_str()),
            self.int(h.points.get()),
            self.opt_int(h.amount_minor),
            self.opt_text(reward),
            self.text(draws),
            self.int(h.created_at.as_micros()),
            self.int(h.expires_at.as_micros()),
            self.int(h.refunded.get()),
        ];
        values.join(", ")
    }

    fn hold_update(&mut self, program: &str, h: &HoldRecord) -> String {
        let (state, refunded, id) =
            (self.text(h.state.as_str()), self.int(h.refunded.get()), self.text(h.hold_id.as_str()));
        format!(
            "UPDATE holds SET state = {state}, refunded = {refunded} WHERE program_id = {program} AND hold_id = {id}"
        )
    }

    /// The query with every argument bound. `sql` is built only from placeholders and
    /// fixed text, never from values.
    fn query(self, sql: String) -> Query<'static, Any, AnyArguments> {
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for arg in self.args {
            query = match arg {
                Arg::Int(v) => query.bind(v),
                Arg::OptInt(v) => query.bind(v),
                Arg::Text(v) => query.bind(v),
                Arg::OptText(v) => query.bind(v),
            };
        }
        query
    }

    /// The placeholders of a new member's columns, in the order of `NEW_MEMBER_COLUMNS`.
    fn new_member(
        &mut self,
        program: &str,
        new: &loyalty_core::decision::NewMember,
        profile: &ProfileRow,
        standing: Option<&StandingRow>,
    ) -> String {
        let values = [
            program.to_owned(),
            self.text(new.external_id.as_str()),
            self.opt_text(&profile.name),
            self.opt_text(&profile.email),
            self.opt_text(&profile.birth_date),
            self.opt_text(&profile.tags.clone().or(Some("[]".to_owned()))),
            self.text(new.referral_code.as_str()),
            self.arg(Arg::OptInt(new.referred_by.map(|r| r.0))),
            self.text(new.status.as_str()),
            self.int(new.balance.available.get()),
            self.int(new.balance.pending.get()),
            self.int(new.balance.pending_review.get()),
            self.int(new.enrolled_at.as_micros()),
            self.int(new.enrolled_at.as_micros()),
            self.opt_text(&profile.tier),
            self.arg(Arg::OptInt(standing.and_then(|s| s.tier_review_at))),
            self.text(standing.map_or("{}", |s| s.standing.as_str())),
        ];
        values.join(", ")
    }

    /// `col = value` assignments for an existing member's new columns; profile fields
    /// left `None` keep their stored values.
    fn member_update(&mut self, row: &MemberRow) -> String {
        let mut set = vec![
            format!("available = {}", self.int(row.balance.available.get())),
            format!("pending = {}", self.int(row.balance.pending.get())),
            format!("pending_review = {}", self.int(row.balance.pending_review.get())),
            format!("held = {}", self.int(row.balance.held.get())),
            format!("debt = {}", self.int(row.debt)),
        ];
        if let Some(p) = &row.profile {
            for (column, value) in [
                ("name", &p.name),
                ("email", &p.email),
                ("birth_date", &p.birth_date),
                ("tier", &p.tier),
                ("tags", &p.tags),
                ("nickname", &p.nickname),
            ] {
                // A standing change sets the tier itself, with its evaluation date.
                if value.is_some() && !(column == "tier" && row.standing.is_some()) {
                    set.push(format!("{column} = {}", self.opt_text(value)));
                }
            }
        }
        if let Some(opt_in) = row.profile.as_ref().and_then(|p| p.leaderboard_opt_in) {
            set.push(format!("leaderboard_opt_in = {}", self.int(opt_in)));
        }
        if let Some(referrer) = row.referred_by {
            set.push(format!("referred_by = {}", self.int(referrer)));
        }
        if let Some(s) = &row.standing {
            set.push(format!("status = {}", self.text(s.status)));
            set.push(format!("tier = {}", self.opt_text(&s.tier)));
            set.push(format!("tier_review_at_us = {}", self.arg(Arg::OptInt(s.tier_review_at))));
            set.push(format!("standing = {}", self.text(s.standing.as_str())));
        }
        if let Some(at) = row.last_activity {
            set.push(format!("last_activity_us = {}", self.int(at)));
        }
        set.join(", ")
    }
}

const INSTANCE_COLUMNS: &str = "program_id, member_id, event_id, reward, code, state, points, issued_at_us, kind, \
     expires_at_us, order_id, value_minor, balance_minor, charity, achievement";

const HOLD_COLUMNS: &str = "program_id, member_id, event_id, hold_id, order_id, state, points, amount_minor, reward, \
     draws, created_at_us, expires_at_us, refunded";

const NEW_MEMBER_COLUMNS: &str = "program_id, external_id, name, email, birth_date, tags, referral_code, referred_by, \
     status, available, pending, pending_review, enrolled_at_us, last_activity_us, tier, tier_review_at_us, standing, debt";

//! Loading what `decide` needs to know about one member for one event.

use super::Dialect;
use super::rows::{int, json, opt_int, opt_text, opt_timestamp, parsed, text, timestamp};
use crate::StoreError;
use crate::types::ProgramId;
use crate::url::Backend;
use loyalty_core::Event;
use loyalty_core::Points;
use loyalty_core::event::SurveyAnswer;
use loyalty_core::ids::{
    Email, ExternalId, LotId, MemberId, Nickname, OrderId, PersonName, ReferralCode, Tag, TierCode,
};
use loyalty_core::needs::{Aggregates, Counter, Measure, Needs, Scope};
use loyalty_core::state::{
    Balance, Lot, LotSource, Member, MemberState, MemberStatus, OrderRecord, Profile, Standing,
};
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Transaction};
use std::collections::BTreeSet;

pub(super) const MEMBER_COLUMNS: &str = "id, external_id, status, available, pending, pending_review, held, debt, name, \
     email, birth_date, tier, tags, referral_code, referred_by, enrolled_at_us, last_activity_us, tier_review_at_us, \
     standing, leaderboard_opt_in, nickname";

/// The deepest chain of referrers followed to refuse a referral loop.
const REFERRAL_CHAIN: i64 = 64;

pub(super) fn member(row: &AnyRow) -> Result<Member, StoreError> {
    let status = text(row, "status")?;
    let tags: Vec<String> = json(row, "tags")?;
    Ok(Member {
        id: MemberId(int(row, "id")?),
        external_id: parsed(row, "external_id", ExternalId::parse)?,
        status: MemberStatus::parse(&status)
            .ok_or_else(|| StoreError::corrupt(format!("unknown member status {status}")))?,
        balance: Balance {
            available: Points::new(int(row, "available")?),
            pending: Points::new(int(row, "pending")?),
            pending_review: Points::new(int(row, "pending_review")?),
            held: Points::new(int(row, "held")?),
        },
        debt: Points::new(int(row, "debt")?),
        profile: Profile {
            name: opt_text(row, "name")?.map(PersonName::parse).transpose().map_err(corrupt("name"))?,
            email: opt_text(row, "email")?.map(Email::parse).transpose().map_err(corrupt("email"))?,
            birth_date: opt_text(row, "birth_date")?
                .map(|d| loyalty_core::event::date_text::parse(&d))
                .transpose()
                .map_err(|e| StoreError::corrupt(format!("birth_date: {e}")))?,
            tier: opt_text(row, "tier")?.map(TierCode::parse).transpose().map_err(corrupt("tier"))?,
            tags: tags
                .into_iter()
                .map(Tag::parse)
                .collect::<Result<BTreeSet<_>, _>>()
                .map_err(corrupt("tags"))?,
            leaderboard_opt_in: int(row, "leaderboard_opt_in")? != 0,
            nickname: opt_text(row, "nickname")?
                .map(Nickname::parse)
                .transpose()
                .map_err(corrupt("nickname"))?,
        },
        referral_code: parsed(row, "referral_code", ReferralCode::parse)?,
        referred_by: opt_int(row, "referred_by")?.map(MemberId),
        enrolled_at: timestamp(row, "enrolled_at_us")?,
        last_activity_at: timestamp(row, "last_activity_us")?,
        standing: Standing {
            tier_review_at: opt_timestamp(row, "tier_review_at_us")?,
            ..json(row, "standing")?
        },
    })
}

fn corrupt<E: std::fmt::Display>(column: &'static str) -> impl Fn(E) -> StoreError {
    move |e| StoreError::corrupt(format!("column {column}: {e}"))
}

/// Loads the event's member and, on PostgreSQL, locks the row until the transaction ends.
pub(super) async fn lock_member(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    program: ProgramId,
    external_id: &ExternalId,
) -> Result<Option<Member>, StoreError> {
    let sql = dialect
        .locked(format!("SELECT {MEMBER_COLUMNS} FROM members WHERE program_id = $1 AND external_id = $2"));
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(program.0)
        .bind(external_id.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(member).transpose()
}

/// The rest of the state: lots when points may leave, the order a return or an answer names, the
/// history the rules asked for, and the referrer.
pub(super) async fn load(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    program: ProgramId,
    member: Option<Member>,
    event: &Event,
    needs: &Needs,
) -> Result<MemberState, StoreError> {
    let lots = match &member {
        Some(m) if event.spends_points() => open_lots(tx, m.id).await?,
        _ => Vec::new(),
    };
    let mut order = match event {
        Event::Return(r) => order(tx, program, &r.order_id).await?,
        Event::Survey(SurveyAnswer { order_id: Some(order_id), .. }) => order(tx, program, order_id).await?,
        _ => None,
    };
    let mut aggregates = Aggregates::default();
    if let Some(m) = &member {
        windows(tx, m.id, needs, &mut aggregates).await?;
    }
    counters(tx, dialect, program, member.as_ref().map(|m| m.id), needs, &mut aggregates).await?;
    let referrer = match event {
        Event::Enrol(e) => match &e.referred_by {
            Some(code) => by_code(tx, dialect, program, code).await?,
            None => None,
        },
        Event::Refer(r) => by_code(tx, dialect, program, &r.code).await?,
        Event::Purchase(_) if needs.referrer => match member.as_ref().and_then(|m| m.referred_by) {
            Some(id) => by_id(tx, dialect, id).await?,
            None => None,
        },
        _ => None,
    };
    let referrer_chain = match (event, &referrer) {
        (Event::Refer(_), Some(r)) => chain(tx, r).await?,
        _ => Vec::new(),
    };
    let member_id = member.as_ref().map_or(0, |m| m.id.0);
    // A return may cancel the code a bonus of the order issued.
    let bonus_code = order.as_ref().and_then(|o| o.bonuses.iter().find_map(|b| b.reward_code.as_ref()));
    let instance = match (event, bonus_code) {
        (Event::Code(c), _) if member.is_some() => {
            super::spending::instances(tx, program, member_id, Some(c.code.as_str())).await?.pop()
        }
        (Event::Return(_), Some(code)) if member.is_some() => {
            super::spending::instances(tx, program, member_id, Some(code.as_str())).await?.pop()
        }
        _ => None,
    };
    let holds = match event {
        Event::Settle(s) if member.is_some() => {
            super::spending::holds(
                tx,
                program,
                "h.member_id = $2 AND h.hold_id = $3",
                member_id,
                s.hold_id.as_str(),
            )
            .await?
        }
        // A purchase earns on what its captured payments in points left; a return gives
        // their points back.
        Event::Return(_) | Event::Purchase(_) if member.is_some() => {
            let order_id = event.order_id().map_or("", |o| o.as_str());
            super::spending::holds(
                tx,
                program,
                "h.member_id = $2 AND h.order_id = $3 AND h.state = 'captured'",
                member_id,
                order_id,
            )
            .await?
        }
        _ => Vec::new(),
    };
    // A payment captured after its order was bought takes back what its share earned.
    if let (Event::Settle(_), [hold]) = (event, &holds[..])
        && hold.amount_minor.is_some()
    {
        order = super::state::order(tx, program, &hold.order_id).await?;
    }
    Ok(MemberState {
        member,
        lots,
        order,
        aggregates,
        referrer,
        referrer_chain,
        instance,
        holds,
        segment: None,
        achievement_codes: Vec::new(),
    })
}

async fn by_code(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    program: ProgramId,
    code: &ReferralCode,
) -> Result<Option<Member>, StoreError> {
    let sql = dialect
        .locked(format!("SELECT {MEMBER_COLUMNS} FROM members WHERE program_id = $1 AND referral_code = $2"));
    let row =
        sqlx::query(AssertSqlSafe(sql)).bind(program.0).bind(code.as_str()).fetch_optional(&mut **tx).await?;
    row.as_ref().map(member).transpose()
}

async fn by_id(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    id: MemberId,
) -> Result<Option<Member>, StoreError> {
    let sql = dialect.locked(format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = $1"));
    let row = sqlx::query(AssertSqlSafe(sql)).bind(id.0).fetch_optional(&mut **tx).await?;
    row.as_ref().map(member).transpose()
}

/// The referrer's own referrers, nearest first.
async fn chain(tx: &mut Transaction<'static, Any>, referrer: &Member) -> Result<Vec<MemberId>, StoreError> {
    let Some(first) = referrer.referred_by else { return Ok(Vec::new()) };
    let rows = sqlx::query(
        "WITH RECURSIVE chain (id, referred_by, depth) AS ( \
           SELECT id, referred_by, 1 FROM members WHERE id = $1 \
           UNION ALL \
           SELECT m.id, m.referred_by, c.depth + 1 FROM members m JOIN chain c ON m.id = c.referred_by \
           WHERE c.depth < $2) \
         SELECT id FROM chain ORDER BY depth",
    )
    .bind(first.0)
    .bind(REFERRAL_CHAIN)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(|r| int(r, "id").map(MemberId)).collect()
}

/// What the event needs known once the state is (see `needs_after`), added to it.
pub(super) async fn load_more(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    program: &crate::types::LoadedProgram,
    event: &Event,
    state: &mut MemberState,
) -> Result<(), StoreError> {
    let more = loyalty_core::decide::needs_after(&program.program, event, state);
    if more.counters.is_empty() {
        return Ok(());
    }
    let member = state.member.as_ref().map(|m| m.id);
    counters(tx, dialect, program.id, member, &more, &mut state.aggregates).await
}

/// Every window in one query: one round trip, however many the rules asked for.
pub(super) async fn windows(
    tx: &mut Transaction<'static, Any>,
    member: MemberId,
    needs: &Needs,
    aggregates: &mut Aggregates,
) -> Result<(), StoreError> {
    if needs.windows.is_empty() {
        return Ok(());
    }
    let mut columns = Vec::with_capacity(needs.windows.len());
    for (i, window) in needs.windows.iter().enumerate() {
        let (from, to) = (i * 2 + 2, i * 2 + 3);
        columns.push(match window.measure {
            Measure::Spend => format!(
                "(SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM orders \
                 WHERE member_id = $1 AND occurred_at_us >= ${from} AND occurred_at_us < ${to}) AS w{i}"
            ),
            Measure::Purchases => format!(
                "(SELECT COUNT(*) FROM orders WHERE member_id = $1 AND occurred_at_us >= ${from} AND occurred_at_us < ${to}) AS w{i}"
            ),
            Measure::Earned => format!(
                "(SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM lots WHERE member_id = $1 \
                 AND source NOT IN ('adjustment', 'refund') AND earned_at_us >= ${from} AND earned_at_us < ${to}) AS w{i}"
            ),
        });
    }
    let mut query = sqlx::query(AssertSqlSafe(format!("SELECT {}", columns.join(", ")))).bind(member.0);
    for window in &needs.windows {
        query = query.bind(window.from.as_micros()).bind(window.to.as_micros());
    }
    let row = query.fetch_one(&mut **tx).await?;
    for (i, window) in needs.windows.iter().enumerate() {
        aggregates.windows.insert(*window, int(&row, &format!("w{i}"))?);
    }
    Ok(())
}

/// The counters asked for. On PostgreSQL the program's counters (campaign budgets) are
/// locked, after making sure they exist, so that two purchases cannot spend one budget twice;
/// SQLite's single writer already runs one command at a time.
async fn counters(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    program: ProgramId,
    member: Option<MemberId>,
    needs: &Needs,
    aggregates: &mut Aggregates,
) -> Result<(), StoreError> {
    let wanted: Vec<&Counter> =
        needs.counters.iter().filter(|c| c.scope == Scope::Program || member.is_some()).collect();
    if wanted.is_empty() {
        return Ok(());
    }
    if dialect.0 == Backend::Postgres {
        for c in wanted.iter().filter(|c| c.scope == Scope::Program) {
            sqlx::query(
                "INSERT INTO counters (program_id, member_id, key, value) VALUES ($1, 0, $2, 0) ON CONFLICT DO NOTHING",
            )
            .bind(program.0)
            .bind(c.key.as_str())
            .execute(&mut **tx)
            .await?;
        }
    }
    let owner = |c: &Counter| match c.scope {
        Scope::Member => member.map_or(0, |m| m.0),
        Scope::Program => 0,
    };
    let pairs: Vec<String> =
        (0..wanted.len()).map(|i| format!("(member_id = ${} AND key = ${})", i * 2 + 2, i * 2 + 3)).collect();
    let sql = dialect.locked(format!(
        "SELECT member_id, key, value FROM counters WHERE program_id = $1 AND ({})",
        pairs.join(" OR ")
    ));
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(program.0);
    for c in &wanted {
        query = query.bind(owner(c)).bind(c.key.as_str());
    }
    let rows = query.fetch_all(&mut **tx).await?;
    for c in wanted {
        let value = rows
            .iter()
            .find(|r| {
                int(r, "member_id").ok() == Some(owner(c))
                    && text(r, "key").ok().as_deref() == Some(c.key.as_str())
            })
            .map(|r| int(r, "value"))
            .transpose()?
            .unwrap_or(0);
        aggregates.counters.insert(c.clone(), value);
    }
    Ok(())
}

async fn open_lots(tx: &mut Transaction<'static, Any>, member: MemberId) -> Result<Vec<Lot>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, amount, remaining, earned_at_us, expires_at_us, order_id, source, in_review, pending_until_us \
         FROM lots WHERE member_id = $1 AND remaining > 0",
    )
    .bind(member.0)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(lot).collect()
}

pub(super) fn lot(row: &AnyRow) -> Result<Lot, StoreError> {
    let source = text(row, "source")?;
    Ok(Lot {
        id: LotId(int(row, "id")?),
        amount: Points::new(int(row, "amount")?),
        remaining: Points::new(int(row, "remaining")?),
        earned_at: timestamp(row, "earned_at_us")?,
        expires_at: opt_timestamp(row, "expires_at_us")?,
        order_id: opt_text(row, "order_id")?.map(OrderId::parse).transpose().map_err(corrupt("order_id"))?,
        source: LotSource::parse(&source)
            .ok_or_else(|| StoreError::corrupt(format!("unknown lot source {source}")))?,
        in_review: int(row, "in_review")? != 0,
        pending_until: opt_timestamp(row, "pending_until_us")?,
    })
}

async fn order(
    tx: &mut Transaction<'static, Any>,
    program: ProgramId,
    order_id: &OrderId,
) -> Result<Option<OrderRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT member_id, awarded, occurred_at_us, lines, bonuses FROM orders WHERE program_id = $1 AND order_id = $2",
    )
    .bind(program.0)
    .bind(order_id.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(OrderRecord {
        order_id: order_id.clone(),
        member_id: MemberId(int(&row, "member_id")?),
        awarded: Points::new(int(&row, "awarded")?),
        occurred_at: timestamp(&row, "occurred_at_us")?,
        lines: json(&row, "lines")?,
        bonuses: json(&row, "bonuses")?,
    }))
}

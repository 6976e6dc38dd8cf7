//! Reading reward codes and holds: for `decide`, for the till's lookups, for the jobs that
//! end them, and for the donations report.

use super::rows::{int, json, opt_int, opt_text, opt_timestamp, parsed, text, timestamp};
use crate::StoreError;
use crate::types::{DonationTotal, ProgramId};
use loyalty_core::Points;
use loyalty_core::Timestamp;
use loyalty_core::ids::{ExternalId, HoldId, InstanceCode, OrderId, RewardCode};
use loyalty_core::program::RewardKind;
use loyalty_core::spending::{HoldRecord, HoldState, InstanceState, RewardInstance};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, AssertSqlSafe};

pub(super) const INSTANCE_SELECT: &str = "SELECT r.id, r.member_id, m.external_id, r.reward, r.code, r.state, r.points, \
     r.issued_at_us, r.kind, r.expires_at_us, r.order_id, r.value_minor, r.balance_minor, r.charity, r.achievement \
     FROM reward_instances r JOIN members m ON m.id = r.member_id";

pub(super) const HOLD_SELECT: &str = "SELECT h.id, h.member_id, m.external_id, h.hold_id, h.order_id, h.state, h.points, \
     h.amount_minor, h.reward, h.draws, h.created_at_us, h.expires_at_us, h.refunded \
     FROM holds h JOIN members m ON m.id = h.member_id";

pub(super) fn instance(row: &AnyRow) -> Result<RewardInstance, StoreError> {
    let (state, kind) = (text(row, "state")?, text(row, "kind")?);
    Ok(RewardInstance {
        code: parsed(row, "code", InstanceCode::parse)?,
        reward: parsed(row, "reward", RewardCode::parse)?,
        kind: RewardKind::parse(&kind)
            .ok_or_else(|| StoreError::corrupt(format!("unknown reward kind {kind}")))?,
        state: InstanceState::parse(&state)
            .ok_or_else(|| StoreError::corrupt(format!("unknown reward code state {state}")))?,
        points: Points::new(int(row, "points")?),
        issued_at: timestamp(row, "issued_at_us")?,
        expires_at: opt_timestamp(row, "expires_at_us")?,
        order_id: opt_text(row, "order_id")?
            .map(OrderId::parse)
            .transpose()
            .map_err(|e| StoreError::corrupt(format!("order_id: {e}")))?,
        value_minor: opt_int(row, "value_minor")?,
        balance_minor: opt_int(row, "balance_minor")?,
        charity: opt_text(row, "charity")?,
        achievement: opt_text(row, "achievement")?,
    })
}

pub(super) fn hold(row: &AnyRow) -> Result<HoldRecord, StoreError> {
    let state = text(row, "state")?;
    let reward = opt_text(row, "reward")?
        .map(|r| serde_json::from_str(&r))
        .transpose()
        .map_err(|e| StoreError::corrupt(format!("reward of a hold: {e}")))?;
    Ok(HoldRecord {
        hold_id: parsed(row, "hold_id", HoldId::parse)?,
        order_id: parsed(row, "order_id", OrderId::parse)?,
        state: HoldState::parse(&state)
            .ok_or_else(|| StoreError::corrupt(format!("unknown hold state {state}")))?,
        points: Points::new(int(row, "points")?),
        amount_minor: opt_int(row, "amount_minor")?,
        reward,
        draws: json(row, "draws")?,
        created_at: timestamp(row, "created_at_us")?,
        expires_at: timestamp(row, "expires_at_us")?,
        refunded: Points::new(int(row, "refunded")?),
    })
}

/// A member's unused codes that achievements issued, which a return may cancel.
pub(super) async fn achievement_codes(
    conn: &mut AnyConnection,
    program: ProgramId,
    member: i64,
) -> Result<Vec<RewardInstance>, StoreError> {
    let sql = format!(
        "{INSTANCE_SELECT} WHERE r.program_id = $1 AND r.member_id = $2 AND r.achievement IS NOT NULL \
         AND r.state = 'issued' ORDER BY r.id"
    );
    let rows = sqlx::query::<Any>(AssertSqlSafe(sql)).bind(program.0).bind(member).fetch_all(conn).await?;
    rows.iter().map(instance).collect()
}

/// A member's reward codes, or the one of them that is `code`.
pub(super) async fn instances(
    conn: &mut AnyConnection,
    program: ProgramId,
    member: i64,
    code: Option<&str>,
) -> Result<Vec<RewardInstance>, StoreError> {
    let filter = if code.is_some() { " AND r.code = $3" } else { "" };
    let sql = format!("{INSTANCE_SELECT} WHERE r.program_id = $1 AND r.member_id = $2{filter} ORDER BY r.id");
    let mut query = sqlx::query::<Any>(AssertSqlSafe(sql)).bind(program.0).bind(member);
    if let Some(code) = code {
        query = query.bind(code);
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter().map(instance).collect()
}

/// A member's holds matching `filter` (on columns of `h`, with `$2` and `$3`).
pub(super) async fn holds(
    conn: &mut AnyConnection,
    program: ProgramId,
    filter: &str,
    member: i64,
    value: &str,
) -> Result<Vec<HoldRecord>, StoreError> {
    let sql = format!("{HOLD_SELECT} WHERE h.program_id = $1 AND {filter} ORDER BY h.id");
    let rows = sqlx::query::<Any>(AssertSqlSafe(sql))
        .bind(program.0)
        .bind(member)
        .bind(value)
        .fetch_all(conn)
        .await?;
    rows.iter().map(hold).collect()
}

/// The code `code` of the program, with its member's external id.
pub(super) async fn code(
    conn: &mut AnyConnection,
    program: ProgramId,
    code: &InstanceCode,
) -> Result<Option<(ExternalId, RewardInstance)>, StoreError> {
    let sql = format!("{INSTANCE_SELECT} WHERE r.program_id = $1 AND r.code = $2");
    let row = sqlx::query::<Any>(AssertSqlSafe(sql))
        .bind(program.0)
        .bind(code.as_str())
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((parsed(&r, "external_id", ExternalId::parse)?, instance(&r)?))).transpose()
}

/// The hold `hold_id` of the program, with its member's external id.
pub(super) async fn hold_by_id(
    conn: &mut AnyConnection,
    program: ProgramId,
    hold_id: &HoldId,
) -> Result<Option<(ExternalId, HoldRecord)>, StoreError> {
    let sql = format!("{HOLD_SELECT} WHERE h.program_id = $1 AND h.hold_id = $2");
    let row = sqlx::query::<Any>(AssertSqlSafe(sql))
        .bind(program.0)
        .bind(hold_id.as_str())
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((parsed(&r, "external_id", ExternalId::parse)?, hold(&r)?))).transpose()
}

/// Open holds whose time ran out by `until`, by row id after `after`.
pub(super) async fn due_holds(
    conn: &mut AnyConnection,
    program: ProgramId,
    until: Timestamp,
    after: i64,
    limit: u32,
) -> Result<Vec<(i64, ExternalId, HoldRecord)>, StoreError> {
    let sql = format!(
        "{HOLD_SELECT} WHERE h.program_id = $1 AND h.state = 'open' AND h.expires_at_us <= $2 AND h.id > $3 \
         ORDER BY h.id LIMIT $4"
    );
    due(conn, sql, program, until, after, limit, hold).await
}

/// Issued codes whose validity ran out by `until`, by row id after `after`.
pub(super) async fn due_codes(
    conn: &mut AnyConnection,
    program: ProgramId,
    until: Timestamp,
    after: i64,
    limit: u32,
) -> Result<Vec<(i64, ExternalId, RewardInstance)>, StoreError> {
    let sql = format!(
        "{INSTANCE_SELECT} WHERE r.program_id = $1 AND r.state = 'issued' AND r.expires_at_us IS NOT NULL \
         AND r.expires_at_us <= $2 AND r.id > $3 ORDER BY r.id LIMIT $4"
    );
    due(conn, sql, program, until, after, limit, instance).await
}

async fn due<T>(
    conn: &mut AnyConnection,
    sql: String,
    program: ProgramId,
    until: Timestamp,
    after: i64,
    limit: u32,
    read: fn(&AnyRow) -> Result<T, StoreError>,
) -> Result<Vec<(i64, ExternalId, T)>, StoreError> {
    let rows = sqlx::query::<Any>(AssertSqlSafe(sql))
        .bind(program.0)
        .bind(until.as_micros())
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| Ok((int(r, "id")?, parsed(r, "external_id", ExternalId::parse)?, read(r)?))).collect()
}

/// Points donated in [from, to), per charity, by charity name.
pub(super) async fn donations(
    conn: &mut AnyConnection,
    program: ProgramId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<DonationTotal>, StoreError> {
    let rows = sqlx::query::<Any>(
        "SELECT charity, CAST(SUM(points) AS BIGINT) AS points, COUNT(*) AS donations FROM reward_instances \
         WHERE program_id = $1 AND kind = 'donation' AND issued_at_us >= $2 AND issued_at_us < $3 \
         GROUP BY charity ORDER BY charity",
    )
    .bind(program.0)
    .bind(from.as_micros())
    .bind(to.as_micros())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DonationTotal {
                charity: opt_text(r, "charity")?.unwrap_or_default(),
                points: Points::new(int(r, "points")?),
                donations: int(r, "donations")?,
            })
        })
        .collect()
}

//! Loading what `decide` needs to know about one member for one event.

use super::Dialect;
use super::rows::{int, opt_text, opt_timestamp, parsed, text, timestamp};
use crate::StoreError;
use crate::types::ProgramId;
use loyalty_core::Event;
use loyalty_core::Points;
use loyalty_core::ids::{ExternalId, LotId, MemberId, OrderId};
use loyalty_core::state::{Balance, Lot, Member, MemberState, MemberStatus, OrderRecord};
use sqlx::{Any, Transaction};

/// Loads the event's member and, on PostgreSQL, locks the row until the transaction ends.
pub(super) async fn lock_member(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    program: ProgramId,
    external_id: &ExternalId,
) -> Result<Option<Member>, StoreError> {
    let row = sqlx::query(dialect.member_for_update())
        .bind(program.0)
        .bind(external_id.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let status = text(&row, "status")?;
    Ok(Some(Member {
        id: MemberId(int(&row, "id")?),
        external_id: parsed(&row, "external_id", ExternalId::parse)?,
        status: MemberStatus::parse(&status)
            .ok_or_else(|| StoreError::corrupt(format!("unknown member status {status}")))?,
        balance: Balance {
            available: Points::new(int(&row, "available")?),
            pending: Points::new(int(&row, "pending")?),
        },
        debt: Points::new(int(&row, "debt")?),
    }))
}

/// The rest of the state: open lots when points may leave, the order a return names.
pub(super) async fn load(
    tx: &mut Transaction<'static, Any>,
    program: ProgramId,
    member: Option<Member>,
    event: &Event,
) -> Result<MemberState, StoreError> {
    let lots = match &member {
        Some(m) if event.spends_points() => open_lots(tx, m.id).await?,
        _ => Vec::new(),
    };
    let order = match event {
        Event::Return(r) => order(tx, program, &r.order_id).await?,
        _ => None,
    };
    Ok(MemberState { member, lots, order })
}

async fn open_lots(tx: &mut Transaction<'static, Any>, member: MemberId) -> Result<Vec<Lot>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, amount, remaining, earned_at_us, expires_at_us, order_id FROM lots \
         WHERE member_id = $1 AND remaining > 0",
    )
    .bind(member.0)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Lot {
                id: LotId(int(row, "id")?),
                amount: Points::new(int(row, "amount")?),
                remaining: Points::new(int(row, "remaining")?),
                earned_at: timestamp(row, "earned_at_us")?,
                expires_at: opt_timestamp(row, "expires_at_us")?,
                order_id: opt_text(row, "order_id")?
                    .map(OrderId::parse)
                    .transpose()
                    .map_err(|e| StoreError::corrupt(format!("lot order_id: {e}")))?,
            })
        })
        .collect()
}

async fn order(
    tx: &mut Transaction<'static, Any>,
    program: ProgramId,
    order_id: &OrderId,
) -> Result<Option<OrderRecord>, StoreError> {
    let row =
        sqlx::query("SELECT member_id, awarded, lines FROM orders WHERE program_id = $1 AND order_id = $2")
            .bind(program.0)
            .bind(order_id.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(OrderRecord {
        order_id: order_id.clone(),
        member_id: MemberId(int(&row, "member_id")?),
        awarded: Points::new(int(&row, "awarded")?),
        lines: super::rows::json(&row, "lines")?,
    }))
}

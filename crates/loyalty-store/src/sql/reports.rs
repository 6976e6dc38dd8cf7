//! The sums behind finance's reports, read from the journal (never from counters that
//! could drift). Entries are placed in a period by when they were booked (`recorded_at`),
//! so a closed period never changes when a late event arrives. Each sum reads the program
//! side of the journal from the `postings_books` index alone (see migration 0008).

use super::rows::{int, opt_text, text};
use crate::StoreError;
use crate::types::{BreakageSums, IssuedLots, KpiSums, LiabilitySums, ProgramId};
use loyalty_core::Timestamp;
use loyalty_core::ledger::Account;
use sqlx::{AnyPool, AssertSqlSafe};
use std::collections::BTreeMap;

/// Lots are grouped by quarter hour of issue: fine enough to place each in its local month
/// whatever the time zone's offset.
const BUCKET_MICROS: i64 = 900_000_000;
const DAY_MICROS: i64 = 86_400_000_000;

pub(super) async fn liability(
    pool: &AnyPool,
    program: ProgramId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<LiabilitySums>, StoreError> {
    // Every entry balances, so what a member holds at any time is minus what the program
    // accounts have posted in their entries until then: one pass over the program side
    // (the `postings_books` index, in member order) gives each member's opening and
    // movements, and the members their tier.
    let rows = sqlx::query(
        "SELECT m.tier, s.account, CAST(SUM(s.before) AS BIGINT) AS before, CAST(SUM(s.during) AS BIGINT) AS during \
         FROM (SELECT holder_id, account, \
                 SUM(CASE WHEN recorded_at_us < $2 THEN amount ELSE 0 END) AS before, \
                 SUM(CASE WHEN recorded_at_us >= $2 THEN amount ELSE 0 END) AS during \
               FROM postings WHERE program_id = $1 AND member_id IS NULL AND recorded_at_us < $3 \
               GROUP BY holder_id, account) s \
         LEFT JOIN members m ON m.id = s.holder_id \
         GROUP BY m.tier, s.account",
    )
    .bind(program.0)
    .bind(from.as_micros())
    .bind(to.as_micros())
    .fetch_all(pool)
    .await?;
    let mut tiers: BTreeMap<Option<String>, LiabilitySums> = BTreeMap::new();
    for row in &rows {
        let name = text(row, "account")?;
        let account =
            Account::parse(&name).ok_or_else(|| StoreError::corrupt(format!("unknown account {name}")))?;
        let (before, during) = (int(row, "before")?, int(row, "during")?);
        let l = line(&mut tiers, opt_text(row, "tier")?);
        l.opening -= before;
        l.closing -= before + during;
        l.posted.push((account, during));
    }
    Ok(tiers.into_values().collect())
}

fn line(tiers: &mut BTreeMap<Option<String>, LiabilitySums>, tier: Option<String>) -> &mut LiabilitySums {
    tiers.entry(tier.clone()).or_insert_with(|| LiabilitySums {
        tier,
        opening: 0,
        closing: 0,
        posted: Vec::new(),
    })
}

pub(super) async fn breakage(
    pool: &AnyPool,
    program: ProgramId,
    since: Timestamp,
    until: Timestamp,
) -> Result<BreakageSums, StoreError> {
    let flows = sqlx::query(
        "SELECT \
           CAST(COALESCE(SUM(CASE WHEN p.account IN ('program:redeemed', 'program:donated') THEN p.amount ELSE 0 END), 0) \
             AS BIGINT) AS redeemed, \
           CAST(COALESCE(SUM(CASE WHEN p.account = 'program:expired' THEN p.amount ELSE 0 END), 0) AS BIGINT) AS expired \
         FROM postings p WHERE p.program_id = $1 AND p.member_id IS NULL AND p.recorded_at_us >= $2 \
           AND p.recorded_at_us < $3",
    )
    .bind(program.0)
    .bind(since.as_micros())
    .bind(until.as_micros())
    .fetch_one(pool)
    .await?;
    let outstanding = sqlx::query(
        "SELECT CAST(COALESCE(SUM(available + pending + pending_review + held), 0) AS BIGINT) AS held \
         FROM members WHERE program_id = $1",
    )
    .bind(program.0)
    .fetch_one(pool)
    .await?;
    let issued = sqlx::query(
        "SELECT earned_at_us / $2 AS bucket, CAST(SUM(amount) AS BIGINT) AS issued, \
           CAST(SUM(remaining) AS BIGINT) AS open, CAST(SUM(expired) AS BIGINT) AS expired, \
           CAST(SUM(reversed) AS BIGINT) AS reversed \
         FROM lots WHERE program_id = $1 AND source <> 'refund' GROUP BY earned_at_us / $2 ORDER BY bucket",
    )
    .bind(program.0)
    .bind(BUCKET_MICROS)
    .fetch_all(pool)
    .await?;
    Ok(BreakageSums {
        redeemed: int(&flows, "redeemed")?,
        expired: int(&flows, "expired")?,
        outstanding: int(&outstanding, "held")?,
        issued: issued
            .iter()
            .map(|r| {
                Ok(IssuedLots {
                    from: Timestamp::from_micros(int(r, "bucket")? * BUCKET_MICROS),
                    issued: int(r, "issued")?,
                    open: int(r, "open")?,
                    expired: int(r, "expired")?,
                    reversed: int(r, "reversed")?,
                })
            })
            .collect::<Result<_, StoreError>>()?,
    })
}

/// Points issued (less returns) and spent (redeemed and donated, less refunds) among a
/// program's postings `p`, as the KPI report and the weekly flows count them.
const EARNED_BURNED: &str = "\
    CAST(COALESCE(SUM(CASE WHEN p.account = 'program:issued' THEN -p.amount ELSE 0 END), 0) AS BIGINT) AS earned, \
    CAST(COALESCE(SUM(CASE WHEN p.account IN ('program:redeemed', 'program:donated') THEN p.amount ELSE 0 END), 0) \
      AS BIGINT) AS burned";

/// Points earned and burned between each two of `bounds` (ascending instants), in one
/// pass over the postings: `bounds.len() - 1` pairs, oldest first.
pub(super) async fn flows(
    pool: &AnyPool,
    program: ProgramId,
    bounds: &[Timestamp],
) -> Result<Vec<(i64, i64)>, StoreError> {
    let (Some(first), Some(last)) = (bounds.first(), bounds.last()) else { return Ok(Vec::new()) };
    // The bucket of a posting: the number of inner bounds at or before it.
    let buckets: Vec<String> = (1..bounds.len().saturating_sub(1))
        .map(|i| format!("CASE WHEN p.recorded_at_us >= ${} THEN 1 ELSE 0 END", i + 3))
        .collect();
    let bucket = if buckets.is_empty() { "0".to_owned() } else { buckets.join(" + ") };
    let sql = format!(
        "SELECT CAST({bucket} AS BIGINT) AS bucket, {EARNED_BURNED} FROM postings p \
         WHERE p.program_id = $1 AND p.member_id IS NULL AND p.recorded_at_us >= $2 AND p.recorded_at_us < $3 \
         GROUP BY 1"
    );
    let mut query =
        sqlx::query(AssertSqlSafe(sql)).bind(program.0).bind(first.as_micros()).bind(last.as_micros());
    for inner in &bounds[1..bounds.len() - 1] {
        query = query.bind(inner.as_micros());
    }
    let rows = query.fetch_all(pool).await?;
    let mut sums = vec![(0, 0); bounds.len() - 1];
    for row in &rows {
        let slot = usize::try_from(int(row, "bucket")?).ok().and_then(|b| sums.get_mut(b));
        if let Some(slot) = slot {
            *slot = (int(row, "earned")?, int(row, "burned")?);
        }
    }
    Ok(sums)
}

pub(super) async fn kpis(
    pool: &AnyPool,
    program: ProgramId,
    from: Timestamp,
    to: Timestamp,
) -> Result<KpiSums, StoreError> {
    let (from, to) = (from.as_micros(), to.as_micros());
    let people = sqlx::query(
        "SELECT \
           CAST(COALESCE(SUM(CASE WHEN last_activity_us >= $3 - $4 AND last_activity_us < $3 THEN 1 ELSE 0 END), 0) \
             AS BIGINT) AS active_30, \
           CAST(COALESCE(SUM(CASE WHEN last_activity_us >= $3 - $5 AND last_activity_us < $3 THEN 1 ELSE 0 END), 0) \
             AS BIGINT) AS active_90, \
           CAST(COALESCE(SUM(CASE WHEN enrolled_at_us >= $2 AND enrolled_at_us < $3 THEN 1 ELSE 0 END), 0) AS BIGINT) \
             AS enrolments, \
           CAST(COALESCE(SUM(CASE WHEN status IN ('active', 'suspended') THEN 1 ELSE 0 END), 0) AS BIGINT) AS open, \
           CAST(COALESCE(SUM(CASE WHEN status IN ('active', 'suspended') \
             THEN available + pending + pending_review + held ELSE 0 END), 0) AS BIGINT) AS held \
         FROM members WHERE program_id = $1",
    )
    .bind(program.0)
    .bind(from)
    .bind(to)
    .bind(30 * DAY_MICROS)
    .bind(90 * DAY_MICROS)
    .fetch_one(pool)
    .await?;
    let flows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {EARNED_BURNED} FROM postings p \
         WHERE p.program_id = $1 AND p.member_id IS NULL AND p.recorded_at_us >= $2 AND p.recorded_at_us < $3"
    )))
    .bind(program.0)
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await?;
    let top = sqlx::query(
        "SELECT reward, COUNT(*) AS codes, CAST(SUM(points) AS BIGINT) AS points FROM reward_instances \
         WHERE program_id = $1 AND issued_at_us >= $2 AND issued_at_us < $3 AND state <> 'cancelled' \
         GROUP BY reward ORDER BY COUNT(*) DESC, SUM(points) DESC, reward LIMIT 5",
    )
    .bind(program.0)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    // Walks the `members_by_tier` index of member search, so the counts and a search by
    // tier agree.
    let tiers = sqlx::query(
        "SELECT tier, COUNT(*) AS members FROM members \
         WHERE program_id = $1 AND status IN ('active', 'suspended') GROUP BY tier ORDER BY tier",
    )
    .bind(program.0)
    .fetch_all(pool)
    .await?;
    let members = int(&people, "open")?;
    let held = int(&people, "held")?;
    Ok(KpiSums {
        active_30_days: int(&people, "active_30")?,
        active_90_days: int(&people, "active_90")?,
        enrolments: int(&people, "enrolments")?,
        members,
        average_balance: if members > 0 { held.div_euclid(members) } else { 0 },
        earned: int(&flows, "earned")?,
        burned: int(&flows, "burned")?,
        top_rewards: top
            .iter()
            .map(|r| Ok((text(r, "reward")?, int(r, "codes")?, int(r, "points")?)))
            .collect::<Result<_, StoreError>>()?,
        members_by_tier: tiers
            .iter()
            .map(|r| Ok((opt_text(r, "tier")?, int(r, "members")?)))
            .collect::<Result<_, StoreError>>()?,
    })
}

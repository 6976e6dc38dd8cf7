//! The sums behind finance's reports, read from the journal (never from counters that
//! could drift). Entries are placed in a period by when they were booked (`recorded_at`),
//! so a closed period never changes when a late event arrives. Each sum reads the program
//! side of the journal from the `postings_books` index alone (see migration 0008).

use super::rows::{int, opt_text, text};
use crate::StoreError;
use crate::types::{BreakageSums, IssuedLots, KpiSums, LiabilitySums, ProgramId};
use loyalty_core::Timestamp;
use loyalty_core::ledger::Account;
use sqlx::AnyPool;
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
    let flows = sqlx::query(
        "SELECT \
           CAST(COALESCE(SUM(CASE WHEN p.account = 'program:issued' THEN -p.amount ELSE 0 END), 0) AS BIGINT) AS earned, \
           CAST(COALESCE(SUM(CASE WHEN p.account IN ('program:redeemed', 'program:donated') THEN p.amount ELSE 0 END), 0) \
             AS BIGINT) AS burned \
         FROM postings p \
         WHERE p.program_id = $1 AND p.member_id IS NULL AND p.recorded_at_us >= $2 AND p.recorded_at_us < $3",
    )
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

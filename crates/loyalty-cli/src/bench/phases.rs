//! The paths the benchmark measures, each over the same workload.

use super::measure::{Timing, process_cpu};
use super::workload::{Workload, basket, member, referral_code, request};
use loyalty_core::event::Purchase;
use loyalty_core::ids::{InstanceCode, MemberId, OrderId};
use loyalty_core::memory::MemoryLedger;
use loyalty_core::state::{Balance, Member, MemberState, MemberStatus, Profile};
use loyalty_core::{Event, Points, Program, Timestamp, decide};
use loyalty_server::rate_limit::RateLimitSettings;
use loyalty_server::{AppState, Clock, Programs, Versions, app, secrets, serve};
use loyalty_store::{Backend, Command, LoadedProgram, Role, SqlStore, Store, StoreError};
use sqlx::AssertSqlSafe;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// `decide` alone on a purchase of `lines` lines, on this thread, for about a second.
pub fn pure_decide(program: &Program, lines: usize) -> Timing {
    let state = MemberState {
        member: Some(Member {
            id: MemberId(1),
            external_id: member(0),
            status: MemberStatus::Active,
            balance: Balance::default(),
            debt: Points::ZERO,
            profile: Profile::default(),
            referral_code: referral_code(0),
            referred_by: None,
            enrolled_at: Timestamp::from_micros(0),
            last_activity_at: Timestamp::from_micros(0),
            standing: Default::default(),
        }),
        ..MemberState::default()
    };
    let now = Timestamp::from_micros(1_800_000_000_000_000);
    let event = Event::Purchase(Purchase {
        member: member(0),
        order_id: OrderId::parse("bench").unwrap_or_else(|_| unreachable!()),
        occurred_at: now,
        lines: basket(lines),
        reward_code: InstanceCode::parse("bench").ok(),
    });
    let (mut done, started) = (0usize, Instant::now());
    while started.elapsed() < Duration::from_secs(1) {
        for _ in 0..10_000 {
            black_box(decide(black_box(program), black_box(&state), black_box(&event), now)).ok();
        }
        done += 10_000;
    }
    Timing::counted(format!("decide, {lines}-line basket (pure, one core)"), done, started.elapsed())
}

/// The workload through `decide` and the in-memory ledger: the engine without a database.
pub fn in_memory(program: &Program, workload: &Workload) -> Timing {
    let mut ledger = MemoryLedger::new();
    for e in &workload.enrolments {
        ledger.submit(program, e, e.occurred_at()).ok();
    }
    let started = Instant::now();
    let mut refused = 0;
    for (_, event) in &workload.events {
        if ledger.submit(program, event, event.occurred_at()).is_err() {
            refused += 1;
        }
    }
    let mut timing =
        Timing::counted("decide + apply in memory (one core)", workload.events.len(), started.elapsed());
    timing.refused = refused;
    timing
}

/// Splits events over `tasks` workers by member, so each member's events stay in order.
fn partition(events: &[(usize, Event)], tasks: usize) -> Vec<Vec<(usize, Event)>> {
    let mut parts = vec![Vec::new(); tasks.max(1)];
    for (m, event) in events {
        parts[m % tasks.max(1)].push((*m, event.clone()));
    }
    parts
}

/// Enrols the workload's members in `program`; not timed.
async fn enrol(store: &SqlStore, program: &LoadedProgram, workload: &Workload) -> Result<(), Failure> {
    for e in &workload.enrolments {
        let command = Command {
            event: e.clone(),
            idempotency_key: None,
            fingerprint: String::new(),
            now: now(),
            recorded_segment: None,
        };
        store.submit(program, &command).await?;
    }
    Ok(())
}

fn now() -> Timestamp {
    Clock::system().now()
}

/// A way of writing events that the benchmark times.
enum Writer {
    /// The engine's store path: one command, one transaction.
    Engine { store: SqlStore, program: LoadedProgram },
    /// The floor it is measured against: for each event, the same rows (an event, a journal
    /// entry, two postings and a lot) written by the plainest SQL, one transaction per
    /// event, on the store's own write connection with its durability settings.
    Raw { store: SqlStore, sql: [String; 4] },
}

impl Writer {
    /// Writes one event; false if the engine refused it.
    async fn write(&self, event: Event) -> Result<bool, Failure> {
        match self {
            Writer::Engine { store, program } => {
                let command = Command {
                    event,
                    idempotency_key: None,
                    fingerprint: String::new(),
                    now: now(),
                    recorded_segment: None,
                };
                match store.submit(program, &command).await {
                    Ok(_) => Ok(true),
                    Err(StoreError::Rejected(_)) => Ok(false),
                    Err(other) => Err(other.into()),
                }
            }
            Writer::Raw { store, sql } => {
                let payload = serde_json::to_string(&event)?;
                let at = now().as_micros();
                let mut tx = store.begin_raw_write().await?;
                let event_id: i64 = sqlx::query_scalar(AssertSqlSafe(sql[0].clone()))
                    .bind(event.member().as_str())
                    .bind(payload)
                    .bind(at)
                    .fetch_one(&mut *tx)
                    .await?;
                let entry_id: i64 = sqlx::query_scalar(AssertSqlSafe(sql[1].clone()))
                    .bind(event_id)
                    .bind(event.kind().as_str())
                    .bind(at)
                    .fetch_one(&mut *tx)
                    .await?;
                sqlx::query(AssertSqlSafe(sql[2].clone()))
                    .bind(entry_id)
                    .bind(-100i64)
                    .bind(100i64)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(AssertSqlSafe(sql[3].clone()))
                    .bind(event_id)
                    .bind(event.member().as_str())
                    .bind(100i64)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(true)
            }
        }
    }
}

/// What one writer did over some events: latencies, refusals, wall and CPU time.
#[derive(Default)]
struct Tally {
    latencies: Vec<u64>,
    refused: usize,
    elapsed: Duration,
    cpu: Duration,
}

/// Runs `events` through `writer` with `tasks` workers and adds what happened to `tally`.
async fn run(
    writer: &Arc<Writer>,
    events: &[(usize, Event)],
    tasks: usize,
    tally: &mut Tally,
) -> Result<(), Failure> {
    let cpu = process_cpu();
    let started = Instant::now();
    let mut workers = JoinSet::new();
    for part in partition(events, tasks) {
        let writer = writer.clone();
        workers.spawn(async move {
            let (mut latencies, mut refused) = (Vec::with_capacity(part.len()), 0);
            for (_, event) in part {
                let t = Instant::now();
                if !writer.write(event).await? {
                    refused += 1;
                }
                latencies.push(t.elapsed().as_micros() as u64);
            }
            Ok::<_, Failure>((latencies, refused))
        });
    }
    for result in workers.join_all().await {
        let (latencies, refused) = result?;
        tally.latencies.extend(latencies);
        tally.refused += refused;
    }
    tally.elapsed += started.elapsed();
    tally.cpu +=
        process_cpu().zip(cpu).map_or(Duration::ZERO, |(after, before)| after.saturating_sub(before));
    Ok(())
}

/// Rounds the two writers alternate in, so that both meet the same machine: on a shared
/// machine a slow minute would otherwise fall on one of them only.
const ROUNDS: usize = 10;

/// The engine's store path and the raw SQL floor over the same workload, `tasks` at a
/// time, alternating round by round.
pub async fn engine_against_raw(
    store: &SqlStore,
    program: &LoadedProgram,
    workload: &Workload,
    tasks: usize,
    table_suffix: &str,
) -> Result<(Timing, Timing), Failure> {
    enrol(store, program, workload).await?;
    let key = match store.backend() {
        Backend::Sqlite => "INTEGER PRIMARY KEY",
        Backend::Postgres => "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    };
    let (events, entries, postings, lots) = (
        format!("raw_events{table_suffix}"),
        format!("raw_entries{table_suffix}"),
        format!("raw_postings{table_suffix}"),
        format!("raw_lots{table_suffix}"),
    );
    let mut tx = store.begin_raw_write().await?;
    for table in [
        format!("{events} (id {key}, member TEXT NOT NULL, payload TEXT NOT NULL, at_us BIGINT NOT NULL)"),
        format!("{entries} (id {key}, event_id BIGINT NOT NULL, kind TEXT NOT NULL, at_us BIGINT NOT NULL)"),
        format!(
            "{postings} (id {key}, entry_id BIGINT NOT NULL, account TEXT NOT NULL, amount BIGINT NOT NULL)"
        ),
        format!(
            "{lots} (id {key}, event_id BIGINT NOT NULL, member TEXT NOT NULL, amount BIGINT NOT NULL, remaining BIGINT NOT NULL, at_us BIGINT NOT NULL)"
        ),
    ] {
        sqlx::query(AssertSqlSafe(format!("CREATE TABLE {table}"))).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    let raw = Arc::new(Writer::Raw {
        store: store.clone(),
        sql: [
            format!("INSERT INTO {events} (member, payload, at_us) VALUES ($1, $2, $3) RETURNING id"),
            format!("INSERT INTO {entries} (event_id, kind, at_us) VALUES ($1, $2, $3) RETURNING id"),
            format!(
                "INSERT INTO {postings} (entry_id, account, amount) VALUES ($1, 'program:issued', $2), ($1, 'member:available', $3)"
            ),
            format!(
                "INSERT INTO {lots} (event_id, member, amount, remaining, at_us) VALUES ($1, $2, $3, $3, $4)"
            ),
        ],
    });
    let engine = Arc::new(Writer::Engine { store: store.clone(), program: program.clone() });
    let (mut engine_tally, mut raw_tally) = (Tally::default(), Tally::default());
    for round in workload.events.chunks(workload.events.len().div_ceil(ROUNDS).max(1)) {
        run(&engine, round, tasks, &mut engine_tally).await?;
        run(&raw, round, tasks, &mut raw_tally).await?;
    }
    let timing = |label: String, tally: Tally| {
        let mut timing = Timing::new(label, tally.elapsed, tally.latencies, tally.refused);
        timing.cpu = Some(tally.cpu);
        timing
    };
    Ok((
        timing(format!("engine store path, {tasks} at a time"), engine_tally),
        timing(format!("raw SQL baseline, {tasks} at a time"), raw_tally),
    ))
}

/// The workload through the real HTTP server, one event per request, `clients` at a time.
pub async fn http(
    store: &SqlStore,
    program: &LoadedProgram,
    workload: &Workload,
    clients: usize,
) -> Result<Timing, Failure> {
    enrol(store, program, workload).await?;
    let key = secrets::new_api_key()?;
    store.add_api_key(program.id, Role::Admin, "benchmark", &secrets::key_hash(&key), now()).await?;
    let state = AppState::new(
        Arc::new(store.clone()),
        Programs::new([Versions::single(program.clone())]),
        Clock::system(),
    )
    // The engine is measured, not the rate limits a server puts before it.
    .with_rate_limits(&RateLimitSettings::unlimited());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base: Arc<str> = format!("http://{}", listener.local_addr()?).into();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, app(state), async move {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::new();
    let key: Arc<str> = key.into();
    let started = Instant::now();
    let mut workers = JoinSet::new();
    for part in partition(&workload.events, clients) {
        let (client, base, key) = (client.clone(), base.clone(), key.clone());
        workers.spawn(async move {
            let (mut latencies, mut refused) = (Vec::with_capacity(part.len()), 0);
            for (_, event) in part {
                let Some((path, body)) = request(&event) else {
                    return Err(format!("no POST request sends {:?}", event.kind()).into());
                };
                let t = Instant::now();
                let response =
                    client.post(format!("{base}{path}")).bearer_auth(&*key).json(&body).send().await?;
                match response.status().as_u16() {
                    201 => {}
                    422 => refused += 1,
                    other => {
                        return Err(format!("{path} answered {other}: {}", response.text().await?).into());
                    }
                }
                latencies.push(t.elapsed().as_micros() as u64);
            }
            Ok::<_, Failure>((latencies, refused))
        });
    }
    let (mut latencies, mut refused) = (Vec::new(), 0);
    for result in workers.join_all().await {
        let (l, r) = result?;
        latencies.extend(l);
        refused += r;
    }
    let elapsed = started.elapsed();
    let _ = stop.send(());
    server.await??;
    Ok(Timing::new(format!("HTTP, one event per request, {clients} clients"), elapsed, latencies, refused))
}

//! The jobs: the work that falls due with time (points expiring, pending points released,
//! warnings ahead of expiry, birthday bonuses, tier evaluations, inactivity closures, checkout
//! holds and reward codes whose time ran out), done as events through `decide` like any
//! other. Each event is dated when its work fell due and keyed by what it is about, so a
//! job run twice, late, or again after a crash writes the same ledger once.

use crate::metrics::Metrics;
use crate::state::Versions;
use loyalty_core::calendar::Calendar;
use loyalty_core::event::{
    Birthday, CodeAction, CodeUpdate, DueTick, ExpiryNotice, HoldSettlement, JobTick, SettleAction,
};
use loyalty_core::ids::{IdempotencyKey, MemberId};
use loyalty_core::{Event, Rejection, Timestamp};
use loyalty_store::{Command, Due, DueCursor, DueWork, Store, StoreError};
use serde::Serialize;

/// How many members a job asks the store for at a time.
pub const DEFAULT_BATCH: u32 = 500;

const DAY_MICROS: i64 = 86_400_000_000;

/// The birthday job's name where its last run is recorded.
const BIRTHDAY_JOB: &str = "birthdays";

/// What one run of the jobs did for one program.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct JobReport {
    /// Members whose points expired (once per member and expiry date).
    pub expired: u64,
    /// Members whose pending points were released.
    pub released: u64,
    /// Warnings of points about to expire.
    pub notices: u64,
    /// Birthday bonuses given.
    pub birthdays: u64,
    /// Tier evaluations done (kept, moved down, or moved up).
    pub tier_reviews: u64,
    /// Accounts closed for inactivity.
    pub closed_inactive: u64,
    /// Checkout holds released because their time ran out.
    pub holds_expired: u64,
    /// Reward codes whose validity ran out unused.
    pub codes_expired: u64,
    /// Work already done by an earlier run, or that turned out to be due no more.
    pub skipped: u64,
    /// Work refused for another reason, which the events' log keeps no trace of; a sign
    /// of a bug, reported so that it is seen.
    pub refused: u64,
}

/// The jobs of one kind, for progress lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Expiry,
    Release,
    Notice,
    Birthday,
    TierReview,
    Inactivity,
    HoldExpiry,
    CodeExpiry,
}

impl Job {
    /// Every job there is (for help texts and tests that must name them all).
    pub const ALL: [Job; 8] = [
        Job::Expiry,
        Job::Release,
        Job::Notice,
        Job::Birthday,
        Job::TierReview,
        Job::Inactivity,
        Job::HoldExpiry,
        Job::CodeExpiry,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Job::Expiry => "expiry",
            Job::Release => "pending release",
            Job::Notice => "expiry notices",
            Job::Birthday => "birthdays",
            Job::TierReview => "tier evaluations",
            Job::Inactivity => "inactivity closures",
            Job::HoldExpiry => "expired holds",
            Job::CodeExpiry => "expired reward codes",
        }
    }
}

/// Runs the jobs of every served program at the server's time, every `every`, until the
/// process ends. A failed run is logged and tried again at the next tick: the work it
/// left is still due.
pub async fn schedule<S: Store>(state: crate::AppState<S>, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        state.limits.forget_idle();
        for versions in state.programs.all() {
            let code = versions.latest().program.code().to_owned();
            let now = state.clock.now_for(versions.id());
            let metrics = Some(state.metrics.as_ref());
            match run_due(state.store.as_ref(), &versions, now, DEFAULT_BATCH, metrics, &mut |_, _| {}).await
            {
                Ok(report) if report != JobReport::default() => {
                    tracing::info!(program = %code, ?report, "jobs ran");
                    audit_run(state.store.as_ref(), &versions, now, "job:scheduler", &report).await;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(program = %code, error = %e, "jobs failed; retrying at the next tick")
                }
            }
            let store = state.store.as_ref();
            match crate::analytics::analytics_due(store, &versions, now).await {
                Ok(true) => match crate::analytics::run_analytics(store, &versions, now).await {
                    Ok(report) => {
                        tracing::info!(program = %code, scored = report.scored, "segments computed")
                    }
                    Err(e) => {
                        tracing::error!(program = %code, error = %e, "analytics failed; retrying at the next tick")
                    }
                },
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(program = %code, error = %e, "analytics failed; retrying at the next tick")
                }
            }
        }
    }
}

/// Records a run of the jobs that did something in the program's audit trail, as `actor`.
pub async fn audit_run<S: Store>(
    store: &S,
    versions: &Versions,
    now: Timestamp,
    actor: &str,
    report: &JobReport,
) {
    let what = serde_json::to_value(report).unwrap_or_default();
    if let Err(e) = crate::audit::record_run(store, versions.id(), now, (actor, "run_jobs"), what).await {
        tracing::error!(error = %e, "could not record a run of the jobs in the audit trail");
    }
}

/// Runs every job of the program that is due at `now`, `batch` members at a time,
/// counting each event in `metrics` (the server's) and calling `progress` after each batch
/// with the job and how many it has handled so far.
pub async fn run_due<S: Store>(
    store: &S,
    versions: &Versions,
    now: Timestamp,
    batch: u32,
    metrics: Option<&Metrics>,
    progress: &mut (dyn FnMut(Job, u64) + Send),
) -> Result<JobReport, StoreError> {
    run_only(store, versions, now, batch, metrics, progress, &Job::ALL).await
}

/// Runs the jobs of `only` that are due at `now`, as `run_due` runs them all.
pub async fn run_only<S: Store>(
    store: &S,
    versions: &Versions,
    now: Timestamp,
    batch: u32,
    metrics: Option<&Metrics>,
    progress: &mut (dyn FnMut(Job, u64) + Send),
    only: &[Job],
) -> Result<JobReport, StoreError> {
    let wants = |job: Job| only.contains(&job);
    let mut run = Run { store, versions, now, batch, metrics, progress, report: JobReport::default() };
    let latest = versions.latest().program.clone();
    // Holds first: the points they free may be due to expire or to be forfeited next.
    if wants(Job::HoldExpiry) {
        run.holds().await?;
    }
    if wants(Job::CodeExpiry) {
        run.codes().await?;
    }
    if wants(Job::Release) {
        run.each_due(Job::Release, DueWork::Release { until: now }, |due| {
            Event::ReleasePending(JobTick { member: due.external_id.clone(), occurred_at: due.at })
        })
        .await?;
    }
    if wants(Job::Expiry) {
        run.each_due(Job::Expiry, DueWork::Expiry { until: now }, |due| {
            Event::Expire(JobTick { member: due.external_id.clone(), occurred_at: due.at })
        })
        .await?;
    }
    let notice_days = latest.expiry().notice_days;
    if notice_days > 0 && wants(Job::Notice) {
        let lead = i64::from(notice_days) * DAY_MICROS;
        let until = now.checked_add_micros(lead).unwrap_or(now);
        run.each_due(Job::Notice, DueWork::ExpiringSoon { from: now, until }, |due| {
            Event::ExpiryNotice(ExpiryNotice {
                member: due.external_id.clone(),
                expires_at: due.at,
                occurred_at: Timestamp::from_micros(due.at.as_micros().saturating_sub(lead)),
            })
        })
        .await?;
    }
    if latest.has_birthday_bonus() && wants(Job::Birthday) {
        run.birthdays().await?;
    }
    let tiers = latest.tiers();
    if !tiers.is_empty() && wants(Job::TierReview) {
        // Dates in the program's calendar decide; this only bounds the search, and a
        // member found a little early is skipped and found again at the next run.
        let grace = i64::from(tiers.grace_days) * DAY_MICROS;
        let until = Timestamp::from_micros(now.as_micros().saturating_sub(grace));
        let calendar = latest.calendar().clone();
        let tiers = tiers.clone();
        run.each_due(Job::TierReview, DueWork::TierReview { until }, |due| {
            Event::TierReview(DueTick {
                member: due.external_id.clone(),
                due: due.at,
                occurred_at: tiers.downgrade_from(&calendar, due.at).unwrap_or(due.at),
            })
        })
        .await?;
    }
    let months = latest.lifecycle().inactivity_months;
    if months > 0
        && wants(Job::Inactivity)
        && let Some(until) = latest.calendar().months_before(now, months)
    {
        let calendar = latest.calendar().clone();
        run.each_due(Job::Inactivity, DueWork::Inactive { until }, |due| {
            let closes = calendar.add_months(due.at, months).unwrap_or(due.at);
            Event::CloseInactive(DueTick {
                member: due.external_id.clone(),
                due: closes,
                occurred_at: closes,
            })
        })
        .await?;
    }
    Ok(run.report)
}

/// One run of the jobs of one program.
struct Run<'a, S> {
    store: &'a S,
    versions: &'a Versions,
    /// When the run happens, recorded with each event it writes.
    now: Timestamp,
    batch: u32,
    metrics: Option<&'a Metrics>,
    progress: &'a mut (dyn FnMut(Job, u64) + Send),
    report: JobReport,
}

impl<S: Store> Run<'_, S> {
    /// Submits the event `make` builds for each member with `work` due, page by page.
    async fn each_due(
        &mut self,
        job: Job,
        work: DueWork,
        make: impl Fn(&Due) -> Event,
    ) -> Result<(), StoreError> {
        let (mut after, mut handled): (Option<DueCursor>, u64) = (None, 0);
        loop {
            let page = self.store.due(self.versions.id(), work, after, self.batch).await?;
            let Some(last) = page.last() else { return Ok(()) };
            after = Some(last.cursor());
            for due in &page {
                let event = make(due);
                let key = format!("job:{}:{}:{}", event.kind().as_str(), due.member.0, due.at.as_micros());
                self.submit(job, event, &key).await?;
            }
            handled += page.len() as u64;
            (self.progress)(job, handled);
        }
    }

    /// Releases every open hold whose time ran out, dated when it did.
    async fn holds(&mut self) -> Result<(), StoreError> {
        let (mut after, mut handled) = (0i64, 0u64);
        loop {
            let page = self.store.due_holds(self.versions.id(), self.now, after, self.batch).await?;
            let Some(last) = page.last() else { return Ok(()) };
            after = last.row;
            for due in &page {
                let event = Event::Settle(HoldSettlement {
                    member: due.external_id.clone(),
                    hold_id: due.item.hold_id.clone(),
                    action: SettleAction::Expire,
                    occurred_at: due.item.expires_at,
                });
                let key = format!("job:hold:{}", due.item.hold_id);
                self.submit(Job::HoldExpiry, event, &key).await?;
            }
            handled += page.len() as u64;
            (self.progress)(Job::HoldExpiry, handled);
        }
    }

    /// Ends every issued reward code whose validity ran out, dated when it did.
    async fn codes(&mut self) -> Result<(), StoreError> {
        let (mut after, mut handled) = (0i64, 0u64);
        loop {
            let page = self.store.due_codes(self.versions.id(), self.now, after, self.batch).await?;
            let Some(last) = page.last() else { return Ok(()) };
            after = last.row;
            for due in &page {
                let Some(expires_at) = due.item.expires_at else { continue };
                let event = Event::Code(CodeUpdate {
                    member: due.external_id.clone(),
                    code: due.item.code.clone(),
                    action: CodeAction::Expire,
                    occurred_at: expires_at,
                });
                let key = format!("job:code:{}", due.item.code);
                self.submit(Job::CodeExpiry, event, &key).await?;
            }
            handled += page.len() as u64;
            (self.progress)(Job::CodeExpiry, handled);
        }
    }

    /// Gives the birthdays of every local day since the job last finished (today's alone
    /// on its first run), at most a year back, so a day the server was down loses none.
    /// The key, by member and the birthday's year, gives each once a year however often
    /// the job runs; a day before the member enrolled, or whose program version had no
    /// birthday bonus, gives nothing.
    async fn birthdays(&mut self) -> Result<(), StoreError> {
        let now = self.now;
        let calendar = self.versions.at(now).program.calendar().clone();
        let last = self.store.last_job_run(self.versions.id(), BIRTHDAY_JOB).await?;
        let year_ago = Timestamp::from_micros(now.as_micros().saturating_sub(365 * DAY_MICROS));
        let mut day_end = calendar.end_of_day(last.unwrap_or(now).clamp(year_ago, now));
        let mut handled = 0u64;
        loop {
            let last_moment = Timestamp::from_micros(day_end.as_micros() - 1);
            let occurred_at = last_moment.min(now);
            if self.versions.at(occurred_at).program.has_birthday_bonus() {
                handled = self.birthdays_on(&calendar, occurred_at, handled).await?;
            }
            if day_end > now {
                break;
            }
            day_end = calendar.end_of_day(day_end);
        }
        self.store.record_job_run(self.versions.id(), BIRTHDAY_JOB, now).await
    }

    /// Gives the birthdays of the local day of `at`, dated `at`.
    async fn birthdays_on(
        &mut self,
        calendar: &Calendar,
        at: Timestamp,
        mut handled: u64,
    ) -> Result<u64, StoreError> {
        let day = calendar.local(at).date();
        let mut month_days = vec![format!("{:02}-{:02}", day.month(), day.day())];
        // Those born on 29 February celebrate on the 28th in other years.
        if day.month() == 2 && day.day() == 28 && !day.in_leap_year() {
            month_days.push("02-29".to_owned());
        }
        let mut after = MemberId(0);
        loop {
            let page = self.store.birthdays(self.versions.id(), &month_days, after, self.batch).await?;
            let Some((last, _)) = page.last() else { return Ok(handled) };
            after = *last;
            for (member, external_id) in &page {
                // A code for an achievement's reward, should the birthday complete one; the
                // system's random source failing leaves none, and only such a birthday is refused.
                let reward_code = crate::secrets::new_reward_code().ok();
                let event =
                    Event::Birthday(Birthday { member: external_id.clone(), occurred_at: at, reward_code });
                let key = format!("job:birthday:{}:{}", member.0, day.year());
                self.submit(Job::Birthday, event, &key).await?;
            }
            handled += page.len() as u64;
            (self.progress)(Job::Birthday, handled);
        }
    }

    async fn submit(&mut self, job: Job, event: Event, key: &str) -> Result<(), StoreError> {
        let idempotency_key =
            IdempotencyKey::parse(key).map_err(|e| StoreError::Corrupt(format!("job key {key}: {e}")))?;
        let command = Command {
            fingerprint: key.to_owned(),
            event,
            idempotency_key: Some(idempotency_key),
            now: self.now,
            recorded_segment: None,
        };
        let program = self.versions.at(command.event.occurred_at());
        let result = self.store.submit(program, &command).await;
        let count = |metrics: Option<&Metrics>| {
            if let Some(metrics) = metrics {
                metrics.decided(program.program.code(), command.event.kind(), &result);
            }
        };
        let report = &mut self.report;
        match &result {
            Ok(done) if !done.replayed => {
                count(self.metrics);
                *match job {
                    Job::Expiry => &mut report.expired,
                    Job::Release => &mut report.released,
                    Job::Notice => &mut report.notices,
                    Job::Birthday => &mut report.birthdays,
                    Job::TierReview => &mut report.tier_reviews,
                    Job::Inactivity => &mut report.closed_inactive,
                    Job::HoldExpiry => &mut report.holds_expired,
                    Job::CodeExpiry => &mut report.codes_expired,
                } += 1;
                Ok(())
            }
            // Done before, or no longer due (a review, a return or a spend came first):
            // nothing was decided, so nothing is counted.
            Ok(_)
            | Err(StoreError::Rejected(
                Rejection::NothingDue { .. }
                | Rejection::NotBirthday { .. }
                | Rejection::BirthDateUnknown { .. },
            )) => {
                report.skipped += 1;
                Ok(())
            }
            Err(StoreError::Rejected(_)) => {
                count(self.metrics);
                report.refused += 1;
                Ok(())
            }
            Err(_) => result.map(|_| ()),
        }
    }
}

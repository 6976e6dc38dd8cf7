//! Rate limits, as token buckets (`governor`): one per key, sized by the key's role, and
//! one per client address for requests that bring no valid key. A key that floods the API
//! slows only itself, and guessing keys from one address is slowed to a trickle without
//! slowing the good keys sent from it (those are looked up as always, and counted
//! against their own bucket).

use crate::error::ApiError;
use axum::http::StatusCode;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use loyalty_store::Role;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// A bucket's size and how fast it refills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Requests a client may make at once.
    pub burst: NonZeroU32,
    /// The time one request's token takes to come back.
    pub refill: Duration,
}

impl Limit {
    /// `per_second` requests a second, with a burst of two seconds' worth.
    pub fn per_second(per_second: NonZeroU32) -> Limit {
        Limit {
            burst: per_second.saturating_mul(NonZeroU32::MIN.saturating_add(1)),
            refill: Duration::from_secs(1) / per_second.get(),
        }
    }

    fn quota(self) -> Quota {
        Quota::with_period(self.refill)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
            .allow_burst(self.burst)
    }
}

const fn nonzero(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => NonZeroU32::MIN,
    }
}

/// The limits a server applies (`loyalty serve --rate-limit ROLE=N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    pub admin: Limit,
    pub pos: Limit,
    pub read: Limit,
    pub billing: Limit,
    /// Per client address, for requests without a valid key (none, unknown, revoked or
    /// expired): what a key guesser gets.
    pub unauthenticated: Limit,
}

impl Default for RateLimitSettings {
    /// Per key: 2,000 requests a second for `admin` and `pos` (a web shop's backend or an
    /// import over the API may send one key's traffic for every till), 1,000 for `read`,
    /// 100 for `billing`; 10 a second per address without a valid key. Each with a burst
    /// of two seconds' worth.
    fn default() -> RateLimitSettings {
        RateLimitSettings {
            admin: Limit::per_second(nonzero(2000)),
            pos: Limit::per_second(nonzero(2000)),
            read: Limit::per_second(nonzero(1000)),
            billing: Limit::per_second(nonzero(100)),
            unauthenticated: Limit::per_second(nonzero(10)),
        }
    }
}

impl RateLimitSettings {
    /// No limit a benchmark could reach: for measuring the engine rather than the limits.
    pub fn unlimited() -> RateLimitSettings {
        let limit = Limit::per_second(NonZeroU32::MAX);
        RateLimitSettings { admin: limit, pos: limit, read: limit, billing: limit, unauthenticated: limit }
    }

    /// Sets one limit from `ROLE=N` (N a second), as the command line gives it.
    pub fn set(&mut self, text: &str) -> Result<(), String> {
        let (name, rate) = text.split_once('=').ok_or_else(|| format!("`{text}`: expected ROLE=N"))?;
        let rate =
            rate.trim().parse::<u32>().ok().and_then(NonZeroU32::new).ok_or_else(|| {
                format!("`{text}`: N must be a whole number of requests a second, at least 1")
            })?;
        let limit = Limit::per_second(rate);
        match name.trim() {
            "admin" => self.admin = limit,
            "pos" => self.pos = limit,
            "read" => self.read = limit,
            "billing" => self.billing = limit,
            "unauthenticated" => self.unauthenticated = limit,
            other => {
                return Err(format!("`{other}`: one of admin, pos, read, billing, unauthenticated"));
            }
        }
        Ok(())
    }
}

/// The buckets of a running server.
#[derive(Debug)]
pub struct RateLimits {
    by_role: [(Role, DefaultKeyedRateLimiter<i64>); 4],
    by_address: DefaultKeyedRateLimiter<Option<IpAddr>>,
}

impl RateLimits {
    pub fn new(settings: &RateLimitSettings) -> RateLimits {
        RateLimits {
            by_role: [
                (Role::Admin, RateLimiter::keyed(settings.admin.quota())),
                (Role::Pos, RateLimiter::keyed(settings.pos.quota())),
                (Role::Read, RateLimiter::keyed(settings.read.quota())),
                (Role::Billing, RateLimiter::keyed(settings.billing.quota())),
            ],
            by_address: RateLimiter::keyed(settings.unauthenticated.quota()),
        }
    }

    /// Forgets buckets that have filled up again, so that the addresses and keys seen
    /// once do not stay in memory (the scheduler calls this at each tick).
    pub fn forget_idle(&self) {
        for (_, limiter) in &self.by_role {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        self.by_address.retain_recent();
        self.by_address.shrink_to_fit();
    }

    /// Takes a token from key `id`'s bucket, or refuses with `429 rate_limited`.
    pub fn key(&self, id: i64, role: Role) -> Result<(), ApiError> {
        let Some((_, limiter)) = self.by_role.iter().find(|(r, _)| *r == role) else { return Ok(()) };
        limiter.check_key(&id).map_err(|until| limited(until.wait_time_from(DefaultClock::default().now())))
    }

    /// Takes a token from the bucket of a request without a valid key from `address`
    /// (`None` when the server does not know it, as under tests), or refuses with
    /// `429 rate_limited`.
    pub fn unauthenticated(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        self.by_address
            .check_key(&address)
            .map_err(|until| limited(until.wait_time_from(DefaultClock::default().now())))
    }
}

fn limited(wait: Duration) -> ApiError {
    // Whole seconds, rounded up: `Retry-After: 0` would invite an immediate retry.
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        format!("too many requests; try again in {seconds} s"),
    )
    .with_retry_after(seconds.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_lets_its_burst_through_then_refuses_with_the_wait() {
        let hourly = Limit { burst: nonzero(3), refill: Duration::from_secs(3600) };
        let settings =
            RateLimitSettings { pos: hourly, unauthenticated: hourly, ..RateLimitSettings::default() };
        let limits = RateLimits::new(&settings);
        for _ in 0..3 {
            assert!(limits.key(7, Role::Pos).is_ok());
            assert!(limits.unauthenticated(None).is_ok());
        }
        let refused = limits.key(7, Role::Pos).unwrap_err();
        assert_eq!((refused.status().as_u16(), refused.code()), (429, "rate_limited"));
        assert!(limits.unauthenticated(None).is_err());
        // Another key, and an admin key, have their own buckets.
        assert!(limits.key(8, Role::Pos).is_ok());
        assert!(limits.key(7, Role::Admin).is_ok());
    }

    #[test]
    fn limits_are_set_per_role_from_the_command_line() {
        let mut settings = RateLimitSettings::default();
        settings.set("pos=100").unwrap();
        assert_eq!(
            RateLimitSettings::default().pos,
            Limit { burst: nonzero(4000), refill: Duration::from_micros(500) }
        );
        assert_eq!(settings.pos, Limit { burst: nonzero(200), refill: Duration::from_millis(10) });
        assert!(settings.set("owner=5").unwrap_err().contains("one of admin"));
        assert!(settings.set("pos=0").is_err());
        assert!(settings.set("pos").is_err());
    }
}

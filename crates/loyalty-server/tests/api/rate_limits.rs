//! Rate limits, counted rather than timed: a flood of bad keys from one address is
//! answered `429 rate_limited` past its bucket while a good key's requests all pass, and a
//! key past its own bucket is refused with `Retry-After` while other keys are not. The
//! buckets here refill once an hour, so that the counts are exact on any machine.

use super::*;
use axum::http::Method;
use loyalty_server::Settings;
use loyalty_server::rate_limit::{Limit, RateLimitSettings};
use loyalty_store::Role;
use loyalty_testkit::{TestDb, each_backend};
use std::num::NonZeroU32;
use std::time::Duration;

each_backend!(
    a_flood_of_bad_keys_is_refused_past_its_bucket_and_a_good_key_passes,
    a_key_past_its_bucket_waits_and_other_keys_do_not,
);

fn hourly(burst: u32) -> Limit {
    Limit { burst: NonZeroU32::new(burst).unwrap(), refill: Duration::from_secs(3600) }
}

async fn limited(db: TestDb) -> TestApp {
    let app = with_member(db).await;
    let rate_limits =
        RateLimitSettings { unauthenticated: hourly(20), pos: hourly(5), ..RateLimitSettings::default() };
    app.restart_with(Settings { rate_limits, ..Settings::default() }).await
}

fn retry_after(got: &loyalty_testkit::TestResponse) -> u64 {
    got.header("retry-after").and_then(|v| v.parse().ok()).unwrap_or(0)
}

async fn a_flood_of_bad_keys_is_refused_past_its_bucket_and_a_good_key_passes(db: TestDb) {
    let app = limited(db).await;
    let (mut unauthorized, mut limited, mut good) = (0, 0, 0);
    for i in 0..2000 {
        let bearer = format!("Bearer lk_guess_{i}");
        let got = app.send(Method::GET, "/v1/members/c-1001", None, &[("authorization", &bearer)]).await;
        match (got.status, got.code()) {
            (401, "unauthorized") => unauthorized += 1,
            (429, "rate_limited") => {
                assert!((1..=3600).contains(&retry_after(&got)), "{:?}", got.headers);
                limited += 1;
            }
            other => panic!("a bad key was answered {other:?}"),
        }
        if i % 100 == 0 {
            assert_eq!(app.get("/v1/members/c-1001").await.status, 200, "the good key, after {i} bad ones");
            good += 1;
        }
    }
    assert_eq!((unauthorized, limited, good), (20, 1980, 20));
    // No key at all counts against the same bucket.
    let bare = app.send(Method::GET, "/v1/members/c-1001", None, &[("authorization", "")]).await;
    assert_eq!((bare.status, bare.code()), (429, "rate_limited"));
}

async fn a_key_past_its_bucket_waits_and_other_keys_do_not(db: TestDb) {
    let app = limited(db).await;
    let till = app.add_key(Role::Pos).await;
    let other_till = app.add_key(Role::Pos).await;
    for _ in 0..5 {
        assert_eq!(app.send_as(&till, Method::GET, "/v1/members/c-1001", None).await.status, 200);
    }
    let refused = app.send_as(&till, Method::GET, "/v1/members/c-1001", None).await;
    assert_eq!((refused.status, refused.code()), (429, "rate_limited"));
    assert!((3000..=3600).contains(&retry_after(&refused)), "{:?}", refused.headers);
    assert_eq!(app.send_as(&other_till, Method::GET, "/v1/members/c-1001", None).await.status, 200);
    assert_eq!(app.get("/v1/members/c-1001").await.status, 200);
}

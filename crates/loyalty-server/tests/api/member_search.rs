//! Finding members: by a prefix of the external id, email or name (ASCII letters in any
//! case), by tier,
//! status and tag, paged with an opaque cursor in a stable order.

use super::*;
use loyalty_testkit::{TestDb, each_backend};

each_backend!(
    a_prefix_of_the_id_email_or_name_finds_members_in_any_case,
    filters_combine_with_each_other_and_with_the_prefix,
    three_pages_follow_each_other_with_the_cursor,
    bad_cursors_limits_and_filters_are_refused,
);

/// Enrols the members the tests look for: five `c-…` with names and emails, and `vip-1`.
async fn people(db: TestDb) -> TestApp {
    let app = TestApp::start(db).await;
    for (id, name, email, tags) in [
        ("c-1001", "Ada Lovelace", "ada@example.com", json!(["vip"])),
        ("c-1002", "Alan Turing", "alan@example.org", json!([])),
        ("c-1003", "Grace Hopper", "grace@navy.example", json!(["vip", "staff"])),
        ("c-2001", "Adele Goldberg", "adele@example.com", json!(["staff"])),
        ("C-2002", "Édith Piaf", "EDITH@example.fr", json!([])),
        ("vip-1", "Barbara Liskov", "barbara@example.com", json!(["vip"])),
    ] {
        let got = app
            .post("/v1/members", json!({"external_id": id, "name": name, "email": email, "tags": tags}))
            .await;
        assert_eq!(got.status, 201, "{:?}", got.body);
    }
    app
}

/// The external ids found by `query`, in the order answered, with the next cursor.
async fn found(app: &TestApp, query: &str) -> (Vec<String>, Option<String>) {
    let got = app.get(&format!("/v1/members?{query}")).await;
    assert_eq!(got.status, 200, "{query}: {:?}", got.body);
    let ids = got.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["external_id"].as_str().unwrap().to_owned())
        .collect();
    (ids, got.body["next_cursor"].as_str().map(str::to_owned))
}

async fn ids(app: &TestApp, query: &str) -> Vec<String> {
    found(app, query).await.0
}

async fn a_prefix_of_the_id_email_or_name_finds_members_in_any_case(db: TestDb) {
    let app = people(db).await;
    // External id prefixes, in either case.
    assert_eq!(ids(&app, "q=c-1").await, ["c-1001", "c-1002", "c-1003"]);
    assert_eq!(ids(&app, "q=C-20").await, ["c-2001", "C-2002"]);
    // Email prefixes: `ad` is Ada's and Adele's email (and name).
    assert_eq!(ids(&app, "q=ad").await, ["c-1001", "c-2001"]);
    assert_eq!(ids(&app, "q=edith%40").await, ["C-2002"]);
    // Name prefixes; ASCII letters in any case, others as written, on both backends alike.
    assert_eq!(ids(&app, "q=grace%20h").await, ["c-1003"]);
    assert_eq!(ids(&app, "q=%C3%89DITH").await, ["C-2002"]);
    assert_eq!(ids(&app, "q=%C3%A9d").await, Vec::<String>::new());
    // A word inside a name is not a prefix.
    assert_eq!(ids(&app, "q=lovelace").await, Vec::<String>::new());
    // `b` is Barbara's name and email; `vip` her id (tags are not searched).
    assert_eq!(ids(&app, "q=B").await, ["vip-1"]);
    assert_eq!(ids(&app, "q=vip").await, ["vip-1"]);
    // LIKE's wildcards are plain characters.
    assert_eq!(ids(&app, "q=_").await, Vec::<String>::new());
    assert_eq!(ids(&app, "q=%25").await, Vec::<String>::new());

    // Each member comes with their balance, status and tier.
    let got = app.get("/v1/members?q=ada%40").await;
    let ada = &got.body["members"][0];
    assert_eq!(ada["name"], "Ada Lovelace");
    assert_eq!(ada["email"], "ada@example.com");
    assert_eq!(ada["status"], "active");
    assert_eq!(ada["tier"], Value::Null);
    assert_eq!(ada["tags"], json!(["vip"]));
    assert_eq!(ada["balance"]["available"], 0);
    assert_eq!(got.body["next_cursor"], Value::Null);
    // No query at all lists everyone.
    assert_eq!(ids(&app, "").await.len(), 6);
}

async fn filters_combine_with_each_other_and_with_the_prefix(db: TestDb) {
    let app = people(db).await;
    for member in ["c-1001", "c-1003", "vip-1"] {
        let got = app.patch(&format!("/v1/members/{member}"), json!({"tier": "gold"})).await;
        assert_eq!(got.status, 200, "{:?}", got.body);
    }
    let suspended = app.post("/v1/members/c-1003/status", json!({"action": "suspend"})).await;
    assert_eq!(suspended.status, 201, "{:?}", suspended.body);

    assert_eq!(ids(&app, "tier=gold").await, ["c-1001", "c-1003", "vip-1"]);
    assert_eq!(ids(&app, "status=suspended").await, ["c-1003"]);
    assert_eq!(ids(&app, "tier=gold&status=active").await, ["c-1001", "vip-1"]);
    assert_eq!(ids(&app, "tag=vip").await, ["c-1001", "c-1003", "vip-1"]);
    assert_eq!(ids(&app, "tag=staff").await, ["c-1003", "c-2001"]);
    assert_eq!(ids(&app, "tag=vi").await, Vec::<String>::new());
    assert_eq!(ids(&app, "q=c-&tag=vip").await, ["c-1001", "c-1003"]);
    assert_eq!(ids(&app, "q=c-&tag=vip&status=active&tier=gold").await, ["c-1001"]);
    assert_eq!(ids(&app, "q=a&tier=gold").await, ["c-1001"]);
    assert_eq!(ids(&app, "tier=silver").await, Vec::<String>::new());
}

async fn three_pages_follow_each_other_with_the_cursor(db: TestDb) {
    let app = TestApp::start(db).await;
    for i in 1..=7 {
        let got = app
            .post(
                "/v1/members",
                json!({"external_id": format!("p-{i}"), "email": format!("p{i}@example.com")}),
            )
            .await;
        assert_eq!(got.status, 201, "{:?}", got.body);
    }
    let (first, cursor) = found(&app, "q=p&limit=3").await;
    assert_eq!(first, ["p-1", "p-2", "p-3"]);
    let cursor = cursor.unwrap();
    let (second, cursor) = found(&app, &format!("q=p&limit=3&cursor={cursor}")).await;
    assert_eq!(second, ["p-4", "p-5", "p-6"]);
    let (third, last) = found(&app, &format!("q=p&limit=3&cursor={}", cursor.unwrap())).await;
    assert_eq!(third, ["p-7"]);
    assert_eq!(last, None);
    // A page that ends exactly at the last member says no more follow.
    let (all, none) = found(&app, "q=p&limit=7").await;
    assert_eq!(all.len(), 7);
    assert_eq!(none, None);
    // 20 by default.
    for i in 8..=25 {
        let got = app.post("/v1/members", json!({"external_id": format!("p-{i}")})).await;
        assert_eq!(got.status, 201, "{:?}", got.body);
    }
    let (default, more) = found(&app, "").await;
    assert_eq!(default.len(), 20);
    assert!(more.is_some());
}

async fn bad_cursors_limits_and_filters_are_refused(db: TestDb) {
    let app = people(db).await;
    // As everywhere in the API: a request that cannot be read is 400, a value out of
    // range 422.
    for (query, status, code) in [
        ("cursor=nope", 400, "invalid_cursor"),
        ("cursor=e12", 400, "invalid_cursor"),
        ("cursor=m0", 400, "invalid_cursor"),
        ("colour=blue", 400, "malformed_request"),
        ("limit=0", 422, "invalid_request"),
        ("limit=101", 422, "invalid_request"),
        ("limit=ten", 422, "invalid_request"),
        ("status=asleep", 422, "invalid_request"),
        ("tier=Not%20a%20tier", 422, "invalid_request"),
    ] {
        let got = app.get(&format!("/v1/members?{query}")).await;
        assert_eq!(got.status, status, "{query}: {:?}", got.body);
        assert_eq!(got.body["error"]["code"], code, "{query}: {:?}", got.body);
    }
    assert_eq!(ids(&app, "limit=100").await.len(), 6);
}

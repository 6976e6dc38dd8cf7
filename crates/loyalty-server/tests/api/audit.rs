//! The audit trail: every write with who made it, an administrator's changes with the
//! state before and after (never a secret), filters and pages, and erasure scrubbing it.

use super::*;
use axum::http::Method;
use loyalty_store::Role;
use loyalty_testkit::{TestDb, at, each_backend};

each_backend!(every_write_is_in_the_trail_with_its_actor_and_admin_changes_with_before_and_after);

/// The trail's rows as (actor, action, member).
async fn trail(app: &TestApp, query: &str) -> Vec<(String, String, Option<String>)> {
    let got = app.get(&format!("/v1/audit{query}")).await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["member"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

async fn every_write_is_in_the_trail_with_its_actor_and_admin_changes_with_before_and_after(db: TestDb) {
    let app = with_purchase(db).await;
    let admin = app.get("/v1/keys").await.body["keys"][0]["id"].as_i64().unwrap();
    let till = app.post("/v1/keys", json!({"name": "till 4", "role": "pos"})).await;
    assert_eq!(till.status, 201, "{:?}", till.body);
    let (till_id, till_key) =
        (till.body["id"].as_i64().unwrap(), till.body["secret"].as_str().unwrap().to_owned());
    app.clock.set(at("2026-11-02T13:00:00Z"));
    let mut order = order_o1();
    order["order_id"] = json!("o-2");
    assert_eq!(app.send_as(&till_key, Method::POST, "/v1/events", Some(order)).await.status, 201);
    let adjusted = app.post("/v1/members/c-1001/adjustments", json!({"points": 40, "reason": "sorry"})).await;
    assert_eq!(adjusted.status, 201, "{:?}", adjusted.body);
    let token =
        app.post("/v1/members/c-1001/tokens", json!({})).await.body["token"].as_str().unwrap().to_owned();
    let redeemed = app
        .send_as(
            &token,
            Method::POST,
            "/v1/members/c-1001/redemptions",
            Some(json!({"reward": "free-drink"})),
        )
        .await;
    assert_eq!(redeemed.status, 201, "{:?}", redeemed.body);
    // A refused write is not in the trail.
    let refused = app.post("/v1/members/c-1001/adjustments", json!({"points": 0, "reason": "x"})).await;
    assert_eq!(refused.status, 422);

    let (a, t) = (format!("key:{admin}"), format!("key:{till_id}"));
    let member = Some("c-1001".to_owned());
    let expected = vec![
        (a.clone(), "enrol_member".to_owned(), member.clone()),
        (a.clone(), "record_event".to_owned(), member.clone()),
        (a.clone(), "create_key".to_owned(), None),
        (t.clone(), "record_event".to_owned(), member.clone()),
        (a.clone(), "adjust".to_owned(), member.clone()),
        (a.clone(), "create_member_token".to_owned(), member.clone()),
        ("member:c-1001".to_owned(), "redeem".to_owned(), member.clone()),
    ];
    assert_eq!(trail(&app, "").await, expected);

    let rows = app.get("/v1/audit").await.body["entries"].clone();
    let key = &rows[2];
    assert_eq!(
        (&key["actor_name"], &key["path"]),
        (&json!("bootstrap admin key (admin key)"), &json!("/v1/keys"))
    );
    assert_eq!(key["after"]["name"], "till 4");
    assert!(key["after"].get("secret").is_none() && !key.to_string().contains(&till_key), "{key}");
    let adjust = &rows[4];
    assert_eq!(adjust["at"], "2026-11-02T13:00:00Z");
    assert_eq!(adjust["before"]["balance"]["available"], 320, "{adjust}");
    assert_eq!(adjust["after"]["balance"]["available"], 360, "{adjust}");
    assert_eq!((&rows[3]["before"], &rows[3]["after"]), (&Value::Null, &Value::Null));
    assert!(!rows[5].to_string().contains(&token));

    // Filters and pages.
    assert_eq!(trail(&app, &format!("?actor={t}")).await, vec![expected[3].clone()]);
    assert_eq!(trail(&app, "?action=record_event").await, vec![expected[1].clone(), expected[3].clone()]);
    assert_eq!(trail(&app, "?from=2026-11-02T13:00:00Z").await, expected[3..].to_vec());
    assert_eq!(trail(&app, "?to=2026-11-02T13:00:00Z").await, expected[..3].to_vec());
    let first = app.get("/v1/audit?limit=4").await.body;
    let next = first["next_cursor"].as_str().unwrap();
    assert_eq!(trail(&app, &format!("?limit=4&cursor={next}")).await, expected[4..].to_vec());
    let bad = app.get("/v1/audit?cursor=zz").await;
    assert_eq!((bad.status, bad.code()), (400, "invalid_cursor"));
    let reader = app.add_key(Role::Read).await;
    let got = app.send_as(&reader, Method::GET, "/v1/audit", None).await;
    assert_eq!((got.status, got.code()), (403, "forbidden"));

    // Erasure keeps who did what, under the member's new id, without the states.
    let erased = app.post("/v1/members/c-1001/erasure", json!({})).await;
    assert_eq!(erased.status, 200, "{:?}", erased.body);
    let new_id = erased.body["external_id"].as_str().unwrap().to_owned();
    let rows = app.get("/v1/audit").await.body["entries"].clone();
    assert!(!rows.to_string().contains("c-1001"), "{rows}");
    assert_eq!(rows[4]["member"], json!(new_id));
    assert_eq!(rows[4]["path"], json!(format!("/v1/members/{new_id}/adjustments")));
    assert_eq!((&rows[4]["before"], &rows[4]["after"]), (&Value::Null, &Value::Null));
    assert_eq!(
        (&rows[6]["actor"], &rows[6]["actor_name"]),
        (&json!(format!("member:{new_id}")), &json!(format!("member token of {new_id}")))
    );
    assert_eq!((&rows[7]["action"], &rows[7]["member"]), (&json!("erase_member"), &json!(new_id)));
}

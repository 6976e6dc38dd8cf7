//! API keys managed over the API: made with a role and shown once, listed without
//! secrets, used, expired, rotated with and without a grace period, revoked at once; a
//! till that may not hand out a paid tier; and every documented route answering each
//! role as its `x-required-role` says.

use super::*;
use axum::http::Method;
use loyalty_store::Store;
use loyalty_testkit::{TestDb, at, each_backend, retail_path};

each_backend!(
    a_key_is_made_with_a_role_listed_without_its_secret_and_revoked_at_once,
    an_expired_key_and_a_rotated_secret_stop_working_on_time,
    a_till_cannot_hand_out_a_paid_tier_but_billing_can,
    every_route_answers_each_role_as_its_required_role_says,
);

/// Makes a key over the API and gives its view, with the secret.
async fn make(app: &TestApp, body: Value) -> Value {
    let got = app.post("/v1/keys", body).await;
    assert_eq!(got.status, 201, "{:?}", got.body);
    got.body
}

fn secret(key: &Value) -> String {
    key["secret"].as_str().unwrap().to_owned()
}

/// The listed keys as (name, role).
async fn listed(app: &TestApp) -> Vec<(String, String)> {
    let got = app.get("/v1/keys").await;
    assert_eq!(got.status, 200, "{:?}", got.body);
    got.body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            assert!(k.get("secret").is_none(), "a listed key shows its secret: {k}");
            (k["name"].as_str().unwrap().to_owned(), k["role"].as_str().unwrap().to_owned())
        })
        .collect()
}

async fn a_key_is_made_with_a_role_listed_without_its_secret_and_revoked_at_once(db: TestDb) {
    let app = with_member(db).await;
    app.clock.set(at("2026-11-02T12:00:00Z"));
    let till = make(&app, json!({"name": " till 4, Main Street ", "role": "pos"})).await;
    let till_secret = secret(&till);
    assert!(till_secret.starts_with("lk_") && till_secret.len() == 51, "{till_secret}");
    assert_eq!(till["prefix"], json!(&till_secret[..11]));
    assert_eq!(
        (&till["name"], &till["role"], &till["created_at"], &till["expires_at"], &till["last_used_at"]),
        (
            &json!("till 4, Main Street"),
            &json!("pos"),
            &json!("2026-11-02T12:00:00Z"),
            &Value::Null,
            &Value::Null
        )
    );

    // The till reads and writes members, but manages no keys.
    assert_eq!(app.send_as(&till_secret, Method::GET, "/v1/members/c-1001", None).await.status, 200);
    let made =
        app.send_as(&till_secret, Method::POST, "/v1/members", Some(json!({"external_id": "c-2"}))).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    for (method, path) in [(Method::GET, "/v1/keys"), (Method::POST, "/v1/keys")] {
        let got = app.send_as(&till_secret, method, path, Some(json!({"name": "x", "role": "admin"}))).await;
        assert_eq!((got.status, got.code()), (403, "forbidden"), "{path}");
    }
    let reader = secret(&make(&app, json!({"name": "reports", "role": "read"})).await);
    assert_eq!(app.send_as(&reader, Method::GET, "/v1/members/c-2", None).await.status, 200);
    let refused =
        app.send_as(&reader, Method::POST, "/v1/members", Some(json!({"external_id": "c-3"}))).await;
    assert_eq!((refused.status, refused.code()), (403, "forbidden"));

    assert_eq!(
        listed(&app).await,
        [("bootstrap admin key", "admin"), ("till 4, Main Street", "pos"), ("reports", "read")]
            .map(|(n, r)| (n.to_owned(), r.to_owned()))
    );
    // The till's use is noted, to the minute.
    let keys = app.get("/v1/keys").await.body;
    assert_eq!(keys["keys"][1]["last_used_at"], "2026-11-02T12:00:00Z");

    let id = till["id"].as_i64().unwrap();
    let revoked = app.send(Method::DELETE, &format!("/v1/keys/{id}"), None, &[]).await;
    assert_eq!(revoked.status, 200, "{:?}", revoked.body);
    assert_eq!(revoked.body, json!({"id": id, "revoked_at": "2026-11-02T12:00:00Z"}));
    let gone = app.send_as(&till_secret, Method::GET, "/v1/members/c-1001", None).await;
    assert_eq!((gone.status, gone.code()), (401, "unauthorized"));
    let again = app.send(Method::DELETE, &format!("/v1/keys/{id}"), None, &[]).await;
    assert_eq!((again.status, again.code()), (404, "key_not_found"));
    assert_eq!(listed(&app).await.len(), 2);

    for (body, field) in [
        (json!({"name": "x", "role": "owner"}), "role"),
        (json!({"name": "   ", "role": "pos"}), "name"),
        (json!({"name": "x".repeat(65), "role": "pos"}), "name"),
        (json!({"name": "x", "role": "pos", "expires_at": "2026-11-01T00:00:00Z"}), "expires_at"),
        (json!({"name": "x", "role": "pos", "expires_at": "soon"}), "expires_at"),
    ] {
        let got = app.post("/v1/keys", body.clone()).await;
        assert_eq!((got.status, got.code()), (422, "invalid_request"), "{body}: {:?}", got.body);
        assert!(got.body["error"]["message"].as_str().unwrap().contains(field), "{body}: {:?}", got.body);
    }
    let bad_id = app.send(Method::DELETE, "/v1/keys/abc", None, &[]).await;
    assert_eq!((bad_id.status, bad_id.code()), (422, "invalid_request"));
}

async fn an_expired_key_and_a_rotated_secret_stop_working_on_time(db: TestDb) {
    let app = with_member(db).await;
    app.clock.set(at("2026-11-02T12:00:00Z"));
    let temp =
        make(&app, json!({"name": "pop-up till", "role": "pos", "expires_at": "2026-11-02T13:00:00Z"})).await;
    let reads = |key: String| {
        let app = &app;
        async move { app.send_as(&key, Method::GET, "/v1/members/c-1001", None).await.status }
    };
    assert_eq!(reads(secret(&temp)).await, 200);
    app.clock.set(at("2026-11-02T13:00:00Z"));
    assert_eq!(reads(secret(&temp)).await, 401);
    assert!(!listed(&app).await.iter().any(|(name, _)| name == "pop-up till"));

    // Rotated with a minute's grace: both secrets work for that minute, then the new one.
    let till = make(&app, json!({"name": "till 1", "role": "pos"})).await;
    let id = till["id"].as_i64().unwrap();
    let rotated = app.post(&format!("/v1/keys/{id}/rotate"), json!({"grace_seconds": 60})).await;
    assert_eq!(rotated.status, 201, "{:?}", rotated.body);
    assert_eq!((&rotated.body["name"], &rotated.body["role"]), (&json!("till 1"), &json!("pos")));
    assert_ne!(rotated.body["id"], till["id"]);
    assert_ne!(secret(&rotated.body), secret(&till));
    assert_eq!((reads(secret(&till)).await, reads(secret(&rotated.body)).await), (200, 200));
    let old = app.get("/v1/keys").await.body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == till["id"])
        .cloned()
        .unwrap();
    assert_eq!(old["revoked_at"], "2026-11-02T13:01:00Z");
    app.clock.set(at("2026-11-02T13:01:00Z"));
    assert_eq!((reads(secret(&till)).await, reads(secret(&rotated.body)).await), (401, 200));
    let ended = app.post(&format!("/v1/keys/{id}/rotate"), json!({})).await;
    assert_eq!((ended.status, ended.code()), (404, "key_not_found"));

    // Without a body there is no grace; the bootstrap key stays the bootstrap key.
    let keys = app.get("/v1/keys").await.body;
    let bootstrap =
        keys["keys"].as_array().unwrap().iter().find(|k| k["name"] == "bootstrap admin key").unwrap();
    let path = format!("/v1/keys/{}/rotate", bootstrap["id"]);
    let new_admin = app.send(Method::POST, &path, None, &[]).await;
    assert_eq!(new_admin.status, 201, "{:?}", new_admin.body);
    assert_eq!(app.get("/v1/keys").await.code(), "unauthorized");
    let admin = secret(&new_admin.body);
    assert_eq!(app.send_as(&admin, Method::GET, "/v1/keys", None).await.status, 200);
    let program = app.store.programs().await.unwrap()[0].id;
    assert!(app.store.has_bootstrap_key(program).await.unwrap());

    let too_long = app.send_as(&admin, Method::POST, &path, Some(json!({"grace_seconds": 604801}))).await;
    assert_eq!((too_long.status, too_long.code()), (422, "invalid_request"));
}

async fn a_till_cannot_hand_out_a_paid_tier_but_billing_can(db: TestDb) {
    let app = TestApp::start_with(db, &retail_path()).await;
    assert_eq!(app.post("/v1/members", json!({"external_id": "r-1"})).await.status, 201);
    let till = secret(&make(&app, json!({"name": "till", "role": "pos"})).await);
    let billing = secret(&make(&app, json!({"name": "billing", "role": "billing"})).await);
    let gold = json!({"tier": "gold"});
    let refused = app.send_as(&till, Method::POST, "/v1/members/r-1/subscription", Some(gold.clone())).await;
    assert_eq!((refused.status, refused.code()), (403, "forbidden"));
    let news = app.send_as(&till, Method::POST, "/v1/members/r-1/subscription/renewal", None).await;
    assert_eq!((news.status, news.code()), (403, "forbidden"));
    assert_eq!(app.get("/v1/members/r-1").await.body["tier"], Value::Null);

    let started = app.send_as(&billing, Method::POST, "/v1/members/r-1/subscription", Some(gold)).await;
    assert_eq!(started.status, 201, "{:?}", started.body);
    assert_eq!(started.body["subscription"]["tier"], "gold");
    // Billing reads, but is no till.
    assert_eq!(app.send_as(&billing, Method::GET, "/v1/members/r-1/subscription", None).await.status, 200);
    let purchase = json!({"type": "purchase", "member": "r-1", "order_id": "o-1", "lines": []});
    let till_work = app.send_as(&billing, Method::POST, "/v1/events", Some(purchase)).await;
    assert_eq!((till_work.status, till_work.code()), (403, "forbidden"));
    app.assert_consistent().await;
}

/// Which roles `required` (an `x-required-role`) lets in.
fn allows(required: &str, role: &str) -> bool {
    // The platform key and a program's keys reach disjoint routes.
    if required == "platform" || role == "platform" {
        return required == role;
    }
    role == "admin"
        || required == "read"
        || (required == "pos" && role == "pos")
        || (required == "billing" && role == "billing")
}

async fn every_route_answers_each_role_as_its_required_role_says(db: TestDb) {
    let app = with_member(db).await;
    let document = app.get("/openapi.json").await.body;
    let roles = ["admin", "pos", "read", "billing", "platform"];
    let mut keys = vec![("platform", app.platform_key.clone())];
    for role in &roles[..4] {
        keys.push((role, secret(&make(&app, json!({"name": format!("walker {role}"), "role": role})).await)));
    }
    let mut walked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(required) = operation.get("x-required-role").and_then(Value::as_str) else {
                assert_eq!(
                    operation["security"],
                    json!([]),
                    "{method} {path} has a key but no required role"
                );
                continue;
            };
            assert!(roles.contains(&required), "{method} {path}: {required}");
            // Ids no resource has, so that a route allowed to run finds nothing to change.
            let concrete: String = path
                .split('/')
                .map(|part| if part.starts_with('{') { "zz-999999" } else { part })
                .collect::<Vec<_>>()
                .join("/");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
            for (role, key) in &keys {
                let got = app.send_as(key, method.clone(), &concrete, body.clone()).await;
                if allows(required, role) {
                    assert!(
                        got.status != 401 && got.status != 403,
                        "{method} {path} as {role} (needs {required}): {} {:?}",
                        got.status,
                        got.body
                    );
                } else {
                    assert_eq!(
                        (got.status, got.code()),
                        (403, "forbidden"),
                        "{method} {path} as {role} (needs {required}): {:?}",
                        got.body
                    );
                }
                walked += 1;
            }
        }
    }
    assert!(walked > 200, "only {walked} requests walked");
}

//! Two programs made live over the platform API on one server, each with admin, pos and
//! read keys and members with tokens: every route of the document, tried with the other
//! program's keys and with other members' tokens, refuses (404 for another's member,
//! never data) and changes nothing; the program's audit trail shows who made each write.

use super::*;
use axum::http::Method;
use loyalty_testkit::{TestDb, each_backend};

each_backend!(no_key_or_token_reaches_another_program_or_member);

struct Tenant {
    admin: String,
    pos: String,
    read: String,
}

/// Makes program `code` over the platform API with keys of each role, and `members`
/// enrolled, each with a purchase.
async fn tenant(app: &TestApp, definition: &Value, code: &str, members: &[&str]) -> Tenant {
    let mut definition = definition.clone();
    definition["id"] = json!(code);
    let made =
        app.send_as(&app.platform_key.clone(), Method::POST, "/v1/admin/programs", Some(definition)).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let admin = made.body["admin_key"]["secret"].as_str().unwrap().to_owned();
    let key = |role: &'static str| {
        let admin = admin.clone();
        async move {
            let body = json!({"name": format!("{role} of the test"), "role": role});
            let made = app.send_as(&admin, Method::POST, "/v1/keys", Some(body)).await;
            assert_eq!(made.status, 201, "{:?}", made.body);
            made.body["secret"].as_str().unwrap().to_owned()
        }
    };
    let (pos, read) = (key("pos").await, key("read").await);
    for member in members {
        let enrolled =
            app.send_as(&pos, Method::POST, "/v1/members", Some(json!({"external_id": member}))).await;
        assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
        let mut order = order_o1();
        order["member"] = json!(member);
        order["order_id"] = json!(format!("{member}-o-1"));
        let bought = app.send_as(&pos, Method::POST, "/v1/events", Some(order)).await;
        assert_eq!(bought.status, 201, "{:?}", bought.body);
    }
    Tenant { admin, pos, read }
}

async fn member_token(app: &TestApp, key: &str, member: &str) -> String {
    let made = app.send_as(key, Method::POST, &format!("/v1/members/{member}/tokens"), None).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    made.body["token"].as_str().unwrap().to_owned()
}

fn allows(required: &str, role: &str) -> bool {
    role == "admin" || required == "read" || required == role
}

async fn no_key_or_token_reaches_another_program_or_member(db: TestDb) {
    let app = TestApp::start(db).await;
    let definition = app.get("/v1/program").await.body["definition"].clone();
    let alpha = tenant(&app, &definition, "alpha", &["alice-of-alpha", "amos-of-alpha"]).await;
    let beta = tenant(&app, &definition, "beta", &["bea-of-beta"]).await;
    let before = app.send_as(&alpha.read, Method::GET, "/v1/members/alice-of-alpha", None).await.body;
    assert_eq!(before["balance"]["available"], 160);
    let callers = [
        ("beta admin", "admin", beta.admin.clone()),
        ("beta pos", "pos", beta.pos.clone()),
        ("beta read", "read", beta.read.clone()),
        ("bea's token", "token", member_token(&app, &beta.pos, "bea-of-beta").await),
        ("amos's token", "token", member_token(&app, &alpha.pos, "amos-of-alpha").await),
    ];

    let document = app.get("/openapi.json").await.body;
    let mut tried = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(required) = operation["x-required-role"].as_str() else { continue };
            if required == "platform" {
                continue;
            }
            let of_member = path.contains("{external_id}");
            let concrete: String = path
                .split('/')
                .map(|part| match part {
                    "{external_id}" => "alice-of-alpha",
                    p if p.starts_with('{') => "zz-999999",
                    p => p,
                })
                .collect::<Vec<_>>()
                .join("/");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
            let for_members = operation.get("x-member-token") == Some(&json!(true));
            for (who, role, key) in &callers {
                let got = app.send_as(key, method.clone(), &concrete, body.clone()).await;
                let what = format!("{method} {concrete} as {who}: {} {:?}", got.status, got.body);
                let expected = match (*role, of_member) {
                    ("token", true) if for_members => Some((404, "member_not_found")),
                    ("token", _) => Some((403, "forbidden")),
                    (role, _) if !allows(required, role) => Some((403, "forbidden")),
                    (_, true) if method == Method::GET => Some((404, "member_not_found")),
                    _ => None,
                };
                match expected {
                    Some(expected) => assert_eq!((got.status, got.code()), expected, "{what}"),
                    None if of_member => assert!(got.status >= 400, "{what}"),
                    // Beta's own data: none of alpha's members in it.
                    None => assert!(got.status >= 400 || !got.body.to_string().contains("alpha"), "{what}"),
                }
                tried += 1;
            }
        }
    }
    assert!(tried > 300, "only {tried} requests tried");

    // Another program's key ids are not found either, and alpha's keys still work.
    let alpha_keys = app.send_as(&alpha.admin, Method::GET, "/v1/keys", None).await.body;
    for key in alpha_keys["keys"].as_array().unwrap() {
        let id = key["id"].as_i64().unwrap();
        let got = app.send_as(&beta.admin, Method::DELETE, &format!("/v1/keys/{id}"), None).await;
        assert_eq!((got.status, got.code()), (404, "key_not_found"));
    }
    // Alpha's trail shows who made each of its writes, and none of the refused tries.
    let trail = app.send_as(&alpha.admin, Method::GET, "/v1/audit", None).await.body;
    let rows: Vec<(&str, &str, &str)> = trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor_name"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
                e["member"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let (admin, pos) = ("admin (admin key)", "pos of the test (pos key)");
    assert_eq!(
        rows,
        [
            ("the platform key", "create_program", ""),
            (admin, "create_key", ""),
            (admin, "create_key", ""),
            (pos, "enrol_member", "alice-of-alpha"),
            (pos, "record_event", "alice-of-alpha"),
            (pos, "enrol_member", "amos-of-alpha"),
            (pos, "record_event", "amos-of-alpha"),
            (pos, "create_member_token", "amos-of-alpha"),
        ]
    );
    let after = app.send_as(&alpha.read, Method::GET, "/v1/members/alice-of-alpha", None).await;
    assert_eq!(after.status, 200);
    assert_eq!(after.body, before, "alpha's member changed");
    app.assert_consistent().await;
}

//! What the screens answer with, over a real socket: headers that keep other sites from
//! framing the console or reading the portal's address, and a sign-in form whose post
//! without its CSRF cookie is refused. The API behind them answers as before.

#![allow(clippy::unwrap_used)]

use loyalty_server::ConnectionLimits;
use loyalty_testkit::{TestDb, TestServer, coffee_path};
use loyalty_web::{WebSettings, with_screens};

#[tokio::test]
async fn screens_forbid_framing_and_referrers_and_the_api_is_untouched() {
    let server = TestServer::start_serving(
        TestDb::sqlite(),
        vec![coffee_path()],
        ConnectionLimits::default(),
        |state| {
            let api = loyalty_server::app(state.clone());
            with_screens(state, api, WebSettings::default())
        },
    )
    .await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    let form = client.get(format!("{}/console/sign-in", server.base)).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let header = |name: &str| form.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(header("referrer-policy").as_deref(), Some("no-referrer"));
    assert!(header("content-security-policy").unwrap().contains("frame-ancestors 'none'"));
    let cookie = header("set-cookie").unwrap();
    assert!(
        cookie.starts_with("loyalty_sign_in=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );

    // A sign-in posted from elsewhere carries no CSRF cookie: refused, whatever the key.
    let forged = client
        .post(format!("{}/console/sign-in", server.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("key={}&csrf=anything", server.key))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(
        forged
            .headers()
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap().starts_with("loyalty_console="))
    );

    // Without a session the console sends one to sign in; the API answers as it did.
    let away = client.get(format!("{}/console/members", server.base)).send().await.unwrap();
    assert_eq!(
        (away.status().as_u16(), away.headers()["location"].to_str().unwrap()),
        (303, "/console/sign-in")
    );
    let program =
        client.get(format!("{}/v1/program", server.base)).bearer_auth(&server.key).send().await.unwrap();
    assert_eq!(program.status(), 200);
    assert!(program.headers().get("x-frame-options").is_none());
    let missing = client.get(format!("{}/nowhere", server.base)).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    server.stop().await;
}

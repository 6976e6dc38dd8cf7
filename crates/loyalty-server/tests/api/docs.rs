//! `/docs`: the interactive API reference, served from files built into the binary.

use super::*;
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use loyalty_testkit::{TestDb, each_backend};
use tower::ServiceExt;

each_backend!(the_reference_page_and_its_files_are_served_without_a_key);

/// A GET without a key: status, content type and body.
async fn fetch(app: &TestApp, path: &str) -> (u16, String, String) {
    let response = app.router.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status().as_u16();
    let media = response.headers().get("content-type").map_or("", |v| v.to_str().unwrap()).to_owned();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, media, String::from_utf8_lossy(&bytes).into_owned())
}

async fn the_reference_page_and_its_files_are_served_without_a_key(db: TestDb) {
    let app = TestApp::start(db).await;
    let (status, media, page) = fetch(&app, "/docs").await;
    assert_eq!((status, media.as_str()), (200, "text/html; charset=utf-8"));
    // Everything it loads is ours: no address outside this server.
    for local in ["/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/docs/docs.js"] {
        assert!(page.contains(&format!("\"{local}\"")), "{local} not in {page}");
    }
    assert!(!page.contains("http://") && !page.contains("https://"), "{page}");

    let (status, media, bundle) = fetch(&app, "/docs/swagger-ui-bundle.js").await;
    assert_eq!((status, media.as_str()), (200, "text/javascript; charset=utf-8"));
    assert!(bundle.contains("SwaggerUIBundle") && bundle.len() > 1_000_000, "{} bytes", bundle.len());
    let (status, media, css) = fetch(&app, "/docs/swagger-ui.css").await;
    assert_eq!((status, media.as_str()), (200, "text/css; charset=utf-8"));
    assert!(css.starts_with(".swagger-ui"), "{}", &css[..40]);
    let (status, _, init) = fetch(&app, "/docs/docs.js").await;
    assert_eq!(status, 200);
    assert!(init.contains(r#"url: "/openapi.json""#), "{init}");

    let (status, media, missing) = fetch(&app, "/docs/secrets.txt").await;
    assert_eq!((status, media.as_str()), (404, "application/json"));
    assert_eq!(serde_json::from_str::<Value>(&missing).unwrap()["error"]["code"], "not_found");
}

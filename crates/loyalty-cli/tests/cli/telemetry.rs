//! What `loyalty serve` tells operators: log lines as JSON objects (`--log-format json`)
//! naming the request, program and key, plain text without colour codes when the log is
//! a file, and the metrics on a listener of their own (`--metrics-listen`).

use super::*;
use loyalty_testkit::coffee_path;
use reqwest::{Client, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn json_logs_name_the_request_program_and_key_and_metrics_have_their_own_port() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("telemetry.db").display());
    let coffee = coffee_path().display().to_string();
    let extra = [
        "--program",
        &coffee,
        "--log-format",
        "json",
        "--metrics-listen",
        "127.0.0.1:0",
        "--jobs-every",
        "0",
    ];
    let server = Server::start(&database, &extra, &[], dir.path());
    let metrics = server
        .banner
        .iter()
        .find_map(|l| l.trim_start().strip_prefix("metrics    ").map(str::to_owned))
        .unwrap_or_else(|| panic!("no metrics address in {:#?}", server.banner));
    let client = Client::new();
    let read = client.get(format!("{}/v1/program", server.base)).bearer_auth(&server.key);
    assert_eq!(read.send().await.unwrap().status(), StatusCode::OK);
    let anonymous = client.get(format!("{}/v1/program", server.base)).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // The metrics port serves the metrics, counting the API's requests, and nothing else.
    let scraped = client.get(&metrics).send().await.unwrap();
    assert_eq!(scraped.status(), StatusCode::OK);
    let text = scraped.text().await.unwrap();
    assert!(
        text.contains(r#"loyalty_http_requests_total{method="GET",route="/v1/program",status="200"} 1"#),
        "{text}"
    );
    let api_there = client.get(metrics.replace("/metrics", "/v1/program")).bearer_auth(&server.key);
    assert_eq!(api_there.send().await.unwrap().status(), StatusCode::NOT_FOUND);
    server.stop();

    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    let lines: Vec<Value> =
        log.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let requests: Vec<&Value> = lines.iter().filter(|l| l["message"] == "request").collect();
    let served = requests.iter().find(|l| l["status"] == 200).unwrap_or_else(|| panic!("{log}"));
    assert_eq!((&served["method"], &served["route"]), (&Value::from("GET"), &Value::from("/v1/program")));
    assert_eq!(served["program"], "coffee");
    assert!(served["actor"].as_str().unwrap().ends_with(" (admin key)"), "{served}");
    assert!(served["request_id"].as_str().is_some_and(|id| !id.is_empty()), "{served}");
    assert!(served["latency_ms"].as_f64().is_some(), "{served}");
    let refused = requests.iter().find(|l| l["status"] == 401).unwrap_or_else(|| panic!("{log}"));
    assert_eq!((&refused["program"], &refused["actor"]), (&Value::from(""), &Value::from("")));
}

#[tokio::test]
async fn a_text_log_written_to_a_file_has_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("plain.db").display());
    let coffee = coffee_path().display().to_string();
    let server = Server::start(&database, &["--program", &coffee, "--jobs-every", "0"], &[], dir.path());
    let health = Client::new().get(format!("{}/health", server.base)).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    server.stop();
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    assert!(log.contains("route=\"/health\"") || log.contains("route=/health"), "{log}");
    assert!(!log.contains('\u{1b}'), "colour codes in a file: {log:?}");
}

/// With the `otel` feature, `--otel-endpoint` sends each request's span over OTLP/HTTP to
/// a collector: here one on loopback that keeps what it is sent.
#[cfg(feature = "otel")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_go_to_an_opentelemetry_collector() {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, Uri};
    use std::sync::{Arc, Mutex};

    let received: Arc<Mutex<Vec<(String, String, Bytes)>>> = Arc::default();
    let kept = Arc::clone(&received);
    let collector = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
        let kept = Arc::clone(&kept);
        async move {
            let media =
                headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            kept.lock().unwrap().push((uri.path().to_owned(), media, body));
            ""
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, collector).await });

    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("traces.db").display());
    let coffee = coffee_path().display().to_string();
    let extra = ["--program", &coffee, "--jobs-every", "0", "--otel-endpoint", &endpoint];
    let server = Server::start(&database, &extra, &[("OTEL_BSP_SCHEDULE_DELAY", "100")], dir.path());
    let read = Client::new().get(format!("{}/v1/program", server.base)).bearer_auth(&server.key);
    assert_eq!(read.send().await.unwrap().status(), StatusCode::OK);
    // Stopping flushes what the exporter still holds.
    server.stop();

    let received = received.lock().unwrap();
    let traces: Vec<&(String, String, Bytes)> =
        received.iter().filter(|(path, _, _)| path == "/v1/traces").collect();
    assert!(
        !traces.is_empty(),
        "nothing was sent to the collector: {:?}",
        received.iter().map(|r| &r.0).collect::<Vec<_>>()
    );
    assert!(traces.iter().all(|(_, media, _)| media == "application/x-protobuf"), "{traces:?}");
    // Protobuf keeps strings as they are: the request's span names its route and service.
    let sent: Vec<u8> = traces.iter().flat_map(|(_, _, body)| body.to_vec()).collect();
    let has = |needle: &[u8]| sent.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"/v1/program"), "no span of the request");
    assert!(has(b"loyalty"), "no service name");
}

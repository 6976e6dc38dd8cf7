//! Idle or slow connections cannot lock everyone out: a real server on 127.0.0.1 with a
//! small cap and a short header-read timeout answers past the cap with a 503 error body,
//! closes connections that send nothing (new or kept alive) or trickle their headers, and
//! answers /health again.

use loyalty_server::ConnectionLimits;
use loyalty_testkit::{TestDb, TestServer};
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CAP: usize = 20;
const TIMEOUT: Duration = Duration::from_secs(1);

/// A client that opens a new connection for every request.
fn fresh_client() -> reqwest::Client {
    reqwest::Client::builder().pool_max_idle_per_host(0).timeout(Duration::from_secs(5)).build().unwrap()
}

/// Reads until the peer closes the connection; how long that took.
async fn until_closed(stream: &mut TcpStream) -> Duration {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return started.elapsed(),
            Ok(Ok(_)) => {}
            Err(_) => panic!("the connection was still open after 5 s"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_capped_answered_and_closed() {
    let limits = ConnectionLimits { header_read_timeout: TIMEOUT, max_connections: CAP };
    let server = TestServer::start_with_limits(TestDb::sqlite(), limits).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let health = format!("{}/health", server.base);

    // CAP connections that send nothing hold every place.
    let mut idle = Vec::new();
    for _ in 0..CAP {
        idle.push(TcpStream::connect(&address).await.unwrap());
    }
    // Let the server accept them all before the next one comes.
    let opened = Instant::now();
    let mut refused = None;
    while opened.elapsed() < TIMEOUT / 2 {
        let answer = fresh_client().get(&health).send().await.unwrap();
        if answer.status() == 503 {
            refused = Some(answer);
            break;
        }
    }
    let refused = refused.expect("a connection past the cap was served");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_connections", "{body}");
    assert_eq!(
        body["error"]["message"],
        format!("the server is serving its limit of {CAP} connections; try again shortly")
    );

    // The idle ones are closed after the header-read timeout, not before.
    let waited = until_closed(&mut idle[0]).await + opened.elapsed();
    assert!(waited >= TIMEOUT - Duration::from_millis(100), "closed after {waited:?}");
    for stream in &mut idle[1..] {
        until_closed(stream).await;
    }
    let answer = fresh_client().get(&health).send().await.unwrap();
    assert_eq!(answer.status(), 200);

    // A kept-alive connection is closed once it has been idle for the timeout.
    let mut kept = TcpStream::connect(&address).await.unwrap();
    kept.write_all(b"GET /health HTTP/1.1\r\nhost: test\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&answer).contains("\"status\"") {
        let n = tokio::time::timeout(Duration::from_secs(5), kept.read(&mut buf)).await.unwrap().unwrap();
        assert!(n > 0, "closed before answering");
        answer.extend_from_slice(&buf[..n]);
    }
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let idle_for = until_closed(&mut kept).await;
    assert!(
        idle_for >= TIMEOUT - Duration::from_millis(100) && idle_for < TIMEOUT * 4,
        "closed after {idle_for:?}"
    );
    server.stop().await;
}

/// A slowloris client trickles a request's head, a byte at a time, well within any read
/// timeout between bytes: the header-read timeout counts from the start of the head, so
/// the server closes the connection after it however busy the client keeps it, without
/// answering a request it never finished, and serves others meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_trickling_its_headers_is_disconnected_after_the_timeout() {
    let limits = ConnectionLimits { header_read_timeout: TIMEOUT, max_connections: CAP };
    let server = TestServer::start_with_limits(TestDb::sqlite(), limits).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut slow = TcpStream::connect(&address).await.unwrap();
    let opened = Instant::now();
    let head = b"GET /health HTTP/1.1\r\nhost: test\r\nx-padding: ".iter().chain(std::iter::repeat(&b'a'));
    let mut closed_after = None;
    let mut served_others = false;
    for byte in head {
        if slow.write_all(&[*byte]).await.is_err() {
            closed_after = Some(opened.elapsed());
            break;
        }
        // Whatever the server sends now can only be its close (or a refusal of the head).
        let mut buf = [0u8; 1024];
        if let Ok(read) = tokio::time::timeout(Duration::from_millis(100), slow.read(&mut buf)).await {
            let n = read.unwrap_or(0);
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            assert!(!text.starts_with("HTTP/1.1 200"), "the unfinished request was answered: {text}");
            closed_after = Some(opened.elapsed());
            break;
        }
        assert!(opened.elapsed() < TIMEOUT * 4, "still connected after {:?}", opened.elapsed());
        // Others are served while the slow one holds its connection.
        if opened.elapsed() > TIMEOUT / 2 && !served_others {
            let answer = fresh_client().get(format!("{}/health", server.base)).send().await.unwrap();
            assert_eq!(answer.status(), 200);
            served_others = true;
        }
    }
    assert!(served_others, "closed after {closed_after:?}, before the timeout");
    let closed_after = closed_after.expect("the loop ends only when the connection closes");
    assert!(
        closed_after >= TIMEOUT - Duration::from_millis(100) && closed_after < TIMEOUT * 4,
        "closed after {closed_after:?}"
    );
    server.stop().await;
}

//! The server as a production service under hostile load and restarts: slow and idle
//! connections are dropped, connections and MCP sessions are capped, one caller's slow calls do
//! not starve another's, and SIGTERM lets calls in flight finish (or cancels them after the grace
//! period, restoring what they changed) before exiting 0.

use std::time::Duration;

use looker_sim::{Fault, FaultKind};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::auth::client_with;
use crate::http::{HttpServer, start};
use crate::support::{Harness, RawStdio, call, json as result_json, text};

const FEATURE: &str = "feature/new-dashboard";
const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#;

/// Polls `done` every 20 ms until it holds; panics after `within` (a safety bound, not a timing
/// check: the awaited event has no deadline of its own).
async fn until(within: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + within;
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never happened: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn delay(path_prefix: &str, secs: u64, times: u32) -> Fault {
    Fault {
        method: Some("GET".into()),
        path_prefix: path_prefix.into(),
        kind: FaultKind::Delay(Duration::from_secs(secs)),
        times,
    }
}

fn host_port(server: &HttpServer) -> String {
    server.base.trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection; the bytes read. Panics after 20 s.
async fn read_to_close(tcp: &mut TcpStream) -> String {
    let mut read = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), tcp.read_to_end(&mut read))
        .await
        .expect("the server closes the connection")
        .ok();
    String::from_utf8_lossy(&read).into_owned()
}

fn sigterm(pid: u32) {
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGTERM) }, 0);
}

/// POSTs an `initialize` as `email`; status, `Retry-After`, session id and body.
async fn initialize(base: &str, email: &str) -> (u16, Option<String>, Option<String>, String) {
    let response = reqwest::Client::new()
        .post(format!("{base}/mcp"))
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .header("x-user-email", email)
        .body(INIT)
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (retry, session) = (header("retry-after"), header("mcp-session-id"));
    let status = response.status().as_u16();
    (status, retry, session, response.text().await.unwrap())
}

#[tokio::test]
async fn slow_headers_slow_bodies_and_idle_connections_are_dropped_but_long_answers_are_not() {
    let mut h = Harness::new().await;
    h.set("LOOKER_MCP_HEADER_TIMEOUT_SECS", "1");
    h.set("LOOKER_MCP_BODY_TIMEOUT_SECS", "1");
    let server = start(&h, "explore").await;
    let address = host_port(&server);

    // Headers that never end: the connection is closed, with nothing answered.
    let mut slow_headers = TcpStream::connect(&address).await.unwrap();
    slow_headers
        .write_all(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    // A connection that never sends anything: closed the same way.
    let mut idle = TcpStream::connect(&address).await.unwrap();
    // A body that never arrives: 408.
    let mut slow_body = TcpStream::connect(&address).await.unwrap();
    slow_body
        .write_all(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"jsonrpc\"")
        .await
        .unwrap();
    assert_eq!(read_to_close(&mut slow_headers).await, "");
    assert_eq!(read_to_close(&mut idle).await, "");
    let answered = read_to_close(&mut slow_body).await;
    assert!(
        answered.starts_with("HTTP/1.1 408") && answered.contains("LOOKER_MCP_BODY_TIMEOUT_SECS"),
        "{answered}"
    );

    // An answer that takes longer than both timeouts still arrives (an SSE stream is not cut).
    h.sim.inject(delay("/lookml_models", 3, 1));
    let client = client_with(&server.base, None, &[]).await;
    let models = call(&client, "list_models", json!({})).await;
    assert_ne!(models.is_error, Some(true), "{}", text(&models));
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn connections_over_the_cap_are_answered_503_at_once() {
    let mut h = Harness::new().await;
    h.set("LOOKER_MCP_MAX_CONNECTIONS", "2");
    let server = start(&h, "identity").await;
    let address = host_port(&server);
    let _held: Vec<TcpStream> = vec![
        TcpStream::connect(&address).await.unwrap(),
        TcpStream::connect(&address).await.unwrap(),
    ];
    let mut third = TcpStream::connect(&address).await.unwrap();
    let answered = read_to_close(&mut third).await;
    assert!(
        answered.starts_with("HTTP/1.1 503") && answered.contains("Retry-After: 1"),
        "{answered}"
    );
    drop(_held);
    // Their places come back: a client is served again.
    let mut served = false;
    for _ in 0..100 {
        if let Ok(response) = reqwest::get(format!("{}/healthz", server.base)).await
            && response.status() == 200
        {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(served, "a client is served once connections close");
}

#[tokio::test]
async fn sessions_are_capped_per_principal_429_and_in_all_503_and_idle_ones_expire() {
    let mut h = Harness::new().await;
    h.set("LOOKER_MCP_MAX_SESSIONS", "3");
    h.set("LOOKER_MCP_MAX_SESSIONS_PER_PRINCIPAL", "2");
    h.set("LOOKER_MCP_SESSION_IDLE_SECS", "2");
    let server = start(&h, "identity").await;
    let base = &server.base;
    for _ in 0..2 {
        let (status, _, session, body) = initialize(base, "alice@example.com").await;
        assert_eq!((status, session.is_some()), (200, true), "{body}");
    }
    let (status, retry, session, body) = initialize(base, "alice@example.com").await;
    assert_eq!((status, retry.as_deref(), session), (429, Some("30"), None));
    assert!(
        body.contains("too many MCP sessions") && body.contains("2 open"),
        "{body}"
    );
    // Another principal still gets one, until the server holds its total.
    let (status, _, _, body) = initialize(base, "bob@example.com").await;
    assert_eq!(status, 200, "{body}");
    let (status, retry, _, body) = initialize(base, "ci-bot@example.com").await;
    assert_eq!((status, retry.as_deref()), (503, Some("30")));
    assert!(body.starts_with("server busy: 3 MCP sessions"), "{body}");
    // Sessions with no traffic expire, and their places come back.
    let mut admitted = None;
    for _ in 0..300 {
        let (status, ..) = initialize(base, "ci-bot@example.com").await;
        if status == 200 {
            admitted = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        admitted,
        Some(200),
        "idle sessions expire and free their places"
    );
}

#[tokio::test]
async fn one_callers_slow_calls_cannot_starve_another_and_queued_ones_give_up_busy() {
    let mut h = Harness::new().await;
    h.set("LOOKER_MCP_SLOT_WAIT_SECS", "1");
    // Alice's calls wait on Looker far longer than this test runs.
    h.sim.inject(delay("/lookml_models", 120, 40));
    let server = start(&h, "explore,identity").await;
    let alice = std::sync::Arc::new(
        client_with(
            &server.base,
            None,
            &[("x-user-email", "alice@example.com".into())],
        )
        .await,
    );
    // More slow calls than the server has plugin slots (32).
    let calls: Vec<_> = (0..40)
        .map(|_| {
            let alice = alice.clone();
            tokio::spawn(async move { call(&alice, "list_models", json!({})).await })
        })
        .collect();
    // Alice holds her share (16 slots); the rest of her calls give up after the wait bound.
    until(
        Duration::from_secs(60),
        "24 of alice's calls answered",
        || calls.iter().filter(|c| c.is_finished()).count() >= 24,
    )
    .await;
    let bob = client_with(
        &server.base,
        None,
        &[("x-user-email", "bob@example.com".into())],
    )
    .await;
    let me = result_json(&call(&bob, "whoami", json!({})).await);
    assert_eq!(me["email"], "bob@example.com", "{me}");
    let (running, answered): (Vec<_>, Vec<_>) = calls.into_iter().partition(|c| !c.is_finished());
    assert_eq!(
        (running.len(), answered.len()),
        (16, 24),
        "bob was answered while alice's 16 calls still ran"
    );
    for call in answered {
        let result = call.await.unwrap();
        assert_eq!(result.is_error, Some(true));
        let message = text(&result);
        assert!(
            message.starts_with("server busy: no plugin slot came free within 1 s")
                && message.contains("16 of your 16")
                && message.contains("try again"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn sigterm_lets_a_call_in_flight_finish_refuses_new_connections_and_exits_0() {
    let h = Harness::new().await;
    h.sim.inject(delay("/lookml_models", 3, 1));
    let mut server = start(&h, "explore").await;
    let client = client_with(&server.base, None, &[]).await;
    let slow = tokio::spawn(async move {
        let result = call(&client, "list_models", json!({})).await;
        (client, result)
    });
    until(
        Duration::from_secs(30),
        "the slow call reached Looker",
        || h.sim.requests().iter().any(|r| r.path == "/lookml_models"),
    )
    .await;
    sigterm(server.pid());
    let address = host_port(&server);
    let mut refused = false;
    for _ in 0..500 {
        if TcpStream::connect(&address).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(refused, "new connections are refused once stopping");
    let (_client, result) = slow.await.unwrap();
    assert_ne!(result.is_error, Some(true), "{}", text(&result));
    assert!(text(&result).contains("ecommerce"), "{}", text(&result));
    let status = tokio::time::timeout(Duration::from_secs(30), server.wait())
        .await
        .expect("the server exits once its calls are done");
    assert_eq!(status.code(), Some(0), "{}", server.log_text());
}

/// The PUT bodies' branch names sent to `/projects/ecommerce/git_branch`.
fn branch_puts(h: &Harness) -> Vec<String> {
    h.sim
        .requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.path == "/projects/ecommerce/git_branch")
        .map(|r| {
            r.body.as_ref().unwrap()["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn a_call_outliving_the_grace_period_is_cancelled_and_its_branch_restored() {
    let mut h = Harness::new().await;
    h.set("LOOKER_MCP_SHUTDOWN_GRACE_SECS", "1");
    h.sim
        .inject(delay("/projects/ecommerce/lookml_tests/run", 120, 1));
    let mut server = start(&h, "modeling").await;
    let client = client_with(&server.base, None, &[]).await;
    let running = tokio::spawn(async move {
        let args = json!({"project_id": "ecommerce", "branch": FEATURE});
        let result = call(&client, "run_lookml_tests", args).await;
        (client, result)
    });
    until(
        Duration::from_secs(30),
        "the branch was checked out",
        || branch_puts(&h).len() == 1,
    )
    .await;
    sigterm(server.pid());
    let (_client, result) = running.await.unwrap();
    assert_eq!(result.is_error, Some(true));
    assert!(text(&result).contains("cancelled"), "{}", text(&result));
    let status = tokio::time::timeout(Duration::from_secs(30), server.wait())
        .await
        .expect("the server exits after the grace period");
    assert_eq!(status.code(), Some(0), "{}", server.log_text());
    let puts = branch_puts(&h);
    assert_eq!(puts.len(), 2, "checked out, then restored: {puts:?}");
    assert_eq!(puts[0], FEATURE);
    assert!(
        puts[1].starts_with("dev-"),
        "the personal branch is back: {puts:?}"
    );
    h.assert_no_violations();
}

#[tokio::test]
async fn sigterm_over_stdio_answers_the_call_in_flight_and_exits_0() {
    let h = Harness::new().await;
    h.sim.inject(delay("/lookml_models", 3, 1));
    let mut server = RawStdio::initialized(h.command(&["--groups", "explore"])).await;
    server
        .send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "list_models", "arguments": {}}}))
        .await;
    until(
        Duration::from_secs(30),
        "the slow call reached Looker",
        || h.sim.requests().iter().any(|r| r.path == "/lookml_models"),
    )
    .await;
    sigterm(server.pid());
    let answer: Value = loop {
        let message = server.recv().await;
        if message["id"] == 2 {
            break message;
        }
    };
    assert_eq!(answer["result"]["isError"], false, "{answer}");
    let status = tokio::time::timeout(Duration::from_secs(30), server.wait())
        .await
        .expect("the server exits once its call is answered");
    assert_eq!(status.code(), Some(0));
}

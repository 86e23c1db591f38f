//! Looker misbehaving: transient 5xx on GETs are retried (bounded, jittered), 429 honours
//! `Retry-After`, writes are never repeated, and timeouts, refused connections and malformed
//! answers become tool errors that say what happened.

use std::time::{Duration, Instant};

use looker_sim::{Fault, FaultKind};
use serde_json::json;

use crate::support::{Harness, call, json, text};

fn fault(method: &str, path: &str, kind: FaultKind, times: u32) -> Fault {
    Fault {
        method: Some(method.into()),
        path_prefix: path.into(),
        kind,
        times,
    }
}

/// (method path, status) of each request to `path`.
fn attempts(h: &Harness, path: &str) -> Vec<u16> {
    h.sim
        .take_requests()
        .into_iter()
        .filter(|r| r.path == path)
        .map(|r| r.status)
        .collect()
}

#[tokio::test]
async fn transient_errors_on_a_get_are_retried() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "identity"]).await;
    call(&client, "whoami", json!({})).await;
    h.sim.take_requests();

    for status in [500, 502, 503] {
        h.sim
            .inject(fault("GET", "/user", FaultKind::Status(status), 2));
        let me = json(&call(&client, "whoami", json!({})).await);
        assert_eq!(me["email"], "admin@example.com");
        assert_eq!(
            attempts(&h, "/user"),
            [status, status, 200],
            "two retries, then success"
        );
    }

    // A failure that outlasts the retries comes back with Looker's message.
    h.sim
        .inject(fault("GET", "/user", FaultKind::Status(503), 10));
    let result = call(&client, "whoami", json!({})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(text(&result).contains("HTTP 503"), "{}", text(&result));
    assert_eq!(
        attempts(&h, "/user"),
        [503, 503, 503, 503],
        "bounded: one try and three retries"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn rate_limits_honour_retry_after() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "identity"]).await;
    call(&client, "whoami", json!({})).await;
    h.sim.take_requests();
    h.sim.inject(fault(
        "GET",
        "/user",
        FaultKind::RateLimit {
            retry_after_secs: 1,
        },
        1,
    ));
    let started = Instant::now();
    let me = json(&call(&client, "whoami", json!({})).await);
    assert_eq!(me["email"], "admin@example.com");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After"
    );
    assert_eq!(attempts(&h, "/user"), [429, 200]);

    // Persistent 429s end after the bounded retries, like 5xx.
    h.sim.inject(fault(
        "GET",
        "/user",
        FaultKind::RateLimit {
            retry_after_secs: 0,
        },
        4,
    ));
    let result = call(&client, "whoami", json!({})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(text(&result).contains("HTTP 429"), "{}", text(&result));
    assert_eq!(attempts(&h, "/user"), [429, 429, 429, 429]);

    // Asked to come back in an hour: no point waiting (a capped wait would be refused again).
    h.sim.inject(fault(
        "GET",
        "/user",
        FaultKind::RateLimit {
            retry_after_secs: 3600,
        },
        1,
    ));
    let result = call(&client, "whoami", json!({})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(text(&result).contains("HTTP 429"), "{}", text(&result));
    assert_eq!(attempts(&h, "/user"), [429], "answered at once");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn writes_are_never_repeated() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "query"]).await;
    h.sim
        .inject(fault("POST", "/queries", FaultKind::Status(500), 1));
    let result = call(
        &client,
        "query",
        json!({"model": "ecommerce", "view": "orders", "fields": ["orders.status", "orders.count"]}),
    )
    .await;
    assert_eq!(result.is_error, Some(true), "{}", text(&result));
    assert!(text(&result).contains("HTTP 500"), "{}", text(&result));
    let runs = h
        .sim
        .take_requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.starts_with("/queries"))
        .count();
    assert_eq!(runs, 1, "a POST is sent once, even when it fails");
    client.cancel().await.unwrap();

    let client = h.stdio_client(&["--groups", "content"]).await;
    for (method, tool, args) in [
        (
            "PATCH",
            "update_look",
            json!({"look_id": "1", "title": "Renamed"}),
        ),
        ("DELETE", "delete_look", json!({"look_id": "1"})),
    ] {
        h.sim.take_requests();
        h.sim
            .inject(fault(method, "/looks/1", FaultKind::Status(503), 1));
        let result = call(&client, tool, args).await;
        assert_eq!(result.is_error, Some(true), "{}", text(&result));
        assert!(text(&result).contains("HTTP 503"), "{}", text(&result));
        let sent = h
            .sim
            .take_requests()
            .into_iter()
            .filter(|r| r.method == method)
            .count();
        assert_eq!(sent, 1, "a {method} is sent once, even when it fails");
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn timeouts_refusals_and_malformed_answers_are_named() {
    let mut h = Harness::new().await;
    h.set("LOOKER_TIMEOUT", "0.5");
    let client = h.stdio_client(&["--groups", "identity,explore"]).await;
    call(&client, "whoami", json!({})).await;

    h.sim.inject(fault(
        "GET",
        "/user",
        FaultKind::Delay(Duration::from_secs(3)),
        1,
    ));
    let result = call(&client, "whoami", json!({})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("read timeout after 0.5 s"),
        "{}",
        text(&result)
    );

    h.sim
        .inject(fault("GET", "/lookml_models", FaultKind::MalformedJson, 1));
    let result = call(&client, "list_models", json!({})).await;
    assert_eq!(result.is_error, Some(true), "{}", text(&result));
    client.cancel().await.unwrap();

    // Nothing listens on the configured port: a refused connection, retried, then named.
    let port = crate::support::free_port();
    h.set("LOOKER_BASE_URL", &format!("http://127.0.0.1:{port}"));
    let client = h.stdio_client(&["--groups", "identity"]).await;
    let result = call(&client, "whoami", json!({})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("could not be reached") || text(&result).contains("connection"),
        "{}",
        text(&result)
    );
    client.cancel().await.unwrap();
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so a connect hangs
/// until the client's own connect timeout, on loopback with no network needed.
async fn black_hole() -> (tokio::net::TcpListener, Vec<tokio::net::TcpStream>, u16) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        match tokio::time::timeout(
            Duration::from_millis(300),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            Ok(Ok(stream)) => fillers.push(stream),
            _ => return (listener, fillers, addr.port()),
        }
    }
    panic!("the accept queue never filled");
}

#[tokio::test]
async fn a_connect_timeout_is_named() {
    let (_listener, _fillers, port) = black_hole().await;
    let mut h = Harness::new().await;
    h.set("LOOKER_BASE_URL", &format!("http://127.0.0.1:{port}"));
    h.set("LOOKER_TIMEOUT", "0.5");
    let client = h.stdio_client(&["--groups", "identity"]).await;
    let started = Instant::now();
    let result = call(&client, "whoami", json!({})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("connect timeout after 0.5 s"),
        "{}",
        text(&result)
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "bounded by the timeout, not the kernel's SYN retries"
    );
    client.cancel().await.unwrap();
}

/// A body Looker sends without a size (chunked) is read as it arrives: the same result as a
/// sized one below the response limit, refused with the limit named above it.
#[tokio::test]
async fn a_chunked_body_is_read_whole_and_bounded_as_it_arrives() {
    let mut h = Harness::new().await;
    let args = json!({"model": "ecommerce", "view": "orders",
        "fields": ["orders.id", "orders.status", "orders.count"], "limit": 500});
    let client = h.stdio_client(&["--groups", "query"]).await;
    let sized = call(&client, "query", args.clone()).await;
    h.sim.set_chunked(true);
    let chunked = call(&client, "query", args.clone()).await;
    client.cancel().await.unwrap();
    assert_ne!(chunked.is_error, Some(true), "{}", text(&chunked));
    // The same rows, columns and counts (each run saves a query of its own).
    let without_query_id = |result| {
        let mut value = json(result);
        value.as_object_mut().unwrap().remove("query_id");
        value
    };
    assert_eq!(without_query_id(&chunked), without_query_id(&sized));
    assert!(
        json(&sized)["row_count"].as_u64() > Some(50),
        "a body of several 8 KiB chunks: {}",
        json(&sized)
    );

    h.set("LOOKER_MAX_RESPONSE_MB", "0.001");
    let client = h.stdio_client(&["--groups", "query"]).await;
    let refused = call(&client, "query", args).await;
    client.cancel().await.unwrap();
    assert_eq!(refused.is_error, Some(true), "{}", text(&refused));
    assert!(
        text(&refused).contains("larger than the host allows (1048 bytes)"),
        "{}",
        text(&refused)
    );
}

//! JSON-RPC at the transport edge, over stdio and streamable HTTP: a request id still in flight
//! is refused at once, a batch gets its negotiated revision's answer, a session `DELETE`
//! answers 204, and SSE streams carry no empty priming event.

use std::time::Duration;

use serde_json::{Value, json};

use crate::http::{HttpServer, start};
use crate::support::{Harness, RawStdio};

fn initialize(id: u64, revision: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "initialize", "params": {
        "protocolVersion": revision, "capabilities": {},
        "clientInfo": {"name": "jsonrpc-test", "version": "0"}}})
}

fn whoami(id: u64) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": "whoami", "arguments": {}}})
}

async fn stdio_session(h: &Harness, revision: &str) -> RawStdio {
    let mut server = RawStdio::spawn(h.command(&["--groups", "identity"]));
    server.send(initialize(1, revision)).await;
    let answer = server.recv().await;
    assert_eq!(answer["result"]["protocolVersion"], revision, "{answer}");
    server
        .send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await;
    server
}

#[tokio::test]
async fn stdio_refuses_a_request_id_still_in_flight_at_once() {
    let h = Harness::new().await;
    let mut server = stdio_session(&h, "2025-11-25").await;
    // Looker answers slowly, so the first call is still in flight when the others arrive.
    h.sim.set_latency(Duration::from_secs(2));
    for _ in 0..3 {
        server.send(whoami(7)).await;
    }
    let mut answers = Vec::new();
    for _ in 0..3 {
        answers.push(server.recv().await);
    }
    let refused: Vec<&Value> = answers
        .iter()
        .filter(|a| a.get("error").is_some())
        .collect();
    assert_eq!(refused.len(), 2, "{answers:?}");
    for answer in &refused {
        assert_eq!(answer["id"], 7, "{answer}");
        assert_eq!(answer["error"]["code"], -32600, "{answer}");
        let detail = answer["error"]["data"]["detail"].as_str().unwrap();
        assert!(detail.contains("already in use"), "{detail}");
    }
    // The refusals come first; the call itself is answered once, with its result.
    assert_eq!(answers[2]["id"], 7);
    assert_eq!(answers[2]["result"]["isError"], false, "{}", answers[2]);
    // Once answered, the id is free again.
    h.sim.set_latency(Duration::ZERO);
    server.send(whoami(7)).await;
    assert_eq!(server.recv().await["result"]["isError"], false);
}

#[tokio::test]
async fn stdio_serves_a_batch_on_2025_03_26_as_one_array() {
    let h = Harness::new().await;
    let mut server = stdio_session(&h, "2025-03-26").await;
    server
        .send(json!([
            {"jsonrpc": "2.0", "id": 2, "method": "ping"},
            {"jsonrpc": "2.0", "method": "notifications/roots/list_changed"},
            whoami(3),
            42,
        ]))
        .await;
    let answer = server.recv_any().await;
    let answers = answer.as_array().unwrap_or_else(|| panic!("{answer}"));
    assert_eq!(answers.len(), 3, "{answer}");
    let by_id = |id: Value| answers.iter().find(|a| a["id"] == id).cloned();
    assert_eq!(by_id(json!(2)).unwrap()["result"], json!({}));
    assert_eq!(by_id(json!(3)).unwrap()["result"]["isError"], false);
    assert_eq!(by_id(Value::Null).unwrap()["error"]["code"], -32600);
    // The server keeps serving single messages afterwards.
    server.send(whoami(4)).await;
    assert_eq!(server.recv().await["id"], 4);
}

#[tokio::test]
async fn stdio_refuses_a_batch_on_revisions_without_batches() {
    let h = Harness::new().await;
    let mut server = stdio_session(&h, "2025-11-25").await;
    server
        .send(json!([{"jsonrpc": "2.0", "id": 2, "method": "ping"}]))
        .await;
    let answer = server.recv().await;
    assert!(answer.get("id").is_some_and(Value::is_null), "{answer}");
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    let detail = answer["error"]["data"]["detail"].as_str().unwrap();
    assert!(
        detail.contains("2025-11-25") && detail.contains("batches"),
        "{detail}"
    );
}

/// A session over raw HTTP: the session id and what to send with each request.
struct HttpSession<'a> {
    server: &'a HttpServer,
    id: String,
    revision: &'static str,
}

impl HttpSession<'_> {
    async fn open<'a>(server: &'a HttpServer, revision: &'static str) -> HttpSession<'a> {
        let response = post(server, None, None, &initialize(1, revision)).await;
        assert_eq!(response.status(), 200);
        let id = response.headers()["mcp-session-id"]
            .to_str()
            .unwrap()
            .to_string();
        let body = response.text().await.unwrap();
        assert!(
            !body.contains("data: \n") && !body.contains("data:\n"),
            "no empty priming event: {body:?}"
        );
        let session = HttpSession {
            server,
            id,
            revision,
        };
        let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        assert_eq!(session.post(&note).await.status(), 202);
        session
    }

    async fn post(&self, body: &Value) -> reqwest::Response {
        let version = (self.revision != "2025-03-26").then_some(self.revision);
        post(self.server, Some(&self.id), version, body).await
    }
}

async fn post(
    server: &HttpServer,
    session: Option<&str>,
    revision: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!("{}/mcp", server.base))
        .header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .body(body.to_string());
    if let Some(session) = session {
        request = request.header("Mcp-Session-Id", session);
    }
    if let Some(revision) = revision {
        request = request.header("MCP-Protocol-Version", revision);
    }
    request.send().await.unwrap()
}

/// The JSON-RPC messages of an SSE body, in order; no event may be empty.
fn sse_messages(body: &str) -> Vec<Value> {
    body.split("\n\n")
        .filter(|event| !event.trim().is_empty() && !event.starts_with(':'))
        .map(|event| {
            let data: String = event
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(str::trim)
                .collect();
            assert!(!data.is_empty(), "an SSE event without data: {event:?}");
            serde_json::from_str(&data).unwrap_or_else(|e| panic!("{e}: {data}"))
        })
        .collect()
}

#[tokio::test]
async fn http_streams_start_with_the_answer_and_delete_answers_204() {
    let h = Harness::new().await;
    let server = start(&h, "identity").await;
    for revision in ["2025-06-18", "2025-11-25"] {
        let session = HttpSession::open(&server, revision).await;
        let answer = session.post(&whoami(2)).await;
        let messages = sse_messages(&answer.text().await.unwrap());
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert_eq!(messages[0]["result"]["isError"], false);
        let deleted = reqwest::Client::new()
            .delete(format!("{}/mcp", server.base))
            .header("Mcp-Session-Id", &session.id)
            .header("MCP-Protocol-Version", revision)
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), 204, "{revision}");
        assert_eq!(session.post(&whoami(3)).await.status(), 404, "{revision}");
    }
}

#[tokio::test]
async fn http_refuses_a_request_id_still_in_flight_at_once() {
    let h = Harness::new().await;
    let server = start(&h, "identity").await;
    let session = HttpSession::open(&server, "2025-11-25").await;
    h.sim.set_latency(Duration::from_secs(2));
    // rmcp answers with the SSE stream's headers at once: from then on the call is in flight,
    // its result still two seconds of Looker latency away.
    let first = session.post(&whoami(7)).await;
    assert_eq!(first.status(), 200);
    for _ in 0..2 {
        let refused = session.post(&whoami(7)).await;
        assert_eq!(refused.status(), 409);
        let answer: Value = refused.json().await.unwrap();
        assert_eq!(answer["id"], 7, "{answer}");
        assert_eq!(answer["error"]["code"], -32600, "{answer}");
    }
    let answered = sse_messages(&first.text().await.unwrap());
    assert_eq!(answered.last().unwrap()["result"]["isError"], false);
    h.sim.set_latency(Duration::ZERO);
    let again = session.post(&whoami(7)).await;
    assert_eq!(again.status(), 200, "the id is free once answered");
}

#[tokio::test]
async fn http_batches_follow_the_negotiated_revision() {
    let h = Harness::new().await;
    let server = start(&h, "identity").await;
    let batch = json!([{"jsonrpc": "2.0", "id": 2, "method": "ping"}, whoami(3)]);

    let old = HttpSession::open(&server, "2025-03-26").await;
    let answer = old.post(&batch).await;
    assert_eq!(answer.status(), 200);
    let messages = sse_messages(&answer.text().await.unwrap());
    let mut ids: Vec<i64> = messages.iter().filter_map(|m| m["id"].as_i64()).collect();
    ids.sort();
    assert_eq!(ids, [2, 3], "{messages:?}");

    let new = HttpSession::open(&server, "2025-11-25").await;
    let refused = new.post(&batch).await;
    assert_eq!(refused.status(), 400);
    let answer: Value = refused.json().await.unwrap();
    assert!(answer.get("id").is_some_and(Value::is_null), "{answer}");
    let detail = answer["error"]["data"]["detail"].as_str().unwrap();
    assert!(detail.contains("2025-11-25"), "{detail}");
    // Only the 2025-03-26 batch's whoami reached Looker.
    let users = h
        .api_requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/user"));
    assert_eq!(users.count(), 1);
}

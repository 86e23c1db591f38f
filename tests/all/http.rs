//! Streamable HTTP: `/mcp` with an MCP client, health endpoints, and DNS-rebinding protection.

use std::process::Stdio;
use std::time::Duration;

use rmcp::ServiceExt;
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

use crate::support::{Harness, call, json as result_json};

/// The server over HTTP on a free loopback port; killed on drop.
pub struct HttpServer {
    _child: Child,
    pub base: String,
    /// Every stderr (log) line so far.
    pub logs: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

pub async fn start(h: &Harness, groups: &str) -> HttpServer {
    let mut cmd = h.command(&[
        "--transport",
        "streamable-http",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--groups",
        groups,
    ]);
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let logs = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let address = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            logs.lock().unwrap().push(line.clone());
            let Ok(log) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            if let Some(addr) = log["fields"]["address"].as_str() {
                return addr.to_string();
            }
        }
        panic!("server exited before listening");
    })
    .await
    .expect("server listens within 60 s");
    // Keep draining stderr so the child never blocks on a full pipe.
    let sink = logs.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            sink.lock().unwrap().push(line);
        }
    });
    HttpServer {
        _child: child,
        base: format!("http://{address}"),
        logs,
    }
}

#[tokio::test]
async fn tools_over_streamable_http() {
    let h = Harness::new().await;
    let server = start(&h, "explore,identity").await;
    let transport = StreamableHttpClientTransport::from_uri(format!("{}/mcp", server.base));
    let client = ().serve(transport).await.expect("MCP initialize over HTTP");
    let info = client.peer_info().expect("server info");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.version.as_str()),
        Some(env!("CARGO_PKG_VERSION"))
    );
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 7);
    let me = result_json(&call(&client, "whoami", json!({})).await);
    assert_eq!(me["email"], "admin@example.com", "{me}");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn health_endpoints() {
    let h = Harness::new().await;
    let server = start(&h, "identity").await;
    let http = reqwest::Client::new();
    let health = http
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let ready = http
        .get(format!("{}/readyz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200, "{:?}", ready.text().await);
    // A second readiness check reuses the cached session: no new login.
    h.sim.take_requests();
    let ready = http
        .get(format!("{}/readyz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    assert!(
        h.sim.take_requests().is_empty(),
        "readiness answered from the cached session"
    );
}

#[tokio::test]
async fn readiness_fails_when_looker_refuses_the_credentials() {
    let mut h = Harness::new().await;
    h.set("LOOKER_CLIENT_SECRET", "wrong");
    let server = start(&h, "identity").await;
    let ready = reqwest::get(format!("{}/readyz", server.base))
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert!(
        body["reason"].as_str().unwrap().contains("refused"),
        "{body}"
    );
    assert!(
        !body.to_string().contains("wrong"),
        "the secret never appears"
    );
}

#[tokio::test]
async fn dns_rebinding_host_is_refused() {
    let h = Harness::new().await;
    let server = start(&h, "identity").await;
    let answer = reqwest::Client::new()
        .post(format!("{}/mcp", server.base))
        .header("Host", "evil.example.com")
        .header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .body(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 403, "{:?}", answer.text().await);
}

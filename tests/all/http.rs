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
    pub child: Child,
    pub base: String,
    /// Every stderr (log) line so far.
    pub logs: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

pub async fn start(h: &Harness, groups: &str) -> HttpServer {
    start_on(h, "127.0.0.1", groups).await
}

/// Like [`start`], bound to `host` (e.g. `0.0.0.0`, a non-loopback bind); reached over loopback.
pub async fn start_on(h: &Harness, host: &str, groups: &str) -> HttpServer {
    let mut cmd = h.command(&[
        "--transport",
        "streamable-http",
        "--host",
        host,
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
    let address = address.replace("0.0.0.0:", "127.0.0.1:");
    HttpServer {
        child,
        base: format!("http://{address}"),
        logs,
    }
}

impl HttpServer {
    /// The server's process id (to signal it).
    pub fn pid(&self) -> u32 {
        self.child.id().expect("server running")
    }

    /// Waits for the server to exit.
    pub async fn wait(&mut self) -> std::process::ExitStatus {
        self.child.wait().await.expect("server exits")
    }

    /// Every log line so far, joined.
    pub fn log_text(&self) -> String {
        self.logs.lock().unwrap().join("\n")
    }

    /// The server's resident memory now (`VmRSS`), in KiB.
    pub fn rss_kib(&self) -> u64 {
        let pid = self.child.id().expect("server running");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/<pid>/status")
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
    assert_eq!(tools.len(), 8, "explore's 7 tools and whoami");
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

/// A JSON-RPC answer from a streamable-HTTP response (plain JSON or one SSE `data:` event).
pub fn rpc_answer(body: &str) -> serde_json::Value {
    let json_text = body
        .lines()
        .find_map(|l| {
            l.strip_prefix("data:")
                .map(str::trim)
                .filter(|d| d.starts_with('{'))
        })
        .unwrap_or(body);
    serde_json::from_str(json_text).unwrap_or_else(|e| panic!("not JSON-RPC ({e}): {body}"))
}

#[tokio::test]
async fn stateless_2026_07_28_over_http() {
    let h = Harness::new().await;
    let server = start(&h, "explore,identity").await;
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"}
    });
    // SEP-2243: the method (and a tool call's name) travel as headers too.
    let post = |id: u64, method: &str, name: Option<&str>, params: serde_json::Value| {
        let mut request = reqwest::Client::new()
            .post(format!("{}/mcp", server.base))
            .header("Accept", "application/json, text/event-stream")
            .header("Content-Type", "application/json")
            .header("MCP-Protocol-Version", "2026-07-28")
            .header("Mcp-Method", method)
            .body(
                json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string(),
            );
        if let Some(name) = name {
            request = request.header("Mcp-Name", name);
        }
        request.send()
    };
    // No initialize, no session: each request stands alone.
    let list = post(1, "tools/list", None, json!({"_meta": meta}))
        .await
        .unwrap();
    assert_eq!(list.status(), 200);
    assert!(
        list.headers().get("mcp-session-id").is_none(),
        "stateless: no session"
    );
    let list = rpc_answer(&list.text().await.unwrap());
    assert_eq!(
        list["result"]["tools"].as_array().map(Vec::len),
        Some(8),
        "{list}"
    );
    let called = post(
        2,
        "tools/call",
        Some("whoami"),
        json!({"_meta": meta, "name": "whoami", "arguments": {}}),
    )
    .await
    .unwrap();
    let called = rpc_answer(&called.text().await.unwrap());
    assert_eq!(called["result"]["isError"], false, "{called}");
    assert!(
        called["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("admin@example.com")
    );
    h.assert_no_violations();
}

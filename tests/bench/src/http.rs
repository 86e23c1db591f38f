//! A minimal MCP client over streamable HTTP: JSON-RPC POSTed to `/mcp`, the session kept in
//! `Mcp-Session-Id`, answers read as SSE (`data:` lines) or plain JSON.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::stdio::{PROTOCOL_VERSION, check_call, initialize_params, truncate};

/// One MCP session over its own HTTP connection pool.
pub struct HttpClient {
    http: reqwest::Client,
    url: String,
    session: Option<String>,
    protocol: String,
    next_id: u64,
}

impl HttpClient {
    /// Opens a session: `initialize`, then `notifications/initialized`.
    pub async fn connect(url: &str) -> Result<HttpClient> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(120))
            .build()?;
        let mut client = HttpClient {
            http,
            url: url.to_string(),
            session: None,
            protocol: PROTOCOL_VERSION.to_string(),
            next_id: 1,
        };
        let init = client.request("initialize", initialize_params()).await?;
        if let Some(version) = init["result"]["protocolVersion"].as_str() {
            client.protocol = version.to_string();
        }
        client.notify("notifications/initialized").await?;
        Ok(client)
    }

    async fn post(&self, body: &Value) -> Result<reqwest::Response> {
        let mut request = self
            .http
            .post(&self.url)
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json, text/event-stream")
            .body(body.to_string());
        if let Some(session) = &self.session {
            request = request
                .header("Mcp-Session-Id", session)
                .header("MCP-Protocol-Version", &self.protocol);
        }
        let response = request.send().await?;
        if !response.status().is_success() {
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            bail!("HTTP {status}: {}", truncate(&text, 300));
        }
        Ok(response)
    }

    pub async fn notify(&mut self, method: &str) -> Result<()> {
        let response = self
            .post(&json!({"jsonrpc": "2.0", "method": method}))
            .await?;
        response.bytes().await?;
        Ok(())
    }

    pub async fn request(&mut self, method: &str, params: Value) -> Result<Value> {
        let id = self.next_id;
        self.next_id += 1;
        let mut response = self
            .post(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await
            .with_context(|| method.to_string())?;
        if self.session.is_none()
            && let Some(session) = response.headers().get("mcp-session-id")
        {
            self.session = Some(session.to_str()?.to_string());
        }
        let sse = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        let message = if sse {
            read_sse(&mut response, id).await?
        } else {
            let body: Value = serde_json::from_slice(&response.bytes().await?)?;
            let mut messages = match body {
                Value::Array(batch) => batch,
                one => vec![one],
            };
            let at = messages
                .iter()
                .position(|m| m["id"] == json!(id))
                .context("no answer in the JSON body")?;
            messages.swap_remove(at)
        };
        if message.get("error").is_some() {
            bail!("{method} failed: {}", truncate(&message.to_string(), 300));
        }
        Ok(message)
    }

    /// A `tools/call`; a JSON-RPC error or `isError: true` is an error.
    pub async fn call(&mut self, tool: &str, arguments: Value) -> Result<()> {
        let answer = self
            .request("tools/call", json!({"name": tool, "arguments": arguments}))
            .await?;
        check_call(tool, &answer)
    }
}

/// Reads SSE events until the message answering `id`, then the rest of the stream (both servers
/// end it after the answer), so the connection is reused.
async fn read_sse(response: &mut reqwest::Response, id: u64) -> Result<Value> {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let chunk = response
            .chunk()
            .await?
            .context("event stream ended without the answer")?;
        // JSON never holds a raw CR, so dropping them turns CRLF framing into LF framing.
        buf.extend(chunk.iter().filter(|&&b| b != b'\r'));
        while let Some(end) = buf.windows(2).position(|w| w == b"\n\n") {
            let event: Vec<u8> = buf.drain(..end + 2).collect();
            let event = String::from_utf8_lossy(&event);
            let data: Vec<&str> = event
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            let data = data.join("\n");
            if data.trim().is_empty() {
                continue;
            }
            let message: Value = serde_json::from_str(&data)?;
            if message["id"] == json!(id) {
                let _ = tokio::time::timeout(Duration::from_secs(1), async {
                    while let Ok(Some(_)) = response.chunk().await {}
                })
                .await;
                return Ok(message);
            }
        }
    }
}

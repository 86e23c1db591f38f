//! A minimal MCP client over stdio (newline-delimited JSON-RPC).

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

use crate::server::ServerCmd;
use crate::stats::proc_kib;

pub const PROTOCOL_VERSION: &str = "2025-11-25";

pub fn initialize_params() -> Value {
    json!({
        "protocolVersion": PROTOCOL_VERSION,
        "capabilities": {},
        "clientInfo": {"name": "looker-mcp-bench", "version": "0"}
    })
}

/// A server on the other end of a pipe, initialized; killed on drop.
pub struct StdioClient {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    next_id: u64,
    /// The server's `initialize` answer.
    pub initialize: Value,
}

/// One start → `tools/list` answered.
pub struct Start {
    pub elapsed: Duration,
    pub tools: usize,
    pub peak_rss_kib: u64,
}

impl StdioClient {
    /// Starts `cmd` with `args` and runs the MCP handshake.
    pub async fn spawn(cmd: &ServerCmd, args: &[&str]) -> Result<StdioClient> {
        let mut child = cmd
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", cmd.program.display()))?;
        let stdin = child.stdin.take().context("stdin")?;
        let stdout = BufReader::new(child.stdout.take().context("stdout")?).lines();
        let mut client = StdioClient {
            child,
            stdin,
            stdout,
            next_id: 1,
            initialize: Value::Null,
        };
        client.initialize = client.request("initialize", initialize_params()).await?;
        client.notify("notifications/initialized").await?;
        Ok(client)
    }

    /// Closes stdin (the server's signal to stop, flushing what it buffered) and waits for
    /// the process to exit, at most 10 s.
    pub async fn finish(self) -> Result<()> {
        let StdioClient {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        tokio::time::timeout(Duration::from_secs(10), child.wait())
            .await
            .context("the server did not exit within 10 s of its stdin closing")??;
        Ok(())
    }

    /// Time from spawning the process to the `tools/list` answer.
    pub async fn start_to_list(cmd: &ServerCmd, args: &[&str]) -> Result<Start> {
        let started = Instant::now();
        let mut client = StdioClient::spawn(cmd, args).await?;
        let list = client.request("tools/list", json!({})).await?;
        let elapsed = started.elapsed();
        let tools = list["result"]["tools"].as_array().map_or(0, Vec::len);
        Ok(Start {
            elapsed,
            tools,
            peak_rss_kib: client.rss_kib("VmHWM")?,
        })
    }

    pub async fn notify(&mut self, method: &str) -> Result<()> {
        let line = format!("{}\n", json!({"jsonrpc": "2.0", "method": method}));
        self.stdin.write_all(line.as_bytes()).await?;
        Ok(())
    }

    pub async fn request(&mut self, method: &str, params: Value) -> Result<Value> {
        let id = self.next_id;
        self.next_id += 1;
        let line = format!(
            "{}\n",
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
        );
        self.stdin.write_all(line.as_bytes()).await?;
        loop {
            let line = self
                .stdout
                .next_line()
                .await?
                .context("server closed stdout")?;
            // The Python server writes its start-up log lines to stdout too: skip non-JSON.
            let Ok(message) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if message["id"] == json!(id) {
                if message.get("error").is_some() {
                    bail!("{method} failed: {message}");
                }
                return Ok(message);
            }
        }
    }

    /// A `tools/call`; a JSON-RPC error or `isError: true` is an error.
    pub async fn call(&mut self, tool: &str, arguments: Value) -> Result<()> {
        let answer = self
            .request("tools/call", json!({"name": tool, "arguments": arguments}))
            .await?;
        check_call(tool, &answer)
    }

    pub fn rss_kib(&self, field: &str) -> Result<u64> {
        proc_kib(self.child.id().context("server exited")?, field)
    }
}

/// Fails on `isError: true`, with the start of the message.
pub fn check_call(tool: &str, answer: &Value) -> Result<()> {
    if answer["result"]["isError"] == json!(true) {
        let text = answer["result"]["content"][0]["text"]
            .as_str()
            .map_or_else(|| answer.to_string(), str::to_string);
        bail!("{tool} returned isError: {}", truncate(&text, 300));
    }
    Ok(())
}

pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

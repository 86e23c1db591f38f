//! Shared test plumbing: a simulator per test, the server in process or as a child process, MCP
//! clients.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use looker_mcp::auth::Posture;
use looker_mcp::config::Config;
use looker_mcp::identity::Identities;
use looker_sim::{ContractViolation, RecordedRequest, SimConfig, Simulator};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Map, Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

pub const BIN: &str = env!("CARGO_BIN_EXE_looker-mcp-server");

/// Path of a test-only component or example plugin (built by `tests/components`).
pub fn test_component(name: &str) -> &'static str {
    looker_mcp_test_components::path(name)
}

/// A simulator plus the settings that point the server at it.
pub struct Harness {
    pub sim: Simulator,
    pub env: Vec<(String, String)>,
}

impl Harness {
    pub async fn new() -> Self {
        Self::with_config(SimConfig::default()).await
    }

    pub async fn with_config(config: SimConfig) -> Self {
        let (id, secret) = (config.client_id.clone(), config.client_secret.clone());
        let sim = Simulator::start(config).await.expect("simulator starts");
        let env = vec![
            ("LOOKER_BASE_URL".into(), sim.base_url()),
            ("LOOKER_CLIENT_ID".into(), id),
            ("LOOKER_CLIENT_SECRET".into(), secret),
            ("LOOKER_CACHE_DIR".into(), cache_dir()),
            ("LOOKER_LOG_LEVEL".into(), "DEBUG".into()),
        ];
        Self { sim, env }
    }

    /// Adds or replaces a setting for servers started afterwards.
    pub fn set(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
    }

    /// The server command with this harness's settings and nothing from the outer environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(env!("CARGO_TARGET_TMPDIR"))
            .kill_on_drop(true);
        cmd
    }

    /// An rmcp client of the handler the binary serves (`app::build`), built in this process
    /// with this harness's settings and `groups` (as `--groups`), over an in-memory pipe: for
    /// tests that call tools. Tests of the CLI, stdio, HTTP and the process use [`Self::command`].
    pub async fn client(&self, groups: &str) -> RunningService<RoleClient, ()> {
        let settings: HashMap<String, String> = self.env.iter().cloned().collect();
        let config = Config::from_env(&settings).expect("the harness's settings are valid");
        let posture = Posture::from_config(&config).expect("a posture the server starts with");
        let identities = Identities::new(&config, &posture, None);
        let handler = looker_mcp::app::build(&config, Some(groups), identities)
            .await
            .expect("the server builds");
        let (server_io, client_io) = tokio::io::duplex(64 * 1024);
        tokio::spawn(async move {
            let running = handler.serve(server_io).await?;
            running.waiting().await?;
            anyhow::Ok(())
        });
        ().serve(client_io)
            .await
            .expect("MCP initialize in process")
    }

    /// An rmcp client connected to the server over stdio.
    pub async fn stdio_client(&self, args: &[&str]) -> RunningService<RoleClient, ()> {
        let (transport, _stderr) = TokioChildProcess::builder(self.command(args))
            .stderr(Stdio::null())
            .spawn()
            .expect("server spawns");
        ().serve(transport)
            .await
            .expect("MCP initialize over stdio")
    }

    /// Like [`Self::stdio_client`], also collecting the server's stderr (log) lines.
    pub async fn stdio_client_with_logs(
        &self,
        args: &[&str],
    ) -> (RunningService<RoleClient, ()>, Logs) {
        let (transport, stderr) = TokioChildProcess::builder(self.command(args))
            .stderr(Stdio::piped())
            .spawn()
            .expect("server spawns");
        let logs = Logs::collect(stderr.expect("stderr is piped"));
        (
            ().serve(transport)
                .await
                .expect("MCP initialize over stdio"),
            logs,
        )
    }

    /// Asserts the simulator saw no request outside the official API spec.
    pub fn assert_no_violations(&self) {
        let violations: Vec<ContractViolation> = self.sim.violations();
        assert!(
            violations.is_empty(),
            "contract violations: {violations:#?}"
        );
    }

    /// Requests the simulator saw, without the login/session plumbing.
    pub fn api_requests(&self) -> Vec<RecordedRequest> {
        self.sim
            .take_requests()
            .into_iter()
            .filter(|r| {
                r.path != "/login" && r.path != "/session" && !r.path.starts_with("/login/")
            })
            .collect()
    }
}

/// A server's stderr lines, collected as they come.
#[derive(Clone, Default)]
pub struct Logs(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl Logs {
    /// Collects the lines `stderr` writes, from now on.
    pub fn collect(stderr: tokio::process::ChildStderr) -> Self {
        let logs = Self::default();
        let sink = logs.clone();
        let mut lines = BufReader::new(stderr).lines();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                sink.0.lock().unwrap().push(line);
            }
        });
        logs
    }

    /// Everything logged so far, one line each.
    pub fn text(&self) -> String {
        self.0.lock().unwrap().join("\n")
    }

    /// Everything logged once a line containing `needle` has arrived (at most 10 s later; the
    /// caller's assertion then says what was missing). For lines a server writes just after the
    /// event a test saw.
    pub async fn text_once(&self, needle: &str) -> String {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        while !self.text().contains(needle) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        self.text()
    }
}

/// A fresh plugin directory holding copies of the named test components.
pub fn plugin_dir(name: &str, components: &[&str]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("plugin-dir-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for c in components {
        std::fs::copy(test_component(c), dir.join(format!("{c}.wasm"))).unwrap();
    }
    dir
}

pub fn sha256(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// A lock pinning each named component of `dir` with a read-only policy on LookML models.
pub fn pin_read_only(dir: &Path, components: &[&str]) {
    let policy = json!({"methods": ["GET"], "paths": ["/lookml_models/**"]});
    let entries: serde_json::Map<String, serde_json::Value> = components
        .iter()
        .map(|c| {
            let file = format!("{c}.wasm");
            let path = dir.join(&file);
            let path = if path.exists() {
                path
            } else {
                test_component(c).into()
            };
            (file, json!({"sha256": sha256(&path), "policy": policy}))
        })
        .collect();
    write_lock(dir, serde_json::Value::Object(entries));
}

pub fn write_lock(dir: &Path, entries: Value) {
    std::fs::write(
        dir.join("plugins.lock"),
        json!({ "plugins": entries }).to_string(),
    )
    .unwrap();
}

/// `looker-mcp-server plugin add TARGET --plugin-lock LOCK`, which must succeed.
pub async fn plugin_add(h: &Harness, target: &str, lock: &str) {
    let out = h
        .command(&["plugin", "add", target, "--plugin-lock", lock])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "plugin add {target}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Compiled components are cached here across test runs.
pub fn cache_dir() -> String {
    format!("{}/component-cache", env!("CARGO_TARGET_TMPDIR"))
}

/// The names of every tool `client` lists, in the server's order.
pub async fn tool_names(client: &rmcp::service::Peer<RoleClient>) -> Vec<String> {
    let tools = client.list_all_tools().await.expect("tools/list");
    tools.iter().map(|t| t.name.to_string()).collect()
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Fails the test with a fix-it line when `binary`, which `make test-deps` installs, is missing.
pub fn require_installed(binary: &str) {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {binary}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{binary} is not installed: `make test-deps` installs it"
    );
}

/// Calls a tool; panics on protocol errors (tool errors come back as `is_error`).
pub async fn call(
    client: &rmcp::service::Peer<RoleClient>,
    tool: &str,
    args: Value,
) -> CallToolResult {
    let args: Map<String, Value> = match args {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        other => panic!("arguments must be an object, got {other}"),
    };
    client
        .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("tools/call {tool}: {e}"))
}

/// The text of a result's first content block.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .find_map(|c| c.as_text().map(|t| t.text.clone()))
        .unwrap_or_default()
}

/// The result's JSON: structured content, or the text parsed as JSON.
pub fn json(result: &CallToolResult) -> Value {
    assert_ne!(result.is_error, Some(true), "tool failed: {}", text(result));
    result.structured_content.clone().unwrap_or_else(|| {
        serde_json::from_str(&text(result))
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(result)))
    })
}

/// A server child process spoken to with raw JSON-RPC lines, to check exactly what goes on stdout.
pub struct RawStdio {
    _child: Child,
    stdin: tokio::process::ChildStdin,
    stdout: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

impl RawStdio {
    /// The server's process id (to signal it).
    pub fn pid(&self) -> u32 {
        self._child.id().expect("server running")
    }

    /// Waits for the server to exit.
    pub async fn wait(&mut self) -> std::process::ExitStatus {
        self._child.wait().await.expect("server exits")
    }

    pub fn spawn(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("server spawns");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        Self {
            _child: child,
            stdin,
            stdout,
        }
    }

    /// [`Self::spawn`], then the `initialize` handshake (2025-06-18) and `initialized`.
    pub async fn initialized(cmd: Command) -> Self {
        let mut server = Self::spawn(cmd);
        server
            .request(
                1,
                "initialize",
                json!({"protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "t", "version": "0"}}),
            )
            .await;
        server
            .send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        server
    }

    /// Calls `tool` as request `id` with a progress token; returns the answer and the progress
    /// notifications' params that came before it (each checked to carry the token).
    pub async fn call_with_progress(
        &mut self,
        id: u64,
        tool: &str,
        arguments: Value,
        token: &str,
    ) -> (Value, Vec<Value>) {
        self.send(
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
            "name": tool, "arguments": arguments, "_meta": {"progressToken": token}}}),
        )
        .await;
        let mut progress = Vec::new();
        loop {
            let message = self.recv().await;
            if message["method"] == "notifications/progress" {
                assert_eq!(message["params"]["progressToken"], token);
                progress.push(message["params"].clone());
            } else if message["id"] == id {
                return (message, progress);
            }
        }
    }

    pub async fn send(&mut self, message: Value) {
        let mut line = message.to_string();
        line.push('\n');
        self.stdin.write_all(line.as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// Next stdout line, which must be JSON (a message or a batch's array of answers).
    pub async fn recv_any(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(60), self.stdout.next_line())
            .await
            .expect("server answers within 60 s")
            .unwrap()
            .expect("stdout still open");
        serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout carried a non-JSON line ({e}): {line}"))
    }

    /// Next stdout line, which must be a JSON-RPC message.
    pub async fn recv(&mut self) -> Value {
        let value = self.recv_any().await;
        let line = value.to_string();
        assert_eq!(
            value["jsonrpc"], "2.0",
            "stdout carried a non-JSON-RPC message: {line}"
        );
        value
    }

    /// Sends a request and returns the response with the same id, skipping notifications.
    pub async fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        )
        .await;
        loop {
            let message = self.recv().await;
            if message.get("id") == Some(&Value::from(id)) {
                return message;
            }
        }
    }
}

/// The value of query parameter `key`.
pub fn query<'a>(r: &'a RecordedRequest, key: &str) -> Option<&'a str> {
    r.query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The single API request a call made.
pub fn only_request(h: &Harness) -> RecordedRequest {
    let requests = h.api_requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    requests.into_iter().next().unwrap()
}

/// The single API request a call made, which must be `method path`.
pub fn only_request_to(h: &Harness, method: &str, path: &str) -> RecordedRequest {
    let requests = h.api_requests();
    assert_eq!(
        shape(&requests),
        [format!("{method} {path}")],
        "{requests:#?}"
    );
    requests.into_iter().next().unwrap()
}

/// API requests since the last look, without the login plumbing and the host's own look-ups:
/// `act_as_user`'s email look-up (`GET /users/search`) and a first branch swap's look-up of the
/// service account's own user id (`GET /user?fields=id`), which branch locks are keyed by.
pub fn tool_requests(h: &Harness) -> Vec<RecordedRequest> {
    h.api_requests()
        .into_iter()
        .filter(|r| r.path != "/users/search")
        .filter(|r| !(r.method == "GET" && r.path == "/user" && query(r, "fields") == Some("id")))
        .collect()
}

/// The single request a call made besides the host's own (see [`tool_requests`]).
pub fn only_tool_request(h: &Harness) -> RecordedRequest {
    let requests = tool_requests(h);
    assert_eq!(requests.len(), 1, "{requests:#?}");
    requests.into_iter().next().unwrap()
}

/// Asserts `result` is a tool error (`isError: true`) whose text contains `needle`.
pub fn assert_tool_error(result: &CallToolResult, needle: &str) {
    assert_eq!(result.is_error, Some(true), "{}", text(result));
    assert!(text(result).contains(needle), "{needle}: {}", text(result));
}

/// Asserts `result` is a tool error whose text contains every one of `needles`.
pub fn assert_tool_error_with(result: &CallToolResult, needles: &[&str]) {
    for needle in needles {
        assert_tool_error(result, needle);
    }
}

/// `METHOD path` of each request since the last look.
pub fn shape(requests: &[RecordedRequest]) -> Vec<String> {
    requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

//! Three replicas behind HAProxy (round-robin), sharing one Redis and one simulator: branch
//! swaps of one user and project never interleave, a replica killed mid-swap leaves the branch
//! to the next call, and stateful sessions survive requests landing on another replica. Also,
//! without Redis, the journal file restores a branch after a crash on one machine.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use looker_sim::{Fault, FaultKind, RecordedRequest};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use crate::http::{HttpServer, rpc_answer, start};
use crate::support::{Harness, free_port, require_installed};

const FEATURE: &str = "feature/new-dashboard";
/// A replica that stops renewing loses its lease after this long.
const LEASE_SECONDS: &str = "2";

/// Redis, three replicas and HAProxy in front of them; every process dies with it (drop runs
/// on panic too: each child is `kill_on_drop`).
struct Cluster {
    replicas: Vec<HttpServer>,
    /// The HAProxy frontend.
    base: String,
    redis_url: String,
    _redis: Child,
    _haproxy: Child,
    _dir: TempDir,
}

/// A scratch directory removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Waits until something accepts connections on `port`.
async fn listening(port: u16, what: &str) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{what} did not listen on port {port}");
}

impl Cluster {
    async fn start(h: &mut Harness) -> Self {
        require_installed("redis-server");
        require_installed("haproxy");
        let dir = TempDir(std::env::temp_dir().join(format!("replicas-{}", uuid::Uuid::new_v4())));
        std::fs::create_dir_all(&dir.0).unwrap();

        let redis_port = free_port();
        let redis = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &redis_port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("redis-server starts");
        listening(redis_port, "redis-server").await;

        let redis_url = format!("redis://127.0.0.1:{redis_port}");
        h.set("LOOKER_REDIS_URL", &redis_url);
        h.set("LOOKER_BRANCH_LEASE_SECONDS", LEASE_SECONDS);
        h.set("LOOKER_QUERY_DEV_PARAMS", "true");
        let mut replicas = Vec::new();
        for _ in 0..3 {
            replicas.push(start(h, "query,identity").await);
        }

        let port = free_port();
        let servers: String = replicas
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let address = r.base.trim_start_matches("http://");
                format!("    server r{i} {address}\n")
            })
            .collect();
        let config = format!(
            "defaults\n    mode http\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n    retries 3\n    option redispatch 1\n\
             frontend mcp\n    bind 127.0.0.1:{port}\n    default_backend replicas\n\
             backend replicas\n    balance roundrobin\n{servers}"
        );
        let config_path = dir.0.join("haproxy.cfg");
        std::fs::write(&config_path, config).unwrap();
        let haproxy = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("haproxy starts");
        listening(port, "haproxy").await;
        Cluster {
            replicas,
            base: format!("http://127.0.0.1:{port}"),
            redis_url,
            _redis: redis,
            _haproxy: haproxy,
            _dir: dir,
        }
    }
}

/// A stateless (2026-07-28) `tools/call` to `base`.
fn stateless_request(base: &str, tool: &str, arguments: Value) -> reqwest::RequestBuilder {
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"}
    });
    reqwest::Client::new()
        .post(format!("{base}/mcp"))
        .header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .header("MCP-Protocol-Version", "2026-07-28")
        .header("Mcp-Method", "tools/call")
        .header("Mcp-Name", tool)
        .body(
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                   "params": {"_meta": meta, "name": tool, "arguments": arguments}})
            .to_string(),
        )
}

/// [`stateless_request`], answered: the JSON-RPC answer.
async fn stateless_call(base: &str, tool: &str, arguments: Value) -> Value {
    let answer = stateless_request(base, tool, arguments)
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let body = answer.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    rpc_answer(&body)
}

fn swap_query() -> Value {
    json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"],
           "branch": FEATURE, "project_id": "ecommerce"})
}

/// The requests of the swap sequence (branch reads and writes, the query and its run), as
/// `METHOD path [branch]`.
/// Runs one whole swap through `base` and returns the branch it restored: the user's own.
async fn original_branch(h: &Harness, base: &str) -> String {
    let answer = stateless_call(base, "query", swap_query()).await;
    assert_eq!(answer["result"]["isError"], false, "{answer}");
    let log = sequence(&h.sim.take_requests());
    log.last()
        .unwrap()
        .trim_start_matches("PUT /projects/ecommerce/git_branch ")
        .to_string()
}

/// Holds the next `POST /queries` for `delay`: a swap stays mid-call, its branch checked out.
fn hold_the_next_query(h: &Harness, delay: Duration) {
    h.sim.inject(Fault {
        method: Some("POST".into()),
        path_prefix: "/queries".into(),
        kind: FaultKind::Delay(delay),
        times: 1,
    });
}

/// Waits until some call has checked out the feature branch; returns that request's line.
async fn until_the_feature_branch_is_checked_out(h: &Harness) -> String {
    let switched = format!("PUT /projects/ecommerce/git_branch {FEATURE}");
    tokio::time::timeout(Duration::from_secs(20), async {
        while !sequence(&h.sim.requests()).contains(&switched) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the call checks the feature branch out");
    switched
}

fn sequence(requests: &[RecordedRequest]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.path.contains("git_branch") || r.path.starts_with("/queries"))
        .map(|r| {
            let branch = r
                .body
                .as_ref()
                .and_then(|b| b["name"].as_str())
                .map(|n| format!(" {n}"))
                .unwrap_or_default();
            let path = if r.path.starts_with("/queries/") {
                "/queries/{id}/run"
            } else {
                r.path.as_str()
            };
            format!("{} {path}{branch}", r.method)
        })
        .collect()
}

#[tokio::test]
async fn concurrent_branch_swaps_through_three_replicas_never_interleave() {
    let mut h = Harness::new().await;
    let cluster = Cluster::start(&mut h).await;
    h.sim.set_latency(Duration::from_millis(20));
    h.sim.take_requests();

    let calls = (0..6).map(|_| stateless_call(&cluster.base, "query", swap_query()));
    for answer in futures::future::join_all(calls).await {
        assert_eq!(answer["result"]["isError"], false, "{answer}");
    }

    let log = sequence(&h.sim.take_requests());
    eprintln!("sequence log:\n{}", log.join("\n"));
    assert_eq!(log.len(), 6 * 5, "{log:#?}");
    let original = log[4].trim_start_matches("PUT /projects/ecommerce/git_branch ");
    assert!(original.starts_with("dev-"), "{log:#?}");
    let whole = [
        "GET /projects/ecommerce/git_branch".to_string(),
        format!("PUT /projects/ecommerce/git_branch {FEATURE}"),
        "POST /queries".to_string(),
        "GET /queries/{id}/run".to_string(),
        format!("PUT /projects/ecommerce/git_branch {original}"),
    ];
    for (i, swap) in log.chunks(5).enumerate() {
        assert_eq!(swap, whole, "swap {i} is interleaved: {log:#?}");
    }
    h.assert_no_violations();
}

#[tokio::test]
async fn a_replica_killed_mid_swap_leaves_the_branch_to_the_next_call() {
    let mut h = Harness::new().await;
    let mut cluster = Cluster::start(&mut h).await;
    // Learn the user's own branch with one whole swap.
    let original = original_branch(&h, &cluster.base).await;

    // Hold the next swap after its checkout, and kill its replica there.
    hold_the_next_query(&h, Duration::from_secs(30));
    let doomed = cluster.replicas[0].base.clone();
    // Its connection dies with the replica; only the branch it left matters.
    let held = tokio::spawn(stateless_request(&doomed, "query", swap_query()).send());
    let switched = until_the_feature_branch_is_checked_out(&h).await;
    cluster.replicas[0].child.start_kill().unwrap();
    cluster.replicas[0].child.wait().await.unwrap();
    held.abort();
    h.sim.take_requests();

    // The next swap (another replica, once the dead one's lease expires) puts the branch back
    // first, then swaps whole.
    let answer = stateless_call(&cluster.base, "query", swap_query()).await;
    assert_eq!(answer["result"]["isError"], false, "{answer}");
    let log: Vec<String> = sequence(&h.sim.take_requests())
        .into_iter()
        .filter(|l| l.contains("git_branch") || l.starts_with("GET /queries"))
        .collect();
    eprintln!("after the crash:\n{}", log.join("\n"));
    let restore = format!("PUT /projects/ecommerce/git_branch {original}");
    assert_eq!(
        log,
        [
            restore.clone(),
            "GET /projects/ecommerce/git_branch".into(),
            switched,
            "GET /queries/{id}/run".into(),
            restore,
        ],
        "the leftover branch is restored before the next swap"
    );
}

/// A `POST /mcp` in session `session` (`None`: the `initialize`), protocol 2025-06-18.
async fn stateful_post(base: &str, session: Option<&str>, body: Value) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/mcp"))
        .header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .header("MCP-Protocol-Version", "2025-06-18")
        .body(body.to_string());
    if let Some(session) = session {
        request = request.header("Mcp-Session-Id", session);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn stateful_sessions_survive_requests_alternating_between_replicas() {
    let mut h = Harness::new().await;
    // rmcp says when it restores a session from the store (at debug).
    h.set(
        "LOOKER_LOG_FILTER",
        "warn,looker_mcp=info,rmcp::transport::streamable_http_server=debug",
    );
    let cluster = Cluster::start(&mut h).await;
    let init = stateful_post(
        &cluster.base,
        None,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "t", "version": "0"}}}),
    )
    .await;
    assert_eq!(init.status(), 200);
    let session = init.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_string();
    let _ = init.text().await;
    let initialized = stateful_post(
        &cluster.base,
        Some(&session),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    assert!(initialized.status().is_success(), "{initialized:?}");

    // Round-robin: consecutive requests land on each replica in turn.
    for id in 2..8 {
        let answer = stateful_post(
            &cluster.base,
            Some(&session),
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                   "params": {"name": "whoami", "arguments": {}}}),
        )
        .await;
        let status = answer.status();
        let body = answer.text().await.unwrap();
        assert_eq!(status, 200, "request {id}: {body}");
        let answer = rpc_answer(&body);
        assert_eq!(answer["result"]["isError"], false, "{answer}");
    }
    let restored = cluster
        .replicas
        .iter()
        .filter(|r| {
            r.log_text()
                .contains("session restored from external store")
        })
        .count();
    assert!(
        restored >= 2,
        "the session was served by the other replicas"
    );
}

#[tokio::test]
async fn a_replica_stopped_with_sigterm_mid_call_completes_it() {
    let mut h = Harness::new().await;
    let cluster = Cluster::start(&mut h).await;
    hold_the_next_query(&h, Duration::from_secs(1));
    let target = cluster.replicas[1].base.clone();
    let call = tokio::spawn(async move { stateless_call(&target, "query", swap_query()).await });
    until_the_feature_branch_is_checked_out(&h).await;
    let pid = cluster.replicas[1].child.id().unwrap();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let answer = call.await.unwrap();
    assert_eq!(answer["result"]["isError"], false, "{answer}");
    let log = sequence(&h.sim.take_requests());
    assert!(
        log.last()
            .unwrap()
            .starts_with("PUT /projects/ecommerce/git_branch dev-"),
        "the branch is restored before the replica exits: {log:#?}"
    );
}

#[tokio::test]
async fn a_lost_lease_cancels_the_call_and_restores_nothing_over_its_new_holder() {
    let mut h = Harness::new().await;
    let cluster = Cluster::start(&mut h).await;
    hold_the_next_query(&h, Duration::from_secs(10));
    let target = cluster.replicas[2].base.clone();
    let call = tokio::spawn(async move { stateless_call(&target, "query", swap_query()).await });
    let switched = until_the_feature_branch_is_checked_out(&h).await;

    // Another holder takes the lease over (as if ours had expired and someone else got it).
    let redis = redis::Client::open(cluster.redis_url.as_str()).unwrap();
    let mut redis = redis.get_multiplexed_async_connection().await.unwrap();
    let leases: Vec<String> = redis::cmd("KEYS")
        .arg("looker-mcp:branch-lease:*")
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(leases.len(), 1, "{leases:?}");
    assert!(leases[0].contains("ecommerce"), "{leases:?}");
    let _: () = redis::cmd("SET")
        .arg(&leases[0])
        .arg("someone-else")
        .query_async(&mut redis)
        .await
        .unwrap();

    let answer = call.await.unwrap();
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert!(
        answer.to_string().to_lowercase().contains("cancelled"),
        "{answer}"
    );
    let log = sequence(&h.sim.take_requests());
    assert_eq!(
        log.last().unwrap(),
        &switched,
        "nothing restored over the new holder: {log:#?}"
    );
    let journal: Vec<String> = redis::cmd("KEYS")
        .arg("looker-mcp:branch-restore:*")
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(journal.len(), 1, "the journal keeps the branch to restore");
}

#[tokio::test]
async fn with_redis_down_branch_swaps_are_refused_and_other_tools_work() {
    let mut h = Harness::new().await;
    let port = free_port();
    h.set("LOOKER_REDIS_URL", &format!("redis://127.0.0.1:{port}"));
    h.set("LOOKER_QUERY_DEV_PARAMS", "true");
    let server = start(&h, "query,identity").await;

    let refused = stateless_call(&server.base, "query", swap_query()).await;
    assert_eq!(refused["result"]["isError"], true, "{refused}");
    let message = refused["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        message.contains("Redis (LOOKER_REDIS_URL) is unavailable, so branch swaps are refused"),
        "{message}"
    );
    assert!(
        !sequence(&h.sim.take_requests())
            .iter()
            .any(|r| r.starts_with("PUT")),
        "no branch was switched"
    );
    let whoami = stateless_call(&server.base, "whoami", json!({})).await;
    assert_eq!(whoami["result"]["isError"], false, "{whoami}");

    let ready = reqwest::get(format!("{}/readyz", server.base))
        .await
        .unwrap();
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.unwrap();
    assert!(body["reason"].as_str().unwrap().contains("Redis"), "{body}");
}

#[tokio::test]
async fn without_redis_a_crash_mid_swap_is_restored_by_the_next_server() {
    let mut h = Harness::new().await;
    h.set("LOOKER_QUERY_DEV_PARAMS", "true");
    let mut first = start(&h, "query,identity").await;
    let original = original_branch(&h, &first.base).await;

    hold_the_next_query(&h, Duration::from_secs(30));
    let held = tokio::spawn(stateless_request(&first.base, "query", swap_query()).send());
    let switched = until_the_feature_branch_is_checked_out(&h).await;
    first.child.start_kill().unwrap();
    first.child.wait().await.unwrap();
    held.abort();
    h.sim.take_requests();

    let second = start(&h, "query,identity").await;
    let answer = stateless_call(&second.base, "query", swap_query()).await;
    assert_eq!(answer["result"]["isError"], false, "{answer}");
    let log: Vec<String> = sequence(&h.sim.take_requests())
        .into_iter()
        .filter(|l| l.contains("git_branch"))
        .collect();
    let restore = format!("PUT /projects/ecommerce/git_branch {original}");
    assert_eq!(
        log,
        [
            restore.clone(),
            "GET /projects/ecommerce/git_branch".into(),
            switched,
            restore
        ],
        "the journal file left by the crashed server is restored first"
    );
}

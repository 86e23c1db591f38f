//! Scale-out: calls/s and p50/p99 through HAProxy (round-robin) to one replica and to three
//! sharing a Redis, against the simulator with 20 ms added Looker latency. Needs `redis-server`
//! and `haproxy` (`make test-deps`); skipped with a note without them.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use looker_sim::Simulator;
use serde_json::json;
use tokio::process::{Child, Command};
use tokio::task::JoinSet;

use crate::server::{HttpServer, ServerCmd};
use crate::stats::{Summary, ms};

const LATENCY: Duration = Duration::from_millis(20);
const CLIENTS: usize = 64;
const CALLS: usize = 3000;

/// Both runs, printed.
pub async fn run(sim: &Simulator, rust: &ServerCmd, scratch: &std::path::Path) -> Result<()> {
    for binary in ["redis-server", "haproxy"] {
        if which(binary).await.is_none() {
            println!("\nscale-out: skipped ({binary} is not installed; `make test-deps`)");
            return Ok(());
        }
    }
    let redis_port = free_port()?;
    let _redis = spawn(
        Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &redis_port.to_string()])
            .args(["--save", "", "--appendonly", "no"]),
    )?;
    listening(redis_port).await?;
    let mut cmd = rust.clone();
    cmd.env.push((
        "LOOKER_REDIS_URL".into(),
        format!("redis://127.0.0.1:{redis_port}"),
    ));
    sim.set_latency(LATENCY);
    let mut results = Vec::new();
    for replicas in [1, 3] {
        let summary = through_haproxy(&cmd, replicas, scratch).await;
        results.push((replicas, summary));
    }
    sim.set_latency(Duration::ZERO);
    println!(
        "\nscale-out through HAProxy round-robin, simulator +{} ms per Looker request, {CLIENTS} concurrent clients, {CALLS} stateless whoami calls:",
        LATENCY.as_millis()
    );
    let base = results[0].1.as_ref().map(|s| s.per_sec).unwrap_or(0.0);
    for (replicas, summary) in results {
        let s = summary?;
        println!(
            "  {replicas} replica(s): {:.0} calls/s ({:.2}x one replica), p50 {:.1} ms, p99 {:.1} ms",
            s.per_sec,
            s.per_sec / base,
            ms(s.median),
            ms(s.p99)
        );
    }
    Ok(())
}

async fn through_haproxy(
    cmd: &ServerCmd,
    replicas: usize,
    scratch: &std::path::Path,
) -> Result<Summary> {
    let mut servers = Vec::new();
    for _ in 0..replicas {
        servers.push(HttpServer::start(cmd, &["--groups", "identity"]).await?);
    }
    let port = free_port()?;
    let backends: String = servers
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let address = s.url.trim_start_matches("http://").trim_end_matches("/mcp");
            format!("    server r{i} {address}\n")
        })
        .collect();
    let config = scratch.join(format!("haproxy-{replicas}.cfg"));
    std::fs::write(
        &config,
        format!(
            "global\n    maxconn 4096\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 60s\n    timeout server 60s\n\
             frontend mcp\n    bind 127.0.0.1:{port}\n    default_backend replicas\n\
             backend replicas\n    balance roundrobin\n{backends}"
        ),
    )?;
    let _haproxy = spawn(Command::new("haproxy").arg("-db").arg("-f").arg(&config))?;
    listening(port).await?;
    load(&format!("http://127.0.0.1:{port}/mcp")).await
}

/// `CLIENTS` tasks sharing `CALLS` stateless `whoami` calls.
async fn load(url: &str) -> Result<Summary> {
    let http = reqwest::Client::new();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "bench", "version": "0"}
        },
        "name": "whoami", "arguments": {}}})
    .to_string();
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for _ in 0..CLIENTS {
        let (http, body, next, url) = (http.clone(), body.clone(), next.clone(), url.to_string());
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < CALLS {
                let t = Instant::now();
                let answer = http
                    .post(&url)
                    .header("Accept", "application/json, text/event-stream")
                    .header("Content-Type", "application/json")
                    .header("MCP-Protocol-Version", "2026-07-28")
                    .header("Mcp-Method", "tools/call")
                    .header("Mcp-Name", "whoami")
                    .body(body.clone())
                    .send()
                    .await?;
                let status = answer.status();
                let text = answer.text().await?;
                if status != 200 || text.contains("\"isError\":true") {
                    bail!("HTTP {status}: {text}");
                }
                latencies.push(t.elapsed());
            }
            Ok::<_, anyhow::Error>(latencies)
        });
    }
    let mut all = Vec::new();
    while let Some(done) = tasks.join_next().await {
        all.extend(done??);
    }
    Ok(Summary::of(&mut all, started.elapsed()))
}

fn spawn(command: &mut Command) -> Result<Child> {
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting a helper process")
}

async fn which(binary: &str) -> Option<()> {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {binary}")])
        .stdout(Stdio::null())
        .status()
        .await
        .ok()?;
    found.success().then_some(())
}

async fn listening(port: u16) -> Result<()> {
    for _ in 0..400 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    bail!("nothing listened on port {port}")
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

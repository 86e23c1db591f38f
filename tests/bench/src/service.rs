//! The service under hostile load and a stop (issue 13): a flood of `initialize`s (sessions
//! accepted and refused, peak RSS), 500 slowloris connections (a normal client's p50/p99
//! meanwhile), and SIGTERM-to-exit with 32 calls in flight. Printed, never asserted.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use looker_sim::Simulator;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::http::HttpClient;
use crate::server::{HttpServer, ServerCmd};
use crate::stats::{Summary, mib, ms, proc_kib};
use crate::stdio::initialize_params;

const FLOOD: usize = 10_000;
const FLOOD_CONCURRENCY: usize = 64;
const SLOW_CONNECTIONS: usize = 500;
const NORMAL_CALLS: usize = 500;
const IN_FLIGHT: usize = 32;

/// Runs the three measurements against `rust`.
pub async fn run(rust: &ServerCmd, sim: &Simulator) -> Result<()> {
    println!("\nservice bounds (issue 13):");
    for (label, per_principal) in [
        ("default caps", None),
        ("per-principal cap lifted", Some("100000")),
    ] {
        let mut cmd = rust.clone();
        if let Some(cap) = per_principal {
            cmd.env
                .push(("LOOKER_MCP_MAX_SESSIONS_PER_PRINCIPAL".into(), cap.into()));
        }
        session_flood(&cmd, label).await?;
    }
    slowloris(rust).await?;
    sigterm_with_calls_in_flight(rust, sim).await
}

async fn session_flood(cmd: &ServerCmd, label: &str) -> Result<()> {
    let server = HttpServer::start(cmd, &["--groups", "identity"]).await?;
    let pid = server.pid()?;
    let before = proc_kib(pid, "VmHWM")?;
    let http = reqwest::Client::builder().no_proxy().build()?;
    let body =
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize_params()})
            .to_string();
    let started = Instant::now();
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    let mut pending = tokio::task::JoinSet::new();
    for sent in 0..FLOOD {
        if sent >= FLOOD_CONCURRENCY
            && let Some(done) = pending.join_next().await
        {
            *statuses.entry(done??).or_default() += 1;
        }
        let (http, url, body) = (http.clone(), server.url.clone(), body.clone());
        pending.spawn(async move {
            let response = http
                .post(url)
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .body(body)
                .send()
                .await?;
            let status = response.status().as_u16();
            response.bytes().await?;
            anyhow::Ok(status)
        });
    }
    while let Some(done) = pending.join_next().await {
        *statuses.entry(done??).or_default() += 1;
    }
    println!(
        "session flood, {label}: {FLOOD} initializes in {:.1} s; answers {statuses:?}; peak RSS {:.1} → {:.1} MiB",
        started.elapsed().as_secs_f64(),
        mib(before),
        mib(proc_kib(pid, "VmHWM")?)
    );
    Ok(())
}

async fn slowloris(rust: &ServerCmd) -> Result<()> {
    let server = HttpServer::start(rust, &["--groups", "identity"]).await?;
    let address = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches("/mcp")
        .to_string();
    let (stop_all, stop) = tokio::sync::watch::channel(false);
    let mut attackers = tokio::task::JoinSet::new();
    for _ in 0..SLOW_CONNECTIONS {
        let (address, stop) = (address.clone(), stop.clone());
        attackers.spawn(async move {
            // One header byte a second; reconnect when the server drops the connection.
            while !*stop.borrow() {
                let Ok(mut tcp) = tokio::net::TcpStream::connect(&address).await else {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                let _ = tcp.write_all(b"POST /mcp HTTP/1.1\r\n").await;
                while !*stop.borrow() && tcp.write_all(b"X").await.is_ok() {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut client = HttpClient::connect(&server.url).await?;
    let mut latencies = Vec::with_capacity(NORMAL_CALLS);
    let started = Instant::now();
    for _ in 0..NORMAL_CALLS {
        let call = Instant::now();
        client.call("whoami", json!({})).await?;
        latencies.push(call.elapsed());
    }
    let s = Summary::of(&mut latencies, started.elapsed());
    let _ = stop_all.send(true);
    attackers.abort_all();
    println!(
        "slowloris, {SLOW_CONNECTIONS} connections trickling headers: a normal client's whoami p50 {:.2} ms, p99 {:.2} ms ({} calls)",
        ms(s.median),
        ms(s.p99),
        s.calls
    );
    Ok(())
}

async fn sigterm_with_calls_in_flight(rust: &ServerCmd, sim: &Simulator) -> Result<()> {
    let mut cmd = rust.clone();
    cmd.env
        .push(("LOOKER_MCP_SLOTS_PER_PRINCIPAL".into(), "32".into()));
    let server = HttpServer::start(&cmd, &["--groups", "explore"]).await?;
    let pid = server.pid()?;
    let mut clients = Vec::new();
    for _ in 0..IN_FLIGHT {
        clients.push(HttpClient::connect(&server.url).await?);
    }
    let latency = Duration::from_secs(2);
    sim.set_latency(latency);
    let calls: Vec<_> = clients
        .into_iter()
        .map(|mut c| tokio::spawn(async move { c.call("list_models", json!({})).await }))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let signalled = Instant::now();
    tokio::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .await
        .context("kill -TERM")?;
    let mut answered = 0;
    for call in calls {
        if matches!(call.await, Ok(Ok(()))) {
            answered += 1;
        }
    }
    let mut server = server;
    let status = server.wait().await?;
    sim.set_latency(Duration::ZERO);
    println!(
        "SIGTERM with {IN_FLIGHT} calls in flight ({} s Looker latency): {answered} answered, exit {status} after {:.0} ms",
        latency.as_secs(),
        ms(signalled.elapsed())
    );
    Ok(())
}

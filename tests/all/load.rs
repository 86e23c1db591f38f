//! Load over streamable HTTP: 32 concurrent MCP sessions share 10,000 tool calls against the
//! simulator on loopback. Every call must succeed and memory must stay bounded; the figures
//! (p50/p99, calls/s) are printed, never asserted (`make bench` measures the release build).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rmcp::ServiceExt;
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::json;

use crate::http;
use crate::support::{Harness, call, text};

const CLIENTS: usize = 32;
const CALLS: usize = 10_000;
/// Resident memory may grow this much between the warm-up and the end of the run.
const GROWTH_BOUND_MIB: u64 = 48;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_two_clients_ten_thousand_calls() {
    let mut h = Harness::new().await;
    h.set("LOOKER_LOG_LEVEL", "INFO");
    let server = http::start(&h, "explore,identity").await;
    let url = format!("{}/mcp", server.base);

    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let transport = StreamableHttpClientTransport::from_uri(url.clone());
        clients.push(Arc::new(().serve(transport).await.expect("MCP session")));
    }
    // Warm-up: every session calls each tool once, so caches and pools are filled.
    for client in &clients {
        for tool in ["whoami", "list_models"] {
            let result = call(client, tool, json!({})).await;
            assert_ne!(result.is_error, Some(true), "{}", text(&result));
        }
    }
    let rss_before = server.rss_kib();
    h.sim.take_requests();

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = clients
        .iter()
        .map(|client| {
            let (client, next) = (client.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut failures = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= CALLS {
                        break;
                    }
                    let tool = if n % 2 == 0 { "whoami" } else { "list_models" };
                    let t = Instant::now();
                    let result = call(&client, tool, json!({})).await;
                    latencies.push(t.elapsed());
                    if result.is_error == Some(true) {
                        failures.push(format!("{tool}: {}", text(&result)));
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = Vec::with_capacity(CALLS);
    let mut failures = Vec::new();
    for worker in workers {
        let (l, f) = tokio::time::timeout(Duration::from_secs(300), worker)
            .await
            .expect("the run is bounded in time")
            .expect("worker");
        latencies.extend(l);
        failures.extend(f);
    }
    let elapsed = started.elapsed();
    let rss_after = server.rss_kib();

    assert_eq!(latencies.len(), CALLS);
    assert!(
        failures.is_empty(),
        "{} failed, first: {}",
        failures.len(),
        failures[0]
    );
    let api_calls = h.api_requests().len();
    assert_eq!(
        api_calls, CALLS,
        "one Looker request per call, none repeated"
    );
    let growth_mib = rss_after.saturating_sub(rss_before) / 1024;
    latencies.sort();
    eprintln!(
        "load (debug build): {CALLS} calls from {CLIENTS} sessions in {:.1} s, {:.0} calls/s, \
         p50 {:.2} ms, p99 {:.2} ms, RSS {} → {} MiB",
        elapsed.as_secs_f64(),
        CALLS as f64 / elapsed.as_secs_f64(),
        latencies[CALLS / 2].as_secs_f64() * 1e3,
        latencies[CALLS * 99 / 100].as_secs_f64() * 1e3,
        rss_before / 1024,
        rss_after / 1024
    );
    assert!(
        growth_mib <= GROWTH_BOUND_MIB,
        "memory grew {growth_mib} MiB under load (bound {GROWTH_BOUND_MIB} MiB)"
    );
    for client in clients {
        Arc::into_inner(client)
            .expect("sole owner")
            .cancel()
            .await
            .unwrap();
    }
}

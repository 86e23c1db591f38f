//! The load test: concurrent MCP sessions over streamable HTTP against one server on loopback,
//! a bounded number of calls and a time limit, errors counted, RSS read before and after.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::json;
use tokio::task::JoinSet;

use crate::http::HttpClient;
use crate::stats::{mib, ms, percentile, proc_kib};

/// Allowed RSS growth (VmRSS after − before) over one load run.
pub const MEMORY_BOUND_MIB: f64 = 64.0;
/// Tools the load alternates between.
pub const TOOLS: [&str; 2] = ["whoami", "list_models"];

pub struct LoadReport {
    pub clients: usize,
    pub planned: usize,
    pub completed: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    pub elapsed: Duration,
    pub time_limit_hit: bool,
    pub p50: Duration,
    pub p99: Duration,
    pub rss_before_kib: u64,
    pub rss_after_kib: u64,
    pub hwm_after_kib: u64,
}

impl LoadReport {
    pub fn per_sec(&self) -> f64 {
        self.completed as f64 / self.elapsed.as_secs_f64()
    }

    pub fn growth_mib(&self) -> f64 {
        mib(self.rss_after_kib) - mib(self.rss_before_kib)
    }

    pub fn print(&self, label: &str) {
        println!(
            "\nload, {label}: {} concurrent sessions over streamable HTTP, {} calls ({}){}",
            self.clients,
            self.completed,
            TOOLS.join("/"),
            if self.time_limit_hit {
                format!(" — stopped at the time limit, {} planned", self.planned)
            } else {
                String::new()
            }
        );
        println!(
            "  errors {}{}; p50 {:.3} ms, p99 {:.3} ms; {:.0} calls/s over {:.1} s",
            self.errors,
            self.first_error
                .as_deref()
                .map_or(String::new(), |e| format!(" (first: {e})")),
            ms(self.p50),
            ms(self.p99),
            self.per_sec(),
            self.elapsed.as_secs_f64()
        );
        let growth = self.growth_mib();
        println!(
            "  RSS {:.1} → {:.1} MiB, peak {:.1} MiB; memory growth {growth:+.1} MiB (bound {MEMORY_BOUND_MIB:.0} MiB: {})",
            mib(self.rss_before_kib),
            mib(self.rss_after_kib),
            mib(self.hwm_after_kib),
            if growth <= MEMORY_BOUND_MIB {
                "within"
            } else {
                "EXCEEDED"
            }
        );
    }
}

/// `clients` sessions make `calls` calls in total against the server at `url` (process `pid`),
/// stopping early at `time_limit`. Sessions are opened and warmed up (two calls each) before the
/// clock and the first RSS reading.
pub async fn run(
    url: &str,
    pid: u32,
    clients: usize,
    calls: usize,
    time_limit: Duration,
) -> Result<LoadReport> {
    let mut set = JoinSet::new();
    for _ in 0..clients {
        let url = url.to_string();
        set.spawn(async move {
            let mut client = HttpClient::connect(&url).await?;
            for tool in TOOLS {
                client.call(tool, json!({})).await?;
            }
            anyhow::Ok(client)
        });
    }
    let mut sessions = Vec::with_capacity(clients);
    while let Some(joined) = set.join_next().await {
        sessions.push(joined?.context("opening a load session")?);
    }
    let rss_before_kib = proc_kib(pid, "VmRSS")?;

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + time_limit;
    let mut set = JoinSet::new();
    for mut client in sessions {
        let next = next.clone();
        set.spawn(async move {
            let mut lat = Vec::new();
            let mut errors = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= calls || Instant::now() >= deadline {
                    break;
                }
                let t = Instant::now();
                match client.call(TOOLS[i % TOOLS.len()], json!({})).await {
                    Ok(()) => lat.push(t.elapsed()),
                    Err(e) => errors.push(format!("{e:#}")),
                }
            }
            (lat, errors)
        });
    }
    let mut lat = Vec::with_capacity(calls);
    let mut errors = Vec::new();
    while let Some(joined) = set.join_next().await {
        let (l, e) = joined?;
        lat.extend(l);
        errors.extend(e);
    }
    let elapsed = started.elapsed();
    let completed = lat.len() + errors.len();
    lat.sort();
    Ok(LoadReport {
        clients,
        planned: calls,
        completed,
        errors: errors.len(),
        first_error: errors.into_iter().next(),
        elapsed,
        time_limit_hit: completed < calls,
        p50: percentile(&lat, 50),
        p99: percentile(&lat, 99),
        rss_before_kib,
        rss_after_kib: proc_kib(pid, "VmRSS")?,
        hwm_after_kib: proc_kib(pid, "VmHWM")?,
    })
}

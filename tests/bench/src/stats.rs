//! Small helpers: medians, percentiles, units and `/proc/<pid>/status` readings.

use std::time::Duration;

use anyhow::{Context, Result};

/// Latencies of a run of calls.
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    pub calls: usize,
    pub median: Duration,
    pub p99: Duration,
    pub per_sec: f64,
}

impl Summary {
    /// Summarises `latencies` (any order) of calls that took `total` wall-clock time.
    pub fn of(latencies: &mut [Duration], total: Duration) -> Summary {
        latencies.sort();
        Summary {
            calls: latencies.len(),
            median: percentile(latencies, 50),
            p99: percentile(latencies, 99),
            per_sec: latencies.len() as f64 / total.as_secs_f64(),
        }
    }
}

/// The `p`th percentile of sorted values (nearest rank); zero for no values.
pub fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

pub fn median<T: Ord + Copy>(values: &mut [T]) -> T {
    values.sort();
    values[values.len() / 2]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// A `kB` field of `/proc/<pid>/status`, e.g. `VmHWM` (peak RSS) or `VmRSS` (current RSS).
pub fn proc_kib(pid: u32, field: &str) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("{field} of pid {pid}"))
}

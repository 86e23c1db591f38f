//! Large query results: a `query` whose Looker answer is 5,000 × 7 and 50,000 × 7 rows, over
//! stdio. For each size and result budget: the end-to-end median, the simulator's own time for
//! the same Looker request (timed directly over HTTP) and the difference, which is this server's
//! processing; this server's own time per call read from its spans (`crate::spans`); the
//! Looker body's size; the peak-RSS growth of the first such call (median and range over
//! [`RSS_SAMPLES`] fresh servers: one sample moves by a few hundred KiB with where the allocator
//! happens to place things); and the result's size. `looker-mcp-bench --large-results` runs only
//! this part.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use looker_sim::{RecordedRequest, SimConfig, Simulator};
use serde_json::{Value, json};

use crate::measure::{Client, latency};
use crate::server::ServerCmd;
use crate::spans::Receiver;
use crate::stats::{median, mib, ms};
use crate::stdio::StdioClient;

/// Measured calls per size (after one unmeasured call).
const RUNS: usize = 9;
/// Fresh servers whose first large call's peak-RSS growth is measured, per case.
const RSS_SAMPLES: usize = 5;
/// Measured calls of each small-result tool.
const SMALL_CALLS: usize = 1000;

/// Every field of the `orders` explore (seven), grouped by `orders.id` so each fact row is one
/// result row.
const FIELDS: [&str; 7] = [
    "orders.id",
    "orders.created_date",
    "orders.status",
    "orders.region",
    "users.email",
    "orders.count",
    "orders.total_revenue",
];

/// `--large-results`: a simulator of its own, then [`run`].
/// With `python` (`--compare PYTHON --large-results`), the Python server is measured in the same
/// run and the processing times are printed side by side with their ratio.
pub async fn standalone(python: Option<&std::path::Path>) -> Result<()> {
    let bin = crate::server_binary()?;
    let sim = Simulator::start(SimConfig::default()).await?;
    let scratch = std::env::temp_dir().join(format!("looker-mcp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let rust = ServerCmd::new("rust", &bin, &sim, &scratch);
    println!("binary: {}", rust.program.display());
    let result = async {
        let ours = run(&sim, &rust).await?;
        if let Some(python) = python {
            let python = ServerCmd::new("python", python, &sim, &scratch);
            println!("\n== python: {}", python.program.display());
            let theirs = run(&sim, &python).await?;
            println!("\nprocessing (end to end minus the simulator's own time), rust vs python:");
            for ((case, rust), (_, python)) in ours.iter().zip(&theirs) {
                println!(
                    "  {case}: {:.1} ms vs {:.1} ms ({:.1}x faster)",
                    ms(*rust),
                    ms(*python),
                    python.as_secs_f64() / rust.as_secs_f64().max(1e-9)
                );
            }
        }
        Ok(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// Measures `cmd` on large results; leaves the simulator at its default size. Returns each
/// case's processing time (end to end minus the simulator's own).
pub async fn run(sim: &Simulator, cmd: &ServerCmd) -> Result<Vec<(String, Duration)>> {
    let mut processing = Vec::new();
    println!("\nlarge query results (query tool, result_format json, stdio; medians of {RUNS})");
    for rows in [5_000usize, 50_000] {
        sim.set_fact_rows(rows);
        for budget in [None, Some("0")] {
            let mut cmd = cmd.clone();
            cmd.env.push(("LOOKER_MAX_ROWS".into(), rows.to_string()));
            if let Some(budget) = budget {
                cmd.env
                    .push(("LOOKER_MAX_RESULT_CHARS".into(), budget.into()));
            }
            let label = match budget {
                None => "default result budget",
                Some(_) => "no result budget (LOOKER_MAX_RESULT_CHARS=0)",
            };
            let figures = measure(sim, &cmd, rows).await?;
            figures.print(rows, label);
            processing.push((
                format!("{rows} × 7, {label}"),
                figures.end_to_end.saturating_sub(figures.simulator),
            ));
        }
    }
    sim.set_fact_rows(60);
    // Small results must not pay for the large-result path.
    let mut server = Client::Stdio(Box::new(StdioClient::spawn(cmd, &[]).await?));
    for (tool, args) in [("whoami", json!({})), ("list_models", json!({}))] {
        let s = latency(&mut server, tool, &args, SMALL_CALLS / 10, SMALL_CALLS).await?;
        println!(
            "small result: {tool} over stdio, {SMALL_CALLS} sequential calls: median {:.3} ms, p99 {:.3} ms",
            ms(s.median),
            ms(s.p99)
        );
    }
    Ok(processing)
}

struct Figures {
    end_to_end: Duration,
    simulator: Duration,
    /// This server's own time per call from its spans (`tools/call` minus the Looker request).
    inside: Option<Duration>,
    body_bytes: usize,
    /// Median, least and most of [`RSS_SAMPLES`].
    rss_growth_kib: (u64, u64, u64),
    result_bytes: usize,
    rows_shown: u64,
}

impl Figures {
    fn print(&self, rows: usize, label: &str) {
        let processing = self.end_to_end.saturating_sub(self.simulator);
        let (median, least, most) = self.rss_growth_kib;
        let times_body = |kib: u64| (kib * 1024) as f64 / self.body_bytes as f64;
        println!(
            "{rows} × 7, {label}: end to end {:.1} ms, simulator {:.1} ms, our processing {:.1} ms; \
             Looker body {:.2} MiB, peak RSS growth {:.1} MiB ({:.2}× the body; {:.2}–{:.2}× over \
             {RSS_SAMPLES} servers); result {:.2} MiB, {} rows in structured content",
            ms(self.end_to_end),
            ms(self.simulator),
            ms(processing),
            mib(self.body_bytes as u64 / 1024),
            mib(median),
            times_body(median),
            times_body(least),
            times_body(most),
            mib(self.result_bytes as u64 / 1024),
            self.rows_shown,
        );
        if let Some(inside) = self.inside {
            println!(
                "  inside the server (its tools/call span minus its Looker request span, median of \
                 {RUNS} calls): {:.1} ms",
                ms(inside)
            );
        }
    }
}

fn arguments(rows: usize) -> Value {
    json!({"model": "ecommerce", "view": "orders", "fields": FIELDS, "limit": rows})
}

async fn measure(sim: &Simulator, cmd: &ServerCmd, rows: usize) -> Result<Figures> {
    let mut growths = Vec::with_capacity(RSS_SAMPLES);
    for _ in 1..RSS_SAMPLES {
        let mut server = StdioClient::spawn(cmd, &[]).await?;
        growths.push(first_call_growth(&mut server, rows).await?.0);
        server.finish().await?;
    }
    // The last sample's server also gives the timings.
    let mut server = StdioClient::spawn(cmd, &[]).await?;
    sim.take_requests();
    let (growth, first) = first_call_growth(&mut server, rows).await?;
    growths.push(growth);
    let rss_growth_kib = (median(&mut growths), growths[0], growths[growths.len() - 1]);
    // The large call's (the warm-up's small query ran before it).
    let run = sim
        .take_requests()
        .into_iter()
        .rfind(|r| r.path.contains("/run/"))
        .context("the query's run request")?;
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        call(&mut server, rows).await?;
        times.push(started.elapsed());
    }
    server.finish().await?;
    let (simulator, body_bytes) = simulator_time(sim, &run).await?;
    // This server's own time per call comes from its spans (the Python server exports none).
    let inside = match cmd.label.as_str() {
        "rust" => Some(time_inside(cmd, rows).await?),
        _ => None,
    };
    Ok(Figures {
        end_to_end: median(&mut times),
        simulator,
        inside,
        body_bytes,
        rss_growth_kib,
        result_bytes: first.to_string().len(),
        rows_shown: first["structuredContent"]["rows"]
            .as_array()
            .map_or(0, |r| r.len() as u64),
    })
}

/// The peak-RSS growth (KiB) of a fresh server's first `rows`-row call after a small one, and
/// that call's result.
async fn first_call_growth(server: &mut StdioClient, rows: usize) -> Result<(u64, Value)> {
    warm_up(server).await?;
    let before = server.rss_kib("VmHWM")?;
    let first = call(server, rows).await?;
    Ok((server.rss_kib("VmHWM")?.saturating_sub(before), first))
}

/// A small query, so the plugin and the Looker session are ready.
async fn warm_up(server: &mut StdioClient) -> Result<()> {
    let small =
        json!({"model": "ecommerce", "view": "orders", "fields": ["orders.status"], "limit": 1});
    server.call("query", small).await
}

/// The median of this server's own time per call, from the spans it exports to a local
/// receiver: a server of its own (telemetry on), so the figures above are measured without it.
async fn time_inside(cmd: &ServerCmd, rows: usize) -> Result<Duration> {
    let receiver = Receiver::start().await?;
    let mut cmd = cmd.clone();
    cmd.env
        .push(("OTEL_EXPORTER_OTLP_ENDPOINT".into(), receiver.url.clone()));
    let mut server = StdioClient::spawn(&cmd, &[]).await?;
    warm_up(&mut server).await?;
    for _ in 0..=RUNS {
        call(&mut server, rows).await?;
    }
    server.finish().await?;
    // The warm-up and the first large call are left out.
    let mut calls = receiver.processing("query", "/run/");
    let mut calls = calls.split_off(calls.len().min(2));
    if calls.is_empty() {
        bail!("the server exported no tools/call span with a Looker query run");
    }
    Ok(median(&mut calls))
}

/// One `query` call of `rows` rows; its result.
async fn call(server: &mut StdioClient, rows: usize) -> Result<Value> {
    let answer = server
        .request(
            "tools/call",
            json!({"name": "query", "arguments": arguments(rows)}),
        )
        .await?;
    crate::stdio::check_call("query", &answer)?;
    let mut answer = answer;
    Ok(answer["result"].take())
}

/// The simulator's median time to answer `run` again directly (one kept-alive HTTP client, its
/// own login), and the body's size.
async fn simulator_time(sim: &Simulator, run: &RecordedRequest) -> Result<(Duration, usize)> {
    let base = format!("{}/api/4.0", sim.base_url());
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{base}/login"))
        .form(&[
            ("client_id", "demo-client-id"),
            ("client_secret", "demo-client-secret"),
        ])
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"].as_str().context("access_token")?;
    let method = reqwest::Method::from_bytes(run.method.as_bytes())?;
    let mut times = Vec::with_capacity(RUNS);
    let mut size = 0;
    for _ in 0..RUNS + 1 {
        let started = Instant::now();
        let mut request = client
            .request(method.clone(), format!("{base}{}", run.path))
            .query(&run.query)
            .header("Authorization", format!("token {token}"));
        if let Some(body) = &run.body {
            request = request.json(body);
        }
        let response = request.send().await?;
        if !response.status().is_success() {
            bail!("{} {}: HTTP {}", run.method, run.path, response.status());
        }
        size = response.bytes().await?.len();
        times.push(started.elapsed());
    }
    Ok((median(&mut times[1..]), size))
}

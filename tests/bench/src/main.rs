//! `make bench`: measures the release `looker-mcp-server` against the in-process Looker simulator
//! (zero added latency) and prints medians.
//!
//! - start → `tools/list` answered, with the default groups and with `--groups all`
//!   (components already in the compile cache: the first, uncached start is reported separately);
//! - peak RSS (VmHWM) after the start and after the call loop;
//! - latency of tool calls over stdio and over streamable HTTP;
//! - a load test: 32 concurrent sessions, 10,000 calls over streamable HTTP on loopback, errors,
//!   p50/p99, calls/s and RSS growth;
//! - resources/list size for 50 models and completion latency on a 2,000-field explore.
//!
//! `make bench-compare` runs `--compare <python looker-mcp-server>`: the same client code measures
//! the Rust and the Python server against the same simulator and prints ratios (see `compare.rs`).
//!
//! Figures are printed, never asserted.

mod code_mode;
mod compare;
mod http;
mod large;
mod load;
mod measure;
mod replicas;
mod semantic;
mod server;
mod service;
mod ship;
mod spans;
mod stats;
mod stdio;
mod tokens;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use looker_sim::{SimConfig, Simulator};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

use crate::http::HttpClient;
use crate::measure::{Client, latency, standard_calls};
use crate::server::{HttpServer, ServerCmd};
use crate::stats::{median, mib, ms};
use crate::stdio::StdioClient;

const START_RUNS: usize = 9;
const CALLS: usize = 2000;
const WARMUP: usize = 50;
/// Concurrent sessions of the load test.
pub const LOAD_CLIENTS: usize = 32;
/// Calls of the load test.
pub const LOAD_CALLS: usize = 10_000;
/// Wall-clock bound of one load run.
pub const LOAD_TIME_LIMIT: Duration = Duration::from_secs(300);

const USAGE: &str = "usage: looker-mcp-bench [--compare PYTHON_SERVER [--calls N] [--python-load-calls N]] \
     [--large-results | --semantic]";

#[tokio::main]
async fn main() -> Result<()> {
    let mut compare: Option<PathBuf> = None;
    let mut large_only = false;
    let mut options = compare::Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--compare" => compare = Some(PathBuf::from(value()?)),
            "--calls" => options.calls = value()?.parse().context("--calls")?,
            "--python-load-calls" => {
                options.python_load_calls = value()?.parse().context("--python-load-calls")?;
            }
            "--large-results" => large_only = true,
            "--semantic" => return semantic::standalone().await,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    if large_only {
        return large::standalone(compare.as_deref()).await;
    }
    let bin = server_binary()?;
    let sim = Simulator::start(SimConfig::default()).await?;
    let scratch = std::env::temp_dir().join(format!("looker-mcp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let rust = ServerCmd::new("rust", &bin, &sim, &scratch);
    let result = match compare {
        Some(python) => {
            let python = ServerCmd::new("python", &python, &sim, &scratch);
            compare::run(&sim, &rust, &python, &options).await
        }
        None => bench(&sim, &rust, &scratch).await,
    };
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

async fn bench(sim: &Simulator, rust: &ServerCmd, scratch: &Path) -> Result<()> {
    println!("looker-mcp-server benchmark (medians; simulator on loopback, zero added latency)");
    println!("binary: {}", rust.program.display());

    let first = StdioClient::start_to_list(rust, &["--groups", "all"]).await?;
    println!(
        "\nfirst start, empty compile cache, --groups all: {:.1} ms ({} tools)",
        ms(first.elapsed),
        first.tools
    );
    for (label, args) in [
        ("default groups", &[][..]),
        ("--groups all", &["--groups", "all"][..]),
    ] {
        let mut times = Vec::new();
        let mut rss = Vec::new();
        let mut tools = 0;
        for _ in 0..START_RUNS {
            let s = StdioClient::start_to_list(rust, args).await?;
            times.push(s.elapsed);
            rss.push(s.peak_rss_kib);
            tools = s.tools;
        }
        println!(
            "start → tools/list, {label} ({tools} tools): median {:.1} ms (min {:.1}, max {:.1}); peak RSS median {:.1} MiB",
            ms(median(&mut times)),
            ms(*times.iter().min().unwrap()),
            ms(*times.iter().max().unwrap()),
            mib(median(&mut rss))
        );
    }

    ship::run(rust, scratch).await?;

    // A third-party group (the README's example), pinned read-only like an operator would.
    let example = rust
        .program
        .parent()
        .context("bin dir")?
        .join("../plugins/examples/wasm32-wasip2/release/hello_looker.wasm");
    let plugin_dir = scratch.join("plugins");
    std::fs::create_dir_all(&plugin_dir)?;
    std::fs::copy(&example, plugin_dir.join("hello_looker.wasm"))
        .context("the example plugin (built by make build)")?;
    let status = Command::new(&rust.program)
        .args(["plugin", "add", "--plugin-lock"])
        .arg(plugin_dir.join("plugins.lock"))
        .arg(plugin_dir.join("hello_looker.wasm"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await?;
    if !status.success() {
        bail!("plugin add failed");
    }
    large::run(sim, rust).await?;
    let plugin_dir_arg = plugin_dir.display().to_string();
    let with_plugin = ["--groups", "all", "--plugin-dir", &plugin_dir_arg];
    // One start compiles the new plugin into the cache (its compiler memory would otherwise count
    // in the RSS below, which is about serving calls), as for the embedded groups above.
    StdioClient::start_to_list(rust, &with_plugin).await?;
    let mut server = Client::Stdio(Box::new(StdioClient::spawn(rust, &with_plugin).await?));
    let mut calls = standard_calls();
    calls.insert(2, ("model_overview", json!({})));
    let mut medians = Vec::new();
    for (tool, args) in &calls {
        let s = latency(&mut server, tool, args, WARMUP, CALLS).await?;
        medians.push((*tool, s.median));
        println!(
            "\ncall {tool} over stdio, {CALLS} sequential calls: median {:.3} ms, p99 {:.3} ms, {:.0} calls/s",
            ms(s.median),
            ms(s.p99),
            s.per_sec
        );
    }
    let baseline = sim_round_trip(sim).await?;
    println!(
        "\nbaseline: one raw HTTP round trip to the simulator: median {:.3} ms",
        ms(baseline)
    );
    for (tool, median) in &medians {
        println!(
            "  {tool}: {:.1}x the baseline round trip",
            median.as_secs_f64() / baseline.as_secs_f64()
        );
    }
    let median_of = |name: &str| {
        medians
            .iter()
            .find(|(t, _)| *t == name)
            .map(|(_, m)| *m)
            .unwrap_or_default()
    };
    let (builtin, third_party) = (median_of("list_models"), median_of("model_overview"));
    println!(
        "third-party plugin (model_overview) vs built-in (list_models), one GET /lookml_models each: \
         {:.3} ms vs {:.3} ms ({:+.3} ms, {:.2}x)",
        ms(third_party),
        ms(builtin),
        ms(third_party) - ms(builtin),
        third_party.as_secs_f64() / builtin.as_secs_f64()
    );
    let Client::Stdio(stdio) = &server else {
        unreachable!()
    };
    println!(
        "peak RSS after {} calls: {:.1} MiB",
        calls.len() * (CALLS + WARMUP),
        mib(stdio.rss_kib("VmHWM")?)
    );
    drop(server);

    let http = HttpServer::start(rust, &["--groups", "all"]).await?;
    let mut client = Client::Http(HttpClient::connect(&http.url).await?);
    for (tool, args) in standard_calls() {
        let s = latency(&mut client, tool, &args, WARMUP, CALLS).await?;
        println!(
            "\ncall {tool} over streamable HTTP, one session, {CALLS} sequential calls: median {:.3} ms, p99 {:.3} ms, {:.0} calls/s",
            ms(s.median),
            ms(s.p99),
            s.per_sec
        );
    }
    drop(client);
    drop(http);

    let http = HttpServer::start(rust, &["--groups", "all"]).await?;
    let report = load::run(
        &http.url,
        http.pid()?,
        LOAD_CLIENTS,
        LOAD_CALLS,
        LOAD_TIME_LIMIT,
    )
    .await?;
    report.print("rust");
    drop(http);
    tokens::report(rust).await?;
    code_mode::run(rust).await?;
    replicas::run(sim, rust, scratch).await?;
    service::run(rust, sim).await?;
    // Last: it adds 50 wide models to the shared simulator.
    semantic::run(sim, rust).await
}

/// One HTTP/1.1 request to the simulator over a kept-alive socket: the floor under any tool call.
async fn sim_round_trip(sim: &Simulator) -> Result<Duration> {
    let addr = sim.base_url().trim_start_matches("http://").to_string();
    let mut stream = BufReader::new(tokio::net::TcpStream::connect(&addr).await?);
    let request =
        format!("GET /api/4.0/user HTTP/1.1\r\nHost: {addr}\r\nAuthorization: token none\r\n\r\n");
    let mut times = Vec::new();
    for _ in 0..500 {
        let t = Instant::now();
        stream.get_mut().write_all(request.as_bytes()).await?;
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            stream.read_line(&mut line).await?;
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse()?;
            }
        }
        let mut body = vec![0; length];
        tokio::io::AsyncReadExt::read_exact(&mut stream, &mut body).await?;
        times.push(t.elapsed());
    }
    Ok(median(&mut times))
}

fn server_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe.with_file_name("looker-mcp-server");
    if !path.exists() {
        bail!(
            "{} not found: build the server with the same profile first (make bench does)",
            path.display()
        );
    }
    Ok(path)
}

//! `make bench`: measures the release `looker-mcp-server` against the in-process Looker simulator
//! (zero added latency) and prints medians.
//!
//! - start → `tools/list` answered, with the default groups and with `--groups all`
//!   (components already in the compile cache: the first, uncached start is reported separately);
//! - peak RSS (VmHWM) after the start and after the call loop;
//! - latency of a simple tool call (`whoami`, one Looker round trip) and of `list_models`.
//!
//! Figures are printed, never asserted.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use looker_sim::{SimConfig, Simulator};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

const START_RUNS: usize = 9;
const CALLS: usize = 2000;

#[tokio::main]
async fn main() -> Result<()> {
    let bin = server_binary()?;
    let sim = Simulator::start(SimConfig::default()).await?;
    let cache = std::env::temp_dir().join(format!("looker-mcp-bench-cache-{}", std::process::id()));
    let bench = Bench {
        bin,
        sim,
        cache: cache.clone(),
    };
    println!("looker-mcp-server benchmark (medians; simulator on loopback, zero added latency)");
    println!("binary: {}", bench.bin.display());

    let first = bench.start_to_list(&["--groups", "all"]).await?;
    println!(
        "\nfirst start, empty compile cache, --groups all: {:.1} ms ({} tools)",
        ms(first.elapsed),
        first.tools
    );
    for (label, args) in [
        ("default groups", &["--groups", ""][..0]),
        ("--groups all", &["--groups", "all"][..]),
    ] {
        let mut times = Vec::new();
        let mut rss = Vec::new();
        let mut tools = 0;
        for _ in 0..START_RUNS {
            let s = bench.start_to_list(args).await?;
            times.push(s.elapsed);
            rss.push(s.peak_rss_kib);
            tools = s.tools;
        }
        println!(
            "start → tools/list, {label} ({tools} tools): median {:.1} ms (min {:.1}, max {:.1}); peak RSS median {:.1} MiB",
            ms(median(&mut times)),
            ms(*times.iter().min().unwrap()),
            ms(*times.iter().max().unwrap()),
            median(&mut rss) as f64 / 1024.0
        );
    }

    // A third-party group (the README's example), pinned read-only like an operator would.
    let example = bench
        .bin
        .parent()
        .context("bin dir")?
        .join("../plugins/examples/wasm32-wasip2/release/hello_looker.wasm");
    let plugin_dir = bench.cache.join("plugins");
    std::fs::create_dir_all(&plugin_dir)?;
    std::fs::copy(&example, plugin_dir.join("hello_looker.wasm"))
        .context("the example plugin (built by make build)")?;
    let status = Command::new(&bench.bin)
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
    let plugin_dir_arg = plugin_dir.display().to_string();
    let mut server = bench
        .spawn(&["--groups", "all", "--plugin-dir", &plugin_dir_arg])
        .await?;
    let query = json!({"model": "ecommerce", "view": "orders", "fields": ["orders.status", "orders.count"], "limit": 10});
    let mut medians = Vec::new();
    for (tool, args) in [
        ("whoami", json!({})),
        ("list_models", json!({})),
        ("model_overview", json!({})),
        ("query", query),
    ] {
        for _ in 0..50 {
            server.call(tool, args.clone()).await?;
        }
        let mut lat = Vec::with_capacity(CALLS);
        let started = Instant::now();
        for _ in 0..CALLS {
            let t = Instant::now();
            server.call(tool, args.clone()).await?;
            lat.push(t.elapsed());
        }
        let total = started.elapsed();
        lat.sort();
        medians.push((tool, lat[lat.len() / 2]));
        println!(
            "\ncall {tool} over stdio, {CALLS} sequential calls: median {:.3} ms, p99 {:.3} ms, {:.0} calls/s",
            ms(lat[lat.len() / 2]),
            ms(lat[lat.len() * 99 / 100]),
            CALLS as f64 / total.as_secs_f64()
        );
    }
    let baseline = sim_round_trip(&bench.sim).await?;
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
    println!(
        "peak RSS after {} calls: {:.1} MiB",
        medians.len() * (CALLS + 50),
        server.peak_rss_kib()? as f64 / 1024.0
    );
    drop(server);
    let _ = std::fs::remove_dir_all(cache);
    Ok(())
}

struct Bench {
    bin: PathBuf,
    sim: Simulator,
    cache: PathBuf,
}

struct Start {
    elapsed: Duration,
    tools: usize,
    peak_rss_kib: u64,
}

impl Bench {
    async fn spawn(&self, args: &[&str]) -> Result<Server> {
        let mut child = Command::new(&self.bin)
            .args(args)
            .env_clear()
            .env("LOOKER_BASE_URL", self.sim.base_url())
            .env("LOOKER_CLIENT_ID", "demo-client-id")
            .env("LOOKER_CLIENT_SECRET", "demo-client-secret")
            .env("LOOKER_CACHE_DIR", &self.cache)
            .env("LOOKER_LOG_LEVEL", "WARNING")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let stdin = child.stdin.take().context("stdin")?;
        let stdout = BufReader::new(child.stdout.take().context("stdout")?).lines();
        let mut server = Server {
            child,
            stdin,
            stdout,
            next_id: 1,
        };
        server
            .request("initialize", json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}))
            .await?;
        server.notify("notifications/initialized").await?;
        Ok(server)
    }

    async fn start_to_list(&self, args: &[&str]) -> Result<Start> {
        let started = Instant::now();
        let mut server = self.spawn(args).await?;
        let list = server.request("tools/list", json!({})).await?;
        let elapsed = started.elapsed();
        let tools = list["result"]["tools"].as_array().map_or(0, Vec::len);
        Ok(Start {
            elapsed,
            tools,
            peak_rss_kib: server.peak_rss_kib()?,
        })
    }
}

struct Server {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    next_id: u64,
}

impl Server {
    async fn notify(&mut self, method: &str) -> Result<()> {
        let line = format!("{}\n", json!({"jsonrpc": "2.0", "method": method}));
        self.stdin.write_all(line.as_bytes()).await?;
        Ok(())
    }

    async fn request(&mut self, method: &str, params: Value) -> Result<Value> {
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
            let message: Value = serde_json::from_str(&line)?;
            if message["id"] == json!(id) {
                if message.get("error").is_some() {
                    bail!("{method} failed: {message}");
                }
                return Ok(message);
            }
        }
    }

    async fn call(&mut self, tool: &str, arguments: Value) -> Result<()> {
        let answer = self
            .request("tools/call", json!({"name": tool, "arguments": arguments}))
            .await?;
        if answer["result"]["isError"] == json!(true) {
            bail!("{tool} failed: {answer}");
        }
        Ok(())
    }

    fn peak_rss_kib(&self) -> Result<u64> {
        let pid = self.child.id().context("pid")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("VmHWM")
    }
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
            "{} not found: run `cargo build --release` first (make bench does)",
            path.display()
        );
    }
    Ok(path)
}

fn median<T: Ord + Copy>(values: &mut [T]) -> T {
    values.sort();
    values[values.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

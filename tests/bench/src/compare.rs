//! `make bench-compare`: the Rust and the Python server, measured by the same client code against
//! the same simulator, side by side with ratios next to the targets (reported, never asserted).

use std::time::Duration;

use looker_sim::Simulator;

use crate::http::HttpClient;
use crate::load::{self, LoadReport, MEMORY_BOUND_MIB};
use crate::measure::{Client, latency, standard_calls};
use crate::server::{HttpServer, ServerCmd};
use crate::stats::{Summary, median, mib, ms};
use crate::stdio::StdioClient;
use crate::{LOAD_CALLS, LOAD_CLIENTS, LOAD_TIME_LIMIT};

const ALL: [&str; 2] = ["--groups", "all"];

pub struct Options {
    /// Start → tools/list runs per server (after one unmeasured warm-up start).
    pub start_runs: usize,
    /// Sequential measured calls per tool and transport.
    pub calls: usize,
    pub warmup: usize,
    /// Load-test calls against the Python server (the Rust one always gets `LOAD_CALLS`);
    /// `--python-load-calls` scales it down (the Python server does about 100 calls/s here).
    pub python_load_calls: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            start_runs: 5,
            calls: 500,
            warmup: 20,
            python_load_calls: LOAD_CALLS,
        }
    }
}

type Measured<T> = Result<T, String>;

struct StartFigures {
    median: Duration,
    tools: usize,
    peak_rss_kib: u64,
}

struct Results {
    start: Measured<StartFigures>,
    stdio: Vec<(&'static str, Measured<Summary>)>,
    stdio_hwm_kib: Measured<u64>,
    http: Vec<(&'static str, Measured<Summary>)>,
    load: Measured<LoadReport>,
}

fn failed(e: anyhow::Error) -> String {
    format!("{e:#}")
}

async fn measure(cmd: &ServerCmd, options: &Options, load_calls: usize) -> Results {
    println!("\n== {} ({})", cmd.label, cmd.program.display());
    let start = async {
        // Unmeasured: fills the Rust compile cache / Python's bytecode cache.
        StdioClient::start_to_list(cmd, &ALL).await?;
        let (mut times, mut rss, mut tools) = (Vec::new(), Vec::new(), 0);
        for _ in 0..options.start_runs {
            let s = StdioClient::start_to_list(cmd, &ALL).await?;
            times.push(s.elapsed);
            rss.push(s.peak_rss_kib);
            tools = s.tools;
        }
        anyhow::Ok(StartFigures {
            median: median(&mut times),
            tools,
            peak_rss_kib: median(&mut rss),
        })
    }
    .await
    .map_err(failed);
    match &start {
        Ok(s) => println!(
            "start → tools/list, --groups all: median {:.1} ms of {} ({} tools), peak RSS {:.1} MiB",
            ms(s.median),
            options.start_runs,
            s.tools,
            mib(s.peak_rss_kib)
        ),
        Err(e) => println!("start → tools/list failed: {e}"),
    }

    let mut stdio = Vec::new();
    let mut stdio_hwm_kib = Err("not started".to_string());
    match StdioClient::spawn(cmd, &ALL).await {
        Ok(client) => {
            let mut client = Client::Stdio(Box::new(client));
            for (tool, args) in standard_calls() {
                let s = latency(&mut client, tool, &args, options.warmup, options.calls).await;
                report_calls("stdio", tool, &s);
                stdio.push((tool, s.map_err(failed)));
            }
            if let Client::Stdio(c) = &client {
                stdio_hwm_kib = c.rss_kib("VmHWM").map_err(failed);
            }
        }
        Err(e) => {
            let e = failed(e);
            println!("stdio session failed: {e}");
            stdio_hwm_kib = Err(e.clone());
            for (tool, _) in standard_calls() {
                stdio.push((tool, Err(e.clone())));
            }
        }
    }

    let mut http = Vec::new();
    let session = async {
        let server = HttpServer::start(cmd, &ALL).await?;
        let client = HttpClient::connect(&server.url).await?;
        anyhow::Ok((server, client))
    };
    match session.await {
        Ok((_server, client)) => {
            let mut client = Client::Http(client);
            for (tool, args) in standard_calls() {
                let s = latency(&mut client, tool, &args, options.warmup, options.calls).await;
                report_calls("streamable HTTP", tool, &s);
                http.push((tool, s.map_err(failed)));
            }
        }
        Err(e) => {
            let e = failed(e);
            println!("HTTP session failed: {e}");
            for (tool, _) in standard_calls() {
                http.push((tool, Err(e.clone())));
            }
        }
    }

    let load = async {
        let server = HttpServer::start(cmd, &ALL).await?;
        load::run(
            &server.url,
            server.pid()?,
            LOAD_CLIENTS,
            load_calls,
            LOAD_TIME_LIMIT,
        )
        .await
    }
    .await
    .map_err(failed);
    match &load {
        Ok(report) => report.print(&cmd.label),
        Err(e) => println!("load failed: {e}"),
    }
    Results {
        start,
        stdio,
        stdio_hwm_kib,
        http,
        load,
    }
}

fn report_calls(transport: &str, tool: &str, s: &anyhow::Result<Summary>) {
    match s {
        Ok(s) => println!(
            "call {tool} over {transport}, {} sequential calls: median {:.3} ms, p99 {:.3} ms, {:.0} calls/s",
            s.calls,
            ms(s.median),
            ms(s.p99),
            s.per_sec
        ),
        Err(e) => println!("call {tool} over {transport}: failed/skipped: {e:#}"),
    }
}

pub async fn run(
    sim: &Simulator,
    rust: &ServerCmd,
    python: &ServerCmd,
    options: &Options,
) -> anyhow::Result<()> {
    println!(
        "looker-mcp-server: Rust vs Python, one client implementation, simulator at {} (loopback, zero added latency)",
        sim.base_url()
    );
    println!(
        "per server: start → tools/list ×{} (after one warm-up start), {} sequential calls per tool and transport \
         (after {} warm-up calls), load of {LOAD_CLIENTS} sessions over streamable HTTP \
         (rust {LOAD_CALLS} calls, python {} calls, {} s limit each)",
        options.start_runs,
        options.calls,
        options.warmup,
        options.python_load_calls,
        LOAD_TIME_LIMIT.as_secs()
    );
    let r = measure(rust, options, LOAD_CALLS).await;
    let p = measure(python, options, options.python_load_calls).await;
    print_table(&r, &p);
    for server in [rust, python] {
        println!("\n== {}: large query results", server.label);
        if let Err(e) = crate::large::run(sim, server).await {
            println!("failed: {e:#}");
        }
    }
    Ok(())
}

enum Better {
    Lower,
    Higher,
    Neither,
}

enum Target {
    None,
    /// The ratio (how many times better Rust is) should be at least this.
    Ratio(f64),
    /// The Rust figure should be at most this.
    RustAtMost(f64, &'static str),
}

struct Row {
    label: String,
    unit: &'static str,
    decimals: usize,
    rust: Measured<f64>,
    python: Measured<f64>,
    better: Better,
    target: Target,
}

fn cell<T>(m: &Measured<T>, f: impl Fn(&T) -> f64) -> Measured<f64> {
    m.as_ref().map(f).map_err(Clone::clone)
}

fn print_table(r: &Results, p: &Results) {
    let mut rows = Vec::new();
    let row = |label: &str, unit, decimals, rust, python, better, target| Row {
        label: label.to_string(),
        unit,
        decimals,
        rust,
        python,
        better,
        target,
    };
    rows.push(row(
        "start → tools/list, all groups (median)",
        "ms",
        1,
        cell(&r.start, |s| ms(s.median)),
        cell(&p.start, |s| ms(s.median)),
        Better::Lower,
        Target::Ratio(50.0),
    ));
    rows.push(row(
        "tools listed",
        "",
        0,
        cell(&r.start, |s| s.tools as f64),
        cell(&p.start, |s| s.tools as f64),
        Better::Neither,
        Target::None,
    ));
    rows.push(row(
        "peak RSS after start (VmHWM)",
        "MiB",
        1,
        cell(&r.start, |s| mib(s.peak_rss_kib)),
        cell(&p.start, |s| mib(s.peak_rss_kib)),
        Better::Lower,
        Target::RustAtMost(40.0, "MiB"),
    ));
    rows.push(row(
        "peak RSS after stdio calls",
        "MiB",
        1,
        cell(&r.stdio_hwm_kib, |k| mib(*k)),
        cell(&p.stdio_hwm_kib, |k| mib(*k)),
        Better::Lower,
        Target::RustAtMost(40.0, "MiB"),
    ));
    for (transport, rs, ps) in [("stdio", &r.stdio, &p.stdio), ("http", &r.http, &p.http)] {
        for ((tool, rm), (_, pm)) in rs.iter().zip(ps.iter()) {
            rows.push(row(
                &format!("{transport} {tool} median"),
                "ms",
                3,
                cell(rm, |s| ms(s.median)),
                cell(pm, |s| ms(s.median)),
                Better::Lower,
                Target::Ratio(90.0),
            ));
            rows.push(row(
                &format!("{transport} {tool} p99"),
                "ms",
                3,
                cell(rm, |s| ms(s.p99)),
                cell(pm, |s| ms(s.p99)),
                Better::Lower,
                Target::None,
            ));
        }
    }
    rows.push(row(
        &format!("load calls/s ({LOAD_CLIENTS} sessions, http)"),
        "/s",
        0,
        cell(&r.load, LoadReport::per_sec),
        cell(&p.load, LoadReport::per_sec),
        Better::Higher,
        Target::Ratio(50.0),
    ));
    rows.push(row(
        "load p50",
        "ms",
        3,
        cell(&r.load, |l| ms(l.p50)),
        cell(&p.load, |l| ms(l.p50)),
        Better::Lower,
        Target::None,
    ));
    rows.push(row(
        "load p99",
        "ms",
        3,
        cell(&r.load, |l| ms(l.p99)),
        cell(&p.load, |l| ms(l.p99)),
        Better::Lower,
        Target::None,
    ));
    rows.push(row(
        "load calls made",
        "",
        0,
        cell(&r.load, |l| l.completed as f64),
        cell(&p.load, |l| l.completed as f64),
        Better::Neither,
        Target::None,
    ));
    rows.push(row(
        "load errors",
        "",
        0,
        cell(&r.load, |l| l.errors as f64),
        cell(&p.load, |l| l.errors as f64),
        Better::Neither,
        Target::None,
    ));
    rows.push(row(
        "load RSS growth",
        "MiB",
        1,
        cell(&r.load, LoadReport::growth_mib),
        cell(&p.load, LoadReport::growth_mib),
        Better::Neither,
        Target::RustAtMost(MEMORY_BOUND_MIB, "MiB growth"),
    ));
    rows.push(row(
        "load peak RSS (VmHWM)",
        "MiB",
        1,
        cell(&r.load, |l| mib(l.hwm_after_kib)),
        cell(&p.load, |l| mib(l.hwm_after_kib)),
        Better::Lower,
        Target::None,
    ));

    let fmt = |v: &Measured<f64>, unit: &str, decimals: usize| match v {
        Ok(v) => format!("{v:.decimals$} {unit}").trim_end().to_string(),
        Err(_) => "failed".to_string(),
    };
    println!(
        "\n{:<42} {:>14} {:>14} {:>9}  target",
        "metric", "rust", "python", "ratio"
    );
    println!("{}", "-".repeat(100));
    for row in &rows {
        let ratio = match (&row.rust, &row.python, &row.better) {
            (Ok(r), Ok(p), Better::Lower) if *r > 0.0 => Some(p / r),
            (Ok(r), Ok(p), Better::Higher) if *p > 0.0 => Some(r / p),
            _ => None,
        };
        let target = match (&row.target, ratio, &row.rust) {
            (Target::Ratio(t), Some(x), _) => {
                format!("≥ {t:.0}×: {}", if x >= *t { "met" } else { "missed" })
            }
            (Target::Ratio(t), None, _) => format!("≥ {t:.0}×: n/a"),
            (Target::RustAtMost(m, unit), _, Ok(r)) => format!(
                "rust ≤ {m:.0} {unit}: {}",
                if *r <= *m { "met" } else { "missed" }
            ),
            _ => String::new(),
        };
        println!(
            "{:<42} {:>14} {:>14} {:>9}  {target}",
            row.label,
            fmt(&row.rust, row.unit, row.decimals),
            fmt(&row.python, row.unit, row.decimals),
            ratio.map_or(String::new(), |x| format!("{x:.1}×")),
        );
    }
    println!(
        "ratio = how many times better Rust is: python/rust for times and memory, rust/python for calls/s"
    );
    let mut failures = Vec::new();
    for (label, res) in [("rust", r), ("python", p)] {
        if let Err(e) = &res.start {
            failures.push(format!("{label} start: {e}"));
        }
        for (transport, list) in [("stdio", &res.stdio), ("http", &res.http)] {
            for (tool, m) in list {
                if let Err(e) = m {
                    failures.push(format!("{label} {transport} {tool}: {e}"));
                }
            }
        }
        if let Err(e) = &res.load {
            failures.push(format!("{label} load: {e}"));
        }
        if let Ok(l) = &res.load
            && let Some(e) = &l.first_error
        {
            failures.push(format!("{label} load: {} errors, first: {e}", l.errors));
        }
    }
    if !failures.is_empty() {
        println!("\nfailed/skipped:");
        for f in failures {
            println!("  {f}");
        }
    }
}

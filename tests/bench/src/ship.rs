//! Shipping figures: the first-ever start (empty compile cache, the embedded groups' code
//! compiled at build time) against a warm start; what the precompiled code adds to the binary;
//! and the per-call cost of telemetry (OTLP traces and metrics on vs off).

use std::path::Path;

use anyhow::Result;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

use crate::measure::{Client, latency};
use crate::server::ServerCmd;
use crate::stats::{median, ms};
use crate::stdio::StdioClient;

const RUNS: usize = 7;
const CALLS: usize = 2000;
const WARMUP: usize = 50;

pub async fn run(rust: &ServerCmd, scratch: &Path) -> Result<()> {
    println!("\nshipping:");
    for (label, args) in [
        ("default groups", &[][..]),
        ("--groups all", &["--groups", "all"][..]),
    ] {
        let (mut first, mut warm) = (Vec::new(), Vec::new());
        for run in 0..RUNS {
            let cache = scratch.join(format!("fresh-cache-{run}-{}", args.len()));
            let fresh = with_env(rust, "LOOKER_CACHE_DIR", &cache.display().to_string());
            first.push(StdioClient::start_to_list(&fresh, args).await?.elapsed);
            warm.push(StdioClient::start_to_list(&fresh, args).await?.elapsed);
        }
        let (first, warm) = (median(&mut first), median(&mut warm));
        println!(
            "  first-ever start (empty cache) → tools/list, {label}: median {:.1} ms; warm {:.1} ms ({:.2}x warm)",
            ms(first),
            ms(warm),
            first.as_secs_f64() / warm.as_secs_f64()
        );
    }
    binary_size(&rust.program)?;
    telemetry_overhead(rust).await
}

fn with_env(cmd: &ServerCmd, key: &str, value: &str) -> ServerCmd {
    let mut cmd = cmd.clone();
    cmd.env.retain(|(k, _)| k != key);
    cmd.env.push((key.into(), value.into()));
    cmd
}

/// The binary's size, and the share of the build-time compiled code (the `.cwasm` files the
/// build script wrote beside the binary's build, embedded with `include_bytes!`).
fn binary_size(program: &Path) -> Result<()> {
    let total = std::fs::metadata(program)?.len();
    let build = program.parent().map(|dir| dir.join("build"));
    let mut newest: Option<(std::time::SystemTime, u64)> = None;
    for entry in std::fs::read_dir(build.as_deref().unwrap_or(Path::new(".")))?.flatten() {
        let out = entry.path().join("out");
        if !entry
            .file_name()
            .to_string_lossy()
            .starts_with("looker-mcp-")
            || !out.is_dir()
        {
            continue;
        }
        let mut size = 0;
        let mut modified = std::time::SystemTime::UNIX_EPOCH;
        for file in std::fs::read_dir(&out)?.flatten() {
            if file.path().extension().is_some_and(|e| e == "cwasm") {
                let meta = file.metadata()?;
                size += meta.len();
                modified = modified.max(meta.modified()?);
            }
        }
        if size > 0 && newest.is_none_or(|(m, _)| modified > m) {
            newest = Some((modified, size));
        }
    }
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    match newest {
        Some((_, code)) => println!(
            "  binary: {:.1} MiB with the embedded precompiled code ({:.1} MiB of it), {:.1} MiB without",
            mib(total),
            mib(code),
            mib(total - code)
        ),
        None => println!(
            "  binary: {:.1} MiB (no precompiled code found)",
            mib(total)
        ),
    }
    Ok(())
}

/// `whoami` over stdio with telemetry off, then with OTLP traces (to a local sink that accepts
/// everything) and metrics on.
async fn telemetry_overhead(rust: &ServerCmd) -> Result<()> {
    let sink = otlp_sink().await?;
    let on = with_env(
        &with_env(rust, "OTEL_EXPORTER_OTLP_ENDPOINT", &sink),
        "LOOKER_METRICS",
        "true",
    );
    let mut medians = Vec::new();
    for (label, cmd) in [("off", rust), ("on", &on)] {
        let mut client = Client::Stdio(Box::new(StdioClient::spawn(cmd, &[]).await?));
        let s = latency(&mut client, "whoami", &json!({}), WARMUP, CALLS).await?;
        println!(
            "  whoami over stdio, telemetry {label}: median {:.3} ms, p99 {:.3} ms",
            ms(s.median),
            ms(s.p99)
        );
        medians.push(s.median);
    }
    println!(
        "  telemetry per-call overhead: {:+.3} ms ({:.2}x)",
        ms(medians[1]) - ms(medians[0]),
        medians[1].as_secs_f64() / medians[0].as_secs_f64()
    );
    Ok(())
}

/// An OTLP/HTTP endpoint on loopback that reads each request and answers 200; its base URL.
async fn otlp_sink() -> Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut stream = BufReader::new(stream);
                loop {
                    let mut length = 0usize;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let header = line.trim_end().to_ascii_lowercase();
                        if header.is_empty() {
                            break;
                        }
                        if let Some(value) = header.strip_prefix("content-length:") {
                            length = value.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; length];
                    if stream.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
                    if stream.get_mut().write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok(url)
}

//! MCP resources and completions on big LookML: the simulator gains 50 models of one explore
//! of 2,000 fields each; then, over stdio, the size of the whole `resources/list` (every page)
//! and the latency of `completion/complete` for field names (p50/p99), warm (the explore's
//! fields cached for the caller) and cold (the first completion on each explore).

use std::time::{Duration, Instant};

use anyhow::Result;
use looker_sim::{SimConfig, Simulator};
use serde_json::{Value, json};

use crate::server::ServerCmd;
use crate::stats::{ms, percentile};
use crate::stdio::StdioClient;

const MODELS: usize = 50;
const FIELDS: usize = 2_000;
/// Measured warm completions.
const CALLS: usize = 1_000;

/// `--semantic`: a simulator of its own, then [`run`].
pub async fn standalone() -> Result<()> {
    let bin = crate::server_binary()?;
    let sim = Simulator::start(SimConfig::default()).await?;
    let scratch = std::env::temp_dir().join(format!("looker-mcp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let rust = ServerCmd::new("rust", &bin, &sim, &scratch);
    println!("binary: {}", rust.program.display());
    let result = run(&sim, &rust).await;
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// Measures `cmd`; leaves the simulator with the wide models added.
pub async fn run(sim: &Simulator, cmd: &ServerCmd) -> Result<()> {
    sim.add_wide_models(MODELS, FIELDS);
    let mut client = StdioClient::spawn(cmd, &["--groups", "explore,query"]).await?;

    let (mut bytes, mut resources, mut pages, mut cursor) = (0, 0, 0, Value::Null);
    loop {
        let params = if cursor.is_null() {
            json!({})
        } else {
            json!({"cursor": cursor})
        };
        let answer = client.request("resources/list", params).await?;
        bytes += answer["result"].to_string().len();
        resources += answer["result"]["resources"].as_array().map_or(0, Vec::len);
        pages += 1;
        cursor = answer["result"]["nextCursor"].clone();
        if cursor.is_null() {
            break;
        }
    }
    println!(
        "\nresources/list with {MODELS} added models ({} in all): {resources} resources in {pages} pages, {:.1} KiB of JSON",
        MODELS + 2,
        bytes as f64 / 1024.0
    );

    let complete = |model: String, typed: &str| {
        json!({
            "ref": {"type": "ref/prompt", "name": "answer_question"},
            "argument": {"name": "field", "value": typed},
            "context": {"arguments": {"model": model, "explore": "wide"}},
        })
    };
    let mut cold = Vec::new();
    for m in 0..MODELS {
        let started = Instant::now();
        client
            .request(
                "completion/complete",
                complete(format!("wide_{m}"), "field_1"),
            )
            .await?;
        cold.push(started.elapsed());
    }
    let mut warm = Vec::new();
    let mut values = 0;
    for i in 0..CALLS {
        let typed = format!("field_{}", i % 20);
        let started = Instant::now();
        let answer = client
            .request(
                "completion/complete",
                complete(format!("wide_{}", i % MODELS), &typed),
            )
            .await?;
        warm.push(started.elapsed());
        values = answer["result"]["completion"]["values"]
            .as_array()
            .map_or(0, Vec::len);
    }
    let line = |label: &str, samples: &mut Vec<Duration>| {
        samples.sort();
        println!(
            "completion/complete, field names of a {FIELDS}-field explore, {label}: p50 {:.3} ms, p99 {:.3} ms ({} calls)",
            ms(percentile(samples, 50)),
            ms(percentile(samples, 99)),
            samples.len()
        );
    };
    line(
        "cold (first on each explore, reads it from Looker)",
        &mut cold,
    );
    line("warm (cached per caller)", &mut warm);
    println!("  (each answer: at most 100 values; the last one had {values})");
    Ok(())
}

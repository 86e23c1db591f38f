//! Tokens an assistant pays before its first call: the `tools/list` answer for the default
//! groups, `--groups all` and the progressive tool mode, and the `initialize` instructions.
//!
//! Counted with `tiktoken-rs`'s `o200k_base` (the GPT-4o/o-series encoding): a real BPE
//! tokenizer whose vocabulary ships inside the crate, so the count runs offline, and the
//! encoding closest to what current assistants use. Claude's tokenizer is not published;
//! o200k_base counts are a fair common yardstick for comparing two servers.
//!
//! The Python server 0.25.0 is counted from its recorded tool list
//! (`../shared/reference/seed-tools-0.25.0.json`, or `LOOKER_MCP_SEED_TOOLS`), which has
//! names and input schemas but no descriptions; ours is counted the same way next to it
//! ("names + schemas") as well as whole.

use std::path::PathBuf;

use anyhow::{Context, Result};
use serde_json::{Map, Value, json};

use crate::server::ServerCmd;
use crate::stdio::StdioClient;

/// The modes measured: label and arguments.
const MODES: [(&str, &[&str]); 3] = [
    ("default groups", &[]),
    ("--groups all", &["--groups", "all"]),
    (
        "--groups all --tool-mode progressive",
        &["--groups", "all", "--tool-mode", "progressive"],
    ),
];

/// Prints the token figures for `rust`.
pub async fn report(rust: &ServerCmd) -> Result<()> {
    let bpe = tiktoken_rs::o200k_base().context("the o200k_base tokenizer")?;
    let tokens = |value: &Value| bpe.encode_with_special_tokens(&value.to_string()).len();
    println!("\ntokens (o200k_base) of what a client loads up front:");
    for (label, args) in MODES {
        let mut client = StdioClient::spawn(rust, args).await?;
        let list = client.request("tools/list", json!({})).await?;
        let result = &list["result"];
        let tools = result["tools"].as_array().map_or(0, Vec::len);
        println!(
            "  tools/list, {label} ({tools} tools): {} tokens, {} characters; names + schemas without descriptions: {} tokens",
            tokens(result),
            result.to_string().chars().count(),
            tokens(&names_and_schemas(
                result["tools"].as_array().into_iter().flatten()
            )),
        );
        if args.is_empty() {
            let instructions = &client.initialize["result"]["instructions"];
            let text = instructions.as_str().unwrap_or_default();
            println!(
                "  initialize instructions, {label}: {} tokens, {} characters",
                bpe.encode_with_special_tokens(text).len(),
                text.chars().count()
            );
        }
    }
    let seed = std::env::var_os("LOOKER_MCP_SEED_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/reference/seed-tools-0.25.0.json")
        });
    let Ok(text) = std::fs::read_to_string(&seed) else {
        println!(
            "  (Python 0.25.0 figures skipped: {} not found)",
            seed.display()
        );
        return Ok(());
    };
    let seed: Value = serde_json::from_str(&text).context("the seed tool list")?;
    let defaults: Vec<&str> = seed["default_groups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let all: Vec<Value> = seed["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| json!({"name": t["name"], "inputSchema": t["input_schema"], "group": t["group"]}))
        .collect();
    let default: Vec<&Value> = all
        .iter()
        .filter(|t| defaults.contains(&t["group"].as_str().unwrap_or_default()))
        .collect();
    for (label, tools) in [
        ("default groups", default),
        ("--groups all", all.iter().collect()),
    ] {
        println!(
            "  Python 0.25.0 tools/list, {label} ({} tools), names + schemas without descriptions: {} tokens",
            tools.len(),
            tokens(&names_and_schemas(tools))
        );
    }
    Ok(())
}

/// A `tools/list` result of just each tool's name and input schema, without descriptions.
fn names_and_schemas<'a>(tools: impl IntoIterator<Item = &'a Value>) -> Value {
    let tools: Vec<Value> = tools
        .into_iter()
        .map(|t| json!({"name": t["name"], "inputSchema": without_descriptions(&t["inputSchema"])}))
        .collect();
    json!({ "tools": tools })
}

/// `schema` without `description` keywords (a property *named* `description` stays).
fn without_descriptions(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "description" if value.is_string() => {}
                    "properties" => {
                        let properties = value.as_object().map(|p| {
                            p.iter()
                                .map(|(name, s)| (name.clone(), without_descriptions(s)))
                                .collect::<Map<_, _>>()
                        });
                        out.insert(key.clone(), properties.map_or(Value::Null, Value::Object));
                    }
                    _ => {
                        out.insert(key.clone(), without_descriptions(value));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(without_descriptions).collect()),
        other => other.clone(),
    }
}

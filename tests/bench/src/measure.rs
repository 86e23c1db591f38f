//! Sequential per-call latency, the same for either transport.

use std::time::Instant;

use anyhow::Result;
use serde_json::{Value, json};

use crate::http::HttpClient;
use crate::stats::Summary;
use crate::stdio::StdioClient;

pub enum Client {
    Stdio(Box<StdioClient>),
    Http(HttpClient),
}

impl Client {
    pub async fn call(&mut self, tool: &str, arguments: Value) -> Result<()> {
        match self {
            Client::Stdio(c) => c.call(tool, arguments).await,
            Client::Http(c) => c.call(tool, arguments).await,
        }
    }
}

/// The tool calls every server is measured with: `(tool, arguments)`.
pub fn standard_calls() -> Vec<(&'static str, Value)> {
    vec![
        ("whoami", json!({})),
        ("list_models", json!({})),
        (
            "query",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.status", "orders.count"], "limit": 10}),
        ),
    ]
}

/// `warmup` unmeasured calls, then `calls` sequential measured ones.
pub async fn latency(
    client: &mut Client,
    tool: &str,
    args: &Value,
    warmup: usize,
    calls: usize,
) -> Result<Summary> {
    for _ in 0..warmup {
        client.call(tool, args.clone()).await?;
    }
    let mut lat = Vec::with_capacity(calls);
    let started = Instant::now();
    for _ in 0..calls {
        let t = Instant::now();
        client.call(tool, args.clone()).await?;
        lat.push(t.elapsed());
    }
    Ok(Summary::of(&mut lat, started.elapsed()))
}

//! Code mode (the `api` group): search latency over the whole spec, the cost of starting the
//! JavaScript engine, a 10-request script against 10 separate tool calls, and the tokens of a
//! three-step task done with named tools (three calls) or with one script.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::server::ServerCmd;
use crate::stats::{Summary, ms};
use crate::stdio::{StdioClient, check_call};

/// Searches spread over the spec; each is run in turn.
const QUERIES: &[&str] = &[
    "dashboard by id",
    "list explores of a model",
    "run inline query",
    "schedule a look",
    "user roles",
    "folder children",
    "git branch",
    "connection test",
];
const SEARCH_CALLS: usize = 400;
const SCRIPT_CALLS: usize = 50;
const WARMUP: usize = 10;
/// Looker requests of the "N calls" comparison.
const REQUESTS: usize = 10;

/// Prints the code-mode figures for `rust`.
pub async fn run(rust: &ServerCmd) -> Result<()> {
    println!("\ncode mode (--groups api,explore,query):");
    let mut client = StdioClient::spawn(rust, &["--groups", "api,explore,query"]).await?;

    let search = repeat(&mut client, SEARCH_CALLS, |i| {
        (
            "search_looker_api",
            json!({"query": QUERIES[i % QUERIES.len()]}),
        )
    })
    .await?;
    println!(
        "  search_looker_api over ~480 operations, {SEARCH_CALLS} calls: p50 {:.3} ms, p99 {:.3} ms",
        ms(search.median),
        ms(search.p99)
    );
    let describe = repeat(&mut client, SCRIPT_CALLS, |_| {
        ("describe_looker_api", json!({"operation": "create_query"}))
    })
    .await?;
    let trivial = repeat(&mut client, SCRIPT_CALLS, |_| {
        ("run_looker_script", json!({"code": "1 + 1"}))
    })
    .await?;
    println!(
        "  script start-up (run_looker_script `1 + 1`: the api component instantiated and a JS engine created per call, no Looker request): median {:.3} ms; describe_looker_api (no engine, reads the embedded spec index): {:.3} ms",
        ms(trivial.median),
        ms(describe.median),
    );

    let code = format!(
        "const ids = []; for (let i = 0; i < {REQUESTS}; i++) {{ ids.push(looker.get('/user', {{fields: 'id'}}).id) }} ids.length"
    );
    let script = repeat(&mut client, SCRIPT_CALLS, |_| {
        ("run_looker_script", json!({"code": code}))
    })
    .await?;
    let mut separate = Vec::new();
    for _ in 0..SCRIPT_CALLS {
        let started = Instant::now();
        for _ in 0..REQUESTS {
            client
                .call(
                    "call_looker_api",
                    json!({"operation": "me", "query": {"fields": "id"}}),
                )
                .await?;
        }
        separate.push(started.elapsed());
    }
    let separate = Summary::of(&mut separate, Duration::ZERO);
    println!(
        "  {REQUESTS} Looker requests: one script median {:.3} ms vs {REQUESTS} call_looker_api calls median {:.3} ms ({:.2}x)",
        ms(script.median),
        ms(separate.median),
        separate.median.as_secs_f64() / script.median.as_secs_f64()
    );

    tokens(&mut client).await
}

/// Tokens (o200k_base) of a three-step task: the list of models, one explore's fields, then a
/// query — as three named tool calls, and as one script returning only what is needed.
async fn tokens(client: &mut StdioClient) -> Result<()> {
    let bpe = tiktoken_rs::o200k_base().context("the o200k_base tokenizer")?;
    let count = |v: &Value| bpe.encode_with_special_tokens(&v.to_string()).len();
    let named = [
        ("list_models", json!({})),
        (
            "get_explore",
            json!({"model_name": "ecommerce", "explore_name": "orders"}),
        ),
        (
            "query",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.status", "orders.count"], "limit": 10}),
        ),
    ];
    let mut named_tokens = 0;
    for (tool, args) in named {
        let call = json!({"name": tool, "arguments": args});
        let answer = client.request("tools/call", call.clone()).await?;
        check_call(tool, &answer)?;
        named_tokens += count(&call) + count(&answer["result"]);
    }
    let code = r#"
const models = looker.get('/lookml_models', {fields: 'name'}).map(m => m.name);
const explore = looker.get('/lookml_models/ecommerce/explores/orders', {fields: 'fields'});
const measures = explore.fields.measures.map(f => f.name);
const rows = looker.request('POST', '/queries/run/json', {query: {limit: 10},
  body: {model: 'ecommerce', view: 'orders', fields: ['orders.status', 'orders.count'], limit: '10'}});
return {models, measures, rows};"#;
    let call = json!({"name": "run_looker_script", "arguments": {"code": code}});
    let answer = client.request("tools/call", call.clone()).await?;
    check_call("run_looker_script", &answer)?;
    let script_tokens = count(&call) + count(&answer["result"]);
    println!(
        "  tokens of a three-step task (models → explore fields → query), calls and answers: three named tool calls {named_tokens}, one script {script_tokens} ({:.2}x)",
        named_tokens as f64 / script_tokens as f64
    );
    Ok(())
}

/// `WARMUP` then `calls` sequential calls of `call(i)`.
async fn repeat(
    client: &mut StdioClient,
    calls: usize,
    call: impl Fn(usize) -> (&'static str, Value),
) -> Result<Summary> {
    for i in 0..WARMUP {
        let (tool, args) = call(i);
        client.call(tool, args).await?;
    }
    let mut latencies = Vec::with_capacity(calls);
    for i in 0..calls {
        let (tool, args) = call(i);
        let started = Instant::now();
        client.call(tool, args).await?;
        latencies.push(started.elapsed());
    }
    Ok(Summary::of(&mut latencies, Duration::from_nanos(1)))
}

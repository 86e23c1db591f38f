//! `query`, `query_sql`, `query_url`, `run_query` and `run_look`.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{Context, Output, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::results::{self, Format, RunOptions, Target};
use looker_mcp_plugin_sdk::queries::{QueryOptions, QuerySpec};
use looker_mcp_plugin_sdk::session::SessionArgs;

fn default_limit() -> i64 {
    500
}

fn default_format() -> String {
    "json".to_owned()
}

fn yes() -> bool {
    true
}

/// Arguments of `query`.
#[derive(Debug, Deserialize)]
pub struct QueryArgs {
    #[serde(flatten)]
    spec: QuerySpec,
    #[serde(flatten)]
    options: QueryOptions,
    #[serde(default = "default_limit")]
    limit: i64,
    #[serde(default = "default_format")]
    result_format: String,
    #[serde(flatten)]
    session: SessionArgs,
}

/// Arguments of `query_sql`.
#[derive(Debug, Deserialize)]
pub struct QuerySqlArgs {
    #[serde(flatten)]
    spec: QuerySpec,
    #[serde(flatten)]
    options: QueryOptions,
    #[serde(default = "default_limit")]
    limit: i64,
    #[serde(flatten)]
    session: SessionArgs,
}

/// Arguments of `query_url`.
#[derive(Debug, Deserialize)]
pub struct QueryUrlArgs {
    #[serde(flatten)]
    spec: QuerySpec,
    #[serde(flatten)]
    options: QueryOptions,
    #[serde(flatten)]
    session: SessionArgs,
}

/// Arguments of `run_query`.
#[derive(Debug, Deserialize)]
pub struct RunQueryArgs {
    query_id: String,
    #[serde(default = "default_format")]
    result_format: String,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    apply_formatting: bool,
    #[serde(default)]
    apply_vis: bool,
    #[serde(default)]
    server_table_calcs: bool,
    #[serde(default = "yes")]
    cache: bool,
    #[serde(flatten)]
    session: SessionArgs,
}

/// Arguments of `run_look`.
#[derive(Debug, Deserialize)]
pub struct RunLookArgs {
    look_id: String,
    #[serde(default = "default_format")]
    result_format: String,
    #[serde(default = "default_limit")]
    limit: i64,
    #[serde(flatten)]
    session: SessionArgs,
}

/// Creates the query (`POST /queries`) and returns what Looker stored, restricted to `fields`.
pub(crate) fn create_query(
    body: &Value,
    dev_mode: bool,
    fields: &[&str],
) -> Result<Value, ToolError> {
    Request::post("/queries")
        .fields(fields)
        .body(body)
        .dev_mode(dev_mode)
        .send()?
        .json()
}

pub(crate) fn id_of(value: &Value, what: &str) -> Result<String, ToolError> {
    match &value["id"] {
        Value::String(s) if !s.is_empty() => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(ToolError::internal(format!(
            "Looker returned a {what} without an id"
        ))),
    }
}

/// The `Query` body: the query description and the options given, checked.
pub(crate) fn query_body(
    spec: &QuerySpec,
    options: &QueryOptions,
    limit: Option<i64>,
) -> Result<Value, ToolError> {
    let mut body = spec.body(limit)?;
    options.apply(&mut body)?;
    Ok(body)
}

/// The columns in the caller's order: `fields`, then the fields `dynamic_fields` adds.
fn column_order(spec: &QuerySpec, body: &Value) -> Vec<String> {
    let mut order = spec.fields.clone();
    if let Some(text) = body["dynamic_fields"].as_str()
        && let Ok(Value::Array(entries)) = serde_json::from_str::<Value>(text)
    {
        order.extend(entries.iter().filter_map(|e| {
            ["table_calculation", "measure", "dimension"]
                .iter()
                .find_map(|k| e[*k].as_str().map(str::to_owned))
        }));
    }
    order
}

/// `POST /queries` then `GET /queries/{id}/run/{format}`.
pub fn query(args: QueryArgs, ctx: &Context) -> Result<Output, ToolError> {
    let format = Format::parse(&args.result_format)?;
    let body = query_body(&args.spec, &args.options, Some(args.limit))?;
    let dev_mode = args.session.apply()?;
    let created = create_query(&body, dev_mode, &["id"])?;
    let id = id_of(&created, "query")?;
    let options = RunOptions {
        limit: Some(args.limit),
        dev_mode,
        field_order: column_order(&args.spec, &body),
        extra: Map::from_iter([("query_id".to_owned(), Value::String(id.clone()))]),
        budget: ctx.max_result_chars(),
        ..RunOptions::default()
    };
    results::run(&Target::Query(id), format, options, ctx.max_rows())
}

/// `POST /queries` then `GET /queries/{id}/run/sql`.
pub fn query_sql(args: QuerySqlArgs, _ctx: &Context) -> Result<Output, ToolError> {
    let body = query_body(&args.spec, &args.options, Some(args.limit))?;
    let dev_mode = args.session.apply()?;
    let created = create_query(&body, dev_mode, &["id"])?;
    let id = id_of(&created, "query")?;
    let sql = Request::get(path!("/queries/{}/run/sql", id))
        .dev_mode(dev_mode)
        .send()?
        .text();
    Ok(Output::text(sql))
}

/// `POST /queries` → the Explore URLs of the query.
pub fn query_url(args: QueryUrlArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let body = query_body(&args.spec, &args.options, None)?;
    let dev_mode = args.session.apply()?;
    let created = create_query(
        &body,
        dev_mode,
        &["id", "slug", "share_url", "expanded_share_url", "url"],
    )?;
    let id = id_of(&created, "query")?;
    Ok(json!({
        "query_id": id,
        "slug": created["slug"],
        "share_url": created["share_url"],
        "expanded_share_url": created["expanded_share_url"],
        "explore_path": created["url"],
        "dev_mode": dev_mode,
    }))
}

/// `GET /queries/{id}` (for its limit, when none is given) then `GET /queries/{id}/run/{format}`.
pub fn run_query(args: RunQueryArgs, ctx: &Context) -> Result<Output, ToolError> {
    let format = Format::parse(&args.result_format)?;
    let dev_mode = args.session.apply()?;
    let (limit, order) = match args.limit {
        Some(limit) => (Some(limit), Vec::new()),
        None => {
            let saved: Value = Request::get(path!("/queries/{}", args.query_id))
                .fields(&["id", "limit", "fields"])
                .dev_mode(dev_mode)
                .send()?
                .json()?;
            let limit = match &saved["limit"] {
                Value::String(s) => s.trim().parse().ok(),
                Value::Number(n) => n.as_i64(),
                _ => None,
            };
            let order = saved["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect();
            (limit, order)
        }
    };
    let options = RunOptions {
        limit,
        dev_mode,
        field_order: order,
        params: vec![
            ("apply_formatting", args.apply_formatting.to_string()),
            ("apply_vis", args.apply_vis.to_string()),
            ("server_table_calcs", args.server_table_calcs.to_string()),
            ("cache", args.cache.to_string()),
        ],
        extra: Map::from_iter([("query_id".to_owned(), Value::String(args.query_id.clone()))]),
        budget: ctx.max_result_chars(),
    };
    results::run(
        &Target::Query(args.query_id),
        format,
        options,
        ctx.max_rows(),
    )
}

/// `GET /looks/{id}/run/{format}`.
pub fn run_look(args: RunLookArgs, ctx: &Context) -> Result<Output, ToolError> {
    let format = Format::parse(&args.result_format)?;
    let dev_mode = args.session.apply()?;
    let options = RunOptions {
        limit: Some(args.limit),
        dev_mode,
        extra: Map::from_iter([("look_id".to_owned(), Value::String(args.look_id.clone()))]),
        budget: ctx.max_result_chars(),
        ..RunOptions::default()
    };
    results::run(&Target::Look(args.look_id), format, options, ctx.max_rows())
}

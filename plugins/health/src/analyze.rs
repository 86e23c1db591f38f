//! `health_analyze`: how models and content are used.

use std::collections::BTreeMap;

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::activity::{Activity, MODEL, USAGE_WINDOW, count, number, seconds};

/// `health_analyze`, declared beside its handler.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [Tool::reader(
        "health_analyze",
        "Analyze model or content usage",
        HEALTH_ANALYZE,
    )
    .schema(schema::object().with_default(
        "analysis_type",
        Ty::Enum(&["models", "content"]),
        DEFAULT_ANALYSIS,
        "`models`: each model's explores with their query counts over 90 days (the default). \
         `content`: the most viewed Looks and dashboards, the dashboards running the most \
         queries, and queries by source.",
    ))
    .handler(health_analyze)]
}

const HEALTH_ANALYZE: &str = "\
Summarizes how the instance is used, from Looker's `system__activity` usage data over 90 days. \
`models` (default): every model's explores, busiest first, with query counts, average runtime \
and how many explores nobody used. `content`: the ten most viewed Looks and dashboards, the \
dashboards that run the most queries, and queries by source (dashboard, look, explore, API, \
schedule). Use it to see what matters before a cleanup or a change. Example: \
{\"analysis_type\": \"content\"}.";

/// What `health_analyze` analyzes unless told otherwise.
const DEFAULT_ANALYSIS: &str = "models";

/// `health_analyze` arguments.
#[derive(Deserialize)]
pub struct AnalyzeArgs {
    #[serde(default = "default_analysis")]
    analysis_type: String,
}

fn default_analysis() -> String {
    DEFAULT_ANALYSIS.to_owned()
}

/// How many of the most viewed Looks and dashboards the content summary lists.
const TOP: u32 = 10;

pub fn health_analyze(args: AnalyzeArgs, _ctx: &Context) -> Result<Value, ToolError> {
    match args.analysis_type.as_str() {
        "models" => models(),
        "content" => content(),
        other => Err(ToolError::invalid_arguments(format!(
            "`analysis_type` must be `models` or `content`, not `{other}`"
        ))),
    }
}

/// `(query runs, average runtime in seconds)` per `(model, explore)`.
pub type ExploreUsage = BTreeMap<(String, String), (u64, f64)>;

/// Query runs and average runtime per `(model, explore)` over the usage window, from
/// `system__activity` (production queries only).
pub fn explore_usage() -> Result<ExploreUsage, ToolError> {
    let rows = Activity::new(
        "history",
        &[
            "query.model",
            "query.view",
            "history.query_run_count",
            "history.average_runtime",
        ],
        5000,
    )
    .filter("history.created_date", USAGE_WINDOW)
    .filter("history.workspace_id", "production")
    .rows()?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let key = (
                r["query.model"].as_str()?.to_owned(),
                r["query.view"].as_str()?.to_owned(),
            );
            Some((
                key,
                (
                    count(r, "history.query_run_count"),
                    number(r, "history.average_runtime"),
                ),
            ))
        })
        .collect())
}

/// The LookML models with their explores (`GET /lookml_models`), Looker's own left out.
pub fn lookml_models() -> Result<Vec<Value>, ToolError> {
    let models: Value = Request::get("/lookml_models")
        .fields(&[
            "name",
            "project_name",
            "has_content",
            "explores(name,hidden)",
        ])
        .send()?
        .json()?;
    Ok(models
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["name"] != MODEL)
        .cloned()
        .collect())
}

/// Each model's explores with their query runs over the last 90 days, busiest first.
fn models() -> Result<Value, ToolError> {
    let models = lookml_models()?;
    let usage = explore_usage()?;
    let mut out: Vec<Value> = models
        .iter()
        .map(|m| {
            let name = m["name"].as_str().unwrap_or_default();
            let mut explores: Vec<Value> = m["explores"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| {
                    let explore = e["name"].as_str().unwrap_or_default();
                    let (runs, avg) = usage
                        .get(&(name.to_owned(), explore.to_owned()))
                        .copied()
                        .unwrap_or((0, 0.0));
                    json!({
                        "name": explore, "hidden": e["hidden"].as_bool().unwrap_or(false),
                        "queries_last_90_days": runs,
                        "average_runtime_seconds": if runs > 0 { json!(seconds(avg)) } else { Value::Null },
                    })
                })
                .collect();
            explores.sort_by_key(|e| std::cmp::Reverse(e["queries_last_90_days"].as_u64()));
            let runs: u64 = explores
                .iter()
                .filter_map(|e| e["queries_last_90_days"].as_u64())
                .sum();
            let unused = explores
                .iter()
                .filter(|e| e["queries_last_90_days"] == 0)
                .count();
            json!({
                "model": name, "project": m["project_name"], "has_content": m["has_content"],
                "explore_count": explores.len(), "unused_explore_count": unused,
                "queries_last_90_days": runs, "explores": explores,
            })
        })
        .collect();
    out.sort_by_key(|m| std::cmp::Reverse(m["queries_last_90_days"].as_u64()));
    Ok(json!({
        "analysis": "models",
        "window": USAGE_WINDOW,
        "model_count": out.len(),
        "models": out,
    }))
}

/// The most viewed Looks and dashboards, and where queries come from.
fn content() -> Result<Value, ToolError> {
    let top = |path: &'static str| -> Result<Vec<Value>, ToolError> {
        let found: Value = Request::get(path)
            .query("sorts", "view_count desc")
            .query("limit", TOP)
            .fields(&[
                "id",
                "title",
                "view_count",
                "favorite_count",
                "last_viewed_at",
                "folder(name)",
            ])
            .send()?
            .json()?;
        Ok(found
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                json!({
                    "id": c["id"], "title": c["title"], "folder": c["folder"]["name"],
                    "view_count": c["view_count"].as_u64().unwrap_or(0),
                    "favorite_count": c["favorite_count"].as_u64().unwrap_or(0),
                    "last_viewed_at": c["last_viewed_at"],
                })
            })
            .collect())
    };
    let top_looks = top("/looks/search")?;
    let top_dashboards = top("/dashboards/search")?;
    let by_source: Vec<Value> = Activity::new(
        "history",
        &[
            "history.source",
            "history.query_run_count",
            "history.average_runtime",
        ],
        50,
    )
    .filter("history.created_date", USAGE_WINDOW)
    .sort_desc("history.query_run_count")
    .rows()?
    .iter()
    .map(|r| {
        json!({
            "source": r["history.source"],
            "queries": count(r, "history.query_run_count"),
            "average_runtime_seconds": seconds(number(r, "history.average_runtime")),
        })
    })
    .collect();
    let busiest_dashboards: Vec<Value> = Activity::new(
        "history",
        &["dashboard.id", "dashboard.title", "history.query_run_count"],
        TOP,
    )
    .filter("history.created_date", USAGE_WINDOW)
    .filter("dashboard.id", "-NULL")
    .sort_desc("history.query_run_count")
    .rows()?
    .iter()
    .map(|r| {
        json!({"id": r["dashboard.id"], "title": r["dashboard.title"],
               "queries": count(r, "history.query_run_count")})
    })
    .collect();
    Ok(json!({
        "analysis": "content",
        "window": USAGE_WINDOW,
        "top_looks_by_views": top_looks,
        "top_dashboards_by_views": top_dashboards,
        "dashboards_by_queries": busiest_dashboards,
        "queries_by_source": by_source,
    }))
}

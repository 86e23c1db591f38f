//! Datagroups (caching and PDT triggers) and persistent derived table builds and graphs.

use looker_mcp_plugin_sdk::looker::{self, Request};
use looker_mcp_plugin_sdk::{Context, NoArgs, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::common::{now_epoch, without_can};

/// Arguments naming one datagroup.
#[derive(Debug, Deserialize)]
pub struct DatagroupArgs {
    datagroup_id: String,
}

fn production() -> String {
    "production".to_owned()
}

fn dot() -> String {
    "dot".to_owned()
}

/// Arguments of `start_pdt_build`.
#[derive(Debug, Deserialize)]
pub struct StartBuild {
    model_name: String,
    view_name: String,
    #[serde(default)]
    force_rebuild: bool,
    #[serde(default)]
    force_full_incremental: bool,
    #[serde(default = "production")]
    workspace: String,
    #[serde(default)]
    source: Option<String>,
}

/// Arguments of `check_pdt_build`.
#[derive(Debug, Deserialize)]
pub struct CheckBuild {
    materialization_id: String,
}

/// Arguments of `stop_pdt_build`.
#[derive(Debug, Deserialize)]
pub struct StopBuild {
    materialization_id: String,
    #[serde(default)]
    source: Option<String>,
}

/// Arguments of `graph_derived_tables_for_view`.
#[derive(Debug, Deserialize)]
pub struct ViewGraph {
    view: String,
    #[serde(default)]
    models: Option<String>,
    #[serde(default = "production")]
    workspace: String,
}

/// Arguments of `graph_derived_tables_for_model`.
#[derive(Debug, Deserialize)]
pub struct ModelGraph {
    model: String,
    #[serde(default = "dot")]
    format: String,
    #[serde(default)]
    color: bool,
}

/// `GET /datagroups` → `{"datagroups": [...]}`.
pub fn list_datagroups(_: NoArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let found = looker::get("/datagroups")?;
    Ok(json!({ "datagroups": without_can(found) }))
}

/// `GET /datagroups/{datagroup_id}`.
pub fn get_datagroup(args: DatagroupArgs, _ctx: &Context) -> Result<Value, ToolError> {
    Ok(without_can(looker::get(path!(
        "/datagroups/{}",
        args.datagroup_id
    ))?))
}

/// `PATCH /datagroups/{id} {stale_before: now}`: cached results from before now are stale.
pub fn reset_datagroup(args: DatagroupArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let now = now_epoch();
    let updated = looker::patch(
        path!("/datagroups/{}", args.datagroup_id),
        &json!({ "stale_before": now }),
    )?;
    Ok(json!({"action": "reset", "stale_before": now, "datagroup": without_can(updated)}))
}

/// `PATCH /datagroups/{id} {triggered_at: now}`: fires the trigger (rebuilds its PDTs and
/// invalidates its cache), as if its SQL trigger value had changed.
pub fn trigger_datagroup(args: DatagroupArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let now = now_epoch();
    let updated = looker::patch(
        path!("/datagroups/{}", args.datagroup_id),
        &json!({ "triggered_at": now }),
    )?;
    Ok(json!({"action": "triggered", "triggered_at": now, "datagroup": without_can(updated)}))
}

fn check_workspace(workspace: &str) -> Result<(), ToolError> {
    if matches!(workspace, "production" | "dev") {
        Ok(())
    } else {
        Err(ToolError::invalid_arguments(format!(
            "`workspace`: must be `production` or `dev`, got {workspace:?}"
        )))
    }
}

/// `GET /derived_table/{model}/{view}/start` (Looker starts builds with a GET).
pub fn start_pdt_build(args: StartBuild, _ctx: &Context) -> Result<Value, ToolError> {
    check_workspace(&args.workspace)?;
    let started = Request::get(path!(
        "/derived_table/{}/{}/start",
        args.model_name,
        args.view_name
    ))
    .query("force_rebuild", args.force_rebuild)
    .query("force_full_incremental", args.force_full_incremental)
    .query("workspace", &args.workspace)
    .query_opt("source", args.source.as_deref())
    .send()?
    .json::<Value>()?;
    Ok(build(started))
}

/// `GET /derived_table/{materialization_id}/status`.
pub fn check_pdt_build(args: CheckBuild, _ctx: &Context) -> Result<Value, ToolError> {
    let status = looker::get(path!("/derived_table/{}/status", args.materialization_id))?;
    Ok(build(status))
}

/// `GET /derived_table/{materialization_id}/stop`.
pub fn stop_pdt_build(args: StopBuild, _ctx: &Context) -> Result<Value, ToolError> {
    let stopped = Request::get(path!("/derived_table/{}/stop", args.materialization_id))
        .query_opt("source", args.source.as_deref())
        .send()?
        .json::<Value>()?;
    Ok(build(stopped))
}

/// `MaterializePDT` → `{materialization_id, status}` (Looker's `resp_text`).
fn build(found: Value) -> Value {
    json!({
        "materialization_id": found["materialization_id"],
        "status": found["resp_text"],
    })
}

/// `GET /derived_table/graph/view/{view}?models=&workspace=`.
pub fn graph_for_view(args: ViewGraph, _ctx: &Context) -> Result<Value, ToolError> {
    check_workspace(&args.workspace)?;
    let graph: Value = Request::get(path!("/derived_table/graph/view/{}", args.view))
        .query_opt("models", args.models.as_deref())
        .query("workspace", &args.workspace)
        .send()?
        .json()?;
    Ok(json!({"view": args.view, "graph_text": graph["graph_text"]}))
}

/// `GET /derived_table/graph/model/{model}?format=&color=`.
pub fn graph_for_model(args: ModelGraph, _ctx: &Context) -> Result<Value, ToolError> {
    let graph: Value = Request::get(path!("/derived_table/graph/model/{}", args.model))
        .query("format", &args.format)
        .query("color", args.color)
        .send()?
        .json()?;
    Ok(json!({"model": args.model, "format": args.format, "graph_text": graph["graph_text"]}))
}

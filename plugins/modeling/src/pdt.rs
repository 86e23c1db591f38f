//! Datagroups (caching and PDT triggers) and persistent derived table builds and graphs.

use looker_mcp_plugin_sdk::looker::{self, Request};
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::{Context, NoArgs, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::common::{DATAGROUP_ID, MATERIALIZATION_ID, SOURCE, WORKSPACE, now_epoch, without_can};

/// Defaults shared by the schemas and the argument types: the PDT workspace, the graph format.
const PRODUCTION: &str = "production";
const DOT: &str = "dot";

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "list_datagroups",
            "List datagroups",
            "Lists datagroups (the caching and PDT-rebuild policies of models): id, model, \
            name, trigger value, when it last triggered and the stale-before time.",
        )
        .schema(schema::object())
        .handler(list_datagroups),
        Tool::new(
            "reset_datagroup",
            "Reset a datagroup's cache",
            "Resets a datagroup's cache: sets its stale-before time to now so queries stop \
            using cached results from before now. PDTs are not rebuilt; use \
            `trigger_datagroup` for that.",
        )
        .schema(schema::object().required("datagroup_id", Ty::Str, DATAGROUP_ID))
        .handler(reset_datagroup),
        Tool::reader(
            "get_datagroup",
            "Get a datagroup",
            "Returns one datagroup: model, name, trigger value and check time, last \
            trigger time, trigger error and stale-before time.",
        )
        .schema(schema::object().required("datagroup_id", Ty::Str, DATAGROUP_ID))
        .handler(get_datagroup),
        Tool::new(
            "trigger_datagroup",
            "Trigger a datagroup",
            "Triggers a datagroup now, as if its SQL trigger had changed: the PDTs that \
            use it are rebuilt and its cached query results are invalidated.",
        )
        .schema(schema::object().required("datagroup_id", Ty::Str, DATAGROUP_ID))
        .handler(trigger_datagroup),
        Tool::creator(
            "start_pdt_build",
            "Start a PDT build",
            "Starts (enqueues) a build of a persistent derived table and returns its \
            `materialization_id`; poll it with `check_pdt_build`. Example: \
            {\"model_name\": \"ecommerce\", \"view_name\": \"user_facts\", \
            \"force_rebuild\": true}.",
        )
        .schema(
            schema::object()
                .required("model_name", Ty::Str, "Model of the PDT, e.g. `ecommerce`.")
                .required(
                    "view_name",
                    Ty::Str,
                    "View (derived table) to build, e.g. `user_facts`.",
                )
                .with_default(
                    "force_full_incremental",
                    Ty::Bool,
                    false,
                    "Fully rebuild incremental PDTs instead of adding increments.",
                )
                .with_default(
                    "force_rebuild",
                    Ty::Bool,
                    false,
                    "Rebuild the PDTs it depends on even if they are already built.",
                )
                .optional("source", Ty::Str, SOURCE)
                .with_default("workspace", Ty::Str, PRODUCTION, WORKSPACE),
        )
        .handler(start_pdt_build),
        Tool::reader(
            "check_pdt_build",
            "Check a PDT build",
            "Returns the status of a PDT build started with `start_pdt_build` (Looker's \
            status text). Poll until it reports completion.",
        )
        .schema(schema::object().required("materialization_id", Ty::Str, MATERIALIZATION_ID))
        .handler(check_pdt_build),
        Tool::overwriter(
            "stop_pdt_build",
            "Stop a PDT build",
            "Stops a running PDT build started with `start_pdt_build`; the partially built \
            table is discarded.",
        )
        .schema(
            schema::object()
                .required("materialization_id", Ty::Str, MATERIALIZATION_ID)
                .optional("source", Ty::Str, SOURCE),
        )
        .handler(stop_pdt_build),
        Tool::reader(
            "graph_derived_tables_for_view",
            "Derived-table dependency graph of a view",
            "Returns the dependency graph (DOT text) of the derived tables a view's PDT \
            depends on and that depend on it, across models (or only `models`).",
        )
        .schema(
            schema::object()
                .required(
                    "view",
                    Ty::Str,
                    "The derived table's view name, e.g. `orders_rollup`.",
                )
                .optional(
                    "models",
                    Ty::Str,
                    "Only these models, comma-separated, e.g. `ecommerce,marketing`.",
                )
                .with_default("workspace", Ty::Str, PRODUCTION, WORKSPACE),
        )
        .handler(graph_for_view),
        Tool::reader(
            "graph_derived_tables_for_model",
            "Derived-table dependency graph of a model",
            "Returns the dependency graph (DOT text) of all derived tables in a model: \
            which PDTs build on which. `color` shades nodes by build state.",
        )
        .schema(
            schema::object()
                .required("model", Ty::Str, "LookML model name, e.g. `ecommerce`.")
                .with_default("color", Ty::Bool, false, "Color the nodes by build state.")
                .with_default(
                    "format",
                    Ty::Str,
                    DOT,
                    "Graph format; Looker supports `dot`.",
                ),
        )
        .handler(graph_for_model),
    ]
}

/// Arguments naming one datagroup.
#[derive(Debug, Deserialize)]
pub struct DatagroupArgs {
    datagroup_id: String,
}

fn production() -> String {
    PRODUCTION.to_owned()
}

fn dot() -> String {
    DOT.to_owned()
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

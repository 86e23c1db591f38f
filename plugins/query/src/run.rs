//! `query`, `query_sql`, `query_url`, `run_query` and `run_look`, declared beside their
//! handlers, with the arguments they share: the query description, the query options, the
//! result format and row limit, and the session arguments.

use looker_mcp_plugin_sdk::args::default;
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::query_args;
use looker_mcp_plugin_sdk::schema::{self, ObjectSchema, Ty};
use looker_mcp_plugin_sdk::shape;
use looker_mcp_plugin_sdk::{Context, Output, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::results::{self, Format, RunOptions, Target};
use looker_mcp_plugin_sdk::queries::{QueryOptions, QuerySpec};
use looker_mcp_plugin_sdk::session::SessionArgs;

/// The developer arguments, offered only with `LOOKER_QUERY_DEV_PARAMS=true`.
pub(crate) const DEV_ARGS: &[&str] = &["dev_mode", "branch", "project_id"];

/// The host setting that offers [`DEV_ARGS`].
const DEV_SETTING: &str = "query_dev_params";

/// Rows a query returns unless told otherwise (schema default and serde default).
const ROW_LIMIT: i64 = 500;

/// The result format unless told otherwise.
const FORMAT: &str = "json";

/// The result formats, as `result_format` accepts them.
const FORMATS: &[&str] = &[
    "json",
    "json_bi",
    "json_detail",
    "json_fe",
    "csv",
    "txt",
    "html",
    "md",
    "sql",
];

fn default_format() -> String {
    FORMAT.to_owned()
}

/// `query`, `query_sql`, `run_query` and `run_look`, in the reference server's order.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader("query", "Run a query", QUERY)
            .schema(
                query_args()
                    .extend(row_limit())
                    .extend(result_format())
                    .extend(session_args()),
            )
            .gated_args(DEV_SETTING, DEV_ARGS)
            .returns(results::rows_schema())
            .handler(query),
        Tool::reader("query_sql", "Show a query's SQL", QUERY_SQL)
            .schema(query_args().extend(row_limit()).extend(session_args()))
            .gated_args(DEV_SETTING, DEV_ARGS)
            .handler(query_sql),
        Tool::reader("run_query", "Run a saved query", RUN_QUERY)
            .schema(
                schema::object()
                    .required(
                        "query_id",
                        Ty::Str,
                        "Id of a saved query, e.g. from `query` (`query_id`) or a dashboard tile.",
                    )
                    .extend(result_format())
                    .optional(
                        "limit",
                        Ty::Int,
                        "Most rows to return; default: the saved query's own limit. The server \
                         never returns more than LOOKER_MAX_ROWS.",
                    )
                    .with_default(
                        "apply_formatting",
                        Ty::Bool,
                        false,
                        "Apply the model's value formatting.",
                    )
                    .with_default(
                        "apply_vis",
                        Ty::Bool,
                        false,
                        "Apply the query's visualization options (labels, hidden columns).",
                    )
                    .with_default(
                        "server_table_calcs",
                        Ty::Bool,
                        false,
                        "Compute table calculations on the server.",
                    )
                    .with_default(
                        "cache",
                        Ty::Bool,
                        true,
                        "Use cached results when Looker has them.",
                    )
                    .extend(session_args()),
            )
            .gated_args(DEV_SETTING, DEV_ARGS)
            .returns(results::rows_schema())
            .handler(run_query),
        Tool::reader("run_look", "Run a look", RUN_LOOK)
            .schema(
                schema::object()
                    .required(
                        "look_id",
                        Ty::Str,
                        "Look id, e.g. `\"1\"` (from `search_content`).",
                    )
                    .extend(result_format())
                    .extend(row_limit())
                    .extend(session_args()),
            )
            .gated_args(DEV_SETTING, DEV_ARGS)
            .returns(results::rows_schema())
            .handler(run_look),
    ]
}

/// `query_url`, which the reference server lists after `run_dashboard`.
pub fn url_tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader("query_url", "Link to a query in Looker", QUERY_URL)
            .schema(query_args().extend(session_args()))
            .gated_args(DEV_SETTING, DEV_ARGS)
            .handler(query_url),
    ]
}

/// The query description: model, explore, fields, filters, sorts, and the query options.
fn query_args() -> ObjectSchema {
    schema::object()
        .required(
            "model",
            Ty::Str,
            "LookML model, e.g. `ecommerce` (from `list_models`).",
        )
        .required(
            "view",
            Ty::Str,
            "Explore to query, e.g. `orders` (from `list_models` or `get_model`).",
        )
        .required(
            "fields",
            Ty::StrList.min_items(1),
            "Full `view.field` names of dimensions and measures, e.g. [\"orders.status\", \
             \"orders.count\"] (from `get_explore`).",
        )
        .optional(
            "filters",
            query_args::filters(),
            "Filters by `view.field`. A string is one Looker filter expression (`\">100\"`, \
             `\"-Cancelled\"`, `\"%shoes%\"`, `\"last 7 days\"`, `\"NULL\"`) in which commas are \
             literal text; give a list for \"any of these exact values\". Example: \
             {\"orders.status\": [\"complete\", \"pending\"], \"users.name\": \"Smith, John\"}.",
        )
        .optional(
            "sorts",
            Ty::StrList,
            "Sort order, e.g. [\"orders.count desc\", \"orders.status\"].",
        )
        .extend(query_options())
}

/// The query options beyond fields, filters and sorts (the same on `create_look` and
/// `add_dashboard_element`).
pub(crate) fn query_options() -> ObjectSchema {
    schema::object()
        .optional(
            "pivots",
            Ty::StrList,
            "Dimensions whose values become columns; each must also be in `fields`. The result \
             has a column per measure and pivot value, named `measure|value`, e.g. \
             `orders.count|complete`. Example: [\"orders.status\"].",
        )
        .optional(
            "dynamic_fields",
            query_args::dynamic_fields(),
            "Custom fields and table calculations, as a JSON array (or that array as JSON \
             text). Each object names one new field: {\"measure\": \"total_amount\", \
             \"based_on\": \"orders.amount\", \"type\": \"sum\"} (type: count, count_distinct, sum, \
             sum_distinct, average, average_distinct, min, max, median, list), {\"dimension\": \
             \"is_big\", \"expression\": \"${orders.amount} > 100\"} or {\"table_calculation\": \
             \"share\", \"expression\": \"${orders.count} / sum(${orders.count})\"}; optional \
             `label`. Add the new names to `fields`.",
        )
        .optional(
            "filter_expression",
            Ty::Str,
            "A Looker custom filter, for logic `filters` cannot say (OR across fields), e.g. \
             `${orders.amount} > 100 OR ${orders.status} = \"complete\"`.",
        )
        .optional(
            "query_timezone",
            Ty::Str,
            "IANA time zone that dates are shown and filtered in, e.g. `America/Chicago`. \
             Default: the Looker user's or instance's.",
        )
        .optional(
            "total",
            Ty::Bool,
            "Also return the column totals (`totals` in the result).",
        )
        .optional(
            "row_total",
            Ty::Enum(&["right"]),
            "`right`: add a row-total column per measure to a pivoted query \
             (`measure|row_total`). Needs `pivots`.",
        )
        .optional(
            "fill_fields",
            Ty::StrList,
            "Date or yesno dimensions (in `fields`) whose missing values are filled in, so a \
             time series has no gaps, e.g. [\"orders.created_date\"].",
        )
}

/// `limit`, defaulting to [`ROW_LIMIT`].
fn row_limit() -> ObjectSchema {
    schema::object().with_default(
        "limit",
        Ty::Int,
        ROW_LIMIT,
        "Most rows to return (-1: no limit). The server never returns more than \
         LOOKER_MAX_ROWS.",
    )
}

/// `result_format`, defaulting to [`FORMAT`].
fn result_format() -> ObjectSchema {
    schema::object().with_default(
        "result_format",
        Ty::Enum(FORMATS),
        FORMAT,
        "`json` (default): typed columns and rows. `json_detail`/`json_fe`: rows of Looker \
         cells with rendered values and links. `json_bi`: rows with Looker's BI metadata. \
         `csv`, `txt`, `html`, `md`: Looker's text rendering. `sql`: the generated SQL.",
    )
}

/// The session arguments every query-running tool has ([`SessionArgs`]; the dev ones are
/// gated).
fn session_args() -> ObjectSchema {
    schema::object()
        .with_default(
            "dev_mode",
            Ty::Bool,
            false,
            "Run against the LookML in your dev workspace (its currently checked-out branch) \
             instead of production.",
        )
        .optional(
            "branch",
            Ty::Str,
            "Check out this git branch of `project_id` in the dev workspace for this call only; \
             the previous branch is restored afterwards, even on failure. Implies `dev_mode`. \
             Example: {\"branch\": \"feature/new-aggregation\", \"project_id\": \"ecommerce\"}.",
        )
        .optional(
            "project_id",
            Ty::Str,
            "LookML project that `branch` belongs to (required with `branch`).",
        )
        .optional(
            "act_as_user",
            Ty::Str,
            "Run as this Looker user (numeric id or exact email), e.g. a CI service user; needs \
             LOOKER_SUDO_AS_USER=true and admin credentials.",
        )
}

const QUERY: &str = "\
Runs a query through the LookML semantic layer: pick a model and explore, the `view.field` \
names of dimensions and measures (from `get_explore`), optional filters, sorts and a row limit. \
Returns typed results for the JSON formats (columns with name, LookML type and label; one row \
object per result row keyed by field name; `row_count`; `truncated` when LOOKER_MAX_ROWS cut \
it; `query_id` to rerun or render it) and Looker's text for csv, txt, md, html and sql. \
Pivots (a column per measure and pivot value, `orders.count|complete`), custom fields and table \
calculations (`dynamic_fields`), a custom filter, a time zone and totals are supported. Example: \
{\"model\": \"ecommerce\", \"view\": \"orders\", \"fields\": [\"orders.status\", \"orders.count\"], \
\"filters\": {\"orders.region\": \"West\"}, \"sorts\": [\"orders.count desc\"], \"limit\": 10}.";

const QUERY_SQL: &str = "\
Returns the SQL Looker generates for a semantic-layer query (same arguments as `query`), \
without running it. Use it to check joins, filters and how a measure is computed.";

const RUN_QUERY: &str = "\
Runs a saved query by id (e.g. the `query_id` that `query` returned, or a dashboard tile's) \
and returns its rows like `query` does: typed columns and rows for the JSON formats, Looker's \
text for the others. `limit` overrides the saved query's own limit; LOOKER_MAX_ROWS always \
applies.";

const RUN_LOOK: &str = "\
Runs a saved look by id and returns its rows like `query` does: typed columns and rows for the \
JSON formats, Looker's text for csv, txt, md, html and sql. Find looks with `search_content`.";

const QUERY_URL: &str = "\
Saves a semantic-layer query (same arguments as `query`, nothing is run) and returns links to \
open it in Looker's Explore: a short `share_url` and the `expanded_share_url`, plus its \
`query_id`. Use it to hand a user a query they can explore further.";

/// Arguments of `query`.
#[derive(Debug, Deserialize)]
pub struct QueryArgs {
    #[serde(flatten)]
    spec: QuerySpec,
    #[serde(flatten)]
    options: QueryOptions,
    #[serde(default = "default::int::<ROW_LIMIT>")]
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
    #[serde(default = "default::int::<ROW_LIMIT>")]
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
    #[serde(default = "default::yes")]
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
    #[serde(default = "default::int::<ROW_LIMIT>")]
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

/// The `id` of a `what` Looker created (text or number); an internal error without one.
pub(crate) fn id_of(value: &Value, what: &str) -> Result<String, ToolError> {
    shape::id(&value["id"])
        .ok_or_else(|| ToolError::internal(format!("Looker returned a {what} without an id")))
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

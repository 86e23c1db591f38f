//! The `query` tool group: run queries through the LookML semantic layer, run saved queries,
//! looks and whole dashboards, build Explore links, and search content.
//!
//! All of them only read: creating a query (`POST /queries`) stores an immutable query object
//! and changes nothing anyone sees. Rows are capped at `LOOKER_MAX_ROWS`, and the result says
//! when it was cut.

mod dashboard;
mod merge;
mod pivot;
mod results;
mod rows_output;
mod run;
mod search;
mod table;

use looker_mcp_plugin_sdk::{Group, Tool, export_group};
use serde_json::{Map, Value, json};

export_group!(group);

/// The developer arguments, offered only with `LOOKER_QUERY_DEV_PARAMS=true`.
const DEV_ARGS: &[&str] = &["dev_mode", "branch", "project_id"];

/// The `query` group's tool table.
pub fn group() -> Group {
    let tool = |name: &'static str, title: &'static str, description: &'static str| {
        Tool::new(name, title, description).read_only().idempotent()
    };
    Group::new("query", env!("CARGO_PKG_VERSION"))
        .tool(
            tool("query", "Run a query", QUERY)
                .schema(query_schema(&["limit", "result_format"]))
                .gated_args("query_dev_params", DEV_ARGS)
                .returns(results::rows_schema())
                .handler(run::query),
        )
        .tool(
            tool("query_sql", "Show a query's SQL", QUERY_SQL)
                .schema(query_schema(&["limit"]))
                .gated_args("query_dev_params", DEV_ARGS)
                .handler(run::query_sql),
        )
        .tool(
            tool("run_query", "Run a saved query", RUN_QUERY)
                .schema(run_query_schema())
                .gated_args("query_dev_params", DEV_ARGS)
                .returns(results::rows_schema())
                .handler(run::run_query),
        )
        .tool(
            tool("run_look", "Run a look", RUN_LOOK)
                .schema(run_look_schema())
                .gated_args("query_dev_params", DEV_ARGS)
                .returns(results::rows_schema())
                .handler(run::run_look),
        )
        .tool(
            tool("run_dashboard", "Run every tile of a dashboard", RUN_DASHBOARD)
                .schema(object(
                    [(
                        "dashboard_id",
                        json!({"type": "string", "description": "Dashboard id, e.g. `\"1\"` (from `search_content`)."}),
                    )],
                    &["dashboard_id"],
                ))
                .returns(dashboard::schema())
                .handler(dashboard::run_dashboard),
        )
        .tool(
            tool("query_url", "Link to a query in Looker", QUERY_URL)
                .schema(query_schema(&[]))
                .gated_args("query_dev_params", DEV_ARGS)
                .handler(run::query_url),
        )
        .tool(
            tool("run_merge_query", "Merge and run queries", RUN_MERGE_QUERY)
                .schema(merge_schema())
                .returns(results::rows_schema())
                .handler(merge::run_merge_query),
        )
        .tool(
            tool("search_content", "Search dashboards and looks", SEARCH_CONTENT)
                .schema(search_schema())
                .handler(search::search_content),
        )
}

fn object<const N: usize>(properties: [(&str, Value); N], required: &[&str]) -> Value {
    let properties: Map<String, Value> = properties
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let mut schema =
        json!({"type": "object", "properties": properties, "additionalProperties": false});
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

fn nullable(inner: Value, description: &str) -> Value {
    json!({"anyOf": [inner, {"type": "null"}], "default": null, "description": description})
}

fn result_format() -> Value {
    json!({
        "type": "string",
        "enum": ["json", "json_bi", "json_detail", "json_fe", "csv", "txt", "html", "md", "sql"],
        "default": "json",
        "description": "`json` (default): typed columns and rows. `json_detail`/`json_fe`: rows of Looker cells with rendered values and links. `json_bi`: rows with Looker's BI metadata. `csv`, `txt`, `html`, `md`: Looker's text rendering. `sql`: the generated SQL."
    })
}

/// Session arguments every query-running tool has (the dev ones are gated).
fn session_properties() -> [(&'static str, Value); 4] {
    [
        (
            "dev_mode",
            json!({"type": "boolean", "default": false, "description": "Run against the LookML in your dev workspace (its currently checked-out branch) instead of production."}),
        ),
        (
            "branch",
            nullable(
                json!({"type": "string"}),
                "Check out this git branch of `project_id` in the dev workspace for this call only; the previous branch is restored afterwards, even on failure. Implies `dev_mode`. Example: {\"branch\": \"feature/new-aggregation\", \"project_id\": \"ecommerce\"}.",
            ),
        ),
        (
            "project_id",
            nullable(
                json!({"type": "string"}),
                "LookML project that `branch` belongs to (required with `branch`).",
            ),
        ),
        (
            "act_as_user",
            nullable(
                json!({"type": "string"}),
                "Run as this Looker user (numeric id or exact email), e.g. a CI service user; needs LOOKER_SUDO_AS_USER=true and admin credentials.",
            ),
        ),
    ]
}

/// `query`, `query_sql` and `query_url`: the query description, plus `extra` of `limit` and
/// `result_format`, plus the session arguments.
fn query_schema(extra: &[&str]) -> Value {
    let mut props = vec![
        (
            "model",
            json!({"type": "string", "description": "LookML model, e.g. `ecommerce` (from `list_models`)."}),
        ),
        (
            "view",
            json!({"type": "string", "description": "Explore to query, e.g. `orders` (from `list_models` or `get_model`)."}),
        ),
        (
            "fields",
            json!({"type": "array", "items": {"type": "string"}, "minItems": 1, "description": "Full `view.field` names of dimensions and measures, e.g. [\"orders.status\", \"orders.count\"] (from `get_explore`)."}),
        ),
        (
            "filters",
            nullable(
                json!({"type": "object", "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}),
                "Filters by `view.field`. A string is one Looker filter expression (`\">100\"`, `\"-Cancelled\"`, `\"%shoes%\"`, `\"last 7 days\"`, `\"NULL\"`) in which commas are literal text; give a list for \"any of these exact values\". Example: {\"orders.status\": [\"complete\", \"pending\"], \"users.name\": \"Smith, John\"}.",
            ),
        ),
        (
            "sorts",
            nullable(
                json!({"type": "array", "items": {"type": "string"}}),
                "Sort order, e.g. [\"orders.count desc\", \"orders.status\"].",
            ),
        ),
    ];
    props.extend(semantic_properties());
    if extra.contains(&"limit") {
        props.push((
            "limit",
            json!({"type": "integer", "default": 500, "description": "Most rows to return (-1: no limit). The server never returns more than LOOKER_MAX_ROWS."}),
        ));
    }
    if extra.contains(&"result_format") {
        props.push(("result_format", result_format()));
    }
    props.extend(session_properties());
    let mut schema = object([], &["model", "view", "fields"]);
    schema["properties"] =
        Value::Object(props.into_iter().map(|(k, v)| (k.to_owned(), v)).collect());
    schema
}

/// The query options beyond fields, filters and sorts (the same on `create_look` and
/// `add_dashboard_element`).
fn semantic_properties() -> [(&'static str, Value); 7] {
    [
        (
            "pivots",
            nullable(
                json!({"type": "array", "items": {"type": "string"}}),
                "Dimensions whose values become columns; each must also be in `fields`. The result has a column per measure and pivot value, named `measure|value`, e.g. `orders.count|complete`. Example: [\"orders.status\"].",
            ),
        ),
        (
            "dynamic_fields",
            nullable(
                json!({"anyOf": [{"type": "array", "items": {"type": "object"}}, {"type": "string"}]}),
                "Custom fields and table calculations, as a JSON array (or that array as JSON text). Each object names one new field: {\"measure\": \"total_amount\", \"based_on\": \"orders.amount\", \"type\": \"sum\"} (type: count, count_distinct, sum, sum_distinct, average, average_distinct, min, max, median, list), {\"dimension\": \"is_big\", \"expression\": \"${orders.amount} > 100\"} or {\"table_calculation\": \"share\", \"expression\": \"${orders.count} / sum(${orders.count})\"}; optional `label`. Add the new names to `fields`.",
            ),
        ),
        (
            "filter_expression",
            nullable(
                json!({"type": "string"}),
                "A Looker custom filter, for logic `filters` cannot say (OR across fields), e.g. `${orders.amount} > 100 OR ${orders.status} = \"complete\"`.",
            ),
        ),
        (
            "query_timezone",
            nullable(
                json!({"type": "string"}),
                "IANA time zone that dates are shown and filtered in, e.g. `America/Chicago`. Default: the Looker user's or instance's.",
            ),
        ),
        (
            "total",
            nullable(
                json!({"type": "boolean"}),
                "Also return the column totals (`totals` in the result).",
            ),
        ),
        (
            "row_total",
            nullable(
                json!({"type": "string", "enum": ["right"]}),
                "`right`: add a row-total column per measure to a pivoted query (`measure|row_total`). Needs `pivots`.",
            ),
        ),
        (
            "fill_fields",
            nullable(
                json!({"type": "array", "items": {"type": "string"}}),
                "Date or yesno dimensions (in `fields`) whose missing values are filled in, so a time series has no gaps, e.g. [\"orders.created_date\"].",
            ),
        ),
    ]
}

fn merge_schema() -> Value {
    object(
        [
            (
                "source_queries",
                nullable(
                    json!({
                        "type": "array",
                        "minItems": 2,
                        "items": {
                            "type": "object",
                            "properties": {
                                "query_id": {"type": "string", "description": "A saved query's id (instead of model, view and fields)."},
                                "model": {"type": "string"},
                                "view": {"type": "string", "description": "Explore."},
                                "fields": {"type": "array", "items": {"type": "string"}},
                                "filters": {"type": "object", "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}},
                                "sorts": {"type": "array", "items": {"type": "string"}},
                                "limit": {"type": "integer", "description": "Rows of this query (default 500)."},
                                "name": {"type": "string", "description": "Name of this source, used when a column name is taken: `orders.count (returns)`."},
                                "merge_fields": {
                                    "type": "array",
                                    "description": "For every query after the first: its fields that must equal the first query's. Looker's names: `field_name` is the first query's field, `source_field_name` this query's.",
                                    "items": {
                                        "type": "object",
                                        "properties": {"field_name": {"type": "string"}, "source_field_name": {"type": "string"}},
                                        "required": ["field_name", "source_field_name"],
                                        "additionalProperties": false
                                    }
                                }
                            },
                            "additionalProperties": true
                        }
                    }),
                    "Two or more queries: the first, then each one joined onto it (left join) on its `merge_fields`. A query is `query_id`, or `model`, `view`, `fields` with optional `filters`, `sorts`, `limit` and the options of `query` (`pivots`, `dynamic_fields`, …).",
                ),
            ),
            (
                "merge_query_id",
                nullable(
                    json!({"type": "string"}),
                    "Rerun a merged query: the `merge_query_id` of an earlier result or a dashboard tile's `merge_result_id`.",
                ),
            ),
        ],
        &[],
    )
}

fn run_query_schema() -> Value {
    let mut schema = object(
        [
            (
                "query_id",
                json!({"type": "string", "description": "Id of a saved query, e.g. from `query` (`query_id`) or a dashboard tile."}),
            ),
            ("result_format", result_format()),
            (
                "limit",
                nullable(
                    json!({"type": "integer"}),
                    "Most rows to return; default: the saved query's own limit. The server never returns more than LOOKER_MAX_ROWS.",
                ),
            ),
            (
                "apply_formatting",
                json!({"type": "boolean", "default": false, "description": "Apply the model's value formatting."}),
            ),
            (
                "apply_vis",
                json!({"type": "boolean", "default": false, "description": "Apply the query's visualization options (labels, hidden columns)."}),
            ),
            (
                "server_table_calcs",
                json!({"type": "boolean", "default": false, "description": "Compute table calculations on the server."}),
            ),
            (
                "cache",
                json!({"type": "boolean", "default": true, "description": "Use cached results when Looker has them."}),
            ),
        ],
        &["query_id"],
    );
    for (k, v) in session_properties() {
        schema["properties"][k] = v;
    }
    schema
}

fn run_look_schema() -> Value {
    let mut schema = object(
        [
            (
                "look_id",
                json!({"type": "string", "description": "Look id, e.g. `\"1\"` (from `search_content`)."}),
            ),
            ("result_format", result_format()),
            (
                "limit",
                json!({"type": "integer", "default": 500, "description": "Most rows to return (-1: no limit). The server never returns more than LOOKER_MAX_ROWS."}),
            ),
        ],
        &["look_id"],
    );
    for (k, v) in session_properties() {
        schema["properties"][k] = v;
    }
    schema
}

fn search_schema() -> Value {
    object(
        [
            (
                "query_string",
                json!({"type": "string", "description": "Words to find in titles and descriptions, e.g. `revenue by region`."}),
            ),
            (
                "types",
                nullable(
                    json!({"type": "array", "items": {"type": "string", "enum": ["dashboard", "look", "lookml_dashboard"]}}),
                    "Only these kinds of content; default: all.",
                ),
            ),
            (
                "limit",
                json!({"type": "integer", "default": 20, "minimum": 1, "description": "Most results to return."}),
            ),
        ],
        &["query_string"],
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

const RUN_DASHBOARD: &str = "\
Runs every tile of a dashboard and returns each tile's rows (typed columns and rows, capped at \
LOOKER_MAX_ROWS per tile). Tiles with their own query, tiles that show a look, and SQL Runner \
tiles and merged-results tiles (joined as `run_merge_query` joins them) all run; text tiles are \
listed as skipped. A tile that fails is \
reported with Looker's message and the others still run. Dashboard filters are not applied: \
tiles run with their saved filters. Find dashboards with `search_content`.";

const QUERY_URL: &str = "\
Saves a semantic-layer query (same arguments as `query`, nothing is run) and returns links to \
open it in Looker's Explore: a short `share_url` and the `expanded_share_url`, plus its \
`query_id`. Use it to hand a user a query they can explore further.";

const RUN_MERGE_QUERY: &str = "\
Merges two or more queries, possibly on different explores or models, into one result — \
Looker's merged results. The first query's rows are kept, and each further query's columns are \
joined onto them where its `merge_fields` equal the first query's fields (unmatched rows get \
nulls). Saves the merge in Looker (`merge_query_id`, to rerun it or to put it on a dashboard \
with `add_dashboard_element`) and returns typed columns and rows like `query`. Example: \
{\"source_queries\": [{\"model\": \"ecommerce\", \"view\": \"orders\", \"fields\": \
[\"orders.region\", \"orders.count\"]}, {\"model\": \"marketing\", \"view\": \"campaigns\", \
\"fields\": [\"campaigns.region\", \"campaigns.spend\"], \"merge_fields\": [{\"field_name\": \
\"orders.region\", \"source_field_name\": \"campaigns.region\"}]}]}.";

const SEARCH_CONTENT: &str = "\
Searches dashboards and looks by words in their title or description and returns each hit's \
type, id (`content_id`), title, description, folder and view count. Use the ids with \
`run_look`, `run_dashboard` or the render tools. Example: {\"query_string\": \"orders\", \
\"types\": [\"dashboard\"]}.";

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;
    use looker_mcp_plugin_sdk::{Context, ToolError};

    #[test]
    fn declaration_is_valid() {
        group().validate().unwrap();
        let names: Vec<_> = group().tools().map(|t| t.name().to_owned()).collect();
        assert_eq!(
            names,
            [
                "query",
                "query_sql",
                "run_query",
                "run_look",
                "run_dashboard",
                "query_url",
                "run_merge_query",
                "search_content"
            ]
        );
        for tool in group().tools() {
            let a = tool.annotations();
            assert!(
                a.read_only && a.idempotent && !a.destructive,
                "{}",
                tool.name()
            );
        }
    }

    #[test]
    fn dev_arguments_are_gated() {
        let off = Context::from_settings([("query_dev_params", "false")]);
        let on = Context::from_settings([("query_dev_params", "true")]);
        let g = group();
        for name in ["query", "query_sql", "run_query", "run_look", "query_url"] {
            let tool = g.find(name).unwrap();
            let hidden: Value = serde_json::from_str(&tool.effective_input_schema(&off)).unwrap();
            let shown: Value = serde_json::from_str(&tool.effective_input_schema(&on)).unwrap();
            for arg in DEV_ARGS {
                assert!(hidden["properties"].get(*arg).is_none(), "{name} {arg}");
                assert!(shown["properties"].get(*arg).is_some(), "{name} {arg}");
            }
            assert!(hidden["properties"].get("act_as_user").is_some(), "{name}");
        }
    }

    #[test]
    fn query_encodes_filters_and_caps_rows() {
        let seen = mock_looker(|req| {
            Ok(match req.path().as_str() {
                "/queries" => Response::json_ok(&json!({"id": "42"})),
                _ => Response::json_ok(&json!({
                    "fields": {"dimensions": [{"name": "o.s", "label": "S", "type": "string"}], "measures": []},
                    "data": (0..4).map(|i| json!({"o.s": {"value": i.to_string()}})).collect::<Vec<_>>()
                })),
            })
        });
        let ctx = Context::from_settings([("max_rows", "3")]);
        let out = group()
            .call(
                "query",
                r#"{"model":"m","view":"o","fields":["o.s"],"filters":{"o.s":"a,b","o.t":["x_y","z"]},"limit":-1}"#,
                &ctx,
            )
            .unwrap();
        let s = Value::Object(out.structured_value().unwrap());
        assert_eq!(s["row_count"], 3);
        assert_eq!(s["truncated"], true);
        assert_eq!(s["query_id"], "42");
        let requests = seen.requests();
        let body: Value = serde_json::from_str(requests[0].body_json_text().unwrap()).unwrap();
        assert_eq!(body["filters"], json!({"o.s": "a^,b", "o.t": "x^_y,z"}));
        assert_eq!(body["limit"], "-1");
        assert_eq!(requests[1].path().as_str(), "/queries/42/run/json_detail");
        assert_eq!(requests[1].query_value("limit"), Some("4"));
    }

    #[test]
    fn branch_needs_a_project() {
        let seen = mock_looker(|_| unreachable!("no Looker call"));
        let err = group()
            .call(
                "query",
                r#"{"model":"m","view":"o","fields":["o.s"],"branch":"b"}"#,
                &Context::default(),
            )
            .unwrap_err();
        assert!(matches!(err, ToolError::InvalidArguments(m) if m.contains("project_id")));
        assert!(seen.requests().is_empty());
    }
}

#[cfg(test)]
mod reference {
    use super::*;
    use looker_mcp_plugin_sdk::Context;
    use std::collections::BTreeSet;

    /// The tools of looker-mcp-server 0.25.0 (`tools/list` with the developer arguments off).
    const SEED: &str = include_str!("../../../tests/fixtures/seed-tools-0.25.0.json");

    fn names(schema: &Value, key: &str) -> BTreeSet<String> {
        match &schema[key] {
            Value::Object(map) => map.keys().cloned().collect(),
            Value::Array(list) => list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => BTreeSet::new(),
        }
    }

    /// Tools the reference does not have (issue 16).
    const ADDED_TOOLS: &[&str] = &["run_merge_query"];

    #[test]
    fn argument_names_and_requirements_match_the_reference() {
        let seed: Value = serde_json::from_str(SEED).unwrap();
        let off = Context::from_settings([("query_dev_params", "false")]);
        let added: BTreeSet<String> = semantic_properties()
            .iter()
            .map(|(k, _)| (*k).to_owned())
            .collect();
        for tool in group().tools() {
            let Some(theirs) = seed["tools"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["name"] == tool.name())
            else {
                assert!(
                    ADDED_TOOLS.contains(&tool.name()),
                    "{} is not a reference tool",
                    tool.name()
                );
                continue;
            };
            assert_eq!(theirs["group"], "query");
            let ours: Value = serde_json::from_str(&tool.effective_input_schema(&off)).unwrap();
            let reference = &theirs["input_schema"];
            // Every reference argument is kept; the query-building tools add the query options.
            let mut expected = names(reference, "properties");
            if ["query", "query_sql", "query_url"].contains(&tool.name()) {
                expected.extend(added.iter().cloned());
            }
            assert_eq!(names(&ours, "properties"), expected, "{}", tool.name());
            assert_eq!(
                names(&ours, "required"),
                names(reference, "required"),
                "{}",
                tool.name()
            );
        }
    }
}

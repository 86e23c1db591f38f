//! `run_dashboard`: Looker has no endpoint that runs a dashboard, so this runs each tile's
//! query in turn — a tile's own query, one reachable only through `result_maker.query_id`, a
//! look's query, or a SQL Runner query — and reports every tile, failed ones included.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::{Content, Context, Output, Tool, ToolError, path, progress};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::results::{Format, row_limit, summary_line};
use crate::table::Table;

/// `run_dashboard`, declared beside its handler.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [Tool::reader(
        "run_dashboard",
        "Run every tile of a dashboard",
        RUN_DASHBOARD,
    )
    .schema(schema::object().required(
        "dashboard_id",
        Ty::Str,
        "Dashboard id, e.g. `\"1\"` (from `search_content`).",
    ))
    .returns(output_schema())
    .handler(run_dashboard)]
}

const RUN_DASHBOARD: &str = "\
Runs every tile of a dashboard and returns each tile's rows (typed columns and rows, capped at \
LOOKER_MAX_ROWS per tile). Tiles with their own query, tiles that show a look, and SQL Runner \
tiles and merged-results tiles (joined as `run_merge_query` joins them) all run; text tiles are \
listed as skipped. A tile that fails is \
reported with Looker's message and the others still run. Dashboard filters are not applied: \
tiles run with their saved filters. Find dashboards with `search_content`.";

/// Arguments of `run_dashboard`.
#[derive(Debug, Deserialize)]
pub struct RunDashboardArgs {
    dashboard_id: String,
}

/// What a tile runs.
#[derive(Debug, PartialEq)]
enum Source {
    /// A saved query, with its own row limit when known.
    Query { id: String, limit: Option<i64> },
    /// A SQL Runner query, by slug.
    Sql(String),
    /// Merged results, by merge query id (run as `run_merge_query` runs them).
    Merge(String),
    /// Nothing that can run: why.
    None(&'static str),
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn limit_of(query: &Value) -> Option<i64> {
    match &query["limit"] {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// Where a dashboard element's data comes from.
fn source(e: &Value) -> Source {
    let rm = &e["result_maker"];
    let candidates = [
        (text(&e["query_id"]), &e["query"]),
        (text(&e["query"]["id"]), &e["query"]),
        (text(&rm["query_id"]), &rm["query"]),
        (text(&rm["query"]["id"]), &rm["query"]),
        (text(&e["look"]["query_id"]), &e["look"]["query"]),
    ];
    for (id, query) in candidates {
        if let Some(id) = id {
            return Source::Query {
                id,
                limit: limit_of(query),
            };
        }
    }
    if let Some(slug) = text(&rm["sql_query_id"]) {
        return Source::Sql(slug);
    }
    if let Some(id) = text(&e["merge_result_id"]).or_else(|| text(&rm["merge_result_id"])) {
        return Source::Merge(id);
    }
    Source::None("no query (a text, button or other non-data tile)")
}

/// `GET /dashboards/{id}`, then each tile's query.
pub fn run_dashboard(args: RunDashboardArgs, ctx: &Context) -> Result<Output, ToolError> {
    let dashboard: Value = Request::get(path!("/dashboards/{}", args.dashboard_id))
        .fields(&["id", "title", "dashboard_elements"])
        .send()?
        .json()?;
    let elements: Vec<Value> = dashboard["dashboard_elements"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let max_rows = ctx.max_rows();
    let total = elements.len();
    let mut results = Vec::with_capacity(total);
    let (mut ran, mut failed, mut skipped) = (0, 0, 0);
    let mut text_out = format!(
        "Dashboard {} \"{}\": {total} tiles\n",
        args.dashboard_id,
        dashboard["title"].as_str().unwrap_or_default()
    );
    for (i, e) in elements.iter().enumerate() {
        let title = text(&e["title"])
            .or_else(|| text(&e["title_text"]))
            .or_else(|| text(&e["look"]["title"]))
            .unwrap_or_default();
        progress::report(
            i as f64,
            Some(total as f64),
            Some(&format!("running tile {title:?}")),
        );
        let mut out = Map::new();
        out.insert("id".into(), e["id"].clone());
        out.insert("title".into(), title.clone().into());
        out.insert("type".into(), e["type"].clone());
        let outcome = match source(e) {
            Source::Query { id, limit } => {
                out.insert("source".into(), "query".into());
                out.insert("query_id".into(), id.clone().into());
                let (limit, capped) = row_limit(limit, max_rows);
                Some(
                    Request::get(path!("/queries/{}/run/json_detail", id))
                        .query("limit", limit)
                        .send()
                        .and_then(|r| TileRows::read(&r.body, capped.then_some(max_rows as usize))),
                )
            }
            Source::Sql(slug) => {
                out.insert("source".into(), "sql_runner".into());
                out.insert("sql_query_slug".into(), slug.clone().into());
                Some(
                    Request::post(path!("/sql_queries/{}/run/json_detail", slug))
                        .send()
                        .and_then(|r| TileRows::read(&r.body, Some(max_rows as usize))),
                )
            }
            Source::Merge(id) => {
                out.insert("source".into(), "merge_query".into());
                out.insert("merge_query_id".into(), id.clone().into());
                let (limit, _) = row_limit(None, max_rows);
                Some(
                    crate::merge::stored_sources(&id)
                        .and_then(|sources| crate::merge::merged_answer(&sources, limit))
                        .and_then(|body| TileRows::read(&body, Some(max_rows as usize))),
                )
            }
            Source::None(why) => {
                out.insert("status".into(), "skipped".into());
                out.insert("reason".into(), why.into());
                None
            }
        };
        match outcome {
            None => {
                skipped += 1;
                text_out.push_str(&format!(
                    "\n## {title} (skipped: {})\n",
                    out["reason"].as_str().unwrap_or_default()
                ));
            }
            Some(Ok(tile)) => {
                ran += 1;
                text_out.push_str(&format!(
                    "\n## {title}\n{}\n{}",
                    summary_line(tile.rows.len(), tile.truncated, max_rows),
                    tile.markdown
                ));
                out.insert("status".into(), "ok".into());
                out.insert("row_count".into(), tile.rows.len().into());
                out.insert("truncated".into(), tile.truncated.into());
                out.insert("columns".into(), Value::Array(tile.columns));
                out.insert("rows".into(), Value::Array(tile.rows));
            }
            Some(Err(ToolError::Cancelled)) => return Err(ToolError::Cancelled),
            Some(Err(error)) => {
                failed += 1;
                text_out.push_str(&format!("\n## {title} (failed: {error})\n"));
                out.insert("status".into(), "error".into());
                out.insert("error".into(), error.to_string().into());
            }
        }
        results.push(Value::Object(out));
    }
    progress::report(total as f64, Some(total as f64), Some("done"));
    let structured = json!({
        "dashboard_id": args.dashboard_id,
        "title": dashboard["title"],
        "tiles_run": ran,
        "tiles_failed": failed,
        "tiles_skipped": skipped,
        "max_rows": max_rows,
        "elements": results,
    });
    let Value::Object(structured) = structured else {
        unreachable!("a json! object")
    };
    Ok(Output {
        content: vec![Content::Text(text_out)],
        structured: Some(structured),
        structured_json: None,
    })
}

/// A tile's rows: typed columns, plain rows, a Markdown table, and whether rows were cut.
struct TileRows {
    columns: Vec<Value>,
    rows: Vec<Value>,
    markdown: String,
    truncated: bool,
}

impl TileRows {
    /// Reads a `json_detail` answer, cut to `cap` rows when given.
    fn read(body: &[u8], cap: Option<usize>) -> Result<Self, ToolError> {
        let flat = crate::pivot::flatten(body)?;
        let body = flat.as_ref().map_or(body, |f| &f.body[..]);
        let mut table = Table::read(Format::Json, body, &[])?;
        let truncated = table.cut(cap);
        let mut markdown = String::new();
        table.write_markdown_header(&mut markdown);
        let mut rows = Vec::with_capacity(table.len());
        let mut json = String::new();
        for i in 0..table.len() {
            let row = table.row(i)?;
            table.write_markdown_row(&row, &mut markdown);
            json.clear();
            table.write_json_row(i, &row, &mut json);
            rows.push(serde_json::from_str(&json).map_err(|e| ToolError::internal(e.to_string()))?);
        }
        Ok(Self {
            columns: table.columns_json(),
            rows,
            markdown,
            truncated,
        })
    }
}

/// The output schema of `run_dashboard`.
fn output_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "dashboard_id": {"type": "string"},
            "title": {"type": ["string", "null"]},
            "tiles_run": {"type": "integer", "description": "Tiles whose query ran."},
            "tiles_failed": {"type": "integer", "description": "Tiles whose query failed (see each tile's `error`)."},
            "tiles_skipped": {"type": "integer", "description": "Tiles without a query (text, button and other non-data tiles)."},
            "max_rows": {"type": "integer", "description": "The server's LOOKER_MAX_ROWS, applied to each tile."},
            "elements": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": ["string", "null"]},
                        "title": {"type": "string"},
                        "type": {"type": ["string", "null"]},
                        "status": {"enum": ["ok", "error", "skipped"]},
                        "source": {"enum": ["query", "sql_runner", "merge_query"]},
                        "merge_query_id": {"type": "string"},
                        "query_id": {"type": "string"},
                        "sql_query_slug": {"type": "string"},
                        "columns": {"type": "array", "items": {"type": "object"}},
                        "rows": {"type": "array", "items": {"type": "object"}},
                        "row_count": {"type": "integer"},
                        "truncated": {"type": "boolean"},
                        "error": {"type": "string"},
                        "reason": {"type": "string"}
                    },
                    "required": ["status"]
                }
            }
        },
        "required": ["dashboard_id", "tiles_run", "tiles_failed", "tiles_skipped", "elements"]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_tile_finds_its_query() {
        let own = json!({"query_id": "2", "query": {"limit": "100"}});
        assert_eq!(
            source(&own),
            Source::Query {
                id: "2".into(),
                limit: Some(100)
            }
        );
        let via_result_maker =
            json!({"query_id": null, "result_maker": {"query_id": "3", "query": {"limit": "-1"}}});
        assert_eq!(
            source(&via_result_maker),
            Source::Query {
                id: "3".into(),
                limit: Some(-1)
            }
        );
        let look = json!({"look": {"query_id": 7, "query": {}}});
        assert_eq!(
            source(&look),
            Source::Query {
                id: "7".into(),
                limit: None
            }
        );
        let sql = json!({"result_maker": {"query_id": null, "sql_query_id": "SqlRun1"}});
        assert_eq!(source(&sql), Source::Sql("SqlRun1".into()));
        assert!(matches!(source(&json!({"type": "text"})), Source::None(_)));
        assert_eq!(
            source(&json!({"merge_result_id": "4"})),
            Source::Merge("4".into())
        );
    }
}

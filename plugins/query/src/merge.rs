//! `run_merge_query`: Looker's merged results. Looker stores a merge (`POST /merge_queries`:
//! source queries and the fields each joins on) but has no endpoint that runs one — its own
//! front end runs the source queries and joins their rows. This does the same: every source
//! query runs (`GET /queries/{id}/run/json_detail`), and each later source is left-joined onto
//! the first on its `merge_fields`. `run_dashboard` runs merged-results tiles through
//! [`merged_answer`] too, so a tile and this tool agree.
//!
//! One tool creates and runs (or reruns by `merge_query_id`): an assistant wants the merged
//! rows, and a merge that was only stored would need a second call to be of any use; the id it
//! returns reruns the merge or puts it on a dashboard (`add_dashboard_element`).

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::queries::{QueryOptions, QuerySpec};
use looker_mcp_plugin_sdk::query_args;
use looker_mcp_plugin_sdk::schema::{self, Prop, Ty};
use looker_mcp_plugin_sdk::{Context, Output, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::results::{Format, row_limit, rows_schema};
use crate::rows_output::{self, Facts};
use crate::run::{create_query, id_of, query_body};
use crate::table::Table;

/// `run_merge_query`, declared beside its handler.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader("run_merge_query", "Merge and run queries", RUN_MERGE_QUERY)
            .schema(
                schema::object()
                    .optional(
                        "source_queries",
                        Prop::json(source_queries()),
                        "Two or more queries: the first, then each one joined onto it (left \
                         join) on its `merge_fields`. A query is `query_id`, or `model`, `view`, \
                         `fields` with optional `filters`, `sorts`, `limit` and the options of \
                         `query` (`pivots`, `dynamic_fields`, …).",
                    )
                    .optional(
                        "merge_query_id",
                        Ty::Str,
                        "Rerun a merged query: the `merge_query_id` of an earlier result or a \
                         dashboard tile's `merge_result_id`.",
                    ),
            )
            .returns(rows_schema())
            .handler(run_merge_query),
    ]
}

/// The schema of `source_queries` (without `null`): two or more [`SourceArg`]s.
fn source_queries() -> Value {
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
                "filters": query_args::filters_value(),
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
    })
}

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

/// Arguments of `run_merge_query`.
#[derive(Debug, Deserialize)]
pub struct MergeArgs {
    #[serde(default)]
    source_queries: Option<Vec<SourceArg>>,
    #[serde(default)]
    merge_query_id: Option<String>,
}

/// One source query: a saved query by id, or one described like `query`'s arguments.
#[derive(Debug, Deserialize)]
struct SourceArg {
    #[serde(default)]
    query_id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    merge_fields: Vec<MergeField>,
    #[serde(flatten)]
    spec: Option<QuerySpec>,
    #[serde(flatten)]
    options: QueryOptions,
    #[serde(default)]
    limit: Option<i64>,
}

/// A join condition: `field_name` of the first query equals `source_field_name` of this one.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct MergeField {
    field_name: String,
    source_field_name: String,
}

/// A source query as Looker stores it in a merge.
#[derive(Debug)]
pub struct Source {
    query_id: String,
    name: String,
    merge_fields: Vec<MergeField>,
}

/// Checks the sources before anything is sent: at least two, every later one joined on at
/// least one field, and join fields among the described queries' fields.
fn check(sources: &[SourceArg]) -> Result<(), ToolError> {
    if sources.len() < 2 {
        return Err(ToolError::invalid_arguments(
            "`source_queries` needs at least two queries: the first, and one or more joined onto it",
        ));
    }
    let fields_of = |s: &SourceArg| s.spec.as_ref().map(|q| q.fields.clone());
    let primary = fields_of(&sources[0]);
    for (i, source) in sources.iter().enumerate() {
        match (&source.query_id, &source.spec) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(ToolError::invalid_arguments(format!(
                    "`source_queries[{i}]`: give either `query_id` or `model`, `view` and `fields`"
                )));
            }
            _ => {}
        }
        if i == 0 {
            continue;
        }
        if source.merge_fields.is_empty() {
            return Err(ToolError::invalid_arguments(format!(
                "`source_queries[{i}]`: `merge_fields` must say which of its fields equal which \
                 of the first query's, e.g. [{{\"field_name\": \"users.email\", \
                 \"source_field_name\": \"customers.email\"}}]"
            )));
        }
        let own = fields_of(source);
        for m in &source.merge_fields {
            if let Some(fields) = &primary
                && !fields.contains(&m.field_name)
            {
                return Err(ToolError::invalid_arguments(format!(
                    "`source_queries[{i}].merge_fields`: {:?} is not a field of the first query",
                    m.field_name
                )));
            }
            if let Some(fields) = &own
                && !fields.contains(&m.source_field_name)
            {
                return Err(ToolError::invalid_arguments(format!(
                    "`source_queries[{i}].merge_fields`: {:?} is not a field of this query",
                    m.source_field_name
                )));
            }
        }
    }
    Ok(())
}

/// `GET /merge_queries/{id}`: the stored merge's sources.
pub fn stored_sources(merge_query_id: &str) -> Result<Vec<Source>, ToolError> {
    let merge: Value = Request::get(path!("/merge_queries/{}", merge_query_id))
        .fields(&["id", "source_queries"])
        .send()?
        .json()?;
    let sources = merge["source_queries"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, s)| Source {
            query_id: match &s["query_id"] {
                Value::Number(n) => n.to_string(),
                other => other.as_str().unwrap_or_default().to_owned(),
            },
            name: s["name"]
                .as_str()
                .map_or_else(|| format!("query {}", i + 1), str::to_owned),
            merge_fields: serde_json::from_value(s["merge_fields"].clone()).unwrap_or_default(),
        })
        .collect();
    Ok(sources)
}

/// Creates the described source queries and the merge; the merge's id and its sources.
fn create(sources: Vec<SourceArg>) -> Result<(String, Vec<Source>), ToolError> {
    let mut created = Vec::with_capacity(sources.len());
    for (i, source) in sources.into_iter().enumerate() {
        let query_id = match (source.query_id, &source.spec) {
            (Some(id), _) => id,
            (None, Some(spec)) => {
                let body = query_body(spec, &source.options, source.limit.or(Some(500)))?;
                id_of(&create_query(&body, false, &["id"])?, "query")?
            }
            (None, None) => unreachable!("checked"),
        };
        created.push(Source {
            query_id,
            name: source.name.unwrap_or_else(|| format!("query {}", i + 1)),
            merge_fields: source.merge_fields,
        });
    }
    let body = json!({
        "source_queries": created.iter().map(|s| json!({
            "query_id": s.query_id,
            "name": s.name,
            "merge_fields": s.merge_fields.iter().map(|m| json!({
                "field_name": m.field_name, "source_field_name": m.source_field_name,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    let merge: Value = Request::post("/merge_queries")
        .fields(&["id"])
        .body(&body)
        .send()?
        .json()?;
    Ok((id_of(&merge, "merged query")?, created))
}

/// One source's columns (metadata) and plain rows.
struct Rows {
    columns: Vec<Value>,
    rows: Vec<Map<String, Value>>,
}

fn run_source(source: &Source, limit: i64) -> Result<Rows, ToolError> {
    let response = Request::get(path!("/queries/{}/run/json_detail", source.query_id))
        .query("limit", limit)
        .send()?;
    let flat = crate::pivot::flatten(&response.body)?;
    let body = flat.as_ref().map_or(&response.body[..], |f| &f.body[..]);
    let table = Table::read(Format::Json, body, &[])?;
    let mut rows = Vec::with_capacity(table.len());
    let mut text = String::new();
    for i in 0..table.len() {
        text.clear();
        table.write_json_row(i, &table.row(i)?, &mut text);
        match serde_json::from_str(&text) {
            Ok(Value::Object(row)) => rows.push(row),
            _ => rows.push(Map::new()),
        }
    }
    let columns = table
        .columns
        .iter()
        .map(|c| json!({"name": c.name, "type": c.kind, "label": c.label}))
        .collect();
    Ok(Rows { columns, rows })
}

/// The join key of a row: the values of `fields`, as text (a number and its string match, as
/// Looker's merge matches them).
fn key(row: &Map<String, Value>, fields: impl Iterator<Item = String>) -> Vec<String> {
    fields
        .map(|f| match row.get(&f) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        })
        .collect()
}

/// Runs every source (each asked for `limit` rows) and joins them: a `json_detail`-shaped
/// answer (`fields`, `data`) of the merged rows. A later source's join fields are not repeated;
/// a column whose name is taken gets the source's name: `orders.count (query 2)`.
pub fn merged_answer(sources: &[Source], limit: i64) -> Result<Vec<u8>, ToolError> {
    let mut results = Vec::with_capacity(sources.len());
    for source in sources {
        results.push(run_source(source, limit)?);
    }
    let mut results = results.into_iter();
    let Some(first) = results.next() else {
        return Err(ToolError::internal(
            "the merged query has no source queries",
        ));
    };
    let mut columns = first.columns;
    let mut rows = first.rows;
    for (source, other) in sources[1..].iter().zip(results) {
        let joined: Vec<&str> = source
            .merge_fields
            .iter()
            .map(|m| m.source_field_name.as_str())
            .collect();
        let mut renamed: Vec<(String, String)> = Vec::new();
        for column in &other.columns {
            let name = column["name"].as_str().unwrap_or_default();
            if joined.contains(&name) {
                continue;
            }
            let taken = columns.iter().any(|c| c["name"] == name);
            let shown = if taken {
                format!("{name} ({})", source.name)
            } else {
                name.to_owned()
            };
            let mut column = column.clone();
            column["name"] = shown.clone().into();
            columns.push(column);
            renamed.push((name.to_owned(), shown));
        }
        let own_key = |r: &Map<String, Value>| {
            key(
                r,
                source
                    .merge_fields
                    .iter()
                    .map(|m| m.source_field_name.clone()),
            )
        };
        let mut merged = Vec::with_capacity(rows.len());
        for row in rows {
            let wanted = key(
                &row,
                source.merge_fields.iter().map(|m| m.field_name.clone()),
            );
            let matches: Vec<&Map<String, Value>> =
                other.rows.iter().filter(|r| own_key(r) == wanted).collect();
            if matches.is_empty() {
                let mut row = row;
                for (_, shown) in &renamed {
                    row.insert(shown.clone(), Value::Null);
                }
                merged.push(row);
                continue;
            }
            for found in matches {
                let mut row = row.clone();
                for (name, shown) in &renamed {
                    row.insert(
                        shown.clone(),
                        found.get(name).cloned().unwrap_or(Value::Null),
                    );
                }
                merged.push(row);
            }
        }
        rows = merged;
    }
    let data: Vec<Value> = rows
        .into_iter()
        .map(|row| {
            Value::Object(
                row.into_iter()
                    .map(|(k, v)| (k, json!({"value": v})))
                    .collect(),
            )
        })
        .collect();
    Ok(json!({"fields": {"dimensions": columns}, "data": data})
        .to_string()
        .into_bytes())
}

/// `POST /queries` for each described source, `POST /merge_queries`, then each source's run —
/// or, with `merge_query_id`, `GET /merge_queries/{id}` and the runs.
pub fn run_merge_query(args: MergeArgs, ctx: &Context) -> Result<Output, ToolError> {
    let (id, sources) = match (args.merge_query_id, args.source_queries) {
        (Some(id), None) => {
            let sources = stored_sources(&id)?;
            (id, sources)
        }
        (None, Some(sources)) => {
            check(&sources)?;
            create(sources)?
        }
        _ => {
            return Err(ToolError::invalid_arguments(
                "give either `source_queries` (to merge new queries) or `merge_query_id` (to \
                 rerun a merged query)",
            ));
        }
    };
    let max_rows = ctx.max_rows();
    let (limit, _) = row_limit(None, max_rows);
    let body = merged_answer(&sources, limit)?;
    let order: Vec<String> = Vec::new();
    let mut table = Table::read(Format::Json, &body, &order)?;
    let capped = table.cut(Some(max_rows as usize));
    let extra = Map::from_iter([
        ("merge_query_id".to_owned(), Value::String(id)),
        (
            "source_query_ids".to_owned(),
            json!(sources.iter().map(|s| &s.query_id).collect::<Vec<_>>()),
        ),
    ]);
    let facts = Facts {
        format: Format::Json,
        capped,
        max_rows,
        extra: &extra,
        budget: ctx.max_result_chars(),
        notes: &[],
    };
    rows_output::write(&table, &facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(value: Value) -> SourceArg {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn sources_are_checked_before_anything_is_sent() {
        let first = json!({"model": "m", "view": "o", "fields": ["o.region", "o.count"]});
        let joined = json!({"model": "m", "view": "u", "fields": ["u.region", "u.count"],
                            "merge_fields": [{"field_name": "o.region", "source_field_name": "u.region"}]});
        assert!(check(&[source(first.clone()), source(joined.clone())]).is_ok());
        let error = |sources: Vec<Value>| {
            check(&sources.into_iter().map(source).collect::<Vec<_>>())
                .unwrap_err()
                .to_string()
        };
        assert!(error(vec![first.clone()]).contains("at least two"));
        let mut unjoined = joined.clone();
        unjoined["merge_fields"] = json!([]);
        assert!(
            error(vec![first.clone(), unjoined]).contains("`source_queries[1]`: `merge_fields`")
        );
        let mut stray = joined.clone();
        stray["merge_fields"][0]["field_name"] = json!("o.status");
        assert!(
            error(vec![first.clone(), stray])
                .contains("\"o.status\" is not a field of the first query")
        );
        let both = json!({"query_id": "3", "model": "m", "view": "o", "fields": ["o.x"]});
        assert!(error(vec![both, joined]).contains("either `query_id`"));
    }
}

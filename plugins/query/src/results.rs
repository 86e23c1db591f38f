//! Running a query or look in a result format, applying `LOOKER_MAX_ROWS`, and shaping the
//! answer: typed columns and rows for the JSON formats, Looker's text for the others.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{Content, Output, Path, ToolError, path};
use serde_json::{Map, Value, json};

use crate::pivot;
use crate::rows_output::{self, Facts};
use crate::table::Table;

/// The result formats the query tools offer (the reference server's list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    JsonBi,
    JsonDetail,
    JsonFe,
    Csv,
    Txt,
    Html,
    Md,
    Sql,
}

impl Format {
    /// Parses a `result_format` argument (the schema already limits it to these).
    pub fn parse(text: &str) -> Result<Self, ToolError> {
        Ok(match text {
            "json" => Self::Json,
            "json_bi" => Self::JsonBi,
            "json_detail" => Self::JsonDetail,
            "json_fe" => Self::JsonFe,
            "csv" => Self::Csv,
            "txt" => Self::Txt,
            "html" => Self::Html,
            "md" => Self::Md,
            "sql" => Self::Sql,
            other => {
                return Err(ToolError::invalid_arguments(format!(
                    "`result_format`: unknown format {other:?}"
                )));
            }
        })
    }

    /// The name the caller used.
    pub fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::JsonBi => "json_bi",
            Self::JsonDetail => "json_detail",
            Self::JsonFe => "json_fe",
            Self::Csv => "csv",
            Self::Txt => "txt",
            Self::Html => "html",
            Self::Md => "md",
            Self::Sql => "sql",
        }
    }

    /// The format asked of Looker: the JSON formats come from `json_detail` (which carries each
    /// field's type and label), except `json_bi`, which has its own metadata.
    pub fn looker_format(self) -> &'static str {
        match self {
            Self::Json | Self::JsonDetail | Self::JsonFe => "json_detail",
            other => other.name(),
        }
    }

    /// Whether the answer has rows that `LOOKER_MAX_ROWS` applies to.
    fn has_rows(self) -> bool {
        self != Self::Sql
    }
}

/// What to run.
pub enum Target {
    /// A saved query, by id.
    Query(String),
    /// A saved look, by id.
    Look(String),
}

impl Target {
    fn path(&self, format: &str) -> Path {
        match self {
            Self::Query(id) => path!("/queries/{}/run/{}", id, format),
            Self::Look(id) => path!("/looks/{}/run/{}", id, format),
        }
    }
}

/// How to run it.
#[derive(Default)]
pub struct RunOptions {
    /// Rows asked for: `None` for the saved query's own limit (unknown), negative for unlimited.
    pub limit: Option<i64>,
    /// Other run parameters (`apply_formatting`, `cache`, …) to send as given.
    pub params: Vec<(&'static str, String)>,
    /// Run in the dev workspace.
    pub dev_mode: bool,
    /// The query's fields in the caller's order, to order the columns.
    pub field_order: Vec<String>,
    /// Extra keys for the structured result (e.g. `query_id`).
    pub extra: Map<String, Value>,
    /// The result budget in characters (`Context::max_result_chars`), applied to JSON results
    /// while they are written.
    pub budget: Option<usize>,
}

/// The `limit` run parameter to send and whether the answer may need cutting, for a request
/// of `limit` rows under a cap of `max_rows`: within the cap the caller's limit goes as is;
/// beyond it (or unlimited, or unknown) one more row than the cap is asked for, to tell
/// whether anything was cut.
pub fn row_limit(limit: Option<i64>, max_rows: u32) -> (i64, bool) {
    let max = i64::from(max_rows);
    match limit {
        Some(n) if (0..=max).contains(&n) => (n, false),
        _ => (max + 1, true),
    }
}

/// Runs `target` in `format` and shapes the answer.
pub fn run(
    target: &Target,
    format: Format,
    options: RunOptions,
    max_rows: u32,
) -> Result<Output, ToolError> {
    let mut request = Request::get(target.path(format.looker_format())).dev_mode(options.dev_mode);
    let capped = if format.has_rows() {
        let (limit, capped) = row_limit(options.limit, max_rows);
        request = request.query("limit", limit);
        capped
    } else {
        if let Some(limit) = options.limit {
            request = request.query("limit", limit);
        }
        false
    };
    for (key, value) in &options.params {
        request = request.query(*key, value);
    }
    let response = request.send()?;
    let cap = capped.then_some(max_rows as usize);
    match format {
        Format::Json | Format::JsonDetail | Format::JsonFe | Format::JsonBi => {
            let flat = match format {
                Format::JsonBi => None,
                _ => pivot::flatten(&response.body)?,
            };
            let mut extra = options.extra;
            let mut notes = Vec::new();
            if let Some(flat) = &flat {
                if !flat.pivots.is_empty() {
                    let keys: Vec<&str> = flat
                        .pivots
                        .iter()
                        .filter_map(|p| p["key"].as_str())
                        .collect();
                    notes.push(format!(
                        "pivots (each measure has a column per pivot, `measure|pivot`): {}",
                        keys.join(", ")
                    ));
                    extra.insert("pivots".into(), Value::Array(flat.pivots.clone()));
                }
                if let Some(totals) = &flat.totals {
                    let shown: Vec<String> =
                        totals.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                    notes.push(format!("totals: {}", shown.join("; ")));
                    extra.insert("totals".into(), Value::Object(totals.clone()));
                }
            }
            let body = flat.as_ref().map_or(&response.body[..], |f| &f.body[..]);
            let mut table = Table::read(format, body, &options.field_order)?;
            let capped = table.cut(cap);
            let facts = Facts {
                format,
                capped,
                max_rows,
                extra: &extra,
                budget: options.budget,
                notes: &notes,
            };
            rows_output::write(&table, &facts)
        }
        _ => Ok(text_output(
            format,
            &response.text(),
            cap,
            max_rows,
            options.extra,
        )),
    }
}

/// `"12 rows"`, saying when `LOOKER_MAX_ROWS` cut the result.
pub fn summary_line(rows: usize, truncated: bool, max_rows: u32) -> String {
    let noun = if rows == 1 { "row" } else { "rows" };
    if truncated {
        format!(
            "{rows} {noun} (truncated: the result has more rows than this server's limit of \
             {max_rows}, LOOKER_MAX_ROWS; add filters or aggregate further to see the rest)"
        )
    } else {
        format!("{rows} {noun}")
    }
}

/// A text-format answer (csv, txt, md, html, sql), cut to `cap` rows when given.
pub fn text_output(
    format: Format,
    text: &str,
    cap: Option<usize>,
    max_rows: u32,
    extra: Map<String, Value>,
) -> Output {
    let mut structured = extra;
    structured.insert("format".into(), format.name().into());
    let (text, rows, truncated) = if format.has_rows() {
        let (text, rows, truncated) = cut_text(format, text, cap);
        structured.insert("row_count".into(), rows.into());
        (text, Some(rows), truncated)
    } else {
        (text.to_owned(), None, false)
    };
    structured.insert("truncated".into(), truncated.into());
    structured.insert("max_rows".into(), max_rows.into());
    structured.insert("text".into(), text.clone().into());
    let mut content = vec![Content::Text(text)];
    if truncated {
        content.push(Content::Text(summary_line(
            rows.unwrap_or_default(),
            true,
            max_rows,
        )));
    }
    Output {
        content,
        structured: Some(structured),
        structured_json: None,
    }
}

/// Cuts Looker's text output after the header and `cap` rows. Returns the text, the number of
/// rows it keeps and whether rows were cut.
pub fn cut_text(format: Format, text: &str, cap: Option<usize>) -> (String, usize, bool) {
    if format == Format::Html {
        return cut_html(text, cap);
    }
    let header = if format == Format::Md { 2 } else { 1 };
    let records = records(text, format == Format::Csv);
    let rows = records.len().saturating_sub(header);
    match cap {
        Some(cap) if rows > cap => {
            let end = records[header + cap - 1].1;
            (text[..end].to_owned(), cap, true)
        }
        _ => (text.to_owned(), rows, false),
    }
}

/// Byte ranges of the non-empty records (lines; with `quoted`, CSV records whose quoted
/// values may hold newlines), each including its line break.
fn records(text: &str, quoted: bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' if quoted => in_quotes = !in_quotes,
            '\n' if !in_quotes => {
                if !text[start..i].trim().is_empty() {
                    out.push((start, i + 1));
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    if !text[start..].trim().is_empty() {
        out.push((start, text.len()));
    }
    out
}

fn cut_html(text: &str, cap: Option<usize>) -> (String, usize, bool) {
    let starts: Vec<usize> = text.match_indices("<tr").map(|(i, _)| i).collect();
    let rows = starts.len().saturating_sub(1);
    match cap {
        Some(cap) if rows > cap => {
            let end = starts[cap + 1];
            (format!("{}</table>\n", &text[..end]), cap, true)
        }
        _ => (text.to_owned(), rows, false),
    }
}

/// The output schema of the tools that return rows.
pub fn rows_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "format": {"type": "string", "description": "The result format asked for."},
            "columns": {
                "type": "array",
                "description": "The result's fields, in order (JSON formats).",
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "description": "Full `view.field` name; the key of each row."},
                        "type": {"type": ["string", "null"], "description": "LookML type, e.g. `string`, `number`, `date_date`, `count`."},
                        "label": {"type": ["string", "null"], "description": "Label shown in Looker."}
                    },
                    "required": ["name"]
                }
            },
            "rows": {
                "type": "array",
                "description": "One object per row, keyed by field name (JSON formats). For `json_detail` and `json_fe` each value is Looker's cell (`value`, `rendered`, `links`).",
                "items": {"type": "object"}
            },
            "text": {"type": "string", "description": "Looker's answer, for the text formats (csv, txt, md, html, sql)."},
            "row_count": {"type": "integer", "description": "Rows returned."},
            "truncated": {"type": "boolean", "description": "True when rows beyond the server's LOOKER_MAX_ROWS were cut."},
            "max_rows": {"type": "integer", "description": "The server's LOOKER_MAX_ROWS."},
            "query_id": {"type": "string", "description": "Id of the saved query that ran (reuse it with run_query or render_query)."},
            "pivots": {
                "type": "array",
                "description": "For a pivoted query: each pivot's `key` (the suffix of its columns, `measure|key`; `row_total` for row totals) and the pivot dimensions' values (`data`).",
                "items": {"type": "object", "properties": {"key": {"type": "string"}, "data": {"type": "object"}, "is_total": {"type": ["boolean", "null"]}}}
            },
            "totals": {"type": "object", "description": "Column totals by column name (with `total`)."},
            "merge_query_id": {"type": "string", "description": "Id of the merged query that ran (reuse it with run_merge_query)."},
            "look_id": {"type": "string"}
        },
        "required": ["format", "truncated"]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_within_the_cap_go_as_is() {
        assert_eq!(row_limit(Some(10), 100), (10, false));
        assert_eq!(row_limit(Some(100), 100), (100, false));
        assert_eq!(row_limit(Some(101), 100), (101, true));
        assert_eq!(row_limit(Some(-1), 100), (101, true));
        assert_eq!(row_limit(None, 100), (101, true));
    }

    #[test]
    fn csv_is_cut_by_records_not_lines() {
        let csv = "Name,Note\na,\"x\ny\"\nb,2\nc,3\n";
        let (text, rows, cut) = cut_text(Format::Csv, csv, Some(2));
        assert_eq!(text, "Name,Note\na,\"x\ny\"\nb,2\n");
        assert_eq!((rows, cut), (2, true));
        assert_eq!(cut_text(Format::Csv, csv, Some(3)).1, 3);
        assert!(!cut_text(Format::Csv, csv, None).2);
    }

    #[test]
    fn markdown_and_html_keep_their_headers() {
        let md = "| a |\n| --- |\n| 1 |\n| 2 |\n";
        assert_eq!(
            cut_text(Format::Md, md, Some(1)),
            ("| a |\n| --- |\n| 1 |\n".to_owned(), 1, true)
        );
        let html =
            "<table>\n<tr><th>a</th></tr>\n<tr><td>1</td></tr>\n<tr><td>2</td></tr>\n</table>\n";
        let (text, rows, cut) = cut_text(Format::Html, html, Some(1));
        assert_eq!(
            text,
            "<table>\n<tr><th>a</th></tr>\n<tr><td>1</td></tr>\n</table>\n"
        );
        assert_eq!((rows, cut), (1, true));
    }
}

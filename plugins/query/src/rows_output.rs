//! A JSON query answer written as the tool's result, once and within the result budget: the
//! structured content goes straight to JSON text (no `Value` tree), the readable text is a
//! header (ids, row count, columns with types and labels) and a Markdown table, and rows stop
//! being written when either would pass `LOOKER_MAX_RESULT_CHARS`, the way the host would cut
//! them (`truncated`, `row_count` kept, `total_rows_before_budget`), so the host has nothing
//! left to cut.

use looker_mcp_plugin_sdk::{Content, Output, ToolError};
use serde_json::{Map, Value};

use crate::results::{Format, summary_line};
use crate::table::Table;

/// What the result says besides the rows.
pub struct Facts<'x> {
    pub format: Format,
    /// Rows were cut to `LOOKER_MAX_ROWS`.
    pub capped: bool,
    pub max_rows: u32,
    /// Keys for the structured result, e.g. `query_id`; string ones are shown in the text too.
    pub extra: &'x Map<String, Value>,
    /// The result budget in characters, if any.
    pub budget: Option<usize>,
    /// Lines for the text after the columns (pivots, totals).
    pub notes: &'x [String],
}

/// Characters of `text` (the budget counts characters, not bytes).
fn chars(text: &str) -> usize {
    text.bytes().filter(|b| b & 0xC0 != 0x80).count()
}

/// The structured result's members after `rows`.
fn tail(kept: usize, truncated: bool, total_before_budget: Option<usize>) -> String {
    let mut out = format!("],\"row_count\":{kept},\"truncated\":{truncated}");
    if let Some(total) = total_before_budget {
        out.push_str(&format!(",\"total_rows_before_budget\":{total}"));
    }
    out.push('}');
    out
}

/// The note that ends a text cut to the budget.
fn note(kept: usize, total: usize, budget: usize, shown: usize) -> String {
    format!(
        "… truncated: {kept} of {total} rows fit the result budget (LOOKER_MAX_RESULT_CHARS=\
         {budget}), {shown} characters shown; narrow fields, add filters or lower limit, or use \
         query_url"
    )
}

/// The tool result for `table` (already cut to `LOOKER_MAX_ROWS`).
pub fn write(table: &Table, facts: &Facts) -> Result<Output, ToolError> {
    let total = table.len();
    let mut structured = String::from("{");
    for (key, value) in facts.extra {
        structured.push_str(&Value::from(key.as_str()).to_string());
        structured.push(':');
        structured.push_str(&value.to_string());
        structured.push(',');
    }
    structured.push_str(&format!(
        "\"format\":\"{}\",\"max_rows\":{},\"columns\":{},\"rows\":[",
        facts.format.name(),
        facts.max_rows,
        Value::Array(table.columns_json())
    ));
    let mut text = String::new();
    for (key, value) in facts.extra {
        if let Value::String(value) = value {
            text.push_str(&format!("{key}: {value}\n"));
        }
    }
    text.push_str(&summary_line(total, facts.capped, facts.max_rows));
    text.push('\n');
    if !table.columns.is_empty() {
        text.push_str("columns: ");
        for (i, column) in table.columns.iter().enumerate() {
            if i > 0 {
                text.push_str("; ");
            }
            text.push_str(&column.name);
            match (&column.kind, &column.label) {
                (Some(kind), Some(label)) => text.push_str(&format!(" ({kind}, {label:?})")),
                (Some(kind), None) => text.push_str(&format!(" ({kind})")),
                (None, Some(label)) => text.push_str(&format!(" ({label:?})")),
                (None, None) => {}
            }
        }
        text.push('\n');
    }
    for note in facts.notes {
        text.push_str(note);
        text.push('\n');
    }
    table.write_markdown_header(&mut text);

    // Reserved for what a cut adds, with the widest numbers it can carry.
    let budget = facts.budget.unwrap_or(usize::MAX);
    let whole_tail = chars(&tail(total, facts.capped, None));
    let cut_tail = chars(&tail(total, true, Some(total)));
    let cut_note = chars(&note(total, total, budget, budget)) + 1;
    let (mut structured_chars, mut text_chars) = (chars(&structured), chars(&text));
    // Where the result can end if rows must be cut: (structured bytes, text bytes, rows).
    let fits_cut = |s: usize, t: usize| {
        s.saturating_add(cut_tail) <= budget && t.saturating_add(cut_note) <= budget
    };
    let head = (structured.len(), text.len());
    let mut cut_at =
        fits_cut(structured_chars, text_chars).then_some((structured.len(), text.len(), 0));
    let mut over = false;
    for i in 0..total {
        let row = table.row(i)?;
        let (s, t) = (structured.len(), text.len());
        if i > 0 {
            structured.push(',');
        }
        table.write_json_row(i, &row, &mut structured);
        table.write_markdown_row(&row, &mut text);
        if facts.budget.is_none() {
            continue;
        }
        structured_chars += chars(&structured[s..]);
        text_chars += chars(&text[t..]);
        if structured_chars.saturating_add(whole_tail) > budget || text_chars > budget {
            over = true;
            break;
        }
        if fits_cut(structured_chars, text_chars) {
            cut_at = Some((structured.len(), text.len(), i + 1));
        }
    }
    let (kept, budget_cut) = match (over, cut_at) {
        (false, _) => (total, false),
        (true, Some((s, t, kept))) => {
            structured.truncate(s);
            text.truncate(t);
            (kept, true)
        }
        // Not even the header fits: no rows, and the host's own cut decides the rest.
        (true, None) => {
            structured.truncate(head.0);
            text.truncate(head.1);
            (0, true)
        }
    };
    if budget_cut {
        structured.push_str(&tail(kept, true, Some(total)));
        let shown = chars(&text);
        text.push_str(&note(kept, total, budget, shown));
    } else {
        structured.push_str(&tail(kept, facts.capped, None));
    }
    Ok(Output {
        content: vec![Content::Text(text)],
        structured: None,
        structured_json: Some(structured),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn body(rows: usize) -> Vec<u8> {
        let data: Vec<Value> = (0..rows)
            .map(|i| json!({"o.id": {"value": i}, "o.note": {"value": format!("é{i}")}}))
            .collect();
        json!({
            "fields": {"dimensions": [
                {"name": "o.id", "type": "number", "label": "ID"},
                {"name": "o.note", "type": "string"}
            ]},
            "data": data
        })
        .to_string()
        .into_bytes()
    }

    fn run(rows: usize, budget: Option<usize>) -> (String, Value) {
        let body = body(rows);
        let table = Table::read(Format::Json, &body, &[]).unwrap();
        let extra = Map::from_iter([("query_id".to_owned(), json!("42"))]);
        let facts = Facts {
            format: Format::Json,
            capped: false,
            max_rows: 5000,
            extra: &extra,
            budget,
            notes: &[],
        };
        let out = write(&table, &facts).unwrap();
        let [Content::Text(text)] = out.content.as_slice() else {
            panic!("one text block")
        };
        let structured = out.structured_json.unwrap();
        assert_eq!(chars(&structured), structured.chars().count());
        (text.clone(), serde_json::from_str(&structured).unwrap())
    }

    #[test]
    fn the_text_names_the_query_the_rows_and_the_typed_columns() {
        let (text, s) = run(3, None);
        assert_eq!(
            text,
            "query_id: 42\n3 rows\ncolumns: o.id (number, \"ID\"); o.note (string)\n\
             | o.id | o.note |\n| --- | --- |\n| 0 | é0 |\n| 1 | é1 |\n| 2 | é2 |\n"
        );
        assert_eq!(s["query_id"], "42");
        assert_eq!(s["row_count"], 3);
        assert_eq!(s["truncated"], false);
        assert!(s.get("total_rows_before_budget").is_none());
        assert_eq!(s["rows"][2], json!({"o.id": 2, "o.note": "é2"}));
        assert_eq!(
            s["columns"][1],
            json!({"name": "o.note", "type": "string", "label": null})
        );
    }

    #[test]
    fn rows_stop_at_the_budget_and_the_cut_says_so() {
        let (text, s) = run(500, Some(2000));
        let kept = s["rows"].as_array().unwrap().len();
        assert!(kept > 10 && kept < 500, "{kept}");
        assert_eq!(s["row_count"], kept);
        assert_eq!(s["truncated"], true);
        assert_eq!(s["total_rows_before_budget"], 500);
        assert!(s.to_string().chars().count() <= 2000);
        assert!(text.chars().count() <= 2000, "{}", text.chars().count());
        assert!(
            text.contains(&format!("… truncated: {kept} of 500 rows")),
            "{text}"
        );
        assert!(text.contains("characters shown"), "{text}");
        let table_lines = text.lines().filter(|l| l.starts_with("| ")).count();
        assert_eq!(table_lines, kept + 2, "header, separator and the rows kept");
    }

    #[test]
    fn a_result_that_fits_is_whole_even_near_the_budget() {
        let (_, whole) = run(20, None);
        let size = whole.to_string().chars().count();
        let (_, s) = run(20, Some(size + 1));
        assert_eq!(s["row_count"], 20);
        assert_eq!(s["truncated"], false);
    }
}

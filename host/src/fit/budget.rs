//! The result budget: every successful tool result is bounded by characters as well as rows
//! (`LOOKER_MAX_RESULT_CHARS`, default [`super::DEFAULT_MAX_RESULT_CHARS`]; 0 turns it off).
//!
//! Why 100,000: Claude Code refuses MCP results over 25,000 tokens (`MAX_MCP_OUTPUT_TOKENS`),
//! and at the usual ~4 characters per token 100,000 characters sit at that cap; other clients'
//! context windows are the same order. A bigger default lets one result crowd out the
//! conversation; a much smaller one cuts tables an assistant legitimately needs. Dense JSON
//! tokenises worse than prose, so operators who see clients refuse results lower it.
//!
//! The budget applies to the text content (all text blocks together) and, separately, to the
//! structured content (as compact JSON):
//!
//! - structured content with a `rows` array keeps the first rows that fit, with `truncated:
//!   true`, `row_count` set to the rows kept and `total_rows_before_budget` to the rows there
//!   were; one with a `text` string has it cut at a line boundary; a tool without an output
//!   schema whose structured content still does not fit loses it (its text carries the result);
//! - text that mirrors the structured content (the JSON the SDK writes) is written again from
//!   the cut structured content;
//! - text over the budget is cut at a line boundary (or mid-line when a line is longer than
//!   half the budget) and ends with a note saying how much was shown and how to narrow the call.
//!
//! Each tool declares the budget as `_meta["anthropic/maxResultSizeChars"]`, which tells Claude
//! Code the size of result to expect from it.

use std::sync::Arc;

use rmcp::model::{CallToolResult, ContentBlock, Tool};
use serde_json::{Value, json};

/// The `_meta` key that declares a tool's result size to Claude Code.
pub const META_KEY: &str = "anthropic/maxResultSizeChars";

/// `tool` declaring the budget: the `_meta` hint, and in an output schema with `rows` the
/// fields a cut result sets.
pub fn declare(mut tool: Tool, budget: usize) -> Tool {
    if budget == 0 {
        return tool;
    }
    let mut meta = tool.meta.take().unwrap_or_default();
    meta.0.insert(META_KEY.into(), budget.into());
    tool.meta = Some(meta);
    if let Some(schema) = &tool.output_schema
        && let Some(Value::Object(properties)) = schema.get("properties")
        && properties.contains_key("rows")
    {
        let mut schema = (**schema).clone();
        if let Some(Value::Object(properties)) = schema.get_mut("properties") {
            for (name, property) in budget_properties() {
                properties.entry(name).or_insert(property);
            }
        }
        tool.output_schema = Some(Arc::new(schema));
    }
    tool
}

/// The output-schema properties a row cut sets.
fn budget_properties() -> Vec<(String, Value)> {
    vec![
        (
            "truncated".into(),
            json!({"type": "boolean", "description": "True when rows were cut."}),
        ),
        (
            "row_count".into(),
            json!({"type": "integer", "description": "Rows returned."}),
        ),
        (
            "total_rows_before_budget".into(),
            json!({"type": "integer", "description": "Rows there were before the server's LOOKER_MAX_RESULT_CHARS budget cut them; present only when it did."}),
        ),
    ]
}

/// Whether the text mirrors the structured content, and in which form.
#[derive(Clone, Copy, PartialEq)]
enum Mirror {
    None,
    Compact,
    Pretty,
}

fn render(value: &Value, mirror: Mirror) -> String {
    match mirror {
        Mirror::Pretty => serde_json::to_string_pretty(value).unwrap_or_default(),
        _ => value.to_string(),
    }
}

fn chars(text: &str) -> usize {
    text.chars().count()
}

/// Characters of `value` rendered as `mirror` says (`chars(&render(value, mirror))`), counted as
/// serde_json writes instead of in a copy: what is measured here is a large result, sometimes
/// many times over (the rows' bisection below).
fn rendered_chars(value: &Value, mirror: Mirror) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            // A character is a byte that does not continue a UTF-8 sequence.
            self.0 += bytes.iter().filter(|b| **b & 0xC0 != 0x80).count();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let written = match mirror {
        Mirror::Pretty => serde_json::to_writer_pretty(&mut count, value),
        _ => serde_json::to_writer(&mut count, value),
    };
    written.expect("counting cannot fail");
    count.0
}

fn text_chars(result: &CallToolResult) -> usize {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| chars(&t.text))
        .sum()
}

/// `result` within `budget` characters (see the module docs); `has_output_schema` says whether
/// its structured content must stay.
pub fn bound(mut result: CallToolResult, budget: usize, has_output_schema: bool) -> CallToolResult {
    if budget == 0 {
        return result;
    }
    let structured_chars = result
        .structured_content
        .as_ref()
        .map_or(0, |v| rendered_chars(v, Mirror::Compact));
    if text_chars(&result) <= budget && structured_chars <= budget {
        return result;
    }
    let mirror = match (&result.structured_content, result.content.as_slice()) {
        (Some(value), [only]) => match only.as_text() {
            // Compared as text: `Value == String` would compare a JSON string value instead.
            Some(t) if t.text == render(value, Mirror::Compact) => Mirror::Compact,
            Some(t) if t.text == render(value, Mirror::Pretty) => Mirror::Pretty,
            _ => Mirror::None,
        },
        _ => Mirror::None,
    };
    if let Some(structured) = result.structured_content.take() {
        let measure = if mirror == Mirror::None {
            Mirror::Compact
        } else {
            mirror
        };
        let structured = bound_structured(structured, budget, measure);
        let fits = rendered_chars(&structured, measure) <= budget;
        if fits || has_output_schema {
            if mirror != Mirror::None {
                result.content = vec![ContentBlock::text(render(&structured, mirror))];
            }
            result.structured_content = Some(structured);
        } else {
            tracing::debug!(budget, "dropped structured content over the result budget");
        }
    }
    bound_text(&mut result.content, budget);
    result
}

/// Structured content cut to `budget` where it has `rows` or a `text` to cut.
fn bound_structured(mut value: Value, budget: usize, measure: Mirror) -> Value {
    let size = |v: &Value| rendered_chars(v, measure);
    if size(&value) <= budget {
        return value;
    }
    let Value::Object(map) = &mut value else {
        return value;
    };
    if let Some(Value::Array(rows)) = map.remove("rows") {
        let total = rows.len();
        let with = |kept: usize| -> Value {
            let mut out = map.clone();
            out.insert("truncated".into(), true.into());
            out.insert("row_count".into(), kept.into());
            out.insert("total_rows_before_budget".into(), total.into());
            out.insert("rows".into(), Value::Array(rows[..kept].to_vec()));
            Value::Object(out)
        };
        // The most rows that fit, by bisection (each probe serialises the candidate).
        let (mut fits, mut over) = (0, total + 1);
        while over - fits > 1 {
            let mid = (fits + over) / 2;
            if size(&with(mid)) <= budget {
                fits = mid;
            } else {
                over = mid;
            }
        }
        return with(fits);
    }
    if let Some(Value::String(text)) = map.get("text").cloned() {
        map.insert("truncated".into(), true.into());
        // Escaping makes the JSON longer than the text: shrink until it fits.
        let mut keep = chars(&text);
        loop {
            let over = size(&value).saturating_sub(budget);
            if over == 0 || keep == 0 {
                break;
            }
            keep = keep.saturating_sub(over.max(16));
            if let Value::Object(map) = &mut value {
                map.insert("text".into(), cut_at_line(&text, keep).into());
            }
        }
    }
    value
}

/// The text blocks of `content` cut to `budget` characters in all, the note included.
fn bound_text(content: &mut Vec<ContentBlock>, budget: usize) {
    let total: usize = content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| chars(&t.text))
        .sum();
    if total <= budget {
        return;
    }
    // The note's own length, with the widest numbers it can carry.
    let room = budget.saturating_sub(chars(&note(total, total)));
    let mut used = 0;
    let mut cut_done = false;
    let mut out = Vec::with_capacity(content.len());
    for block in content.drain(..) {
        let Some(text) = block.as_text().map(|t| t.text.clone()) else {
            out.push(block);
            continue;
        };
        if cut_done {
            continue;
        }
        let len = chars(&text);
        if used + len <= room {
            used += len;
            out.push(block);
            continue;
        }
        let kept = cut_at_line(&text, room - used);
        used += chars(&kept);
        out.push(ContentBlock::text(format!("{kept}{}", note(used, total))));
        cut_done = true;
    }
    *content = out;
}

/// The note that ends a cut text.
fn note(shown: usize, total: usize) -> String {
    format!(
        "\n… truncated: {shown} of {total} characters shown; narrow fields, add filters or lower \
         limit, or use query_url"
    )
}

/// The longest prefix of `text` of at most `max` characters that ends at a line boundary; when
/// that would keep less than half of `max`, the first `max` characters.
pub fn cut_at_line(text: &str, max: usize) -> String {
    let end = text.char_indices().nth(max).map_or(text.len(), |(i, _)| i);
    if end == text.len() {
        return text.to_owned();
    }
    let prefix = &text[..end];
    match prefix.rfind('\n') {
        Some(at) if chars(&prefix[..at]) * 2 >= max => prefix[..at].to_owned(),
        _ => prefix.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;

    fn rows_result(n: usize) -> CallToolResult {
        let rows: Vec<Value> = (0..n).map(|i| json!({"orders.id": i})).collect();
        let structured =
            json!({"format": "json", "row_count": n, "truncated": false, "rows": rows});
        let table: String = (0..n).map(|i| format!("| {i} |\n")).collect();
        let mut result = CallToolResult::success(vec![ContentBlock::text(table)]);
        result.structured_content = Some(structured);
        result
    }

    fn text_of(result: &CallToolResult) -> String {
        result
            .content
            .iter()
            .filter_map(|c| c.as_text())
            .map(|t| t.text.clone())
            .collect()
    }

    #[test]
    fn rendered_json_is_counted_in_characters_without_a_copy() {
        let value = json!({"city": "Zürich → 東京", "quote": "say \"hi\"\n", "n": [1.5, null]});
        for mirror in [Mirror::Compact, Mirror::Pretty] {
            let rendered = render(&value, mirror);
            assert_eq!(rendered_chars(&value, mirror), chars(&rendered));
            assert_ne!(
                rendered_chars(&value, mirror),
                rendered.len(),
                "counts characters, not bytes"
            );
        }
    }

    #[test]
    fn results_within_the_budget_are_untouched() {
        let result = rows_result(3);
        let bounded = bound(result.clone(), 10_000, true);
        assert_eq!(bounded, result);
    }

    #[test]
    fn text_is_cut_at_a_line_boundary_with_a_note() {
        let bounded = bound(rows_result(1000), 2000, true);
        let text = text_of(&bounded);
        assert!(chars(&text) <= 2000, "{}", chars(&text));
        let (kept, note) = text.split_once("\n…").unwrap();
        assert!(kept.ends_with(" |"), "{kept}");
        assert!(note.contains("truncated:") && note.contains("characters shown"));
    }

    #[test]
    fn structured_rows_keep_what_fits_and_say_so() {
        let bounded = bound(rows_result(1000), 2000, true);
        let s = bounded.structured_content.unwrap();
        assert!(s.to_string().len() <= 2000);
        let kept = s["rows"].as_array().unwrap().len();
        assert!(kept > 10 && kept < 1000, "{kept}");
        assert_eq!(s["row_count"], kept);
        assert_eq!(s["truncated"], true);
        assert_eq!(s["total_rows_before_budget"], 1000);
        assert_eq!(s["rows"][0], json!({"orders.id": 0}));
    }

    #[test]
    fn mirrored_json_text_is_written_again_from_the_cut_rows() {
        let rows: Vec<Value> = (0..1000).map(|i| json!({"id": i})).collect();
        let value = json!({"rows": rows});
        let mut result = CallToolResult::success(vec![ContentBlock::text(value.to_string())]);
        result.structured_content = Some(value);
        let bounded = bound(result, 3000, false);
        let text = text_of(&bounded);
        let parsed: Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(Some(&parsed), bounded.structured_content.as_ref());
        assert_eq!(parsed["truncated"], true);
    }

    #[test]
    fn oversized_structured_content_without_rows_is_dropped_without_an_output_schema() {
        let value = json!({"result": "x".repeat(5000)});
        let mut result = CallToolResult::success(vec![ContentBlock::text(value.to_string())]);
        result.structured_content = Some(value.clone());
        let bounded = bound(result.clone(), 1000, false);
        assert!(bounded.structured_content.is_none());
        assert!(chars(&text_of(&bounded)) <= 1000);
        let kept = bound(result, 1000, true);
        assert_eq!(
            kept.structured_content,
            Some(value),
            "required by the schema"
        );
    }

    #[test]
    fn a_structured_text_field_is_cut() {
        let csv: String = (0..1000).map(|i| format!("{i},a\n")).collect();
        let value = json!({"format": "csv", "truncated": false, "text": csv});
        let mut result = CallToolResult::success(vec![ContentBlock::text(csv.clone())]);
        result.structured_content = Some(value);
        let bounded = bound(result, 1500, true);
        let s = bounded.structured_content.unwrap();
        assert!(chars(&s.to_string()) <= 1500);
        assert_eq!(s["truncated"], true);
        assert!(s["text"].as_str().unwrap().ends_with(",a"));
    }

    #[test]
    fn long_lines_are_cut_mid_line() {
        assert_eq!(cut_at_line("abcdefghij", 4), "abcd");
        assert_eq!(cut_at_line("ab\ncdefghij", 8), "ab\ncdefg");
        assert_eq!(cut_at_line("abcdef\nghij", 8), "abcdef");
        assert_eq!(cut_at_line("short", 8), "short");
    }

    #[test]
    fn declares_the_budget_and_the_cut_fields() {
        let schema = json!({"type": "object", "properties": {"rows": {"type": "array"}}});
        let tool = Tool::new(
            "t",
            "d",
            Arc::new(Map::from_iter([("type".into(), json!("object"))])),
        )
        .with_raw_output_schema(Arc::new(schema.as_object().unwrap().clone()));
        let tool = declare(tool, 1234);
        assert_eq!(tool.meta.unwrap().0[META_KEY], 1234);
        let props = &tool.output_schema.unwrap()["properties"];
        assert_eq!(props["total_rows_before_budget"]["type"], "integer");
    }
}

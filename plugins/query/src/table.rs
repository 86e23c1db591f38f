//! Looker's JSON answers (`json_detail`, `json_bi`) read in place: the field metadata becomes
//! typed columns, and each row stays a slice of the response body until it is shown, so no
//! `Value` is built per row or per cell, and rows that are never shown are only scanned.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use looker_mcp_plugin_sdk::ToolError;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::results::Format;

/// One result column: the field's full name, LookML type and label.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub kind: Option<String>,
    pub label: Option<String>,
}

impl Column {
    /// The column as the structured result lists it.
    pub fn to_json(&self) -> Value {
        json!({"name": self.name, "type": self.kind, "label": self.label})
    }

    fn from_meta(meta: &Value) -> Self {
        let text = |key: &str| meta.get(key).and_then(Value::as_str).map(str::to_owned);
        Self {
            name: text("name").unwrap_or_default(),
            kind: text("type"),
            label: text("label").or_else(|| text("label_short")),
        }
    }
}

/// Looker's answer with the rows left as JSON text.
#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(borrow, default)]
    data: Rows<'a>,
    #[serde(borrow, default)]
    rows: Rows<'a>,
    #[serde(default)]
    fields: Value,
    #[serde(default)]
    metadata: Value,
}

/// An array's items as JSON text, read in the same pass as the rest of the answer; `None`
/// when the member is not an array.
#[derive(Default)]
struct Rows<'a>(Option<Vec<&'a RawValue>>);

impl<'de: 'a, 'a> Deserialize<'de> for Rows<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Items<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Items<'a> {
            type Value = Rows<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Rows<'a>, S::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Rows(Some(items)))
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Rows<'a>, M::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Rows(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Rows<'a>, E> {
                Ok(Rows(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Rows<'a>, E> {
                Ok(Rows(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Rows<'a>, E> {
                Ok(Rows(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Rows<'a>, E> {
                Ok(Rows(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Rows<'a>, E> {
                Ok(Rows(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Rows<'a>, E> {
                Ok(Rows(None))
            }
        }
        deserializer.deserialize_any(Items(PhantomData))
    }
}

/// A JSON result: columns in the caller's order and the rows, unparsed.
pub struct Table<'a> {
    pub columns: Vec<Column>,
    rows: Vec<&'a RawValue>,
    /// `json` keeps each cell's plain value; the other formats keep Looker's cells.
    plain: bool,
}

impl<'a> Table<'a> {
    /// Reads Looker's `json_detail` (`{data, fields}`) or, for `json_bi`, `{metadata, rows}`
    /// answer from `body`, with the columns sorted by `order` (names not in it go last).
    pub fn read(format: Format, body: &'a [u8], order: &[String]) -> Result<Self, ToolError> {
        let no_rows = || {
            ToolError::internal(format!(
                "Looker's {} answer has no rows: {}",
                format.looker_format(),
                shorten(&String::from_utf8_lossy(&body[..body.len().min(1200)]), 300)
            ))
        };
        let answer: Answer<'a> = serde_json::from_slice(body).map_err(|_| no_rows())?;
        let (fields, rows) = if format == Format::JsonBi {
            (&answer.metadata["fields"], answer.rows)
        } else {
            (&answer.fields, answer.data)
        };
        let rows = rows.0.ok_or_else(no_rows)?;
        let mut columns: Vec<Column> = ["dimensions", "measures", "table_calculations"]
            .iter()
            .flat_map(|kind| fields[*kind].as_array().into_iter().flatten())
            .map(Column::from_meta)
            .collect();
        if columns.is_empty()
            && let Some(first) = rows.first()
        {
            columns = Row::parse(first)?
                .cells
                .into_iter()
                .map(|(name, _)| Column {
                    name: name.into_owned(),
                    kind: None,
                    label: None,
                })
                .collect();
        }
        if !order.is_empty() {
            let rank = |c: &Column| {
                order
                    .iter()
                    .position(|o| *o == c.name)
                    .unwrap_or(usize::MAX)
            };
            columns.sort_by_key(rank);
        }
        Ok(Self {
            columns,
            rows,
            plain: format == Format::Json,
        })
    }

    /// Rows in the answer.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Keeps the first `cap` rows if given; returns whether rows were cut.
    pub fn cut(&mut self, cap: Option<usize>) -> bool {
        match cap {
            Some(cap) if self.rows.len() > cap => {
                self.rows.truncate(cap);
                true
            }
            _ => false,
        }
    }

    /// The columns as the structured result lists them.
    pub fn columns_json(&self) -> Vec<Value> {
        self.columns.iter().map(Column::to_json).collect()
    }

    /// Row `i` parsed into its cells (names and unparsed values).
    pub fn row(&self, i: usize) -> Result<Row<'a>, ToolError> {
        Row::parse(self.rows[i])
    }

    /// Appends row `i` as the structured result shows it (JSON): Looker's row as it came, or for
    /// `json` an object of each cell's plain value.
    pub fn write_json_row(&self, i: usize, row: &Row<'a>, out: &mut String) {
        let raw = self.rows[i];
        if !self.plain || !row.is_object {
            out.push_str(raw.get());
            return;
        }
        out.push('{');
        for (n, (name, cell)) in row.cells.iter().enumerate() {
            if n > 0 {
                out.push(',');
            }
            push_json_string(out, name, matches!(name, Cow::Borrowed(_)));
            out.push(':');
            out.push_str(plain_value(cell).get());
        }
        out.push('}');
    }

    /// Appends row `i` as one Markdown table line, cells in column order.
    pub fn write_markdown_row(&self, row: &Row<'a>, out: &mut String) {
        out.push('|');
        for (c, column) in self.columns.iter().enumerate() {
            out.push(' ');
            if let Some(cell) = row.get(&column.name, c) {
                push_display(out, cell);
            }
            out.push_str(" |");
        }
        out.push('\n');
    }

    /// The Markdown table's header: field names, then the separator line.
    pub fn write_markdown_header(&self, out: &mut String) {
        if self.columns.is_empty() {
            return;
        }
        out.push('|');
        for column in &self.columns {
            out.push(' ');
            push_escaped_cell(out, &column.name);
            out.push_str(" |");
        }
        out.push_str("\n|");
        out.push_str(&" --- |".repeat(self.columns.len()));
        out.push('\n');
    }
}

/// One row's cells: names and unparsed values, in Looker's order.
pub struct Row<'a> {
    cells: Vec<(Cow<'a, str>, &'a RawValue)>,
    /// False for a row that is not a JSON object (kept as it came, shown empty).
    is_object: bool,
}

impl<'a> Row<'a> {
    fn parse(raw: &'a RawValue) -> Result<Self, ToolError> {
        if !raw.get().trim_start().starts_with('{') {
            return Ok(Self {
                cells: Vec::new(),
                is_object: false,
            });
        }
        let Cells(cells) = serde_json::from_str(raw.get())
            .map_err(|e| ToolError::internal(format!("Looker sent a row that is not JSON: {e}")))?;
        Ok(Self {
            cells,
            is_object: true,
        })
    }

    /// The cell named `name`, looked for first at `hint` (rows usually keep the column order).
    fn get(&self, name: &str, hint: usize) -> Option<&'a RawValue> {
        match self.cells.get(hint) {
            Some((n, cell)) if n == name => Some(cell),
            _ => self.cells.iter().find(|(n, _)| n == name).map(|(_, c)| *c),
        }
    }
}

/// A row object's members, without parsing their values.
struct Cells<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Cells<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = Cells<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Cells<'de>, M::Error> {
                let mut cells = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(Text(name)) = map.next_key()? {
                    cells.push((name, map.next_value()?));
                }
                Ok(Cells(cells))
            }
        }
        deserializer.deserialize_map(Members)
    }
}

/// A JSON string, borrowed from the body unless it had escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Str;
        impl<'de> Visitor<'de> for Str {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s)))
            }
        }
        deserializer.deserialize_str(Str)
    }
}

/// A `json_detail` cell (`{"value": .., "rendered": .., "links": ..}`), its values unparsed.
#[derive(Deserialize)]
struct Cell<'a> {
    #[serde(borrow, default, deserialize_with = "present")]
    value: Option<&'a RawValue>,
    #[serde(borrow, default)]
    rendered: Option<&'a RawValue>,
}

/// A member that is present, even when it is `null`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

fn cell(raw: &RawValue) -> Option<Cell<'_>> {
    if !raw.get().starts_with('{') {
        return None;
    }
    serde_json::from_str::<Cell>(raw.get())
        .ok()
        .filter(|c| c.value.is_some())
}

/// The plain value of a `json_detail` cell, or the cell itself when it is a plain value.
fn plain_value(raw: &RawValue) -> &RawValue {
    cell(raw).and_then(|c| c.value).unwrap_or(raw)
}

/// Appends a cell as the Markdown table shows it: Looker's rendered text when it gave one,
/// else the value; `null` as nothing.
fn push_display(out: &mut String, raw: &RawValue) {
    let shown = match cell(raw) {
        Some(Cell {
            rendered: Some(rendered),
            ..
        }) if rendered.get().starts_with('"') => rendered,
        Some(Cell {
            value: Some(value), ..
        }) => value,
        _ => raw,
    };
    let text = shown.get();
    match text.as_bytes().first() {
        Some(b'"') => {
            if let Ok(Text(s)) = serde_json::from_str::<Text>(text) {
                push_escaped_cell(out, &s);
            }
        }
        Some(b'n') => {}
        Some(b't' | b'f') => out.push_str(text),
        _ => {
            // Numbers and nested values print as serde_json prints them (e.g. `1.50` as `1.5`).
            if let Ok(value) = serde_json::from_str::<Value>(text) {
                push_escaped_cell(out, &value.to_string());
            }
        }
    }
}

/// `text` as a Markdown table cell: `|` escaped, line breaks as spaces.
fn push_escaped_cell(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
}

/// Appends `text` as a JSON string; `verbatim` when it was read without escapes from valid
/// JSON, so nothing in it needs escaping.
fn push_json_string(out: &mut String, text: &str, verbatim: bool) {
    if verbatim {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        out.push_str(&Value::from(text).to_string());
    }
}

pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail() -> Vec<u8> {
        json!({
            "fields": {
                "dimensions": [{"name": "o.status", "label": "Status", "type": "string"}],
                "measures": [{"name": "o.count", "label_short": "Count", "type": "count"}],
                "table_calculations": []
            },
            "data": [
                {"o.status": {"value": "done", "rendered": "Done", "links": [{"url": "/x"}]}, "o.count": {"value": 3}},
                {"o.count": {"value": 1.50}, "o.status": {"value": "a|b\nc", "rendered": null}},
                {"o.status": {"value": null}, "o.count": {"value": 0}}
            ]
        })
        .to_string()
        .into_bytes()
    }

    fn lines(table: &Table) -> String {
        let mut out = String::new();
        table.write_markdown_header(&mut out);
        for i in 0..table.len() {
            table.write_markdown_row(&table.row(i).unwrap(), &mut out);
        }
        out
    }

    fn json_rows(table: &Table) -> Value {
        let mut out = String::from("[");
        for i in 0..table.len() {
            if i > 0 {
                out.push(',');
            }
            table.write_json_row(i, &table.row(i).unwrap(), &mut out);
        }
        out.push(']');
        serde_json::from_str(&out).unwrap()
    }

    #[test]
    fn json_keeps_plain_values_in_the_callers_column_order() {
        let body = detail();
        let order = vec!["o.count".to_owned(), "o.status".to_owned()];
        let t = Table::read(Format::Json, &body, &order).unwrap();
        assert_eq!(
            t.columns_json(),
            vec![
                json!({"name": "o.count", "type": "count", "label": "Count"}),
                json!({"name": "o.status", "type": "string", "label": "Status"}),
            ]
        );
        assert_eq!(
            json_rows(&t),
            json!([
                {"o.status": "done", "o.count": 3},
                {"o.count": 1.5, "o.status": "a|b\nc"},
                {"o.status": null, "o.count": 0}
            ])
        );
        assert_eq!(
            lines(&t),
            "| o.count | o.status |\n| --- | --- |\n| 3 | Done |\n| 1.5 | a\\|b c |\n| 0 |  |\n"
        );
    }

    #[test]
    fn json_detail_keeps_lookers_cells() {
        let body = detail();
        let t = Table::read(Format::JsonDetail, &body, &[]).unwrap();
        let rows = json_rows(&t);
        assert_eq!(rows[0]["o.status"]["rendered"], "Done");
        assert_eq!(rows[0]["o.status"]["links"][0]["url"], "/x");
    }

    #[test]
    fn escaped_names_and_rows_without_metadata() {
        let body = br#"{"data": [{"a\"b": {"value": "x"}, "c": 1}, [1, 2]]}"#;
        let t = Table::read(Format::Json, body, &[]).unwrap();
        assert_eq!(t.columns[0].name, "a\"b");
        assert_eq!(t.columns[1].kind, None);
        assert_eq!(json_rows(&t), json!([{"a\"b": "x", "c": 1}, [1, 2]]));
        assert!(lines(&t).ends_with("| x | 1 |\n|  |  |\n"), "{}", lines(&t));
    }

    #[test]
    fn json_bi_reads_its_metadata() {
        let body = json!({
            "metadata": {"fields": {"dimensions": [{"name": "o.id", "type": "number"}]}},
            "rows": [{"o.id": 7}]
        })
        .to_string();
        let t = Table::read(Format::JsonBi, body.as_bytes(), &[]).unwrap();
        assert_eq!(t.columns[0].kind.as_deref(), Some("number"));
        assert_eq!(json_rows(&t), json!([{"o.id": 7}]));
    }

    #[test]
    fn an_answer_without_rows_is_an_error_that_quotes_it() {
        let odd = br#"{"message": "odd", "rows": {"a": [1]}, "data": "x"}"#;
        let error = Table::read(Format::Json, odd, &[])
            .err()
            .unwrap()
            .to_string();
        assert!(
            error.contains("has no rows") && error.contains("odd"),
            "{error}"
        );
    }
}

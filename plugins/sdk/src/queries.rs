//! Query bodies: the semantic-layer query an assistant describes ([`QuerySpec`]: model,
//! explore, fields, filters, sorts), and queries on Looker's own `system__activity` model
//! ([`Activity`]), run inline with an explicit row limit. Filter values are encoded by
//! [`crate::filters`].

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::looker::Request;
use crate::{ToolError, filters};

/// The semantic-layer query an assistant describes: model, explore, fields, filters, sorts.
#[derive(Debug, Deserialize)]
pub struct QuerySpec {
    /// LookML model.
    pub model: String,
    /// Explore.
    pub view: String,
    /// `view.field` names.
    pub fields: Vec<String>,
    /// `{"view.field": expression or [values]}`.
    #[serde(default)]
    pub filters: Option<Map<String, Value>>,
    /// `["view.field desc", ...]`.
    #[serde(default)]
    pub sorts: Option<Vec<String>>,
}

impl QuerySpec {
    /// The `Query` body for `POST /queries`, with filter values encoded by the SDK and `limit`
    /// as the string Looker expects.
    pub fn body(&self, limit: Option<i64>) -> Result<Value, ToolError> {
        for (what, value) in [("model", &self.model), ("view", &self.view)] {
            if value.trim().is_empty() {
                return Err(ToolError::invalid_arguments(format!(
                    "`{what}` must not be empty"
                )));
            }
        }
        if self.fields.iter().all(|f| f.trim().is_empty()) {
            return Err(ToolError::invalid_arguments(
                "`fields` must name at least one `view.field`, e.g. [\"orders.status\", \"orders.count\"]",
            ));
        }
        let mut body = json!({"model": self.model, "view": self.view, "fields": self.fields});
        if let Some(filters) = self.filters.as_ref().filter(|f| !f.is_empty()) {
            body["filters"] = Value::Object(filters::encode_filters(filters)?);
        }
        if let Some(sorts) = self.sorts.as_ref().filter(|s| !s.is_empty()) {
            body["sorts"] = json!(sorts);
        }
        if let Some(limit) = limit {
            body["limit"] = Value::String(limit.to_string());
        }
        Ok(body)
    }
}

/// The rest of Looker's query language, beside [`QuerySpec`]: pivots, custom fields and table
/// calculations, a custom filter, a time zone, totals and filled dates. The same argument names
/// on every tool that builds a query (`query`, `query_sql`, `query_url`, `create_look`,
/// `add_dashboard_element`).
#[derive(Debug, Default, Deserialize)]
pub struct QueryOptions {
    /// Dimensions whose values become columns; each must be in `fields`.
    #[serde(default)]
    pub pivots: Option<Vec<String>>,
    /// Custom dimensions and measures and table calculations: a JSON array, or that array as
    /// JSON text (what Looker stores). Checked by [`dynamic_fields`].
    #[serde(default)]
    pub dynamic_fields: Option<Value>,
    /// A Looker custom filter expression, e.g. `${orders.amount} > 100 OR ${orders.status} = "x"`.
    #[serde(default)]
    pub filter_expression: Option<String>,
    /// IANA time zone the query runs in, e.g. `America/Chicago`.
    #[serde(default)]
    pub query_timezone: Option<String>,
    /// Add a totals row.
    #[serde(default)]
    pub total: Option<bool>,
    /// Row totals of a pivoted query (`right`).
    #[serde(default)]
    pub row_total: Option<String>,
    /// Date dimensions whose gaps are filled; each must be in `fields`.
    #[serde(default)]
    pub fill_fields: Option<Vec<String>>,
}

impl QueryOptions {
    /// Adds the options given to a `Query` body that already has its `fields`, after checking
    /// them: pivots and fill fields must be among the fields, row totals need pivots, and
    /// `dynamic_fields` must describe known kinds of field. Unset options are left out, so
    /// Looker applies its defaults.
    pub fn apply(&self, body: &mut Value) -> Result<(), ToolError> {
        let fields: Vec<&str> = body["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let dynamic = match &self.dynamic_fields {
            Some(value) => Some(dynamic_fields(value)?),
            None => None,
        };
        let custom = dynamic
            .as_ref()
            .map(|d| d.names.clone())
            .unwrap_or_default();
        for (what, list) in [("pivots", &self.pivots), ("fill_fields", &self.fill_fields)] {
            for name in list.iter().flatten() {
                if !fields.contains(&name.as_str()) && !custom.contains(name) {
                    return Err(ToolError::invalid_arguments(format!(
                        "`{what}`: {name:?} is not in `fields`; add it there too (Looker pivots and \
                         fills only fields the query selects)"
                    )));
                }
            }
        }
        let pivoted = self.pivots.as_ref().is_some_and(|p| !p.is_empty());
        if let Some(row_total) = &self.row_total {
            if row_total.trim().is_empty() {
                return Err(ToolError::invalid_arguments(
                    "`row_total` must be `right` (or left out)",
                ));
            }
            if !pivoted {
                return Err(ToolError::invalid_arguments(
                    "`row_total` needs `pivots`: row totals add up the pivoted columns",
                ));
            }
        }
        for (key, list) in [("pivots", &self.pivots), ("fill_fields", &self.fill_fields)] {
            if let Some(list) = list.as_ref().filter(|l| !l.is_empty()) {
                body[key] = json!(list);
            }
        }
        if let Some(dynamic) = dynamic {
            body["dynamic_fields"] = Value::String(dynamic.text);
        }
        for (key, text) in [
            ("filter_expression", &self.filter_expression),
            ("query_timezone", &self.query_timezone),
            ("row_total", &self.row_total),
        ] {
            if let Some(text) = text.as_ref().filter(|t| !t.trim().is_empty()) {
                body[key] = Value::String(text.clone());
            }
        }
        if let Some(total) = self.total {
            body["total"] = Value::Bool(total);
        }
        Ok(())
    }
}

/// Checked `dynamic_fields`: the JSON text Looker stores and the names of the fields it adds.
#[derive(Debug, PartialEq)]
pub struct DynamicFields {
    /// The array as JSON text (Looker's `dynamic_fields` is a string).
    pub text: String,
    /// The names the entries add (usable in `fields`, `sorts` and `pivots`).
    pub names: Vec<String>,
}

/// The aggregations a custom measure built on a field can use (Looker's custom-measure types).
pub const CUSTOM_MEASURE_TYPES: &[&str] = &[
    "count",
    "count_distinct",
    "sum",
    "sum_distinct",
    "average",
    "average_distinct",
    "min",
    "max",
    "median",
    "list",
];

/// Checks `dynamic_fields` — a JSON array (or that array as JSON text) of objects, each one
/// `{"table_calculation": name, "expression": ..}`, `{"dimension": name, "expression": ..}` or
/// `{"measure": name, "based_on": "view.field", "type": "sum"}` (or with an `expression`) — and
/// returns it as the text Looker stores. The error names the first bad entry.
pub fn dynamic_fields(value: &Value) -> Result<DynamicFields, ToolError> {
    let parsed;
    let entries = match value {
        Value::Array(entries) => entries,
        Value::String(text) => {
            parsed = serde_json::from_str::<Value>(text).map_err(|e| {
                ToolError::invalid_arguments(format!(
                    "`dynamic_fields` is not valid JSON ({e}); give a JSON array of field objects"
                ))
            })?;
            match &parsed {
                Value::Array(entries) => entries,
                _ => {
                    return Err(ToolError::invalid_arguments(
                        "`dynamic_fields` must be a JSON array of field objects",
                    ));
                }
            }
        }
        _ => {
            return Err(ToolError::invalid_arguments(
                "`dynamic_fields` must be a JSON array of field objects",
            ));
        }
    };
    let mut names: Vec<String> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let name = dynamic_field(entry)
            .map_err(|why| ToolError::invalid_arguments(format!("`dynamic_fields[{i}]`: {why}")))?;
        if names.contains(&name) {
            return Err(ToolError::invalid_arguments(format!(
                "`dynamic_fields[{i}]`: the name {name:?} is used twice"
            )));
        }
        names.push(name);
    }
    Ok(DynamicFields {
        text: Value::Array(entries.clone()).to_string(),
        names,
    })
}

/// Checks one `dynamic_fields` entry; its name, or why it is refused.
fn dynamic_field(entry: &Value) -> Result<String, String> {
    const KINDS: [&str; 3] = ["table_calculation", "measure", "dimension"];
    let Value::Object(map) = entry else {
        return Err(format!("expected an object, got {entry}"));
    };
    let kinds: Vec<&str> = KINDS.into_iter().filter(|k| map.contains_key(*k)).collect();
    let kind = match kinds.as_slice() {
        [kind] => *kind,
        [] => {
            return Err(
                "names no kind: give one of `table_calculation`, `measure` or `dimension` with \
                 the new field's name"
                    .to_owned(),
            );
        }
        several => return Err(format!("names several kinds ({})", several.join(", "))),
    };
    let name = match &map[kind] {
        Value::String(n) if !n.trim().is_empty() && !n.contains(char::is_whitespace) => n.clone(),
        other => {
            return Err(format!(
                "`{kind}` must be the new field's name, got {other}"
            ));
        }
    };
    let what = format!("{kind} {name:?}");
    if let Some(category) = map.get("category")
        && category != kind
    {
        return Err(format!("{what}: `category` {category} does not match"));
    }
    let text = |key: &str| match map.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.as_str())),
        None | Some(Value::Null) => Ok(None),
        Some(other) => Err(format!("{what}: `{key}` must be a string, got {other}")),
    };
    text("label")?;
    let expression = text("expression")?;
    match kind {
        "measure" if expression.is_none() => {
            let based_on = text("based_on")?;
            let ty = text("type")?;
            match (based_on, ty) {
                (Some(field), Some(ty))
                    if CUSTOM_MEASURE_TYPES.contains(&ty) && field.contains('.') => {}
                (Some(_), Some(ty)) if !CUSTOM_MEASURE_TYPES.contains(&ty) => {
                    return Err(format!(
                        "{what}: unknown `type` {ty:?}; one of {}",
                        CUSTOM_MEASURE_TYPES.join(", ")
                    ));
                }
                _ => {
                    return Err(format!(
                        "{what}: needs `based_on` (the `view.field` it aggregates) and `type` \
                         (one of {}), or an `expression`",
                        CUSTOM_MEASURE_TYPES.join(", ")
                    ));
                }
            }
        }
        "measure" => {}
        _ if expression.is_none() => {
            return Err(format!(
                "{what}: needs an `expression`, e.g. \"${{orders.amount}} / ${{orders.count}}\""
            ));
        }
        _ => {}
    }
    Ok(name)
}

/// The model holding Looker's usage data.
pub const SYSTEM_ACTIVITY: &str = "system__activity";

/// One `system__activity` query.
pub struct Activity {
    view: &'static str,
    fields: Vec<&'static str>,
    filters: Map<String, Value>,
    sorts: Vec<String>,
    limit: u32,
}

impl Activity {
    /// A query on explore `view` returning at most `limit` rows.
    pub fn new(view: &'static str, fields: &[&'static str], limit: u32) -> Self {
        Self {
            view,
            fields: fields.to_vec(),
            filters: Map::new(),
            sorts: Vec::new(),
            limit,
        }
    }

    /// Adds a filter already written in Looker's filter syntax.
    pub fn filter(mut self, field: &str, value: impl Into<String>) -> Self {
        self.filters
            .insert(field.to_owned(), Value::String(value.into()));
        self
    }

    /// Adds a filter matching exactly `value` (escaped: `_`, `%` and `,` are literal).
    pub fn equals(self, field: &str, value: &str) -> Self {
        let literal = filters::literal(value);
        self.filter(field, literal)
    }

    /// Sorts by `field`, descending.
    pub fn sort_desc(mut self, field: &str) -> Self {
        self.sorts.push(format!("{field} desc"));
        self
    }

    /// The `Query` body.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "model": SYSTEM_ACTIVITY,
            "view": self.view,
            "fields": self.fields,
            "limit": self.limit.to_string(),
        });
        if !self.filters.is_empty() {
            body["filters"] = Value::Object(self.filters.clone());
        }
        if !self.sorts.is_empty() {
            body["sorts"] = json!(self.sorts);
        }
        body
    }

    /// Runs the query; the rows as JSON objects keyed by field name.
    pub fn rows(&self) -> Result<Vec<Value>, ToolError> {
        let answer: Value = Request::post("/queries/run/json")
            .body(&self.body())
            .send()?
            .json()?;
        match answer {
            Value::Array(rows) => Ok(rows),
            Value::Object(map) if map.contains_key("looker_error") => Err(ToolError::internal(
                format!("system__activity query failed: {}", map["looker_error"]),
            )),
            other => Err(ToolError::internal(format!(
                "system__activity answered with {other}, not rows"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn body_has_an_explicit_limit_and_escaped_literals() {
        let body = Activity::new("history", &["query.model", "history.query_run_count"], 50)
            .filter("history.created_date", "7 days")
            .equals("query.model", "my_model")
            .sort_desc("history.query_run_count")
            .body();
        assert_eq!(body["limit"], "50");
        assert_eq!(body["model"], "system__activity");
        assert_eq!(body["filters"]["query.model"], "my^_model");
        assert_eq!(body["sorts"], json!(["history.query_run_count desc"]));
    }

    #[test]
    fn dynamic_fields_name_the_bad_entry() {
        let ok = json!([
            {"table_calculation": "share", "expression": "${orders.count} / sum(${orders.count})"},
            {"measure": "total_amount", "based_on": "orders.amount", "type": "sum"},
            {"dimension": "big", "expression": "${orders.amount} > 100", "category": "dimension"}
        ]);
        let checked = dynamic_fields(&ok).unwrap();
        assert_eq!(checked.names, ["share", "total_amount", "big"]);
        assert_eq!(
            dynamic_fields(&Value::String(checked.text.clone())).unwrap(),
            checked
        );
        for (bad, needle) in [
            (
                json!([{"label": "x"}]),
                "`dynamic_fields[0]`: names no kind",
            ),
            (
                json!([{"table_calculation": "t"}]),
                "table_calculation \"t\": needs an `expression`",
            ),
            (
                json!([{"measure": "m", "based_on": "orders.amount", "type": "mode"}]),
                "unknown `type` \"mode\"",
            ),
            (json!([{"measure": "m", "type": "sum"}]), "needs `based_on`"),
            (
                json!([ok[0], ok[0]]),
                "`dynamic_fields[1]`: the name \"share\" is used twice",
            ),
            (json!([{"dimension": "d", "measure": "m"}]), "several kinds"),
            (json!("{not json"), "not valid JSON"),
            (json!({"a": 1}), "must be a JSON array"),
        ] {
            let error = dynamic_fields(&bad).unwrap_err().to_string();
            assert!(error.contains(needle), "{needle}: {error}");
        }
    }

    #[test]
    fn options_are_checked_against_the_fields() {
        let mut body = json!({"fields": ["orders.status", "orders.created_month", "orders.count"]});
        let options: QueryOptions = serde_json::from_value(json!({
            "pivots": ["orders.created_month"], "row_total": "right", "total": true,
            "query_timezone": "America/Chicago", "filter_expression": "${orders.count} > 1",
            "dynamic_fields": [{"table_calculation": "t", "expression": "1"}]
        }))
        .unwrap();
        options.apply(&mut body).unwrap();
        assert_eq!(body["pivots"], json!(["orders.created_month"]));
        assert_eq!(
            body["dynamic_fields"],
            r#"[{"expression":"1","table_calculation":"t"}]"#
        );
        assert_eq!(body["total"], true);
        let stray: QueryOptions =
            serde_json::from_value(json!({"pivots": ["orders.region"]})).unwrap();
        let error = stray.apply(&mut body.clone()).unwrap_err().to_string();
        assert!(
            error.contains("`pivots`: \"orders.region\" is not in `fields`"),
            "{error}"
        );
        let unpivoted: QueryOptions =
            serde_json::from_value(json!({"row_total": "right"})).unwrap();
        assert!(unpivoted.apply(&mut json!({"fields": ["a.b"]})).is_err());
    }
}

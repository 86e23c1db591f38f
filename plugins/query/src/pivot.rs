//! Pivoted answers and totals made flat. Looker's `json_detail` for a pivoted query nests each
//! measure's cells under pivot keys (`{"orders.count": {"2024-01": {"value": 3}, ..}}`) and lists
//! the pivots beside the rows; this turns every pivot of a measure into a column of its own,
//! named `measure|pivot value` (e.g. `orders.count|2024-01`, row totals as
//! `orders.count|row_total`), so the typed rows and the Markdown table read like any other
//! result. Column totals (`totals_data`) come out flat the same way.

use looker_mcp_plugin_sdk::ToolError;
use serde_json::{Map, Value, json};

/// Looker's pivot key for row totals, and the name its columns get.
const ROW_TOTAL: (&str, &str) = ("$$$_row_total_$$$", "row_total");

/// Looker's separator between the values of several pivot dimensions in a pivot key.
const KEY_SEPARATOR: &str = "|FIELD|";

/// A flattened answer: a `json_detail` body without pivots, plus what the pivots and totals
/// were.
pub struct Flat {
    /// The answer with one column per measure and pivot.
    pub body: Vec<u8>,
    /// Each pivot: its `key` (the column suffix) and the pivot dimensions' values (`data`).
    pub pivots: Vec<Value>,
    /// Column totals by column name (plain values), when Looker sent them.
    pub totals: Option<Map<String, Value>>,
}

/// Whether `body` may hold pivots or totals; cheap, so unpivoted answers are read only once.
fn may_need_flattening(body: &[u8]) -> bool {
    let has = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    has(b"\"totals_data\"") || has(b"\"is_total\"")
}

/// The flat form of a `json_detail` answer that is pivoted or has totals; `None` for others.
pub fn flatten(body: &[u8]) -> Result<Option<Flat>, ToolError> {
    if !may_need_flattening(body) {
        return Ok(None);
    }
    let mut answer: Value = serde_json::from_slice(body)
        .map_err(|e| ToolError::internal(format!("Looker's answer is not JSON: {e}")))?;
    let pivots: Vec<Value> = answer["pivots"].as_array().cloned().unwrap_or_default();
    let keys: Vec<(String, String)> = pivots
        .iter()
        .filter_map(|p| p["key"].as_str())
        .map(|key| {
            let column = if key == ROW_TOTAL.0 {
                ROW_TOTAL.1.to_owned()
            } else {
                key.replace(KEY_SEPARATOR, "|")
            };
            (key.to_owned(), column)
        })
        .collect();
    let totals = answer
        .get("totals_data")
        .and_then(Value::as_object)
        .map(|t| flat_cells(t, &keys, true));
    if keys.is_empty() {
        return Ok(totals.map(|totals| Flat {
            body: body.to_vec(),
            pivots: Vec::new(),
            totals: Some(totals),
        }));
    }
    let data = answer["data"].as_array().cloned().unwrap_or_default();
    let data: Vec<Value> = data
        .iter()
        .map(|row| match row.as_object() {
            Some(cells) => Value::Object(flat_cells(cells, &keys, false)),
            None => row.clone(),
        })
        .collect();
    let pivoted: Vec<String> = answer["data"][0]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, cell)| is_pivoted(cell))
        .map(|(name, _)| name.clone())
        .collect();
    for kind in ["measures", "table_calculations"] {
        let Some(list) = answer["fields"][kind].as_array() else {
            continue;
        };
        let expanded: Vec<Value> = list
            .iter()
            .flat_map(|meta| {
                let name = meta["name"].as_str().unwrap_or_default();
                if !pivoted.iter().any(|p| p == name) {
                    return vec![meta.clone()];
                }
                keys.iter()
                    .map(|(_, column)| {
                        let mut meta = meta.clone();
                        let label = meta["label"]
                            .as_str()
                            .or_else(|| meta["label_short"].as_str())
                            .unwrap_or(name)
                            .to_owned();
                        meta["name"] = format!("{name}|{column}").into();
                        meta["label"] = format!("{label} | {column}").into();
                        meta
                    })
                    .collect()
            })
            .collect();
        answer["fields"][kind] = Value::Array(expanded);
    }
    answer["data"] = Value::Array(data);
    let pivots = pivots
        .iter()
        .zip(&keys)
        .map(
            |(p, (_, column))| json!({"key": column, "data": p["data"], "is_total": p["is_total"]}),
        )
        .collect();
    Ok(Some(Flat {
        body: answer.to_string().into_bytes(),
        pivots,
        totals,
    }))
}

/// A `{key: cell}` object of a pivoted measure (not a single cell with a `value`).
fn is_pivoted(cell: &Value) -> bool {
    cell.as_object()
        .is_some_and(|m| !m.contains_key("value") && m.values().all(Value::is_object))
}

/// A row's (or the totals') cells with pivoted ones spread over `measure|pivot` columns; with
/// `plain`, each cell becomes its value.
fn flat_cells(
    cells: &Map<String, Value>,
    keys: &[(String, String)],
    plain: bool,
) -> Map<String, Value> {
    let mut out = Map::new();
    let plain_of = |cell: &Value| {
        if plain {
            cell.get("value").cloned().unwrap_or_else(|| cell.clone())
        } else {
            cell.clone()
        }
    };
    for (name, cell) in cells {
        if is_pivoted(cell) && !keys.is_empty() {
            for (key, column) in keys {
                let value = cell
                    .get(key)
                    .cloned()
                    .unwrap_or_else(|| json!({"value": null}));
                out.insert(format!("{name}|{column}"), plain_of(&value));
            }
        } else {
            out.insert(name.clone(), plain_of(cell));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pivots_become_columns_and_totals_flat_values() {
        let body = json!({
            "fields": {"dimensions": [{"name": "o.region", "type": "string"}],
                       "measures": [{"name": "o.count", "label": "Count", "type": "count"}],
                       "pivots": [{"name": "o.month"}]},
            "pivots": [{"key": "2024-01", "is_total": false, "data": {"o.month": "2024-01"}},
                       {"key": "$$$_row_total_$$$", "is_total": true, "data": {}}],
            "data": [{"o.region": {"value": "West"},
                      "o.count": {"2024-01": {"value": 3}, "$$$_row_total_$$$": {"value": 3}}}],
            "totals_data": {"o.count": {"2024-01": {"value": 3}, "$$$_row_total_$$$": {"value": 3}}},
            "has_totals": true
        })
        .to_string();
        let flat = flatten(body.as_bytes()).unwrap().unwrap();
        let answer: Value = serde_json::from_slice(&flat.body).unwrap();
        assert_eq!(answer["data"][0]["o.count|2024-01"], json!({"value": 3}));
        assert_eq!(answer["data"][0]["o.count|row_total"], json!({"value": 3}));
        let names: Vec<&str> = answer["fields"]["measures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["o.count|2024-01", "o.count|row_total"]);
        assert_eq!(answer["fields"]["measures"][0]["label"], "Count | 2024-01");
        assert_eq!(flat.pivots[1]["key"], "row_total");
        assert_eq!(flat.totals.unwrap()["o.count|2024-01"], 3);
    }

    #[test]
    fn plain_answers_are_left_alone() {
        let body = br#"{"data": [{"o.count": {"value": 1}}], "pivots": [], "has_totals": false}"#;
        assert!(flatten(body).unwrap().is_none());
    }
}

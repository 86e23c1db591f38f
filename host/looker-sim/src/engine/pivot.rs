//! Looker's pivoted `json_detail`: the values of the `pivots` dimensions become column groups.
//! The engine groups by every dimension (pivot ones included); this reshapes that flat result
//! into Looker's shape — a `pivots` array (`key`, `data`, `labels`, `is_total`) and per row
//! `{measure: {pivot_key: {value}}}` — and adds column totals (`total`, as `totals_data`) and
//! row totals (`row_total`, the `$$$_row_total_$$$` pivot). Totals add the cells up, which is
//! exact for counts and sums, the measures the seed explores have.

use serde_json::{Map, Value, json};

use super::QueryResult;
use crate::listing::display;

/// Looker's pivot key for a row total.
pub(crate) const ROW_TOTAL: &str = "$$$_row_total_$$$";

/// Looker's separator between the values of several pivot dimensions in a pivot key.
const KEY_SEPARATOR: &str = "|FIELD|";

/// The query's `json_detail` answer when it pivots or asks for totals; `None` otherwise (the
/// plain renderer answers).
pub(crate) fn json_detail(result: &QueryResult, query: &Value) -> Option<Value> {
    let pivots: Vec<&str> = query["pivots"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let total = query["total"] == true;
    let row_total = !pivots.is_empty()
        && query["row_total"]
            .as_str()
            .is_some_and(|t| !t.trim().is_empty());
    if pivots.is_empty() && !total {
        return None;
    }
    let pivot_cols: Vec<usize> = result
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| pivots.contains(&f.name.as_str()))
        .map(|(i, _)| i)
        .collect();
    let is_value = |i: usize| result.fields[i].measure || result.fields[i].dynamic;
    let row_dims: Vec<usize> = (0..result.fields.len())
        .filter(|i| !is_value(*i) && !pivot_cols.contains(i))
        .collect();
    let values: Vec<usize> = (0..result.fields.len()).filter(|i| is_value(*i)).collect();

    // Pivot keys, sorted ascending by their values, as Looker sorts pivots by default.
    let mut keys: Vec<(String, Vec<Value>)> = Vec::new();
    for row in &result.rows {
        let data: Vec<Value> = pivot_cols.iter().map(|&c| row[c].clone()).collect();
        let key = data
            .iter()
            .map(display)
            .collect::<Vec<_>>()
            .join(KEY_SEPARATOR);
        if !keys.iter().any(|(k, _)| *k == key) {
            keys.push((key, data));
        }
    }
    keys.sort_by(|a, b| a.0.cmp(&b.0));

    // Rows grouped by the other dimensions, in order of first appearance.
    let mut groups: Vec<(Vec<Value>, Map<String, Value>)> = Vec::new();
    for row in &result.rows {
        let dims: Vec<Value> = row_dims.iter().map(|&c| row[c].clone()).collect();
        let key = pivot_cols
            .iter()
            .map(|&c| display(&row[c]))
            .collect::<Vec<_>>()
            .join(KEY_SEPARATOR);
        let at = match groups.iter().position(|(d, _)| *d == dims) {
            Some(at) => at,
            None => {
                groups.push((dims, Map::new()));
                groups.len() - 1
            }
        };
        for &c in &values {
            let name = &result.fields[c].name;
            let cells = groups[at]
                .1
                .entry(name.clone())
                .or_insert_with(|| json!({}));
            cells[&key] = json!({"value": row[c]});
        }
    }
    let mut totals = Map::new();
    let data: Vec<Value> = groups
        .into_iter()
        .map(|(dims, mut cells)| {
            let mut out = Map::new();
            for (&c, value) in row_dims.iter().zip(dims) {
                out.insert(result.fields[c].name.clone(), json!({"value": value}));
            }
            for &c in &values {
                let name = &result.fields[c].name;
                let mut by_key = cells.remove(name).unwrap_or_else(|| json!({}));
                if pivots.is_empty() {
                    let cell = by_key[""].take();
                    add(&mut totals, name, None, &cell["value"]);
                    out.insert(name.clone(), cell);
                    continue;
                }
                for (key, _) in &keys {
                    if by_key.get(key).is_none() {
                        by_key[key] = json!({"value": null});
                    }
                    add(&mut totals, name, Some(key), &by_key[key]["value"]);
                }
                if row_total {
                    let sum = keys
                        .iter()
                        .filter_map(|(k, _)| by_key[k]["value"].as_f64())
                        .sum::<f64>();
                    by_key[ROW_TOTAL] = json!({"value": number(sum)});
                    add(
                        &mut totals,
                        name,
                        Some(ROW_TOTAL),
                        &by_key[ROW_TOTAL]["value"],
                    );
                }
                out.insert(name.clone(), by_key);
            }
            Value::Object(out)
        })
        .collect();

    let mut fields = crate::render::fields_meta(result);
    fields["dimensions"] =
        Value::Array(take_named(&fields["dimensions"], |n| !pivots.contains(&n)));
    fields["pivots"] = Value::Array(take_named(
        &crate::render::fields_meta(result)["dimensions"],
        |n| pivots.contains(&n),
    ));
    let mut pivot_list: Vec<Value> = keys
        .iter()
        .map(|(key, data)| {
            let named = |v: &Vec<Value>| -> Map<String, Value> {
                pivot_cols
                    .iter()
                    .zip(v)
                    .map(|(&c, v)| (result.fields[c].name.clone(), v.clone()))
                    .collect()
            };
            let labels: Vec<Value> = data.iter().map(|v| Value::from(display(v))).collect();
            json!({"key": key, "is_total": false, "data": named(data), "sort_values": named(data),
                   "labels": named(&labels)})
        })
        .collect();
    if row_total {
        pivot_list.push(json!({"key": ROW_TOTAL, "is_total": true, "data": {}, "sort_values": {}, "labels": {}}));
    }
    let mut answer = json!({
        "data": data,
        "fields": fields,
        "sql": result.sql,
        "has_totals": total,
        "has_row_totals": row_total,
        "has_subtotals": false,
        "null_values": [],
        "pivots": pivot_list,
        "timezone": query["query_timezone"].as_str().unwrap_or("UTC"),
        "ran_at": crate::data::SEED_TIME,
    });
    if total {
        answer["totals_data"] = Value::Object(totals);
    }
    Some(answer)
}

/// The field metadata entries whose `name` passes `keep`.
fn take_named(list: &Value, keep: impl Fn(&str) -> bool) -> Vec<Value> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter(|f| keep(f["name"].as_str().unwrap_or_default()))
        .cloned()
        .collect()
}

/// Adds `value` to the column total of `field` (under `key` when pivoted).
fn add(totals: &mut Map<String, Value>, field: &str, key: Option<&str>, value: &Value) {
    let Some(v) = value.as_f64() else { return };
    let entry = totals.entry(field.to_owned()).or_insert_with(|| match key {
        Some(_) => json!({}),
        None => json!({"value": 0}),
    });
    let cell = match key {
        Some(key) => {
            if entry.get(key).is_none() {
                entry[key] = json!({"value": 0});
            }
            &mut entry[key]
        }
        None => entry,
    };
    let sum = cell["value"].as_f64().unwrap_or(0.0) + v;
    cell["value"] = number(sum);
}

/// Whole numbers as integers, the rest rounded to cents.
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        json!(n as i64)
    } else {
        json!((n * 100.0).round() / 100.0)
    }
}

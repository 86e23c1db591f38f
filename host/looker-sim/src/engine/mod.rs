//! A tiny deterministic query engine. Each explore has a fixed set of "fact" rows whose values
//! come from the row index; a query groups them by its dimensions, aggregates its measures,
//! applies Looker-style string and number filters, sorts and limits.

mod dynamic;
mod facts;
mod filter;
pub(crate) mod pivot;
mod sql;

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use serde_json::Value;

use crate::http::Resp;
use crate::listing::compare_values;
use crate::state::World;
use facts::{aggregate, fact_value};
use filter::{check_parameter_value, filter_matches};
use sql::sql_text;

/// What a field is, as far as running a query goes.
#[derive(Clone, Debug)]
pub(crate) struct FieldInfo {
    pub name: String,
    pub label: String,
    pub ty: String,
    pub measure: bool,
    pub sql: String,
    pub view: String,
    /// A table calculation or custom field from `dynamic_fields` (custom measures are computed,
    /// the rest are null).
    pub dynamic: bool,
}

/// Rows of a run query, in field order.
pub(crate) struct QueryResult {
    pub fields: Vec<FieldInfo>,
    pub rows: Vec<Vec<Value>>,
    pub sql: String,
}

/// Fact rows by default: small results for tests; benchmarks raise it.
pub(crate) const FACT_ROWS: usize = 60;
const DEFAULT_LIMIT: usize = 500;

/// Runs a `Query` object. `limit_override` is the run endpoint's `limit` parameter.
pub(crate) fn run(
    world: &World,
    query: &Value,
    limit_override: Option<&str>,
) -> Result<QueryResult, Resp> {
    if let Some(result) = crate::data::system_activity::run(world, query, limit_override) {
        return result;
    }
    let model = query
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let view = query
        .get("view")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let explore = world
        .explores
        .get(&(model.to_string(), view.to_string()))
        .ok_or_else(Resp::not_found)?;
    let catalog = catalog(explore);
    let dynamic = dynamic_fields(query);
    let custom = dynamic::entries(query);
    let lookup = |name: &str| -> Option<FieldInfo> {
        catalog
            .iter()
            .find(|f| f.name == name)
            .cloned()
            .or_else(|| dynamic.iter().find(|f| f.name == name).cloned())
    };

    let names = strings(query.get("fields"));
    if names.is_empty() {
        return Err(Resp::bad_request(
            "Must query at least one dimension or measure.",
        ));
    }
    let mut unknown = Vec::new();
    let fields: Vec<FieldInfo> = names
        .iter()
        .filter_map(|n| {
            let f = lookup(n).filter(|f| f.ty != "parameter");
            if f.is_none() {
                unknown.push(n.clone());
            }
            f
        })
        .collect();

    let mut filters: Vec<(FieldInfo, String)> = Vec::new();
    if let Some(Value::Object(map)) = query.get("filters") {
        for (name, expr) in map {
            let expr = crate::listing::display(expr);
            match parameter(explore, name) {
                Some(ty) => check_parameter_value(name, &ty, &expr)?,
                None => match lookup(name) {
                    Some(f) => filters.push((f, expr)),
                    None => unknown.push(name.clone()),
                },
            }
        }
    }
    let sorts: Vec<(String, bool)> = strings(query.get("sorts"))
        .iter()
        .filter(|s| s.as_str() != "__UNSORTED__")
        .filter_map(|s| {
            let mut parts = s.split_whitespace();
            let name = parts.next()?.to_string();
            Some((
                name,
                parts.next().is_some_and(|d| d.eq_ignore_ascii_case("desc")),
            ))
        })
        .collect();
    for (name, _) in &sorts {
        if !fields.iter().any(|f| &f.name == name) && lookup(name).is_none() {
            unknown.push(name.clone());
        }
    }
    if !unknown.is_empty() {
        let list = unknown
            .iter()
            .map(|u| format!("\"{u}\""))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Resp::bad_request(format!(
            "Unknown field(s) {list} in query on explore \"{model}::{view}\". \
             Check the spelling and that the field exists in the explore."
        )));
    }

    // Facts that pass the dimension filters.
    let facts: Vec<usize> = (0..world.fact_rows)
        .filter(|&i| {
            filters
                .iter()
                .filter(|(f, _)| !f.measure && !f.dynamic)
                .all(|(f, expr)| filter_matches(f, &fact_value(f, i), expr))
        })
        .collect();

    let dims: Vec<usize> = (0..fields.len())
        .filter(|&i| !fields[i].measure && !fields[i].dynamic)
        .collect();
    let mut groups: Vec<(Vec<Value>, Vec<usize>)> = Vec::new();
    if dims.is_empty() {
        groups.push((Vec::new(), facts));
    } else {
        // Groups in order of first appearance, found by their key's JSON text.
        let mut index: HashMap<String, usize> = HashMap::new();
        for i in facts {
            let key: Vec<Value> = dims.iter().map(|&d| fact_value(&fields[d], i)).collect();
            match index.entry(Value::from(key.clone()).to_string()) {
                Entry::Occupied(at) => groups[*at.get()].1.push(i),
                Entry::Vacant(slot) => {
                    slot.insert(groups.len());
                    groups.push((key, vec![i]));
                }
            }
        }
    }
    let mut rows: Vec<Vec<Value>> = groups
        .iter()
        .map(|(_, members)| {
            fields
                .iter()
                .map(|f| match (f.dynamic, f.measure) {
                    (true, _) => dynamic::value(f, members, &custom, &catalog),
                    (false, true) => aggregate(f, members),
                    (false, false) => fact_value(f, members[0]),
                })
                .collect()
        })
        .collect();
    // Measure filters act like HAVING.
    for (f, expr) in filters.iter().filter(|(f, _)| f.measure) {
        if let Some(col) = fields.iter().position(|x| x.name == f.name) {
            rows.retain(|r| filter_matches(f, &r[col], expr));
        }
    }

    let sorts = if sorts.is_empty() {
        default_sort(&fields)
    } else {
        sorts
    };
    let sort_cols: Vec<(usize, bool)> = sorts
        .iter()
        .filter_map(|(name, desc)| {
            fields
                .iter()
                .position(|f| &f.name == name)
                .map(|c| (c, *desc))
        })
        .collect();
    rows.sort_by(|a, b| {
        for &(c, desc) in &sort_cols {
            let ord = compare_values(Some(&a[c]), Some(&b[c]));
            let ord = if desc { ord.reverse() } else { ord };
            if ord.is_ne() {
                return ord;
            }
        }
        std::cmp::Ordering::Equal
    });

    let limit_text = limit_override
        .map(str::to_string)
        .or_else(|| query.get("limit").map(crate::listing::display))
        .filter(|s| !s.is_empty());
    let limit = match limit_text.as_deref() {
        None => Some(DEFAULT_LIMIT),
        Some(text) => match text.trim().parse::<i64>() {
            Ok(n) if n < 0 => None,
            Ok(n) => Some(n as usize),
            Err(_) => return Err(Resp::bad_request(format!("Invalid limit: {text:?}"))),
        },
    };
    if let Some(limit) = limit {
        rows.truncate(limit);
    }
    let sql = sql_text(explore, &fields, &filters, &sorts, limit);
    Ok(QueryResult { fields, rows, sql })
}

fn catalog(explore: &Value) -> Vec<FieldInfo> {
    let mut out = Vec::new();
    for kind in ["dimensions", "measures"] {
        for f in explore["fields"][kind].as_array().into_iter().flatten() {
            let s = |k: &str| {
                f.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            out.push(FieldInfo {
                name: s("name"),
                label: s("label"),
                ty: s("type"),
                measure: kind == "measures",
                sql: s("sql"),
                view: s("view"),
                dynamic: false,
            });
        }
    }
    out
}

/// Table calculations and custom fields declared in `dynamic_fields` (a JSON string).
fn dynamic_fields(query: &Value) -> Vec<FieldInfo> {
    let Some(text) = query.get("dynamic_fields").and_then(Value::as_str) else {
        return Vec::new();
    };
    let parsed: Vec<Value> = serde_json::from_str(text).unwrap_or_default();
    parsed
        .iter()
        .filter_map(|d| {
            let name = ["table_calculation", "measure", "dimension"]
                .iter()
                .find_map(|k| d.get(*k).and_then(Value::as_str))?;
            Some(FieldInfo {
                name: name.to_string(),
                label: d
                    .get("label")
                    .and_then(Value::as_str)
                    .unwrap_or(name)
                    .to_string(),
                ty: "number".into(),
                measure: false,
                sql: String::new(),
                view: String::new(),
                dynamic: true,
            })
        })
        .collect()
}

/// The LookML type of a parameter field of the explore, if `name` is one.
fn parameter(explore: &Value, name: &str) -> Option<String> {
    explore["fields"]["parameters"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
        .map(|p| p["type"].as_str().unwrap_or_default().to_string())
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn default_sort(fields: &[FieldInfo]) -> Vec<(String, bool)> {
    let pick = fields
        .iter()
        .find(|f| f.ty.starts_with("date"))
        .map(|f| (f.name.clone(), true))
        .or_else(|| {
            fields
                .iter()
                .find(|f| f.measure)
                .map(|f| (f.name.clone(), true))
        })
        .or_else(|| {
            fields
                .iter()
                .find(|f| !f.dynamic)
                .map(|f| (f.name.clone(), false))
        });
    pick.into_iter().collect()
}

//! Custom measures from `dynamic_fields` (`{"measure": name, "based_on": "view.field",
//! "type": ..}`), computed over a group's fact rows. Custom dimensions and table calculations
//! pass through as `null`: the simulator does not evaluate Looker expressions.

use serde_json::{Value, json};

use super::FieldInfo;
use super::facts::fact_value;

/// The value of dynamic field `f` over `members`, given the query's `dynamic_fields` entries and
/// the explore's fields.
pub(super) fn value(
    f: &FieldInfo,
    members: &[usize],
    entries: &[Value],
    catalog: &[FieldInfo],
) -> Value {
    let Some(entry) = entries.iter().find(|d| d["measure"] == f.name.as_str()) else {
        return Value::Null;
    };
    let Some(based_on) = entry["based_on"]
        .as_str()
        .and_then(|b| catalog.iter().find(|c| c.name == b))
    else {
        return Value::Null;
    };
    let values: Vec<Value> = members.iter().map(|&i| fact_value(based_on, i)).collect();
    let numbers: Vec<f64> = values.iter().filter_map(Value::as_f64).collect();
    match entry["type"].as_str().unwrap_or_default() {
        "count" => json!(members.len()),
        "count_distinct" => {
            let mut seen: Vec<String> = values.iter().map(Value::to_string).collect();
            seen.sort();
            seen.dedup();
            json!(seen.len())
        }
        "sum" => json!(numbers.iter().sum::<f64>()),
        "average" if !numbers.is_empty() => {
            json!(numbers.iter().sum::<f64>() / numbers.len() as f64)
        }
        "min" => numbers
            .iter()
            .copied()
            .reduce(f64::min)
            .map_or(Value::Null, |n| json!(n)),
        "max" => numbers
            .iter()
            .copied()
            .reduce(f64::max)
            .map_or(Value::Null, |n| json!(n)),
        _ => Value::Null,
    }
}

/// The parsed `dynamic_fields` of a query (a JSON string), empty when absent or not an array.
pub(super) fn entries(query: &Value) -> Vec<Value> {
    query["dynamic_fields"]
        .as_str()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

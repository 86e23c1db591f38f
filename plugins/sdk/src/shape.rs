//! Small helpers that turn Looker's answers into compact results for an assistant: drop the
//! permission maps and nulls, keep chosen members, and build `%text%` search patterns.
//!
//! ```
//! use looker_mcp_plugin_sdk::shape::pick;
//! let folder = serde_json::json!({"id": "7", "name": "Sales", "can": {"edit": true}, "parent_id": null});
//! assert_eq!(pick(&folder, &["id", "name", "parent_id"]), serde_json::json!({"id": "7", "name": "Sales"}));
//! ```

use serde_json::{Map, Value};

/// A copy of `value` without `can` maps (permission flags) and without `null` members, at every
/// depth: what is left is what the object actually holds.
pub fn clean(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, v)| k.as_str() != "can" && !v.is_null())
                .map(|(k, v)| (k.clone(), clean(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(clean).collect()),
        other => other.clone(),
    }
}

/// The cleaned members `keys` of an object, in that order (absent and `null` ones left out).
pub fn pick(value: &Value, keys: &[&str]) -> Value {
    let mut out = Map::new();
    for key in keys {
        if let Some(v) = value.get(*key).filter(|v| !v.is_null()) {
            out.insert((*key).to_owned(), clean(v));
        }
    }
    Value::Object(out)
}

/// The items of a JSON array answer (nothing for anything else).
pub fn items(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().into_iter().flatten()
}

/// A Looker `/search` pattern that matches `text` anywhere (case-insensitive): `%text%`, unless
/// the caller already placed `%` wildcards.
pub fn contains(text: &str) -> String {
    if text.contains('%') {
        text.to_owned()
    } else {
        format!("%{text}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn clean_drops_permissions_and_nulls() {
        let v = json!({"id": "1", "can": {"show": true}, "x": null, "list": [{"a": null, "b": 1}]});
        assert_eq!(clean(&v), json!({"id": "1", "list": [{"b": 1}]}));
        assert_eq!(
            pick(&v, &["list", "x", "id"]),
            json!({"list": [{"b": 1}], "id": "1"})
        );
        assert_eq!(contains("home"), "%home%");
        assert_eq!(items(&json!({"a": 1})).count(), 0);
    }
}

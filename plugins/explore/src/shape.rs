//! Small helpers that turn Looker's verbose objects into compact ones.

use serde_json::{Map, Value};

/// Copies `keys` from `src` into a new object, renaming `(from, to)`, and drops values that
/// carry nothing (null, `""`, `[]`, `{}`), so answers stay short.
pub fn pick(src: &Value, keys: &[(&str, &str)]) -> Map<String, Value> {
    let mut out = Map::new();
    for (from, to) in keys {
        if let Some(v) = src.get(from).filter(|v| !is_empty(v)) {
            out.insert((*to).to_owned(), v.clone());
        }
    }
    out
}

/// Whether `v` carries nothing worth showing.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Whether Looker marked `v` as `hidden: true`.
pub fn is_hidden(v: &Value) -> bool {
    v.get("hidden").and_then(Value::as_bool).unwrap_or(false)
}

/// The elements of `v[key]` when it is an array, else nothing.
pub fn items<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pick_renames_and_drops_empties() {
        let src = json!({"a": 1, "b": "", "c": null, "d": [], "e": "x", "f": false});
        let got = Value::Object(pick(
            &src,
            &[
                ("a", "a"),
                ("b", "b"),
                ("c", "c"),
                ("d", "d"),
                ("e", "E"),
                ("f", "f"),
                ("z", "z"),
            ],
        ));
        assert_eq!(got, json!({"a": 1, "E": "x", "f": false}));
    }

    #[test]
    fn hidden_and_items() {
        assert!(is_hidden(&json!({"hidden": true})));
        assert!(!is_hidden(&json!({"hidden": null})));
        assert_eq!(items(&json!({"xs": [1, 2]}), "xs").count(), 2);
        assert_eq!(items(&json!({"xs": null}), "xs").count(), 0);
    }
}

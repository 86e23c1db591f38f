//! Small helpers that turn Looker's answers into compact results for an assistant.

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

/// Write-only connection fields that carry secrets. Looker never returns their values, and
/// nothing this group shows or logs may contain them either.
pub const SECRETS: [&str; 4] = ["password", "certificate", "pdt_password", "pdt_certificate"];

/// A connection (or connection override) cleaned for display, without any secret field at any
/// depth, even if a Looker version sent one back.
pub fn without_secrets(value: &Value) -> Value {
    match clean(value) {
        Value::Object(mut map) => {
            for key in SECRETS {
                map.remove(key);
            }
            for v in map.values_mut() {
                if v.is_object() {
                    *v = without_secrets(v);
                }
            }
            Value::Object(map)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_never_survive() {
        let v = json!({"name": "w", "password": "hunter2", "can": {"x": true}, "host": null,
                       "pdt_context_override": {"password": "p", "pdt_password": "q", "certificate": "c", "host": "h"}});
        assert_eq!(
            without_secrets(&v),
            json!({"name": "w", "pdt_context_override": {"host": "h"}})
        );
        assert_eq!(pick(&v, &["name", "host"]), json!({"name": "w"}));
        assert_eq!(items(&json!([1, 2])).count(), 2);
    }
}

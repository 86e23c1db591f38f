//! Compact connection results, without secrets. The general helpers come from the SDK.

use serde_json::Value;

pub use looker_mcp_plugin_sdk::shape::{clean, items, pick};

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

//! Small helpers that turn Looker's answers into compact results for an assistant: drop the
//! permission maps and nulls ([`clean`]), remove secrets ([`redact`]), keep chosen members
//! ([`pick`], [`pick_as`]), read ids ([`id`]) and build `%text%` search patterns.
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

/// Keys whose values are secrets in any Looker answer: one-time password reset and account
/// setup links, passwords, API secrets and tokens, write-only destination credentials, and
/// database passwords and certificates. [`redact`] removes them at every depth.
pub const SECRET_KEYS: &[&str] = &[
    "password",
    "client_secret",
    "password_reset_url",
    "account_setup_url",
    "token",
    "access_token",
    "secret_parameters",
    "certificate",
    "pdt_password",
    "pdt_certificate",
];

/// `value` [`clean`]ed and without any [`SECRET_KEYS`] member, at every depth: what every tool
/// that shows users, credentials, connections or schedules returns, so no answer ever echoes a
/// credential. (A tool that must hand out a new secret once adds it back after redacting.)
pub fn redact(mut value: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|k, v| k != "can" && !v.is_null() && !SECRET_KEYS.contains(&k.as_str()));
                map.values_mut().for_each(walk);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut value);
    value
}

/// The cleaned members `keys` of an object, in that order (absent and `null` ones left out).
/// Wrap it in [`redact`] where the object may hold secrets.
pub fn pick(value: &Value, keys: &[&str]) -> Value {
    let mut out = Map::new();
    for key in keys {
        if let Some(v) = value.get(*key).filter(|v| !v.is_null()) {
            out.insert((*key).to_owned(), clean(v));
        }
    }
    Value::Object(out)
}

/// Like [`pick`], renaming: each `(from, to)` copies member `from` as `to`. Members that carry
/// nothing (`null`, blank text, `[]`, `{}`) are left out.
pub fn pick_as(value: &Value, keys: &[(&str, &str)]) -> Value {
    let mut out = Map::new();
    for (from, to) in keys {
        if let Some(v) = value.get(*from).filter(|v| !is_blank(v)) {
            out.insert((*to).to_owned(), clean(v));
        }
    }
    Value::Object(out)
}

/// Whether `value` carries nothing worth showing: `null`, blank text, `[]` or `{}`.
pub fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A Looker id as text: ids are strings in API 4.0 but some answers (and older objects) carry
/// numbers. `None` for anything else, including an empty string.
///
/// ```
/// use looker_mcp_plugin_sdk::shape::id;
/// assert_eq!(id(&serde_json::json!(42)), Some("42".to_owned()));
/// assert_eq!(id(&serde_json::json!({"id": "7"})["id"]), Some("7".to_owned()));
/// assert_eq!(id(&serde_json::json!(null)), None);
/// ```
pub fn id(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
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

    #[test]
    fn redact_removes_every_secret_at_every_depth() {
        let v = json!({
            "email": "a@example.com", "password_reset_url": "https://x/reset/SECRET",
            "can": {"show": true}, "none": null,
            "nested": [{"secret_parameters": "{}", "address": "x", "client_secret": "s"}],
            "pdt_context_override": {"password": "p", "certificate": "c", "host": "h"}
        });
        let out = redact(v);
        assert_eq!(
            out,
            json!({"email": "a@example.com", "nested": [{"address": "x"}],
                   "pdt_context_override": {"host": "h"}})
        );
        for key in SECRET_KEYS {
            assert_eq!(redact(json!({*key: "x", "k": 1})), json!({"k": 1}), "{key}");
        }
    }

    #[test]
    fn pick_as_renames_and_skips_what_carries_nothing() {
        let v = json!({"name": "orders", "label": " ", "tags": [], "sql": "x", "can": {}});
        assert_eq!(
            pick_as(
                &v,
                &[
                    ("name", "id"),
                    ("label", "label"),
                    ("tags", "t"),
                    ("sql", "sql")
                ]
            ),
            json!({"id": "orders", "sql": "x"})
        );
        assert_eq!(id(&json!("")), None);
    }
}

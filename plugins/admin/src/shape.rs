//! Helpers shared by the admin tools: compact answers, secret removal, request bodies.

use looker_mcp_plugin_sdk::ToolError;
use serde_json::{Map, Value};

/// Keys whose values are secrets (one-time reset links, passwords, tokens, write-only
/// destination credentials). They are removed from everything a tool returns.
const SECRET_KEYS: &[&str] = &[
    "password_reset_url",
    "account_setup_url",
    "secret_parameters",
    "client_secret",
    "password",
    "token",
    "access_token",
];

/// Removes secrets (see [`SECRET_KEYS`]), the `can` permission maps and null values, at every
/// depth, so answers are short and never echo a credential.
pub fn tidy(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|k, v| !SECRET_KEYS.contains(&k.as_str()) && k != "can" && !v.is_null());
            map.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// [`tidy`] applied to an owned value.
pub fn tidied(mut v: Value) -> Value {
    tidy(&mut v);
    v
}

/// Copies `keys` of `src` that carry a value (not null) into a new object.
pub fn pick(src: &Value, keys: &[&str]) -> Value {
    let mut out = Map::new();
    for key in keys {
        if let Some(v) = src.get(*key).filter(|v| !v.is_null()) {
            out.insert((*key).to_owned(), v.clone());
        }
    }
    tidied(Value::Object(out))
}

/// [`pick`] applied to each element of a Looker list answer.
pub fn pick_all(list: &Value, keys: &[&str]) -> Vec<Value> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|item| pick(item, keys))
        .collect()
}

/// A request body built from optional fields: only the ones the caller gave are sent.
#[derive(Default)]
pub struct Body(Map<String, Value>);

impl Body {
    /// An empty body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value`.
    pub fn set(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_owned(), value.into());
        self
    }

    /// Sets `key` when `value` is `Some`.
    pub fn opt<T: Into<Value>>(self, key: &str, value: Option<T>) -> Self {
        match value {
            Some(v) => self.set(key, v),
            None => self,
        }
    }

    /// Whether nothing was set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names of the fields set, sorted.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.0.keys().cloned().collect();
        keys.sort();
        keys
    }

    /// The body as a JSON object.
    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

/// Looker ids are strings; the tools take numbers (as the reference server does).
pub fn id_strings(ids: &[i64]) -> Vec<String> {
    ids.iter().map(i64::to_string).collect()
}

/// The `invalid-arguments` error for an update that names no field to change.
pub fn nothing_to_update(fields: &str) -> ToolError {
    ToolError::invalid_arguments(format!(
        "no fields to update: pass at least one of {fields}"
    ))
}

/// Rejects an empty or blank required text argument before anything reaches Looker.
pub fn non_blank(name: &str, value: &str) -> Result<(), ToolError> {
    if value.trim().is_empty() {
        Err(ToolError::invalid_arguments(format!(
            "`{name}` must not be empty"
        )))
    } else {
        Ok(())
    }
}

/// The id Looker assigned, as text.
pub fn id_of(v: &Value) -> Value {
    match v.get("id") {
        Some(Value::Number(n)) => Value::String(n.to_string()),
        Some(id) => id.clone(),
        None => Value::Null,
    }
}

/// Wraps a Looker error from a follow-up step so the caller knows the first step succeeded.
pub fn after(done: &str, step: &str, error: ToolError) -> ToolError {
    match error {
        ToolError::Looker(mut e) => {
            e.message = format!("{done}, but {step} failed: {}", e.message);
            ToolError::Looker(e)
        }
        ToolError::Request(m) => ToolError::Request(format!("{done}, but {step} failed: {m}")),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tidy_removes_secrets_everywhere() {
        let mut v = json!({
            "email": "a@example.com", "password_reset_url": "https://x/reset/SECRET",
            "can": {"show": true}, "none": null,
            "nested": [{"secret_parameters": "{\"k\":\"s\"}", "address": "x"}]
        });
        tidy(&mut v);
        assert_eq!(
            v,
            json!({"email": "a@example.com", "nested": [{"address": "x"}]})
        );
    }

    #[test]
    fn body_keeps_only_given_fields() {
        let b = Body::new()
            .set("name", "x")
            .opt("a", None::<bool>)
            .opt("b", Some(true));
        assert_eq!(b.keys(), ["b", "name"]);
        assert_eq!(b.into_value(), json!({"name": "x", "b": true}));
    }
}

//! Helpers only the admin tools share: list rows, id lists and the errors of updates and of
//! multi-step calls. Compacting and secret removal come from the SDK's `shape`.

use looker_mcp_plugin_sdk::ToolError;
use looker_mcp_plugin_sdk::shape::{items, pick, redact};
use serde_json::Value;

/// The members `keys` of each element of a Looker list answer, without secrets.
pub fn pick_all(list: &Value, keys: &[&str]) -> Vec<Value> {
    items(list).map(|item| redact(pick(item, keys))).collect()
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
    fn list_rows_carry_no_secrets() {
        let list = json!([{"id": "1", "email": "a@example.com", "credentials_email":
            {"email": "a@example.com", "password_reset_url": "https://x/reset/SECRET"}}]);
        assert_eq!(
            pick_all(&list, &["id", "credentials_email"]),
            [json!({"id": "1", "credentials_email": {"email": "a@example.com"}})]
        );
    }
}

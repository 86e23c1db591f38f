//! `get_field_value_suggestions`: the values a dimension takes, so an assistant can write filters
//! with real values (`"orders.status": "complete"`, not a guess). Looker's
//! `GET /models/{model}/views/{view}/fields/{field}/suggestions`, read-only.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, filters, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The tool, for the `explore` group's table.
pub fn tool() -> Tool {
    Tool::new(
        "get_field_value_suggestions",
        "Suggest values of a field",
        DESCRIPTION,
    )
    .schema(SCHEMA)
    .read_only()
    .idempotent()
    .handler(get_field_value_suggestions)
}

/// Arguments of `get_field_value_suggestions`.
#[derive(Debug, Deserialize)]
pub struct SuggestionArgs {
    model: String,
    view: String,
    field: String,
    #[serde(default)]
    term: Option<String>,
    #[serde(default)]
    filters: Option<Map<String, Value>>,
}

/// `GET /models/{model}/views/{view}/fields/{field}/suggestions?term=&filters=` →
/// `{"suggestions": [...], "count", "hit_limit", ...}`.
pub fn get_field_value_suggestions(
    args: SuggestionArgs,
    _ctx: &Context,
) -> Result<Value, ToolError> {
    for (what, value) in [
        ("model", &args.model),
        ("view", &args.view),
        ("field", &args.field),
    ] {
        if value.trim().is_empty() {
            return Err(ToolError::invalid_arguments(format!(
                "`{what}` must not be empty"
            )));
        }
    }
    let filters = match args.filters.as_ref().filter(|f| !f.is_empty()) {
        Some(f) => Some(Value::Object(filters::encode_filters(f)?).to_string()),
        None => None,
    };
    let term = args.term.as_deref().filter(|t| !t.is_empty());
    let answer: Value = Request::get(path!(
        "/models/{}/views/{}/fields/{}/suggestions",
        args.model,
        args.view,
        args.field
    ))
    .query_opt("term", term)
    .query_opt("filters", filters.as_deref())
    .send()?
    .json()?;
    if let Some(error) = answer["error"].as_str().filter(|e| !e.is_empty()) {
        return Err(ToolError::invalid_arguments(format!(
            "Looker could not suggest values of {}: {error}",
            args.field
        )));
    }
    let suggestions = answer["suggestions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Ok(json!({
        "model": args.model,
        "view": args.view,
        "field": args.field,
        "term": term,
        "count": suggestions.len(),
        "suggestions": suggestions,
        "hit_limit": answer["hit_limit"] == true,
    }))
}

const SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "model": {"type": "string", "description": "LookML model, e.g. `ecommerce` (from `list_models`)."},
    "view": {"type": "string", "description": "Explore the field is in, e.g. `orders`."},
    "field": {"type": "string", "description": "Full `view.field` name of a dimension, e.g. `orders.status` (from `get_explore` or `list_dimensions`)."},
    "term": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Only values containing this text (case-insensitive), e.g. `comp`."},
    "filters": {
      "anyOf": [
        {"type": "object", "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}},
        {"type": "null"}
      ],
      "default": null,
      "description": "Only values that occur with these filters (same form as `query`'s), e.g. {\"orders.region\": \"West\"}."
    }
  },
  "required": ["model", "view", "field"],
  "additionalProperties": false
}"#;

const DESCRIPTION: &str = "\
Returns the values a dimension takes (Looker's filter suggestions), optionally only those \
containing `term` or occurring under `filters`. Use it before writing a filter, to match a \
value exactly as Looker stores it (`complete`, not `Completed`). Example: {\"model\": \
\"ecommerce\", \"view\": \"orders\", \"field\": \"orders.status\", \"term\": \"comp\"}.";

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;

    #[test]
    fn empty_names_are_refused_before_any_call() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({"suggestions": []}))));
        let args: SuggestionArgs =
            serde_json::from_value(json!({"model": "m", "view": " ", "field": "o.s"})).unwrap();
        let err = get_field_value_suggestions(args, &Context::default()).unwrap_err();
        assert!(
            err.to_string().contains("`view` must not be empty"),
            "{err}"
        );
        assert!(seen.requests().is_empty());
    }
}

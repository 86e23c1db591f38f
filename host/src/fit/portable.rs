//! Portable tool schemas: the listed schemas use no `type` arrays.
//!
//! JSON Schema allows `"type": ["string", "null"]`, but some MCP clients reject tools whose
//! schemas use type arrays, and MCP Inspector's `--strict` check warns about them. When tools are
//! listed, every (sub)schema is rewritten:
//!
//! - `"type": [X, "null"]` becomes `"type": X`, and a `"default": null` or a `null` in `enum`
//!   beside it is dropped (the property stays optional; leaving it out means the same).
//! - `"type": [X, Y, …]` (after dropping `null`) becomes `"anyOf": [{"type": X}, {"type": Y}, …]`.
//!
//! Only the listing changes: calls are validated against the tool's original schema, so a client
//! that still sends `null` for such an optional argument is accepted as before.

use std::sync::Arc;

use rmcp::model::Tool;
use serde_json::{Map, Value};

/// `tool` with portable input and output schemas.
pub fn tool(mut tool: Tool) -> Tool {
    tool.input_schema = Arc::new(schema(&tool.input_schema));
    if let Some(output) = &tool.output_schema {
        tool.output_schema = Some(Arc::new(schema(output)));
    }
    tool
}

/// `schema` rewritten without type arrays.
pub fn schema(schema: &Map<String, Value>) -> Map<String, Value> {
    let mut out = schema.clone();
    rewrite(&mut out);
    out
}

/// Keywords whose value is one subschema.
const ONE: &[&str] = &[
    "items",
    "additionalItems",
    "additionalProperties",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
];
/// Keywords whose value is a list of subschemas.
const LIST: &[&str] = &["anyOf", "allOf", "oneOf", "prefixItems", "items"];
/// Keywords whose value maps names to subschemas.
const MAP: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

fn rewrite(schema: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = schema.get("type").cloned() {
        let had_null = types.iter().any(|t| t == "null");
        let others: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
        match others.as_slice() {
            [] => {
                schema.insert("type".into(), "null".into());
            }
            [only] => {
                schema.insert("type".into(), only.clone());
            }
            several => {
                schema.remove("type");
                let branches = several
                    .iter()
                    .map(|t| Value::Object(Map::from_iter([("type".to_owned(), t.clone())])))
                    .collect();
                schema.insert("anyOf".into(), Value::Array(branches));
            }
        }
        if had_null && !others.is_empty() {
            if schema.get("default") == Some(&Value::Null) {
                schema.remove("default");
            }
            if let Some(Value::Array(options)) = schema.get_mut("enum") {
                options.retain(|o| !o.is_null());
            }
        }
    }
    for key in ONE {
        if let Some(Value::Object(sub)) = schema.get_mut(*key) {
            rewrite(sub);
        }
    }
    for key in LIST {
        if let Some(Value::Array(subs)) = schema.get_mut(*key) {
            for sub in subs.iter_mut().filter_map(Value::as_object_mut) {
                rewrite(sub);
            }
        }
    }
    for key in MAP {
        if let Some(Value::Object(subs)) = schema.get_mut(*key) {
            for sub in subs.values_mut().filter_map(Value::as_object_mut) {
                rewrite(sub);
            }
        }
    }
}

/// Whether any (sub)schema of `value` still has a `type` array (for tests and checks).
pub fn has_type_array(schema: &Map<String, Value>) -> bool {
    if schema.get("type").is_some_and(Value::is_array) {
        return true;
    }
    let one = ONE.iter().filter_map(|k| schema.get(*k)?.as_object());
    let list = LIST
        .iter()
        .filter_map(|k| schema.get(*k)?.as_array())
        .flatten()
        .filter_map(Value::as_object);
    let map = MAP
        .iter()
        .filter_map(|k| schema.get(*k)?.as_object())
        .flat_map(|m| m.values())
        .filter_map(Value::as_object);
    one.chain(list).chain(map).any(has_type_array)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn portable(value: Value) -> Value {
        Value::Object(schema(value.as_object().unwrap()))
    }

    #[test]
    fn nullable_types_become_single_types_and_drop_null_defaults() {
        let out = portable(json!({
            "type": "object",
            "properties": {"user_email": {"type": ["string", "null"], "default": null, "description": "d"}}
        }));
        assert_eq!(
            out["properties"]["user_email"],
            json!({"type": "string", "description": "d"})
        );
    }

    #[test]
    fn nested_type_arrays_are_rewritten() {
        let out = portable(json!({
            "type": "object",
            "properties": {"columns": {"type": "array", "items": {
                "type": "object",
                "properties": {"type": {"type": ["string", "null"]}, "label": {"type": ["string", "null"]}}
            }}}
        }));
        let item = &out["properties"]["columns"]["items"]["properties"];
        assert_eq!(item["type"], json!({"type": "string"}));
        assert_eq!(item["label"], json!({"type": "string"}));
        assert!(!has_type_array(out.as_object().unwrap()));
    }

    #[test]
    fn several_types_become_any_of_and_enum_null_goes() {
        let out = portable(json!({"type": ["string", "integer", "null"]}));
        assert_eq!(
            out,
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})
        );
        let out = portable(json!({"type": ["string", "null"], "enum": ["a", null]}));
        assert_eq!(out, json!({"type": "string", "enum": ["a"]}));
    }

    #[test]
    fn any_of_with_null_and_data_keywords_are_kept() {
        let input = json!({
            "type": "object",
            "properties": {
                "act_as_user": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null},
                "default": {"type": "string", "default": "x"}
            }
        });
        assert_eq!(portable(input.clone()), input);
    }
}

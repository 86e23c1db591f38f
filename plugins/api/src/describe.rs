//! Compact descriptions of operations and schemas for the assistant: a schema becomes a JSON
//! object whose members are fields and whose leaves are type strings such as
//! `"string|null — Dashboard Title"`, with `$ref`s expanded to a bounded depth (deeper ones
//! read `"LookModel {…}"`).

use serde_json::{Map, Value, json};

use crate::index::{self, Operation, Param};
use crate::policy;

/// Parameters a search result lists before it only counts the rest.
const BRIEF_PARAMS: usize = 5;

/// The deepest `depth` a caller may ask for.
pub const MAX_DEPTH: u8 = 4;

/// One line per parameter: `dashboard_id: string (path, required)`.
pub fn params(op: &Operation) -> Vec<String> {
    op.params.iter().map(param).collect()
}

fn param(p: &Param) -> String {
    let place = match (p.location(), p.required()) {
        ("path", _) => "path".to_owned(),
        (loc, true) => format!("{loc}, required"),
        (loc, false) => loc.to_owned(),
    };
    format!("{}: {} ({place})", p.name(), p.type_name())
}

/// The search answer for one operation: id, method, path, summary, whether it changes
/// anything, parameters.
pub fn brief(op: &Operation) -> Value {
    let mut out = json!({
        "operation": op.id,
        "method": op.method,
        "path": op.path,
        "summary": op.summary,
        "changes": policy::changes(op),
    });
    if !op.params.is_empty() {
        // Path and required parameters first; a long tail of optional ones is only counted.
        let mut listed: Vec<&Param> = op
            .params
            .iter()
            .filter(|p| p.location() == "path" || p.required())
            .collect();
        let optional = op
            .params
            .iter()
            .filter(|p| p.location() != "path" && !p.required());
        let room = BRIEF_PARAMS.saturating_sub(listed.len());
        listed.extend(optional.clone().take(room));
        let mut text = listed.into_iter().map(param).collect::<Vec<_>>().join("; ");
        let more = optional.count().saturating_sub(room);
        if more > 0 {
            text.push_str(&format!("; … {more} more"));
        }
        out["params"] = Value::from(text);
    }
    if op.body.is_some() {
        out["body"] = Value::from(true);
    }
    out
}

/// Everything about one operation, schemas expanded to `depth`.
pub fn full(op: &Operation, depth: u8) -> Value {
    let mut out = json!({
        "operation": op.id,
        "method": op.method,
        "path": op.path,
        "summary": op.summary,
        "tag": op.tag,
        "description": op.description,
        "changes": policy::changes(op),
        "params": params(op),
    });
    if op.deprecated {
        out["deprecated"] = Value::from(true);
    }
    if let Some(body) = &op.body {
        out["body"] = json!({
            "required": op.body_required,
            "media_type": op.body_type,
            "schema": render(body, depth, Side::Request),
        });
    }
    if let Some(response) = &op.response {
        out["response"] = render(response, depth, Side::Response);
    }
    out
}

/// Which way a schema is used: requests leave out read-only fields (Looker ignores them).
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Request,
    Response,
}

fn render(schema: &Value, depth: u8, side: Side) -> Value {
    if let Some(name) = schema["ref"].as_str() {
        return match index::schema(name) {
            Some(target) if depth > 0 => render_object(&target, name, depth - 1, side),
            _ => Value::from(format!("{name} {{…}}")),
        };
    }
    match schema["type"].as_str() {
        Some("array") => Value::Array(vec![render(&schema["items"], depth, side)]),
        Some("object") | None if schema["properties"].is_object() => {
            render_object(schema, "", depth, side)
        }
        Some("object") if schema.get("additional").is_some() => {
            json!({"<key>": render(&schema["additional"], depth, side)})
        }
        _ => Value::from(leaf(schema)),
    }
}

fn render_object(schema: &Value, name: &str, depth: u8, side: Side) -> Value {
    let mut out = Map::new();
    if !name.is_empty() {
        out.insert("$type".into(), Value::from(name));
    }
    if let Some(required) = schema["required"].as_array() {
        out.insert("$required".into(), Value::Array(required.clone()));
    }
    for (key, prop) in schema["properties"].as_object().into_iter().flatten() {
        if side == Side::Request && prop["read_only"] == true {
            continue;
        }
        let rendered = match prop["ref"].as_str() {
            Some(_) => render(prop, depth, side),
            None if prop["type"] == "array" || prop["properties"].is_object() => {
                render(prop, depth, side)
            }
            None => Value::from(leaf(prop)),
        };
        out.insert(key.clone(), rendered);
    }
    if schema["properties"]
        .as_object()
        .is_none_or(|p| p.is_empty())
        && schema.get("additional").is_some()
    {
        out.insert("<key>".into(), render(&schema["additional"], depth, side));
    }
    Value::Object(out)
}

/// `string|null (read-only) — description`.
fn leaf(schema: &Value) -> String {
    let mut text = match schema["enum"].as_array() {
        Some(values) => values
            .iter()
            .map(|v| {
                v.as_str()
                    .map_or_else(|| v.to_string(), |s| format!("\"{s}\""))
            })
            .collect::<Vec<_>>()
            .join("|"),
        None => schema["type"].as_str().unwrap_or("any").to_owned(),
    };
    if schema["nullable"] == true {
        text.push_str("|null");
    }
    if schema["read_only"] == true {
        text.push_str(" (read-only)");
    }
    if schema["write_only"] == true {
        text.push_str(" (write-only)");
    }
    if let Some(d) = schema["description"].as_str() {
        text.push_str(" — ");
        text.push_str(d);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::by_id;

    #[test]
    fn a_body_schema_is_resolved() {
        let query = full(by_id("create_query").unwrap(), 2);
        let schema = &query["body"]["schema"];
        assert_eq!(schema["$type"], "Query");
        assert!(
            schema["model"].as_str().unwrap().starts_with("string"),
            "{schema}"
        );
        assert!(schema["fields"].is_array(), "{schema}");
        assert!(
            schema.get("id").is_none(),
            "read-only fields are left out of bodies"
        );
        assert_eq!(query["response"]["$type"], "Query");
        assert!(
            query["response"]["id"]
                .as_str()
                .unwrap()
                .contains("read-only")
        );
    }

    #[test]
    fn depth_bounds_the_expansion() {
        let shallow = full(by_id("dashboard").unwrap(), 1);
        assert_eq!(shallow["response"]["model"], "LookModel {…}");
        let deeper = full(by_id("dashboard").unwrap(), 2);
        assert_eq!(deeper["response"]["model"]["$type"], "LookModel");
        assert!(shallow.to_string().len() < deeper.to_string().len());
    }
}

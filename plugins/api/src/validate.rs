//! Checks a request against the spec before anything is sent: path parameters (all present,
//! none extra), query parameters (known, required ones present, of their type) and the body
//! (present when required, absent when the operation takes none, shaped like its schema).
//! Every refusal names what is wrong.

use looker_mcp_plugin_sdk::looker::{Method, Request};
use looker_mcp_plugin_sdk::{Path, ToolError};
use serde_json::{Map, Value};

use crate::index::{self, Operation};

/// How deep a body is checked (schemas nest through `$ref`s; Looker's go about 6 deep).
const MAX_DEPTH: usize = 24;

/// A checked request, ready to send.
pub fn request(
    op: &Operation,
    path_params: &Map<String, Value>,
    query: &Map<String, Value>,
    body: Option<&Value>,
) -> Result<Request, ToolError> {
    let path = fill_path(op, path_params)?;
    let mut request = Request::new(method(op.method), path);
    for (name, value) in query {
        let Some(param) = op.params_in("query").find(|p| p.name() == name) else {
            return Err(bad(format!(
                "`{}` has no query parameter `{name}` (it takes: {})",
                op.id,
                names(op.params_in("query").map(|p| p.name()))
            )));
        };
        request = request.query(name.clone(), query_text(name, param.type_name(), value)?);
    }
    let missing: Vec<&str> = op
        .params_in("query")
        .filter(|p| p.required() && !query.contains_key(p.name()))
        .map(|p| p.name())
        .collect();
    if !missing.is_empty() {
        return Err(bad(format!(
            "`{}` needs query parameter(s) {}",
            op.id,
            names(missing.into_iter())
        )));
    }
    match (body, &op.body) {
        (Some(body), Some(schema)) => {
            if op.body_type == Some("application/json") {
                check_body(schema, body, "body", 0, op.method == "POST")?;
                request = request.body(body);
            } else {
                let Some(text) = body.as_str() else {
                    return Err(bad(format!(
                        "`{}` takes a text body ({}): pass a string",
                        op.id,
                        op.body_type.unwrap_or("text")
                    )));
                };
                request = request.body_text(text);
            }
        }
        (None, Some(_)) if op.body_required => {
            return Err(bad(format!(
                "`{}` needs a `body` (describe_looker_api shows its schema)",
                op.id
            )));
        }
        (Some(_), None) => {
            return Err(bad(format!(
                "`{}` ({} {}) takes no body",
                op.id, op.method, op.path
            )));
        }
        _ => {}
    }
    Ok(request)
}

fn method(m: &str) -> Method {
    match m {
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        _ => Method::Get,
    }
}

/// The concrete path: every `{name}` of the template filled from `params` (percent-encoded).
fn fill_path(op: &Operation, params: &Map<String, Value>) -> Result<Path, ToolError> {
    let expected: Vec<&str> = op.params_in("path").map(|p| p.name()).collect();
    if let Some(extra) = params.keys().find(|k| !expected.contains(&k.as_str())) {
        return Err(bad(format!(
            "`{}` ({}) has no path parameter `{extra}` (it takes: {})",
            op.id,
            op.path,
            names(expected.iter().copied())
        )));
    }
    let mut path = Path::root();
    for segment in op.path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                let value = match params.get(name) {
                    Some(Value::String(s)) if !s.is_empty() => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    Some(other) => {
                        return Err(bad(format!(
                            "path parameter `{name}` must be a non-empty string or a number, not {other}"
                        )));
                    }
                    None => {
                        return Err(bad(format!(
                            "`{}` ({}) needs path parameter `{name}`",
                            op.id, op.path
                        )));
                    }
                };
                path = path.seg(value);
            }
            None => path = path.lit(segment),
        }
    }
    Ok(path)
}

/// A query value as text, checked against the parameter's type.
fn query_text(name: &str, ty: &str, value: &Value) -> Result<String, ToolError> {
    let wrong = || {
        bad(format!(
            "query parameter `{name}` must be of type {ty}, not {value}"
        ))
    };
    match (ty, value) {
        ("integer", Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        ("integer", Value::String(s)) if s.trim().parse::<i64>().is_ok() => Ok(s.trim().to_owned()),
        ("boolean", Value::Bool(b)) => Ok(b.to_string()),
        ("boolean", Value::String(s)) if s == "true" || s == "false" => Ok(s.clone()),
        ("array", Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(wrong()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|v| v.join(",")),
        ("array" | "string" | "object", Value::String(s)) => Ok(s.clone()),
        ("string", Value::Number(n)) => Ok(n.to_string()),
        ("string", Value::Bool(b)) => Ok(b.to_string()),
        ("object", Value::Object(_)) => Ok(value.to_string()),
        _ => Err(wrong()),
    }
}

/// Checks `value` at `at` (e.g. `body.filters`) against compact schema `schema`. `creating`
/// also checks the schema's required properties (updates may send any subset).
fn check_body(
    schema: &Value,
    value: &Value,
    at: &str,
    depth: usize,
    creating: bool,
) -> Result<(), ToolError> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    if let Some(name) = schema["ref"].as_str() {
        let Some(target) = index::schema(name) else {
            return Ok(());
        };
        return check_body(&target, value, at, depth + 1, creating);
    }
    if value.is_null() {
        return Ok(()); // Looker treats null as "unset" for every field it accepts
    }
    let ty = schema["type"]
        .as_str()
        .unwrap_or(if schema["properties"].is_object() {
            "object"
        } else {
            ""
        });
    let wrong = |expected: &str| bad(format!("`{at}` must be {expected}, not {}", kind(value)));
    match ty {
        "string" => {
            if !value.is_string() {
                return Err(wrong("a string"));
            }
            if let Some(allowed) = schema["enum"].as_array()
                && !allowed.contains(value)
            {
                return Err(bad(format!(
                    "`{at}` must be one of {}, not {value}",
                    Value::Array(allowed.clone())
                )));
            }
        }
        "integer" if !(value.is_i64() || value.is_u64()) => return Err(wrong("an integer")),
        "number" if !value.is_number() => return Err(wrong("a number")),
        "boolean" if !value.is_boolean() => return Err(wrong("a boolean")),
        "array" => {
            let Some(items) = value.as_array() else {
                return Err(wrong("an array"));
            };
            for (i, item) in items.iter().enumerate() {
                check_body(
                    &schema["items"],
                    item,
                    &format!("{at}[{i}]"),
                    depth + 1,
                    creating,
                )?;
            }
        }
        "object" => {
            let Some(map) = value.as_object() else {
                return Err(wrong("an object"));
            };
            let props = schema["properties"].as_object();
            for (key, item) in map {
                match props.and_then(|p| p.get(key)) {
                    Some(prop) => {
                        check_body(prop, item, &format!("{at}.{key}"), depth + 1, creating)?
                    }
                    None if schema.get("additional").is_some() => {
                        check_body(
                            &schema["additional"],
                            item,
                            &format!("{at}.{key}"),
                            depth + 1,
                            creating,
                        )?;
                    }
                    None if props.is_some() => {
                        let known = props
                            .into_iter()
                            .flatten()
                            .filter(|(_, p)| p["read_only"] != true)
                            .map(|(k, _)| k.as_str());
                        return Err(bad(format!(
                            "`{at}` has no field `{key}` (it takes: {})",
                            names(known)
                        )));
                    }
                    None => {}
                }
            }
            if creating && let Some(required) = schema["required"].as_array() {
                let missing: Vec<&str> = required
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|r| !map.contains_key(*r))
                    .collect();
                if !missing.is_empty() {
                    return Err(bad(format!(
                        "`{at}` needs field(s) {}",
                        names(missing.into_iter())
                    )));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<String> = names.map(|n| format!("`{n}`")).collect();
    if all.is_empty() {
        "none".to_owned()
    } else {
        all.join(", ")
    }
}

fn bad(why: String) -> ToolError {
    ToolError::InvalidArguments(why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::by_id;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn refusal(op: &str, path: Value, query: Value, body: Option<Value>) -> String {
        request(by_id(op).unwrap(), &map(path), &map(query), body.as_ref())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn a_good_request_is_built() {
        let req = request(
            by_id("dashboard").unwrap(),
            &map(json!({"dashboard_id": "1"})),
            &map(json!({"fields": "id"})),
            None,
        )
        .unwrap();
        assert_eq!(req.path().as_str(), "/dashboards/1");
        assert_eq!(req.query_value("fields"), Some("id"));
        let body = json!({"title": "T", "folder_id": "1", "not_a_field": null});
        let err = refusal("create_dashboard", json!({}), json!({}), Some(body));
        assert!(err.contains("`body` has no field `not_a_field`"), "{err}");
    }

    #[test]
    fn refusals_name_the_problem() {
        assert!(
            refusal("dashboard", json!({}), json!({}), None)
                .contains("needs path parameter `dashboard_id`")
        );
        assert!(
            refusal(
                "dashboard",
                json!({"dashboard_id": "1", "x": "2"}),
                json!({}),
                None
            )
            .contains("no path parameter `x`")
        );
        assert!(
            refusal(
                "dashboard",
                json!({"dashboard_id": "1"}),
                json!({"nope": 1}),
                None
            )
            .contains("no query parameter `nope`")
        );
        assert!(
            refusal("all_users", json!({}), json!({"page": "two"}), None)
                .contains("`page` must be of type integer")
        );
        assert!(
            refusal(
                "create_dashboard",
                json!({}),
                json!({}),
                Some(json!({"title": 5}))
            )
            .contains("`body.title` must be a string, not a number")
        );
        assert!(refusal("create_dashboard", json!({}), json!({}), None).contains("needs a `body`"));
        assert!(
            refusal(
                "dashboard",
                json!({"dashboard_id": "1"}),
                json!({}),
                Some(json!({}))
            )
            .contains("takes no body")
        );
        let nested = json!({"model": "m", "view": "v", "fields": ["a", 3]});
        assert!(
            refusal("create_query", json!({}), json!({}), Some(nested))
                .contains("`body.fields[1]` must be a string")
        );
        assert!(
            refusal(
                "create_query",
                json!({}),
                json!({}),
                Some(json!({"model": "m"}))
            )
            .contains("needs field(s) `view`")
        );
    }
}

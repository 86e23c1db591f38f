//! Builds the compact API index from the vendored Looker OpenAPI spec, once, at build time:
//! `ops.json` (every operation: id, method, path, summary, tag, parameters, body and response
//! schema references) and `schemas.json` (every component schema, without descriptions longer
//! than a line). The plugin embeds both with `include_str!`, so no call parses the 2 MB spec.

use std::env;
use std::fs;
use std::path::PathBuf;

use serde_json::{Map, Value, json};

/// The vendored spec, relative to this crate. The one place that names it.
const SPEC: &str = "../../host/looker-sim/spec/Looker.4.0.oas.json";

/// The longest description kept for an operation or a property.
const OP_DESCRIPTION_CHARS: usize = 200;
const PROPERTY_DESCRIPTION_CHARS: usize = 80;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn main() {
    let dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets this"));
    let spec_path = dir.join(SPEC);
    println!("cargo:rerun-if-changed={}", spec_path.display());
    let spec: Value = serde_json::from_slice(
        &fs::read(&spec_path).unwrap_or_else(|e| panic!("reading {}: {e}", spec_path.display())),
    )
    .expect("the Looker spec is JSON");

    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("spec paths") {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                ops.push(operation(path, method, op));
            }
        }
    }
    let schemas: Map<String, Value> = spec["components"]["schemas"]
        .as_object()
        .expect("spec schemas")
        .iter()
        .map(|(name, s)| (name.clone(), schema(s)))
        .collect();

    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets this"));
    fs::write(out.join("ops.json"), Value::Array(ops).to_string()).expect("writing ops.json");
    fs::write(out.join("schemas.json"), Value::Object(schemas).to_string())
        .expect("writing schemas.json");
}

/// One operation: `id`, `method`, `path`, `summary`, `tag`, `description` (first paragraph),
/// `params` (`[name, in, type, required]`), `body` (a compact schema, or absent), `body_type`
/// (its media type), `response` (the 200/201/204 schema), `deprecated`.
fn operation(path: &str, method: &str, op: &Value) -> Value {
    let params: Vec<Value> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            json!([
                p["name"],
                p["in"],
                type_name(&p["schema"]),
                p["required"].as_bool().unwrap_or(false)
            ])
        })
        .collect();
    let mut out = json!({
        "id": op["operationId"],
        "method": method.to_ascii_uppercase(),
        "path": path,
        "summary": op["summary"],
        "tag": op["tags"][0],
        "description": first_paragraph(op["description"].as_str().unwrap_or(""), OP_DESCRIPTION_CHARS),
        "params": params,
    });
    if let Some(content) = op["requestBody"]["content"].as_object()
        && let Some((media, body)) = content.iter().next()
    {
        out["body"] = schema(&body["schema"]);
        out["body_type"] = json!(media);
        out["body_required"] = json!(op["requestBody"]["required"].as_bool().unwrap_or(false));
    }
    for status in ["200", "201", "204"] {
        if let Some(content) = op["responses"][status]["content"].as_object()
            && let Some((_, answer)) = content.iter().next()
        {
            out["response"] = schema(&answer["schema"]);
            break;
        }
    }
    if op["deprecated"] == true {
        out["deprecated"] = json!(true);
    }
    out
}

/// A parameter's type: `string`, `integer`, `boolean`, `array`, `object`.
fn type_name(schema: &Value) -> Value {
    schema["type"].clone()
}

/// A schema with only what validation and description need: `type`, `ref` (a component
/// name), `items`, `properties`, `required`, `additional`, `enum`, `format`, `read_only`,
/// `nullable`, `description` (one line).
fn schema(s: &Value) -> Value {
    let mut out = Map::new();
    if let Some(r) = s["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or(r);
        out.insert("ref".into(), json!(name));
    }
    for (from, to) in [
        ("type", "type"),
        ("format", "format"),
        ("enum", "enum"),
        ("required", "required"),
    ] {
        if !s[from].is_null() {
            out.insert(to.into(), s[from].clone());
        }
    }
    if s["readOnly"] == true {
        out.insert("read_only".into(), json!(true));
    }
    if s["nullable"] == true {
        out.insert("nullable".into(), json!(true));
    }
    if s["x-looker-write-only"] == true {
        out.insert("write_only".into(), json!(true));
    }
    if let Some(d) = s["description"].as_str() {
        let d = first_paragraph(d, PROPERTY_DESCRIPTION_CHARS);
        if !d.is_empty() {
            out.insert("description".into(), json!(d));
        }
    }
    if s["items"].is_object() {
        out.insert("items".into(), schema(&s["items"]));
    }
    if let Some(props) = s["properties"].as_object() {
        let props: Map<String, Value> = props.iter().map(|(k, v)| (k.clone(), schema(v))).collect();
        out.insert("properties".into(), Value::Object(props));
    }
    match &s["additionalProperties"] {
        Value::Object(a) if !a.is_empty() => {
            out.insert("additional".into(), schema(&s["additionalProperties"]));
        }
        Value::Object(_) | Value::Bool(true) => {
            out.insert("additional".into(), json!({}));
        }
        _ => {}
    }
    Value::Object(out)
}

/// The first paragraph of Markdown text without heading marks, cut at `max` characters.
fn first_paragraph(text: &str, max: usize) -> String {
    let para = text
        .split("\n\n")
        .map(|p| p.trim().trim_start_matches('#').trim())
        .find(|p| !p.is_empty())
        .unwrap_or("");
    let line = para.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let cut: String = line.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

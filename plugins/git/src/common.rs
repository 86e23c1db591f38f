//! Input schemas from compact argument tables.

use serde_json::{Map, Value, json};

/// The JSON type of one argument, with its default.
#[derive(Clone, Copy)]
pub enum Ty {
    /// A required string.
    Str,
    /// An optional string (`string | null`, default `null`).
    OptStr,
    /// A boolean with a default.
    Bool(bool),
}

/// An object schema from `(name, type, description)` triples; the plain strings are required.
pub fn schema(args: &[(&str, Ty, &str)]) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for (name, ty, description) in args {
        let prop = match ty {
            Ty::Str => {
                required.push(*name);
                json!({"type": "string"})
            }
            Ty::OptStr => {
                json!({"anyOf": [{"type": "string"}, {"type": "null"}], "default": null})
            }
            Ty::Bool(d) => json!({"type": "boolean", "default": d}),
        };
        let mut prop = prop;
        prop["description"] = Value::from(*description);
        props.insert((*name).to_owned(), prop);
    }
    let mut schema = json!({"type": "object", "properties": props, "additionalProperties": false});
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

//! Lenient argument coercion, applied before schema validation.
//!
//! Clients differ in how they send arguments: MCP Inspector's `--tool-arg look_id=1` sends a
//! number, some assistants quote every value (`"limit": "10"`), others send a single value where
//! a list is expected. Where the schema makes the intent unambiguous, the value is converted:
//!
//! | The schema expects | The value | Becomes |
//! |---|---|---|
//! | `integer` | a string holding an integer (`"10"`, `" 10 "`, `"1e3"`) | that integer |
//! | `number` | a string holding a finite number (`"2.5"`) | that number |
//! | `boolean` | `"true"` or `"false"` (any case) | that boolean |
//! | `string` | a number (`1`, `2.5`) | its JSON text (`"1"`, `"2.5"`) |
//! | `array` | a string holding a JSON array (`"[\"a\"]"`) | that array |
//! | `array` of `T` | one value that is (or coerces to) a `T` | a one-element array |
//! | `object` | a string holding a JSON object | that object |
//!
//! "The schema expects `T`" means the property's schema admits exactly one JSON type besides
//! `null`: `"type": "T"`, `"type": ["T", "null"]`, or an `anyOf`/`oneOf` whose branches are one
//! `T` schema and `{"type": "null"}`. Anything else (several types, no type, `enum` alone) is
//! left as sent. Top-level arguments, array items and the properties of nested objects
//! (including `additionalProperties` values) are coerced; `null` is never touched. A value that
//! does not convert is left as it is, so validation refuses it and names the argument.

use serde_json::{Map, Number, Value};

/// `arguments` (a JSON object) with every unambiguous coercion applied against `schema`, the
/// tool's input schema.
pub fn arguments(schema: &Map<String, Value>, arguments: Value) -> Value {
    match arguments {
        Value::Object(map) => Value::Object(object(map, schema)),
        other => other,
    }
}

/// The one non-null JSON type `schema` admits, with the (sub)schema that describes it.
pub fn single_type(schema: &Value) -> Option<(&str, &Value)> {
    match schema.get("type") {
        Some(Value::String(t)) => (t != "null").then_some((t.as_str(), schema)),
        Some(Value::Array(types)) => {
            let mut others = types.iter().filter(|t| *t != "null");
            match (others.next(), others.next()) {
                (Some(Value::String(t)), None) => Some((t.as_str(), schema)),
                _ => None,
            }
        }
        Some(_) => None,
        None => ["anyOf", "oneOf"].iter().find_map(|key| {
            let branches = schema.get(*key)?.as_array()?;
            let mut others = branches.iter().filter(|b| !is_null_schema(b));
            match (others.next(), others.next()) {
                (Some(branch), None) => single_type(branch),
                _ => None,
            }
        }),
    }
}

/// Whether `schema` is `{"type": "null"}` (a branch that only admits null).
fn is_null_schema(schema: &Value) -> bool {
    schema.get("type") == Some(&Value::from("null"))
}

/// `value` coerced towards `schema` where the schema is unambiguous.
pub fn value(value: Value, schema: &Value) -> Value {
    if value.is_null() {
        return value;
    }
    let Some((expected, schema)) = single_type(schema) else {
        return value;
    };
    match (expected, value) {
        ("integer", Value::String(s)) => integer(&s).map_or(Value::String(s), Value::Number),
        ("number", Value::String(s)) => number(&s).map_or(Value::String(s), Value::Number),
        ("boolean", Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(s),
        },
        ("string", Value::Number(n)) => Value::String(n.to_string()),
        ("array", Value::Array(items)) => Value::Array(array(items, schema)),
        ("array", Value::String(s)) if s.trim_start().starts_with('[') => {
            match serde_json::from_str::<Value>(&s) {
                Ok(Value::Array(items)) => Value::Array(array(items, schema)),
                _ => wrap(Value::String(s), schema),
            }
        }
        ("array", single @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => {
            wrap(single, schema)
        }
        ("array", Value::Object(map)) => wrap(Value::Object(map), schema),
        ("object", Value::Object(map)) => Value::Object(object(map, schema)),
        ("object", Value::String(s)) if s.trim_start().starts_with('{') => {
            match serde_json::from_str::<Value>(&s) {
                Ok(Value::Object(map)) => Value::Object(object(map, schema)),
                _ => Value::String(s),
            }
        }
        (_, other) => other,
    }
}

/// `[single]` when the array's items have one type and `single` is (or coerces to) it.
fn wrap(single: Value, array_schema: &Value) -> Value {
    let Some(items) = array_schema.get("items") else {
        return single;
    };
    let Some((item_type, _)) = single_type(items) else {
        return single;
    };
    let item = value(single.clone(), items);
    if has_type(&item, item_type) {
        Value::Array(vec![item])
    } else {
        single
    }
}

/// Whether `value` is of JSON Schema type `expected`.
fn has_type(value: &Value, expected: &str) -> bool {
    match expected {
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        "number" => value.is_number(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

fn array(items: Vec<Value>, schema: &Value) -> Vec<Value> {
    match schema.get("items") {
        Some(item_schema) if item_schema.is_object() => items
            .into_iter()
            .map(|item| value(item, item_schema))
            .collect(),
        _ => items,
    }
}

fn object(map: Map<String, Value>, schema: &impl Lookup) -> Map<String, Value> {
    let properties = schema.lookup("properties").and_then(Value::as_object);
    let additional = schema
        .lookup("additionalProperties")
        .filter(|s| s.is_object());
    map.into_iter()
        .map(|(name, v)| {
            let property = properties.and_then(|p| p.get(&name)).or(additional);
            let v = match property {
                Some(property) => value(v, property),
                None => v,
            };
            (name, v)
        })
        .collect()
}

/// A schema read as a map or as a value.
trait Lookup {
    fn lookup(&self, key: &str) -> Option<&Value>;
}

impl Lookup for Map<String, Value> {
    fn lookup(&self, key: &str) -> Option<&Value> {
        self.get(key)
    }
}

impl Lookup for Value {
    fn lookup(&self, key: &str) -> Option<&Value> {
        self.get(key)
    }
}

/// An integer written as text: `"10"`, `" -3 "`, `"1e3"`; not `"1.5"`, `"ten"`, `""`.
fn integer(text: &str) -> Option<Number> {
    let text = text.trim();
    if let Ok(i) = text.parse::<i64>() {
        return Some(i.into());
    }
    if let Ok(u) = text.parse::<u64>() {
        return Some(u.into());
    }
    let f = finite(text)?;
    (f.fract() == 0.0 && f.abs() < 9.0e15).then(|| (f as i64).into())
}

/// A finite number written as text: `"2.5"`, `"10"`, `"-1e-3"`; not `"NaN"`, `"inf"`, `""`.
fn number(text: &str) -> Option<Number> {
    let text = text.trim();
    if let Ok(i) = text.parse::<i64>() {
        return Some(i.into());
    }
    Number::from_f64(finite(text)?)
}

fn finite(text: &str) -> Option<f64> {
    // Rust also reads "inf", "nan" and "infinity"; JSON has no such numbers.
    if !text
        .bytes()
        .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        return None;
    }
    text.parse::<f64>().ok().filter(|f| f.is_finite())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn coerce(schema: Value, args: Value) -> Value {
        arguments(schema.as_object().unwrap(), args)
    }

    fn one(property: Value, sent: Value) -> Value {
        let schema = json!({"type": "object", "properties": {"x": property}});
        coerce(schema, json!({ "x": sent }))["x"].clone()
    }

    #[test]
    fn numeric_strings_become_integers() {
        assert_eq!(one(json!({"type": "integer"}), json!("10")), json!(10));
        assert_eq!(one(json!({"type": "integer"}), json!(" -3 ")), json!(-3));
        assert_eq!(one(json!({"type": "integer"}), json!("1e3")), json!(1000));
    }

    #[test]
    fn non_integer_strings_stay_for_validation_to_refuse() {
        for sent in ["ten", "", "1.5", "NaN", "inf", "0x10", "10 rows"] {
            assert_eq!(one(json!({"type": "integer"}), json!(sent)), json!(sent));
        }
    }

    #[test]
    fn numeric_strings_become_numbers() {
        assert_eq!(one(json!({"type": "number"}), json!("2.5")), json!(2.5));
        assert_eq!(one(json!({"type": "number"}), json!("7")), json!(7));
        assert_eq!(one(json!({"type": "number"}), json!("nan")), json!("nan"));
        assert_eq!(
            one(json!({"type": "number"}), json!("infinity")),
            json!("infinity")
        );
    }

    #[test]
    fn true_and_false_strings_become_booleans() {
        assert_eq!(one(json!({"type": "boolean"}), json!("true")), json!(true));
        assert_eq!(
            one(json!({"type": "boolean"}), json!("FALSE")),
            json!(false)
        );
        for sent in ["yes", "1", "on", ""] {
            assert_eq!(one(json!({"type": "boolean"}), json!(sent)), json!(sent));
        }
        assert_eq!(one(json!({"type": "boolean"}), json!(1)), json!(1));
    }

    #[test]
    fn numbers_become_strings_where_a_string_is_expected() {
        assert_eq!(one(json!({"type": "string"}), json!(1)), json!("1"));
        assert_eq!(one(json!({"type": "string"}), json!(2.5)), json!("2.5"));
        assert_eq!(one(json!({"type": "string"}), json!(true)), json!(true));
    }

    #[test]
    fn a_single_value_becomes_a_one_element_array() {
        let strings = json!({"type": "array", "items": {"type": "string"}});
        assert_eq!(one(strings.clone(), json!("a")), json!(["a"]));
        assert_eq!(one(strings.clone(), json!(7)), json!(["7"]));
        let integers = json!({"type": "array", "items": {"type": "integer"}});
        assert_eq!(one(integers.clone(), json!("5")), json!([5]));
        assert_eq!(one(integers.clone(), json!("five")), json!("five"));
        assert_eq!(one(integers, json!(true)), json!(true));
    }

    #[test]
    fn json_text_becomes_the_array_or_object_it_holds() {
        let strings = json!({"type": "array", "items": {"type": "string"}});
        assert_eq!(one(strings, json!(r#"["a", "b"]"#)), json!(["a", "b"]));
        let object = json!({"type": "object", "properties": {"n": {"type": "integer"}}});
        assert_eq!(one(object.clone(), json!(r#"{"n": "3"}"#)), json!({"n": 3}));
        assert_eq!(one(object, json!("{oops")), json!("{oops"));
    }

    #[test]
    fn array_items_are_coerced() {
        let integers = json!({"type": "array", "items": {"type": "integer"}});
        assert_eq!(one(integers, json!(["1", 2, "x"])), json!([1, 2, "x"]));
    }

    #[test]
    fn nested_objects_and_additional_properties_are_coerced() {
        let nested = json!({
            "type": "object",
            "properties": {"port": {"type": "integer"}},
            "additionalProperties": {"type": "boolean"}
        });
        assert_eq!(
            one(nested, json!({"port": "5432", "ssl": "true"})),
            json!({"port": 5432, "ssl": true})
        );
    }

    #[test]
    fn nullable_types_and_null_branches_count_as_one_type() {
        assert_eq!(
            one(json!({"type": ["integer", "null"]}), json!("4")),
            json!(4)
        );
        let any_of = json!({"anyOf": [{"type": "integer"}, {"type": "null"}]});
        assert_eq!(one(any_of.clone(), json!("4")), json!(4));
        assert_eq!(one(any_of, Value::Null), Value::Null);
        let list =
            json!({"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]});
        assert_eq!(one(list, json!("orders.count")), json!(["orders.count"]));
    }

    #[test]
    fn ambiguous_schemas_are_left_alone() {
        for schema in [
            json!({"type": ["integer", "string"]}),
            json!({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}),
            json!({"enum": ["a", "b"]}),
            json!({}),
            json!({"type": "array"}),
        ] {
            assert_eq!(one(schema.clone(), json!(5)), json!(5), "{schema}");
            assert_eq!(one(schema.clone(), json!("5")), json!("5"), "{schema}");
        }
    }

    #[test]
    fn unknown_arguments_and_non_objects_pass_through() {
        let schema = json!({"type": "object", "properties": {}});
        assert_eq!(
            coerce(schema.clone(), json!({"zz": "1"})),
            json!({"zz": "1"})
        );
        assert_eq!(coerce(schema, json!([1])), json!([1]));
    }
}

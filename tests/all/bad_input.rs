//! Bad input, generated: for every tool of `--groups all`, property-based arguments that break its
//! input schema (a value of the wrong type that the host's lenient coercion cannot fix, a value
//! outside an enum, an unknown argument, a missing required one). Each must come back as a tool
//! error naming the offending argument, before any request reaches Looker, and the server must
//! go on serving.
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Map, Value, json};

use crate::support::{Harness, call, json, text};

/// Generated cases per tool and kind of breakage.
const CASES: usize = 3;

/// JSON types a property schema admits (`type`, or the types of its `anyOf`/`oneOf` branches);
/// empty when it constrains no type.
fn admitted_types(schema: &Value) -> Vec<String> {
    let mut types = Vec::new();
    match &schema["type"] {
        Value::String(t) => types.push(t.clone()),
        Value::Array(ts) => types.extend(ts.iter().filter_map(|t| t.as_str().map(str::to_owned))),
        _ => {}
    }
    for key in ["anyOf", "oneOf"] {
        for branch in schema[key].as_array().into_iter().flatten() {
            let inner = admitted_types(branch);
            if inner.is_empty() {
                return Vec::new(); // an unconstrained branch admits anything
            }
            types.extend(inner);
        }
    }
    types
}

/// JSON types the items of the arrays a property schema admits may have (its `items`, or the
/// `items` of its `anyOf`/`oneOf` branches).
fn item_types(schema: &Value) -> Vec<String> {
    let mut types = admitted_types(&schema["items"]);
    for key in ["anyOf", "oneOf"] {
        for branch in schema[key].as_array().into_iter().flatten() {
            types.extend(item_types(branch));
        }
    }
    types
}

/// Values of JSON types that `types` does not admit and that the host's lenient coercion
/// (host/src/fit/coerce.rs) cannot turn into an admitted value: no numbers where a string is
/// admitted (they would become strings), strings that hold no number, boolean or JSON (`~…`),
/// and no single value of the item type where an array is admitted (it would become a list of
/// one). `null` only for required arguments: listed schemas are portable
/// (host/src/fit/portable.rs), so an optional argument listed as `"type": X` may still accept
/// `null` under the schema calls are validated against.
fn wrong_typed(types: &[String], items: &[String], required: bool) -> Option<BoxedStrategy<Value>> {
    let admits = |t: &str| types.iter().any(|x| x == t);
    let wraps = |t: &str| admits("array") && items.iter().any(|x| x == t);
    let mut options: Vec<BoxedStrategy<Value>> = Vec::new();
    if !admits("null") && required {
        options.push(Just(Value::Null).boxed());
    }
    if !admits("boolean") && !wraps("boolean") {
        options.push(any::<bool>().prop_map(Value::from).boxed());
    }
    let into_string = admits("string") || wraps("string");
    if !admits("integer")
        && !admits("number")
        && !into_string
        && !wraps("integer")
        && !wraps("number")
    {
        options.push(any::<i64>().prop_map(Value::from).boxed());
    }
    if !admits("number") && !into_string && !wraps("number") {
        options.push(
            (-1.0e6..1.0e6f64)
                .prop_map(|f| json!(f.trunc() + 0.5))
                .boxed(),
        );
    }
    if !admits("string") && !wraps("string") {
        options.push("~\\PC{0,11}".prop_map(Value::from).boxed());
    }
    if !admits("array") {
        options.push(
            proptest::collection::vec("\\PC{0,4}".prop_map(Value::from), 0..3)
                .prop_map(Value::from)
                .boxed(),
        );
    }
    if !admits("object") && !wraps("object") {
        options.push(
            proptest::collection::btree_map("[a-z]{1,4}", any::<i32>().prop_map(Value::from), 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect()))
                .boxed(),
        );
    }
    (!options.is_empty()).then(|| proptest::strategy::Union::new(options).boxed())
}

/// One generated call that must be refused, and the text its error must contain.
struct Case {
    tool: String,
    arguments: Map<String, Value>,
    names: String,
}

fn sample<S: Strategy>(runner: &mut TestRunner, strategy: &S) -> S::Value {
    strategy.new_tree(runner).expect("strategy").current()
}

/// Breaks `tool`'s schema in every way it allows, `CASES` times each.
fn cases_for(runner: &mut TestRunner, tool: &str, schema: &Value) -> Vec<Case> {
    let properties = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let case = |arguments: Map<String, Value>, names: &str| Case {
        tool: tool.to_owned(),
        arguments,
        names: names.to_owned(),
    };
    let mut cases = Vec::new();
    if let Some(missing) = required.first() {
        cases.push(case(Map::new(), missing));
    }
    for _ in 0..CASES {
        if schema["additionalProperties"] == json!(false) {
            let name = sample(runner, &"zz_[a-z0-9_]{1,10}");
            let value = sample(runner, &any::<i32>());
            cases.push(case(
                [(name.clone(), json!(value))].into_iter().collect(),
                &name,
            ));
        }
        let typed: Vec<(&String, BoxedStrategy<Value>)> = properties
            .iter()
            .filter_map(|(name, p)| {
                let types = admitted_types(p);
                (!types.is_empty())
                    .then(|| wrong_typed(&types, &item_types(p), required.contains(&name.as_str())))
                    .flatten()
                    .map(|s| (name, s))
            })
            .collect();
        if !typed.is_empty() {
            let (name, strategy) = &typed[sample(runner, &(0..typed.len()))];
            let value = sample(runner, strategy);
            cases.push(case(
                [((*name).clone(), value)].into_iter().collect(),
                &format!("/{name}"),
            ));
        }
        let enums: Vec<(&String, &Vec<Value>)> = properties
            .iter()
            .filter_map(|(name, p)| p["enum"].as_array().map(|e| (name, e)))
            .collect();
        if !enums.is_empty() {
            let (name, allowed) = enums[sample(runner, &(0..enums.len()))];
            let value = sample(
                runner,
                &"[A-Za-z_]{1,12}"
                    .prop_filter("outside the enum", |v| !allowed.contains(&json!(v))),
            );
            cases.push(case(
                [(name.clone(), json!(value))].into_iter().collect(),
                &format!("/{name}"),
            ));
        }
    }
    cases
}

#[tokio::test]
async fn schema_breaking_arguments_are_refused_before_looker_for_every_tool() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "all"]).await;
    let tools = client.list_all_tools().await.unwrap();
    let mut runner = TestRunner::deterministic();
    let cases: Vec<Case> = tools
        .iter()
        .flat_map(|t| {
            let schema = Value::Object((*t.input_schema).clone());
            cases_for(&mut runner, t.name.as_ref(), &schema)
        })
        .collect();
    assert!(cases.len() > 3 * tools.len(), "{} cases", cases.len());

    h.sim.take_requests();
    for case in &cases {
        let result = call(&client, &case.tool, Value::Object(case.arguments.clone())).await;
        let message = text(&result);
        assert_eq!(
            result.is_error,
            Some(true),
            "{} {:?} was accepted",
            case.tool,
            case.arguments
        );
        assert!(
            message.starts_with(&format!("invalid arguments for {}: ", case.tool))
                && message.contains(&case.names),
            "{} {:?}: the error does not name {:?}: {message}",
            case.tool,
            case.arguments,
            case.names
        );
    }
    assert!(
        h.sim.take_requests().is_empty(),
        "no request reaches Looker for {} refused calls",
        cases.len()
    );

    let me = json(&call(&client, "whoami", json!({})).await);
    assert_eq!(me["email"], "admin@example.com", "still serving");
    client.cancel().await.unwrap();
}

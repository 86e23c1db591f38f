//! The whole tool catalogue (`--groups all`): every tool keeps the Python server's name, argument
//! names and required arguments, carries all four annotations, and a real description.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::support::Harness;

/// Tools looker-mcp-server 0.25.0 does not have (issue 16), with their group.
const ADDED_TOOLS: &[(&str, &str)] = &[
    ("get_field_value_suggestions", "explore"),
    ("run_merge_query", "query"),
    ("get_dashboard_layout", "content"),
    ("update_dashboard_layout_component", "content"),
];

/// Arguments added to reference tools (issue 16): the query options, wherever a query is built.
const ADDED_ARGUMENTS: &[(&str, &[&str])] = &[
    ("query", QUERY_OPTIONS),
    ("query_sql", QUERY_OPTIONS),
    ("query_url", QUERY_OPTIONS),
    ("add_dashboard_element", ADD_ELEMENT_OPTIONS),
];

const QUERY_OPTIONS: &[&str] = &[
    "pivots",
    "dynamic_fields",
    "filter_expression",
    "query_timezone",
    "total",
    "row_total",
    "fill_fields",
];

const ADD_ELEMENT_OPTIONS: &[&str] = &[
    "pivots",
    "dynamic_fields",
    "filter_expression",
    "query_timezone",
    "total",
    "row_total",
    "fill_fields",
    "merge_query_id",
];

/// The seed with the added tools (no arguments to compare) and arguments.
fn seed() -> Value {
    let mut seed = reference_seed();
    let tools = seed["tools"].as_array_mut().unwrap();
    for tool in tools.iter_mut() {
        let name = tool["name"].as_str().unwrap().to_owned();
        for (_, added) in ADDED_ARGUMENTS.iter().filter(|(n, _)| *n == name) {
            for arg in *added {
                tool["input_schema"]["properties"][*arg] = json!({});
            }
        }
    }
    for (name, group) in ADDED_TOOLS {
        tools.push(json!({"name": name, "group": group, "input_schema": null, "added": true}));
    }
    seed
}

fn reference_seed() -> Value {
    serde_json::from_str(include_str!("../fixtures/seed-tools-0.25.0.json")).unwrap()
}

/// The `api` group's tools (code mode), which the Python server does not have.
const CODE_MODE: &[&str] = &[
    "search_looker_api",
    "describe_looker_api",
    "call_looker_api",
    "change_looker_api",
    "run_looker_script",
];

#[tokio::test]
async fn every_tool_matches_the_python_server_and_is_annotated() {
    let reference = seed();
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "all"]).await;
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.len() >= 7, "{} tools", tools.len());
    let mut seen = BTreeSet::new();
    for tool in &tools {
        let name = tool.name.as_ref();
        assert!(seen.insert(name.to_string()), "{name} listed twice");
        let Some(seed) = reference["tools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
        else {
            // Code mode (the `api` group) is ours; it has no Python counterpart.
            assert!(
                CODE_MODE.contains(&name),
                "{name} is not a tool of looker-mcp-server 0.25.0"
            );
            assert!(tool.annotations.is_some(), "{name} has no annotations");
            continue;
        };
        let props = |schema: &Value| -> BTreeSet<String> {
            schema["properties"]
                .as_object()
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default()
        };
        let ours = Value::Object((*tool.input_schema).clone());
        let required = |s: &Value| -> BTreeSet<String> {
            s["required"]
                .as_array()
                .map(|r| r.iter().map(|v| v.as_str().unwrap().to_string()).collect())
                .unwrap_or_default()
        };
        // A new tool has no reference arguments to compare with.
        let added = seed["added"] == true;
        let mut theirs = if added {
            props(&ours)
        } else {
            props(&seed["input_schema"])
        };
        // The query tools' developer arguments are offered only with LOOKER_QUERY_DEV_PARAMS=true.
        for dev in ["dev_mode", "branch", "project_id"] {
            if seed["group"] == "query" && !props(&ours).contains(dev) {
                theirs.remove(dev);
            }
        }
        assert_eq!(props(&ours), theirs, "{name}: argument names");
        for required in required(&seed["input_schema"]) {
            assert!(
                props(&ours).contains(&required),
                "{name}: required argument {required} is offered"
            );
        }
        if !added {
            assert_eq!(
                required(&ours),
                required(&seed["input_schema"]),
                "{name}: required arguments"
            );
        }
        assert_eq!(ours["type"], "object", "{name}");

        let a = tool
            .annotations
            .as_ref()
            .unwrap_or_else(|| panic!("{name} has no annotations"));
        assert!(
            a.read_only_hint.is_some()
                && a.destructive_hint.is_some()
                && a.idempotent_hint.is_some(),
            "{name}: {a:?}"
        );
        assert_eq!(a.open_world_hint, Some(false), "{name}");
        if a.read_only_hint == Some(true) {
            assert_eq!(
                a.destructive_hint,
                Some(false),
                "{name}: a read-only tool cannot be destructive"
            );
        }
        if name.starts_with("delete_") {
            assert_eq!(
                a.destructive_hint,
                Some(true),
                "{name}: deletes are destructive"
            );
        }
        assert!(
            tool.title.as_ref().is_some_and(|t| !t.is_empty()),
            "{name} has a title"
        );
        assert!(
            tool.description.as_ref().is_some_and(|d| d.len() >= 60),
            "{name} needs a real description"
        );
    }
    // Groups come in the Python server's order.
    let order: Vec<&str> = reference["group_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    let group_of = |name: &str| {
        let g = reference["tools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap()["group"]
            .clone();
        order.iter().position(|o| json!(o) == g).unwrap()
    };
    let positions: Vec<usize> = tools
        .iter()
        .filter(|t| !CODE_MODE.contains(&t.name.as_ref()))
        .map(|t| group_of(&t.name))
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] <= w[1]),
        "tools/list follows the seed's group order"
    );
    client.cancel().await.unwrap();
}

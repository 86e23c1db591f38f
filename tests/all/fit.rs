//! Fitting clients (host/src/fit): lenient argument coercion, portable schemas, enum errors
//! that list every value, generated instructions and the result budget — through a real MCP
//! client, checking what reaches Looker.

use rmcp::model::{CallToolResult, Tool};
use serde_json::{Value, json};

use crate::support::{
    Harness, assert_tool_error_with, call, json, only_request, query as query_value, text,
};

/// Checks a structured result against the tool's listed output schema.
fn assert_matches_output_schema(tools: &[Tool], name: &str, result: &CallToolResult) {
    let tool = tools.iter().find(|t| t.name == name).unwrap();
    let schema = Value::Object((**tool.output_schema.as_ref().unwrap()).clone());
    let validator = jsonschema::validator_for(&schema).unwrap();
    let structured = result.structured_content.clone().unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&structured)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}");
}

/// Whether any (sub)schema has a `type` array.
fn has_type_array(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            map.get("type").is_some_and(Value::is_array)
                || map
                    .iter()
                    .filter(|(k, _)| {
                        !["enum", "const", "default", "examples"].contains(&k.as_str())
                    })
                    .any(|(_, v)| has_type_array(v))
        }
        Value::Array(items) => items.iter().any(has_type_array),
        _ => false,
    }
}

#[tokio::test]
async fn quoted_numbers_and_booleans_reach_looker_as_numbers_and_booleans() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "query"]).await;
    let result = call(
        &client,
        "run_query",
        json!({"query_id": "1", "limit": "2", "apply_formatting": "true", "cache": "false"}),
    )
    .await;
    assert_eq!(json(&result)["row_count"], 2);
    let request = only_request(&h);
    assert_eq!(query_value(&request, "limit"), Some("2"));
    assert_eq!(query_value(&request, "apply_formatting"), Some("true"));
    assert_eq!(query_value(&request, "cache"), Some("false"));
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_quoted_limit_is_accepted_by_query() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "query"]).await;
    let args =
        json!({"model": "ecommerce", "view": "orders", "fields": ["orders.id"], "limit": "10"});
    let out = json(&call(&client, "query", args).await);
    assert_eq!(out["row_count"], 10);
    let requests = h.api_requests();
    assert_eq!(requests[0].body.as_ref().unwrap()["limit"], "10");
    assert_eq!(query_value(&requests[1], "limit"), Some("10"));
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_number_is_accepted_for_a_string_id() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "query"]).await;
    let result = call(&client, "run_look", json!({"look_id": 1, "limit": 3})).await;
    assert!(json(&result)["row_count"].is_number());
    let request = only_request(&h);
    assert!(
        request.path.starts_with("/looks/1/run/"),
        "{}",
        request.path
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_single_field_is_accepted_as_a_list_of_one() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "query"]).await;
    let args = json!({"model": "ecommerce", "view": "orders", "fields": "orders.count"});
    let out = json(&call(&client, "query", args).await);
    assert_eq!(out["columns"][0]["name"], "orders.count");
    let requests = h.api_requests();
    assert_eq!(
        requests[0].body.as_ref().unwrap()["fields"],
        json!(["orders.count"])
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_value_that_does_not_convert_is_refused_naming_the_argument() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "query"]).await;
    for (tool, args) in [
        (
            "query",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.id"], "limit": "ten"}),
        ),
        ("run_query", json!({"query_id": "1", "cache": "yes"})),
        ("run_look", json!({"look_id": true})),
    ] {
        let result = call(&client, tool, args.clone()).await;
        let argument = args
            .as_object()
            .unwrap()
            .keys()
            .find(|k| ["limit", "cache", "look_id"].contains(&k.as_str()))
            .unwrap();
        assert_tool_error_with(
            &result,
            &[&format!("invalid arguments for {tool}"), argument],
        );
    }
    assert!(h.api_requests().is_empty(), "nothing reaches Looker");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn null_is_still_accepted_for_a_nullable_optional_argument() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "audit"]).await;
    let tools = client.list_all_tools().await.unwrap();
    let listed = tools
        .iter()
        .find(|t| t.name == "get_query_history")
        .unwrap();
    let listed = &listed.input_schema["properties"]["user_email"];
    assert!(
        listed["type"] == "string" || listed["anyOf"][0]["type"] == "string",
        "listed as a string: {listed}"
    );
    let result = call(
        &client,
        "get_query_history",
        json!({"user_email": null, "dashboard_id": null}),
    )
    .await;
    json(&result);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn every_listed_schema_is_portable_draft_2020_12() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "all"]).await;
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.len() > 150, "{} tools", tools.len());
    for tool in &tools {
        let input = Value::Object((*tool.input_schema).clone());
        let output = tool
            .output_schema
            .as_ref()
            .map(|s| Value::Object((**s).clone()));
        for schema in std::iter::once(&input).chain(output.as_ref()) {
            assert!(!has_type_array(schema), "{}: {schema}", tool.name);
            jsonschema::draft202012::meta::validate(schema)
                .unwrap_or_else(|e| panic!("{}: {e}", tool.name));
        }
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn enum_errors_list_every_allowed_value() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "workflows"]).await;
    let result = call(&client, "audit_query_activity", json!({"scope": "user"})).await;
    assert_tool_error_with(
        &result,
        &[
            "/scope",
            r#""slow", "errors", "frequent", "by_user" or "by_content""#,
        ],
    );
    assert!(
        !text(&result).contains("other candidates"),
        "{}",
        text(&result)
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn instructions_name_exactly_the_loaded_groups() {
    let h = Harness::new().await;
    let client = h
        .stdio_client(&["--groups", "explore,query,identity"])
        .await;
    let instructions = client
        .peer_info()
        .and_then(|info| info.instructions.clone())
        .expect("instructions");
    let groups: Vec<&str> = instructions
        .lines()
        .filter_map(|l| l.strip_prefix("- ")?.split(':').next())
        .collect();
    assert_eq!(groups, ["explore", "query", "identity"], "{instructions}");
    assert!(
        instructions.contains("list_models → get_explore"),
        "{instructions}"
    );
    assert!(
        !instructions.contains("deploy_to_production"),
        "{instructions}"
    );
    assert!(instructions.contains("100000 characters"), "{instructions}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn tools_declare_the_result_budget() {
    let mut h = Harness::new().await;
    h.set("LOOKER_MAX_RESULT_CHARS", "50000");
    let client = h.stdio_client(&["--groups", "explore"]).await;
    let tools = client.list_all_tools().await.unwrap();
    for tool in &tools {
        let meta = tool.meta.as_ref().expect("_meta");
        assert_eq!(
            meta.0["anthropic/maxResultSizeChars"], 50000,
            "{}",
            tool.name
        );
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_query_over_the_character_budget_is_cut_and_says_so() {
    let mut h = Harness::new().await;
    h.set("LOOKER_MAX_RESULT_CHARS", "2000");
    let client = h.stdio_client(&["--groups", "query"]).await;
    let tools = client.list_all_tools().await.unwrap();
    let args = json!({"model": "ecommerce", "view": "orders", "limit": 60,
        "fields": ["orders.id", "orders.status", "orders.region", "orders.created_date"]});
    let result = call(&client, "query", args).await;
    let out = json(&result);
    assert_matches_output_schema(&tools, "query", &result);
    let kept = out["rows"].as_array().unwrap().len();
    assert!(kept > 0 && kept < 60, "{kept} rows kept");
    assert_eq!(out["row_count"], kept);
    assert_eq!(out["truncated"], true);
    assert_eq!(out["total_rows_before_budget"], 60);
    assert!(out.to_string().chars().count() <= 2000);
    let shown = text(&result);
    assert!(shown.chars().count() <= 2000, "{}", shown.len());
    assert!(
        shown.contains("… truncated: ") && shown.contains("characters shown"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("{kept} of 60 rows fit the result budget")),
        "the text shows the rows the structured content keeps: {shown}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn every_structured_result_of_every_tool_matches_its_output_schema() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "all"]).await;
    let tools = client.list_all_tools().await.unwrap();
    let (mut checked, mut problems) = (0, Vec::new());
    for tool in &tools {
        let schema = Value::Object((*tool.input_schema).clone());
        let mut arguments = serde_json::Map::new();
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap();
            arguments.insert(
                name.into(),
                crate::governance::plausible(&schema["properties"][name]),
            );
        }
        let result = call(&client, tool.name.as_ref(), Value::Object(arguments)).await;
        let Some(structured) = &result.structured_content else {
            continue;
        };
        let Some(output) = &tool.output_schema else {
            problems.push(format!(
                "{}: structuredContent without an outputSchema",
                tool.name
            ));
            continue;
        };
        let validator = jsonschema::validator_for(&Value::Object((**output).clone())).unwrap();
        problems.extend(
            validator
                .iter_errors(structured)
                .map(|e| format!("{}: {e}", tool.name)),
        );
        checked += 1;
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        checked > 60,
        "only {checked} tools answered structured content"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_model_explore_or_look_looker_cannot_find_is_named_with_the_tool_that_lists_them() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "explore,query,content"]).await;
    let model = call(&client, "get_model", json!({"model_name": "nope"})).await;
    assert_tool_error_with(
        &model,
        &["HTTP 404", r#"`model_name` = "nope""#, "list_models"],
    );
    let explore = call(
        &client,
        "get_explore",
        json!({"model_name": "ecommerce", "explore_name": "nope"}),
    )
    .await;
    assert_tool_error_with(
        &explore,
        &[r#"`explore_name` = "nope" (get_model lists the explores"#],
    );
    let look = call(&client, "run_look", json!({"look_id": 424242})).await;
    assert_tool_error_with(
        &look,
        &[r#"`look_id` = "424242" (list_looks lists the looks)"#],
    );
    client.cancel().await.unwrap();
}

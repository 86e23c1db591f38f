//! The progressive tool mode (`--tool-mode progressive`, `LOOKER_TOOL_MODE`): a small core plus
//! `search_tools`, `describe_tool` and `call_tool`, which reach every served tool the way a direct
//! call does — and nothing the governance rules hide.

use rmcp::model::Tool;
use serde_json::{Value, json};

use crate::support::{Harness, call, json, shape, text};

const ALL_PROGRESSIVE: &[&str] = &["--groups", "all", "--tool-mode", "progressive"];

fn names(tools: &[Tool]) -> Vec<String> {
    tools.iter().map(|t| t.name.to_string()).collect()
}

#[tokio::test]
async fn progressive_mode_lists_a_small_core_and_three_tools_that_reach_the_rest() {
    let h = Harness::new().await;
    let client = h.stdio_client(ALL_PROGRESSIVE).await;
    let tools = client.list_all_tools().await.unwrap();
    let listed = names(&tools);
    for meta in ["search_tools", "describe_tool", "call_tool"] {
        assert!(
            listed.iter().any(|n| n == meta),
            "{meta} missing: {listed:?}"
        );
    }
    assert!(listed.iter().any(|n| n == "list_models"), "{listed:?}");
    assert!(!listed.iter().any(|n| n == "create_user"), "{listed:?}");
    assert!(
        tools.len() <= 20,
        "{} tools listed: {listed:?}",
        tools.len()
    );
    // A few thousand tokens: the whole list is a small fraction of the full one.
    let size = serde_json::to_string(&tools).unwrap().len();
    // The core's query tools carry the semantic-layer options (pivots, dynamic fields, …).
    assert!(size < 36_000, "{size} characters");
    for tool in &tools {
        let input = Value::Object((*tool.input_schema).clone());
        jsonschema::draft202012::meta::validate(&input)
            .unwrap_or_else(|e| panic!("{}: {e}", tool.name));
    }
    let info = client.peer_info().unwrap();
    let instructions = info.instructions.as_deref().unwrap_or_default();
    assert!(instructions.contains("search_tools"), "{instructions}");
    client.cancel().await.unwrap();

    let full = h.stdio_client(&["--groups", "all"]).await;
    let full_tools = full.list_all_tools().await.unwrap();
    assert!(full_tools.len() > 150, "{}", full_tools.len());
    assert!(!names(&full_tools).iter().any(|n| n == "search_tools"));
    full.cancel().await.unwrap();
}

#[tokio::test]
async fn search_finds_every_served_tool_by_its_name_and_by_what_it_does() {
    let h = Harness::new().await;
    let full = h.stdio_client(&["--groups", "all"]).await;
    let every = names(&full.list_all_tools().await.unwrap());
    full.cancel().await.unwrap();
    let client = h.stdio_client(ALL_PROGRESSIVE).await;
    for name in &every {
        let found = json(&call(&client, "search_tools", json!({"query": name, "limit": 1})).await);
        assert_eq!(found["tools"][0]["name"], name.as_str(), "{found}");
    }
    let found = json(&call(&client, "search_tools", json!({"query": "git branch"})).await);
    let first = &found["tools"][0];
    assert_eq!(first["group"], "git", "{found}");
    assert!(
        first["name"].as_str().unwrap().contains("git_branch"),
        "{found}"
    );
    assert!(first["read_only"].is_boolean(), "{found}");
    // A quoted limit is coerced like any argument.
    let found = json(
        &call(
            &client,
            "search_tools",
            json!({"query": "user", "limit": "3"}),
        )
        .await,
    );
    assert_eq!(found["tools"].as_array().unwrap().len(), 3, "{found}");
    assert!(
        h.api_requests().is_empty(),
        "searching sends nothing to Looker"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn describe_tool_gives_what_the_full_list_says() {
    let h = Harness::new().await;
    let full = h.stdio_client(&["--groups", "all"]).await;
    let listed = full.list_all_tools().await.unwrap();
    full.cancel().await.unwrap();
    let client = h.stdio_client(ALL_PROGRESSIVE).await;
    for name in ["create_schedule", "query", "update_git_branch"] {
        let described = json(&call(&client, "describe_tool", json!({"name": name})).await);
        let direct = listed.iter().find(|t| t.name == name).unwrap();
        let direct = serde_json::to_value(direct).unwrap();
        for key in ["description", "inputSchema", "annotations", "outputSchema"] {
            assert_eq!(described["tool"][key], direct[key], "{name}.{key}");
        }
    }
    let unknown = call(&client, "describe_tool", json!({"name": "list_modelz"})).await;
    assert_eq!(unknown.is_error, Some(true));
    assert!(
        text(&unknown).contains("search_tools"),
        "{}",
        text(&unknown)
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn call_tool_answers_and_refuses_exactly_like_a_direct_call() {
    let h = Harness::new().await;
    let direct = h.stdio_client(&["--groups", "all"]).await;
    let client = h.stdio_client(ALL_PROGRESSIVE).await;
    let cases = [
        ("get_model", json!({"model_name": "ecommerce"})),
        ("list_users", json!({"limit": "2"})),
        ("get_model", json!({"model_name": 7})),
        ("get_model", json!({})),
        ("run_look", json!({"look_id": "999999"})),
        ("delete_look", json!({"look_id": "999999"})),
        (
            "update_git_branch",
            json!({"project_id": "ecommerce", "branch_name": "main", "ref": "x"}),
        ),
    ];
    for (tool, arguments) in cases {
        h.sim.take_requests();
        let expected = call(&direct, tool, arguments.clone()).await;
        let expected_requests = shape(&h.api_requests());
        h.sim.take_requests();
        let got = call(
            &client,
            "call_tool",
            json!({"name": tool, "arguments": arguments}),
        )
        .await;
        assert_eq!(got.is_error, expected.is_error, "{tool} {arguments}");
        assert_eq!(text(&got), text(&expected), "{tool} {arguments}");
        assert_eq!(
            got.structured_content, expected.structured_content,
            "{tool}"
        );
        assert_eq!(
            shape(&h.api_requests()),
            expected_requests,
            "{tool} {arguments}"
        );
    }
    let missing = call(&client, "call_tool", json!({"arguments": {}})).await;
    assert_eq!(missing.is_error, Some(true));
    assert!(
        text(&missing).contains("name is required"),
        "{}",
        text(&missing)
    );
    direct.cancel().await.unwrap();
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn tools_hidden_by_governance_stay_hidden_from_search_describe_and_call() {
    let mut h = Harness::new().await;
    h.set("LOOKER_TOOL_MODE", "progressive");
    h.set("LOOKER_EXCLUDE_TOOLS", "delete_*");
    h.set("LOOKER_READ_ONLY", "true");
    let client = h.stdio_client(&["--groups", "all"]).await;
    assert!(names(&client.list_all_tools().await.unwrap()).contains(&"call_tool".to_string()));
    let found = json(
        &call(
            &client,
            "search_tools",
            json!({"query": "delete create update", "limit": 50}),
        )
        .await,
    );
    let hits: Vec<&str> = found["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        hits.iter()
            .all(|n| !n.starts_with("delete_") && !n.starts_with("create_")),
        "{hits:?}"
    );
    assert!(
        found["tools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["read_only"] == true)
    );
    for hidden in ["delete_look", "create_user"] {
        let described = call(&client, "describe_tool", json!({"name": hidden})).await;
        assert_eq!(described.is_error, Some(true), "{hidden}");
        let called = call(
            &client,
            "call_tool",
            json!({"name": hidden, "arguments": {"look_id": "1", "email": "a@b.c"}}),
        )
        .await;
        assert_eq!(called.is_error, Some(true), "{hidden}");
    }
    assert!(h.api_requests().is_empty(), "nothing hidden ran");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn an_unknown_tool_mode_stops_the_server_naming_the_setting() {
    let mut h = Harness::new().await;
    h.set("LOOKER_TOOL_MODE", "some");
    let output = h
        .command(&["--groups", "explore"])
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("LOOKER_TOOL_MODE"), "{stderr}");
}

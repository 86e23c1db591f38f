//! The `explore` group: each tool through a real MCP client, checking results and the Looker
//! requests they produce.

use rmcp::model::Tool;
use serde_json::json;

use crate::support::{Harness, call, json, text};

/// The single API request a call made (method, path).
fn only_request(h: &Harness) -> looker_sim::RecordedRequest {
    let requests = h.api_requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    requests.into_iter().next().unwrap()
}

#[tokio::test]
async fn lists_tools_in_order_with_annotations() {
    let h = Harness::new().await;
    let client = h.client("identity,explore").await;
    let tools: Vec<Tool> = client.list_all_tools().await.unwrap();
    let listed: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        listed,
        [
            "list_models",
            "get_model",
            "get_explore",
            "list_dimensions",
            "list_measures",
            "list_connections",
            "get_field_value_suggestions",
            "whoami"
        ]
    );
    for tool in &tools {
        let a = tool
            .annotations
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no annotations", tool.name));
        assert_eq!(a.read_only_hint, Some(true), "{}", tool.name);
        assert_eq!(a.destructive_hint, Some(false), "{}", tool.name);
        assert_eq!(a.idempotent_hint, Some(true), "{}", tool.name);
        assert_eq!(a.open_world_hint, Some(false), "{}", tool.name);
        assert!(
            tool.description.as_ref().is_some_and(|d| d.len() > 60),
            "{} needs a real description",
            tool.name
        );
        assert_eq!(
            tool.input_schema.get("additionalProperties"),
            Some(&json!(false)),
            "{}",
            tool.name
        );
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn list_models_and_get_model() {
    let h = Harness::new().await;
    let client = h.client("explore").await;

    let models = json(&call(&client, "list_models", json!({})).await);
    let listed = text(&call(&client, "list_models", json!({"include_hidden": true})).await);
    assert!(
        models.to_string().contains("ecommerce") && models.to_string().contains("marketing"),
        "{models}"
    );
    assert!(listed.contains("ecommerce"));
    let requests = h.api_requests();
    assert!(
        requests
            .iter()
            .all(|r| r.method == "GET" && r.path == "/lookml_models"),
        "{requests:#?}"
    );

    let model = json(&call(&client, "get_model", json!({"model_name": "ecommerce"})).await);
    assert!(model.to_string().contains("orders"), "{model}");
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/lookml_models/ecommerce")
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn get_explore_honours_its_options() {
    let h = Harness::new().await;
    let client = h.client("explore").await;
    let args = json!({"model_name": "ecommerce", "explore_name": "orders"});

    let plain = json(&call(&client, "get_explore", args.clone()).await).to_string();
    assert!(
        plain.contains("orders.status") && plain.contains("orders.total_revenue"),
        "{plain}"
    );
    assert!(
        !plain.contains("users.email"),
        "hidden fields are left out by default: {plain}"
    );
    let r = only_request(&h);
    assert_eq!(r.path, "/lookml_models/ecommerce/explores/orders");

    let all = json(
        &call(&client, "get_explore", json!({"model_name": "ecommerce", "explore_name": "orders", "include_hidden": true, "include_sql": true})).await,
    )
    .to_string();
    assert!(
        all.contains("users.email"),
        "include_hidden shows hidden fields: {all}"
    );
    assert!(all.contains("sql"), "include_sql shows SQL: {all}");

    let narrowed = json(
        &call(&client, "get_explore", json!({"model_name": "ecommerce", "explore_name": "orders", "fields": ["orders.count"], "include_descriptions": false})).await,
    )
    .to_string();
    assert!(
        narrowed.contains("orders.count") && !narrowed.contains("orders.status"),
        "{narrowed}"
    );

    let by_view = json(
        &call(&client, "get_explore", json!({"model_name": "ecommerce", "explore_name": "orders", "views": ["users"], "include_hidden": true})).await,
    )
    .to_string();
    assert!(
        by_view.contains("users.email") && !by_view.contains("orders.status"),
        "{by_view}"
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn dimensions_measures_and_connections() {
    let h = Harness::new().await;
    let client = h.client("explore").await;
    let args = json!({"model_name": "ecommerce", "explore_name": "orders"});

    let dims = json(&call(&client, "list_dimensions", args.clone()).await).to_string();
    assert!(
        dims.contains("orders.region") && dims.contains("orders.created_date"),
        "{dims}"
    );
    assert!(
        !dims.contains("orders.count") && !dims.contains("users.email"),
        "{dims}"
    );
    assert_eq!(
        only_request(&h).path,
        "/lookml_models/ecommerce/explores/orders"
    );
    let hidden = json(
        &call(
            &client,
            "list_dimensions",
            json!({"model_name": "ecommerce", "explore_name": "orders", "include_hidden": true}),
        )
        .await,
    );
    assert!(hidden.to_string().contains("users.email"));

    let measures = json(&call(&client, "list_measures", args).await).to_string();
    assert!(
        measures.contains("orders.count") && measures.contains("orders.total_revenue"),
        "{measures}"
    );
    assert!(!measures.contains("orders.region"), "{measures}");
    h.api_requests();

    let connections = json(&call(&client, "list_connections", json!({})).await);
    assert!(connections.to_string().contains("thelook"), "{connections}");
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/connections")
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn looker_errors_and_bad_arguments_are_tool_errors() {
    let h = Harness::new().await;
    let client = h.client("explore").await;

    let missing = call(&client, "get_model", json!({"model_name": "no_such_model"})).await;
    assert_eq!(missing.is_error, Some(true));
    assert!(
        text(&missing).contains("HTTP 404") && text(&missing).contains("Not found"),
        "{}",
        text(&missing)
    );
    assert_eq!(only_request(&h).path, "/lookml_models/no_such_model");

    // A name with a slash stays one encoded path segment.
    call(&client, "get_model", json!({"model_name": "a/b"})).await;
    let r = only_request(&h);
    assert_eq!(r.path, "/lookml_models/a%2Fb");

    for bad in [
        json!({}),
        json!({"model_name": true}),
        json!({"model_name": "x", "surprise": true}),
    ] {
        let result = call(&client, "get_model", bad.clone()).await;
        assert_eq!(result.is_error, Some(true), "{bad}");
        assert!(
            text(&result).contains("invalid arguments for get_model"),
            "{}",
            text(&result)
        );
    }
    let wrong_type = call(&client, "list_models", json!({"include_hidden": "yes"})).await;
    assert!(
        text(&wrong_type).contains("include_hidden"),
        "the error names the argument: {}",
        text(&wrong_type)
    );
    assert!(
        h.api_requests().is_empty(),
        "invalid arguments never reach Looker"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

//! The `content` group: Looks, dashboards, tiles, filters, embed URLs and the content validator,
//! through a real MCP client, checking results and the Looker requests they produce.

use looker_sim::RecordedRequest;
use rmcp::RoleClient;
use rmcp::service::RunningService;
use serde_json::{Value, json};

use crate::support::{Harness, assert_tool_error, call, json, only_request, query};

/// The client type of [`Harness::client`].
type Client = RunningService<RoleClient, ()>;

fn method_path(r: &RecordedRequest) -> (&str, &str) {
    (r.method.as_str(), r.path.as_str())
}

fn titles(list: &Value) -> Vec<&str> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["title"].as_str())
        .collect()
}

/// A harness, a `content` client and a new look, "Revenue by region" in folder 6, with the
/// requests that made it taken.
async fn with_look() -> (Harness, Client, String) {
    let h = Harness::new().await;
    let client = h.client("content").await;
    let created = json(
        &call(
            &client,
            "create_look",
            json!({"title": "Revenue by region", "model": "ecommerce", "view": "orders",
                   "fields": ["orders.region", "orders.total_revenue"], "folder_id": "6"}),
        )
        .await,
    );
    h.api_requests();
    (h, client, created["id"].as_str().unwrap().to_string())
}

/// `list_looks`: all of them, or by title, folder and limit.
#[tokio::test]
async fn looks_are_listed_and_searched() {
    let h = Harness::new().await;
    let client = h.client("content").await;
    let all = json(&call(&client, "list_looks", json!({})).await);
    assert_eq!(
        titles(&all["looks"]),
        ["Orders by region", "Orders by status"]
    );
    assert_eq!(all["looks"][1]["folder"], "Sales");
    assert_eq!(all["looks"][1]["model"], "ecommerce");
    assert_eq!(all["looks"][1]["view_count"], 5);
    let r = only_request(&h);
    assert_eq!(method_path(&r), ("GET", "/looks/search"));
    assert_eq!(query(&r, "limit"), Some("50"));
    assert_eq!(query(&r, "title"), None);
    let found = json(
        &call(
            &client,
            "list_looks",
            json!({"title": "%status%", "folder_id": "6", "limit": 1}),
        )
        .await,
    );
    assert_eq!(titles(&found["looks"]), ["Orders by status"]);
    assert_eq!(found["more_available"], true);
    let r = only_request(&h);
    assert_eq!(
        (
            query(&r, "title"),
            query(&r, "folder_id"),
            query(&r, "limit")
        ),
        (Some("%status%"), Some("6"), Some("1"))
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Every optional argument of `create_look` reaches the query or the look.
#[tokio::test]
async fn create_look_sends_every_optional_argument_to_the_query_or_the_look() {
    let h = Harness::new().await;
    let client = h.client("content").await;
    // Every optional argument of create_look reaches the query or the look.
    let created = json(
        &call(
            &client,
            "create_look",
            json!({
                "title": "Revenue by region", "model": "ecommerce", "view": "orders",
                "fields": ["orders.region", "orders.status", "orders.total_revenue"], "folder_id": "6",
                "filters": {"orders.status": ["complete", "in_progress"], "orders.region": "-NULL"},
                "sorts": ["orders.total_revenue desc"], "limit": 100,
                "description": "Revenue per region, by status", "pivots": ["orders.status"],
                "fill_fields": ["orders.region"], "filter_expression": "${orders.total_revenue} > 0",
                "column_limit": 10, "total": true, "row_total": "right", "subtotals": ["orders.region"],
                "vis_config": {"type": "looker_bar", "stacking": "normal"},
                "query_timezone": "Europe/Paris",
                "dynamic_fields": "[{\"table_calculation\":\"share\",\"expression\":\"1\"}]"
            }),
        )
        .await,
    );
    let look_id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["title"], "Revenue by region");
    assert_eq!(created["url"], format!("/looks/{look_id}"));
    let requests = h.api_requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    assert_eq!(method_path(&requests[0]), ("POST", "/queries"));
    let q = requests[0].body.clone().unwrap();
    assert_eq!(
        q,
        json!({
            "model": "ecommerce", "view": "orders",
            "fields": ["orders.region", "orders.status", "orders.total_revenue"],
            "filters": {"orders.status": "complete,in^_progress", "orders.region": "-NULL"},
            "sorts": ["orders.total_revenue desc"], "limit": "100", "pivots": ["orders.status"],
            "fill_fields": ["orders.region"], "filter_expression": "${orders.total_revenue} > 0",
            "column_limit": "10", "total": true, "row_total": "right", "subtotals": ["orders.region"],
            "vis_config": {"type": "looker_bar", "stacking": "normal"},
            "query_timezone": "Europe/Paris",
            "dynamic_fields": "[{\"expression\":\"1\",\"table_calculation\":\"share\"}]", // checked, then re-sent as compact JSON
        })
    );
    assert_eq!(method_path(&requests[1]), ("POST", "/looks"));
    let body = requests[1].body.clone().unwrap();
    assert_eq!(body["query_id"], created["query_id"]);
    assert_eq!(
        (&body["title"], &body["folder_id"], &body["description"]),
        (
            &json!("Revenue by region"),
            &json!("6"),
            &json!("Revenue per region, by status")
        )
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// The same title in the same folder is Looker's 409; an unknown explore its 404.
#[tokio::test]
async fn looker_refuses_a_taken_look_title_and_an_unknown_explore() {
    let (h, client, _) = with_look().await;
    // The same title in the same folder is Looker's 409.
    let taken = call(
        &client,
        "create_look",
        json!({"title": "Revenue by region", "model": "ecommerce", "view": "orders",
               "fields": ["orders.count"], "folder_id": "6"}),
    )
    .await;
    assert_tool_error(&taken, "HTTP 409");
    assert_tool_error(&taken, "already exists in this folder");
    h.api_requests();
    // An unknown explore is Looker's 404 (before any look is made).
    let nowhere = call(
        &client,
        "create_look",
        json!({"title": "X", "model": "ecommerce", "view": "nope", "fields": ["nope.id"], "folder_id": "6"}),
    )
    .await;
    assert_tool_error(&nowhere, "HTTP 404");
    assert_eq!(only_request(&h).path, "/queries");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `update_look` renames a look, clears its description and moves it to another folder.
#[tokio::test]
async fn update_look_renames_and_moves_a_look() {
    let (h, client, look_id) = with_look().await;
    let updated = json(
        &call(
            &client,
            "update_look",
            json!({"look_id": look_id, "title": "Regional revenue", "description": "", "folder_id": "4"}),
        )
        .await,
    );
    assert_eq!(updated["title"], "Regional revenue");
    assert_eq!(updated["folder_id"], "4");
    let r = only_request(&h);
    assert_eq!(
        method_path(&r),
        ("PATCH", format!("/looks/{look_id}").as_str())
    );
    assert_eq!(
        r.body,
        Some(json!({"title": "Regional revenue", "description": "", "folder_id": "4"}))
    );
    let moved = json(
        &call(
            &client,
            "list_looks",
            json!({"folder_id": "4", "title": "Regional%"}),
        )
        .await,
    );
    assert_eq!(titles(&moved["looks"]), ["Regional revenue"]);
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `update_look` with nothing to change never reaches Looker; an unknown folder is 404.
#[tokio::test]
async fn update_look_refuses_nothing_to_change_and_unknown_folders() {
    let (h, client, look_id) = with_look().await;
    let nothing = call(&client, "update_look", json!({"look_id": look_id})).await;
    assert_tool_error(&nothing, "nothing to change");
    assert!(h.api_requests().is_empty());
    let bad_folder = call(
        &client,
        "update_look",
        json!({"look_id": look_id, "folder_id": "999"}),
    )
    .await;
    assert_tool_error(&bad_folder, "HTTP 404");
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `delete_look` removes the look; a second delete is 404.
#[tokio::test]
async fn delete_look_removes_it_once() {
    let (h, client, look_id) = with_look().await;
    let deleted = json(&call(&client, "delete_look", json!({"look_id": look_id})).await);
    assert_eq!(deleted, json!({"deleted": true, "look_id": look_id}));
    let r = only_request(&h);
    assert_eq!(
        method_path(&r),
        ("DELETE", format!("/looks/{look_id}").as_str())
    );
    let again = call(&client, "delete_look", json!({"look_id": look_id})).await;
    assert_tool_error(&again, "HTTP 404");
    assert_tool_error(&again, "Not found");
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Look arguments refused before anything reaches Looker.
#[tokio::test]
async fn invalid_look_arguments_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("content").await;
    for (tool, bad) in [
        ("list_looks", json!({"limit": "ten"})),
        ("list_looks", json!({"limit": 0})),
        (
            "create_look",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"], "folder_id": "6"}),
        ),
        (
            "create_look",
            json!({"title": "T", "model": "ecommerce", "view": "orders", "fields": true, "folder_id": "6"}),
        ),
        ("update_look", json!({"look_id": true, "title": "x"})),
        ("delete_look", json!({"look_id": "1", "force": true})),
    ] {
        let result = call(&client, tool, bad.clone()).await;
        assert_tool_error(&result, "invalid arguments");
    }
    assert!(
        h.api_requests().is_empty(),
        "invalid arguments never reach Looker"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// A harness, a `content` client and a new dashboard, "Ops review" in folder 6, with the request
/// that made it taken.
async fn with_dashboard() -> (Harness, Client, String) {
    let h = Harness::new().await;
    let client = h.client("content").await;
    let created = json(
        &call(
            &client,
            "create_dashboard",
            json!({"title": "Ops review", "folder_id": "6", "description": "Weekly operations"}),
        )
        .await,
    );
    h.api_requests();
    (h, client, created["id"].as_str().unwrap().to_string())
}

/// `list_dashboards`: all of them, or by title, folder and limit.
#[tokio::test]
async fn dashboards_are_listed_and_searched() {
    let h = Harness::new().await;
    let client = h.client("content").await;
    let all = json(&call(&client, "list_dashboards", json!({})).await);
    assert_eq!(
        titles(&all["dashboards"]),
        ["Marketing spend", "Sales overview"]
    );
    assert_eq!(all["dashboards"][1]["folder"], "Sales");
    let r = only_request(&h);
    assert_eq!(method_path(&r), ("GET", "/dashboards/search"));
    assert_eq!(query(&r, "limit"), Some("50"));
    let sales = json(
        &call(
            &client,
            "list_dashboards",
            json!({"title": "sales%", "folder_id": "6", "limit": 5}),
        )
        .await,
    );
    assert_eq!(titles(&sales["dashboards"]), ["Sales overview"]);
    let r = only_request(&h);
    assert_eq!(
        (
            query(&r, "title"),
            query(&r, "folder_id"),
            query(&r, "limit")
        ),
        (Some("sales%"), Some("6"), Some("5"))
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `list_lookml_dashboards`: all of them, or by title, folder and limit.
#[tokio::test]
async fn lookml_dashboards_are_listed_and_searched() {
    let h = Harness::new().await;
    let client = h.client("content").await;
    let lookml = json(&call(&client, "list_lookml_dashboards", json!({})).await);
    assert_eq!(lookml["count"], 3);
    assert_eq!(
        lookml["dashboards"][0]["id"],
        "ecommerce::executive_summary"
    );
    assert_eq!(
        method_path(&only_request(&h)),
        ("GET", "/dashboards/lookml/search")
    );
    let some = json(
        &call(
            &client,
            "list_lookml_dashboards",
            json!({"title": "%channel%", "folder_id": "lookml", "limit": 2}),
        )
        .await,
    );
    assert_eq!(titles(&some["dashboards"]), ["Channel performance"]);
    let r = only_request(&h);
    assert_eq!(
        (
            query(&r, "title"),
            query(&r, "folder_id"),
            query(&r, "limit")
        ),
        (Some("%channel%"), Some("lookml"), Some("2"))
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `create_dashboard` sends what was given; the same title in the same folder is Looker's 409.
#[tokio::test]
async fn create_dashboard_sends_the_folder_and_description_and_a_taken_title_is_409() {
    let h = Harness::new().await;
    let client = h.client("content").await;
    let created = json(
        &call(
            &client,
            "create_dashboard",
            json!({"title": "Ops review", "folder_id": "6", "description": "Weekly operations"}),
        )
        .await,
    );
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["url"], format!("/dashboards/{id}"));
    let r = only_request(&h);
    assert_eq!(method_path(&r), ("POST", "/dashboards"));
    assert_eq!(
        r.body,
        Some(json!({"title": "Ops review", "folder_id": "6", "description": "Weekly operations"}))
    );
    let dup = call(
        &client,
        "create_dashboard",
        json!({"title": "Ops review", "folder_id": "6"}),
    )
    .await;
    assert_tool_error(&dup, "HTTP 409");
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `add_dashboard_element`: a look tile, a query tile (the query made first) and a text tile.
#[tokio::test]
async fn tiles_show_a_saved_look_a_new_query_or_text() {
    let (h, client, id) = with_dashboard().await;
    // A tile showing a saved look.
    let look_tile = json(
        &call(
            &client,
            "add_dashboard_element",
            json!({"dashboard_id": id, "title": "Orders by status", "look_id": "1"}),
        )
        .await,
    );
    assert_eq!(look_tile["look_id"], "1");
    let r = only_request(&h);
    assert_eq!(method_path(&r), ("POST", "/dashboard_elements"));
    assert_eq!(
        r.body,
        Some(
            json!({"dashboard_id": id, "title": "Orders by status", "type": "vis", "look_id": "1"})
        )
    );
    // A tile with a new query: the query is created first.
    let query_tile = json(
        &call(
            &client,
            "add_dashboard_element",
            json!({"dashboard_id": id, "title": "Orders by region", "type": "vis",
                   "query_model": "ecommerce", "query_view": "orders",
                   "query_fields": ["orders.region", "orders.count"]}),
        )
        .await,
    );
    let requests = h.api_requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    assert_eq!(method_path(&requests[0]), ("POST", "/queries"));
    assert_eq!(
        requests[0].body.as_ref().unwrap()["fields"],
        json!(["orders.region", "orders.count"])
    );
    assert_eq!(
        requests[1].body.as_ref().unwrap()["query_id"],
        query_tile["query_id"]
    );
    assert!(query_tile["query_id"].is_string());
    // A text tile.
    let text_tile = json(
        &call(
            &client,
            "add_dashboard_element",
            json!({"dashboard_id": id, "title": "Read me", "type": "text"}),
        )
        .await,
    );
    assert_eq!(text_tile["type"], "text");
    assert_eq!(only_request(&h).body.unwrap()["title_text"], "Read me");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// A tile's query needs model, view and fields together (refused before Looker); an unknown
/// look is 404.
#[tokio::test]
async fn tiles_need_a_whole_query_and_a_known_look() {
    let (h, client, id) = with_dashboard().await;
    let half = call(
        &client,
        "add_dashboard_element",
        json!({"dashboard_id": id, "title": "T", "query_model": "ecommerce"}),
    )
    .await;
    assert_tool_error(
        &half,
        "needs `query_model`, `query_view` and `query_fields` together",
    );
    assert!(h.api_requests().is_empty());
    let no_look = call(
        &client,
        "add_dashboard_element",
        json!({"dashboard_id": id, "title": "T", "look_id": "999"}),
    )
    .await;
    assert_tool_error(&no_look, "HTTP 404");
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `add_dashboard_filter`: a field filter named from its title, a date filter with its own name.
#[tokio::test]
async fn filters_are_named_from_their_title_or_given_a_name() {
    let (h, client, id) = with_dashboard().await;
    let filter = json(
        &call(
            &client,
            "add_dashboard_filter",
            json!({"dashboard_id": id, "title": "Order region", "dimension": "orders.region",
                   "model": "ecommerce", "explore": "orders", "type": "field", "default_value": "West"}),
        )
        .await,
    );
    assert_eq!(filter["name"], "order_region");
    let r = only_request(&h);
    assert_eq!(method_path(&r), ("POST", "/dashboard_filters"));
    assert_eq!(
        r.body,
        Some(
            json!({"dashboard_id": id, "name": "order_region", "title": "Order region", "type": "field",
                    "dimension": "orders.region", "model": "ecommerce", "explore": "orders",
                    "default_value": "West"})
        )
    );
    let date = json(
        &call(
            &client,
            "add_dashboard_filter",
            json!({"dashboard_id": id, "title": "Period", "name": "period", "type": "date", "default_value": "7 days"}),
        )
        .await,
    );
    assert_eq!(
        (&date["name"], &date["type"]),
        (&json!("period"), &json!("date"))
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// A field filter needs dimension, model and explore (refused before Looker); an unknown
/// dimension is Looker's 422.
#[tokio::test]
async fn filters_need_a_whole_field_that_looker_knows() {
    let (h, client, id) = with_dashboard().await;
    let incomplete = call(
        &client,
        "add_dashboard_filter",
        json!({"dashboard_id": id, "title": "Region", "dimension": "orders.region"}),
    )
    .await;
    assert_tool_error(&incomplete, "needs `dimension`, `model` and `explore`");
    assert!(h.api_requests().is_empty());
    let unknown = call(
        &client,
        "add_dashboard_filter",
        json!({"dashboard_id": id, "title": "Margin", "dimension": "orders.margin",
               "model": "ecommerce", "explore": "orders"}),
    )
    .await;
    assert_tool_error(&unknown, "HTTP 422");
    assert_tool_error(&unknown, "Validation Failed");
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `update_dashboard` retitles, redescribes and moves a dashboard.
#[tokio::test]
async fn update_dashboard_renames_and_moves_it() {
    let (h, client, id) = with_dashboard().await;
    let updated = json(
        &call(
            &client,
            "update_dashboard",
            json!({"dashboard_id": id, "title": "Operations review", "description": "Every Monday", "folder_id": "1"}),
        )
        .await,
    );
    assert_eq!(
        (&updated["title"], &updated["folder_id"]),
        (&json!("Operations review"), &json!("1"))
    );
    let r = only_request(&h);
    assert_eq!(
        method_path(&r),
        ("PATCH", format!("/dashboards/{id}").as_str())
    );
    assert_eq!(
        r.body,
        Some(
            json!({"title": "Operations review", "description": "Every Monday", "folder_id": "1"})
        )
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `delete_dashboard`; afterwards tiles and updates are Looker's 404.
#[tokio::test]
async fn a_deleted_dashboard_takes_no_tiles_or_updates() {
    let (h, client, id) = with_dashboard().await;
    let deleted = json(&call(&client, "delete_dashboard", json!({"dashboard_id": id})).await);
    assert_eq!(deleted["deleted"], true);
    assert_eq!(
        method_path(&only_request(&h)),
        ("DELETE", format!("/dashboards/{id}").as_str())
    );
    let gone = call(
        &client,
        "add_dashboard_element",
        json!({"dashboard_id": id, "title": "Late", "type": "text"}),
    )
    .await;
    assert_tool_error(&gone, "HTTP 404");
    let gone = call(
        &client,
        "update_dashboard",
        json!({"dashboard_id": id, "title": "x"}),
    )
    .await;
    assert_tool_error(&gone, "Not found");
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Dashboard arguments refused before anything reaches Looker.
#[tokio::test]
async fn invalid_dashboard_arguments_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("content").await;
    for (tool, bad) in [
        ("create_dashboard", json!({"folder_id": "6"})),
        (
            "add_dashboard_filter",
            json!({"dashboard_id": "1", "title": "x", "type": "slider"}),
        ),
        ("add_dashboard_element", json!({"dashboard_id": "1"})),
        ("delete_dashboard", json!({})),
        ("list_dashboards", json!({"folder": "6"})),
    ] {
        let result = call(&client, tool, bad.clone()).await;
        assert_tool_error(&result, "invalid arguments");
    }
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `generate_embed_url`: a path or a full URL on this instance, with the defaults or every
/// option; another host is Looker's 422.
#[tokio::test]
async fn embed_urls_are_made_for_this_instances_urls_only() {
    let h = Harness::new().await;
    let client = h.client("content").await;
    let embed = json(
        &call(
            &client,
            "generate_embed_url",
            json!({"target_url": "/dashboards/1"}),
        )
        .await,
    );
    assert_eq!(
        embed["target_url"],
        "https://looker-sim.example.com/dashboards/1"
    );
    assert!(
        embed["url"]
            .as_str()
            .unwrap()
            .starts_with("https://looker-sim.example.com/login/embed/"),
        "{embed}"
    );
    let requests = h.api_requests();
    assert_eq!(method_path(&requests[0]), ("GET", "/versions"));
    assert_eq!(method_path(&requests[1]), ("POST", "/embed/token_url/me"));
    assert_eq!(
        requests[1].body,
        Some(
            json!({"target_url": "https://looker-sim.example.com/dashboards/1",
                    "session_length": 3600, "force_logout_login": false})
        )
    );
    let full = json(
        &call(
            &client,
            "generate_embed_url",
            json!({"target_url": "https://looker-sim.example.com/looks/1", "session_length": 600,
                   "force_logout_login": true}),
        )
        .await,
    );
    assert_eq!(full["session_length"], 600);
    let r = only_request(&h);
    assert_eq!(
        r.body,
        Some(
            json!({"target_url": "https://looker-sim.example.com/looks/1",
                    "session_length": 600, "force_logout_login": true})
        )
    );
    let foreign = call(
        &client,
        "generate_embed_url",
        json!({"target_url": "https://evil.example.com/dashboards/1"}),
    )
    .await;
    assert_tool_error(&foreign, "HTTP 422");
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `validate_content`: clean at first; a look on a field the LookML does not have is broken.
#[tokio::test]
async fn content_validation_finds_a_look_on_a_missing_field() {
    let h = Harness::new().await;
    let client = h.client("content").await;
    let clean = json(&call(&client, "validate_content", json!({})).await);
    assert_eq!(clean["total_errors"], 0);
    assert_eq!(clean["validated"]["looks"], 2);
    assert_eq!(clean["validated"]["dashboard_elements"], 6);
    assert_eq!(
        method_path(&only_request(&h)),
        ("GET", "/content_validation")
    );

    // A look on a field the LookML does not have is broken content.
    json(
        &call(
            &client,
            "create_look",
            json!({"title": "Legacy margin", "model": "ecommerce", "view": "orders",
                   "fields": ["orders.status", "orders.legacy_margin"], "folder_id": "6"}),
        )
        .await,
    );
    h.api_requests();
    let broken = json(&call(&client, "validate_content", json!({})).await);
    assert_eq!(broken["total_errors"], 1);
    assert_eq!(broken["errors_by_content_type"], json!({"look": 1}));
    assert_eq!(broken["errors_by_explore"], json!({"ecommerce::orders": 1}));
    let item = &broken["broken_content"][0];
    assert_eq!(
        (&item["type"], &item["title"]),
        (&json!("look"), &json!("Legacy margin"))
    );
    assert_eq!(item["folder"], "Sales");
    assert_eq!(item["errors"][0]["field"], "orders.legacy_margin");
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Embed and validation arguments refused before anything reaches Looker.
#[tokio::test]
async fn invalid_embed_and_validation_arguments_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("content").await;
    for (tool, bad) in [
        ("generate_embed_url", json!({})),
        (
            "generate_embed_url",
            json!({"target_url": "/dashboards/1", "session_length": "long"}),
        ),
        ("validate_content", json!({"project_names": ["ecommerce"]})),
    ] {
        let result = call(&client, tool, bad.clone()).await;
        assert_tool_error(&result, "invalid arguments");
    }
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

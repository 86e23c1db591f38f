//! The `render` group: render tasks created, polled with progress notifications, downloaded as
//! image or embedded-resource content; caps, failures, branch swaps and cancellation.

use std::time::Duration;

use base64::Engine;
use looker_sim::RecordedRequest;
use rmcp::model::CallToolResult;
use serde_json::{Value, json};

use crate::support::{Harness, RawStdio, call, query as query_value, shape, text, tool_requests};

/// The first content block as JSON (`type`, `data`/`resource`, `mimeType`).
fn first_block(result: &CallToolResult) -> Value {
    assert_ne!(result.is_error, Some(true), "tool failed: {}", text(result));
    serde_json::to_value(&result.content[0]).unwrap()
}

fn decode(b64: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(b64.as_str().unwrap())
        .unwrap()
}

/// Checks the create → poll … → results sequence and returns the create request.
fn assert_render_sequence(requests: &[RecordedRequest], create: &str) -> RecordedRequest {
    let order = shape(requests);
    let at = order
        .iter()
        .position(|o| o.starts_with(create))
        .unwrap_or_else(|| panic!("no {create}: {order:#?}"));
    let polls: Vec<&String> = order[at + 1..]
        .iter()
        .take_while(|o| o.starts_with("GET /render_tasks/") && !o.ends_with("/results"))
        .collect();
    assert!(!polls.is_empty(), "polled: {order:#?}");
    assert!(
        order[at + 1 + polls.len()].ends_with("/results"),
        "downloaded after success: {order:#?}"
    );
    requests[at].clone()
}

#[tokio::test]
async fn renders_queries_looks_dashboards_and_tiles() {
    let h = Harness::new().await;
    let client = h.client("render").await;

    let result = call(
        &client,
        "render_query",
        json!({"model": "ecommerce", "view": "orders", "fields": ["orders.status", "orders.count"],
               "width": 800, "height": 600, "result_format": "png",
               "filters": {"orders.region": ["North", "West"]}, "sorts": ["orders.count desc"],
               "limit": 10, "max_wait_seconds": 30, "dev_mode": true}),
    )
    .await;
    let block = first_block(&result);
    assert_eq!(block["type"], "image");
    assert_eq!(block["mimeType"], "image/png");
    assert!(decode(&block["data"]).starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(
        result.content.len() == 2 && format!("{:?}", result.content[1]).contains("Rendered query"),
        "{:?}",
        result.content
    );
    let requests = h.api_requests();
    assert_eq!(shape(&requests)[0], "POST /queries");
    let body = requests[0].body.as_ref().unwrap();
    assert_eq!(body["filters"], json!({"orders.region": "North,West"}));
    assert_eq!(body["sorts"], json!(["orders.count desc"]));
    assert_eq!(body["limit"], "10");
    let create = assert_render_sequence(&requests, "POST /render_tasks/queries/");
    assert!(create.path.ends_with("/png"), "{}", create.path);
    assert_eq!(query_value(&create, "width"), Some("800"));
    assert_eq!(query_value(&create, "height"), Some("600"));
    assert!(
        requests.iter().all(|r| r.workspace == "dev"),
        "dev_mode: {requests:#?}"
    );

    let look = call(
        &client,
        "render_look",
        json!({"look_id": "1", "width": 640, "height": 480, "result_format": "jpg",
               "max_wait_seconds": 20, "act_as_user": "alice@example.com"}),
    )
    .await;
    let block = first_block(&look);
    assert_eq!(block["mimeType"], "image/jpeg");
    assert!(decode(&block["data"]).starts_with(&[0xFF, 0xD8]));
    let requests = h.api_requests();
    let create = assert_render_sequence(&requests, "POST /render_tasks/looks/1/jpg");
    assert_eq!(create.user_id.as_deref(), Some("2"), "rendered as alice");

    let pdf = call(
        &client,
        "render_dashboard",
        json!({"dashboard_id": "1", "width": 1200, "height": 1600, "result_format": "pdf",
               "pdf_paper_size": "a4", "pdf_landscape": true, "long_tables": false, "theme": "Looker",
               "dashboard_filters": {"Region": "West, North"}, "max_wait_seconds": 60,
               "act_as_user": "1"}),
    )
    .await;
    let block = first_block(&pdf);
    assert_eq!(block["type"], "resource");
    assert_eq!(block["resource"]["mimeType"], "application/pdf");
    assert_eq!(block["resource"]["uri"], "looker://dashboards/1/render.pdf");
    assert!(decode(&block["resource"]["blob"]).starts_with(b"%PDF-"));
    let requests = h.api_requests();
    let create = assert_render_sequence(&requests, "POST /render_tasks/dashboards/1/pdf");
    for (key, value) in [
        ("width", "1200"),
        ("height", "1600"),
        ("pdf_paper_size", "a4"),
        ("pdf_landscape", "true"),
        ("long_tables", "false"),
        ("theme", "Looker"),
    ] {
        assert_eq!(query_value(&create, key), Some(value), "{key}");
    }
    let body = create.body.as_ref().unwrap();
    assert_eq!(body["dashboard_style"], "tiled");
    assert_eq!(body["dashboard_filters"], "Region=West%5E%2C%20North");

    let png = call(
        &client,
        "render_dashboard",
        json!({"dashboard_id": "2", "width": 800, "height": 600, "result_format": "png"}),
    )
    .await;
    assert_eq!(first_block(&png)["mimeType"], "image/png");
    assert_render_sequence(&h.api_requests(), "POST /render_tasks/dashboards/2/png");

    let tile = call(
        &client,
        "render_dashboard_tile",
        json!({"dashboard_element_id": "2", "width": 400, "height": 300, "result_format": "png",
               "max_wait_seconds": 10, "act_as_user": "77"}),
    )
    .await;
    assert_eq!(first_block(&tile)["type"], "image");
    let create = assert_render_sequence(
        &h.api_requests(),
        "POST /render_tasks/dashboard_elements/2/png",
    );
    assert_eq!(create.user_id.as_deref(), Some("77"));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn render_failures_caps_and_branch_swaps() {
    let h = Harness::new().await;
    let client = h.client("render").await;

    // Looker's 404s.
    for (tool, args) in [
        (
            "render_look",
            json!({"look_id": "999", "width": 100, "height": 100}),
        ),
        (
            "render_dashboard",
            json!({"dashboard_id": "999", "width": 100, "height": 100}),
        ),
        (
            "render_dashboard_tile",
            json!({"dashboard_element_id": "999", "width": 100, "height": 100}),
        ),
    ] {
        let result = call(&client, tool, args).await;
        assert_eq!(result.is_error, Some(true), "{tool}");
        assert!(
            text(&result).contains("HTTP 404"),
            "{tool}: {}",
            text(&result)
        );
    }
    h.api_requests();

    // A query Looker cannot run: the render task fails and says why.
    let failed = call(
        &client,
        "render_query",
        json!({"model": "ecommerce", "view": "orders", "fields": ["orders.nope"], "width": 300, "height": 200}),
    )
    .await;
    assert_eq!(failed.is_error, Some(true));
    assert!(text(&failed).contains("Unknown field"), "{}", text(&failed));
    assert!(
        !shape(&h.api_requests())
            .iter()
            .any(|o| o.ends_with("/results"))
    );

    // Over the 10 MiB cap: a clear error, nothing returned.
    let huge = call(
        &client,
        "render_look",
        json!({"look_id": "1", "width": 3800, "height": 3800}),
    )
    .await;
    assert_eq!(huge.is_error, Some(true));
    assert!(text(&huge).contains("10 MiB"), "{}", text(&huge));
    h.api_requests();

    // Not waiting long enough.
    let slow = call(
        &client,
        "render_dashboard",
        json!({"dashboard_id": "1", "width": 2000, "height": 2000, "max_wait_seconds": 0.3}),
    )
    .await;
    assert_eq!(slow.is_error, Some(true));
    assert!(text(&slow).contains("max_wait_seconds"), "{}", text(&slow));
    h.api_requests();

    // Over the pixel cap, or schema-invalid: refused before any Looker call.
    for (tool, bad) in [
        (
            "render_look",
            json!({"look_id": "1", "width": 4001, "height": 100}),
        ),
        (
            "render_dashboard_tile",
            json!({"dashboard_element_id": "1", "width": 100}),
        ),
        (
            "render_dashboard",
            json!({"dashboard_id": "1", "width": 100, "height": 100, "result_format": "gif"}),
        ),
        (
            "render_query",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"], "width": 100, "height": 100, "max_wait_seconds": 0}),
        ),
        (
            "render_query",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"], "width": 100, "height": 100, "branch": "x"}),
        ),
    ] {
        let result = call(&client, tool, bad.clone()).await;
        assert_eq!(result.is_error, Some(true), "{tool} {bad}");
    }
    assert!(h.api_requests().is_empty(), "refused before Looker");

    // A branch swap around the render, restored afterwards.
    let branched = call(
        &client,
        "render_query",
        json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"], "width": 200, "height": 200,
               "branch": "feature/new-dashboard", "project_id": "ecommerce"}),
    )
    .await;
    assert_eq!(first_block(&branched)["type"], "image");
    let requests = tool_requests(&h);
    let order = shape(&requests);
    assert_eq!(order[0], "GET /projects/ecommerce/git_branch");
    assert_eq!(order[1], "PUT /projects/ecommerce/git_branch");
    assert_eq!(order.last().unwrap(), "PUT /projects/ecommerce/git_branch");
    assert!(
        requests.last().unwrap().body.as_ref().unwrap()["name"]
            .as_str()
            .unwrap()
            .starts_with("dev-ada-admin-")
    );
    assert!(requests.iter().all(|r| r.workspace == "dev"));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn renders_report_progress_and_stop_when_cancelled() {
    let h = Harness::new().await;
    let mut server = RawStdio::initialized(h.command(&["--groups", "render"])).await;

    // A render that finishes: progress while it runs, then the image.
    let (result, progress) = server
        .call_with_progress(
            2,
            "render_look",
            json!({"look_id": "1", "width": 2000, "height": 2000}),
            "render-1",
        )
        .await;
    assert_eq!(result["result"]["isError"], json!(false), "{result}");
    assert_eq!(result["result"]["content"][0]["type"], "image");
    assert!(progress.len() >= 2, "{progress:#?}");
    assert!(
        progress[0]["message"]
            .as_str()
            .unwrap()
            .contains("enqueued_for_query"),
        "{progress:#?}"
    );
    assert!(
        progress.last().unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("success"),
        "{progress:#?}"
    );
    let values: Vec<f64> = progress
        .iter()
        .map(|p| p["progress"].as_f64().unwrap())
        .collect();
    assert!(
        values.windows(2).all(|w| w[0] < w[1]),
        "progress increases: {values:?}"
    );

    // A long render, cancelled while it runs: polling stops at once.
    h.sim.take_requests();
    server
        .send(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
            "name": "render_dashboard", "arguments": {"dashboard_id": "1", "width": 4000, "height": 4000},
            "_meta": {"progressToken": "render-2"}}}))
        .await;
    let mut seen = 0;
    while seen < 2 {
        let message = server.recv().await;
        if message["method"] == "notifications/progress" {
            assert_eq!(message["params"]["progressToken"], "render-2");
            seen += 1;
        }
    }
    server
        .send(json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 3, "reason": "user"}}))
        .await;
    let polls = |h: &Harness| {
        h.sim
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path.starts_with("/render_tasks/"))
            .count()
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let at_cancel = polls(&h);
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(polls(&h), at_cancel, "no polling after the cancellation");
    assert!(
        !h.sim
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/results")),
        "never downloaded"
    );
    // The server is free for the next request at once.
    let started = std::time::Instant::now();
    let listed = server.request(4, "tools/list", json!({})).await;
    assert!(listed["result"]["tools"].is_array(), "{listed}");
    assert!(started.elapsed() < Duration::from_secs(2));
    h.assert_no_violations();
}

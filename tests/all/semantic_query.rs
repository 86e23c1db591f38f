//! Issue 16, query side, through a real MCP client against the simulator: pivots, totals,
//! custom fields and the other query options on every tool that builds a query; field value
//! suggestions; merged results (`run_merge_query`, merge tiles in `run_dashboard`);
//! certification metadata; dashboard layouts. Each test checks what reached Looker.

use looker_sim::RecordedRequest;
use serde_json::{Value, json};

use crate::support::{Harness, assert_tool_error, call, json, query as query_value, shape, text};

/// The body of the only `POST /queries` among `requests`.
fn created_query(requests: &[RecordedRequest]) -> Value {
    let posts: Vec<&RecordedRequest> = requests
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/queries")
        .collect();
    assert_eq!(posts.len(), 1, "{:#?}", shape(requests));
    posts[0].body.clone().unwrap()
}

fn pivoted_query() -> Value {
    json!({
        "model": "ecommerce", "view": "orders",
        "fields": ["orders.region", "orders.status", "orders.count"],
        "pivots": ["orders.status"], "row_total": "right", "total": true,
        "sorts": ["orders.region"]
    })
}

#[tokio::test]
async fn a_pivoted_query_has_a_typed_column_per_pivot_value() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "query"]).await;
    let result = call(&client, "query", pivoted_query()).await;
    let s = json(&result);
    let body = created_query(&h.api_requests());
    assert_eq!(body["pivots"], json!(["orders.status"]));
    assert_eq!(body["row_total"], "right");
    assert_eq!(body["total"], true);
    let columns: Vec<&str> = s["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        columns,
        [
            "orders.region",
            "orders.count|cancelled",
            "orders.count|complete",
            "orders.count|pending",
            "orders.count|returned",
            "orders.count|row_total"
        ]
    );
    assert_eq!(s["columns"][1]["type"], "count");
    assert_eq!(s["row_count"], 5, "one row per region");
    let row = &s["rows"][0];
    let cells: i64 = columns[1..5]
        .iter()
        .map(|c| row[*c].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(row["orders.count|row_total"], cells);
    assert_eq!(s["pivots"][1]["key"], "complete");
    assert_eq!(s["pivots"][1]["data"]["orders.status"], "complete");
    let total: i64 = s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["orders.count|complete"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(s["totals"]["orders.count|complete"], total);
    let text = text(&result);
    assert!(
        text.contains("| orders.region | orders.count\\|cancelled | orders.count\\|complete |"),
        "{text}"
    );
    assert!(text.contains("totals: "), "{text}");
    h.assert_no_violations();
}

#[tokio::test]
async fn query_sql_and_query_url_send_the_same_options() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "query"]).await;
    let args = json!({
        "model": "ecommerce", "view": "orders",
        "fields": ["orders.created_date", "orders.count", "big_orders"],
        "filter_expression": "${orders.count} > 1",
        "query_timezone": "America/Chicago",
        "fill_fields": ["orders.created_date"],
        "dynamic_fields": [{"measure": "big_orders", "based_on": "orders.id", "type": "count_distinct", "label": "Orders"}]
    });
    for tool in ["query_sql", "query_url"] {
        let result = call(&client, tool, args.clone()).await;
        assert_ne!(result.is_error, Some(true), "{tool}: {}", text(&result));
        let body = created_query(&h.api_requests());
        assert_eq!(body["filter_expression"], "${orders.count} > 1", "{tool}");
        assert_eq!(body["query_timezone"], "America/Chicago", "{tool}");
        assert_eq!(
            body["fill_fields"],
            json!(["orders.created_date"]),
            "{tool}"
        );
        let dynamic: Value =
            serde_json::from_str(body["dynamic_fields"].as_str().unwrap()).unwrap();
        assert_eq!(
            dynamic, args["dynamic_fields"],
            "{tool}: sent as Looker's JSON text"
        );
    }
    h.assert_no_violations();
}

#[tokio::test]
async fn a_custom_measure_comes_back_as_a_column() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "query"]).await;
    let result = call(
        &client,
        "query",
        json!({
            "model": "ecommerce", "view": "orders", "fields": ["orders.status", "orders.count", "order_ids"],
            // As Looker stores it: the array as JSON text.
            "dynamic_fields": "[{\"measure\": \"order_ids\", \"based_on\": \"orders.id\", \"type\": \"count_distinct\"}]"
        }),
    )
    .await;
    let s = json(&result);
    let names: Vec<&str> = s["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["orders.status", "orders.count", "order_ids"]);
    let ids: i64 = s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["order_ids"].as_i64().expect("computed"))
        .sum();
    assert_eq!(ids, 60, "every seed order counted once");
}

#[tokio::test]
async fn bad_dynamic_fields_are_refused_before_any_looker_call() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "query,content"]).await;
    let bad = json!([
        {"table_calculation": "share", "expression": "${orders.count} / sum(${orders.count})"},
        {"measure": "avg_amount", "based_on": "orders.amount", "type": "mean"}
    ]);
    let query = json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"], "dynamic_fields": bad});
    let mut calls = vec![
        ("query", query.clone()),
        ("query_sql", query.clone()),
        ("query_url", query.clone()),
    ];
    let mut look = query.clone();
    look["title"] = json!("Share");
    look["folder_id"] = json!("6");
    calls.push(("create_look", look));
    calls.push((
        "add_dashboard_element",
        json!({"dashboard_id": "1", "title": "Share", "query_model": "ecommerce",
               "query_view": "orders", "query_fields": ["orders.count"], "dynamic_fields": bad}),
    ));
    for (tool, args) in calls {
        let result = call(&client, tool, args).await;
        assert_tool_error(
            &result,
            "`dynamic_fields[1]`: measure \"avg_amount\": unknown `type` \"mean\"",
        );
        assert!(h.api_requests().is_empty(), "{tool} reached Looker");
    }
}

#[tokio::test]
async fn pivots_outside_the_fields_are_refused_before_any_looker_call() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "query"]).await;
    let result = call(
        &client,
        "query",
        json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"], "pivots": ["orders.status"]}),
    )
    .await;
    assert_tool_error(&result, "`pivots`: \"orders.status\" is not in `fields`");
    assert!(h.api_requests().is_empty());
}

#[tokio::test]
async fn create_look_and_dashboard_tiles_save_the_query_options() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "content"]).await;
    let options = json!({"pivots": ["orders.status"], "total": true, "query_timezone": "Europe/Paris",
                         "dynamic_fields": [{"table_calculation": "double", "expression": "${orders.count} * 2"}]});
    let mut look = json!({"title": "Pivoted", "folder_id": "6", "model": "ecommerce", "view": "orders",
                          "fields": ["orders.region", "orders.status", "orders.count"]});
    look.as_object_mut()
        .unwrap()
        .extend(options.as_object().unwrap().clone());
    json(&call(&client, "create_look", look).await);
    let body = created_query(&h.api_requests());
    assert_eq!(body["pivots"], json!(["orders.status"]));
    assert_eq!(body["total"], true);
    assert_eq!(body["query_timezone"], "Europe/Paris");
    assert!(
        body["dynamic_fields"]
            .as_str()
            .unwrap()
            .contains("\"double\"")
    );

    let mut tile = json!({"dashboard_id": "1", "title": "Pivoted tile", "query_model": "ecommerce",
                          "query_view": "orders", "query_fields": ["orders.region", "orders.status", "orders.count"]});
    tile.as_object_mut()
        .unwrap()
        .extend(options.as_object().unwrap().clone());
    json(&call(&client, "add_dashboard_element", tile).await);
    let body = created_query(&h.api_requests());
    assert_eq!(body["pivots"], json!(["orders.status"]));
    assert_eq!(body["query_timezone"], "Europe/Paris");
    h.assert_no_violations();
}

#[tokio::test]
async fn field_value_suggestions_come_from_looker() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "explore"]).await;
    let s = json(
        &call(
            &client,
            "get_field_value_suggestions",
            json!({"model": "ecommerce", "view": "orders", "field": "orders.status", "term": "omp",
                   "filters": {"orders.region": ["West", "East"]}}),
        )
        .await,
    );
    assert_eq!(s["suggestions"], json!(["complete"]));
    let requests = h.api_requests();
    assert_eq!(
        shape(&requests),
        ["GET /models/ecommerce/views/orders/fields/orders.status/suggestions"]
    );
    assert_eq!(query_value(&requests[0], "term"), Some("omp"));
    let filters: Value =
        serde_json::from_str(query_value(&requests[0], "filters").unwrap()).unwrap();
    assert_eq!(filters, json!({"orders.region": "West,East"}));
    let all = json(
        &call(
            &client,
            "get_field_value_suggestions",
            json!({"model": "ecommerce", "view": "orders", "field": "orders.status"}),
        )
        .await,
    );
    assert_eq!(
        all["suggestions"],
        json!(["cancelled", "complete", "pending", "returned"])
    );
    h.assert_no_violations();
}

fn merge_args() -> Value {
    json!({"source_queries": [
        {"model": "ecommerce", "view": "orders", "fields": ["orders.region", "orders.count"]},
        {"model": "ecommerce", "view": "orders", "fields": ["orders.region", "orders.count"],
         "filters": {"orders.status": "complete"}, "name": "complete",
         "merge_fields": [{"field_name": "orders.region", "source_field_name": "orders.region"}]}
    ]})
}

#[tokio::test]
async fn run_merge_query_saves_the_merge_and_joins_the_rows() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "query"]).await;
    let s = json(&call(&client, "run_merge_query", merge_args()).await);
    let ids: Vec<String> = s["source_query_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let runs = [
        format!("GET /queries/{}/run/json_detail", ids[0]),
        format!("GET /queries/{}/run/json_detail", ids[1]),
    ];
    let requests = h.api_requests();
    assert_eq!(
        shape(&requests),
        [
            "POST /queries".to_owned(),
            "POST /queries".to_owned(),
            "POST /merge_queries".to_owned(),
            runs[0].clone(),
            runs[1].clone()
        ]
    );
    assert_eq!(
        requests[1].body.as_ref().unwrap()["filters"]["orders.status"],
        "complete"
    );
    let merge = requests[2].body.clone().unwrap();
    assert_eq!(merge["source_queries"][0]["query_id"], ids[0].as_str());
    assert_eq!(
        merge["source_queries"][1]["merge_fields"],
        json!([{"field_name": "orders.region", "source_field_name": "orders.region"}])
    );
    assert_eq!(s["merge_query_id"], "1");
    let names: Vec<&str> = s["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["orders.region", "orders.count", "orders.count (complete)"]
    );
    assert_eq!(s["row_count"], 5);
    for row in s["rows"].as_array().unwrap() {
        assert!(
            row["orders.count (complete)"].as_i64().unwrap()
                <= row["orders.count"].as_i64().unwrap(),
            "{row}"
        );
    }
    // Rerun by id: the stored merge, then its sources.
    let again = json(&call(&client, "run_merge_query", json!({"merge_query_id": "1"})).await);
    assert_eq!(again["rows"], s["rows"]);
    assert_eq!(
        shape(&h.api_requests()),
        [
            "GET /merge_queries/1".to_owned(),
            runs[0].clone(),
            runs[1].clone()
        ]
    );
    h.assert_no_violations();
}

#[tokio::test]
async fn merge_fields_are_checked_before_any_looker_call() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "query"]).await;
    let mut args = merge_args();
    args["source_queries"][1]["merge_fields"][0]["field_name"] = json!("orders.status");
    let result = call(&client, "run_merge_query", args).await;
    assert_tool_error(
        &result,
        "`source_queries[1].merge_fields`: \"orders.status\" is not a field of the first query",
    );
    assert!(h.api_requests().is_empty());
}

#[tokio::test]
async fn run_dashboard_runs_a_merged_results_tile_like_run_merge_query() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "query,content"]).await;
    let merged = json(&call(&client, "run_merge_query", merge_args()).await);
    let dashboard = json(
        &call(
            &client,
            "create_dashboard",
            json!({"title": "Merged", "folder_id": "6"}),
        )
        .await,
    );
    let id = dashboard["id"].as_str().unwrap().to_owned();
    let tile = json(
        &call(
            &client,
            "add_dashboard_element",
            json!({"dashboard_id": id, "title": "Regions", "merge_query_id": merged["merge_query_id"]}),
        )
        .await,
    );
    assert_eq!(tile["merge_query_id"], merged["merge_query_id"]);
    let posted = h
        .api_requests()
        .into_iter()
        .find(|r| r.path == "/dashboard_elements")
        .unwrap();
    assert_eq!(
        posted.body.unwrap()["merge_result_id"],
        merged["merge_query_id"]
    );
    let run = json(&call(&client, "run_dashboard", json!({"dashboard_id": id})).await);
    let element = &run["elements"][0];
    assert_eq!(element["status"], "ok", "{element}");
    assert_eq!(element["source"], "merge_query");
    assert_eq!(element["rows"], merged["rows"]);
    assert_eq!(run["tiles_skipped"], 0);
    h.assert_no_violations();
}

#[tokio::test]
async fn certification_metadata_is_listed_with_looks_and_dashboards() {
    let h = Harness::new().await;
    let token = crate::auth::alice_token(&h).await;
    for path in ["/looks/1/certification", "/dashboards/1/certification"] {
        let status = reqwest::Client::new()
            .patch(format!("{}/api/4.0{path}", h.sim.base_url()))
            .bearer_auth(&token)
            .json(&json!({"certification_status": "certified", "notes": "Finance approved"}))
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success(), "{path}: {status}");
    }
    h.api_requests();
    let client = h.stdio_client(&["--groups", "content"]).await;
    let looks = json(&call(&client, "list_looks", json!({})).await);
    let certified: Vec<&Value> = looks["looks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| !l["certification"].is_null())
        .collect();
    assert_eq!(certified.len(), 1, "{looks}");
    assert_eq!(certified[0]["id"], "1");
    assert_eq!(certified[0]["certification"]["status"], "certified");
    assert_eq!(certified[0]["certification"]["notes"], "Finance approved");
    let requests = h.api_requests();
    let fields = query_value(requests.last().unwrap(), "fields")
        .unwrap()
        .to_owned();
    assert!(fields.contains("certification_metadata"), "{fields}");
    let dashboards = json(&call(&client, "list_dashboards", json!({})).await);
    let first = dashboards["dashboards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "1")
        .unwrap();
    assert_eq!(first["certification"]["status"], "certified");
}

#[tokio::test]
async fn a_tile_is_placed_through_its_layout_component() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "content"]).await;
    let layout = json(
        &call(
            &client,
            "get_dashboard_layout",
            json!({"dashboard_id": "1"}),
        )
        .await,
    );
    assert_eq!(
        shape(&h.api_requests()),
        ["GET /dashboards/1/dashboard_layouts"]
    );
    let components = layout["components"].as_array().unwrap();
    assert!(components.len() >= 2, "{layout}");
    let last = components.last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let placed = json(
        &call(
            &client,
            "update_dashboard_layout_component",
            json!({"component_id": last, "row": 0, "column": 0, "width": 24, "height": 8}),
        )
        .await,
    );
    let requests = h.api_requests();
    assert_eq!(
        shape(&requests),
        [format!("PATCH /dashboard_layout_components/{last}")]
    );
    assert_eq!(
        requests[0].body,
        Some(json!({"row": 0, "column": 0, "width": 24, "height": 8}))
    );
    assert_eq!(placed["width"], 24);
    let again = json(
        &call(
            &client,
            "get_dashboard_layout",
            json!({"dashboard_id": "1"}),
        )
        .await,
    );
    let moved = again["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == last.as_str())
        .unwrap();
    assert_eq!(
        (&moved["row"], &moved["width"], &moved["height"]),
        (&json!(0), &json!(24), &json!(8))
    );

    h.api_requests();
    let off_grid = call(
        &client,
        "update_dashboard_layout_component",
        json!({"component_id": last, "column": 20, "width": 8}),
    )
    .await;
    assert_tool_error(&off_grid, "past the 24-column grid");
    assert!(h.api_requests().is_empty());
    h.assert_no_violations();
}

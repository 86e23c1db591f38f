//! The `query` group through a real MCP client: typed results, every result format, filter
//! encoding, LOOKER_MAX_ROWS, dev mode and branch swaps, impersonation, dashboards and content
//! search — checking results and the Looker requests they produce.

use looker_sim::{Fault, FaultKind, RecordedRequest};
use rmcp::model::{CallToolResult, Tool};
use serde_json::{Value, json};

use crate::support::{
    Harness, assert_tool_error, call, json, query as query_value, shape, text, tool_requests,
};

const DEV: [&str; 3] = ["dev_mode", "branch", "project_id"];

/// Checks a structured result against the tool's declared output schema.
fn assert_matches_output_schema(tools: &[Tool], name: &str, result: &CallToolResult) {
    let tool = tools.iter().find(|t| t.name == name).unwrap();
    let schema = Value::Object((**tool.output_schema.as_ref().unwrap()).clone());
    let validator = jsonschema::validator_for(&schema).unwrap();
    let structured = result
        .structured_content
        .clone()
        .expect("structured content");
    let errors: Vec<String> = validator
        .iter_errors(&structured)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:?}\n{structured}");
}

#[tokio::test]
async fn schemas_offer_dev_arguments_only_when_enabled() {
    let mut h = Harness::new().await;
    let client = h.client("query,render").await;
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "query",
            "query_sql",
            "run_query",
            "run_look",
            "run_dashboard",
            "query_url",
            "run_merge_query",
            "search_content",
            "render_query",
            "render_look",
            "render_dashboard",
            "render_dashboard_tile"
        ]
    );
    for tool in &tools {
        let a = tool.annotations.as_ref().unwrap();
        assert_eq!(a.read_only_hint, Some(true), "{}", tool.name);
        assert_eq!(a.destructive_hint, Some(false), "{}", tool.name);
        assert_eq!(a.idempotent_hint, Some(true), "{}", tool.name);
        assert_eq!(a.open_world_hint, Some(false), "{}", tool.name);
        let props = &tool.input_schema["properties"];
        let gated = ["query", "query_sql", "run_query", "run_look", "query_url"]
            .contains(&tool.name.as_ref());
        for arg in DEV {
            let expected = tool.name == "render_query";
            assert_eq!(props.get(arg).is_some(), expected, "{} {arg}", tool.name);
        }
        if gated {
            assert!(props.get("act_as_user").is_some(), "{}", tool.name);
        }
        let typed = [
            "query",
            "run_query",
            "run_look",
            "run_dashboard",
            "run_merge_query",
        ]
        .contains(&tool.name.as_ref());
        // The typed ones declare precise output schemas; the others' JSON, `{"type": "object"}`.
        let precise = tool
            .output_schema
            .as_ref()
            .is_some_and(|s| s.contains_key("properties"));
        assert_eq!(precise, typed, "{}", tool.name);
    }
    // With the setting off, a dev argument is refused before anything reaches Looker.
    let refused = call(
        &client,
        "query",
        json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"], "dev_mode": true}),
    )
    .await;
    assert_eq!(refused.is_error, Some(true));
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();

    h.set("LOOKER_QUERY_DEV_PARAMS", "true");
    let client = h.client("query").await;
    let tools = client.list_all_tools().await.unwrap();
    for name in ["query", "query_sql", "run_query", "run_look", "query_url"] {
        let tool = tools.iter().find(|t| t.name == name).unwrap();
        for arg in DEV {
            assert!(
                tool.input_schema["properties"].get(arg).is_some(),
                "{name} {arg}"
            );
        }
    }
    for name in ["run_dashboard", "search_content"] {
        let tool = tools.iter().find(|t| t.name == name).unwrap();
        assert!(tool.input_schema["properties"].get("dev_mode").is_none());
    }
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn query_returns_typed_rows_and_encodes_filters() {
    let h = Harness::new().await;
    let client = h.client("query").await;
    let tools = client.list_all_tools().await.unwrap();

    let result = call(
        &client,
        "query",
        json!({
            "model": "ecommerce", "view": "orders",
            "fields": ["orders.status", "orders.count"],
            "filters": {"orders.status": ["complete", "pending"], "orders.region": "-Central"},
            "sorts": ["orders.count desc"], "limit": 10, "result_format": "json"
        }),
    )
    .await;
    let out = json(&result);
    assert_matches_output_schema(&tools, "query", &result);
    assert_eq!(
        out["columns"],
        json!([
            {"name": "orders.status", "type": "string", "label": "Orders Status"},
            {"name": "orders.count", "type": "count", "label": "Orders Count"}
        ]),
        "{out}"
    );
    let rows = out["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{out}");
    assert_eq!(out["row_count"], 2);
    assert_eq!(out["truncated"], false);
    for row in rows {
        assert!(["complete", "pending"].contains(&row["orders.status"].as_str().unwrap()));
        assert!(row["orders.count"].is_number(), "{row}");
    }
    assert!(
        rows[0]["orders.count"].as_i64() >= rows[1]["orders.count"].as_i64(),
        "sorted"
    );
    assert!(
        text(&result).contains("| orders.status | orders.count |"),
        "readable table: {}",
        text(&result)
    );
    let shown = text(&result);
    let id = out["query_id"].as_str().unwrap();
    assert!(
        shown.starts_with(&format!("query_id: {id}\n2 rows\n")),
        "the text names the query and the row count: {shown}"
    );
    assert!(
        shown.contains(
            "columns: orders.status (string, \"Orders Status\"); orders.count (count, \"Orders Count\")"
        ),
        "the text gives each column's type and label: {shown}"
    );
    let requests = h.api_requests();
    assert_eq!(
        shape(&requests),
        [
            "POST /queries".to_string(),
            format!(
                "GET /queries/{}/run/json_detail",
                out["query_id"].as_str().unwrap()
            )
        ]
    );
    let body = requests[0].body.as_ref().unwrap();
    assert_eq!(body["model"], "ecommerce");
    assert_eq!(body["view"], "orders");
    assert_eq!(body["fields"], json!(["orders.status", "orders.count"]));
    assert_eq!(
        body["filters"],
        json!({"orders.status": "complete,pending", "orders.region": "-Central"})
    );
    assert_eq!(body["sorts"], json!(["orders.count desc"]));
    assert_eq!(body["limit"], "10", "Looker's Query.limit is a string");
    assert_eq!(query_value(&requests[1], "limit"), Some("10"));

    // A comma inside one value is literal text, not a list: nothing is called "North, West".
    let literal = json(
        &call(
            &client,
            "query",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.region", "orders.count"],
                   "filters": {"orders.region": "North, West"}}),
        )
        .await,
    );
    assert_eq!(literal["row_count"], 0, "{literal}");
    let requests = h.api_requests();
    assert_eq!(
        requests[0].body.as_ref().unwrap()["filters"]["orders.region"],
        "North^, West"
    );
    assert_eq!(
        requests[0].body.as_ref().unwrap()["limit"],
        "500",
        "default limit"
    );
    let listed = json(
        &call(
            &client,
            "query",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.region"],
                   "filters": {"orders.region": ["North", "West"]}}),
        )
        .await,
    );
    assert_eq!(listed["row_count"], 2, "{listed}");
    h.api_requests();

    // Every other format.
    for (format, looker, needle) in [
        ("json_detail", "json_detail", "rendered"),
        ("json_fe", "json_detail", "value"),
        ("json_bi", "json_bi", "orders.status"),
        ("csv", "csv", "Orders Status,Orders Count"),
        ("txt", "txt", "Orders Status\tOrders Count"),
        ("md", "md", "| Orders Status | Orders Count |"),
        ("html", "html", "<table>"),
        ("sql", "sql", "SELECT"),
    ] {
        let result = call(
            &client,
            "query",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.status", "orders.count"],
                   "result_format": format, "limit": 3}),
        )
        .await;
        let out = json(&result);
        assert_matches_output_schema(&tools, "query", &result);
        assert_eq!(out["format"], format);
        if format.starts_with("json") {
            assert_eq!(out["row_count"], 3, "{format}: {out}");
            assert_eq!(
                out["columns"][0]["label"], "Orders Status",
                "{format}: {out}"
            );
            if format != "json_bi" {
                assert!(
                    out["rows"][0]["orders.status"].is_object(),
                    "{format}: {out}"
                );
            }
        } else {
            assert!(
                text(&result).contains(needle),
                "{format}: {}",
                text(&result)
            );
            assert_eq!(out["text"], text(&result));
            if format != "sql" {
                assert_eq!(out["row_count"], 3, "{format}: {out}");
            }
        }
        let requests = h.api_requests();
        assert!(
            requests[1].path.ends_with(&format!("/run/{looker}")),
            "{format}: {requests:#?}"
        );
    }
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn query_sql_query_url_and_failures() {
    let h = Harness::new().await;
    let client = h.client("query").await;
    let args = json!({"model": "ecommerce", "view": "orders", "fields": ["orders.region", "orders.count"],
                      "filters": {"orders.region": "West"}, "sorts": ["orders.region"], "limit": 25});

    let sql = call(&client, "query_sql", args.clone()).await;
    assert_ne!(sql.is_error, Some(true), "{}", text(&sql));
    assert!(
        text(&sql).contains("SELECT") && text(&sql).contains("West"),
        "{}",
        text(&sql)
    );
    let requests = h.api_requests();
    assert_eq!(shape(&requests)[0], "POST /queries");
    assert!(requests[1].path.ends_with("/run/sql"), "{requests:#?}");
    assert_eq!(requests[0].body.as_ref().unwrap()["limit"], "25");

    let mut url_args = args.clone();
    url_args.as_object_mut().unwrap().remove("limit");
    let url = json(&call(&client, "query_url", url_args).await);
    assert!(url["share_url"].as_str().unwrap().contains("/x/"), "{url}");
    assert!(
        url["expanded_share_url"]
            .as_str()
            .unwrap()
            .contains("/explore/ecommerce/orders"),
        "{url}"
    );
    assert!(url["query_id"].is_string());
    let requests = h.api_requests();
    assert_eq!(shape(&requests), ["POST /queries"]);
    assert_eq!(
        requests[0].body.as_ref().unwrap()["filters"],
        json!({"orders.region": "West"})
    );

    // An unknown field: Looker's own message, not a crash.
    let unknown = call(
        &client,
        "query",
        json!({"model": "ecommerce", "view": "orders", "fields": ["orders.nope"]}),
    )
    .await;
    assert_tool_error(&unknown, "Unknown field(s) \"orders.nope\"");
    h.api_requests();
    // An unknown explore is Looker's 404.
    let missing = call(
        &client,
        "query",
        json!({"model": "ecommerce", "view": "nope", "fields": ["orders.count"]}),
    )
    .await;
    assert_tool_error(&missing, "HTTP 404");
    h.api_requests();
    // A 422 from Looker comes back with its details.
    h.sim.inject(Fault {
        method: Some("POST".into()),
        path_prefix: "/queries".into(),
        kind: FaultKind::Status(422),
        times: 1,
    });
    let invalid = call(
        &client,
        "query_url",
        json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"]}),
    )
    .await;
    assert_tool_error(&invalid, "HTTP 422");
    h.api_requests();

    // Schema-invalid arguments never reach Looker.
    for (tool, bad) in [
        ("query", json!({"model": "ecommerce", "view": "orders"})),
        (
            "query",
            json!({"model": "ecommerce", "view": "orders", "fields": {"orders.count": true}}),
        ),
        (
            "query",
            json!({"model": "ecommerce", "view": "orders", "fields": []}),
        ),
        (
            "query",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"], "limit": "ten"}),
        ),
        (
            "query",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"], "result_format": "xlsx"}),
        ),
        (
            "query_sql",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"], "surprise": 1}),
        ),
        (
            "query_url",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"], "filters": {"orders.status": 5}}),
        ),
        ("run_query", json!({})),
        ("run_look", json!({"look_id": true})),
        ("run_dashboard", json!({"dashboard_id": "1", "limit": 5})),
        (
            "search_content",
            json!({"query_string": "x", "types": ["folder"]}),
        ),
    ] {
        let result = call(&client, tool, bad.clone()).await;
        assert_eq!(result.is_error, Some(true), "{tool} {bad}");
    }
    assert!(
        h.api_requests().is_empty(),
        "invalid arguments never reach Looker"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn max_rows_cuts_results_and_says_so() {
    let mut h = Harness::new().await;
    h.set("LOOKER_MAX_ROWS", "5");
    let client = h.client("query").await;
    let tools = client.list_all_tools().await.unwrap();
    let many =
        json!({"model": "ecommerce", "view": "orders", "fields": ["orders.id"], "limit": 100});

    let result = call(&client, "query", many.clone()).await;
    let out = json(&result);
    assert_matches_output_schema(&tools, "query", &result);
    assert_eq!(out["row_count"], 5, "{out}");
    assert_eq!(out["rows"].as_array().unwrap().len(), 5);
    assert_eq!(out["truncated"], true);
    assert_eq!(out["max_rows"], 5);
    assert!(text(&result).contains("truncated"), "{}", text(&result));
    let requests = h.api_requests();
    assert_eq!(
        query_value(&requests[1], "limit"),
        Some("6"),
        "one row more than the cap tells whether rows were cut"
    );

    // Within the cap nothing is cut and the caller's limit goes as is.
    let small = json(
        &call(
            &client,
            "query",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.id"], "limit": 3}),
        )
        .await,
    );
    assert_eq!(
        (small["row_count"].as_i64(), small["truncated"].as_bool()),
        (Some(3), Some(false))
    );
    assert_eq!(query_value(&h.api_requests()[1], "limit"), Some("3"));

    // Text formats are cut by rows too, and say so.
    let mut csv_args = many.clone();
    csv_args["result_format"] = json!("csv");
    let csv = call(&client, "query", csv_args).await;
    let out = json(&csv);
    assert_eq!(out["truncated"], true);
    assert_eq!(
        text(&csv).lines().count(),
        6,
        "header + 5 rows: {}",
        text(&csv)
    );
    assert!(csv.content.len() == 2 && format!("{:?}", csv.content[1]).contains("LOOKER_MAX_ROWS"));
    h.api_requests();

    // Saved queries, looks and dashboard tiles too.
    let ran = json(&call(&client, "run_query", json!({"query_id": "1", "limit": -1})).await);
    assert_eq!(
        (ran["row_count"].as_i64(), ran["truncated"].as_bool()),
        (Some(4), Some(false)),
        "{ran}"
    );
    let look = json(
        &call(
            &client,
            "run_look",
            json!({"look_id": "2", "limit": 50, "result_format": "md"}),
        )
        .await,
    );
    assert_eq!(
        (look["row_count"].as_i64(), look["truncated"].as_bool()),
        (Some(5), Some(false)),
        "{look}"
    );
    let dash = json(&call(&client, "run_dashboard", json!({"dashboard_id": "1"})).await);
    let revenue = &dash["elements"][0];
    assert_eq!(revenue["row_count"], 5, "{revenue}");
    assert_eq!(revenue["truncated"], true, "{revenue}");
    let sql_tile = &dash["elements"][2];
    assert_eq!(
        (
            sql_tile["row_count"].as_i64(),
            sql_tile["truncated"].as_bool()
        ),
        (Some(5), Some(true)),
        "{sql_tile}"
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn run_query_and_run_look_pass_their_options() {
    let h = Harness::new().await;
    let client = h.client("query").await;
    let tools = client.list_all_tools().await.unwrap();

    let result = call(
        &client,
        "run_query",
        json!({"query_id": "1", "result_format": "json", "limit": 2, "apply_formatting": true,
               "apply_vis": true, "server_table_calcs": true, "cache": false}),
    )
    .await;
    let out = json(&result);
    assert_matches_output_schema(&tools, "run_query", &result);
    assert_eq!(out["query_id"], "1");
    assert_eq!(out["row_count"], 2);
    assert_eq!(out["columns"][1]["name"], "orders.count");
    let requests = h.api_requests();
    assert_eq!(shape(&requests), ["GET /queries/1/run/json_detail"]);
    for (key, value) in [
        ("limit", "2"),
        ("apply_formatting", "true"),
        ("apply_vis", "true"),
        ("server_table_calcs", "true"),
        ("cache", "false"),
    ] {
        assert_eq!(query_value(&requests[0], key), Some(value), "{key}");
    }

    // Without a limit, the saved query's own limit applies (read first).
    let saved = json(
        &call(
            &client,
            "run_query",
            json!({"query_id": "2", "result_format": "csv"}),
        )
        .await,
    );
    assert_eq!(saved["format"], "csv");
    let requests = h.api_requests();
    assert_eq!(
        shape(&requests),
        ["GET /queries/2", "GET /queries/2/run/csv"]
    );
    assert_eq!(query_value(&requests[1], "limit"), Some("100"));
    assert_eq!(query_value(&requests[1], "cache"), Some("true"));

    let result = call(
        &client,
        "run_look",
        json!({"look_id": "1", "limit": 3, "result_format": "json_bi"}),
    )
    .await;
    let look = json(&result);
    assert_matches_output_schema(&tools, "run_look", &result);
    assert_eq!(look["look_id"], "1");
    assert_eq!(look["row_count"], 3);
    assert_eq!(look["columns"][0]["name"], "orders.status");
    let requests = h.api_requests();
    assert_eq!(shape(&requests), ["GET /looks/1/run/json_bi"]);
    assert_eq!(query_value(&requests[0], "limit"), Some("3"));
    let txt = call(&client, "run_look", json!({"look_id": "1"})).await;
    assert_eq!(json(&txt)["format"], "json");
    assert_eq!(query_value(&h.api_requests()[0], "limit"), Some("500"));

    assert_tool_error(
        &call(&client, "run_query", json!({"query_id": "999"})).await,
        "HTTP 404",
    );
    assert_tool_error(
        &call(&client, "run_look", json!({"look_id": "999"})).await,
        "Not found",
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn run_dashboard_runs_every_tile_and_reports_failures() {
    let h = Harness::new().await;
    let client = h.client("query").await;
    let tools = client.list_all_tools().await.unwrap();

    let result = call(&client, "run_dashboard", json!({"dashboard_id": "1"})).await;
    let out = json(&result);
    assert_matches_output_schema(&tools, "run_dashboard", &result);
    assert_eq!(out["title"], "Sales overview");
    assert_eq!(
        (
            out["tiles_run"].as_i64(),
            out["tiles_failed"].as_i64(),
            out["tiles_skipped"].as_i64()
        ),
        (Some(4), Some(0), Some(1)),
        "{out}"
    );
    let elements = out["elements"].as_array().unwrap();
    assert_eq!(elements[0]["query_id"], "2", "a tile with its own query");
    assert_eq!(
        elements[1]["query_id"], "3",
        "reachable only through result_maker.query_id"
    );
    assert_eq!(elements[2]["source"], "sql_runner");
    assert_eq!(elements[2]["row_count"], 10);
    assert_eq!(elements[3]["query_id"], "1", "a look tile");
    assert_eq!(elements[4]["status"], "skipped", "a text tile");
    assert_eq!(elements[0]["columns"][1]["name"], "orders.total_revenue");
    assert!(
        text(&result).contains("## Orders by region"),
        "{}",
        text(&result)
    );
    let requests = h.api_requests();
    assert_eq!(
        shape(&requests),
        [
            "GET /dashboards/1",
            "GET /queries/2/run/json_detail",
            "GET /queries/3/run/json_detail",
            "POST /sql_queries/SqlRun1/run/json_detail",
            "GET /queries/1/run/json_detail"
        ]
    );
    assert_eq!(
        query_value(&requests[1], "limit"),
        Some("100"),
        "the tile query's own limit"
    );

    // One failing tile does not fail the call (the 500 outlasts the host's three GET retries).
    h.sim.inject(Fault {
        method: Some("GET".into()),
        path_prefix: "/queries/3/run".into(),
        kind: FaultKind::Status(500),
        times: 4,
    });
    let partial = json(&call(&client, "run_dashboard", json!({"dashboard_id": "1"})).await);
    assert_eq!(partial["tiles_failed"], 1, "{partial}");
    assert_eq!(partial["tiles_run"], 3);
    assert_eq!(partial["elements"][1]["status"], "error");
    assert!(
        partial["elements"][1]["error"]
            .as_str()
            .unwrap()
            .contains("HTTP 500"),
        "{partial}"
    );
    h.api_requests();

    assert_tool_error(
        &call(&client, "run_dashboard", json!({"dashboard_id": "999"})).await,
        "HTTP 404",
    );
    assert_eq!(shape(&h.api_requests()), ["GET /dashboards/999"]);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn search_content_finds_looks_and_dashboards() {
    let h = Harness::new().await;
    let client = h.client("query").await;

    let all = json(&call(&client, "search_content", json!({"query_string": "orders"})).await);
    let titles: Vec<&str> = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Orders by status") && titles.contains(&"Orders by region"),
        "{all}"
    );
    let r = &h.api_requests()[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/content/orders")
    );
    assert_eq!(query_value(r, "limit"), Some("20"));
    assert!(query_value(r, "types").is_none());

    let dashboards = json(
        &call(&client, "search_content", json!({"query_string": "sales overview", "types": ["dashboard", "lookml_dashboard"], "limit": 5})).await,
    );
    assert_eq!(dashboards["count"], 1, "{dashboards}");
    assert_eq!(dashboards["results"][0]["type"], "dashboard");
    assert_eq!(dashboards["results"][0]["content_id"], "1");
    assert_eq!(dashboards["results"][0]["folder_name"], "Sales");
    let r = &h.api_requests()[0];
    assert_eq!(r.path, "/content/sales%20overview");
    assert_eq!(query_value(r, "types"), Some("dashboard,lookml_dashboard"));
    assert_eq!(query_value(r, "limit"), Some("5"));

    let none = json(&call(&client, "search_content", json!({"query_string": "zebra"})).await);
    assert_eq!(none["count"], 0);
    h.sim.inject(Fault {
        method: None,
        path_prefix: "/content/".into(),
        kind: FaultKind::Status(404),
        times: 1,
    });
    assert_tool_error(
        &call(&client, "search_content", json!({"query_string": "x"})).await,
        "HTTP 404",
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn branch_swaps_are_restored_even_when_the_query_fails() {
    let mut h = Harness::new().await;
    h.set("LOOKER_QUERY_DEV_PARAMS", "true");
    let client = h.client("query").await;
    const FEATURE: &str = "feature/new-dashboard";

    let failed = call(
        &client,
        "query",
        json!({"model": "ecommerce", "view": "orders", "fields": ["orders.nope"],
               "branch": FEATURE, "project_id": "ecommerce"}),
    )
    .await;
    assert_tool_error(&failed, "Unknown field");
    let requests = tool_requests(&h);
    let order = shape(&requests);
    assert_eq!(order[0], "GET /projects/ecommerce/git_branch");
    assert_eq!(order[1], "PUT /projects/ecommerce/git_branch");
    assert_eq!(order[2], "POST /queries");
    assert!(order[3].ends_with("/run/json_detail"), "{order:?}");
    assert_eq!(requests[3].status, 400);
    assert_eq!(
        order[4], "PUT /projects/ecommerce/git_branch",
        "restored after the failure"
    );
    assert_eq!(order.len(), 5);
    assert_eq!(requests[1].body.as_ref().unwrap()["name"], FEATURE);
    let original = requests[4].body.as_ref().unwrap()["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(original.starts_with("dev-ada-admin-"), "{original}");
    assert!(
        requests.iter().all(|r| r.workspace == "dev"),
        "{requests:#?}"
    );

    // The same swap again: the original branch was back, so it checks out and restores again.
    let ok = json(
        &call(
            &client,
            "query_url",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"],
                   "branch": FEATURE, "project_id": "ecommerce"}),
        )
        .await,
    );
    assert_eq!(ok["dev_mode"], true);
    let requests = h.api_requests();
    assert_eq!(
        shape(&requests),
        [
            "GET /projects/ecommerce/git_branch",
            "PUT /projects/ecommerce/git_branch",
            "POST /queries",
            "PUT /projects/ecommerce/git_branch"
        ]
    );
    assert_eq!(
        requests[3].body.as_ref().unwrap()["name"],
        original.as_str()
    );

    // dev_mode alone runs in the dev workspace without touching branches; production otherwise.
    for (tool, args) in [
        (
            "query_sql",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"], "dev_mode": true}),
        ),
        (
            "run_query",
            json!({"query_id": "1", "dev_mode": true, "limit": 1}),
        ),
        (
            "run_look",
            json!({"look_id": "1", "dev_mode": true, "project_id": "ecommerce"}),
        ),
    ] {
        let result = call(&client, tool, args).await;
        assert_ne!(result.is_error, Some(true), "{tool}: {}", text(&result));
        let requests = h.api_requests();
        assert!(
            requests
                .iter()
                .all(|r| r.workspace == "dev" && !r.path.contains("git_branch")),
            "{tool}: {requests:#?}"
        );
    }
    let prod = call(&client, "run_look", json!({"look_id": "1", "limit": 1})).await;
    assert_ne!(prod.is_error, Some(true));
    assert!(h.api_requests().iter().all(|r| r.workspace == "production"));

    // `branch` needs `project_id`; refused before any Looker call.
    let refused = call(
        &client,
        "run_query",
        json!({"query_id": "1", "branch": FEATURE}),
    )
    .await;
    assert_tool_error(&refused, "project_id");
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn act_as_user_runs_the_query_as_that_user() {
    let mut h = Harness::new().await;
    let client = h.client("query").await;

    let out = json(
        &call(
            &client,
            "query",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"],
                   "act_as_user": "ci-bot@example.com"}),
        )
        .await,
    );
    assert_eq!(out["row_count"], 1);
    let requests = h.sim.take_requests();
    let search = requests
        .iter()
        .position(|r| r.path == "/users/search")
        .expect("email resolved");
    assert_eq!(
        query_value(&requests[search], "email"),
        Some("ci-bot@example.com")
    );
    let queries: Vec<&RecordedRequest> = requests
        .iter()
        .filter(|r| r.path.starts_with("/queries"))
        .collect();
    assert_eq!(queries.len(), 2);
    assert!(
        queries.iter().all(|r| r.user_id.as_deref() == Some("77")),
        "{queries:#?}"
    );
    assert!(
        requests.iter().position(|r| r.path == "/queries").unwrap() > search,
        "impersonation comes first"
    );

    for (tool, args) in [
        ("run_look", json!({"look_id": "1", "act_as_user": "2"})),
        (
            "run_query",
            json!({"query_id": "1", "act_as_user": "2", "limit": 1}),
        ),
        (
            "query_sql",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"], "act_as_user": "alice@example.com"}),
        ),
        (
            "query_url",
            json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"], "act_as_user": "2"}),
        ),
    ] {
        let result = call(&client, tool, args).await;
        assert_ne!(result.is_error, Some(true), "{tool}: {}", text(&result));
        let requests = h.api_requests();
        let api: Vec<&RecordedRequest> = requests
            .iter()
            .filter(|r| r.path != "/users/search")
            .collect();
        assert!(
            !api.is_empty() && api.iter().all(|r| r.user_id.as_deref() == Some("2")),
            "{tool}: {requests:#?}"
        );
    }

    let nobody = call(&client, "query", json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"], "act_as_user": "nobody@example.com"})).await;
    assert_tool_error(&nobody, "nobody@example.com");
    let garbage = call(
        &client,
        "run_look",
        json!({"look_id": "1", "act_as_user": "not a user"}),
    )
    .await;
    assert_eq!(garbage.is_error, Some(true));
    assert!(
        h.api_requests()
            .iter()
            .all(|r| !r.path.starts_with("/looks"))
    );
    client.cancel().await.unwrap();

    // With sudo disabled on the server, act_as_user is a clear error, not a silent fallback.
    h.set("LOOKER_SUDO_AS_USER", "false");
    let client = h.client("query").await;
    let refused = call(
        &client,
        "run_look",
        json!({"look_id": "1", "act_as_user": "alice@example.com"}),
    )
    .await;
    assert_tool_error(&refused, "LOOKER_SUDO_AS_USER");
    assert!(
        h.api_requests()
            .iter()
            .all(|r| !r.path.starts_with("/looks"))
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Every field of the `orders` explore; grouped by `orders.id`, one row per fact row.
const WIDE: [&str; 7] = [
    "orders.id",
    "orders.created_date",
    "orders.status",
    "orders.region",
    "users.email",
    "orders.count",
    "orders.total_revenue",
];

#[tokio::test]
async fn a_large_result_is_cut_to_the_budget_as_it_is_written() {
    let h = Harness::new().await;
    h.sim.set_fact_rows(3000);
    let client = h.client("query").await;
    let tools = client.list_all_tools().await.unwrap();
    let args = json!({"model": "ecommerce", "view": "orders", "fields": WIDE, "limit": 3000});
    let result = call(&client, "query", args).await;
    let out = json(&result);
    assert_matches_output_schema(&tools, "query", &result);
    let rows = out["rows"].as_array().unwrap();
    let kept = rows.len();
    assert!(kept > 100 && kept < 3000, "{kept} rows kept");
    assert_eq!(out["row_count"], kept);
    assert_eq!(out["truncated"], true);
    assert_eq!(out["total_rows_before_budget"], 3000);
    assert!(out.to_string().chars().count() <= 100_000);
    let shown = text(&result);
    assert!(shown.chars().count() <= 100_000);
    // The table shows the same rows as the structured content, and says how many of how many.
    let table: Vec<&str> = shown.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(table.len(), kept + 2, "header, separator, rows");
    assert!(
        table[0].starts_with("| orders.id | orders.created_date |"),
        "{}",
        table[0]
    );
    let last = &rows[kept - 1];
    assert!(
        table[kept + 1].starts_with(&format!(
            "| {} | {} |",
            last["orders.id"],
            last["orders.created_date"].as_str().unwrap()
        )),
        "{} vs {last}",
        table[kept + 1]
    );
    assert!(
        shown.contains(&format!(
            "… truncated: {kept} of 3000 rows fit the result budget"
        )),
        "{}",
        &shown[shown.len() - 300..]
    );
    let requests = h.api_requests();
    assert_eq!(query_value(&requests[1], "limit"), Some("3000"));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn without_a_budget_every_row_comes_through_in_every_json_format() {
    let mut h = Harness::new().await;
    h.set("LOOKER_MAX_RESULT_CHARS", "0");
    h.sim.set_fact_rows(2000);
    let client = h.client("query").await;
    let tools = client.list_all_tools().await.unwrap();
    for format in ["json", "json_detail"] {
        let args = json!({"model": "ecommerce", "view": "orders", "fields": WIDE,
            "limit": 2000, "result_format": format});
        let result = call(&client, "query", args).await;
        let out = json(&result);
        assert_matches_output_schema(&tools, "query", &result);
        let rows = out["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2000, "{format}");
        assert_eq!(out["row_count"], 2000);
        assert_eq!(out["truncated"], false);
        assert!(out.get("total_rows_before_budget").is_none());
        let ids: Vec<i64> = rows
            .iter()
            .map(|r| match format {
                "json" => r["orders.id"].as_i64().unwrap(),
                _ => r["orders.id"]["value"].as_i64().unwrap(),
            })
            .collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 2000, "{format}: every row once");
        let shown = text(&result);
        assert_eq!(shown.lines().filter(|l| l.starts_with("| ")).count(), 2002);
        assert!(shown.contains("\n2000 rows\n"), "{format}");
    }
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

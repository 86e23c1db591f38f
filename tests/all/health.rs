//! The `health` group: instance health, usage analysis and cleanup candidates, through a real
//! MCP client against the simulator's `system__activity` data, checking results and requests.

use looker_sim::{Fault, FaultKind, RecordedRequest};
use serde_json::{Value, json};

use crate::support::{Harness, assert_tool_error, call, json, query};

/// The `system__activity` queries among `requests`: each must be an inline run with an explicit
/// limit on that model.
fn activity_queries(requests: &[RecordedRequest]) -> Vec<Value> {
    requests
        .iter()
        .filter(|r| r.path == "/queries/run/json")
        .map(|r| {
            assert_eq!(r.method, "POST");
            let body = r.body.clone().unwrap();
            assert_eq!(body["model"], "system__activity", "{body}");
            assert!(
                body["limit"]
                    .as_str()
                    .is_some_and(|l| l.parse::<u32>().is_ok()),
                "explicit limit: {body}"
            );
            body
        })
        .collect()
}

fn fault(method: &str, prefix: &str, status: u16, times: u32) -> Fault {
    Fault {
        method: Some(method.into()),
        path_prefix: prefix.into(),
        kind: FaultKind::Status(status),
        times,
    }
}

#[tokio::test]
async fn pulse_reports_connection_query_dashboard_and_schedule_health() {
    let h = Harness::new().await;
    let client = h.client("health").await;

    let pulse = json(&call(&client, "health_pulse", json!({})).await);
    assert_eq!(pulse["status"], "needs_attention");
    let connections = &pulse["connections"];
    assert_eq!(connections["checked"], 2);
    assert_eq!(connections["failing"], 0);
    let thelook = &connections["results"][0];
    assert_eq!(
        (&thelook["name"], &thelook["ok"]),
        (&json!("thelook"), &json!(true))
    );
    assert!(
        thelook["queries_last_90_days"].as_u64().unwrap() > 0,
        "{thelook}"
    );
    assert!(
        thelook["tests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "connect")
    );
    let queries = &pulse["queries"];
    assert_eq!(
        (&queries["runs"], &queries["errors"]),
        (&json!(30), &json!(1))
    );
    assert_eq!(queries["slowest_explores"][0]["explore"], "campaigns");
    let dashboards = &pulse["dashboards"];
    assert_eq!(dashboards["slow"][0]["title"], "Marketing spend");
    assert_eq!(dashboards["slow"][0]["slow_queries"], 4);
    assert_eq!(dashboards["erroring"][0]["title"], "Sales overview");
    let schedules = &pulse["schedules"];
    assert_eq!(
        (&schedules["runs"], &schedules["failures"]),
        (&json!(8), &json!(3))
    );
    assert_eq!(schedules["failing"][0]["name"], "Daily orders by region");
    assert_eq!(pulse["running_queries"]["count"], 2);
    assert_eq!(
        pulse["running_queries"]["long_running"][0]["query_task_id"],
        "qt-7f3a9c1e2b"
    );
    assert_eq!(pulse["datagroups"]["count"], 3);
    assert_eq!(pulse["datagroups"]["trigger_errors"], json!([]));
    let findings = pulse["findings"].to_string();
    for needle in [
        "1 of 30 queries failed",
        "Dashboard \\\"Marketing spend\\\" (id 2) ran 4 queries slower than 30 s",
        "Dashboard \\\"Sales overview\\\" (id 1) had 1 query failing: Query timed out",
        "Schedule \\\"Daily orders by region\\\" (plan 2) failed 3 times: SMTP server",
        "Query task qt-7f3a9c1e2b (marketing::campaigns, from a dashboard, by Alice Analyst) has been running for 41",
    ] {
        assert!(findings.contains(needle), "{needle}: {findings}");
    }

    let requests = h.api_requests();
    let r = &requests[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/connections")
    );
    assert_eq!(query(r, "fields"), Some("name,dialect_name,host"));
    let tests: Vec<&str> = requests
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(
        tests,
        [
            "/connections/thelook/test",
            "/connections/bigquery_marketing/test"
        ]
    );
    for path in ["/running_queries", "/datagroups"] {
        assert!(
            requests.iter().any(|r| r.method == "GET" && r.path == path),
            "{path}"
        );
    }
    let bodies = activity_queries(&requests);
    assert_eq!(bodies.len(), 7);
    let slow = bodies
        .iter()
        .find(|b| b["filters"].get("history.runtime").is_some())
        .unwrap();
    assert_eq!(slow["filters"]["history.runtime"], ">30");
    assert_eq!(slow["filters"]["history.real_dash_id"], "-NULL");
    assert_eq!(slow["view"], "history");
    let explores = bodies
        .iter()
        .find(|b| b["fields"][0] == "query.model")
        .unwrap();
    assert_eq!(explores["filters"]["query.model"], "-system^_^_activity");
    assert_eq!(explores["sorts"], json!(["history.average_runtime desc"]));
    assert!(bodies.iter().any(
        |b| b["view"] == "scheduled_plan" && b["filters"]["scheduled_job.status"] == "failure"
    ));

    // A connection test Looker cannot run, and no access to system__activity: the pulse still
    // answers, with each failure in its section.
    h.sim
        .inject(fault("PUT", "/connections/bigquery_marketing/test", 500, 1));
    h.sim.inject(fault("POST", "/queries/run/json", 403, 4));
    let degraded = json(&call(&client, "health_pulse", json!({})).await);
    assert_eq!(degraded["connections"]["failing"], 1);
    assert_eq!(degraded["connections"]["results"][1]["ok"], false);
    assert!(degraded["connections"]["results"][1]["queries_last_90_days"].is_null());
    for section in ["queries", "dashboards", "schedules"] {
        assert!(
            degraded[section]["error"]
                .as_str()
                .unwrap()
                .contains("HTTP 403"),
            "{section}: {degraded}"
        );
    }
    let findings = degraded["findings"].to_string();
    assert!(
        findings.contains(
            "Connection bigquery_marketing could not be tested: Looker returned HTTP 500"
        ),
        "{findings}"
    );
    assert!(findings.contains("Could not check schedules"), "{findings}");
    h.api_requests();

    let extra = call(&client, "health_pulse", json!({"verbose": true})).await;
    assert_tool_error(&extra, "invalid arguments for health_pulse");
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn analyze_models_and_content() {
    let h = Harness::new().await;
    let client = h.client("health").await;

    let models = json(&call(&client, "health_analyze", json!({})).await);
    assert_eq!(models["analysis"], "models");
    assert_eq!(models["model_count"], 2);
    let ecommerce = &models["models"][0];
    assert_eq!(ecommerce["model"], "ecommerce");
    assert_eq!(ecommerce["explores"][0]["name"], "orders");
    assert!(
        ecommerce["explores"][0]["queries_last_90_days"]
            .as_u64()
            .unwrap()
            > 10
    );
    assert_eq!(ecommerce["explores"][1]["name"], "users");
    assert_eq!(ecommerce["explores"][1]["queries_last_90_days"], 0);
    assert_eq!(ecommerce["unused_explore_count"], 1);
    let requests = h.api_requests();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("GET", "/lookml_models")
    );
    let bodies = activity_queries(&requests);
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["limit"], "5000");
    assert_eq!(bodies[0]["filters"]["history.workspace_id"], "production");

    let content = json(
        &call(
            &client,
            "health_analyze",
            json!({"analysis_type": "content"}),
        )
        .await,
    );
    assert_eq!(content["top_looks_by_views"][0]["view_count"], 5);
    assert_eq!(
        content["top_dashboards_by_views"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        content["dashboards_by_queries"][0]["title"],
        "Sales overview"
    );
    let sources: Vec<&str> = content["queries_by_source"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["source"].as_str())
        .collect();
    assert_eq!(sources, ["dashboard", "explore", "look"]);
    let requests = h.api_requests();
    let looks = requests.iter().find(|r| r.path == "/looks/search").unwrap();
    assert_eq!(query(looks, "sorts"), Some("view_count desc"));
    assert_eq!(query(looks, "limit"), Some("10"));
    assert!(requests.iter().any(|r| r.path == "/dashboards/search"));
    assert_eq!(activity_queries(&requests).len(), 2);

    // Looker errors come back as tool errors with Looker's message.
    h.sim.inject(fault("GET", "/lookml_models", 404, 1));
    let missing = call(
        &client,
        "health_analyze",
        json!({"analysis_type": "models"}),
    )
    .await;
    assert_tool_error(&missing, "HTTP 404");
    assert_tool_error(&missing, "Not found");
    h.api_requests();
    let bad = call(&client, "health_analyze", json!({"analysis_type": "users"})).await;
    assert_tool_error(&bad, "invalid arguments for health_analyze");
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn vacuum_finds_unused_explores_fields_and_content() {
    let h = Harness::new().await;
    let client = h.client("content,health").await;

    let explores = json(&call(&client, "health_vacuum", json!({})).await);
    assert_eq!(explores["scope"], "explores");
    assert_eq!(explores["unused_explore_count"], 1);
    assert_eq!(
        (
            &explores["unused_explores"][0]["model"],
            &explores["unused_explores"][0]["explore"]
        ),
        (&json!("ecommerce"), &json!("users"))
    );
    let orders = explores["unused_fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["explore"] == "orders")
        .unwrap();
    let unused: Vec<&str> = orders["unused_fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(!unused.is_empty());
    for used in [
        "orders.status",
        "orders.count",
        "orders.region",
        "orders.total_revenue",
    ] {
        assert!(!unused.contains(&used), "{used} is queried: {unused:?}");
    }
    assert!(
        !unused.contains(&"users.email"),
        "hidden fields are not candidates"
    );
    let requests = h.api_requests();
    let detail = requests
        .iter()
        .find(|r| r.path == "/lookml_models/ecommerce/explores/orders")
        .unwrap();
    assert_eq!(
        query(detail, "fields"),
        Some("fields(dimensions(name,hidden),measures(name,hidden))")
    );
    let bodies = activity_queries(&requests);
    let per_explore = bodies
        .iter()
        .find(|b| b["filters"]["query.view"] == "orders")
        .unwrap();
    assert_eq!(per_explore["filters"]["query.model"], "ecommerce");
    assert_eq!(
        per_explore["fields"],
        json!([
            "query.formatted_fields",
            "query.filters",
            "history.query_run_count"
        ])
    );

    // New content nobody opened is a candidate; seeded content in use is not.
    let fresh = json(
        &call(
            &client,
            "create_dashboard",
            json!({"title": "Scratch board", "folder_id": "6"}),
        )
        .await,
    );
    h.api_requests();
    let content = json(&call(&client, "health_vacuum", json!({"scope": "content"})).await);
    assert_eq!(content["unused_count"], 1, "{content}");
    let item = &content["unused"][0];
    assert_eq!(
        (&item["type"], &item["id"]),
        (&json!("dashboard"), &fresh["id"])
    );
    assert_eq!(
        item["reasons"],
        json!(["never viewed", "no queries in 90 days"])
    );
    assert_eq!(content["partial"], false);
    let requests = h.api_requests();
    let scan = requests
        .iter()
        .find(|r| r.path == "/dashboards/search")
        .unwrap();
    assert_eq!(query(scan, "limit"), Some("500"));
    let bodies = activity_queries(&requests);
    assert_eq!(bodies.len(), 2);
    assert!(bodies.iter().any(|b| b["filters"]["look.id"] == "-NULL"));

    h.sim.inject(fault("POST", "/queries/run/json", 422, 1));
    let failed = call(&client, "health_vacuum", json!({"scope": "explores"})).await;
    assert_tool_error(&failed, "HTTP 422");
    h.api_requests();
    let bad = call(&client, "health_vacuum", json!({"scope": "fields"})).await;
    assert_tool_error(&bad, "invalid arguments for health_vacuum");
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

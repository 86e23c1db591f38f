//! The `audit` group: every tool through a real MCP client against the simulator, checking
//! results, the Looker requests they make (the `system__activity` queries' explore, fields,
//! filters and limit; running queries, users' sessions and CI runs routes and bodies), Looker's
//! refusals (404/422 → `isError` with Looker's message) and arguments refused before any Looker
//! call.

use looker_sim::{Fault, FaultKind};
use rmcp::model::CallToolResult;
use serde_json::{Value, json};

use crate::support::{Harness, call, json, query, shape, text};

/// Asserts a failed call whose text contains every one of `needles`.
fn failed(result: &CallToolResult, needles: &[&str]) {
    assert_eq!(result.is_error, Some(true), "{}", text(result));
    let t = text(result);
    for n in needles {
        assert!(
            t.contains(n) || t.to_lowercase().contains(&n.to_lowercase()),
            "expected {n:?} in: {t}"
        );
    }
}

/// The one `system__activity` query a call made: an inline `POST /queries/run/json` on that
/// model with an explicit limit. Returns its body.
fn activity_query(h: &Harness) -> Value {
    let mut bodies = activity_queries(h);
    assert_eq!(bodies.len(), 1, "{bodies:#?}");
    bodies.remove(0)
}

fn activity_queries(h: &Harness) -> Vec<Value> {
    let requests = h.api_requests();
    requests
        .iter()
        .map(|r| {
            assert_eq!(
                (r.method.as_str(), r.path.as_str()),
                ("POST", "/queries/run/json")
            );
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

fn fields(body: &Value) -> Vec<&str> {
    body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect()
}

/// `get_query_history`: defaults, every filter, and literal values escaped (an underscore in an email matches only itself).
#[tokio::test]
async fn get_query_history_with_defaults_and_every_filter() {
    let h = Harness::new().await;
    let client = h.client("audit").await;

    // get_query_history: defaults, then every filter.
    let all = json(&call(&client, "get_query_history", json!({})).await);
    let body = activity_query(&h);
    assert_eq!(body["view"], "history");
    assert_eq!(body["limit"], "500");
    assert_eq!(body["filters"], json!({"history.created_date": "7 days"}));
    assert_eq!(body["sorts"], json!(["history.created_time desc"]));
    assert!(fields(&body).contains(&"user.email") && fields(&body).contains(&"history.runtime"));
    assert_eq!(all["date_range"], "7 days");
    assert!(all["count"].as_u64().unwrap() > 10, "{all}");
    assert_eq!(all["truncated"], false);
    assert!(all["queries"][0]["user_email"].is_string(), "{all}");

    let errors = json(&call(&client, "get_query_history", json!({"errors_only": true})).await);
    activity_query(&h);
    assert!(errors["count"].as_u64().unwrap() >= 1, "{errors}");
    let failure = errors["queries"][0].clone();
    assert!(
        failure["message"].as_str().unwrap().contains("timed out"),
        "{errors}"
    );
    let (email, dashboard) = (
        failure["user_email"].as_str().unwrap(),
        failure["dashboard_id"].as_str().unwrap(),
    );
    let slow = json(
        &call(
            &client,
            "get_query_history",
            json!({"date_range": "last 30 days", "user_email": email, "dashboard_id": dashboard,
                   "min_runtime_seconds": 0.5, "errors_only": true, "limit": 3}),
        )
        .await,
    );
    let body = activity_query(&h);
    assert_eq!(body["limit"], "3");
    assert_eq!(
        body["filters"],
        json!({"history.created_date": "last 30 days", "user.email": email,
               "dashboard.id": dashboard, "history.runtime": ">=0.5", "history.status": "error"})
    );
    assert!(slow["count"].as_u64().unwrap() >= 1, "{slow}");
    for q in slow["queries"].as_array().unwrap() {
        assert_eq!(q["status"], "error", "{slow}");
        assert_eq!(q["user_email"], email, "{slow}");
        assert_eq!(q["dashboard_id"], dashboard, "{slow}");
        assert!(q["runtime_seconds"].as_f64().unwrap() >= 0.5, "{slow}");
    }
    // Literal values are escaped: an underscore in an email matches only itself.
    let none = json(
        &call(
            &client,
            "get_query_history",
            json!({"user_email": "a_min@example.com", "limit": 1}),
        )
        .await,
    );
    let body = activity_query(&h);
    assert_eq!(body["filters"]["user.email"], "a^_min@example.com");
    assert_eq!(none["count"], 0, "{none}");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `get_content_usage`: both lists by default; one list with a threshold.
#[tokio::test]
async fn get_content_usage_lists_both_or_one_with_a_threshold() {
    let h = Harness::new().await;
    let client = h.client("audit").await;

    // get_content_usage: both lists by default; one list with a threshold.
    let usage = json(&call(&client, "get_content_usage", json!({})).await);
    let bodies = activity_queries(&h);
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0]["limit"], "100");
    assert_eq!(bodies[0]["filters"]["history.created_date"], "30 days");
    assert_eq!(bodies[0]["filters"]["history.source"], "dashboard");
    assert_eq!(
        bodies[0]["sorts"],
        json!(["history.dashboard_run_count desc"])
    );
    assert_eq!(bodies[1]["filters"]["history.source"], "look");
    assert_eq!(bodies[1]["filters"]["look.id"], "-NULL");
    assert!(
        usage["dashboards"][0]["views"].as_u64().unwrap() >= 1,
        "{usage}"
    );
    assert!(usage["looks"][0]["views"].as_u64().unwrap() >= 1, "{usage}");
    assert!(usage["dashboards"][0]["title"].is_string(), "{usage}");

    let dashboards = json(
        &call(
            &client,
            "get_content_usage",
            json!({"date_range": "90 days", "content_type": "dashboard", "min_views": 2, "limit": 1}),
        )
        .await,
    );
    let body = activity_query(&h);
    assert_eq!(body["limit"], "1");
    assert_eq!(body["filters"]["history.dashboard_run_count"], ">=2");
    assert_eq!(body["filters"]["history.created_date"], "90 days");
    assert_eq!(dashboards["dashboards"].as_array().unwrap().len(), 1);
    assert!(dashboards.get("looks").is_none(), "{dashboards}");
    let looks = json(
        &call(
            &client,
            "get_content_usage",
            json!({"content_type": "look", "min_views": 1000}),
        )
        .await,
    );
    let body = activity_query(&h);
    assert_eq!(body["filters"]["history.query_run_count"], ">=1000");
    assert_eq!(looks["looks"], json!([]), "{looks}");
    assert!(looks.get("dashboards").is_none());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `get_pdt_build_log` reads the PDT build events from system activity.
#[tokio::test]
async fn get_pdt_build_log_reads_pdt_events() {
    let h = Harness::new().await;
    let client = h.client("audit").await;

    // get_pdt_build_log.
    let log = json(&call(&client, "get_pdt_build_log", json!({})).await);
    let body = activity_query(&h);
    assert_eq!(body["view"], "pdt_event_log");
    assert_eq!(body["limit"], "500");
    assert_eq!(
        body["filters"],
        json!({"pdt_event_log.created_date": "7 days"})
    );
    assert_eq!(log["count"], 10, "{log}");
    let failures = json(
        &call(
            &client,
            "get_pdt_build_log",
            json!({"date_range": "yesterday", "model": "marketing", "view": "campaign_facts",
                   "failed_only": true, "limit": 20}),
        )
        .await,
    );
    let body = activity_query(&h);
    assert_eq!(body["limit"], "20");
    assert_eq!(
        body["filters"],
        json!({"pdt_event_log.created_date": "yesterday", "pdt_event_log.model_name": "marketing",
               "pdt_event_log.view_name": "campaign^_facts", "pdt_event_log.action": "%error%"})
    );
    assert_eq!(failures["count"], 1, "{failures}");
    assert_eq!(failures["events"][0]["action"], "create error");
    assert!(
        failures["events"][0]["action_data"]
            .as_str()
            .unwrap()
            .contains("timed out")
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `get_schedule_history` reads schedule runs from system activity.
#[tokio::test]
async fn get_schedule_history_reads_schedule_runs() {
    let h = Harness::new().await;
    let client = h.client("audit").await;

    // get_schedule_history.
    let runs = json(&call(&client, "get_schedule_history", json!({})).await);
    let body = activity_query(&h);
    assert_eq!(body["view"], "scheduled_plan");
    assert_eq!(
        body["filters"],
        json!({"scheduled_job.created_date": "7 days"})
    );
    assert_eq!(runs["count"], 8, "{runs}");
    let failing = json(
        &call(
            &client,
            "get_schedule_history",
            json!({"date_range": "30 days", "schedule_id": "2", "failed_only": true, "limit": 2}),
        )
        .await,
    );
    let body = activity_query(&h);
    assert_eq!(body["limit"], "2");
    assert_eq!(
        body["filters"],
        json!({"scheduled_job.created_date": "30 days", "scheduled_plan.id": "2",
               "scheduled_job.status": "failure"})
    );
    assert_eq!(failing["count"], 2);
    assert_eq!(failing["truncated"], true);
    assert_eq!(
        failing["runs"][0]["schedule_name"],
        "Daily orders by region"
    );
    assert!(
        failing["runs"][0]["status_detail"]
            .as_str()
            .unwrap()
            .contains("SMTP")
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `get_user_activity_log` reads one user's events.
#[tokio::test]
async fn get_user_activity_log_reads_a_users_events() {
    let h = Harness::new().await;
    let client = h.client("audit").await;

    // get_user_activity_log.
    let events = json(&call(&client, "get_user_activity_log", json!({})).await);
    let body = activity_query(&h);
    assert_eq!(body["view"], "event");
    assert_eq!(body["filters"], json!({"event.created_date": "7 days"}));
    assert_eq!(events["count"], 10, "{events}");
    let alice = json(
        &call(
            &client,
            "get_user_activity_log",
            json!({"date_range": "30 days", "user_email": "alice@example.com",
                   "event_types": "login, create_dashboard", "limit": 10}),
        )
        .await,
    );
    let body = activity_query(&h);
    assert_eq!(body["limit"], "10");
    assert_eq!(
        body["filters"],
        json!({"event.created_date": "30 days", "user.email": "alice@example.com",
               "event.name": "login,create^_dashboard"})
    );
    let names: Vec<&str> = alice["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{alice}");
    assert!(names.contains(&"login") && names.contains(&"create_dashboard"));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Looker's refusal of a system-activity query comes back as a tool error with its message.
#[tokio::test]
async fn history_tools_pass_on_lookers_refusal() {
    let h = Harness::new().await;
    let client = h.client("audit").await;

    // Looker's refusal comes back as a tool error with its message.
    h.sim.inject(Fault {
        method: Some("POST".into()),
        path_prefix: "/queries/run/json".into(),
        kind: FaultKind::Status(422),
        times: 1,
    });
    let refused = call(&client, "get_schedule_history", json!({})).await;
    failed(&refused, &["HTTP 422"]);
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Arguments the schemas refuse never reach Looker.
#[tokio::test]
async fn invalid_history_arguments_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("audit").await;

    // Arguments the schema refuses never reach Looker.
    for (tool, args) in [
        ("get_query_history", json!({"limit": 0})),
        ("get_query_history", json!({"min_runtime_seconds": -1})),
        ("get_query_history", json!({"user": "x"})),
        ("get_content_usage", json!({"content_type": "explores"})),
        ("get_content_usage", json!({"min_views": -1})),
        ("get_pdt_build_log", json!({"failed_only": "yes"})),
        ("get_schedule_history", json!({"schedule_id": ">0"})),
        ("get_user_activity_log", json!({"date_range": ""})),
    ] {
        let result = call(&client, tool, args.clone()).await;
        failed(&result, &["invalid arguments"]);
    }
    assert!(
        h.api_requests().is_empty(),
        "invalid arguments never reach Looker"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn running_queries_can_be_listed_and_killed() {
    let h = Harness::new().await;
    let client = h.client("audit").await;
    let tools = client.list_all_tools().await.unwrap();
    let annotations = |name: &str| {
        tools
            .iter()
            .find(|t| t.name == name)
            .unwrap()
            .annotations
            .clone()
            .unwrap()
    };
    for destructive in ["kill_query", "terminate_session"] {
        let a = annotations(destructive);
        assert_eq!(a.destructive_hint, Some(true), "{destructive}");
        assert_eq!(a.read_only_hint, Some(false), "{destructive}");
    }
    for reader in ["get_query_history", "list_running_queries", "get_session"] {
        assert_eq!(annotations(reader).read_only_hint, Some(true), "{reader}");
    }
    assert_eq!(tools.len(), 13);

    let running = json(&call(&client, "list_running_queries", json!({})).await);
    assert_eq!(shape(&h.api_requests()), ["GET /running_queries"]);
    assert_eq!(running["count"], 2, "{running}");
    let first = &running["running_queries"][0];
    assert_eq!(first["query_task_id"], "qt-7f3a9c1e2b");
    assert_eq!(first["model"], "marketing");
    assert_eq!(first["user_name"], "Alice Analyst");
    assert!(first.get("can").is_none());

    let killed = json(
        &call(
            &client,
            "kill_query",
            json!({"query_task_id": "qt-7f3a9c1e2b"}),
        )
        .await,
    );
    assert_eq!(
        shape(&h.api_requests()),
        ["DELETE /running_queries/qt-7f3a9c1e2b"]
    );
    assert_eq!(
        killed,
        json!({"killed": true, "query_task_id": "qt-7f3a9c1e2b"})
    );
    let after = json(&call(&client, "list_running_queries", json!({})).await);
    h.api_requests();
    assert_eq!(after["count"], 1, "{after}");
    assert_eq!(
        after["running_queries"][0]["query_task_id"],
        "qt-0b8d44e6a1"
    );

    // Killing it again: Looker's 404.
    let again = call(
        &client,
        "kill_query",
        json!({"query_task_id": "qt-7f3a9c1e2b"}),
    )
    .await;
    failed(&again, &["HTTP 404", "Not found"]);
    // A task id with a slash stays one path segment.
    let odd = call(&client, "kill_query", json!({"query_task_id": "a/b"})).await;
    failed(&odd, &["HTTP 404"]);
    assert_eq!(
        shape(&h.api_requests()),
        [
            "DELETE /running_queries/qt-7f3a9c1e2b",
            "DELETE /running_queries/a%2Fb"
        ]
    );

    for args in [
        json!({}),
        json!({"query_task_id": ""}),
        json!({"query_task_id": true}),
    ] {
        let result = call(&client, "kill_query", args).await;
        failed(&result, &["invalid arguments"]);
    }
    let result = call(&client, "list_running_queries", json!({"all": true})).await;
    failed(&result, &["invalid arguments"]);
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn sessions_are_addressed_through_their_users() {
    let h = Harness::new().await;
    let (client, logs) = h.stdio_client_with_logs(&["--groups", "audit"]).await;

    let listed = json(&call(&client, "list_active_sessions", json!({})).await);
    let requests = h.api_requests();
    assert_eq!(
        shape(&requests),
        [
            "GET /users",
            "GET /users/1/sessions",
            "GET /users/2/sessions",
            "GET /users/3/sessions",
            "GET /users/77/sessions"
        ]
    );
    assert_eq!(query(&requests[0], "limit"), Some("100"));
    assert_eq!(query(&requests[0], "offset"), Some("0"));
    assert!(query(&requests[0], "fields").is_some_and(|f| f.contains("is_disabled")));
    assert_eq!(listed["count"], 4, "{listed}");
    assert_eq!(listed["users_checked"], 4);
    assert_eq!(listed["truncated"], false);
    let alice = listed["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["user_id"] == "2")
        .unwrap();
    assert_eq!(alice["session_id"], "2:201");
    assert_eq!(alice["id"], "201");
    assert_eq!(alice["user_email"], "alice@example.com");
    assert_eq!(alice["credentials_type"], "saml");
    assert!(alice.get("can").is_none());

    // get_session: the composite id addresses the user's session directly.
    let one = json(&call(&client, "get_session", json!({"session_id": "2:201"})).await);
    assert_eq!(shape(&h.api_requests()), ["GET /users/2/sessions/201"]);
    assert_eq!(one["ip_address"], "192.0.2.44");
    assert_eq!(one["session_id"], "2:201");
    // A bare session id is looked for among the users' sessions.
    let bare = json(&call(&client, "get_session", json!({"session_id": "301"})).await);
    assert_eq!(
        shape(&h.api_requests()),
        [
            "GET /users",
            "GET /users/1/sessions",
            "GET /users/2/sessions",
            "GET /users/3/sessions"
        ]
    );
    assert_eq!(bare["session_id"], "3:301");
    assert_eq!(bare["user_email"], "bob@example.com");
    // Another user's session id under the wrong user: Looker's 404.
    let wrong = call(&client, "get_session", json!({"session_id": "2:101"})).await;
    failed(&wrong, &["HTTP 404", "Not found"]);
    assert_eq!(shape(&h.api_requests()), ["GET /users/2/sessions/101"]);
    let missing = call(&client, "get_session", json!({"session_id": "999"})).await;
    failed(&missing, &["no user has a session \"999\""]);
    h.api_requests();

    // terminate_session: composite and bare.
    let ended = json(&call(&client, "terminate_session", json!({"session_id": "1:102"})).await);
    assert_eq!(shape(&h.api_requests()), ["DELETE /users/1/sessions/102"]);
    assert_eq!(ended["terminated"], true);
    assert_eq!(ended["session_id"], "1:102");
    let ended = json(&call(&client, "terminate_session", json!({"session_id": "201"})).await);
    let requests = shape(&h.api_requests());
    assert_eq!(requests.last().unwrap(), "DELETE /users/2/sessions/201");
    assert_eq!(ended["session_id"], "2:201");
    let left = json(&call(&client, "list_active_sessions", json!({})).await);
    h.api_requests();
    assert_eq!(left["count"], 2, "{left}");
    let gone = call(&client, "terminate_session", json!({"session_id": "1:102"})).await;
    failed(&gone, &["HTTP 404"]);
    h.api_requests();

    for (tool, args) in [
        ("get_session", json!({})),
        ("get_session", json!({"session_id": ":201"})),
        ("terminate_session", json!({"session_id": "2:"})),
        ("terminate_session", json!({"session_id": ""})),
        ("list_active_sessions", json!({"user_id": "2"})),
    ] {
        let result = call(&client, tool, args.clone()).await;
        failed(&result, &["invalid arguments"]);
    }
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();
    let log = logs.text();
    assert!(!log.is_empty());
    assert!(
        !log.contains("demo-client-secret"),
        "secrets never reach the log"
    );
    h.assert_no_violations();
}

#[tokio::test]
async fn ci_runs_are_triggered_and_followed() {
    let h = Harness::new().await;
    let client = h.client("audit").await;

    let run = json(
        &call(
            &client,
            "trigger_project_ci_run",
            json!({"project_id": "ecommerce", "branch": "dev-alice"}),
        )
        .await,
    );
    let requests = h.api_requests();
    assert_eq!(
        shape(&requests),
        ["POST /projects/ecommerce/continuous_integration/runs"]
    );
    assert_eq!(requests[0].body, Some(json!({"branch": "dev-alice"})));
    assert_eq!(run["status"], "queued");
    assert_eq!(run["git_branch_name"], "dev-alice");
    assert!(run.get("can").is_none());
    let id = run["id"].as_str().unwrap().to_string();

    let production = json(
        &call(
            &client,
            "trigger_project_ci_run",
            json!({"project_id": "ecommerce", "branch": null}),
        )
        .await,
    );
    let requests = h.api_requests();
    assert_eq!(requests[0].body, Some(json!({})));
    assert_ne!(production["id"], run["id"]);

    let followed = json(
        &call(
            &client,
            "get_project_ci_run",
            json!({"project_id": "ecommerce", "run_id": id}),
        )
        .await,
    );
    assert_eq!(
        shape(&h.api_requests()),
        [format!(
            "GET /projects/ecommerce/continuous_integration/runs/{id}"
        )]
    );
    assert_eq!(followed["status"], "passed");
    assert_eq!(followed["result"]["lookml_result"]["status"], "passed");

    let unknown = call(
        &client,
        "get_project_ci_run",
        json!({"project_id": "ecommerce", "run_id": "999"}),
    )
    .await;
    failed(&unknown, &["HTTP 404", "Not found"]);
    let no_suite = call(
        &client,
        "trigger_project_ci_run",
        json!({"project_id": "marketing"}),
    )
    .await;
    failed(
        &no_suite,
        &[
            "HTTP 422",
            "Validation Failed",
            "no Continuous Integration suite",
        ],
    );
    h.api_requests();

    // Listing: the API cannot; the project is checked, then the tool says where runs are.
    let list = call(
        &client,
        "list_project_ci_runs",
        json!({"project_id": "ecommerce"}),
    )
    .await;
    failed(
        &list,
        &[
            "no operation that lists",
            "get_project_ci_run",
            "Continuous Integration > Runs",
        ],
    );
    let requests = h.api_requests();
    assert_eq!(shape(&requests), ["GET /projects/ecommerce"]);
    assert_eq!(query(&requests[0], "fields"), Some("id,name"));
    let nope = call(
        &client,
        "list_project_ci_runs",
        json!({"project_id": "nope"}),
    )
    .await;
    failed(&nope, &["HTTP 404"]);
    h.api_requests();

    for (tool, args) in [
        ("list_project_ci_runs", json!({})),
        ("get_project_ci_run", json!({"project_id": "ecommerce"})),
        ("trigger_project_ci_run", json!({"branch": "main"})),
        (
            "trigger_project_ci_run",
            json!({"project_id": "ecommerce", "branch": " "}),
        ),
        (
            "get_project_ci_run",
            json!({"project_id": "", "run_id": "1"}),
        ),
    ] {
        let result = call(&client, tool, args.clone()).await;
        failed(&result, &["invalid arguments"]);
    }
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

//! Code mode (the `api` group): search and describe the whole Looker API, call it with every
//! request checked against the spec and the write setting, and run scripts in the sandbox —
//! through a real MCP client against the simulator, checking what reached Looker.

use rmcp::RoleClient;
use rmcp::service::RunningService;
use serde_json::json;

use crate::support::{Harness, RawStdio, assert_tool_error, call, json, shape, text};

type Client = RunningService<RoleClient, ()>;

/// A harness whose server serves only the `api` group, with extra settings.
async fn api_client(settings: &[(&str, &str)]) -> (Harness, Client) {
    let mut h = Harness::new().await;
    for (key, value) in settings {
        h.set(key, value);
    }
    let client = h.stdio_client(&["--groups", "api"]).await;
    (h, client)
}

/// Runs `code` and returns the tool result.
async fn script(client: &Client, code: &str) -> rmcp::model::CallToolResult {
    call(client, "run_looker_script", json!({"code": code})).await
}

#[tokio::test]
async fn search_finds_the_dashboard_by_id_operation_compactly() {
    let (h, client) = api_client(&[]).await;
    let found = json(
        &call(
            &client,
            "search_looker_api",
            json!({"query": "dashboard by id"}),
        )
        .await,
    );
    let first = &found["results"][0];
    assert_eq!(first["operation"], "dashboard", "{found}");
    assert_eq!(first["method"], "GET");
    assert_eq!(first["path"], "/dashboards/{dashboard_id}");
    assert_eq!(first["changes"], false);
    assert!(
        first["params"]
            .as_str()
            .unwrap()
            .contains("dashboard_id: string (path)"),
        "{first}"
    );
    let results = found["results"].as_array().unwrap();
    assert_eq!(results.len(), 10);
    // Ten results in a few hundred tokens (~4 characters a token).
    let size = found.to_string().len();
    assert!(size < 2_800, "{size} characters: {found}");

    let users = json(
        &call(
            &client,
            "search_looker_api",
            json!({"query": "delete", "tag": "User", "limit": 3}),
        )
        .await,
    );
    let users = users["results"].as_array().unwrap();
    assert_eq!(users.len(), 3);
    assert!(users.iter().all(|u| u["changes"] == true), "{users:?}");
    let bad = call(
        &client,
        "search_looker_api",
        json!({"query": "x", "tag": "NoSuchTag"}),
    )
    .await;
    assert_tool_error(&bad, "unknown tag");
    assert!(
        h.api_requests().is_empty(),
        "search reads only the embedded index"
    );
}

#[tokio::test]
async fn describe_resolves_a_body_schema() {
    let (h, client) = api_client(&[]).await;
    let described = json(
        &call(
            &client,
            "describe_looker_api",
            json!({"operation": "create_query"}),
        )
        .await,
    );
    assert_eq!(described["method"], "POST");
    assert_eq!(described["changes"], false, "creating a query only reads");
    let body = &described["body"]["schema"];
    assert_eq!(body["$type"], "Query", "{described}");
    assert!(
        body["model"].as_str().unwrap().starts_with("string"),
        "{body}"
    );
    assert!(body["fields"].is_array(), "{body}");
    assert!(
        body.get("id").is_none(),
        "read-only fields are not part of a body"
    );
    assert_eq!(described["response"]["$type"], "Query");
    let unknown = call(
        &client,
        "describe_looker_api",
        json!({"operation": "get_dashboard_please"}),
    )
    .await;
    assert_tool_error(&unknown, "unknown operation `get_dashboard_please`");
    assert!(h.api_requests().is_empty());
}

#[tokio::test]
async fn call_runs_a_read_by_operation_or_by_path() {
    let (h, client) = api_client(&[]).await;
    let by_op = json(
        &call(&client, "call_looker_api", json!({"operation": "lookml_model", "path_params": {"lookml_model_name": "ecommerce"}, "query": {"fields": "name,explores"}}))
            .await,
    );
    assert_eq!(by_op["name"], "ecommerce", "{by_op}");
    let by_path = json(
        &call(
            &client,
            "call_looker_api",
            json!({"method": "GET", "path": "/lookml_models/ecommerce"}),
        )
        .await,
    );
    assert_eq!(by_path["name"], "ecommerce");
    let requests = h.api_requests();
    assert_eq!(
        shape(&requests),
        [
            "GET /lookml_models/ecommerce",
            "GET /lookml_models/ecommerce"
        ]
    );
    assert_eq!(
        requests[0].query,
        [("fields".to_owned(), "name,explores".to_owned())]
    );
    h.assert_no_violations();
}

#[tokio::test]
async fn bad_requests_are_refused_before_anything_is_sent() {
    let (h, client) = api_client(&[]).await;
    let cases = [
        (
            json!({"operation": "get_dashboard_by_magic"}),
            "unknown operation `get_dashboard_by_magic`",
        ),
        (
            json!({"method": "GET", "path": "/nowhere/at/all"}),
            "no operation GET /nowhere/at/all",
        ),
        (
            json!({"operation": "dashboard"}),
            "needs path parameter `dashboard_id`",
        ),
        (
            json!({"operation": "dashboard", "path_params": {"dashboard_id": "1", "folder": "2"}}),
            "no path parameter `folder`",
        ),
        (
            json!({"operation": "dashboard", "path_params": {"dashboard_id": "1"}, "query": {"limit": 5}}),
            "no query parameter `limit`",
        ),
        (
            json!({"operation": "all_users", "query": {"page": "two"}}),
            "`page` must be of type integer",
        ),
        (
            json!({"method": "GET", "path": "/dashboards/1?fields=id"}),
            "pass query parameters in `query`",
        ),
        (
            json!({"operation": "create_query", "body": {"model": "ecommerce", "view": "orders", "fields": "orders.id"}}),
            "`body.fields` must be an array",
        ),
        (
            json!({"operation": "create_query", "body": {"model": "ecommerce", "view": "orders", "colour": "red"}}),
            "`body` has no field `colour`",
        ),
        (
            json!({"operation": "create_query", "body": {"model": "ecommerce"}}),
            "needs field(s) `view`",
        ),
        (json!({"operation": "create_query"}), "needs a `body`"),
    ];
    for (args, needle) in cases {
        let result = call(&client, "call_looker_api", args.clone()).await;
        assert_tool_error(&result, needle);
    }
    assert!(
        h.api_requests().is_empty(),
        "{:?}",
        shape(&h.api_requests())
    );
}

#[tokio::test]
async fn writes_are_refused_under_the_default_setting() {
    let (h, client) = api_client(&[]).await;
    let create = json!({"operation": "create_folder", "body": {"name": "New", "parent_id": "1"}});
    let through_read_tool = call(&client, "call_looker_api", create.clone()).await;
    assert_tool_error(&through_read_tool, "call_looker_api only reads");
    let through_write_tool = call(&client, "change_looker_api", create).await;
    assert_tool_error(&through_write_tool, "writes are off on this server");
    let from_script = script(
        &client,
        "looker.request('POST', '/folders', {body: {name: 'New', parent_id: '1'}})",
    )
    .await;
    assert_tool_error(&from_script, "writes are off on this server");
    assert!(
        h.api_requests().is_empty(),
        "{:?}",
        shape(&h.api_requests())
    );
    // The confirmation argument is offered only when writes need confirming.
    let tools = client.list_all_tools().await.unwrap();
    let change = tools
        .iter()
        .find(|t| t.name == "change_looker_api")
        .unwrap();
    assert!(change.input_schema["properties"].get("confirm").is_none());
    let read = tools.iter().find(|t| t.name == "call_looker_api").unwrap();
    assert_eq!(
        read.annotations.as_ref().and_then(|a| a.read_only_hint),
        Some(true)
    );
    assert_ne!(
        change.annotations.as_ref().and_then(|a| a.read_only_hint),
        Some(true)
    );
}

#[tokio::test]
async fn allowed_writes_run_and_confirm_mode_needs_confirm() {
    let (h, client) = api_client(&[("LOOKER_API_WRITES", "allow")]).await;
    let create = json!({"operation": "create_folder", "body": {"name": "Made by code mode", "parent_id": "1"}});
    let made = json(&call(&client, "change_looker_api", create.clone()).await);
    assert_eq!(made["name"], "Made by code mode", "{made}");
    assert_eq!(shape(&h.api_requests()), ["POST /folders"]);
    client.cancel().await.unwrap();

    let (h, client) = api_client(&[("LOOKER_API_WRITES", "confirm")]).await;
    let unconfirmed = call(&client, "change_looker_api", create.clone()).await;
    assert_tool_error(&unconfirmed, "call again with `confirm: true`");
    assert!(h.api_requests().is_empty());
    let mut confirmed = create;
    confirmed["confirm"] = json!(true);
    json(&call(&client, "change_looker_api", confirmed).await);
    assert_eq!(shape(&h.api_requests()), ["POST /folders"]);
}

#[tokio::test]
async fn denied_operations_are_refused_under_every_setting() {
    for writes in ["off", "confirm", "allow"] {
        let (h, client) = api_client(&[
            ("LOOKER_API_WRITES", writes),
            ("LOOKER_API_DENY", "all_groups"),
        ])
        .await;
        let attempts = [
            (
                "change_looker_api",
                json!({"operation": "login_user", "path_params": {"user_id": "2"}, "confirm": writes == "confirm"}),
            ),
            (
                "change_looker_api",
                json!({"operation": "delete_user", "path_params": {"user_id": "2"}, "confirm": writes == "confirm"}),
            ),
            (
                "change_looker_api",
                json!({"method": "POST", "path": "/users/2/credentials_api3", "confirm": writes == "confirm"}),
            ),
            ("call_looker_api", json!({"operation": "all_groups"})),
        ];
        for (tool, mut args) in attempts {
            if writes != "confirm" {
                args.as_object_mut().unwrap().remove("confirm");
            }
            let result = call(&client, tool, args).await;
            assert_tool_error(&result, "denied by the operator");
        }
        let from_script = call(
            &client,
            "run_looker_script",
            json!({"code": "looker.call('login_user', {user_id: '2'})"}),
        )
        .await;
        assert_tool_error(&from_script, "denied by the operator");
        let sent = h.sim.take_requests();
        assert!(
            sent.iter()
                .all(|r| r.path == "/login" || r.path == "/session"),
            "writes={writes}: {:?}",
            shape(&sent)
        );
    }
}

#[tokio::test]
async fn a_script_counts_the_fields_of_every_explore_in_one_call() {
    let (h, client) = api_client(&[]).await;
    let code = r#"
        const counts = {};
        for (const model of looker.get('/lookml_models', {fields: 'name,explores'})) {
          for (const explore of model.explores) {
            const e = looker.call('lookml_model_explore', {lookml_model_name: model.name, explore_name: explore.name, fields: 'fields'});
            counts[model.name + '.' + explore.name] = e.fields.dimensions.length + e.fields.measures.length;
          }
        }
        console.log('explores:', Object.keys(counts).length);
        return counts;
    "#;
    let answer = json(&script(&client, code).await);
    let counts = answer["result"].as_object().unwrap().clone();
    assert!(counts.contains_key("ecommerce.orders"), "{answer}");
    assert_eq!(
        answer["logs"],
        json!([format!("explores: {}", counts.len())])
    );
    let requests = h.api_requests();
    assert_eq!(answer["requests"], requests.len());
    assert_eq!(requests.len(), counts.len() + 1);

    // The same counts, one named request at a time.
    for (key, count) in &counts {
        let (model, explore) = key.split_once('.').unwrap();
        let e = json(
            &call(&client, "call_looker_api", json!({"operation": "lookml_model_explore", "path_params": {"lookml_model_name": model, "explore_name": explore}}))
                .await,
        );
        let fields = &e["fields"];
        let expected = fields["dimensions"].as_array().unwrap().len()
            + fields["measures"].as_array().unwrap().len();
        assert_eq!(count, &json!(expected), "{key}");
    }
    h.assert_no_violations();
}

#[tokio::test]
async fn an_endless_loop_is_stopped_and_the_server_keeps_serving() {
    let (_h, client) = api_client(&[("LOOKER_PLUGIN_CPU_MS", "1500")]).await;
    let looped = script(&client, "while (true) {}").await;
    assert_tool_error(&looped, "CPU budget");
    let after = json(&script(&client, "1 + 1").await);
    assert_eq!(after["result"], 2);
}

#[tokio::test]
async fn a_memory_bomb_is_contained_and_the_server_keeps_serving() {
    let (_h, client) = api_client(&[]).await;
    let bomb = script(
        &client,
        "const a = []; for (let i = 0; ; i++) { a.push('x'.repeat(1 << 20) + i); }",
    )
    .await;
    assert_eq!(bomb.is_error, Some(true), "{}", text(&bomb));
    assert!(
        text(&bomb).contains("api plugin crashed: it reached its memory limit"),
        "{}",
        text(&bomb)
    );
    let after = json(&script(&client, "[1, 2, 3].map(x => x * 2)").await);
    assert_eq!(after["result"], json!([2, 4, 6]));
}

#[tokio::test]
async fn a_script_making_too_many_requests_is_stopped_even_if_it_catches() {
    let (h, client) = api_client(&[("LOOKER_API_SCRIPT_MAX_REQUESTS", "3")]).await;
    let code = "for (let i = 0; i < 10; i++) { try { looker.get('/user') } catch (e) { console.log('caught', e.message) } } 'done'";
    let result = script(&client, code).await;
    assert_tool_error(&result, "more than 3 Looker requests");
    assert_eq!(
        shape(&h.api_requests()),
        ["GET /user", "GET /user", "GET /user"]
    );
    let after = json(&script(&client, "looker.get('/user').id").await);
    assert_eq!(after["requests"], 1);
}

#[tokio::test]
async fn a_throwing_script_reports_its_error_and_console_output() {
    let (h, client) = api_client(&[]).await;
    let thrown = script(
        &client,
        "console.log('before', {a: 1}); throw new Error('boom')",
    )
    .await;
    assert_tool_error(&thrown, "boom");
    assert_tool_error(&thrown, r#"before {\"a\":1}"#);
    let syntax = script(&client, "let = = 2").await;
    assert_tool_error(&syntax, "does not parse");
    // A Looker error inside a script is an exception the script can catch.
    let caught = json(
        &script(
            &client,
            "try { looker.get('/dashboards/999999') } catch (e) { return 'caught: ' + e.message }",
        )
        .await,
    );
    assert!(
        caught["result"].as_str().unwrap().starts_with("caught: "),
        "{caught}"
    );
    // So is a request the spec refuses; it never reaches Looker.
    let refused = json(
        &script(
            &client,
            "try { looker.get('/dashboards/{dashboard_id}') } catch (e) { return e.message }",
        )
        .await,
    );
    assert!(
        refused["result"].as_str().unwrap().contains("dashboard_id"),
        "{refused}"
    );
    assert_eq!(shape(&h.api_requests()), ["GET /dashboards/999999"]);
    let after = json(&call(&client, "search_looker_api", json!({"query": "folder"})).await);
    assert!(!after["results"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn scripts_cannot_change_whom_they_act_as() {
    let (h, client) = api_client(&[("LOOKER_API_WRITES", "allow")]).await;
    let code = r#"
        const tries = {};
        const attempt = (name, f) => { try { f(); tries[name] = 'sent' } catch (e) { tries[name] = e.message } };
        attempt('login_user', () => looker.call('login_user', {user_id: '2'}));
        attempt('login', () => looker.request('POST', '/login', {query: {client_id: 'x', client_secret: 'y'}}));
        attempt('headers', () => looker.request('GET', '/user', {headers: {'X-Looker-Sudo': '2'}}));
        attempt('absolute url', () => looker.get('https://evil.example/api/4.0/user'));
        attempt('sudo query', () => looker.get('/user', {act_as_user: '2'}));
        tries.me = looker.get('/user').id;
        return tries;
    "#;
    let answer = json(&script(&client, code).await);
    let tries = &answer["result"];
    assert!(
        tries["login_user"]
            .as_str()
            .unwrap()
            .contains("denied by the operator"),
        "{tries}"
    );
    assert!(
        tries["login"]
            .as_str()
            .unwrap()
            .contains("denied by the operator"),
        "{tries}"
    );
    assert!(
        tries["headers"]
            .as_str()
            .unwrap()
            .contains("unknown option `headers`"),
        "{tries}"
    );
    assert!(
        tries["absolute url"]
            .as_str()
            .unwrap()
            .contains("no operation GET"),
        "{tries}"
    );
    assert!(
        tries["sudo query"]
            .as_str()
            .unwrap()
            .contains("no query parameter `act_as_user`"),
        "{tries}"
    );
    assert_eq!(
        tries["me"],
        json!("1"),
        "still the service account: {tries}"
    );
    let requests: Vec<_> = h.sim.take_requests();
    assert!(
        requests.iter().all(|r| r.path == "/login"
            || r.path == "/session"
            || r.user_id.as_deref() == Some("1")),
        "{:?}",
        shape(&requests)
    );
    assert!(
        !requests.iter().any(|r| r.path.starts_with("/login/")),
        "{:?}",
        shape(&requests)
    );
    assert_eq!(requests.iter().filter(|r| r.path == "/user").count(), 1);
}

#[tokio::test]
async fn a_script_reports_progress_per_looker_request() {
    let h = Harness::new().await;
    let mut server = RawStdio::initialized(h.command(&["--groups", "api"])).await;
    let code = "[1, 2, 3].map(() => looker.get('/user', {fields: 'id'}).id).length";
    let (result, progress) = server
        .call_with_progress(2, "run_looker_script", json!({"code": code}), "script-1")
        .await;
    assert_eq!(result["result"]["isError"], json!(false), "{result}");
    assert_eq!(progress.len(), 3, "one per Looker request: {progress:#?}");
    for (n, step) in progress.iter().enumerate() {
        assert_eq!(step["progress"].as_f64(), Some((n + 1) as f64));
        let message = step["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(&format!("request {}", n + 1)) && message.contains("/user"),
            "{message}"
        );
    }
    assert_eq!(
        shape(&h.api_requests()),
        ["GET /user", "GET /user", "GET /user"]
    );
}

#[tokio::test]
async fn a_cancelled_script_stops_at_its_next_request_and_the_server_keeps_serving() {
    let h = Harness::new().await;
    // Each Looker answer takes a while, so the script is mid-loop when it is cancelled.
    h.sim.set_latency(std::time::Duration::from_millis(150));
    let mut server = RawStdio::initialized(h.command(&["--groups", "api"])).await;
    server
        .send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "run_looker_script",
            "arguments": {"code": "let n = 0; for (let i = 0; i < 40; i++) { looker.get('/user', {fields: 'id'}); n++ } n"}}}))
        .await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while h
        .sim
        .requests()
        .iter()
        .filter(|r| r.path == "/user")
        .count()
        < 2
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the script never got going"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    server
        .send(json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 2, "reason": "user"}}))
        .await;
    let at_cancel = h
        .sim
        .requests()
        .iter()
        .filter(|r| r.path == "/user")
        .count();
    // Long enough for several more requests, had the script gone on.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    h.sim.set_latency(std::time::Duration::ZERO);
    let after = h
        .sim
        .requests()
        .iter()
        .filter(|r| r.path == "/user")
        .count();
    assert!(
        after <= at_cancel + 1,
        "at most the request in flight finishes: {at_cancel} at the cancel, {after} later"
    );
    assert!(after < 40, "the script did not run to its end");
    // The server keeps serving.
    let answer = server
        .request(
            3,
            "tools/call",
            json!({"name": "search_looker_api", "arguments": {"query": "dashboard by id"}}),
        )
        .await;
    assert_eq!(answer["result"]["isError"], json!(false), "{answer}");
}

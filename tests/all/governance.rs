//! Governance: the read-only posture, tool allow/deny lists, the model allow-list and the
//! hash-chained audit trail, through a real MCP client against the simulator.

use looker_mcp::governance::changes_looker;
use looker_mcp::looker::Method;
use serde_json::{Map, Value, json};

use crate::support::{Harness, call, json as result_json, text};

fn method(name: &str) -> Method {
    match name {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        _ => Method::Delete,
    }
}

/// Requests the simulator saw that change Looker.
fn changing(h: &Harness) -> Vec<String> {
    h.sim
        .take_requests()
        .into_iter()
        .filter(|r| r.path != "/login" && !r.path.starts_with("/login/") && r.path != "/session")
        .filter(|r| changes_looker(method(&r.method), &r.path))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test]
async fn read_only_lists_only_read_only_tools() {
    let mut h = Harness::new().await;
    h.set("LOOKER_READ_ONLY", "true");
    let client = h.stdio_client(&["--groups", "all"]).await;
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.len() > 50, "{} read-only tools", tools.len());
    for tool in &tools {
        let read_only = tool.annotations.as_ref().and_then(|a| a.read_only_hint);
        assert_eq!(read_only, Some(true), "{} is listed", tool.name);
    }
    assert!(!tools.iter().any(|t| t.name == "create_look"));
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn read_only_refuses_a_write_tool_called_by_name() {
    let h = Harness::new().await;
    let client = h
        .stdio_client(&["--read-only", "--groups", "content"])
        .await;
    let result = call(&client, "delete_look", json!({"look_id": "1"})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(text(&result).contains("read-only"), "{}", text(&result));
    assert!(h.api_requests().is_empty(), "nothing reached Looker");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn read_only_refuses_a_branch_swap_inside_a_read_tool() {
    let mut h = Harness::new().await;
    h.set("LOOKER_READ_ONLY", "true");
    h.set("LOOKER_QUERY_DEV_PARAMS", "true");
    let client = h.stdio_client(&["--groups", "query"]).await;
    let result = call(
        &client,
        "query",
        json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"],
               "project_id": "ecommerce", "branch": "feature-x"}),
    )
    .await;
    assert_eq!(result.is_error, Some(true));
    assert!(text(&result).contains("read-only"), "{}", text(&result));
    assert!(changing(&h).is_empty(), "no branch was checked out");
    client.cancel().await.unwrap();
}

/// A plausible value for a schema property (ids as "1", enums' first value).
pub(crate) fn plausible(schema: &Value) -> Value {
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    let ty = match &schema["type"] {
        Value::Array(types) => types
            .iter()
            .find(|t| *t != "null")
            .cloned()
            .unwrap_or_default(),
        other => other.clone(),
    };
    match ty.as_str() {
        Some("integer" | "number") => json!(1),
        Some("boolean") => json!(false),
        Some("array") => json!([plausible(&schema["items"])]),
        Some("object") => json!({}),
        _ => json!("1"),
    }
}

#[tokio::test]
async fn every_read_only_annotated_tool_sends_no_changing_request() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "all"]).await;
    let tools = client.list_all_tools().await.unwrap();
    let mut offenders = Vec::new();
    for tool in tools
        .iter()
        .filter(|t| t.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true))
    {
        let schema = Value::Object((*tool.input_schema).clone());
        let mut arguments = Map::new();
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap();
            arguments.insert(name.into(), plausible(&schema["properties"][name]));
        }
        h.sim.take_requests();
        call(&client, tool.name.as_ref(), Value::Object(arguments)).await;
        let changed = changing(&h);
        if !changed.is_empty() {
            offenders.push(format!("{}: {changed:?}", tool.name));
        }
    }
    assert!(
        offenders.is_empty(),
        "read-only tools that change Looker: {offenders:#?}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn tool_lists_filter_the_list_and_refuse_calls() {
    let mut h = Harness::new().await;
    h.set("LOOKER_TOOLS", "list_*,whoami");
    h.set("LOOKER_EXCLUDE_TOOLS", "list_connections");
    let client = h.stdio_client(&["--groups", "explore,identity"]).await;
    let mut names = crate::support::tool_names(&client).await;
    names.sort();
    assert_eq!(
        names,
        ["list_dimensions", "list_measures", "list_models", "whoami"]
    );
    for (tool, setting) in [
        ("get_model", "LOOKER_TOOLS"),
        ("list_connections", "LOOKER_EXCLUDE_TOOLS"),
    ] {
        let result = call(&client, tool, json!({"model_name": "ecommerce"})).await;
        assert_eq!(result.is_error, Some(true));
        assert!(text(&result).contains(setting), "{tool}: {}", text(&result));
    }
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn an_unknown_tool_list_entry_stops_the_server_naming_near_matches() {
    let mut h = Harness::new().await;
    h.set("LOOKER_TOOLS", "list_model");
    let output = h
        .command(&["--groups", "explore"])
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("did you mean list_models"), "{stderr}");
}

#[tokio::test]
async fn the_model_allow_list_filters_model_listings() {
    let mut h = Harness::new().await;
    h.set("LOOKER_ALLOWED_MODELS", "ecommerce/orders");
    let client = h.stdio_client(&["--groups", "explore"]).await;
    let models = result_json(&call(&client, "list_models", json!({})).await);
    let text = models.to_string();
    assert!(
        text.contains("ecommerce") && !text.contains("marketing"),
        "{text}"
    );
    assert!(
        !text.contains("\"users\""),
        "only the allowed explore: {text}"
    );
    let refused = call(
        &client,
        "get_explore",
        json!({"model_name": "ecommerce", "explore_name": "users"}),
    )
    .await;
    assert_eq!(refused.is_error, Some(true));
    assert!(
        crate::support::text(&refused).contains("ecommerce/users"),
        "{}",
        crate::support::text(&refused)
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_model_allow_list_refuses_queries_on_other_models_before_looker() {
    let mut h = Harness::new().await;
    h.set("LOOKER_ALLOWED_MODELS", "marketing");
    let client = h.stdio_client(&["--groups", "query"]).await;
    let result = call(
        &client,
        "query",
        json!({"model": "ecommerce", "view": "orders", "fields": ["orders.count"]}),
    )
    .await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("LOOKER_ALLOWED_MODELS"),
        "{}",
        text(&result)
    );
    assert!(
        !h.api_requests()
            .iter()
            .any(|r| r.path.starts_with("/queries")),
        "no query reached Looker"
    );
    client.cancel().await.unwrap();
}

/// No request ran a look or query.
fn assert_never_ran(h: &Harness) {
    let requests = h.api_requests();
    assert!(
        !requests.iter().any(|r| r.path.contains("/run/")),
        "the look never ran: {requests:#?}"
    );
}

#[tokio::test]
async fn a_look_whose_query_uses_a_denied_model_is_refused() {
    let mut h = Harness::new().await;
    h.set("LOOKER_ALLOWED_MODELS", "marketing");
    let client = h.stdio_client(&["--groups", "query"]).await;
    let result = call(&client, "run_look", json!({"look_id": "1"})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("ecommerce/orders"),
        "{}",
        text(&result)
    );
    assert_never_ran(&h);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_look_that_cannot_be_read_is_refused_not_run_unchecked() {
    use looker_sim::{Fault, FaultKind};
    let mut h = Harness::new().await;
    h.set("LOOKER_ALLOWED_MODELS", "ecommerce");
    let client = h.stdio_client(&["--groups", "query"]).await;
    h.sim.inject(Fault {
        method: Some("GET".into()),
        path_prefix: "/looks/1".into(),
        kind: FaultKind::Status(503),
        times: 10,
    });
    let result = call(&client, "run_look", json!({"look_id": "1"})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("could not be read to check its model"),
        "{}",
        text(&result)
    );
    assert_never_ran(&h);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn instructions_describe_only_the_tools_served() {
    let mut h = Harness::new().await;
    h.set("LOOKER_TOOLS", "whoami");
    let client = h.stdio_client(&["--groups", "explore,identity"]).await;
    let instructions = client
        .peer_info()
        .and_then(|i| i.instructions.clone())
        .expect("instructions");
    assert!(instructions.contains("identity"), "{instructions}");
    assert!(!instructions.contains("explore:"), "{instructions}");
    client.cancel().await.unwrap();
}

fn audit_file(name: &str) -> std::path::PathBuf {
    let path =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("audit-{name}.jsonl"));
    let _ = std::fs::remove_file(&path);
    path
}

fn verify(path: &std::path::Path) -> std::process::Output {
    std::process::Command::new(crate::support::BIN)
        .args(["audit", "verify"])
        .arg(path)
        .output()
        .unwrap()
}

#[tokio::test]
async fn writes_and_sudo_are_audited_in_a_verifiable_chain() {
    let path = audit_file("chain");
    let mut h = Harness::new().await;
    h.set("LOOKER_AUDIT_FILE", path.to_str().unwrap());
    let client = h.stdio_client(&["--groups", "content,git,identity"]).await;
    call(&client, "whoami", json!({})).await;
    call(&client, "delete_look", json!({"look_id": "2"})).await;
    call(
        &client,
        "get_git_branch",
        json!({"project_id": "ecommerce", "act_as_user": "77"}),
    )
    .await;
    client.cancel().await.unwrap();

    let entries: Vec<Value> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        entries.len(),
        2,
        "a read as the service account is not audited: {entries:#?}"
    );
    assert_eq!(entries[0]["tool"], "delete_look");
    assert_eq!(entries[0]["principal"], "local");
    assert_eq!(entries[0]["looker_identity"], "service_account");
    assert_eq!(entries[0]["argument_names"], json!(["look_id"]));
    assert_eq!(entries[0]["requests"][0]["method"], "DELETE");
    assert_eq!(entries[0]["outcome"], "ok");
    assert_eq!(entries[1]["tool"], "get_git_branch");
    assert_eq!(entries[1]["looker_identity"], "user:77");

    let output = verify(&path);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("intact, 2 entries"));
}

#[tokio::test]
async fn audit_verify_finds_an_edited_line() {
    let path = audit_file("edited");
    let mut h = Harness::new().await;
    h.set("LOOKER_AUDIT_FILE", path.to_str().unwrap());
    let client = h.stdio_client(&["--groups", "content"]).await;
    call(&client, "delete_look", json!({"look_id": "2"})).await;
    call(&client, "delete_look", json!({"look_id": "1"})).await;
    client.cancel().await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("delete_look", "create_look", 1)).unwrap();
    let output = verify(&path);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("line 1 was edited"));
}

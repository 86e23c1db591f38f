//! The `connection` group through a real MCP client against the simulator: results, the Looker
//! requests (method, path, query, body), failures, and that secrets reach Looker but never the
//! server's log or the assistant.

use std::process::Stdio;
use std::time::Duration;

use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use tokio::task::JoinHandle;

use crate::support::{Harness, call, json, only_request, query, text};

const PASSWORD: &str = "pa55-w0rd-never-shown";
const CERTIFICATE: &str = "LS0tY2VydGlmaWNhdGUtbmV2ZXItc2hvd24=";
const PDT_PASSWORD: &str = "pdt-secret-never-shown";

/// The client type of [`Harness::client`].
type Client = RunningService<RoleClient, ()>;

/// `list_connection_dialects` asks for each dialect's options.
#[tokio::test]
async fn dialects_are_listed_with_their_options() {
    let h = Harness::new().await;
    let client = h.client("connection").await;
    let dialects = json(&call(&client, "list_connection_dialects", json!({})).await);
    let names: Vec<&str> = dialects["dialects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert!(
        names.contains(&"postgres") && names.contains(&"bigquery_standard_sql"),
        "{dialects}"
    );
    assert_eq!(
        dialects["dialects"][0]["supported_options"]["host"], true,
        "{dialects}"
    );
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/dialect_info")
    );
    assert!(query(&r, "fields").unwrap().contains("supported_options"));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `get_connection`: the seeded connection, `has_password` but no password nor `can`.
#[tokio::test]
async fn get_connection_shows_whether_there_is_a_password_but_not_the_password() {
    let h = Harness::new().await;
    let client = h.client("connection").await;
    let thelook = json(&call(&client, "get_connection", json!({"name": "thelook"})).await);
    assert_eq!(
        (thelook["dialect_name"].as_str(), thelook["host"].as_str()),
        (Some("mysql"), Some("thelook-db.example.internal"))
    );
    assert_eq!(thelook["has_password"], true, "{thelook}");
    assert!(
        thelook.get("password").is_none() && thelook.get("can").is_none(),
        "{thelook}"
    );
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/connections/thelook")
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `test_connection`: every check by default or with `[]`; the ones asked for, Looker skipping
/// what the dialect lacks.
#[tokio::test]
async fn test_connection_runs_every_check_or_those_asked_for() {
    let h = Harness::new().await;
    let client = h.client("connection").await;
    let all = json(&call(&client, "test_connection", json!({"name": "thelook"})).await);
    assert_eq!(all["healthy"], true, "{all}");
    // The seeded MySQL connection's dialect offers `connect` and `query`.
    assert_eq!(all["checks"].as_array().unwrap().len(), 2, "{all}");
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PUT", "/connections/thelook/test")
    );
    assert_eq!(query(&r, "tests"), None, "every check by default");
    assert_eq!(r.body, None);

    let some = json(
        &call(
            &client,
            "test_connection",
            json!({"name": "thelook", "tests": ["connect", "pdt"]}),
        )
        .await,
    );
    assert_eq!(
        some["checks"][0],
        json!({"check": "connect", "status": "success", "message": "Can connect to thelook-db.example.internal"})
    );
    assert_eq!(some["checks"].as_array().unwrap().len(), 1, "{some}");
    assert_eq!(
        some["not_supported"],
        json!(["pdt"]),
        "Looker skips what the dialect lacks"
    );
    assert_eq!(some["healthy"], true, "{some}");
    assert_eq!(query(&only_request(&h), "tests"), Some("connect,pdt"));
    let empty = json(
        &call(
            &client,
            "test_connection",
            json!({"name": "thelook", "tests": []}),
        )
        .await,
    );
    assert_eq!(empty["checks"].as_array().unwrap().len(), 2);
    assert_eq!(query(&only_request(&h), "tests"), None);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Looker's own errors: an unknown connection is a 404; names are one encoded path segment.
#[tokio::test]
async fn unknown_connections_are_404_and_names_are_one_path_segment() {
    let h = Harness::new().await;
    let client = h.client("connection").await;
    // Looker's own errors: an unknown connection is a 404.
    let missing = call(&client, "get_connection", json!({"name": "nope"})).await;
    assert!(
        missing.is_error == Some(true)
            && text(&missing).contains("HTTP 404")
            && text(&missing).contains("Not found"),
        "{}",
        text(&missing)
    );
    let missing = call(&client, "test_connection", json!({"name": "nope"})).await;
    assert!(
        missing.is_error == Some(true) && text(&missing).contains("HTTP 404"),
        "{}",
        text(&missing)
    );
    assert_eq!(h.api_requests().len(), 2);

    // Names are one encoded path segment.
    call(&client, "get_connection", json!({"name": "a b/c"})).await;
    assert_eq!(only_request(&h).path, "/connections/a%20b%2Fc");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Read and test arguments refused before anything reaches Looker.
#[tokio::test]
async fn invalid_read_arguments_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("connection").await;
    for (tool, bad) in [
        ("get_connection", json!({})),
        ("get_connection", json!({"name": ""})),
        ("list_connection_dialects", json!({"all": true})),
        (
            "test_connection",
            json!({"name": "thelook", "tests": {"connect": true}}),
        ),
        (
            "test_connection",
            json!({"name": "thelook", "tests": ["connect,query"]}),
        ),
        ("delete_connection", json!({"connection": "thelook"})),
    ] {
        let result = call(&client, tool, bad.clone()).await;
        assert_eq!(result.is_error, Some(true), "{tool} {bad}");
        assert!(
            text(&result).to_lowercase().contains("invalid arguments"),
            "{tool} {bad}: {}",
            text(&result)
        );
    }
    assert!(
        h.api_requests().is_empty(),
        "invalid arguments never reach Looker"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Every optional argument of `create_connection`, with secrets.
fn full_create() -> Value {
    let mut args = json!({
        "name": "warehouse", "dialect_name": "postgres", "host": "db.example.com", "port": 5433,
        "database": "analytics", "schema": "public", "service_name": "svc", "uses_tns": false,
        "named_driver_version_requested": "42.7", "username": "looker", "password": PASSWORD,
        "uses_key_pair_auth": false, "certificate": CERTIFICATE, "file_type": ".p8",
        "oauth_application_id": null, "uses_application_default_credentials": false,
        "impersonated_service_account": "sa@example.iam", "user_db_credentials": false,
        "user_attribute_fields": ["schema"], "ssl": true, "verify_ssl": true, "max_connections": 20,
        "max_queries": 50, "max_queries_per_user": 5, "pool_timeout": 60,
    });
    let more = json!({
        "connection_pooling": true, "max_billing_gigabytes": "100", "cost_estimate_enabled": false,
        "query_holding_disabled": false, "disable_context_comment": true, "query_timezone": "UTC",
        "db_timezone": "UTC", "after_connect_statements": "SET search_path TO public",
        "jdbc_additional_params": "sslmode=require", "sql_runner_precache_tables": true,
        "sql_writing_with_info_schema": true, "tmp_db_name": "looker_scratch",
        "tmp_db_host": "scratch.example.com", "maintenance_cron": "*/5 * * * *",
        "pdt_concurrency": 2, "pdt_api_control_enabled": true, "always_retry_failed_builds": false,
        "pdt_context_override": {"context": "pdt", "username": "pdt_writer", "password": PDT_PASSWORD},
        "tunnel_id": "tunnel-1", "custom_local_port": 15432, "bq_storage_project_id": "storage-proj",
        "bq_roles_verified": false,
    });
    let fields = args.as_object_mut().unwrap();
    fields.extend(more.as_object().unwrap().clone());
    args
}

/// A `connection` client of a server whose stderr log is read to the end by the handle.
async fn logged_client(h: &Harness) -> (Client, JoinHandle<String>) {
    let (transport, stderr) = TokioChildProcess::builder(h.command(&["--groups", "connection"]))
        .stderr(Stdio::piped())
        .spawn()
        .expect("server spawns");
    let mut stderr = stderr.expect("stderr is piped");
    let log_reader = tokio::spawn(async move {
        let mut log = String::new();
        let _ = stderr.read_to_string(&mut log).await;
        log
    });
    let client = ().serve(transport).await.expect("MCP initialize");
    (client, log_reader)
}

/// Ends the server, then asserts its log was captured at DEBUG and that no secret reached it nor
/// `shown` (what the assistant was shown).
async fn assert_no_secret_shown_or_logged(
    client: Client,
    log_reader: JoinHandle<String>,
    shown: &str,
) {
    client.cancel().await.unwrap();
    let log = tokio::time::timeout(Duration::from_secs(30), log_reader)
        .await
        .expect("server exits")
        .unwrap();
    assert!(
        log.contains("tool call"),
        "the log was captured at DEBUG: {log}"
    );
    for secret in [PASSWORD, CERTIFICATE, PDT_PASSWORD] {
        assert!(!log.contains(secret), "a secret reached the server log");
        assert!(
            !shown.contains(secret),
            "a secret was shown to the assistant: {shown}"
        );
    }
}

/// Creates the `warehouse` connection with [`full_create`] and takes the request.
async fn create_warehouse(h: &Harness, client: &Client) {
    json(&call(client, "create_connection", full_create()).await);
    h.api_requests();
}

/// Create with every argument: Looker receives them with the spec's types, and the secrets
/// reach neither the log nor the assistant.
#[tokio::test]
async fn create_connection_sends_every_argument_and_shows_no_secret() {
    let h = Harness::new().await;
    let (client, log_reader) = logged_client(&h).await;
    let mut shown = String::new();

    // Create with every argument: Looker receives them with the spec's types.
    let created = call(&client, "create_connection", full_create()).await;
    shown.push_str(&text(&created));
    let created = json(&created);
    assert_eq!(created["created"], true, "{created}");
    assert_eq!(created["connection"]["has_password"], true, "{created}");
    assert_eq!(created["connection"]["port"], "5433", "{created}");
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/connections")
    );
    let body = r.body.clone().unwrap();
    assert_eq!(body["password"], PASSWORD, "the password reaches Looker");
    assert_eq!(body["port"], "5433", "DBConnection.port is a string");
    assert_eq!(body["pdt_context_override"]["password"], PDT_PASSWORD);
    assert!(
        body.get("oauth_application_id").is_none(),
        "null arguments are not sent: {body}"
    );
    let mut expected = full_create();
    expected
        .as_object_mut()
        .unwrap()
        .remove("oauth_application_id");
    expected["port"] = json!("5433");
    assert_eq!(body, expected);

    let read = call(&client, "get_connection", json!({"name": "warehouse"})).await;
    shown.push_str(&text(&read));
    let read = json(&read);
    assert_eq!(
        (read["host"].as_str(), read["tmp_db_name"].as_str()),
        (Some("db.example.com"), Some("looker_scratch"))
    );
    assert_eq!(
        read["pdt_context_override"]["username"], "pdt_writer",
        "{read}"
    );
    h.api_requests();
    assert_no_secret_shown_or_logged(client, log_reader, &shown).await;
    h.assert_no_violations();
}

/// A taken name is Looker's 409 (the password not shown nor logged), an unknown dialect its 422.
#[tokio::test]
async fn looker_refuses_a_taken_name_and_an_unknown_dialect_and_shows_no_secret() {
    let h = Harness::new().await;
    let (client, log_reader) = logged_client(&h).await;
    create_warehouse(&h, &client).await;
    let mut shown = String::new();
    let duplicate = call(
        &client,
        "create_connection",
        json!({"name": "warehouse", "dialect_name": "postgres", "password": PASSWORD}),
    )
    .await;
    shown.push_str(&text(&duplicate));
    assert!(
        duplicate.is_error == Some(true) && text(&duplicate).contains("HTTP 409"),
        "{}",
        text(&duplicate)
    );
    let bad_dialect = call(
        &client,
        "create_connection",
        json!({"name": "x", "dialect_name": "oracle_9"}),
    )
    .await;
    assert!(
        bad_dialect.is_error == Some(true)
            && text(&bad_dialect).contains("HTTP 422")
            && text(&bad_dialect).contains("not a supported dialect"),
        "{}",
        text(&bad_dialect)
    );
    assert_eq!(h.api_requests().len(), 2);
    assert_no_secret_shown_or_logged(client, log_reader, &shown).await;
    h.assert_no_violations();
}

/// Update with every field once more: the new password reaches Looker, not the log nor the
/// assistant.
#[tokio::test]
async fn update_connection_sends_every_field_and_shows_no_secret() {
    let h = Harness::new().await;
    let (client, log_reader) = logged_client(&h).await;
    create_warehouse(&h, &client).await;
    let mut shown = String::new();
    // Update: every field once more, then clear some.
    let mut everything = full_create();
    let fields = everything.as_object_mut().unwrap();
    fields.remove("dialect_name");
    fields.insert("host".into(), json!("db2.example.com"));
    fields.insert("oauth_application_id".into(), json!("oauth-app-1"));
    fields.insert("password".into(), json!(format!("{PASSWORD}-2")));
    let updated = call(&client, "update_connection", everything).await;
    shown.push_str(&text(&updated));
    let updated = json(&updated);
    assert_eq!(
        updated["connection"]["host"], "db2.example.com",
        "{updated}"
    );
    assert_eq!(
        updated["fields_changed"].as_array().unwrap().len(),
        45,
        "{updated}"
    );
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PATCH", "/connections/warehouse")
    );
    let body = r.body.unwrap();
    assert_eq!(body["password"], format!("{PASSWORD}-2"));
    assert_eq!(body["oauth_application_id"], "oauth-app-1");
    assert!(
        body.get("name").is_none() && body.get("dialect_name").is_none(),
        "{body}"
    );
    assert_no_secret_shown_or_logged(client, log_reader, &shown).await;
    h.assert_no_violations();
}

/// `clear_fields` sends each field's empty value; the connection then has none.
#[tokio::test]
async fn update_connection_clears_fields() {
    let h = Harness::new().await;
    let client = h.client("connection").await;
    create_warehouse(&h, &client).await;
    let pdt_on = json(&call(&client, "update_connection", json!({"name": "warehouse", "pdt_api_control_enabled": false, "clear_fields": ["tunnel_id", "custom_local_port", "user_attribute_fields"]})).await);
    assert_eq!(pdt_on["fields_changed"], json!(["pdt_api_control_enabled"]));
    assert_eq!(
        pdt_on["fields_cleared"],
        json!(["tunnel_id", "custom_local_port", "user_attribute_fields"])
    );
    let r = only_request(&h);
    assert_eq!(
        r.body,
        Some(
            json!({"pdt_api_control_enabled": false, "tunnel_id": null, "custom_local_port": null, "user_attribute_fields": []})
        )
    );
    let read = json(&call(&client, "get_connection", json!({"name": "warehouse"})).await);
    assert!(
        read.get("tunnel_id").is_none() && read["pdt_api_control_enabled"] == false,
        "{read}"
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// The scratch schema cleared: the PDT check now fails and says why.
#[tokio::test]
async fn a_cleared_scratch_schema_fails_the_pdt_check() {
    let h = Harness::new().await;
    let client = h.client("connection").await;
    create_warehouse(&h, &client).await;
    // The scratch schema cleared: the PDT check now fails and says why.
    call(
        &client,
        "update_connection",
        json!({"name": "warehouse", "clear_fields": ["tmp_db_name"]}),
    )
    .await;
    let pdt = json(
        &call(
            &client,
            "test_connection",
            json!({"name": "warehouse", "tests": ["connect", "pdt"]}),
        )
        .await,
    );
    assert_eq!(pdt["healthy"], false, "{pdt}");
    assert_eq!(pdt["failed"], json!(["pdt"]), "{pdt}");
    assert!(
        pdt["checks"][1]["message"]
            .as_str()
            .unwrap()
            .contains("tmp_db_name"),
        "{pdt}"
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Refused before Looker: nothing to change, set-and-clear, an unclearable field, bad types.
#[tokio::test]
async fn invalid_connection_arguments_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("connection").await;
    // Refused before Looker: nothing to change, set-and-clear, an unclearable field, bad types.
    for bad in [
        json!({"name": "warehouse"}),
        json!({"name": "warehouse", "host": "h", "clear_fields": ["host"]}),
        json!({"name": "warehouse", "clear_fields": ["ssl"]}),
        json!({"name": "warehouse", "port": "5432 tcp"}),
        json!({"name": "warehouse", "dialect_name": "mysql"}),
    ] {
        let result = call(&client, "update_connection", bad.clone()).await;
        assert_eq!(result.is_error, Some(true), "{bad}");
        assert!(
            text(&result).to_lowercase().contains("invalid arguments"),
            "{bad}: {}",
            text(&result)
        );
    }
    let result = call(
        &client,
        "create_connection",
        json!({"name": "y", "dialect_name": "postgres", "password": true}),
    )
    .await;
    assert_eq!(result.is_error, Some(true), "{}", text(&result));
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `update_connection` of an unknown name is Looker's 404.
#[tokio::test]
async fn updating_an_unknown_connection_is_404() {
    let h = Harness::new().await;
    let client = h.client("connection").await;
    let missing = call(
        &client,
        "update_connection",
        json!({"name": "nope", "ssl": true}),
    )
    .await;
    assert!(
        missing.is_error == Some(true) && text(&missing).contains("HTTP 404"),
        "{}",
        text(&missing)
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `delete_connection` removes the connection; a second delete is Looker's 404.
#[tokio::test]
async fn delete_connection_removes_it_once() {
    let h = Harness::new().await;
    let client = h.client("connection").await;
    create_warehouse(&h, &client).await;
    let deleted = json(&call(&client, "delete_connection", json!({"name": "warehouse"})).await);
    assert_eq!(deleted, json!({"deleted": true, "name": "warehouse"}));
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("DELETE", "/connections/warehouse")
    );
    let again = call(&client, "delete_connection", json!({"name": "warehouse"})).await;
    assert!(
        again.is_error == Some(true) && text(&again).contains("HTTP 404"),
        "{}",
        text(&again)
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

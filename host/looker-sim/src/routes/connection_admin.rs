//! Connection writes and checks (the reads live in `connections.rs`): create, update, delete,
//! `PUT /connections/{name}/test`, and the dialects behind them (`GET /dialect_info`).
//!
//! Like Looker, the simulator never returns a secret: a `password` or `certificate` in a write
//! only sets `has_password` / key-pair flags and is then forgotten.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Route, csv_param, list_response, now_timestamp};
use crate::data::obj;
use crate::http::{Req, Resp};
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[
    Route::new("POST", "/connections", create_connection),
    Route::new("PATCH", "/connections/{connection_name}", update_connection),
    Route::new(
        "DELETE",
        "/connections/{connection_name}",
        delete_connection,
    ),
    Route::new(
        "PUT",
        "/connections/{connection_name}/test",
        test_connection,
    ),
    Route::new("GET", "/dialect_info", dialect_info),
];

/// `(name, label, default port, connection tests)`.
type DialectSeed = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const ALL_TESTS: &[&str] = &["connect", "kill", "query", "tmp_table", "cdt", "pdt"];

const DIALECTS: &[DialectSeed] = &[
    ("mysql", "MySQL", "3306", ALL_TESTS),
    ("postgres", "PostgreSQL 9.5+", "5432", ALL_TESTS),
    ("redshift", "Amazon Redshift", "5439", ALL_TESTS),
    ("snowflake", "Snowflake", "443", ALL_TESTS),
    (
        "bigquery_standard_sql",
        "Google BigQuery Standard SQL",
        "",
        &["connect", "query", "tmp_table", "cdt", "pdt"],
    ),
];

/// `DBConnection` keys a client may write (the spec's non-read-only properties).
const WRITABLE: &[&str] = &[
    "host",
    "port",
    "username",
    "database",
    "db_timezone",
    "query_timezone",
    "schema",
    "max_connections",
    "max_queries",
    "max_queries_per_user",
    "max_billing_gigabytes",
    "ssl",
    "verify_ssl",
    "tmp_db_name",
    "tmp_db_host",
    "jdbc_additional_params",
    "pool_timeout",
    "named_driver_version_requested",
    "user_db_credentials",
    "user_attribute_fields",
    "maintenance_cron",
    "sql_runner_precache_tables",
    "sql_writing_with_info_schema",
    "after_connect_statements",
    "pdt_context_override",
    "custom_local_port",
    "tunnel_id",
    "uses_tns",
    "pdt_concurrency",
    "disable_context_comment",
    "oauth_application_id",
    "always_retry_failed_builds",
    "uses_application_default_credentials",
    "impersonated_service_account",
    "cost_estimate_enabled",
    "pdt_api_control_enabled",
    "connection_pooling",
    "bq_storage_project_id",
    "bq_roles_verified",
    "query_holding_disabled",
    "service_name",
    "uses_key_pair_auth",
    "file_type",
];

/// Keys whose values are strings in `DBConnection` although they look numeric.
const STRING_KEYS: &[&str] = &["port", "max_billing_gigabytes"];

const SECRETS: &[&str] = &["password", "certificate", "pdt_password", "pdt_certificate"];

fn dialect(name: &str) -> Option<&'static DialectSeed> {
    DIALECTS.iter().find(|d| d.0 == name)
}

/// The `Dialect` object embedded in a connection.
fn dialect_object(d: &DialectSeed) -> Value {
    json!({
        "name": d.0, "label": d.1, "supports_cost_estimate": d.0.starts_with("bigquery"),
        "cost_estimate_style": null, "persistent_table_indexes": "", "persistent_table_sortkeys": "",
        "persistent_table_distkey": "", "supports_streaming": true,
        "automatically_run_sql_runner_snippets": true, "connection_tests": d.3,
        "supports_inducer": false, "supports_multiple_databases": d.0 != "mysql",
        "supports_persistent_derived_tables": true, "has_ssl_support": true,
    })
}

fn dialect_info(_world: &mut World, req: &Req) -> Resp {
    let list = DIALECTS
        .iter()
        .map(|d| {
            let bigquery = d.0.starts_with("bigquery");
            json!({
                "name": d.0, "label": d.1, "installed": true,
                "default_port": if d.2.is_empty() { Value::Null } else { d.2.into() },
                "default_max_connections": "30", "default_max_queries": "0",
                "default_max_queries_per_user": "0",
                "label_for_database_equivalent": if bigquery { "Project" } else { "Database" },
                "label_for_schema_equivalent": if bigquery { "Dataset" } else { "Schema" },
                "supported_driver_name": format!("{}-jdbc", d.0), "supported_driver_versions": ["default"],
                "supported_options": {
                    "additional_params": true, "after_connect_statements": true,
                    "analytical_view_dataset": false, "auth": true, "cost_estimate": bigquery,
                    "disabled": false, "disable_context_comment": true, "host": true,
                    "instance_name": false, "key_pair_authentication": d.0 == "snowflake",
                    "max_billing_gigabytes": bigquery, "oauth_credentials": bigquery || d.0 == "snowflake",
                    "pdts_for_oauth": false, "port": !bigquery, "project_name": bigquery,
                    "schema": true, "service_account_credentials": bigquery, "ssl": !bigquery,
                    "timezone": true, "tmp_table": true, "tns": false, "username": !bigquery,
                    "username_required": !bigquery, "supports_connection_pooling": true,
                },
                "can": {},
            })
        })
        .collect();
    list_response(list, req)
}

/// 422 problems with the types of a connection body.
fn type_errors(body: &Map<String, Value>) -> Vec<(&'static str, &'static str, String)> {
    let mut errors = Vec::new();
    for key in STRING_KEYS {
        if body
            .get(*key)
            .is_some_and(|v| !v.is_string() && !v.is_null())
        {
            errors.push((*key, "invalid", format!("{key} must be a string")));
        }
    }
    if body
        .get("pdt_context_override")
        .is_some_and(|v| !v.is_object() && !v.is_null())
    {
        errors.push((
            "pdt_context_override",
            "invalid",
            "pdt_context_override must be an object".to_owned(),
        ));
    }
    errors
}

/// Applies a write to a stored connection: writable keys as given, secrets only as flags.
fn apply(conn: &mut Map<String, Value>, body: &Map<String, Value>, user_id: &str) {
    for (k, v) in body {
        if WRITABLE.contains(&k.as_str()) {
            conn.insert(k.clone(), v.clone());
        }
    }
    if let Some(p) = body.get("password") {
        conn.insert("has_password".into(), (!p.is_null() && p != "").into());
    }
    if body.get("certificate").is_some_and(|c| !c.is_null()) {
        conn.insert("uses_service_auth".into(), true.into());
    }
    if let Some(Value::Object(o)) = conn.get_mut("pdt_context_override") {
        let has = SECRETS
            .iter()
            .any(|s| o.get(*s).is_some_and(|v| !v.is_null()));
        for s in SECRETS {
            o.remove(*s);
        }
        o.insert("has_password".into(), has.into());
    }
    if body.get("user_db_credentials") == Some(&Value::Bool(true)) {
        conn.insert("username".into(), Value::Null);
        conn.insert("has_password".into(), false.into());
    }
    let pdts = conn
        .get("tmp_db_name")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    conn.insert("pdts_enabled".into(), pdts.into());
    conn.insert(
        "uses_oauth".into(),
        conn.get("oauth_application_id")
            .is_some_and(|v| !v.is_null())
            .into(),
    );
    conn.insert("password".into(), Value::Null);
    conn.insert("certificate".into(), Value::Null);
    conn.insert("user_id".into(), user_id.into());
}

fn create_connection(world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    let (name, dialect_name) = (text("name"), text("dialect_name"));
    let mut errors = Vec::new();
    if name.is_empty() {
        errors.push(("name", "missing", "name is required".to_owned()));
    }
    if dialect_name.is_empty() {
        errors.push((
            "dialect_name",
            "missing",
            "dialect_name is required".to_owned(),
        ));
    }
    let found = dialect(&dialect_name);
    if !dialect_name.is_empty() && found.is_none() {
        errors.push((
            "dialect_name",
            "invalid",
            format!("{dialect_name} is not a supported dialect"),
        ));
    }
    errors.extend(type_errors(&body));
    let Some(d) = found.filter(|_| errors.is_empty()) else {
        return Resp::validation("Validation Failed", &errors);
    };
    if world.connections.get(&name).is_some() {
        return Resp::error(
            StatusCode::CONFLICT,
            format!("Connection {name} already exists"),
        );
    }
    let mut conn = obj(json!({
        "name": name, "dialect_name": d.0, "dialect": dialect_object(d), "snippets": [],
        "pdts_enabled": false, "named_driver_version_requested": null,
        "named_driver_version_actual": null, "host": null,
        "port": if d.2.is_empty() { Value::Null } else { d.2.into() },
        "username": null, "password": null, "has_password": false, "uses_oauth": false,
        "uses_key_pair_auth": false, "uses_instance_oauth": false, "uses_service_auth": false,
        "certificate": null, "file_type": null, "database": null, "db_timezone": null,
        "query_timezone": null, "schema": null, "max_connections": 30, "max_queries": null,
        "max_queries_per_user": null, "max_billing_gigabytes": null, "ssl": false,
        "verify_ssl": false, "tmp_db_name": null, "tmp_db_host": null,
        "jdbc_additional_params": null, "pool_timeout": 120, "supports_data_studio_link": false,
        "created_at": now_timestamp(), "user_id": null, "example": false,
        "user_db_credentials": false, "user_attribute_fields": [], "maintenance_cron": null,
        "last_regen_at": null, "last_reap_at": null, "sql_runner_precache_tables": true,
        "sql_writing_with_info_schema": true, "after_connect_statements": null,
        "pdt_context_override": null, "managed": false, "custom_local_port": null,
        "tunnel_id": null, "uses_tns": false, "pdt_concurrency": 1,
        "disable_context_comment": false, "oauth_application_id": null,
        "always_retry_failed_builds": false, "uses_application_default_credentials": false,
        "impersonated_service_account": null, "cost_estimate_enabled": false,
        "pdt_api_control_enabled": false, "connection_pooling": true,
        "default_bq_connection": false, "bq_storage_project_id": null, "bq_roles_verified": null,
        "p4sa_name": null, "query_holding_disabled": false, "service_name": null,
        "can": { "index": true, "show": true, "cost_estimate": false, "access": true,
                 "update": true, "destroy": true, "test": true },
    }));
    apply(&mut conn, &body, &req.caller().user_id);
    Resp::json(world.connections.insert(conn))
}

fn update_connection(world: &mut World, req: &Req) -> Resp {
    let name = req.param("connection_name").to_owned();
    let body = req.body_object();
    let errors = type_errors(&body);
    if !errors.is_empty() {
        return Resp::validation("Validation Failed", &errors);
    }
    let user = req.caller().user_id.clone();
    let Some(Value::Object(conn)) = world.connections.get_mut(&name) else {
        return Resp::not_found();
    };
    apply(conn, &body, &user);
    Resp::json(Value::Object(conn.clone()))
}

fn delete_connection(world: &mut World, req: &Req) -> Resp {
    match world.connections.remove(req.param("connection_name")) {
        Some(_) => Resp::no_content(),
        None => Resp::not_found(),
    }
}

fn test_connection(world: &mut World, req: &Req) -> Resp {
    let Some(conn) = world.connections.get(req.param("connection_name")).cloned() else {
        return Resp::not_found();
    };
    // The tests the connection's dialect supports; Looker ignores the others it is asked for.
    let mut supported: Vec<String> = conn["dialect"]["connection_tests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str().map(str::to_owned))
        .collect();
    if supported.is_empty() {
        supported = ALL_TESTS.iter().map(|t| (*t).to_owned()).collect();
    }
    let tests: Vec<String> = match csv_param(req, "tests").filter(|t| !t.is_empty()) {
        Some(wanted) => supported
            .iter()
            .filter(|t| wanted.contains(t))
            .cloned()
            .collect(),
        None => supported,
    };
    let host = conn["host"].as_str().unwrap_or_default();
    let reachable = !host.is_empty() && !host.contains("unreachable");
    let scratch = conn["tmp_db_name"].as_str().is_some_and(|s| !s.is_empty());
    let results: Vec<Value> = tests
        .iter()
        .map(|test| {
            let (ok, message) = match test.as_str() {
                _ if !reachable => (false, format!("Cannot connect to {host:?}: connection refused")),
                "connect" => (true, format!("Can connect to {host}")),
                "kill" => (true, "Can cancel queries".to_owned()),
                "query" => (true, "Can run simple select query".to_owned()),
                "tmp_table" | "cdt" | "pdt" if !scratch => (
                    false,
                    "No scratch schema: set tmp_db_name to build temporary and derived tables".to_owned(),
                ),
                "tmp_table" => (true, "Can create temporary tables".to_owned()),
                "cdt" => (true, "Can create derived tables".to_owned()),
                _ => (true, "Can create persistent derived tables".to_owned()),
            };
            json!({
                "name": test, "status": if ok { "success" } else { "error" }, "message": message,
                "connection_string": if test == "connect" { Value::from(format!("jdbc:{}://{host}", conn["dialect_name"].as_str().unwrap_or_default())) } else { Value::Null },
                "can": {},
            })
        })
        .collect();
    Resp::json(Value::Array(results))
}

//! The writable `DBConnection` fields that `create_connection` and `update_connection` offer,
//! with the JSON type each takes, and the argument schemas built from them.

use looker_mcp_plugin_sdk::shape::SECRET_KEYS;
use serde_json::{Map, Value, json};

/// The JSON type of a connection argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string.
    Text,
    /// An integer (sent as is).
    Integer,
    /// An integer that Looker's `DBConnection` holds as a string (`port`).
    IntegerAsText,
    /// A boolean.
    Flag,
    /// A list of strings.
    TextList,
    /// A JSON object (`pdt_context_override`).
    Object,
}

/// `(argument = DBConnection field, type, description)`, in the reference server's order.
pub const FIELDS: &[(&str, Kind, &str)] = &[
    (
        "host",
        Kind::Text,
        "Database host name or address (for BigQuery: the billing project id).",
    ),
    ("port", Kind::IntegerAsText, "Database port, e.g. 5432."),
    (
        "database",
        Kind::Text,
        "Default database (for BigQuery: the dataset's project).",
    ),
    (
        "schema",
        Kind::Text,
        "Default schema (for BigQuery: the default dataset).",
    ),
    (
        "service_name",
        Kind::Text,
        "Oracle TNS service name (with `uses_tns`).",
    ),
    (
        "uses_tns",
        Kind::Flag,
        "Connect to Oracle through Transparent Network Substrate.",
    ),
    (
        "named_driver_version_requested",
        Kind::Text,
        "JDBC driver version to use instead of the dialect's default.",
    ),
    ("username", Kind::Text, "Database user name."),
    (
        "password",
        Kind::Text,
        "Database password. Sent to Looker only; never logged or shown back.",
    ),
    (
        "uses_key_pair_auth",
        Kind::Flag,
        "Authenticate with a key pair (e.g. Snowflake) instead of a password.",
    ),
    (
        "certificate",
        Kind::Text,
        "Base64-encoded key file or certificate (with `file_type`). Sent to Looker only; never logged or shown back.",
    ),
    (
        "file_type",
        Kind::Text,
        "Type of `certificate`: `.json`, `.p8` or `.p12`.",
    ),
    (
        "oauth_application_id",
        Kind::Text,
        "External OAuth application used to authenticate to the database.",
    ),
    (
        "uses_application_default_credentials",
        Kind::Flag,
        "Authenticate with Google Application Default Credentials.",
    ),
    (
        "impersonated_service_account",
        Kind::Text,
        "Service account to impersonate for queries (with Application Default Credentials).",
    ),
    (
        "user_db_credentials",
        Kind::Flag,
        "Per-user database credentials (enabling it removes the stored user name and password).",
    ),
    (
        "user_attribute_fields",
        Kind::TextList,
        "Connection fields whose values come from user attributes, e.g. [\"username\", \"schema\"].",
    ),
    ("ssl", Kind::Flag, "Use SSL/TLS."),
    (
        "verify_ssl",
        Kind::Flag,
        "Verify the database's TLS certificate.",
    ),
    (
        "max_connections",
        Kind::Integer,
        "Most concurrent database connections.",
    ),
    (
        "max_queries",
        Kind::Integer,
        "Most concurrent queries on this connection.",
    ),
    (
        "max_queries_per_user",
        Kind::Integer,
        "Most concurrent queries per user.",
    ),
    (
        "pool_timeout",
        Kind::Integer,
        "Seconds to wait for a pooled connection.",
    ),
    (
        "connection_pooling",
        Kind::Flag,
        "Pool database connections.",
    ),
    (
        "max_billing_gigabytes",
        Kind::Text,
        "Largest query in GB (BigQuery), or the name of a user attribute holding it.",
    ),
    (
        "cost_estimate_enabled",
        Kind::Flag,
        "Show query cost estimates in explores.",
    ),
    (
        "query_holding_disabled",
        Kind::Flag,
        "Disable query holding.",
    ),
    (
        "disable_context_comment",
        Kind::Flag,
        "Do not add Looker's context comment to generated SQL.",
    ),
    (
        "query_timezone",
        Kind::Text,
        "Time zone queries convert to, e.g. `America/New_York`.",
    ),
    (
        "db_timezone",
        Kind::Text,
        "Time zone the database stores times in.",
    ),
    (
        "after_connect_statements",
        Kind::Text,
        "SQL statements (semicolon-separated) run after connecting.",
    ),
    (
        "jdbc_additional_params",
        Kind::Text,
        "Extra JDBC parameters, e.g. `sslmode=require`.",
    ),
    (
        "sql_runner_precache_tables",
        Kind::Flag,
        "Precache table lists in SQL Runner.",
    ),
    (
        "sql_writing_with_info_schema",
        Kind::Flag,
        "Read the information schema to help write SQL.",
    ),
    (
        "tmp_db_name",
        Kind::Text,
        "Scratch schema for persistent derived tables (PDTs).",
    ),
    (
        "tmp_db_host",
        Kind::Text,
        "Separate host for the PDT scratch schema.",
    ),
    (
        "maintenance_cron",
        Kind::Text,
        "Cron schedule of PDT trigger checks and drops, e.g. `*/5 * * * *`.",
    ),
    (
        "pdt_concurrency",
        Kind::Integer,
        "Most PDTs built in parallel.",
    ),
    (
        "pdt_api_control_enabled",
        Kind::Flag,
        "Allow starting and stopping PDT builds through the API.",
    ),
    (
        "always_retry_failed_builds",
        Kind::Flag,
        "Retry failed PDT builds every regenerator cycle.",
    ),
    (
        "pdt_context_override",
        Kind::Object,
        "Settings for PDT builds only (a DBConnectionOverride: `context` \"pdt\" plus e.g. `host`, `username`, `password`, `schema`).",
    ),
    (
        "tunnel_id",
        Kind::Text,
        "Id of the SSH tunnel to connect through.",
    ),
    (
        "custom_local_port",
        Kind::Integer,
        "Local port of the SSH tunnel.",
    ),
    (
        "bq_storage_project_id",
        Kind::Text,
        "BigQuery project used for storage (BigQuery only).",
    ),
    (
        "bq_roles_verified",
        Kind::Flag,
        "Mark the BigQuery project roles as verified.",
    ),
];

/// Fields `clear_fields` may reset: all but the flags, which are set to `true`/`false` instead.
pub fn clearable() -> impl Iterator<Item = &'static str> {
    FIELDS
        .iter()
        .filter(|(_, kind, _)| *kind != Kind::Flag)
        .map(|(name, _, _)| *name)
}

/// The JSON schema of one field argument (nullable, default `null`).
fn field_schema(kind: Kind, description: &str) -> Value {
    let inner = match kind {
        Kind::Text => json!({"type": "string"}),
        Kind::Integer => json!({"type": "integer"}),
        Kind::IntegerAsText => json!({"type": "integer", "minimum": 1, "maximum": 65535}),
        Kind::Flag => json!({"type": "boolean"}),
        Kind::TextList => json!({"type": "array", "items": {"type": "string"}}),
        Kind::Object => json!({"type": "object", "additionalProperties": true}),
    };
    json!({"anyOf": [inner, {"type": "null"}], "default": null, "description": description})
}

/// The schema of field `name`: secrets are marked `writeOnly` (JSON Schema's "never shown back").
fn named_field_schema(name: &str, kind: Kind, description: &str) -> Value {
    let mut schema = field_schema(kind, description);
    if SECRET_KEYS.contains(&name) {
        schema["writeOnly"] = true.into();
    }
    schema
}

fn schema(head: Vec<(&str, Value)>, tail: Vec<(&str, Value)>, required: &[&str]) -> Value {
    let mut props = Map::new();
    for (name, s) in head {
        props.insert(name.to_owned(), s);
    }
    for (name, kind, description) in FIELDS {
        props.insert(
            (*name).to_owned(),
            named_field_schema(name, *kind, description),
        );
    }
    for (name, s) in tail {
        props.insert(name.to_owned(), s);
    }
    json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
}

/// `create_connection`'s arguments: `name`, `dialect_name` and every field.
pub fn create_schema() -> Value {
    schema(
        vec![
            (
                "name",
                json!({"type": "string", "minLength": 1, "description": "Unique name of the connection (what LookML's `connection:` names)."}),
            ),
            (
                "dialect_name",
                json!({"type": "string", "minLength": 1, "description": "SQL dialect, e.g. `postgres`, `snowflake`, `bigquery_standard_sql` (see `list_connection_dialects`)."}),
            ),
        ],
        Vec::new(),
        &["name", "dialect_name"],
    )
}

/// `update_connection`'s arguments: `name`, every field, and `clear_fields`.
pub fn update_schema() -> Value {
    let clearable: Vec<&str> = clearable().collect();
    schema(
        vec![(
            "name",
            json!({"type": "string", "minLength": 1, "description": "Name of the connection to change."}),
        )],
        vec![(
            "clear_fields",
            json!({
                "anyOf": [{"type": "array", "items": {"type": "string", "enum": clearable}}, {"type": "null"}],
                "default": null,
                "description": "Fields to reset to empty (e.g. [\"tunnel_id\", \"after_connect_statements\"]); a field cannot be both set and cleared."
            }),
        )],
        &["name"],
    )
}

/// The request body holding every field argument that was given (not `null`), converted to
/// the type `DBConnection` declares.
pub fn body(args: &Map<String, Value>) -> Map<String, Value> {
    let mut body = Map::new();
    for (name, kind, _) in FIELDS {
        if let Some(value) = args.get(*name).filter(|v| !v.is_null()) {
            let value = match (kind, value) {
                (Kind::IntegerAsText, Value::Number(n)) => Value::String(n.to_string()),
                (_, v) => v.clone(),
            };
            body.insert((*name).to_owned(), value);
        }
    }
    body
}

/// The value a cleared field is sent as: `[]` for lists, `null` for the rest.
pub fn cleared(name: &str) -> Value {
    match FIELDS.iter().find(|(n, _, _)| *n == name) {
        Some((_, Kind::TextList, _)) => json!([]),
        _ => Value::Null,
    }
}

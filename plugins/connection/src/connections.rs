//! The connection tools. Connection secrets (`password`, `certificate`) go into the request body
//! sent to Looker and nowhere else: they are never logged, never put in an error message and
//! never shown back (Looker does not return them either).

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Prop, Ty};
use looker_mcp_plugin_sdk::shape::{clean, items, pick, redact};
use looker_mcp_plugin_sdk::{Context, NoArgs, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::fields;

/// The connection tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "get_connection",
            "Get a database connection",
            "Returns a database connection's whole configuration: dialect, host, port, \
            database, schema, user name, authentication mode (`has_password`, key pair, \
            OAuth), pool and SSL settings, PDT settings (scratch schema, `pdts_enabled`, \
            `pdt_api_control_enabled`, maintenance schedule), SSH tunnel, user-attribute \
            fields, and read-only facts such as `created_at` and `last_regen_at`. \
            Passwords and certificates are never returned. `list_connections` gives a \
            short list of all.",
        )
        .schema(schema::object().required(
            "name",
            Ty::Str.min_len(1),
            "Connection name, e.g. `thelook` (from `list_connections`).",
        ))
        .handler(get_connection),
        Tool::reader(
            "list_connection_dialects",
            "List SQL dialects",
            "Lists the SQL dialects this Looker can connect to: the `name` to pass as \
            `dialect_name` to `create_connection`, its label, whether its driver is \
            installed, default port and pool size, what it calls databases and schemas, \
            and which connection options it supports.",
        )
        .schema(schema::object())
        .handler(list_connection_dialects),
        Tool::creator(
            "create_connection",
            "Create a database connection",
            "Creates a database connection named `name` for dialect `dialect_name` (see \
            `list_connection_dialects`), with any of the other settings; omitted ones \
            take Looker's defaults. Returns a summary of the new connection (never the \
            password or certificate). Then run `test_connection`. Example: `{\"name\": \
            \"warehouse\", \"dialect_name\": \"postgres\", \"host\": \"db.example.com\", \
            \"port\": 5432, \"database\": \"analytics\", \"username\": \"looker\", \
            \"password\": \"...\", \"tmp_db_name\": \"looker_scratch\"}`.",
        )
        .schema(fields::create_schema())
        .handler(create_connection),
        Tool::overwriter(
            "update_connection",
            "Change a database connection",
            "Changes the given settings of an existing connection; settings not given stay \
            as they are, and `clear_fields` resets the listed ones to empty. The name and \
            dialect cannot change. Returns which fields changed and a summary of the \
            connection (never the password or certificate). Run `test_connection` after \
            changing credentials, host or authentication. Example: `{\"name\": \
            \"warehouse\", \"pdt_api_control_enabled\": true}`.",
        )
        .schema(fields::update_schema())
        .handler(update_connection),
        Tool::deleter(
            "delete_connection",
            "Delete a database connection",
            "Deletes a database connection. LookML models that use it stop working until \
            they point at another connection. This cannot be undone.",
        )
        .schema(schema::object().required(
            "name",
            Ty::Str.min_len(1),
            "Connection name, e.g. `thelook` (from `list_connections`).",
        ))
        .handler(delete_connection),
        Tool::reader(
            "test_connection",
            "Test a database connection",
            "Runs Looker's checks against a connection — `connect`, `kill`, `query`, \
            `tmp_table`, `cdt`, `pdt` — and returns each check's status and message, \
            `healthy` (every check succeeded), the names of the checks that `failed`, and \
            `not_supported`: requested checks the connection's dialect does not offer \
            (Looker skips them). Omit `tests` to run all it supports. A failing check \
            points at the setting to fix: e.g. `connect` fails on host, port or \
            credentials; `pdt` or `tmp_table` fail when the scratch schema \
            (`tmp_db_name`) is missing or not writable. Changes nothing.",
        )
        .schema(
            schema::object()
                .required("name", Ty::Str.min_len(1), "Connection name.")
                .optional(
                    "tests",
                    Prop::json(
                        json!({"type": "array", "items": {"type": "string", "minLength": 1}}),
                    ),
                    "Checks to run, e.g. [\"connect\", \"query\"]; others are `tmp_table`, \
                    `cdt`, `pdt`, `kill`. Omit to run every check the dialect supports.",
                ),
        )
        .handler(test_connection),
    ]
}

/// What the write tools show of the connection they wrote.
const SUMMARY: [&str; 16] = [
    "name",
    "dialect_name",
    "host",
    "port",
    "database",
    "schema",
    "username",
    "has_password",
    "uses_key_pair_auth",
    "ssl",
    "max_connections",
    "tmp_db_name",
    "pdts_enabled",
    "pdt_api_control_enabled",
    "user_attribute_fields",
    "created_at",
];

/// What `list_connection_dialects` shows of a dialect.
const DIALECT: [&str; 8] = [
    "name",
    "label",
    "installed",
    "default_port",
    "default_max_connections",
    "label_for_database_equivalent",
    "label_for_schema_equivalent",
    "supported_options",
];

/// Arguments of the tools that take only a connection name.
#[derive(Debug, Deserialize)]
pub struct Name {
    name: String,
}

/// Arguments of `test_connection`.
#[derive(Debug, Deserialize)]
pub struct Test {
    name: String,
    #[serde(default)]
    tests: Option<Vec<String>>,
}

/// `GET /connections/{name}` → the whole configuration, without secrets.
pub fn get_connection(args: Name, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get(path!("/connections/{}", args.name))
        .send()?
        .json()?;
    Ok(redact(found))
}

/// `GET /dialect_info` → `{"dialects": [...]}`.
pub fn list_connection_dialects(_: NoArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get("/dialect_info")
        .fields(&DIALECT)
        .send()?
        .json()?;
    let dialects: Vec<Value> = items(&found).map(|d| pick(d, &DIALECT)).collect();
    Ok(json!({ "dialects": dialects }))
}

/// The argument `key` as a string (the host validated the schema).
fn text_arg<'a>(args: &'a Map<String, Value>, key: &str) -> Result<&'a str, ToolError> {
    args.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| ToolError::invalid_arguments(format!("missing field `{key}`")))
}

/// `POST /connections` → the new connection (summary, without secrets).
pub fn create_connection(args: Map<String, Value>, _ctx: &Context) -> Result<Value, ToolError> {
    let name = text_arg(&args, "name")?;
    let dialect = text_arg(&args, "dialect_name")?;
    let mut body = Map::new();
    body.insert("name".into(), name.into());
    body.insert("dialect_name".into(), dialect.into());
    body.extend(fields::body(&args));
    let created: Value = Request::post("/connections").body(&body).send()?.json()?;
    Ok(json!({
        "created": true,
        "connection": redact(pick(&created, &SUMMARY)),
        "next_step": "Run test_connection to check that Looker can reach and use the database.",
    }))
}

/// `PATCH /connections/{name}` → what changed and the connection (summary, without secrets).
pub fn update_connection(args: Map<String, Value>, _ctx: &Context) -> Result<Value, ToolError> {
    let name = text_arg(&args, "name")?;
    let mut body = fields::body(&args);
    let changed: Vec<String> = body.keys().cloned().collect();
    let clear: Vec<String> = match args.get("clear_fields") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    for field in &clear {
        if !fields::clearable().any(|f| f == field) {
            return Err(ToolError::invalid_arguments(format!(
                "`clear_fields`: `{field}` cannot be cleared"
            )));
        }
        if body.contains_key(field) {
            return Err(ToolError::invalid_arguments(format!(
                "`{field}` is both set and listed in `clear_fields`"
            )));
        }
        body.insert(field.clone(), fields::cleared(field));
    }
    if body.is_empty() {
        return Err(ToolError::invalid_arguments(
            "nothing to change: give at least one connection field or `clear_fields`",
        ));
    }
    let updated: Value = Request::patch(path!("/connections/{}", name))
        .body(&body)
        .send()?
        .json()?;
    let mut out = json!({
        "updated": true,
        "fields_changed": changed,
        "connection": redact(pick(&updated, &SUMMARY)),
    });
    if !clear.is_empty() {
        out["fields_cleared"] = clear.into();
    }
    Ok(out)
}

/// `DELETE /connections/{name}`.
pub fn delete_connection(args: Name, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/connections/{}", args.name)).send()?;
    Ok(json!({"deleted": true, "name": args.name}))
}

/// `PUT /connections/{name}/test?tests=a,b` → `{"connection", "healthy", "checks": [...]}`.
pub fn test_connection(args: Test, _ctx: &Context) -> Result<Value, ToolError> {
    let tests = args.tests.unwrap_or_default();
    if let Some(bad) = tests
        .iter()
        .find(|t| t.trim().is_empty() || t.contains(','))
    {
        return Err(ToolError::invalid_arguments(format!(
            "`tests`: {bad:?} is not a test name (e.g. \"connect\", \"query\", \"pdt\")"
        )));
    }
    let found: Value = Request::put(path!("/connections/{}/test", args.name))
        .query_opt("tests", (!tests.is_empty()).then(|| tests.join(",")))
        .send()?
        .json()?;
    let checks: Vec<Value> = items(&found)
        .map(|r| {
            clean(&json!({"check": r["name"], "status": r["status"], "message": r["message"]}))
        })
        .collect();
    let failed: Vec<&Value> = checks
        .iter()
        .filter(|c| c["status"] != "success")
        .filter_map(|c| c.get("check"))
        .collect();
    let healthy = !checks.is_empty() && failed.is_empty();
    let mut out =
        json!({"connection": args.name, "healthy": healthy, "failed": failed, "checks": checks});
    // Looker silently ignores the tests the connection's dialect does not support.
    let skipped: Vec<&String> = tests
        .iter()
        .filter(|t| !checks.iter().any(|c| c["check"] == t.as_str()))
        .collect();
    if !skipped.is_empty() {
        out["not_supported"] = json!(skipped);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::{Method, Response};
    use looker_mcp_plugin_sdk::testing::mock_looker;

    fn args(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn create_sends_fields_with_spec_types_and_hides_secrets() {
        let seen = mock_looker(|_| {
            Ok(Response::json_ok(&json!({
                "name": "pg", "dialect_name": "postgres", "port": "5432", "password": null,
                "has_password": true, "can": {"show": true}
            })))
        });
        let out = create_connection(
            args(
                json!({"name": "pg", "dialect_name": "postgres", "port": 5432, "password": "s3cret",
                        "host": null, "user_attribute_fields": ["schema"]}),
            ),
            &Context::default(),
        )
        .unwrap();
        assert!(!out.to_string().contains("s3cret"));
        assert_eq!(out["connection"]["has_password"], true);
        let req = &seen.requests()[0];
        assert_eq!(req.method(), Method::Post);
        let body: Value = serde_json::from_str(req.body_json_text().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"name": "pg", "dialect_name": "postgres", "port": "5432", "password": "s3cret",
                   "user_attribute_fields": ["schema"]})
        );
    }

    #[test]
    fn update_clears_and_refuses_contradictions() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({"name": "pg"}))));
        let err = update_connection(args(json!({"name": "pg"})), &Context::default()).unwrap_err();
        assert!(matches!(err, ToolError::InvalidArguments(_)));
        let err = update_connection(
            args(json!({"name": "pg", "tunnel_id": "t", "clear_fields": ["tunnel_id"]})),
            &Context::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("both set"), "{err}");
        assert!(seen.requests().is_empty());

        let out = update_connection(
            args(json!({"name": "a b", "ssl": false, "clear_fields": ["tunnel_id", "user_attribute_fields"]})),
            &Context::default(),
        )
        .unwrap();
        assert_eq!(out["fields_changed"], json!(["ssl"]));
        let req = &seen.requests()[0];
        assert_eq!(req.path().as_str(), "/connections/a%20b");
        let body: Value = serde_json::from_str(req.body_json_text().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"ssl": false, "tunnel_id": null, "user_attribute_fields": []})
        );
    }

    #[test]
    fn test_joins_the_tests_and_judges_health() {
        let seen = mock_looker(|_| {
            Ok(Response::json_ok(&json!([
                {"name": "connect", "status": "success", "message": "Can connect", "connection_string": null},
                {"name": "pdt", "status": "error", "message": "No scratch schema"}
            ])))
        });
        let out = test_connection(
            Test {
                name: "pg".into(),
                tests: Some(vec!["connect".into(), "pdt".into()]),
            },
            &Context::default(),
        )
        .unwrap();
        assert_eq!(out["healthy"], false);
        assert_eq!(out["failed"], json!(["pdt"]));
        assert!(out.get("not_supported").is_none());
        let req = &seen.requests()[0];
        assert_eq!(req.method(), Method::Put);
        assert_eq!(req.query_value("tests"), Some("connect,pdt"));

        let bad = Test {
            name: "pg".into(),
            tests: Some(vec!["a,b".into()]),
        };
        assert!(test_connection(bad, &Context::default()).is_err());
        assert_eq!(seen.requests().len(), 1);
    }
}

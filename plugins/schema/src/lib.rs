//! The `schema` tool group: the raw database behind a Looker connection — its databases,
//! schemas, tables and columns — as Looker's connection metadata endpoints report them.
//!
//! All four tools only read. They answer "what is in the warehouse", not "what does the data
//! say": for numbers, the query tools go through the LookML model instead.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{Context, Group, Tool, ToolError, export_group, path};
use serde::Deserialize;
use serde_json::{Value, json};

export_group!(group);

/// The `schema` group's tool table.
pub fn group() -> Group {
    Group::new("schema", env!("CARGO_PKG_VERSION"))
        .tool(
            Tool::new(
                "list_databases",
                "List a connection's databases",
                LIST_DATABASES,
            )
            .schema(LIST_DATABASES_SCHEMA)
            .read_only()
            .idempotent()
            .handler(list_databases),
        )
        .tool(
            Tool::new("list_schemas", "List a connection's schemas", LIST_SCHEMAS)
                .schema(LIST_SCHEMAS_SCHEMA)
                .read_only()
                .idempotent()
                .handler(list_schemas),
        )
        .tool(
            Tool::new("list_tables", "List a connection's tables", LIST_TABLES)
                .schema(LIST_TABLES_SCHEMA)
                .read_only()
                .idempotent()
                .handler(list_tables),
        )
        .tool(
            Tool::new(
                "list_columns",
                "List a connection's table columns",
                LIST_COLUMNS,
            )
            .schema(LIST_COLUMNS_SCHEMA)
            .read_only()
            .idempotent()
            .handler(list_columns),
        )
}

const LIST_DATABASES: &str = "\
Lists the databases a Looker database connection can reach (names only). Use it first when \
exploring the raw warehouse behind a connection (`list_connections` gives connection names). \
An empty list means the dialect has a single database: go on to `list_schemas` without \
`database`. To answer a business question, query the LookML model instead of raw tables.";

const LIST_SCHEMAS: &str = "\
Lists the schemas of a database reachable through a Looker connection: each schema's name and \
whether it is the connection's default. Use it after `list_databases` to find where raw tables \
live, then `list_tables`. Example: {\"connection_name\": \"thelook\", \"database\": \"thelook\"}.";

const LIST_TABLES: &str = "\
Lists the tables of a Looker connection, grouped by schema: each schema's name, whether it is \
the default, its table names (with row counts when the database reports them) and whether \
Looker's table limit cut the list short. Use it to see which raw tables a LookML view could be \
built on; `list_columns` gives their columns. Narrow it with `schema_name`, e.g. \
{\"connection_name\": \"thelook\", \"schema_name\": \"public\"}.";

const LIST_COLUMNS: &str = "\
Lists the columns of raw tables behind a Looker connection: for each table its schema and \
columns (name, database type, Looker type). Use it to check the warehouse column behind a \
LookML field. Name a table to keep the answer short, e.g. {\"connection_name\": \"thelook\", \
\"schema_name\": \"public\", \"table_name\": \"orders\"}; without `table_name` it covers every \
table of the schema.";

const LIST_DATABASES_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "connection_name": {"type": "string", "description": "Looker connection name, e.g. `thelook` (from `list_connections`)."}
  },
  "required": ["connection_name"],
  "additionalProperties": false
}"#;

const LIST_SCHEMAS_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "connection_name": {"type": "string", "description": "Looker connection name, e.g. `thelook` (from `list_connections`)."},
    "database": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Database to list, for dialects with several (from `list_databases`). Default: the connection's database."}
  },
  "required": ["connection_name"],
  "additionalProperties": false
}"#;

const LIST_TABLES_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "connection_name": {"type": "string", "description": "Looker connection name, e.g. `thelook` (from `list_connections`)."},
    "database": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Database, for dialects with several. Default: the connection's database."},
    "schema_name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Only the tables of this schema, e.g. `public`. Default: every schema."}
  },
  "required": ["connection_name"],
  "additionalProperties": false
}"#;

const LIST_COLUMNS_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "connection_name": {"type": "string", "description": "Looker connection name, e.g. `thelook` (from `list_connections`)."},
    "database": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Database, for dialects with several. Default: the connection's database."},
    "schema_name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Schema of the tables, e.g. `public`. Default: Looker's choice (the connection's default schema)."},
    "table_name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Only this table's columns, e.g. `orders`. Default: every table of the schema."}
  },
  "required": ["connection_name"],
  "additionalProperties": false
}"#;

/// Arguments shared by the four tools (each declares only the ones it takes).
#[derive(Deserialize)]
struct Args {
    connection_name: String,
    #[serde(default)]
    database: Option<String>,
    #[serde(default)]
    schema_name: Option<String>,
    #[serde(default)]
    table_name: Option<String>,
}

/// A non-empty optional argument (an empty string means "not given").
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// `GET /connections/{name}/databases` → `{"connection", "databases": [names]}`.
fn list_databases(args: Args, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get(path!("/connections/{}/databases", args.connection_name))
        .send()?
        .json()?;
    Ok(json!({"connection": args.connection_name, "databases": strings(&found)}))
}

/// `GET /connections/{name}/schemas` → `{"connection", "database", "schemas": [{name, is_default}]}`.
fn list_schemas(args: Args, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get(path!("/connections/{}/schemas", args.connection_name))
        .query_opt("database", given(&args.database))
        .fields(&["name", "is_default"])
        .send()?
        .json()?;
    let schemas: Vec<Value> = items(&found)
        .map(|s| json!({"name": s["name"], "is_default": s["is_default"]}))
        .collect();
    Ok(json!({
        "connection": args.connection_name,
        "database": given(&args.database),
        "schemas": schemas,
    }))
}

/// `GET /connections/{name}/tables` → `{"connection", "schemas": [{name, is_default, tables, table_limit_hit}]}`.
fn list_tables(args: Args, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get(path!("/connections/{}/tables", args.connection_name))
        .query_opt("database", given(&args.database))
        .query_opt("schema_name", given(&args.schema_name))
        .fields(&["name", "is_default", "table_limit_hit", "tables(name,rows)"])
        .send()?
        .json()?;
    let schemas: Vec<Value> = items(&found)
        .map(|s| {
            let tables: Vec<Value> = items(&s["tables"])
                .map(|t| match t["rows"].as_i64() {
                    Some(rows) => json!({"name": t["name"], "rows": rows}),
                    None => json!({"name": t["name"]}),
                })
                .collect();
            json!({
                "name": s["name"],
                "is_default": s["is_default"],
                "tables": tables,
                "table_limit_hit": s["table_limit_hit"].as_bool().unwrap_or(false),
            })
        })
        .collect();
    Ok(json!({"connection": args.connection_name, "schemas": schemas}))
}

/// `GET /connections/{name}/columns` → `{"connection", "tables": [{name, schema, columns: [{name, type, looker_type}]}]}`.
fn list_columns(args: Args, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get(path!("/connections/{}/columns", args.connection_name))
        .query_opt("database", given(&args.database))
        .query_opt("schema_name", given(&args.schema_name))
        // Looker filters on `table_names`, a comma-separated list; one table is a list of one.
        .query_opt("table_names", given(&args.table_name))
        .fields(&[
            "name",
            "schema_name",
            "columns(name,data_type_database,data_type_looker)",
        ])
        .send()?
        .json()?;
    let tables: Vec<Value> = items(&found)
        .map(|t| {
            let columns: Vec<Value> = items(&t["columns"])
                .map(|c| {
                    json!({
                        "name": c["name"],
                        "type": c["data_type_database"],
                        "looker_type": c["data_type_looker"],
                    })
                })
                .collect();
            json!({"name": t["name"], "schema": t["schema_name"], "columns": columns})
        })
        .collect();
    Ok(json!({"connection": args.connection_name, "tables": tables}))
}

/// The elements of a JSON array (nothing for anything else).
fn items(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().into_iter().flatten()
}

/// The strings of a JSON array.
fn strings(value: &Value) -> Vec<String> {
    items(value)
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;

    #[test]
    fn declaration_is_valid_and_read_only() {
        group().validate().unwrap();
        for tool in group().tools() {
            let a = tool.annotations();
            assert!(
                a.read_only && !a.destructive && a.idempotent,
                "{}",
                tool.name()
            );
        }
    }

    #[test]
    fn columns_send_every_filter_and_compact_the_answer() {
        let seen = mock_looker(|_| {
            Ok(Response::json_ok(&json!([{
                "name": "orders", "schema_name": "public",
                "columns": [{"name": "id", "data_type_database": "int", "data_type_looker": "number"}]
            }])))
        });
        let out = group()
            .call(
                "list_columns",
                r#"{"connection_name":"a b","database":"db","schema_name":"public","table_name":"orders"}"#,
                &Context::default(),
            )
            .unwrap();
        let structured = Value::Object(out.structured.unwrap());
        assert_eq!(
            structured["tables"][0]["columns"][0],
            json!({"name": "id", "type": "int", "looker_type": "number"})
        );
        let req = &seen.requests()[0];
        assert_eq!(req.path().as_str(), "/connections/a%20b/columns");
        assert_eq!(req.query_value("database"), Some("db"));
        assert_eq!(req.query_value("schema_name"), Some("public"));
        assert_eq!(req.query_value("table_names"), Some("orders"));
    }

    #[test]
    fn empty_optional_arguments_are_not_sent() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!([]))));
        group()
            .call(
                "list_tables",
                r#"{"connection_name":"c","database":"","schema_name":null}"#,
                &Context::default(),
            )
            .unwrap();
        let req = &seen.requests()[0];
        assert_eq!(req.query_value("database"), None);
        assert_eq!(req.query_value("schema_name"), None);
    }
}

//! The warehouse behind a connection, as Looker's connection metadata endpoints report it:
//! databases, schemas, tables and columns.

use looker_mcp_plugin_sdk::args::given;
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, ObjectSchema, Ty};
use looker_mcp_plugin_sdk::shape::items;
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

/// The four warehouse tools, declared beside their handlers. All only read.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    const OTHER_DATABASE: &str =
        "Database, for dialects with several. Default: the connection's database.";
    [
        Tool::reader(
            "list_databases",
            "List a connection's databases",
            LIST_DATABASES,
        )
        .schema(connection())
        .handler(list_databases),
        Tool::reader("list_schemas", "List a connection's schemas", LIST_SCHEMAS)
            .schema(connection().optional(
                "database",
                Ty::Str,
                "Database to list, for dialects with several (from `list_databases`). Default: \
                 the connection's database.",
            ))
            .handler(list_schemas),
        Tool::reader("list_tables", "List a connection's tables", LIST_TABLES)
            .schema(
                connection()
                    .optional("database", Ty::Str, OTHER_DATABASE)
                    .optional(
                        "schema_name",
                        Ty::Str,
                        "Only the tables of this schema, e.g. `public`. Default: every schema.",
                    ),
            )
            .handler(list_tables),
        Tool::reader(
            "list_columns",
            "List a connection's table columns",
            LIST_COLUMNS,
        )
        .schema(
            connection()
                .optional("database", Ty::Str, OTHER_DATABASE)
                .optional(
                    "schema_name",
                    Ty::Str,
                    "Schema of the tables, e.g. `public`. Default: Looker's choice (the \
                     connection's default schema).",
                )
                .optional(
                    "table_name",
                    Ty::Str,
                    "Only this table's columns, e.g. `orders`. Default: every table of the \
                     schema.",
                ),
        )
        .handler(list_columns),
    ]
}

/// The argument every tool takes: the connection.
fn connection() -> ObjectSchema {
    schema::object().required(
        "connection_name",
        Ty::Str,
        "Looker connection name, e.g. `thelook` (from `list_connections`).",
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
    use crate::group;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;

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

//! `list_connections`: the database connections models can use.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema;
use looker_mcp_plugin_sdk::shape::{items, pick_as};
use looker_mcp_plugin_sdk::{Context, NoArgs, Tool, ToolError};
use serde_json::{Value, json};

/// `list_connections`, declared beside its handler.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [Tool::reader(
        "list_connections",
        "List database connections",
        LIST_CONNECTIONS,
    )
    .schema(schema::object())
    .handler(list_connections)]
}

const LIST_CONNECTIONS: &str = "\
Lists the Looker database connections: name, SQL dialect, host, database, default schema and \
whether persistent derived tables are enabled. Use it to find the connection behind a model \
or to pick one for the schema tools.";

/// What `list_connections` shows of each connection (Looker key, our key).
const SHOWN: [(&str, &str); 6] = [
    ("name", "name"),
    ("dialect_name", "dialect"),
    ("host", "host"),
    ("database", "database"),
    ("schema", "schema"),
    ("pdts_enabled", "pdts_enabled"),
];

/// `GET /connections` → `{"connections": [{name, dialect, host, database, schema, pdts_enabled}]}`.
pub fn list_connections(_: NoArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let keys: Vec<&str> = SHOWN.iter().map(|(k, _)| *k).collect();
    let found: Value = Request::get("/connections").fields(&keys).send()?.json()?;
    Ok(json!({ "connections": connections(&found) }))
}

/// Compacts Looker's connection list.
pub fn connections(found: &Value) -> Vec<Value> {
    items(found).map(|c| pick_as(c, &SHOWN)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;

    #[test]
    fn compacts_and_requests_few_fields() {
        let seen = mock_looker(|_| {
            Ok(Response::json_ok(&json!([
                {"name": "warehouse", "dialect_name": "bigquery_standard_sql", "host": "proj", "database": "analytics",
                 "schema": null, "pdts_enabled": true, "password": null, "can": {"index": true}}
            ])))
        });
        let out = list_connections(NoArgs {}, &Context::default()).unwrap();
        assert_eq!(
            out,
            json!({"connections": [{"name": "warehouse", "dialect": "bigquery_standard_sql", "host": "proj",
                                     "database": "analytics", "pdts_enabled": true}]})
        );
        let req = &seen.requests()[0];
        assert_eq!(req.path().as_str(), "/connections");
        assert_eq!(
            req.query_value("fields"),
            Some("name,dialect_name,host,database,schema,pdts_enabled")
        );
    }
}

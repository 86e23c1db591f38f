//! The `connection` tool group: Looker's database connections — read, create, change, delete
//! and test them, and list the SQL dialects this Looker supports. Secrets given to
//! `create_connection` and `update_connection` only ever travel to Looker.

mod connections;
mod fields;
mod shape;

use looker_mcp_plugin_sdk::{Group, Tool, export_group};

export_group!(group);

/// The `connection` group's tool table.
pub fn group() -> Group {
    Group::new("connection", env!("CARGO_PKG_VERSION"))
        .tool(
            Tool::new(
                "get_connection",
                "Get a database connection",
                GET_CONNECTION,
            )
            .schema(NAME_SCHEMA)
            .read_only()
            .idempotent()
            .handler(connections::get_connection),
        )
        .tool(
            Tool::new(
                "list_connection_dialects",
                "List SQL dialects",
                LIST_CONNECTION_DIALECTS,
            )
            .schema(NO_ARGUMENTS_SCHEMA)
            .read_only()
            .idempotent()
            .handler(connections::list_connection_dialects),
        )
        .tool(
            Tool::new(
                "create_connection",
                "Create a database connection",
                CREATE_CONNECTION,
            )
            .schema(fields::create_schema())
            .non_destructive()
            .handler(connections::create_connection),
        )
        .tool(
            Tool::new(
                "update_connection",
                "Change a database connection",
                UPDATE_CONNECTION,
            )
            .schema(fields::update_schema())
            .idempotent()
            .handler(connections::update_connection),
        )
        .tool(
            Tool::new(
                "delete_connection",
                "Delete a database connection",
                DELETE_CONNECTION,
            )
            .schema(NAME_SCHEMA)
            .idempotent()
            .handler(connections::delete_connection),
        )
        .tool(
            Tool::new(
                "test_connection",
                "Test a database connection",
                TEST_CONNECTION,
            )
            .schema(TEST_SCHEMA)
            .read_only()
            .idempotent()
            .handler(connections::test_connection),
        )
}

const NAME_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1, "description": "Connection name, e.g. `thelook` (from `list_connections`)."}
  },
  "required": ["name"],
  "additionalProperties": false
}"#;

const NO_ARGUMENTS_SCHEMA: &str =
    r#"{"type": "object", "properties": {}, "additionalProperties": false}"#;

const TEST_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1, "description": "Connection name."},
    "tests": {
      "anyOf": [{"type": "array", "items": {"type": "string", "minLength": 1}}, {"type": "null"}],
      "default": null,
      "description": "Checks to run, e.g. [\"connect\", \"query\"]; others are `tmp_table`, `cdt`, `pdt`, `kill`. Omit to run every check the dialect supports."
    }
  },
  "required": ["name"],
  "additionalProperties": false
}"#;

const GET_CONNECTION: &str = "\
Returns a database connection's whole configuration: dialect, host, port, database, schema, \
user name, authentication mode (`has_password`, key pair, OAuth), pool and SSL settings, PDT \
settings (scratch schema, `pdts_enabled`, `pdt_api_control_enabled`, maintenance schedule), SSH \
tunnel, user-attribute fields, and read-only facts such as `created_at` and `last_regen_at`. \
Passwords and certificates are never returned. `list_connections` gives a short list of all.";

const LIST_CONNECTION_DIALECTS: &str = "\
Lists the SQL dialects this Looker can connect to: the `name` to pass as `dialect_name` to \
`create_connection`, its label, whether its driver is installed, default port and pool size, \
what it calls databases and schemas, and which connection options it supports.";

const CREATE_CONNECTION: &str = "\
Creates a database connection named `name` for dialect `dialect_name` (see \
`list_connection_dialects`), with any of the other settings; omitted ones take Looker's \
defaults. Returns a summary of the new connection (never the password or certificate). Then run \
`test_connection`. Example: `{\"name\": \"warehouse\", \"dialect_name\": \"postgres\", \"host\": \
\"db.example.com\", \"port\": 5432, \"database\": \"analytics\", \"username\": \"looker\", \
\"password\": \"...\", \"tmp_db_name\": \"looker_scratch\"}`.";

const UPDATE_CONNECTION: &str = "\
Changes the given settings of an existing connection; settings not given stay as they are, and \
`clear_fields` resets the listed ones to empty. The name and dialect cannot change. Returns which \
fields changed and a summary of the connection (never the password or certificate). Run \
`test_connection` after changing credentials, host or authentication. Example: `{\"name\": \
\"warehouse\", \"pdt_api_control_enabled\": true}`.";

const DELETE_CONNECTION: &str = "\
Deletes a database connection. LookML models that use it stop working until they point at \
another connection. This cannot be undone.";

const TEST_CONNECTION: &str = "\
Runs Looker's checks against a connection — `connect`, `kill`, `query`, `tmp_table`, `cdt`, \
`pdt` — and returns each check's status and message, `healthy` (every check succeeded), the \
names of the checks that `failed`, and `not_supported`: requested checks the connection's \
dialect does not offer (Looker skips them). Omit `tests` to run all it supports. A failing check \
points at the setting to fix: e.g. `connect` fails on host, port or credentials; `pdt` or \
`tmp_table` fail when the scratch schema (`tmp_db_name`) is missing or not writable. Changes \
nothing.";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn declaration_is_valid() {
        group().validate().unwrap();
        let names: Vec<_> = group().tools().map(|t| t.name().to_owned()).collect();
        assert_eq!(
            names,
            [
                "get_connection",
                "list_connection_dialects",
                "create_connection",
                "update_connection",
                "delete_connection",
                "test_connection"
            ]
        );
        let ann = |n: &str| group().find(n).unwrap().annotations();
        assert!(ann("test_connection").read_only);
        assert!(ann("delete_connection").destructive);
        assert!(!ann("create_connection").destructive && !ann("create_connection").read_only);
        assert!(ann("update_connection").idempotent && !ann("update_connection").read_only);
    }

    /// The argument names of looker-mcp-server 0.25.0's connection writers.
    #[test]
    fn write_arguments_match_the_reference() {
        let props = |s: Value| -> Vec<String> {
            let mut keys: Vec<String> = s["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            keys.sort();
            keys
        };
        let create = props(fields::create_schema());
        assert_eq!(create.len(), 47);
        let update = props(fields::update_schema());
        assert!(
            update.contains(&"clear_fields".to_owned())
                && !update.contains(&"dialect_name".to_owned())
        );
        assert_eq!(update.len(), 47);
    }
}

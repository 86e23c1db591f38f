//! The `explore` tool group: browse LookML models, explores, fields and database connections.
//!
//! These are the tools an assistant uses before it queries: find a model and an explore, then
//! the exact field names to ask for. All of them only read.

mod connections;
mod explores;
mod models;
mod shape;
mod suggestions;

use looker_mcp_plugin_sdk::{Group, Tool, export_group};

export_group!(group);

/// The `explore` group's tool table.
pub fn group() -> Group {
    Group::new("explore", env!("CARGO_PKG_VERSION"))
        .tool(
            Tool::new("list_models", "List LookML models", LIST_MODELS)
                .schema(LIST_MODELS_SCHEMA)
                .read_only()
                .idempotent()
                .handler(models::list_models),
        )
        .tool(
            Tool::new("get_model", "Get a LookML model", GET_MODEL)
                .schema(GET_MODEL_SCHEMA)
                .read_only()
                .idempotent()
                .handler(models::get_model),
        )
        .tool(
            Tool::new("get_explore", "Get an explore and its fields", GET_EXPLORE)
                .schema(GET_EXPLORE_SCHEMA)
                .read_only()
                .idempotent()
                .handler(explores::get_explore),
        )
        .tool(
            Tool::new(
                "list_dimensions",
                "List an explore's dimensions",
                LIST_DIMENSIONS,
            )
            .schema(EXPLORE_FIELDS_SCHEMA)
            .read_only()
            .idempotent()
            .handler(explores::list_dimensions),
        )
        .tool(
            Tool::new("list_measures", "List an explore's measures", LIST_MEASURES)
                .schema(EXPLORE_FIELDS_SCHEMA)
                .read_only()
                .idempotent()
                .handler(explores::list_measures),
        )
        .tool(
            Tool::new(
                "list_connections",
                "List database connections",
                LIST_CONNECTIONS,
            )
            .schema(NO_ARGUMENTS_SCHEMA)
            .read_only()
            .idempotent()
            .handler(connections::list_connections),
        )
        .tool(suggestions::tool())
}

// Input schemas are static JSON text: nothing is built per call, and they read like the
// reference server's (same argument names, types, defaults and requirements).

const LIST_MODELS_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "include_hidden": {"type": "boolean", "default": false, "description": "Also list explores hidden in the Looker UI."}
  },
  "additionalProperties": false
}"#;

const GET_MODEL_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "model_name": {"type": "string", "description": "LookML model name, e.g. `thelook` (from `list_models`)."},
    "include_hidden": {"type": "boolean", "default": false, "description": "Also list explores hidden in the Looker UI."}
  },
  "required": ["model_name"],
  "additionalProperties": false
}"#;

const GET_EXPLORE_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "model_name": {"type": "string", "description": "LookML model name, e.g. `thelook` (from `list_models`)."},
    "explore_name": {"type": "string", "description": "Explore name within the model, e.g. `order_items` (from `list_models` or `get_model`)."},
    "include_hidden": {"type": "boolean", "default": false, "description": "Also list fields hidden in the Looker UI."},
    "fields": {
      "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}],
      "default": null,
      "description": "Only these fields: `view.field` names, or bare field names matched in any view. Fields named here are shown even when hidden."
    },
    "views": {
      "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}],
      "default": null,
      "description": "Only fields (and joins) of these views."
    },
    "include_sql": {"type": "boolean", "default": false, "description": "Add each field's SQL and each join's `sql_on`."},
    "include_descriptions": {"type": "boolean", "default": true, "description": "Add the explore's and each field's description."}
  },
  "required": ["model_name", "explore_name"],
  "additionalProperties": false
}"#;

const EXPLORE_FIELDS_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "model_name": {"type": "string", "description": "LookML model name, e.g. `thelook` (from `list_models`)."},
    "explore_name": {"type": "string", "description": "Explore name within the model, e.g. `order_items` (from `list_models` or `get_model`)."},
    "include_hidden": {"type": "boolean", "default": false, "description": "Also list fields hidden in the Looker UI."}
  },
  "required": ["model_name", "explore_name"],
  "additionalProperties": false
}"#;

const NO_ARGUMENTS_SCHEMA: &str =
    r#"{"type": "object", "properties": {}, "additionalProperties": false}"#;

const LIST_MODELS: &str = "\
Lists the LookML models you can query, each with its explores (name, label, group and \
description). Start here to find which model and explore answer a question; then call \
`get_explore` for the field names. Hidden explores are left out unless `include_hidden` is true.";

const GET_MODEL: &str = "\
Returns one LookML model: its label, LookML project, the database connections it may use and \
its explores (name, label, group, description). Use it when you already know the model and \
want its explores; `list_models` gives the same for every model.";

const GET_EXPLORE: &str = "\
Returns one explore: label, description, base view, connection, required filters \
(`always_filter`, which every query must include), joins, and its fields grouped into \
`dimensions`, `measures`, `filters` and `parameters`. Each field has its full `view.field` \
name (what query tools expect), label, type and description. Narrow large explores with \
`fields` or `views`; set `include_sql` to see the SQL behind fields and joins. Hidden fields \
are left out unless `include_hidden` is true.";

const LIST_DIMENSIONS: &str = "\
Lists an explore's dimensions (what you group and filter by): full `view.field` name, label, \
type (e.g. `string`, `number`, `date_date`), view and description. Smaller than `get_explore` \
when you only need dimensions.";

const LIST_MEASURES: &str = "\
Lists an explore's measures (the aggregates: counts, sums, averages): full `view.field` name, \
label, type (e.g. `count`, `sum`, `average`), view and description. Smaller than `get_explore` \
when you only need measures.";

const LIST_CONNECTIONS: &str = "\
Lists the Looker database connections: name, SQL dialect, host, database, default schema and \
whether persistent derived tables are enabled. Use it to find the connection behind a model \
or to pick one for the schema tools.";

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;
    use looker_mcp_plugin_sdk::{Context, ToolError};
    use serde_json::{Value, json};

    #[test]
    fn declaration_is_valid() {
        group().validate().unwrap();
        let names: Vec<_> = group().tools().map(|t| t.name().to_owned()).collect();
        assert_eq!(
            names,
            [
                "list_models",
                "get_model",
                "get_explore",
                "list_dimensions",
                "list_measures",
                "list_connections",
                "get_field_value_suggestions"
            ]
        );
        for tool in group().tools() {
            let a = tool.annotations();
            assert!(
                a.read_only && a.idempotent && !a.destructive,
                "{}",
                tool.name()
            );
        }
    }

    /// The input schemas of looker-mcp-server 0.25.0 (the server this one replaces), from its
    /// `tools/list`. Ours must equal them once the `description`s we added are removed.
    const REFERENCE: &str = r#"{"list_models":{"additionalProperties":false,"properties":{"include_hidden":{"default":false,"type":"boolean"}},"type":"object"},"get_model":{"additionalProperties":false,"properties":{"model_name":{"type":"string"},"include_hidden":{"default":false,"type":"boolean"}},"required":["model_name"],"type":"object"},"get_explore":{"additionalProperties":false,"properties":{"model_name":{"type":"string"},"explore_name":{"type":"string"},"include_hidden":{"default":false,"type":"boolean"},"fields":{"anyOf":[{"items":{"type":"string"},"type":"array"},{"type":"null"}],"default":null},"views":{"anyOf":[{"items":{"type":"string"},"type":"array"},{"type":"null"}],"default":null},"include_sql":{"default":false,"type":"boolean"},"include_descriptions":{"default":true,"type":"boolean"}},"required":["model_name","explore_name"],"type":"object"},"list_dimensions":{"additionalProperties":false,"properties":{"model_name":{"type":"string"},"explore_name":{"type":"string"},"include_hidden":{"default":false,"type":"boolean"}},"required":["model_name","explore_name"],"type":"object"},"list_measures":{"additionalProperties":false,"properties":{"model_name":{"type":"string"},"explore_name":{"type":"string"},"include_hidden":{"default":false,"type":"boolean"}},"required":["model_name","explore_name"],"type":"object"},"list_connections":{"additionalProperties":false,"properties":{},"type":"object"}}"#;

    fn without_descriptions(v: &mut Value) {
        if let Value::Object(map) = v {
            map.remove("description");
            map.values_mut().for_each(without_descriptions);
        }
    }

    #[test]
    fn schemas_match_the_reference() {
        let reference: Value = serde_json::from_str(REFERENCE).unwrap();
        let g = group();
        for tool in g
            .tools()
            .filter(|t| t.name() != "get_field_value_suggestions")
        {
            let mut ours = tool.input_schema().to_value().unwrap();
            without_descriptions(&mut ours);
            assert_eq!(ours, reference[tool.name()], "{}", tool.name());
        }
        assert_eq!(g.tools().count(), reference.as_object().unwrap().len() + 1);
    }

    #[test]
    fn calls_dispatch_with_defaults() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({"name": "orders", "fields": {}}))));
        let out = group()
            .call(
                "get_explore",
                r#"{"model_name":"m","explore_name":"orders"}"#,
                &Context::default(),
            )
            .unwrap();
        let structured = out.structured.unwrap();
        assert_eq!(structured["name"], "orders");
        assert_eq!(structured["dimensions"], json!([]));
        assert_eq!(
            seen.requests()[0].path().as_str(),
            "/lookml_models/m/explores/orders"
        );

        let err = group()
            .call(
                "get_explore",
                r#"{"model_name":"m","explore_name":".."}"#,
                &Context::default(),
            )
            .unwrap_err();
        assert!(matches!(err, ToolError::InvalidArguments(_)), "{err}");
        let err = group()
            .call("get_model", "{}", &Context::default())
            .unwrap_err();
        assert_eq!(
            err,
            ToolError::InvalidArguments("missing field `model_name`".into())
        );
    }
}

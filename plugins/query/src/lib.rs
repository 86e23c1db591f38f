//! The `query` tool group: run queries through the LookML semantic layer, run saved queries,
//! looks and whole dashboards, build Explore links, and search content.
//!
//! All of them only read: creating a query (`POST /queries`) stores an immutable query object
//! and changes nothing anyone sees. Rows are capped at `LOOKER_MAX_ROWS`, and the result says
//! when it was cut.

mod dashboard;
mod merge;
mod pivot;
mod results;
mod rows_output;
mod run;
mod search;
mod table;

use looker_mcp_plugin_sdk::{Group, export_group};

export_group!(group);

/// The `query` group's tools, in the reference server's order (hence `query_url` apart from
/// the other tools of `run`).
pub fn group() -> Group {
    Group::new("query", env!("CARGO_PKG_VERSION"))
        .with_tools(run::tools())
        .with_tools(dashboard::tools())
        .with_tools(run::url_tools())
        .with_tools(merge::tools())
        .with_tools(search::tools())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::DEV_ARGS;
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
                "query",
                "query_sql",
                "run_query",
                "run_look",
                "run_dashboard",
                "query_url",
                "run_merge_query",
                "search_content"
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

    #[test]
    fn dev_arguments_are_gated() {
        let off = Context::from_settings([("query_dev_params", "false")]);
        let on = Context::from_settings([("query_dev_params", "true")]);
        let g = group();
        for name in ["query", "query_sql", "run_query", "run_look", "query_url"] {
            let tool = g.find(name).unwrap();
            let hidden: Value = serde_json::from_str(&tool.effective_input_schema(&off)).unwrap();
            let shown: Value = serde_json::from_str(&tool.effective_input_schema(&on)).unwrap();
            for arg in DEV_ARGS {
                assert!(hidden["properties"].get(*arg).is_none(), "{name} {arg}");
                assert!(shown["properties"].get(*arg).is_some(), "{name} {arg}");
            }
            assert!(hidden["properties"].get("act_as_user").is_some(), "{name}");
        }
    }

    #[test]
    fn query_encodes_filters_and_caps_rows() {
        let seen = mock_looker(|req| {
            Ok(match req.path().as_str() {
                "/queries" => Response::json_ok(&json!({"id": "42"})),
                _ => Response::json_ok(&json!({
                    "fields": {"dimensions": [{"name": "o.s", "label": "S", "type": "string"}], "measures": []},
                    "data": (0..4).map(|i| json!({"o.s": {"value": i.to_string()}})).collect::<Vec<_>>()
                })),
            })
        });
        let ctx = Context::from_settings([("max_rows", "3")]);
        let out = group()
            .call(
                "query",
                r#"{"model":"m","view":"o","fields":["o.s"],"filters":{"o.s":"a,b","o.t":["x_y","z"]},"limit":-1}"#,
                &ctx,
            )
            .unwrap();
        let s = Value::Object(out.structured_value().unwrap());
        assert_eq!(s["row_count"], 3);
        assert_eq!(s["truncated"], true);
        assert_eq!(s["query_id"], "42");
        let requests = seen.requests();
        let body: Value = serde_json::from_str(requests[0].body_json_text().unwrap()).unwrap();
        assert_eq!(body["filters"], json!({"o.s": "a^,b", "o.t": "x^_y,z"}));
        assert_eq!(body["limit"], "-1");
        assert_eq!(requests[1].path().as_str(), "/queries/42/run/json_detail");
        assert_eq!(requests[1].query_value("limit"), Some("4"));
    }

    #[test]
    fn branch_needs_a_project() {
        let seen = mock_looker(|_| unreachable!("no Looker call"));
        let err = group()
            .call(
                "query",
                r#"{"model":"m","view":"o","fields":["o.s"],"branch":"b"}"#,
                &Context::default(),
            )
            .unwrap_err();
        assert!(matches!(err, ToolError::InvalidArguments(m) if m.contains("project_id")));
        assert!(seen.requests().is_empty());
    }
}

#[cfg(test)]
mod reference {
    use super::*;
    use looker_mcp_plugin_sdk::Context;
    use looker_mcp_plugin_sdk::testing::reference_tools;
    use serde_json::Value;
    use std::collections::BTreeSet;

    fn names(schema: &Value, key: &str) -> BTreeSet<String> {
        match &schema[key] {
            Value::Object(map) => map.keys().cloned().collect(),
            Value::Array(list) => list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => BTreeSet::new(),
        }
    }

    /// Tools the reference does not have (issue 16).
    const ADDED_TOOLS: &[&str] = &["run_merge_query"];

    #[test]
    fn argument_names_and_requirements_match_the_reference() {
        let reference = reference_tools("query");
        let off = Context::from_settings([("query_dev_params", "false")]);
        let added = names(&run::query_options().into_value(), "properties");
        for tool in group().tools() {
            let Some(theirs) = reference.iter().find(|t| t["name"] == tool.name()) else {
                assert!(
                    ADDED_TOOLS.contains(&tool.name()),
                    "{} is not a reference tool",
                    tool.name()
                );
                continue;
            };
            let ours: Value = serde_json::from_str(&tool.effective_input_schema(&off)).unwrap();
            let reference = &theirs["input_schema"];
            // Every reference argument is kept; the query-building tools add the query options.
            let mut expected = names(reference, "properties");
            if ["query", "query_sql", "query_url"].contains(&tool.name()) {
                expected.extend(added.iter().cloned());
            }
            assert_eq!(names(&ours, "properties"), expected, "{}", tool.name());
            assert_eq!(
                names(&ours, "required"),
                names(reference, "required"),
                "{}",
                tool.name()
            );
        }
    }
}

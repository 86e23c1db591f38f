//! The `explore` tool group: browse LookML models, explores, fields and database connections.
//!
//! These are the tools an assistant uses before it queries: find a model and an explore, then
//! the exact field names to ask for. All of them only read.

mod connections;
mod explores;
mod models;
mod suggestions;

use looker_mcp_plugin_sdk::{Group, export_group};

export_group!(group);

/// The `explore` group's tool table.
pub fn group() -> Group {
    Group::new("explore", env!("CARGO_PKG_VERSION"))
        .with_tools(models::tools())
        .with_tools(explores::tools())
        .with_tools(connections::tools())
        .tool(suggestions::tool())
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::{assert_matches_reference, mock_looker};
    use looker_mcp_plugin_sdk::{Context, ToolError};
    use serde_json::json;

    #[test]
    fn declaration_matches_the_reference() {
        assert_matches_reference(&group(), &[]);
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

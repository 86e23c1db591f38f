//! The `audit` tool group: what happened on the instance (query history, content usage, PDT
//! builds, schedule runs and user events, all from Looker's `system__activity` model) and live
//! operations (queries running now, users' login sessions, LookML projects' CI runs).
//!
//! The history tools read `system__activity` with `POST /queries/run/json`, always with an
//! explicit row limit (capped by `LOOKER_MAX_ROWS`) and filter values encoded by the SDK's
//! `filters` module. They need a user who may see System Activity (an admin, or `see_system_activity`).

mod activity;
mod ci;
mod live;

use looker_mcp_plugin_sdk::{Group, export_group};

export_group!(group);

/// The `audit` group's tools, in the reference server's order.
pub fn group() -> Group {
    Group::new("audit", env!("CARGO_PKG_VERSION"))
        .with_tools(activity::tools())
        .with_tools(live::tools())
        .with_tools(ci::tools())
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::Context;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;
    use serde_json::{Value, json};

    #[test]
    fn tools_match_the_reference_server() {
        // Our additions to the reference schemas: descriptions, bounds and enumerations.
        looker_mcp_plugin_sdk::testing::assert_matches_reference(
            &group(),
            &["minimum", "minLength", "pattern", "enum"],
        );
    }

    #[test]
    fn the_table_is_valid_and_complete() {
        let g = group();
        g.validate().unwrap();
        assert_eq!(g.tools().count(), 13);
        let kill = g.find("kill_query").unwrap().annotations();
        assert!(kill.destructive && !kill.read_only);
        let end = g.find("terminate_session").unwrap().annotations();
        assert!(end.destructive && !end.read_only);
    }

    #[test]
    fn query_history_sends_one_limited_system_activity_query() {
        let mock = mock_looker(|_| Ok(Response::json_ok(&json!([]))));
        let ctx = Context::from_settings([("max_rows", "50")]);
        let out = group()
            .call(
                "get_query_history",
                r#"{"user_email": "a_b@x.com", "errors_only": true}"#,
                &ctx,
            )
            .unwrap();
        drop(out);
        let requests = mock.requests();
        assert_eq!(requests.len(), 1);
        let body: Value = serde_json::from_str(requests[0].body_json_text().unwrap()).unwrap();
        assert_eq!(body["limit"], "50");
        assert_eq!(body["view"], "history");
        assert_eq!(body["filters"]["user.email"], "a^_b@x.com");
        assert_eq!(body["filters"]["history.status"], "error");
    }
}

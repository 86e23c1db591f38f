//! The `user_attributes` tool group: user attribute definitions (name, type, default, visibility)
//! and their values per group and per user.
//!
//! User attributes drive row-level security (`access_filter`), per-user database credentials and
//! filter defaults. A user's value comes from their own value, else the best-ranked value of a
//! group they are in, else the attribute's default. Hidden values are never shown by Looker.

mod attributes;
mod values;

use looker_mcp_plugin_sdk::{Group, export_group};

export_group!(group);

/// The `user_attributes` group's tools, in the reference server's order.
pub fn group() -> Group {
    Group::new("user_attributes", env!("CARGO_PKG_VERSION"))
        .with_tools(attributes::tools())
        .with_tools(values::tools())
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::{assert_matches_reference, mock_looker};
    use looker_mcp_plugin_sdk::{Context, conventions, refusals};
    use serde_json::{Value, json};

    #[test]
    fn tools_match_the_reference_server() {
        assert_matches_reference(&group(), &[]);
    }

    #[test]
    fn annotations_follow_what_tools_do() {
        conventions::annotations_follow_names(&group()).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn group_values_are_sent_as_group_id_and_value_text() {
        let seen = mock_looker(|_| {
            Ok(Response::json_ok(
                &json!([{"group_id": "1", "value": "5", "rank": 1, "can": {}}]),
            ))
        });
        let out = group()
            .call(
                "set_user_attribute_group_values",
                r#"{"user_attribute_id":"7","values":[{"group_id":1,"value":5},{"group_id":"2","value":true}]}"#,
                &Context::default(),
            )
            .unwrap();
        let out = Value::Object(out.structured.unwrap());
        assert_eq!(out["count"], 1);
        assert!(out["group_values"][0].get("can").is_none());
        let reqs = seen.requests();
        assert_eq!(reqs.len(), 1);
        assert_eq!(reqs[0].path().as_str(), "/user_attributes/7/group_values");
        let body: Value = serde_json::from_str(reqs[0].body_json_text().unwrap()).unwrap();
        assert_eq!(
            body,
            json!([{"group_id": "1", "value": "5"}, {"group_id": "2", "value": "true"}])
        );
    }

    #[test]
    fn bad_arguments_never_reach_looker() {
        refusals::assert_refused_before_looker(
            &group(),
            [
                ("update_user_attribute", json!({"user_attribute_id": "1"})),
                (
                    "create_user_attribute",
                    json!({"name": "has space", "label": "L", "type": "string"}),
                ),
                (
                    "create_user_attribute",
                    json!({"name": "ok", "label": "L", "type": "varchar"}),
                ),
                (
                    "set_user_attribute_group_values",
                    json!({"user_attribute_id": "1", "values": [{"value": "x"}]}),
                ),
                (
                    "set_user_attribute_group_values",
                    json!({"user_attribute_id": "1", "values": [{"group_id": "1", "value": null}]}),
                ),
            ],
        );
    }
}

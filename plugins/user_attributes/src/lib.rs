//! The `user_attributes` tool group: user attribute definitions (name, type, default, visibility)
//! and their values per group and per user.
//!
//! User attributes drive row-level security (`access_filter`), per-user database credentials and
//! filter defaults. A user's value comes from their own value, else the best-ranked value of a
//! group they are in, else the attribute's default. Hidden values are never shown by Looker.

mod attributes;
mod values;

use looker_mcp_plugin_sdk::{Group, Tool, export_group};

export_group!(group);

/// A read-only, idempotent tool.
fn reader(name: &'static str, title: &'static str, description: &'static str) -> Tool {
    Tool::new(name, title, description).read_only().idempotent()
}

/// The `user_attributes` group's tool table, in the reference server's order.
pub fn group() -> Group {
    Group::new("user_attributes", env!("CARGO_PKG_VERSION"))
        .tool(
            reader("list_user_attributes", "List user attributes", LIST)
                .schema(NO_ARGUMENTS_SCHEMA)
                .handler(attributes::list),
        )
        .tool(
            reader("get_user_attribute", "Get a user attribute", GET)
                .schema(ATTRIBUTE_ID_SCHEMA)
                .handler(attributes::get),
        )
        .tool(
            Tool::new("create_user_attribute", "Create a user attribute", CREATE)
                .non_destructive()
                .schema(CREATE_SCHEMA)
                .handler(attributes::create),
        )
        .tool(
            Tool::new("update_user_attribute", "Update a user attribute", UPDATE)
                .idempotent()
                .schema(UPDATE_SCHEMA)
                .handler(attributes::update),
        )
        .tool(
            Tool::new("delete_user_attribute", "Delete a user attribute", DELETE)
                .idempotent()
                .schema(ATTRIBUTE_ID_SCHEMA)
                .handler(attributes::delete),
        )
        .tool(
            reader(
                "list_user_attribute_group_values",
                "List a user attribute's group values",
                LIST_GROUP_VALUES,
            )
            .schema(ATTRIBUTE_ID_SCHEMA)
            .handler(values::list_group_values),
        )
        .tool(
            Tool::new(
                "set_user_attribute_group_values",
                "Set a user attribute's group values",
                SET_GROUP_VALUES,
            )
            .idempotent()
            .schema(SET_GROUP_VALUES_SCHEMA)
            .handler(values::set_group_values),
        )
        .tool(
            Tool::new(
                "delete_user_attribute_group_value",
                "Remove a group's user attribute value",
                DELETE_GROUP_VALUE,
            )
            .idempotent()
            .schema(GROUP_VALUE_SCHEMA)
            .handler(values::delete_group_value),
        )
        .tool(
            reader(
                "list_user_attribute_values_for_user",
                "List a user's attribute values",
                LIST_USER_VALUES,
            )
            .schema(USER_ID_SCHEMA)
            .handler(values::list_user_values),
        )
        .tool(
            Tool::new(
                "set_user_attribute_user_value",
                "Set a user's attribute value",
                SET_USER_VALUE,
            )
            .idempotent()
            .schema(SET_USER_VALUE_SCHEMA)
            .handler(values::set_user_value),
        )
        .tool(
            Tool::new(
                "delete_user_attribute_user_value",
                "Remove a user's own attribute value",
                DELETE_USER_VALUE,
            )
            .idempotent()
            .schema(USER_VALUE_SCHEMA)
            .handler(values::delete_user_value),
        )
}

const NO_ARGUMENTS_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {},
  "additionalProperties": false
}"#;

const ATTRIBUTE_ID_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_attribute_id": {"type": "string", "description": "User attribute id, e.g. `2` (from `list_user_attributes`)."}
  },
  "required": ["user_attribute_id"],
  "additionalProperties": false
}"#;

const CREATE_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "name": {"type": "string", "description": "Name used in LookML (`_user_attributes['region']`): lowercase letters, digits and underscores, e.g. `region`."},
    "label": {"type": "string", "description": "Label shown in the Looker UI, e.g. `Sales Region`."},
    "type": {"type": "string", "description": "Value type: `string`, `number`, `datetime`, `yesno`, `zipcode`, `relative_url`, `advanced_filter_string`, `advanced_filter_number` or `advanced_filter_datetime`."},
    "default_value": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Value for users with no user or group value."},
    "value_is_hidden": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Hide values from everyone (for secrets such as database passwords); they can then only be sent to `hidden_value_domain_whitelist`."},
    "user_can_view": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Whether users can see their own value."},
    "user_can_edit": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Whether users can change their own value (needs `user_can_view`)."},
    "hidden_value_domain_whitelist": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "For hidden values: URL patterns the value may be sent to, e.g. `https://api.example.com/*`."}
  },
  "required": ["name", "label", "type"],
  "additionalProperties": false
}"#;

const UPDATE_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_attribute_id": {"type": "string", "description": "User attribute id (from `list_user_attributes`)."},
    "label": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New UI label."},
    "default_value": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New default value."},
    "value_is_hidden": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Hide values (Looker does not let a hidden attribute be made visible again)."},
    "user_can_view": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Whether users can see their own value."},
    "user_can_edit": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Whether users can change their own value."},
    "hidden_value_domain_whitelist": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "For hidden values: URL patterns the value may be sent to."}
  },
  "required": ["user_attribute_id"],
  "additionalProperties": false
}"#;

const SET_GROUP_VALUES_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_attribute_id": {"type": "string", "description": "User attribute id (from `list_user_attributes`)."},
    "values": {"type": "array", "items": {"type": "object", "additionalProperties": true}, "description": "The complete list of group values, highest priority first: each `{\"group_id\": \"2\", \"value\": \"EMEA\"}`. Groups left out lose their value; `[]` removes every group value."}
  },
  "required": ["user_attribute_id", "values"],
  "additionalProperties": false
}"#;

const GROUP_VALUE_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "group_id": {"type": "string", "description": "Looker group id (from `list_groups` or `list_user_attribute_group_values`)."},
    "user_attribute_id": {"type": "string", "description": "User attribute id."}
  },
  "required": ["group_id", "user_attribute_id"],
  "additionalProperties": false
}"#;

const USER_ID_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_id": {"type": "string", "description": "Looker user id, e.g. `42` (from `list_users`)."}
  },
  "required": ["user_id"],
  "additionalProperties": false
}"#;

const SET_USER_VALUE_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_id": {"type": "string", "description": "Looker user id."},
    "user_attribute_id": {"type": "string", "description": "User attribute id (from `list_user_attributes`)."},
    "value": {"type": "string", "description": "The user's own value, e.g. `EMEA`; it overrides group values and the default."}
  },
  "required": ["user_id", "user_attribute_id", "value"],
  "additionalProperties": false
}"#;

const USER_VALUE_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_id": {"type": "string", "description": "Looker user id."},
    "user_attribute_id": {"type": "string", "description": "User attribute id."}
  },
  "required": ["user_id", "user_attribute_id"],
  "additionalProperties": false
}"#;

const LIST: &str = "\
Lists every user attribute: id, name (as used in LookML `_user_attributes['name']`), label, \
type, default value, and whether values are hidden or viewable/editable by users. System \
attributes such as `email` are included. Returns `{count, user_attributes}`.";

const GET: &str = "\
Returns one user attribute definition: name, label, type, default value, visibility flags, the \
allowed domains for hidden values, and whether it is a built-in system attribute.";

const CREATE: &str = "\
Creates a user attribute, e.g. for row-level security (`access_filter`) or per-user database \
credentials; then give it values per group (`set_user_attribute_group_values`) or per user \
(`set_user_attribute_user_value`). Example: {\"name\": \"region\", \"label\": \"Region\", \
\"type\": \"string\", \"default_value\": \"US\"}.";

const UPDATE: &str = "\
Changes a user attribute's label, default value or visibility flags. Only the fields given \
change; the name and type stay. Returns the attribute as it now is and the fields changed.";

const DELETE: &str = "\
Deletes a user attribute with all its group and user values; LookML that references it stops \
filtering by it. System attributes cannot be deleted. Returns `{deleted: true}`.";

const LIST_GROUP_VALUES: &str = "\
Lists the values a user attribute has per group, in priority order (rank 1 wins when a user is \
in several groups): group id, value and rank. Hidden values are not shown.";

const SET_GROUP_VALUES: &str = "\
Sets a user attribute's values for groups, replacing every current group value: list order is \
priority (first wins for users in several groups). Read the current list with \
`list_user_attribute_group_values` first. Example: {\"user_attribute_id\": \"2\", \"values\": \
[{\"group_id\": \"2\", \"value\": \"EMEA\"}, {\"group_id\": \"1\", \"value\": \"US\"}]}.";

const DELETE_GROUP_VALUE: &str = "\
Removes one group's value for a user attribute; the group's members then get their value from \
another group or the default. Other groups' values stay.";

const LIST_USER_VALUES: &str = "\
Lists the user attribute values a user ends up with: attribute name and id, value, and where \
it comes from (`user` = their own value, `group`, `default`, or `system` for attributes Looker \
fills itself such as `email`). Hidden values are not shown. Use it to check what row-level \
security a user gets.";

const SET_USER_VALUE: &str = "\
Sets a user's own value for a user attribute, overriding group values and the default; \
replaces any value the user had. Returns the user's resulting value and its source.";

const DELETE_USER_VALUE: &str = "\
Removes a user's own value for a user attribute; they then get the value of their groups or the \
default. Returns `{deleted: true}`.";

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;
    use looker_mcp_plugin_sdk::{Context, ToolError};
    use serde_json::{Value, json};

    /// Our additions to the reference schemas: descriptions.
    fn without_additions(v: &mut Value) {
        if let Value::Object(map) = v {
            map.remove("description");
            map.values_mut().for_each(without_additions);
        }
    }

    #[test]
    fn tools_match_the_reference_server() {
        group().validate().unwrap();
        let seed: Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/seed-tools-0.25.0.json"
        ))
        .unwrap();
        let reference: Vec<&Value> = seed["tools"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["group"] == "user_attributes")
            .collect();
        let g = group();
        let ours: Vec<&str> = g.tools().map(|t| t.name()).collect();
        let theirs: Vec<&str> = reference
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(ours, theirs);
        for (tool, seed) in g.tools().zip(reference) {
            let mut schema = tool.input_schema().to_value().unwrap();
            without_additions(&mut schema);
            assert_eq!(schema, seed["input_schema"], "{}", tool.name());
        }
    }

    #[test]
    fn annotations_follow_what_tools_do() {
        for tool in group().tools() {
            let (name, a) = (tool.name(), tool.annotations());
            let reads = name.starts_with("list_") || name.starts_with("get_");
            assert_eq!(a.read_only, reads, "{name}");
            if reads {
                assert!(a.idempotent && !a.destructive, "{name}");
            }
            if ["delete_", "set_", "update_"]
                .iter()
                .any(|p| name.starts_with(p))
            {
                assert!(a.destructive && a.idempotent, "{name}");
            }
            if name.starts_with("create_") {
                assert!(!a.destructive && !a.idempotent, "{name}");
            }
        }
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
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({}))));
        for (tool, args) in [
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
        ] {
            let err = group()
                .call(tool, &args.to_string(), &Context::default())
                .unwrap_err();
            assert!(
                matches!(err, ToolError::InvalidArguments(_)),
                "{tool}: {err}"
            );
        }
        assert!(seen.requests().is_empty());
    }
}

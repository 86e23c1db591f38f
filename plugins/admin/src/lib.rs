//! The `admin` tool group: users and their email credentials, roles, permission sets, model
//! sets, groups (members and sub-groups) and scheduled deliveries.
//!
//! These tools need an admin (or a user with the matching `manage_*` permissions) behind the
//! server. Everything they return is compact and never carries a secret: one-time password reset
//! and account setup links and write-only destination credentials are removed from answers.

mod groups;
mod roles;
mod schedules;
mod shape;
mod users;

use looker_mcp_plugin_sdk::{Group, export_group};

export_group!(group);

/// The `admin` group's tools, in the reference server's order (hence some modules give more
/// than one list).
pub fn group() -> Group {
    Group::new("admin", env!("CARGO_PKG_VERSION"))
        .with_tools(users::tools())
        .with_tools(roles::tools())
        .with_tools(groups::tools())
        .with_tools(roles::assignment_tools())
        .with_tools(users::role_tools())
        .with_tools(schedules::tools())
        .with_tools(roles::member_tools())
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
        // Our additions to the reference schemas: descriptions and lower bounds.
        assert_matches_reference(&group(), &["minimum"]);
    }

    #[test]
    fn annotations_follow_what_tools_do() {
        conventions::annotations_follow_names(&group()).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn updates_without_fields_never_reach_looker() {
        refusals::assert_refused_before_looker(
            &group(),
            [
                ("update_user", json!({"user_id": "1"})),
                ("update_role", json!({"role_id": "1"})),
                ("update_group", json!({"group_id": "1"})),
                (
                    "update_schedule",
                    json!({"schedule_id": "1", "email_format": "csv"}),
                ),
                ("update_credentials_email", json!({"user_id": "1"})),
                ("update_permission_set", json!({"permission_set_id": "1"})),
                ("update_model_set", json!({"model_set_id": "1"})),
            ],
        );
    }

    #[test]
    fn create_user_sends_read_only_fields_through_their_own_routes() {
        let seen = mock_looker(|req| {
            let path = req.path().as_str().to_owned();
            Ok(Response::json_ok(&match path.as_str() {
                "/users" => {
                    json!({"id": "9", "first_name": "A", "last_name": "B", "role_ids": [], "group_ids": []})
                }
                "/users/9/credentials_email" => {
                    json!({"email": "a@example.com", "account_setup_url": "https://x/SECRET"})
                }
                "/users/9/roles" => json!([{"id": "3", "name": "Developer"}]),
                _ => json!({"id": "9", "group_ids": ["2"]}),
            }))
        });
        let out = group()
            .call(
                "create_user",
                r#"{"first_name":"A","last_name":"B","email":"a@example.com","role_ids":[3],"group_ids":[2],"locale":"de"}"#,
                &Context::default(),
            )
            .unwrap();
        let out = Value::Object(out.structured.unwrap());
        assert_eq!(out["email"], "a@example.com");
        assert_eq!(out["role_ids"], json!(["3"]));
        assert_eq!(out["group_ids"], json!(["2"]));
        assert!(!out.to_string().contains("SECRET"));
        let reqs = seen.requests();
        let shape: Vec<String> = reqs
            .iter()
            .map(|r| format!("{} {}", r.method(), r.path()))
            .collect();
        assert_eq!(
            shape,
            [
                "POST /users",
                "POST /users/9/credentials_email",
                "PUT /users/9/roles",
                "POST /groups/2/users"
            ]
        );
        let body: Value = serde_json::from_str(reqs[0].body_json_text().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"first_name": "A", "last_name": "B", "locale": "de"})
        );
        assert_eq!(reqs[2].body_json_text(), Some(r#"["3"]"#));
    }
}

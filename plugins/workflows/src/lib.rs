//! The `workflows` tool group: task-level admin compositions (provisioning, deploys, user
//! lifecycle, audits, operational clean-up). Each workflow calls Looker directly, in a documented
//! order, and returns a step-by-step report: every step with its status (`ok`, `failed`,
//! `skipped`, `planned`), the Looker request it made and Looker's message when it failed, whether
//! the workflow `completed`, and `left_behind`, the state Looker is in afterwards, so a partial
//! failure is never silent. Destructive actions run only when asked explicitly (`confirm`,
//! `action`); otherwise the report is a dry-run plan and nothing changes in Looker. Secrets
//! (passwords, client secrets, reset links) are never returned or logged; a rotated API key's new
//! secret appears once, in that call's result.

mod lookml;
mod ops;
mod people;
mod report;

use looker_mcp_plugin_sdk::{Group, export_group};

export_group!(group);

/// The `workflows` group's tools, in the reference server's order.
pub fn group() -> Group {
    Group::new("workflows", env!("CARGO_PKG_VERSION"))
        .with_tools(lookml::tools())
        .with_tools(people::tools())
        .with_tools(ops::tools())
}

#[cfg(test)]
mod tests {
    use looker_mcp_plugin_sdk::looker::{Method, Response};
    use looker_mcp_plugin_sdk::testing::mock_looker;
    use looker_mcp_plugin_sdk::{Context, LookerError, ToolError};
    use serde_json::{Value, json};

    fn run(tool: &str, args: Value) -> Value {
        let out = super::group()
            .call(tool, &args.to_string(), &Context::default())
            .unwrap_or_else(|e| panic!("{tool}: {e}"));
        match out.structured {
            Some(map) => Value::Object(map),
            None => match &out.content[0] {
                looker_mcp_plugin_sdk::Content::Text(t) => serde_json::from_str(t).unwrap(),
                other => panic!("{other:?}"),
            },
        }
    }

    fn looker_error(status: u16, message: &str) -> ToolError {
        ToolError::Looker(LookerError {
            status,
            message: message.into(),
            documentation_url: None,
            details: None,
        })
    }

    #[test]
    fn tools_match_the_reference_server() {
        // Our additions to the reference schemas: descriptions, bounds and enumerations.
        looker_mcp_plugin_sdk::testing::assert_matches_reference(
            &super::group(),
            &[
                "minimum",
                "maximum",
                "exclusiveMinimum",
                "minLength",
                "minProperties",
                "enum",
            ],
        );
    }

    #[test]
    fn group_is_valid() {
        super::group().validate().unwrap();
        assert_eq!(super::group().tools().count(), 13);
    }

    #[test]
    fn rollback_without_confirm_sends_nothing() {
        let seen = mock_looker(|_| panic!("no request expected"));
        let out = run("rollback_to_production", json!({"project_id": "p"}));
        assert_eq!(out["dry_run"], true);
        assert_eq!(out["steps"][0]["status"], "planned");
        assert_eq!(
            out["steps"][0]["looker"],
            "POST /projects/p/reset_to_production"
        );
        assert!(seen.requests().is_empty());
    }

    #[test]
    fn deploy_creates_on_404_and_stops_on_other_errors() {
        let seen = mock_looker(|r| match (r.method(), r.path().as_str()) {
            (Method::Put, _) if r.body_json_text().unwrap().contains("new.view") => {
                Err(looker_error(404, "Not found"))
            }
            (Method::Put, _) => Err(looker_error(403, "Not allowed to edit")),
            _ => Ok(Response::json_ok(&json!({}))),
        });
        let out = run(
            "deploy_lookml_changes",
            json!({"project_id": "p", "files": {"new.view.lkml": "view: x {}", "old.view.lkml": "view: y {}"}}),
        );
        assert_eq!(
            out["files"],
            json!([{"path": "new.view.lkml", "action": "created"}])
        );
        assert_eq!(out["failed_step"], "update_file old.view.lkml");
        assert_eq!(out["error"]["message"], "Not allowed to edit");
        let shape: Vec<String> = seen
            .requests()
            .iter()
            .map(|r| format!("{} {}", r.method(), r.path()))
            .collect();
        assert_eq!(
            shape,
            [
                "PUT /projects/p/files",
                "POST /projects/p/files",
                "PUT /projects/p/files"
            ]
        );
    }

    #[test]
    fn rotated_secret_is_returned_once_and_steps_carry_no_secret() {
        mock_looker(|_| {
            Ok(Response::json_ok(
                &json!({"id": "9", "client_id": "cid", "client_secret": "TOPSECRET"}),
            ))
        });
        let output = super::group()
            .call(
                "rotate_api_credentials",
                r#"{"user_id": "5"}"#,
                &Context::default(),
            )
            .unwrap();
        assert!(output.structured.is_none(), "no second copy of the secret");
        let out = run("rotate_api_credentials", json!({"user_id": "5"}));
        assert_eq!(out.to_string().matches("TOPSECRET").count(), 1, "{out}");
        assert_eq!(out["new_credentials"]["client_secret"], "TOPSECRET");
    }

    #[test]
    fn rotation_never_deletes_the_new_pair() {
        let seen = mock_looker(|_| {
            Ok(Response::json_ok(
                &json!({"id": "9", "client_id": "cid", "client_secret": "S"}),
            ))
        });
        let out = run(
            "rotate_api_credentials",
            json!({"user_id": "5", "delete_previous_id": "9"}),
        );
        assert_eq!(seen.requests().len(), 1, "only the create");
        assert_eq!(out["steps"][1]["status"], "skipped");
        assert_eq!(out["new_credentials"]["client_secret"], "S");
    }

    #[test]
    fn grant_access_keeps_members_and_skips_when_present() {
        let seen = mock_looker(|r| {
            Ok(Response::json_ok(&match r.method() {
                Method::Get => json!([{"id": "1"}, {"id": 2}]),
                _ => json!([]),
            }))
        });
        let out = run(
            "grant_access",
            json!({"principal_type": "user", "principal_id": "2", "role_id": "7"}),
        );
        assert_eq!(out["already_granted"], true);
        assert_eq!(seen.requests().len(), 1);
        let seen = mock_looker(|r| {
            Ok(Response::json_ok(&match r.method() {
                Method::Get => json!([{"id": "1"}]),
                _ => json!([]),
            }))
        });
        run(
            "grant_access",
            json!({"principal_type": "user", "principal_id": "3", "role_id": "7"}),
        );
        let put = &seen.requests()[1];
        assert_eq!(put.body_json_text(), Some(r#"["1","3"]"#));
    }
}

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

use looker_mcp_plugin_sdk::{Group, Tool, export_group};

export_group!(group);

/// The `workflows` group's tool table, in the reference server's order.
pub fn group() -> Group {
    Group::new("workflows", env!("CARGO_PKG_VERSION"))
        .tool(
            Tool::new(
                "provision_connection",
                "Create and test a database connection",
                PROVISION_CONNECTION,
            )
            .non_destructive()
            .schema(PROVISION_CONNECTION_SCHEMA)
            .handler(lookml::provision_connection),
        )
        .tool(
            Tool::new(
                "bootstrap_lookml_project",
                "Create a git-backed LookML project",
                BOOTSTRAP,
            )
            .non_destructive()
            .schema(BOOTSTRAP_SCHEMA)
            .handler(lookml::bootstrap_lookml_project),
        )
        .tool(
            Tool::new(
                "deploy_lookml_changes",
                "Write, validate and deploy LookML",
                DEPLOY,
            )
            .schema(DEPLOY_SCHEMA)
            .handler(lookml::deploy_lookml_changes),
        )
        .tool(
            Tool::new(
                "rollback_to_production",
                "Reset a dev workspace to production",
                ROLLBACK,
            )
            .idempotent()
            .schema(ROLLBACK_SCHEMA)
            .handler(lookml::rollback_to_production),
        )
        .tool(
            Tool::new("provision_user", "Onboard a user", PROVISION_USER)
                .non_destructive()
                .schema(PROVISION_USER_SCHEMA)
                .handler(people::provision_user),
        )
        .tool(
            Tool::new("grant_access", "Grant a role to a user or group", GRANT)
                .non_destructive()
                .idempotent()
                .schema(GRANT_SCHEMA)
                .handler(people::grant_access),
        )
        .tool(
            Tool::new("offboard_user", "Offboard a user", OFFBOARD)
                .idempotent()
                .schema(OFFBOARD_SCHEMA)
                .handler(people::offboard_user),
        )
        .tool(
            Tool::new("rotate_api_credentials", "Rotate a user's API keys", ROTATE)
                .schema(ROTATE_SCHEMA)
                .handler(people::rotate_api_credentials),
        )
        .tool(
            Tool::new(
                "audit_query_activity",
                "Audit query activity",
                AUDIT_ACTIVITY,
            )
            .read_only()
            .idempotent()
            .schema(AUDIT_ACTIVITY_SCHEMA)
            .handler(ops::audit_query_activity),
        )
        .tool(
            Tool::new("audit_instance_health", "Instance health report", HEALTH)
                .read_only()
                .idempotent()
                .schema(HEALTH_SCHEMA)
                .handler(ops::audit_instance_health),
        )
        .tool(
            Tool::new(
                "investigate_runaway_queries",
                "Find (and kill) runaway queries",
                RUNAWAY,
            )
            .schema(RUNAWAY_SCHEMA)
            .handler(ops::investigate_runaway_queries),
        )
        .tool(
            Tool::new("find_stale_content", "Find unused content", STALE_CONTENT)
                .read_only()
                .idempotent()
                .schema(STALE_CONTENT_SCHEMA)
                .handler(ops::find_stale_content),
        )
        .tool(
            Tool::new(
                "disable_stale_sessions",
                "Find (and end) old login sessions",
                STALE_SESSIONS,
            )
            .schema(STALE_SESSIONS_SCHEMA)
            .handler(ops::disable_stale_sessions),
        )
}

const PROVISION_CONNECTION: &str = "\
Creates a database connection and runs Looker's connection tests on it in one call (replaces \
`create_connection` + `test_connection`). If the create fails nothing exists; if a test check \
fails the connection is kept (LookML can reference it) and `test.checks` says which check \
failed (connect, query, tmp_table, cdt, pdt) so you can fix it with `update_connection`. The \
password is sent to Looker only and never returned. Example: {\"name\": \"warehouse\", \
\"dialect_name\": \"snowflake\", \"host\": \"acme.snowflakecomputing.com\", \"database\": \
\"ANALYTICS\", \"username\": \"looker\", \"password\": \"...\", \"tmp_db_name\": \
\"LOOKER_SCRATCH\"}. The result is a step-by-step report with `completed`, `steps`, \
`left_behind`, `connection` and `test`.";

const BOOTSTRAP: &str = "\
Stands up a LookML project wired to a git remote: creates the project (dev workspace), saves its \
git settings and generates an SSH deploy key, stopping at the first failure (later steps are \
reported as skipped). Returns `deploy_key_public`: install it on the git remote (e.g. a GitHub \
deploy key with write access) before pushing. Example: {\"name\": \"ecommerce\", \
\"git_remote_url\": \"git@github.com:acme/ecommerce-lookml.git\"}. The result is a step-by-step \
report with `completed`, `steps` and `left_behind`.";

const DEPLOY: &str = "\
Writes LookML files in your dev workspace in path order (each updated, or created when new), \
validates the \
project and deploys to production only if every write succeeded and validation found no errors \
(warnings do not block). Stops at the first failed write; on validation errors nothing is \
deployed and the edits stay in the dev workspace (discard them with `rollback_to_production`). \
Example: {\"project_id\": \"ecommerce\", \"files\": {\"views/orders.view.lkml\": \"view: orders \
{ sql_table_name: public.orders ;; }\"}}. The result is a step-by-step report with `files`, \
`validation`, `deployed`, `completed`, `steps` and `left_behind`.";

const ROLLBACK: &str = "\
Discards every change in your dev workspace of a LookML project and resets it to production. \
This cannot be undone, so it runs only with \"confirm\": true; without it the result is a \
dry-run plan and nothing is sent to Looker. Use when LookML edits are stuck or a \
`deploy_lookml_changes` left invalid edits behind. The result is a step-by-step report with \
`reset`, `completed`, `steps` and `left_behind`.";

const PROVISION_USER: &str = "\
Onboards a user in one call: creates the user, attaches email login, assigns roles, adds them \
to groups, sets per-user attribute values and (by default) emails an account setup link. \
Only a failed create stops the workflow; every later step runs independently and a failure is \
reported without rolling the user back (`left_behind` says what to redo). Example: \
{\"email\": \"ada@example.com\", \"first_name\": \"Ada\", \"last_name\": \"Lovelace\", \
\"role_ids\": [2], \"group_ids\": [1], \"user_attribute_values\": {\"3\": \"EMEA\"}}. The \
result is a step-by-step report with `user_id`, `completed`, `steps` and `left_behind`.";

const GRANT: &str = "\
Grants a role to a user or a group, keeping every existing member: reads the role's direct \
members and writes the list back with the principal added (nothing is written when the \
principal already holds the role: `already_granted`). Example: {\"principal_type\": \"group\", \
\"principal_id\": \"4\", \"role_id\": \"2\"}. The result is a step-by-step report with \
`granted`, `completed`, `steps` and `left_behind`.";

const OFFBOARD: &str = "\
Offboards a user: ends their login sessions, deletes their API3 keys, then disables the \
account (default, reversible) or, with \"deactivate_only\": false, deletes the user for good. \
Every step runs even if an earlier one failed, so the user ends up as locked out as possible; \
each failure is reported with Looker's message and `left_behind` says what is still in place. \
The result is a step-by-step report with `deactivated`, `deleted`, `completed`, `steps` and \
`left_behind`.";

const ROTATE: &str = "\
Rotates a user's API3 key pair: creates a new pair and, only if given `delete_previous_id` (the \
old pair's credentials_api3 id, from `list_credentials_api3`), deletes that old pair afterwards \
(never the new one). Without it nothing is deleted: move consumers to the new pair, verify it, \
then retire the old pair with `delete_credentials_api3`. The new `client_secret` is shown once, \
in this result only (never logged): store it now. The result is a step-by-step report with \
`new_credentials`, `old_pair_deletion`, `completed`, `steps` and `left_behind`.";

const AUDIT_ACTIVITY: &str = "\
Audits query activity from System Activity with a preset: `slow` (longest runs first), \
`errors` (runs that did not complete), `frequent` (most-run queries by user and explore), \
`by_user` (one user's runs; needs `user_email`) or `by_content` (runs from one dashboard or \
Look; needs exactly one of `dashboard_id`, `look_id`). `date_range` is a Looker date filter \
such as `7 days` or `2024-01-01 to 2024-02-01`. Example: {\"scope\": \"by_user\", \
\"user_email\": \"ada@example.com\", \"date_range\": \"30 days\"}. Read only. Returns a \
report with `rows` and `row_count`.";

const HEALTH: &str = "\
A health check of the instance over `date_range` (a Looker date filter, default `24 hours`): \
failed PDT builds, failed schedule runs (samples of up to 10 rows each, `truncated` when \
capped) and the content validator's error count. A section whose query fails is reported and \
makes `healthy` false with `partial_failure` true, so a failed check never looks healthy. \
Read only. Returns a report with `healthy`, `sample_issue_count` and `sections`.";

const RUNAWAY: &str = "\
Lists queries running now for at least `threshold_seconds` (default 300). With the default \
\"action\": \"report\" nothing changes: the report lists each runaway with the kill it would \
make (status `planned`). With \"action\": \"kill\" each one is killed; a failed kill is \
reported and the others still run. Use when the database is saturated. Returns a report with \
`runaways` and `killed`.";

const STALE_CONTENT: &str = "\
Finds dashboards and Looks nobody has opened for at least `min_days_unused` days (default \
90), oldest first, from System Activity content usage: candidates for deletion or archiving. \
`content_type` is `dashboard`, `look` or `all`. Read only. Example: {\"min_days_unused\": 180, \
\"content_type\": \"dashboard\"}. Returns a report with `rows` (type, id, title, last access, \
days unused, views) and `stale_count`.";

const STALE_SESSIONS: &str = "\
Finds users' login sessions created more than `max_age_days` ago (default 90) by reading every \
user's sessions. With the default \"action\": \"report\" nothing changes (each session that \
would end is listed as `planned`); with \"action\": \"terminate\" each is ended, failures \
reported without stopping the others. Returns a report with `stale_sessions` and \
`terminated`.";

const PROVISION_CONNECTION_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1, "description": "Unique connection name, e.g. `warehouse`."},
    "dialect_name": {"type": "string", "minLength": 1, "description": "Database dialect, e.g. `snowflake`, `bigquery_standard_sql`, `postgres`, `mysql`."},
    "host": {"type": ["string", "null"], "default": null, "description": "Database host."},
    "port": {"type": ["integer", "null"], "default": null, "minimum": 1, "maximum": 65535, "description": "Database port."},
    "database": {"type": ["string", "null"], "default": null, "description": "Default database name."},
    "username": {"type": ["string", "null"], "default": null, "description": "Database username."},
    "password": {"type": ["string", "null"], "default": null, "description": "Database password (sent to Looker only, never returned)."},
    "schema": {"type": ["string", "null"], "default": null, "description": "Default schema."},
    "tmp_db_name": {"type": ["string", "null"], "default": null, "description": "Scratch schema for PDTs."},
    "ssl": {"type": ["boolean", "null"], "default": null, "description": "Use SSL/TLS."},
    "pdts_enabled": {"type": ["boolean", "null"], "default": null, "description": "Enable persistent derived tables."}
  },
  "required": ["name", "dialect_name"],
  "additionalProperties": false
}"#;

const BOOTSTRAP_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1, "description": "Project name (becomes its id)."},
    "git_remote_url": {"type": "string", "minLength": 1, "description": "Git remote to clone from and push to, e.g. `git@github.com:acme/lookml.git`."},
    "git_service_name": {"type": "string", "default": "github", "description": "Git host: `github`, `gitlab`, `bitbucket` or `custom`."},
    "git_production_branch_name": {"type": ["string", "null"], "default": null, "description": "Production branch (Looker's default when omitted)."},
    "pull_request_mode": {"type": "string", "enum": ["off", "links", "recommended", "required"], "default": "links", "description": "Pull request mode."}
  },
  "required": ["name", "git_remote_url"],
  "additionalProperties": false
}"#;

const DEPLOY_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "project_id": {"type": "string", "minLength": 1, "description": "LookML project id."},
    "files": {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1, "description": "File path (relative to the project root) → new full content, e.g. {\"views/orders.view.lkml\": \"view: orders { ... }\"}. Written in path order."},
    "validate": {"type": "boolean", "default": true, "description": "Validate before deploying and skip the deploy on errors."}
  },
  "required": ["project_id", "files"],
  "additionalProperties": false
}"#;

const ROLLBACK_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "project_id": {"type": "string", "minLength": 1, "description": "LookML project id."},
    "confirm": {"type": "boolean", "default": false, "description": "Must be true to reset; false returns a dry-run plan."}
  },
  "required": ["project_id"],
  "additionalProperties": false
}"#;

const PROVISION_USER_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "email": {"type": "string", "minLength": 3, "description": "Email address (the login)."},
    "first_name": {"type": "string", "minLength": 1, "description": "First name."},
    "last_name": {"type": "string", "minLength": 1, "description": "Last name."},
    "role_ids": {"type": ["array", "null"], "items": {"type": "integer"}, "default": null, "description": "Role ids to assign directly (from `list_roles`)."},
    "group_ids": {"type": ["array", "null"], "items": {"type": "integer"}, "default": null, "description": "Group ids to add the user to (from `list_groups`)."},
    "user_attribute_values": {"type": ["object", "null"], "additionalProperties": {"type": "string"}, "default": null, "description": "Per-user attribute values keyed by user attribute id, e.g. {\"3\": \"EMEA\"}."},
    "send_invite": {"type": "boolean", "default": true, "description": "Email the user an account setup link at the end."}
  },
  "required": ["email", "first_name", "last_name"],
  "additionalProperties": false
}"#;

const GRANT_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "principal_type": {"type": "string", "enum": ["user", "group"], "description": "`user` or `group`."},
    "principal_id": {"type": "string", "minLength": 1, "description": "User id or group id."},
    "role_id": {"type": "string", "minLength": 1, "description": "Role id to grant (from `list_roles`)."}
  },
  "required": ["principal_type", "principal_id", "role_id"],
  "additionalProperties": false
}"#;

const OFFBOARD_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_id": {"type": "string", "minLength": 1, "description": "Looker user id."},
    "terminate_sessions": {"type": "boolean", "default": true, "description": "End all the user's login sessions."},
    "revoke_api_credentials": {"type": "boolean", "default": true, "description": "Delete all the user's API3 key pairs."},
    "deactivate_only": {"type": "boolean", "default": true, "description": "true: disable the account (reversible); false: delete the user for good."}
  },
  "required": ["user_id"],
  "additionalProperties": false
}"#;

const ROTATE_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_id": {"type": "string", "minLength": 1, "description": "Looker user id."},
    "delete_previous_id": {"type": ["string", "null"], "default": null, "description": "credentials_api3 id of the OLD pair to delete after creating the new one; pass it only once the new pair works."}
  },
  "required": ["user_id"],
  "additionalProperties": false
}"#;

const AUDIT_ACTIVITY_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "scope": {"type": "string", "enum": ["slow", "errors", "frequent", "by_user", "by_content"], "description": "Which audit to run."},
    "date_range": {"type": "string", "default": "7 days", "description": "Looker date filter, e.g. `7 days`, `this month`."},
    "user_email": {"type": ["string", "null"], "default": null, "description": "The user's email; required for `by_user`."},
    "dashboard_id": {"type": ["string", "null"], "default": null, "description": "Dashboard id for `by_content` (or `look_id`)."},
    "look_id": {"type": ["string", "null"], "default": null, "description": "Look id for `by_content` (or `dashboard_id`)."},
    "limit": {"type": "integer", "default": 100, "minimum": 1, "description": "Maximum rows (capped by the server's row limit)."}
  },
  "required": ["scope"],
  "additionalProperties": false
}"#;

const HEALTH_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "date_range": {"type": "string", "default": "24 hours", "description": "Looker date filter for the window, e.g. `24 hours`, `7 days`."}
  },
  "additionalProperties": false
}"#;

const RUNAWAY_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "threshold_seconds": {"type": "number", "default": 300, "exclusiveMinimum": 0, "description": "Minimum runtime in seconds for a query to count as runaway."},
    "action": {"type": "string", "enum": ["report", "kill"], "default": "report", "description": "`report` (changes nothing) or `kill`."}
  },
  "additionalProperties": false
}"#;

const STALE_CONTENT_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "min_days_unused": {"type": "integer", "default": 90, "minimum": 0, "description": "Minimum days since the content was last opened."},
    "content_type": {"type": "string", "enum": ["dashboard", "look", "all"], "default": "all", "description": "Which content to look at."},
    "limit": {"type": "integer", "default": 100, "minimum": 1, "description": "Maximum rows (capped by the server's row limit)."}
  },
  "additionalProperties": false
}"#;

const STALE_SESSIONS_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "max_age_days": {"type": "integer", "default": 90, "minimum": 0, "description": "Sessions created more than this many days ago are stale."},
    "action": {"type": "string", "enum": ["report", "terminate"], "default": "report", "description": "`report` (changes nothing) or `terminate`."}
  },
  "additionalProperties": false
}"#;

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

//! The `workflows` group: every workflow through a real MCP client against the simulator,
//! checking the step-by-step report, the Looker requests (method, path, key query and body
//! fields), one injected failing step per workflow (which step failed, with Looker's message, and
//! the state left behind, checked with follow-up tool calls), arguments refused before any Looker
//! call, and that secrets never reach the result twice nor the log.

use looker_sim::{Fault, FaultKind, RecordedRequest};
use rmcp::RoleClient;
use rmcp::model::CallToolResult;
use rmcp::service::RunningService;
use serde_json::{Value, json};

use crate::support::{Harness, call, json, query, shape, text};

const GROUPS: &str = "workflows,connection,modeling,admin";

/// The client type of [`Harness::client`].
type Client = RunningService<RoleClient, ()>;

/// Fails the next `method` request whose path starts with `prefix` with HTTP 500. The host
/// retries a GET that meets a 5xx (up to 3 more times), so a GET fault lasts 4 firings, enough
/// for the step to fail; each GET fault here is on a path the test does not read again.
fn fail_next(h: &Harness, method: &str, prefix: &str) {
    h.sim.inject(Fault {
        method: Some(method.into()),
        path_prefix: prefix.into(),
        kind: FaultKind::Status(500),
        times: if method == "GET" { 4 } else { 1 },
    });
}

/// [`shape`] with repeats of the same request (the host's retries of a failed GET) merged.
fn distinct(requests: &[RecordedRequest]) -> Vec<String> {
    let mut out = shape(requests);
    out.dedup();
    out
}

/// The report's steps as `step=status`.
fn steps(report: &Value) -> Vec<String> {
    report["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("no steps: {report}"))
        .iter()
        .map(|s| {
            format!(
                "{}={}",
                s["step"].as_str().unwrap(),
                s["status"].as_str().unwrap()
            )
        })
        .collect()
}

/// Asserts the report failed at `step` with Looker's 500 message.
fn failed_at(report: &Value, step: &str) {
    assert_eq!(report["completed"], false, "{report}");
    assert_eq!(report["failed_step"], step, "{report}");
    assert_eq!(report["error"]["http_status"], 500, "{report}");
    assert_eq!(
        report["error"]["message"], "Internal Server Error",
        "{report}"
    );
    let entry = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == step && s["status"] == "failed")
        .unwrap_or_else(|| panic!("no failed {step} step: {report}"));
    assert!(entry["looker"].as_str().is_some(), "{entry}");
}

/// A call refused before any Looker request.
fn refused(h: &Harness, result: &CallToolResult, needle: &str) {
    assert_eq!(result.is_error, Some(true), "{}", text(result));
    assert!(
        text(result).contains(needle),
        "{needle:?} in {}",
        text(result)
    );
    assert!(h.api_requests().is_empty());
}

/// `provision_connection` with every optional argument: created, then tested; the password
/// reaches Looker but never comes back nor reaches the log.
#[tokio::test]
async fn provision_connection_creates_then_tests_and_never_shows_the_password() {
    let h = Harness::new().await;
    let (client, logs) = h.stdio_client_with_logs(&["--groups", GROUPS]).await;
    let password = "s3cret-Db-Passw0rd";

    // provision_connection with every optional argument: created, then tested.
    let r = json(
        &call(
            &client,
            "provision_connection",
            json!({
                "name": "warehouse", "dialect_name": "postgres", "host": "db.example.com",
                "port": 5432, "database": "analytics", "username": "looker",
                "password": password, "schema": "public", "tmp_db_name": "looker_scratch",
                "ssl": true, "pdts_enabled": true,
            }),
        )
        .await,
    );
    assert_eq!(r["completed"], true, "{r}");
    assert_eq!(r["created"], true);
    assert_eq!(steps(&r), ["create_connection=ok", "test_connection=ok"]);
    assert_eq!(r["test"]["ran"], true);
    assert_eq!(r["test"]["healthy"], true, "{r}");
    assert!(!r["test"]["checks"].as_array().unwrap().is_empty());
    assert_eq!(r["connection"]["port"], "5432");
    assert!(!r.to_string().contains(password), "{r}");
    let reqs = h.api_requests();
    assert_eq!(
        shape(&reqs),
        ["POST /connections", "PUT /connections/warehouse/test"]
    );
    let body = reqs[0].body.as_ref().unwrap();
    assert_eq!(body["port"], "5432", "DBConnection.port is a string");
    assert_eq!(body["password"], password);
    for k in [
        "host",
        "database",
        "username",
        "schema",
        "tmp_db_name",
        "ssl",
        "pdts_enabled",
    ] {
        assert!(body.get(k).is_some(), "{k} sent: {body}");
    }

    assert!(
        !logs.text().contains(password),
        "the password reached the log"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// An unreachable host: the connection stays, the report says which checks failed.
#[tokio::test]
async fn provision_connection_reports_which_checks_an_unreachable_host_failed() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    // An unreachable host: the connection stays, the report says which checks failed.
    let r = json(
        &call(
            &client,
            "provision_connection",
            json!({"name": "broken", "dialect_name": "mysql", "host": "unreachable.example.com"}),
        )
        .await,
    );
    assert_eq!(r["completed"], true);
    assert_eq!(r["test"]["healthy"], false, "{r}");
    assert!(
        r["left_behind"]
            .as_str()
            .unwrap()
            .contains("update_connection")
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Injected failure of the test step: the connection exists and the report says so.
#[tokio::test]
async fn provision_connection_reports_a_failed_test_step_and_keeps_the_connection() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    // Injected failure of the test step: the connection exists and the report says so.
    fail_next(&h, "PUT", "/connections/");
    let r = json(
        &call(
            &client,
            "provision_connection",
            json!({"name": "half", "dialect_name": "postgres", "host": "db.example.com"}),
        )
        .await,
    );
    failed_at(&r, "test_connection");
    assert_eq!(r["created"], true);
    assert_eq!(r["test"]["ran"], false);
    assert!(
        r["left_behind"]
            .as_str()
            .unwrap()
            .contains("connection exists")
    );
    h.api_requests();
    let kept = json(&call(&client, "get_connection", json!({"name": "half"})).await);
    assert_eq!(kept["name"], "half", "{kept}");
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Injected failure of the create: nothing else is attempted.
#[tokio::test]
async fn provision_connection_stops_at_a_failed_create() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    // Injected failure of the create: nothing else is attempted.
    fail_next(&h, "POST", "/connections");
    let r = json(
        &call(
            &client,
            "provision_connection",
            json!({"name": "never", "dialect_name": "postgres"}),
        )
        .await,
    );
    failed_at(&r, "create_connection");
    assert_eq!(steps(&r), ["create_connection=failed"]);
    assert_eq!(shape(&h.api_requests()), ["POST /connections"]);
    let gone = call(&client, "get_connection", json!({"name": "never"})).await;
    assert_eq!(gone.is_error, Some(true));
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Schema-invalid arguments never reach Looker.
#[tokio::test]
async fn provision_connection_refuses_a_missing_dialect() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    refused(
        &h,
        &call(&client, "provision_connection", json!({"name": "x"})).await,
        "dialect_name",
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `bootstrap_lookml_project` with every optional argument; a failed git-settings step skips the deploy key and leaves the bare project.
#[tokio::test]
async fn bootstrap_lookml_project_sets_up_the_project_and_its_git() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;

    // bootstrap_lookml_project with every optional argument.
    let r = json(
        &call(
            &client,
            "bootstrap_lookml_project",
            json!({
                "name": "finance", "git_remote_url": "git@github.com:acme/finance.git",
                "git_service_name": "github", "git_production_branch_name": "main",
                "pull_request_mode": "required",
            }),
        )
        .await,
    );
    assert_eq!(r["completed"], true, "{r}");
    assert_eq!(
        steps(&r),
        [
            "create_project=ok",
            "configure_git=ok",
            "create_deploy_key=ok"
        ]
    );
    assert!(
        r["deploy_key_public"].as_str().unwrap().starts_with("ssh-"),
        "{r}"
    );
    let reqs = h.api_requests();
    assert_eq!(
        shape(&reqs),
        [
            "POST /projects",
            "PATCH /projects/finance",
            "POST /projects/finance/git/deploy_key"
        ]
    );
    assert!(reqs.iter().all(|r| r.workspace == "dev"), "{reqs:#?}");
    let git = reqs[1].body.as_ref().unwrap();
    assert_eq!(git["git_remote_url"], "git@github.com:acme/finance.git");
    assert_eq!(git["pull_request_mode"], "required");
    assert_eq!(git["git_production_branch_name"], "main");
    assert_eq!(git["git_service_name"], "github");

    // Injected failure of the git settings: the deploy key is skipped, the bare project stays.
    fail_next(&h, "PATCH", "/projects/");
    let r = json(
        &call(
            &client,
            "bootstrap_lookml_project",
            json!({"name": "sales", "git_remote_url": "git@github.com:acme/sales.git"}),
        )
        .await,
    );
    failed_at(&r, "configure_git");
    assert_eq!(
        steps(&r),
        [
            "create_project=ok",
            "configure_git=failed",
            "create_deploy_key=skipped"
        ]
    );
    assert!(
        r["left_behind"]
            .as_str()
            .unwrap()
            .contains("without git settings")
    );
    let reqs = h.api_requests();
    assert_eq!(shape(&reqs), ["POST /projects", "PATCH /projects/sales"]);
    assert_eq!(reqs[0].body.as_ref().unwrap()["name"], "sales");
    let project = json(&call(&client, "get_project", json!({"project_id": "sales"})).await);
    assert_eq!(project["id"], "sales", "{project}");
    h.api_requests();
    refused(
        &h,
        &call(
            &client,
            "bootstrap_lookml_project",
            json!({"name": "x", "git_remote_url": "u", "pull_request_mode": "sometimes"}),
        )
        .await,
        "pull_request_mode",
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// views/orders.view.lkml as [`with_deployed`] deploys it.
const ORDERS: &str = "view: orders {\n  sql_table_name: public.orders ;;\n  dimension: id {\n    primary_key: yes\n  }\n}\n";
/// views/returns.view.lkml as [`with_deployed`] deploys it.
const RETURNS: &str = "view: returns {\n  sql_table_name: public.returns ;;\n}\n";

/// A harness and a client where [`ORDERS`] (updated) and [`RETURNS`] (created) were deployed to
/// production, requests taken.
async fn with_deployed() -> (Harness, Client) {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    let r = json(
        &call(
            &client,
            "deploy_lookml_changes",
            json!({"project_id": "ecommerce", "files": {
                "views/orders.view.lkml": ORDERS, "views/returns.view.lkml": RETURNS,
            }}),
        )
        .await,
    );
    assert_eq!(r["deployed"], true, "set-up: {r}");
    h.api_requests();
    (h, client)
}

/// [`with_deployed`], then an invalid edit of views/returns.view.lkml left in the dev workspace
/// (validation failed, nothing deployed).
async fn with_invalid_edit() -> (Harness, Client) {
    let (h, client) = with_deployed().await;
    let r = json(
        &call(
            &client,
            "deploy_lookml_changes",
            json!({"project_id": "ecommerce", "files": {"views/returns.view.lkml": "view: returns {\n"}}),
        )
        .await,
    );
    assert_eq!(r["failed_step"], "validate", "set-up: {r}");
    h.api_requests();
    (h, client)
}

/// `deploy_lookml_changes`: one existing file updated, one new file created, validated, deployed.
#[tokio::test]
async fn deploy_lookml_changes_updates_creates_validates_and_deploys() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    let (orders, returns) = (ORDERS, RETURNS);
    let r = json(
        &call(
            &client,
            "deploy_lookml_changes",
            json!({"project_id": "ecommerce", "files": {
                "views/orders.view.lkml": orders, "views/returns.view.lkml": returns,
            }}),
        )
        .await,
    );
    assert_eq!(r["completed"], true, "{r}");
    assert_eq!(r["deployed"], true);
    assert_eq!(r["validation"]["valid"], true);
    assert_eq!(
        r["files"],
        json!([
            {"path": "views/orders.view.lkml", "action": "updated"},
            {"path": "views/returns.view.lkml", "action": "created"},
        ])
    );
    let reqs = h.api_requests();
    assert_eq!(
        shape(&reqs),
        [
            "PUT /projects/ecommerce/files",
            "PUT /projects/ecommerce/files",
            "POST /projects/ecommerce/files",
            "POST /projects/ecommerce/validate",
            "POST /projects/ecommerce/deploy_to_production"
        ]
    );
    assert_eq!(reqs[1].status, 404, "the new file is created after a 404");
    assert_eq!(
        reqs[2].body.as_ref().unwrap()["path"],
        "views/returns.view.lkml"
    );
    assert_eq!(reqs[2].body.as_ref().unwrap()["content"], returns);
    assert!(reqs.iter().all(|r| r.workspace == "dev"));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Invalid LookML: validation reports errors and nothing is deployed.
#[tokio::test]
async fn invalid_lookml_is_validated_and_not_deployed() {
    let (h, client) = with_deployed().await;
    // Invalid LookML: validation reports errors and nothing is deployed.
    let r = json(
        &call(
            &client,
            "deploy_lookml_changes",
            json!({"project_id": "ecommerce", "files": {"views/returns.view.lkml": "view: returns {\n"}}),
        )
        .await,
    );
    assert_eq!(r["completed"], false, "{r}");
    assert_eq!(r["failed_step"], "validate");
    assert_eq!(r["deployed"], false);
    assert_eq!(r["validation"]["valid"], false);
    assert!(
        r["validation"]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unbalanced braces")
    );
    assert_eq!(
        steps(&r),
        [
            "update_file views/returns.view.lkml=ok",
            "validate=ok",
            "deploy_to_production=skipped"
        ]
    );
    assert!(
        !shape(&h.api_requests())
            .iter()
            .any(|s| s.contains("deploy_to_production"))
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `rollback_to_production` without confirm: a dry-run plan, no request at all.
#[tokio::test]
async fn rollback_without_confirm_is_a_dry_run() {
    let (h, client) = with_invalid_edit().await;
    // rollback_to_production without confirm: a dry-run plan, no request at all.
    let r = json(
        &call(
            &client,
            "rollback_to_production",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    assert_eq!(r["dry_run"], true, "{r}");
    assert_eq!(r["reset"], false);
    assert_eq!(steps(&r), ["reset_to_production=planned"]);
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Injected failure of the reset: nothing changed; the invalid edit is still there.
#[tokio::test]
async fn a_failed_rollback_changes_nothing() {
    let (h, client) = with_invalid_edit().await;
    // Injected failure: nothing changed; the invalid edit is still there (validation says so).
    fail_next(&h, "POST", "/projects/ecommerce/reset_to_production");
    let r = json(
        &call(
            &client,
            "rollback_to_production",
            json!({"project_id": "ecommerce", "confirm": true}),
        )
        .await,
    );
    failed_at(&r, "reset_to_production");
    assert_eq!(r["reset"], false);
    h.api_requests();
    let still = json(
        &call(
            &client,
            "deploy_lookml_changes",
            json!({"project_id": "ecommerce", "files": {"views/extra.view.lkml": "view: extra {}\n"}}),
        )
        .await,
    );
    assert_eq!(still["validation"]["valid"], false, "{still}");
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `rollback_to_production` with confirm: the dev workspace is reset.
#[tokio::test]
async fn rollback_with_confirm_resets_the_dev_workspace() {
    let (h, client) = with_invalid_edit().await;
    // With confirm: the dev workspace is reset.
    let r = json(
        &call(
            &client,
            "rollback_to_production",
            json!({"project_id": "ecommerce", "confirm": true}),
        )
        .await,
    );
    assert_eq!(r["completed"], true, "{r}");
    assert_eq!(r["reset"], true);
    let reqs = h.api_requests();
    assert_eq!(
        shape(&reqs),
        ["POST /projects/ecommerce/reset_to_production"]
    );
    assert_eq!(reqs[0].workspace, "dev");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// validate=false skips validation; an injected deploy failure leaves the edit in dev only.
#[tokio::test]
async fn a_failed_deploy_leaves_the_edit_in_dev_only() {
    let (h, client) = with_deployed().await;
    let orders = ORDERS;
    // validate=false skips validation; an injected deploy failure leaves the edit in dev only.
    let orders_v2 = format!("{orders}# v2\n");
    fail_next(&h, "POST", "/projects/ecommerce/deploy_to_production");
    let r = json(
        &call(
            &client,
            "deploy_lookml_changes",
            json!({"project_id": "ecommerce", "validate": false,
                   "files": {"views/orders.view.lkml": orders_v2}}),
        )
        .await,
    );
    failed_at(&r, "deploy_to_production");
    assert_eq!(r["deployed"], false);
    assert_eq!(
        steps(&r),
        [
            "update_file views/orders.view.lkml=ok",
            "validate=skipped",
            "deploy_to_production=failed"
        ]
    );
    assert!(r["left_behind"].as_str().unwrap().contains("not deployed"));
    assert_eq!(
        shape(&h.api_requests()),
        [
            "PUT /projects/ecommerce/files",
            "POST /projects/ecommerce/deploy_to_production"
        ]
    );
    let file = |dev: bool| json!({"project_id": "ecommerce", "file_id": "views/orders.view.lkml", "dev_mode": dev});
    let dev = json(&call(&client, "get_file", file(true)).await);
    assert_eq!(
        dev["content"],
        orders_v2.as_str(),
        "the edit is in dev: {dev}"
    );
    let prod = json(&call(&client, "get_file", file(false)).await);
    assert_eq!(
        prod["content"], orders,
        "production has the last deploy: {prod}"
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Injected failure of a file write: the workflow stops there.
#[tokio::test]
async fn a_failed_file_write_stops_the_workflow() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    // Injected failure of a file write: the workflow stops there.
    fail_next(&h, "PUT", "/projects/ecommerce/files");
    let r = json(
        &call(
            &client,
            "deploy_lookml_changes",
            json!({"project_id": "ecommerce", "files": {"views/a.view.lkml": "view: a {}\n", "views/b.view.lkml": "view: b {}\n"}}),
        )
        .await,
    );
    failed_at(&r, "update_file views/a.view.lkml");
    assert_eq!(r["files"], json!([]));
    assert!(r["left_behind"].as_str().unwrap().starts_with("0 of 2"));
    assert_eq!(shape(&h.api_requests()), ["PUT /projects/ecommerce/files"]);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// No files, or a path out of the project, never reach Looker.
#[tokio::test]
async fn deploy_lookml_changes_refuses_no_files_and_escaping_paths() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    refused(
        &h,
        &call(
            &client,
            "deploy_lookml_changes",
            json!({"project_id": "ecommerce", "files": {}}),
        )
        .await,
        "files",
    );
    refused(
        &h,
        &call(
            &client,
            "deploy_lookml_changes",
            json!({"project_id": "ecommerce", "files": {"../escape.lkml": "x"}}),
        )
        .await,
        "relative",
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `provision_user` with every optional argument.
#[tokio::test]
async fn provision_user_runs_every_step_with_every_option() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    let r = json(
        &call(
            &client,
            "provision_user",
            json!({
                "email": "grace@example.com", "first_name": "Grace", "last_name": "Hopper",
                "role_ids": [4], "group_ids": [2], "user_attribute_values": {"2": "EMEA"},
                "send_invite": true,
            }),
        )
        .await,
    );
    assert_eq!(r["completed"], true, "{r}");
    let uid = r["user_id"].as_str().unwrap().to_owned();
    assert_eq!(
        steps(&r),
        [
            "create_user=ok",
            "create_credentials_email=ok",
            "set_roles=ok",
            "add_to_group 2=ok",
            "set_user_attribute 2=ok",
            "send_password_reset=ok"
        ]
    );
    assert!(!r.to_string().contains("password_reset_url"));
    let reqs = h.api_requests();
    assert_eq!(
        shape(&reqs),
        [
            "POST /users".to_owned(),
            format!("POST /users/{uid}/credentials_email"),
            format!("PUT /users/{uid}/roles"),
            "POST /groups/2/users".to_owned(),
            format!("PATCH /users/{uid}/attribute_values/2"),
            format!("POST /users/{uid}/credentials_email/send_password_reset"),
        ]
    );
    let user_body = reqs[0].body.as_ref().unwrap();
    assert!(user_body.get("email").is_none() && user_body.get("role_ids").is_none());
    assert_eq!(reqs[1].body.as_ref().unwrap()["email"], "grace@example.com");
    assert_eq!(reqs[2].body.as_ref().unwrap(), &json!(["4"]));
    assert_eq!(reqs[3].body.as_ref().unwrap()["user_id"], uid);
    assert_eq!(reqs[4].body.as_ref().unwrap()["value"], "EMEA");
    let user = json(&call(&client, "get_user", json!({"user_id": uid})).await);
    assert_eq!(user["email"], "grace@example.com", "{user}");
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Injected failure of the email credentials: later steps run, the invite is skipped.
#[tokio::test]
async fn provision_user_runs_later_steps_after_a_failed_email_login() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    // Injected failure of the email credentials: later steps run, the invite is skipped.
    fail_next(&h, "POST", "/users/");
    let r = json(
        &call(
            &client,
            "provision_user",
            json!({"email": "linus@example.com", "first_name": "Linus", "last_name": "T",
                   "send_invite": true}),
        )
        .await,
    );
    failed_at(&r, "create_credentials_email");
    assert_eq!(
        steps(&r),
        [
            "create_user=ok",
            "create_credentials_email=failed",
            "send_password_reset=skipped"
        ]
    );
    let linus = r["user_id"].as_str().unwrap().to_owned();
    assert!(
        r["left_behind"]
            .as_str()
            .unwrap()
            .contains(&format!("user {linus} exists"))
    );
    h.api_requests();
    let user = json(&call(&client, "get_user", json!({"user_id": linus})).await);
    assert!(
        user.get("email").is_none_or(Value::is_null),
        "no email login: {user}"
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// send_invite=false: no reset email.
#[tokio::test]
async fn provision_user_without_invite_sends_no_reset_email() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    let r = json(
        &call(
            &client,
            "provision_user",
            json!({"email": "ken@example.com", "first_name": "Ken", "last_name": "T",
                   "send_invite": false}),
        )
        .await,
    );
    assert_eq!(
        steps(&r),
        [
            "create_user=ok",
            "create_credentials_email=ok",
            "send_password_reset=skipped"
        ]
    );
    assert_eq!(h.api_requests().len(), 2);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Injected failure of the create: nothing exists.
#[tokio::test]
async fn provision_user_stops_at_a_failed_create() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    fail_next(&h, "POST", "/users");
    let r = json(
        &call(
            &client,
            "provision_user",
            json!({"email": "no@example.com", "first_name": "No", "last_name": "One"}),
        )
        .await,
    );
    failed_at(&r, "create_user");
    assert_eq!(r["created"], false);
    assert_eq!(shape(&h.api_requests()), ["POST /users"]);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// An invalid email never reaches Looker.
#[tokio::test]
async fn provision_user_refuses_an_invalid_email() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    refused(
        &h,
        &call(
            &client,
            "provision_user",
            json!({"email": "not-an-email", "first_name": "A", "last_name": "B"}),
        )
        .await,
        "email",
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `grant_access`: a user, the same again (no write), a group; a failed write leaves the members unchanged.
#[tokio::test]
async fn grant_access_adds_members_once() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;

    // grant_access: a user, then the same again (no write), then a group.
    let r = json(
        &call(
            &client,
            "grant_access",
            json!({"principal_type": "user", "principal_id": "3", "role_id": "3"}),
        )
        .await,
    );
    assert_eq!(r["granted"], true, "{r}");
    assert_eq!(r["already_granted"], false);
    let reqs = h.api_requests();
    assert_eq!(shape(&reqs), ["GET /roles/3/users", "PUT /roles/3/users"]);
    assert_eq!(query(&reqs[0], "direct_association_only"), Some("true"));
    let ids: Vec<&str> = reqs[1]
        .body
        .as_ref()
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"3") && ids.contains(&"2"),
        "existing members kept: {ids:?}"
    );
    let r = json(
        &call(
            &client,
            "grant_access",
            json!({"principal_type": "user", "principal_id": "3", "role_id": "3"}),
        )
        .await,
    );
    assert_eq!(r["already_granted"], true, "{r}");
    assert_eq!(shape(&h.api_requests()), ["GET /roles/3/users"]);
    let r = json(
        &call(
            &client,
            "grant_access",
            json!({"principal_type": "group", "principal_id": "2", "role_id": "4"}),
        )
        .await,
    );
    assert_eq!(r["granted"], true, "{r}");
    let reqs = h.api_requests();
    assert_eq!(shape(&reqs), ["GET /roles/4/groups", "PUT /roles/4/groups"]);
    assert_eq!(reqs[1].body.as_ref().unwrap(), &json!(["2"]));
    // Injected failure of the write: the role's members are unchanged.
    fail_next(&h, "PUT", "/roles/4/users");
    let r = json(
        &call(
            &client,
            "grant_access",
            json!({"principal_type": "user", "principal_id": "1", "role_id": "4"}),
        )
        .await,
    );
    failed_at(&r, "set_role_users");
    assert_eq!(r["granted"], false);
    h.api_requests();
    let user = json(&call(&client, "get_user", json!({"user_id": "1"})).await);
    assert!(!user["role_ids"].to_string().contains("\"4\""), "{user}");
    h.api_requests();
    refused(
        &h,
        &call(
            &client,
            "grant_access",
            json!({"principal_type": "team", "principal_id": "1", "role_id": "4"}),
        )
        .await,
        "principal_type",
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// A harness and a client where `rotate_api_credentials` made a pair for user 77 and then a
/// second one, retiring the first: the second pair's id, requests taken.
async fn with_rotated() -> (Harness, Client, String) {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    let id = |r: &Value| r["new_credentials"]["id"].as_str().unwrap().to_owned();
    let r = json(&call(&client, "rotate_api_credentials", json!({"user_id": "77"})).await);
    let first = id(&r);
    let r = json(
        &call(
            &client,
            "rotate_api_credentials",
            json!({"user_id": "77", "delete_previous_id": first}),
        )
        .await,
    );
    assert_eq!(r["completed"], true, "set-up: {r}");
    h.api_requests();
    (h, client, id(&r))
}

/// [`with_rotated`], then a third pair for user 77 whose rotation failed to retire the second:
/// user 77 has two pairs.
async fn with_two_pairs_for_user_77() -> (Harness, Client) {
    let (h, client, second) = with_rotated().await;
    fail_next(&h, "DELETE", "/users/77/credentials_api3/");
    let r = json(
        &call(
            &client,
            "rotate_api_credentials",
            json!({"user_id": "77", "delete_previous_id": second}),
        )
        .await,
    );
    assert_eq!(
        r["failed_step"], "delete_previous_credentials",
        "set-up: {r}"
    );
    h.api_requests();
    (h, client)
}

/// `rotate_api_credentials`: a new pair for user 77, the secret appearing once; again, retiring
/// the first pair; neither secret reaches the log.
#[tokio::test]
async fn rotate_api_credentials_shows_the_secret_once_and_never_logs_it() {
    let h = Harness::new().await;
    let (client, logs) = h.stdio_client_with_logs(&["--groups", GROUPS]).await;
    // rotate_api_credentials: a new pair for user 77; the secret appears once.
    let result = call(&client, "rotate_api_credentials", json!({"user_id": "77"})).await;
    assert!(
        result.structured_content.is_none(),
        "no second copy of the secret"
    );
    let r = json(&result);
    assert_eq!(r["rotated"], true, "{r}");
    let first = r["new_credentials"]["id"].as_str().unwrap().to_owned();
    let secret = r["new_credentials"]["client_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(secret.len(), 24, "{r}");
    let whole = serde_json::to_string(&result).unwrap();
    assert_eq!(
        whole.matches(&secret).count(),
        1,
        "the secret appears once: {whole}"
    );
    assert_eq!(r["old_pair_deletion"], Value::Null);
    assert_eq!(
        shape(&h.api_requests()),
        ["POST /users/77/credentials_api3"]
    );
    // Rotate again, retiring the first pair.
    let r = json(
        &call(
            &client,
            "rotate_api_credentials",
            json!({"user_id": "77", "delete_previous_id": first}),
        )
        .await,
    );
    assert_eq!(r["completed"], true, "{r}");
    assert_eq!(r["old_pair_deletion"]["ok"], true);
    let _second = r["new_credentials"]["id"].as_str().unwrap().to_owned();
    let secret2 = r["new_credentials"]["client_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        shape(&h.api_requests()),
        [
            "POST /users/77/credentials_api3".to_owned(),
            format!("DELETE /users/77/credentials_api3/{first}")
        ]
    );
    let log = logs.text();
    assert!(
        !log.contains(&secret) && !log.contains(&secret2),
        "a secret reached the log"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Injected failure of the deletion: both pairs exist.
#[tokio::test]
async fn a_failed_deletion_of_the_old_pair_keeps_both() {
    let (h, client, second) = with_rotated().await;
    // Injected failure of the deletion: both pairs exist.
    fail_next(&h, "DELETE", "/users/77/credentials_api3/");
    let r = json(
        &call(
            &client,
            "rotate_api_credentials",
            json!({"user_id": "77", "delete_previous_id": second}),
        )
        .await,
    );
    failed_at(&r, "delete_previous_credentials");
    assert_eq!(r["rotated"], true);
    assert!(
        r["left_behind"]
            .as_str()
            .unwrap()
            .contains("still in place")
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Injected failure of the creation: the old pair is kept, its deletion skipped.
#[tokio::test]
async fn a_failed_creation_keeps_the_old_pair() {
    let (h, client, second) = with_rotated().await;
    // Injected failure of the creation: the old pair is kept, its deletion skipped.
    fail_next(&h, "POST", "/users/77/credentials_api3");
    let r = json(
        &call(
            &client,
            "rotate_api_credentials",
            json!({"user_id": "77", "delete_previous_id": second}),
        )
        .await,
    );
    failed_at(&r, "create_api_credentials");
    assert_eq!(
        steps(&r),
        [
            "create_api_credentials=failed",
            "delete_previous_credentials=skipped"
        ]
    );
    assert_eq!(
        shape(&h.api_requests()),
        ["POST /users/77/credentials_api3"]
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `offboard_user` 77 with an injected session-listing failure: the other steps still run.
#[tokio::test]
async fn offboarding_runs_the_other_steps_when_one_fails() {
    let (h, client) = with_two_pairs_for_user_77().await;
    // offboard_user 77 with an injected session-listing failure: the other steps still run
    // (both remaining key pairs revoked, account disabled).
    fail_next(&h, "GET", "/users/77/sessions");
    let r = json(&call(&client, "offboard_user", json!({"user_id": "77"})).await);
    failed_at(&r, "list_sessions");
    assert_eq!(r["api_credentials_revoked"], 2, "{r}");
    assert_eq!(r["deactivated"], true);
    assert_eq!(r["requested_action"], "deactivate");
    let reqs = h.api_requests();
    assert_eq!(
        distinct(&reqs),
        [
            "GET /users/77/sessions",
            "GET /users/77/credentials_api3",
            "DELETE /users/77/credentials_api3/2",
            "DELETE /users/77/credentials_api3/3",
            "PATCH /users/77"
        ]
    );
    assert_eq!(
        reqs.last().unwrap().body.as_ref().unwrap(),
        &json!({"is_disabled": true})
    );
    let user = json(&call(&client, "get_user", json!({"user_id": "77"})).await);
    assert_eq!(user["is_disabled"], true, "{user}");
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `offboard_user` 2 with the defaults: sessions ended, API keys revoked, disabled.
#[tokio::test]
async fn offboarding_with_the_defaults_ends_sessions_revokes_keys_and_disables() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    // offboard_user 2 with the defaults: sessions ended, API keys revoked, disabled.
    let r = json(&call(&client, "offboard_user", json!({"user_id": "2"})).await);
    assert_eq!(r["completed"], true, "{r}");
    assert_eq!(r["sessions_terminated"], 1);
    assert_eq!(r["api_credentials_revoked"], 1);
    assert_eq!(
        shape(&h.api_requests()),
        [
            "GET /users/2/sessions",
            "DELETE /users/2/sessions/201",
            "GET /users/2/credentials_api3",
            "DELETE /users/2/credentials_api3/1",
            "PATCH /users/2"
        ]
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `offboard_user` 3 with every option flipped: only the delete.
#[tokio::test]
async fn offboarding_with_every_option_flipped_only_deletes() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    // offboard_user 3 with every option flipped: only the delete.
    let r = json(
        &call(
            &client,
            "offboard_user",
            json!({"user_id": "3", "terminate_sessions": false,
                   "revoke_api_credentials": false, "deactivate_only": false}),
        )
        .await,
    );
    assert_eq!(r["deleted"], true, "{r}");
    assert_eq!(
        steps(&r),
        [
            "terminate_sessions=skipped",
            "revoke_api_credentials=skipped",
            "delete_user=ok"
        ]
    );
    assert_eq!(shape(&h.api_requests()), ["DELETE /users/3"]);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Injected failure of the disable: the account is reported as still active.
#[tokio::test]
async fn a_failed_disable_reports_the_account_still_active() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    // Injected failure of the disable: the account is reported as still active.
    fail_next(&h, "PATCH", "/users/1");
    let r = json(
        &call(
            &client,
            "offboard_user",
            json!({"user_id": "1", "terminate_sessions": false, "revoke_api_credentials": false}),
        )
        .await,
    );
    failed_at(&r, "disable_user");
    assert_eq!(r["deactivated"], false);
    assert!(r["left_behind"].as_str().unwrap().contains("still active"));
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `audit_query_activity` scope slow with a date range and a limit: sorted by runtime.
#[tokio::test]
async fn audit_of_slow_queries_uses_every_option() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    let r = json(
        &call(
            &client,
            "audit_query_activity",
            json!({"scope": "slow", "date_range": "30 days", "limit": 5}),
        )
        .await,
    );
    assert_eq!(r["completed"], true, "{r}");
    assert_eq!(r["row_count"], 5);
    assert_eq!(r["truncated"], true);
    let rows = r["rows"].as_array().unwrap();
    assert!(rows[0]["history.runtime"].as_f64() >= rows[4]["history.runtime"].as_f64());
    let reqs = h.api_requests();
    assert_eq!(shape(&reqs), ["POST /queries/run/json"]);
    let body = reqs[0].body.as_ref().unwrap();
    assert_eq!(body["model"], "system__activity");
    assert_eq!(body["view"], "history");
    assert_eq!(body["limit"], "5");
    assert_eq!(body["filters"]["history.created_date"], "30 days");
    assert_eq!(body["sorts"], json!(["history.runtime desc"]));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Scopes errors and frequent, with the default date range and limit.
#[tokio::test]
async fn audit_of_errors_and_frequent_queries_uses_the_defaults() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    let r = json(&call(&client, "audit_query_activity", json!({"scope": "errors"})).await);
    assert!(r["row_count"].as_u64().unwrap() > 0, "{r}");
    assert!(
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["history.status"] != "complete")
    );
    let body = h.api_requests()[0].body.clone().unwrap();
    assert_eq!(body["filters"]["history.status"], "-complete");
    assert_eq!(body["filters"]["history.created_date"], "7 days");
    assert_eq!(body["limit"], "100");

    let r = json(
        &call(
            &client,
            "audit_query_activity",
            json!({"scope": "frequent"}),
        )
        .await,
    );
    assert!(
        r["rows"][0]["history.query_run_count"].as_u64().unwrap() > 1,
        "{r}"
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Scopes by_user (an email) and by_content (a dashboard or a look) filter the history.
#[tokio::test]
async fn audit_by_user_and_by_content_filters_the_history() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    let r = json(
        &call(
            &client,
            "audit_query_activity",
            json!({"scope": "by_user", "user_email": "alice@example.com"}),
        )
        .await,
    );
    assert!(r["row_count"].as_u64().unwrap() > 0, "{r}");
    assert!(
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["user.email"] == "alice@example.com")
    );
    assert_eq!(
        h.api_requests()[0].body.as_ref().unwrap()["filters"]["user.email"],
        "alice@example.com"
    );
    let r = json(
        &call(
            &client,
            "audit_query_activity",
            json!({"scope": "by_content", "dashboard_id": "1"}),
        )
        .await,
    );
    assert!(
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["dashboard.id"] == "1"),
        "{r}"
    );
    h.api_requests();
    let r = json(
        &call(
            &client,
            "audit_query_activity",
            json!({"scope": "by_content", "look_id": "1"}),
        )
        .await,
    );
    assert_eq!(
        h.api_requests()[0].body.as_ref().unwrap()["filters"]["look.id"],
        "1",
        "{r}"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// A by_user scope without an email, a dashboard and a look together, an unknown scope: refused
/// before Looker.
#[tokio::test]
async fn audit_query_activity_refuses_missing_or_conflicting_scope_arguments() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    refused(
        &h,
        &call(&client, "audit_query_activity", json!({"scope": "by_user"})).await,
        "user_email",
    );
    refused(
        &h,
        &call(
            &client,
            "audit_query_activity",
            json!({"scope": "by_content", "dashboard_id": "1", "look_id": "2"}),
        )
        .await,
        "not both",
    );
    refused(
        &h,
        &call(&client, "audit_query_activity", json!({"scope": "weird"})).await,
        "scope",
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Injected failure of the history query: the report says so, with no rows.
#[tokio::test]
async fn audit_query_activity_reports_a_failed_history_query() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;
    fail_next(&h, "POST", "/queries/run");
    let r = json(&call(&client, "audit_query_activity", json!({"scope": "slow"})).await);
    failed_at(&r, "query_history");
    assert_eq!(r["rows"], Value::Null);
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `audit_instance_health`: three sections.
#[tokio::test]
async fn audit_instance_health_reports_three_sections() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;

    // audit_instance_health: three sections.
    let r = json(
        &call(
            &client,
            "audit_instance_health",
            json!({"date_range": "7 days"}),
        )
        .await,
    );
    assert_eq!(r["completed"], true, "{r}");
    assert_eq!(
        steps(&r),
        [
            "failed_pdt_builds=ok",
            "failed_schedule_runs=ok",
            "content_validation=ok"
        ]
    );
    assert!(
        r["sections"]["failed_pdt_builds"]["sample_count"]
            .as_u64()
            .unwrap()
            >= 1,
        "{r}"
    );
    assert!(
        r["sections"]["failed_schedule_runs"]["sample_count"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert_eq!(r["healthy"], false);
    assert_eq!(r["partial_failure"], false);
    let reqs = h.api_requests();
    assert_eq!(
        shape(&reqs),
        [
            "POST /queries/run/json",
            "POST /queries/run/json",
            "GET /content_validation"
        ]
    );
    let cv = &r["sections"]["content_validation"];
    assert!(cv["total_errors"].is_u64(), "{cv}");
    assert!(cv["total_looks_validated"].is_u64(), "{cv}");
    assert!(query(&reqs[2], "fields").is_some_and(|f| f.contains("content_with_errors")));
    assert_eq!(reqs[0].body.as_ref().unwrap()["view"], "pdt_event_log");
    assert_eq!(reqs[0].body.as_ref().unwrap()["limit"], "10");
    assert_eq!(reqs[1].body.as_ref().unwrap()["view"], "scheduled_plan");
    assert_eq!(
        reqs[1].body.as_ref().unwrap()["filters"]["scheduled_job.created_date"],
        "7 days"
    );
    fail_next(&h, "GET", "/content_validation");
    let r = json(&call(&client, "audit_instance_health", json!({})).await);
    failed_at(&r, "content_validation");
    assert_eq!(r["partial_failure"], true);
    assert_eq!(r["healthy"], false);
    assert!(r["sections"]["content_validation"]["error"].is_string());
    assert_eq!(
        h.api_requests()[0].body.as_ref().unwrap()["filters"]["pdt_event_log.created_date"],
        "24 hours"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `investigate_runaway_queries`: report only, then kill (one injected failure first).
#[tokio::test]
async fn investigate_runaway_queries_reports_then_kills() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;

    // investigate_runaway_queries: report only, then kill (one injected failure first).
    let r = json(&call(&client, "investigate_runaway_queries", json!({})).await);
    assert_eq!(r["runaway_count"], 1, "{r}");
    assert_eq!(r["runaways"][0]["query_task_id"], "qt-7f3a9c1e2b");
    assert_eq!(
        steps(&r),
        [
            "list_running_queries=ok",
            "kill_query qt-7f3a9c1e2b=planned"
        ]
    );
    assert_eq!(r["killed"], Value::Null);
    assert_eq!(shape(&h.api_requests()), ["GET /running_queries"]);
    fail_next(&h, "DELETE", "/running_queries/");
    let r = json(
        &call(
            &client,
            "investigate_runaway_queries",
            json!({"threshold_seconds": 1, "action": "kill"}),
        )
        .await,
    );
    failed_at(&r, "kill_query qt-7f3a9c1e2b");
    assert_eq!(r["runaway_count"], 2);
    assert_eq!(
        r["killed"],
        json!([{"query_task_id": "qt-7f3a9c1e2b", "ok": false},
               {"query_task_id": "qt-0b8d44e6a1", "ok": true}])
    );
    assert_eq!(
        shape(&h.api_requests()),
        [
            "GET /running_queries",
            "DELETE /running_queries/qt-7f3a9c1e2b",
            "DELETE /running_queries/qt-0b8d44e6a1"
        ]
    );
    let r = json(
        &call(
            &client,
            "investigate_runaway_queries",
            json!({"threshold_seconds": 300, "action": "kill"}),
        )
        .await,
    );
    assert_eq!(r["completed"], true, "{r}");
    assert_eq!(
        r["killed"],
        json!([{"query_task_id": "qt-7f3a9c1e2b", "ok": true}])
    );
    h.api_requests();
    let r = json(
        &call(
            &client,
            "investigate_runaway_queries",
            json!({"threshold_seconds": 1}),
        )
        .await,
    );
    assert_eq!(r["runaway_count"], 0, "both killed: {r}");
    h.api_requests();
    refused(
        &h,
        &call(
            &client,
            "investigate_runaway_queries",
            json!({"threshold_seconds": 0}),
        )
        .await,
        "threshold_seconds",
    );
    refused(
        &h,
        &call(
            &client,
            "investigate_runaway_queries",
            json!({"action": "nuke"}),
        )
        .await,
        "action",
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `find_stale_content`: defaults, then every optional argument.
#[tokio::test]
async fn find_stale_content_with_defaults_and_every_option() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;

    // find_stale_content: defaults, then every optional argument.
    let r = json(&call(&client, "find_stale_content", json!({})).await);
    assert_eq!(r["completed"], true, "{r}");
    let rows = r["rows"].as_array().unwrap();
    assert!(!rows.is_empty(), "{r}");
    assert!(rows.iter().all(|row| {
        row["content_usage.days_since_last_accessed"]
            .as_u64()
            .unwrap()
            >= 90
    }));
    let body = h.api_requests()[0].body.clone().unwrap();
    assert_eq!(body["view"], "content_usage");
    assert_eq!(
        body["filters"]["content_usage.days_since_last_accessed"],
        ">=90"
    );
    assert!(body["filters"].get("content_usage.content_type").is_none());
    let r = json(
        &call(
            &client,
            "find_stale_content",
            json!({"min_days_unused": 30, "content_type": "dashboard", "limit": 2}),
        )
        .await,
    );
    assert!(r["stale_count"].as_u64().unwrap() <= 2, "{r}");
    assert!(
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["content_usage.content_type"] == "dashboard")
    );
    let body = h.api_requests()[0].body.clone().unwrap();
    assert_eq!(body["filters"]["content_usage.content_type"], "dashboard");
    assert_eq!(
        body["filters"]["content_usage.days_since_last_accessed"],
        ">=30"
    );
    assert_eq!(body["limit"], "2");
    fail_next(&h, "POST", "/queries/run/json");
    let r = json(&call(&client, "find_stale_content", json!({})).await);
    failed_at(&r, "content_usage");
    h.api_requests();
    refused(
        &h,
        &call(
            &client,
            "find_stale_content",
            json!({"content_type": "board"}),
        )
        .await,
        "content_type",
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `disable_stale_sessions`: a report (every seeded session is old), none at 400 days, then terminate.
#[tokio::test]
async fn disable_stale_sessions_reports_then_terminates() {
    let h = Harness::new().await;
    let client = h.client(GROUPS).await;

    // disable_stale_sessions: report (all seeded sessions are old), none at 400 days, terminate.
    let r = json(&call(&client, "disable_stale_sessions", json!({})).await);
    assert_eq!(r["stale_count"], 4, "{r}");
    assert_eq!(r["terminated"], Value::Null);
    let reqs = h.api_requests();
    assert_eq!(shape(&reqs)[0], "GET /users");
    assert_eq!(query(&reqs[0], "limit"), Some("100"));
    assert!(
        shape(&reqs)
            .iter()
            .skip(1)
            .all(|s| s.starts_with("GET /users/") && s.ends_with("/sessions"))
    );
    assert!(!shape(&reqs).iter().any(|s| s.starts_with("DELETE")));
    let r = json(
        &call(
            &client,
            "disable_stale_sessions",
            json!({"max_age_days": 400, "action": "report"}),
        )
        .await,
    );
    assert_eq!(r["stale_count"], 0, "{r}");
    h.api_requests();
    fail_next(&h, "DELETE", "/users/2/sessions/");
    let r = json(
        &call(
            &client,
            "disable_stale_sessions",
            json!({"max_age_days": 90, "action": "terminate"}),
        )
        .await,
    );
    failed_at(&r, "terminate_session 2:201");
    let ok = r["terminated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["ok"] == true)
        .count();
    assert_eq!(ok, 3, "{r}");
    assert!(r["left_behind"].as_str().unwrap().starts_with("3 of 4"));
    h.api_requests();
    let r = json(&call(&client, "disable_stale_sessions", json!({})).await);
    assert_eq!(r["stale_count"], 1, "only the failed one is left: {r}");
    assert_eq!(r["stale_sessions"][0]["id"], "201");
    h.api_requests();
    refused(
        &h,
        &call(
            &client,
            "disable_stale_sessions",
            json!({"action": "purge"}),
        )
        .await,
        "action",
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

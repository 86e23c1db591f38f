//! The `modeling` group: every tool through a real MCP client against the simulator, checking
//! results and the Looker requests (method, path, query, body, user and workspace), including
//! per-user dev workspaces, atomic branch swaps (and their serialization) and progress.

use std::time::Duration;

use looker_sim::{Fault, FaultKind};
use rmcp::RoleClient;
use rmcp::service::RunningService;
use serde_json::{Value, json};

use crate::support::{
    Harness, RawStdio, assert_tool_error, call, json, only_tool_request as only, query as q, shape,
    text, tool_requests as seen,
};

const FEATURE: &str = "feature/new-dashboard";

/// The client type of [`Harness::client`].
type Client = RunningService<RoleClient, ()>;

/// A harness and a `modeling` client with a new project, finance, requests taken.
async fn with_finance() -> (Harness, Client) {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    json(&call(&client, "create_project", json!({"name": "finance"})).await);
    seen(&h);
    (h, client)
}

/// `list_projects` and `get_project`; an unknown project is 404.
#[tokio::test]
async fn projects_are_listed_and_read() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let listed = json(&call(&client, "list_projects", json!({})).await);
    let ids: Vec<&str> = listed["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["ecommerce", "marketing"], "{listed}");
    assert!(listed["projects"][0].get("can").is_none());
    let r = only(&h);
    assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", "/projects"));
    assert!(q(&r, "fields").unwrap().contains("git_remote_url"));

    let project = json(&call(&client, "get_project", json!({"project_id": "ecommerce"})).await);
    assert_eq!(project["git_production_branch_name"], "main");
    assert_eq!(only(&h).path, "/projects/ecommerce");
    let missing = call(&client, "get_project", json!({"project_id": "nope"})).await;
    assert_tool_error(&missing, "Not found");
    assert_eq!(only(&h).path, "/projects/nope");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Looker creates projects only in the dev workspace, and a name only once.
#[tokio::test]
async fn create_project_makes_it_in_the_dev_workspace_once() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    // Looker creates projects only in the dev workspace.
    let created = json(&call(&client, "create_project", json!({"name": "finance"})).await);
    assert_eq!(created["id"], "finance");
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.workspace.as_str()),
        ("POST", "/projects", "dev")
    );
    assert_eq!(r.body, Some(json!({"name": "finance"})));
    let again = call(&client, "create_project", json!({"name": "finance"})).await;
    assert_tool_error(&again, "already exists");
    seen(&h);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Every optional setting of `update_project` reaches Looker; absent ones are not sent.
#[tokio::test]
async fn update_project_sends_the_settings_given_and_never_shows_passwords() {
    let (h, client) = with_finance().await;
    // Every optional setting of update_project reaches Looker; absent ones are not sent.
    let all = json!({
        "name": "finance", "git_remote_url": "git@github.com:example/finance.git",
        "git_username": "bot", "git_password": "s3cret", "git_service_name": "github",
        "git_username_user_attribute": "git_user", "git_password_user_attribute": "git_pass",
        "git_production_branch_name": "release", "pull_request_mode": "required",
        "validation_required": true, "git_release_mgmt_enabled": true, "allow_warnings": false,
    });
    let mut args = all.clone();
    args["project_id"] = json!("finance");
    let updated = json(&call(&client, "update_project", args).await);
    assert_eq!(updated["pull_request_mode"], "required");
    assert_eq!(
        updated["git_password"], "********",
        "passwords are never shown"
    );
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PATCH", "/projects/finance")
    );
    assert_eq!(r.body, Some(all));
    let partial = json(
        &call(
            &client,
            "update_project",
            json!({"project_id": "finance", "allow_warnings": true, "name": null}),
        )
        .await,
    );
    assert_eq!(partial["allow_warnings"], true);
    assert_eq!(only(&h).body, Some(json!({"allow_warnings": true})));
    let nothing = call(&client, "update_project", json!({"project_id": "finance"})).await;
    assert_tool_error(&nothing, "nothing to change");
    let invalid = call(
        &client,
        "update_project",
        json!({"project_id": "finance", "pull_request_mode": "sometimes"}),
    )
    .await;
    assert_tool_error(&invalid, "pull_request_mode");
    seen(&h);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// The spec offers no project deletion: the tool explains, and sends nothing.
#[tokio::test]
async fn projects_cannot_be_deleted() {
    let (h, client) = with_finance().await;
    // The spec offers no project deletion: the tool explains, and sends nothing.
    let deleted = call(&client, "delete_project", json!({"project_id": "finance"})).await;
    assert_tool_error(&deleted, "cannot delete LookML projects");
    assert!(seen(&h).is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `get_project_manifest` reads the manifest.
#[tokio::test]
async fn the_project_manifest_is_read() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let manifest = json(
        &call(
            &client,
            "get_project_manifest",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    assert_eq!(manifest["name"], "ecommerce");
    assert_eq!(manifest["imports"][0]["name"], "marketing");
    assert_eq!(only(&h).path, "/projects/ecommerce/manifest");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Deploy keys are text/plain: returned as text, never parsed as JSON; a missing one is made.
#[tokio::test]
async fn project_deploy_keys_are_text_and_made_where_missing() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    // Deploy keys are text/plain: returned as text, never parsed as JSON.
    let key = call(
        &client,
        "get_project_deploy_key",
        json!({"project_id": "ecommerce"}),
    )
    .await;
    assert!(text(&key).contains("ssh-rsa AAAAB3"), "{}", text(&key));
    assert_eq!(
        json(&key)["deploy_key"]
            .as_str()
            .unwrap()
            .split(' ')
            .count(),
        3
    );
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/projects/ecommerce/git/deploy_key")
    );
    let none = call(
        &client,
        "get_project_deploy_key",
        json!({"project_id": "marketing"}),
    )
    .await;
    assert_tool_error(&none, "Not found");
    seen(&h);
    let new = json(
        &call(
            &client,
            "create_project_deploy_key",
            json!({"project_id": "marketing"}),
        )
        .await,
    );
    let new_key = new["deploy_key"].as_str().unwrap().to_string();
    assert!(
        new_key.starts_with("ssh-rsa ") && new["created"] == true,
        "{new}"
    );
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/projects/marketing/git/deploy_key")
    );
    let fetched = json(
        &call(
            &client,
            "get_project_deploy_key",
            json!({"project_id": "marketing"}),
        )
        .await,
    );
    assert_eq!(fetched["deploy_key"], new_key.as_str());
    seen(&h);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Schema-invalid arguments never reach Looker.
#[tokio::test]
async fn invalid_project_arguments_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    // Schema-invalid arguments never reach Looker.
    for (tool, args) in [
        ("get_project", json!({})),
        ("create_project", json!({"name": true})),
        ("list_projects", json!({"extra": 1})),
        (
            "get_project_manifest",
            json!({"project_id": "ecommerce", "x": 1}),
        ),
    ] {
        let result = call(&client, tool, args).await;
        assert_tool_error(&result, "invalid arguments");
    }
    assert!(seen(&h).is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `list_project_files` and `get_file` read the caller's dev workspace.
#[tokio::test]
async fn project_files_are_listed_and_read_in_the_dev_workspace() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let listed = json(
        &call(
            &client,
            "list_project_files",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    assert_eq!(listed["workspace"], "dev");
    let paths: Vec<&str> = listed["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"views/orders.view.lkml") && paths.contains(&"ecommerce.model.lkml"),
        "{paths:?}"
    );
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.workspace.as_str()),
        ("GET", "/projects/ecommerce/files", "dev")
    );

    let file = json(
        &call(
            &client,
            "get_file",
            json!({"project_id": "ecommerce", "file_id": "views/orders.view.lkml"}),
        )
        .await,
    );
    assert!(
        file["content"].as_str().unwrap().contains("view: orders {"),
        "{file}"
    );
    assert_eq!(file["file"]["type"], "view");
    let requests = seen(&h);
    assert_eq!(
        shape(&requests),
        [
            "GET /projects/ecommerce/files/file",
            "GET /projects/ecommerce/file/content"
        ]
    );
    assert_eq!(q(&requests[0], "file_id"), Some("views/orders.view.lkml"));
    assert_eq!(q(&requests[1], "file_path"), Some("views/orders.view.lkml"));
    assert!(requests.iter().all(|r| r.workspace == "dev"));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// A harness and a `modeling` client, with alice (user 2) having made views/returns.view.lkml
/// in her own dev workspace, and the requests taken.
async fn with_alices_file() -> (Harness, Client) {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let content = "view: returns {\n  sql_table_name: public.returns ;;\n}\n";
    json(
        &call(
            &client,
            "create_file",
            json!({
        "project_id": "ecommerce", "file_id": "views/returns.view.lkml", "content": content,
        "act_as_user": "alice@example.com"}),
        )
        .await,
    );
    seen(&h);
    (h, client)
}

/// `create_file` as alice (by email) writes in her own dev workspace.
#[tokio::test]
async fn alice_creates_a_file_in_her_own_dev_workspace() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    // Alice writes in her own dev workspace (act_as_user by email, then by id).
    let content = "view: returns {\n  sql_table_name: public.returns ;;\n}\n";
    let created = json(
        &call(
            &client,
            "create_file",
            json!({
        "project_id": "ecommerce", "file_id": "views/returns.view.lkml", "content": content,
        "act_as_user": "alice@example.com"}),
        )
        .await,
    );
    assert_eq!(created["status"], "created");
    assert_eq!(created["file"]["git_status"]["action"], "A");
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.workspace.as_str()),
        ("POST", "/projects/ecommerce/files", "dev")
    );
    assert_eq!(r.user_id.as_deref(), Some("2"));
    assert_eq!(
        r.body,
        Some(json!({"path": "views/returns.view.lkml", "content": content}))
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// A file alice made is in her dev workspace only, not another user's nor production.
#[tokio::test]
async fn another_users_dev_workspace_and_production_are_separate() {
    let (h, client) = with_alices_file().await;
    let has_returns = |v: &Value| {
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "views/returns.view.lkml")
    };
    let alice = json(
        &call(
            &client,
            "list_project_files",
            json!({"project_id": "ecommerce", "act_as_user": "2"}),
        )
        .await,
    );
    assert!(has_returns(&alice), "{alice}");
    let admin = json(
        &call(
            &client,
            "list_project_files",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    assert!(
        !has_returns(&admin),
        "another user's dev workspace is separate: {admin}"
    );
    let production = json(
        &call(
            &client,
            "list_project_files",
            json!({"project_id": "ecommerce", "dev_mode": false}),
        )
        .await,
    );
    assert_eq!(production["workspace"], "production");
    assert!(!has_returns(&production));
    let requests = seen(&h);
    assert_eq!(
        requests
            .iter()
            .map(|r| (r.user_id.clone().unwrap(), r.workspace.clone()))
            .collect::<Vec<_>>(),
        [
            ("2".to_string(), "dev".to_string()),
            ("1".into(), "dev".into()),
            ("1".into(), "production".into())
        ]
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `update_file` as alice (by id) rewrites her file.
#[tokio::test]
async fn update_file_rewrites_a_users_file() {
    let (h, client) = with_alices_file().await;
    let changed = "view: returns {\n  sql_table_name: public.returns_v2 ;;\n}\n";
    let updated = json(&call(&client, "update_file", json!({
        "project_id": "ecommerce", "file_id": "views/returns.view.lkml", "content": changed, "act_as_user": "2"})).await);
    assert_eq!(updated["status"], "updated");
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.user_id.as_deref()),
        ("PUT", Some("2"))
    );
    assert_eq!(
        r.body,
        Some(json!({"path": "views/returns.view.lkml", "content": changed}))
    );
    let read = json(&call(&client, "get_file", json!({"project_id": "ecommerce", "file_id": "views/returns.view.lkml", "act_as_user": "2"})).await);
    assert_eq!(read["content"], changed);
    seen(&h);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `delete_file` as alice removes her file; reading or deleting it again is Looker's 404.
#[tokio::test]
async fn delete_file_removes_a_users_file_once() {
    let (h, client) = with_alices_file().await;
    let deleted = json(&call(&client, "delete_file", json!({"project_id": "ecommerce", "file_id": "views/returns.view.lkml", "act_as_user": "2"})).await);
    assert_eq!(deleted["status"], "deleted");
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.workspace.as_str()),
        ("DELETE", "/projects/ecommerce/files", "dev")
    );
    assert_eq!(q(&r, "file_path"), Some("views/returns.view.lkml"));
    let gone = call(&client, "get_file", json!({"project_id": "ecommerce", "file_id": "views/returns.view.lkml", "act_as_user": "2"})).await;
    assert_tool_error(&gone, "Not found");
    let again = call(&client, "delete_file", json!({"project_id": "ecommerce", "file_id": "views/returns.view.lkml", "act_as_user": "2"})).await;
    assert_tool_error(&again, "HTTP 404");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Creating a file that exists or updating one that does not is refused by Looker.
#[tokio::test]
async fn looker_refuses_an_existing_file_and_updates_to_an_absent_one() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let exists = call(
        &client,
        "create_file",
        json!({"project_id": "ecommerce", "file_id": "views/orders.view.lkml", "content": "x"}),
    )
    .await;
    assert_tool_error(&exists, "already exists");
    let absent = call(
        &client,
        "update_file",
        json!({"project_id": "ecommerce", "file_id": "views/none.view.lkml", "content": "x"}),
    )
    .await;
    assert_tool_error(&absent, "Not found");
    seen(&h);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Invalid paths are refused before any Looker call (and before any sudo or branch swap).
#[tokio::test]
async fn invalid_file_paths_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    h.api_requests();
    // Invalid paths are refused before any Looker call (and before any sudo or branch swap).
    for (tool, path) in [
        ("get_file", "../secrets.lkml"),
        ("create_file", "/etc/passwd"),
        ("update_file", "views/../../x.lkml"),
        ("delete_file", "views//x.lkml"),
    ] {
        let mut args = json!({"project_id": "ecommerce", "file_id": path, "branch": FEATURE, "act_as_user": "2"});
        if tool == "create_file" || tool == "update_file" {
            args["content"] = json!("x");
        }
        let result = call(&client, tool, args).await;
        assert_tool_error(&result, "file_id");
    }
    assert!(
        h.sim.take_requests().is_empty(),
        "no request at all, not even a login"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `branch` swaps the branch for the call only: save, check out, run, restore.
#[tokio::test]
async fn branch_swaps_the_branch_for_the_call_only() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    // `branch` swaps the branch for the call only: save, check out, run, restore.
    let on_branch = json(
        &call(
            &client,
            "list_project_files",
            json!({"project_id": "ecommerce", "branch": FEATURE, "dev_mode": false}),
        )
        .await,
    );
    assert_eq!(on_branch["workspace"], "dev", "branch implies dev mode");
    assert_eq!(on_branch["branch"], FEATURE);
    let requests = seen(&h);
    assert_eq!(
        shape(&requests),
        [
            "GET /projects/ecommerce/git_branch",
            "PUT /projects/ecommerce/git_branch",
            "GET /projects/ecommerce/files",
            "PUT /projects/ecommerce/git_branch"
        ]
    );
    assert_eq!(requests[1].body, Some(json!({"name": FEATURE})));
    let restored = requests[3].body.as_ref().unwrap()["name"].as_str().unwrap();
    assert!(
        restored.starts_with("dev-"),
        "restores the personal branch: {restored}"
    );
    assert!(requests.iter().all(|r| r.workspace == "dev"));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Each file tool on a branch as the CI user: the swap and the restore wrap the call, all as
/// user 77 in the dev workspace.
#[tokio::test]
async fn every_file_tool_runs_on_a_branch_as_another_user() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    for tool in ["get_file", "create_file", "update_file", "delete_file"] {
        let mut args = json!({"project_id": "ecommerce", "file_id": "views/branch.view.lkml", "branch": FEATURE, "act_as_user": "ci-bot@example.com"});
        if tool == "get_file" {
            args["file_id"] = json!("views/orders.view.lkml");
            args["dev_mode"] = json!(true);
        }
        if tool.starts_with("create") || tool.starts_with("update") {
            args["content"] = json!("view: branch {}\n");
        }
        let result = call(&client, tool, args).await;
        assert_ne!(result.is_error, Some(true), "{tool}: {}", text(&result));
        let requests = seen(&h);
        assert_eq!(
            requests.first().map(|r| r.path.as_str()),
            Some("/projects/ecommerce/git_branch"),
            "{tool}"
        );
        assert_eq!(
            shape(&requests).last().map(String::as_str),
            Some("PUT /projects/ecommerce/git_branch"),
            "{tool}"
        );
        assert!(
            requests
                .iter()
                .all(|r| r.user_id.as_deref() == Some("77") && r.workspace == "dev"),
            "{tool}: {requests:#?}"
        );
    }
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `validate_project` validates production by default.
#[tokio::test]
async fn production_validation_passes() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let valid = json(
        &call(
            &client,
            "validate_project",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    assert_eq!(
        (
            valid["valid"].clone(),
            valid["error_count"].clone(),
            valid["workspace"].clone()
        ),
        (json!(true), json!(0), json!("production"))
    );
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.workspace.as_str()),
        ("POST", "/projects/ecommerce/validate", "production")
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// A broken file in the dev workspace fails dev validation.
#[tokio::test]
async fn a_broken_dev_file_fails_dev_validation() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    // A broken file in the dev workspace fails dev validation, not production's.
    call(&client, "update_file", json!({"project_id": "ecommerce", "file_id": "views/users.view.lkml", "content": "view: users {\n  dimension: id {\n"})).await;
    seen(&h);
    let broken = json(
        &call(
            &client,
            "validate_project",
            json!({"project_id": "ecommerce", "dev_mode": true}),
        )
        .await,
    );
    assert_eq!(broken["valid"], false, "{broken}");
    assert_eq!(
        broken["errors"][0]["file_path"],
        "ecommerce/views/users.view.lkml"
    );
    assert_eq!(only(&h).workspace, "dev");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// PR validation as the CI user: swap, validate, restore, all as user 77.
#[tokio::test]
async fn pr_validation_runs_on_the_branch_as_the_ci_user() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    // PR validation as the CI user: swap, validate, restore, all as user 77.
    let pr = json(&call(&client, "validate_project", json!({"project_id": "ecommerce", "branch": FEATURE, "act_as_user": "ci-bot@example.com"})).await);
    assert_eq!(pr["branch"], FEATURE);
    let requests = seen(&h);
    assert_eq!(
        shape(&requests),
        [
            "GET /projects/ecommerce/git_branch",
            "PUT /projects/ecommerce/git_branch",
            "POST /projects/ecommerce/validate",
            "PUT /projects/ecommerce/git_branch"
        ]
    );
    assert!(requests.iter().all(|r| r.user_id.as_deref() == Some("77")));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// An unknown project or branch fails without validating ecommerce.
#[tokio::test]
async fn validation_of_unknown_projects_and_branches_fails() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let missing = call(&client, "validate_project", json!({"project_id": "nope"})).await;
    assert_tool_error(&missing, "Not found");
    let bad_branch = call(
        &client,
        "validate_project",
        json!({"project_id": "ecommerce", "branch": "no/such/branch"}),
    )
    .await;
    assert_tool_error(&bad_branch, "no/such/branch");
    let requests = seen(&h);
    assert!(
        !requests
            .iter()
            .any(|r| r.path.ends_with("/validate") && r.path.contains("ecommerce")),
        "{requests:#?}"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `list_lookml_tests`: all, by file in dev mode, and on a branch as another user.
#[tokio::test]
async fn lookml_tests_are_listed_and_filtered() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let tests = json(
        &call(
            &client,
            "list_lookml_tests",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    assert_eq!(tests["count"], 2);
    assert_eq!(tests["tests"][0]["name"], "orders_have_ids");
    assert_eq!(tests["tests"][1]["explore_name"], "orders");
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.workspace.as_str()),
        ("GET", "/projects/ecommerce/lookml_tests", "production")
    );
    let filtered = json(
        &call(
            &client,
            "list_lookml_tests",
            json!({"project_id": "ecommerce", "file_id": "tests/orders.lkml", "dev_mode": true}),
        )
        .await,
    );
    assert_eq!(filtered["count"], 2);
    let r = only(&h);
    assert_eq!(
        (q(&r, "file_id"), r.workspace.as_str()),
        (Some("tests/orders.lkml"), "dev")
    );
    let none = json(&call(&client, "list_lookml_tests", json!({"project_id": "ecommerce", "file_id": "other.lkml", "branch": FEATURE, "act_as_user": "2"})).await);
    assert_eq!(none["count"], 0);
    assert_eq!(shape(&seen(&h)).len(), 4);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `run_lookml_tests` runs production's tests by default.
#[tokio::test]
async fn lookml_tests_run_in_production() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let run = json(
        &call(
            &client,
            "run_lookml_tests",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    assert_eq!(
        (run["passed"].clone(), run["tests_run"].clone()),
        (json!(true), json!(2)),
        "{run}"
    );
    let r = only(&h);
    assert_eq!(
        (r.path.as_str(), r.workspace.as_str()),
        ("/projects/ecommerce/lookml_tests/run", "production")
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// The PR branch has a data regression; the CI user's branch is restored afterwards.
#[tokio::test]
async fn lookml_tests_on_a_pr_branch_report_failures_and_restore_the_branch() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    // The PR branch has a data regression; the CI user's branch is restored afterwards.
    let pr = json(&call(&client, "run_lookml_tests", json!({
        "project_id": "ecommerce", "branch": FEATURE, "act_as_user": "77", "model": "ecommerce",
        "test": "revenue_is_positive", "file_id": "tests/orders.lkml", "dev_mode": true, "timeout": 120})).await);
    assert_eq!(pr["passed"], false, "{pr}");
    assert_eq!(pr["results"][0]["test_name"], "revenue_is_positive");
    assert!(
        pr["results"][0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("positive")
    );
    let requests = seen(&h);
    assert_eq!(
        shape(&requests)[2],
        "GET /projects/ecommerce/lookml_tests/run"
    );
    let run_req = &requests[2];
    assert_eq!(
        (
            q(run_req, "model"),
            q(run_req, "test"),
            q(run_req, "file_id")
        ),
        (
            Some("ecommerce"),
            Some("revenue_is_positive"),
            Some("tests/orders.lkml")
        )
    );
    assert_eq!(
        shape(&requests).last().unwrap(),
        "PUT /projects/ecommerce/git_branch"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// A negative or non-numeric timeout is refused before any Looker call.
#[tokio::test]
async fn run_lookml_tests_refuses_a_bad_timeout() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let bad = call(
        &client,
        "run_lookml_tests",
        json!({"project_id": "ecommerce", "timeout": -1}),
    )
    .await;
    assert_tool_error(&bad, "timeout");
    let bad = call(
        &client,
        "run_lookml_tests",
        json!({"project_id": "ecommerce", "timeout": "soon"}),
    )
    .await;
    assert_tool_error(&bad, "invalid arguments");
    assert!(seen(&h).is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn branch_swaps_for_one_user_and_project_are_serialized() {
    let h = Harness::new().await;
    let client = h.client("modeling,git").await;
    let before = json(
        &call(
            &client,
            "get_git_branch",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    let original = before["branch"]["name"].as_str().unwrap().to_string();
    assert!(original.starts_with("dev-"), "{before}");
    seen(&h);
    // Without a branch, two slow calls run side by side (so any serialization below is the
    // branch lock's doing, not the server's).
    h.sim.inject(Fault {
        method: Some("POST".into()),
        path_prefix: "/projects/ecommerce/validate".into(),
        kind: FaultKind::Delay(Duration::from_millis(800)),
        times: 2,
    });
    let plain = json!({"project_id": "ecommerce"});
    let started = std::time::Instant::now();
    let (a, b) = tokio::join!(
        call(&client, "validate_project", plain.clone()),
        call(&client, "validate_project", plain.clone())
    );
    assert!(a.is_error != Some(true) && b.is_error != Some(true));
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "calls without a branch overlap: {:?}",
        started.elapsed()
    );
    seen(&h);
    // The first validation to reach Looker is slow, so the two calls overlap.
    h.sim.inject(Fault {
        method: Some("POST".into()),
        path_prefix: "/projects/ecommerce/validate".into(),
        kind: FaultKind::Delay(Duration::from_millis(800)),
        times: 1,
    });
    let args = json!({"project_id": "ecommerce", "branch": FEATURE});
    let (a, b) = tokio::join!(
        call(&client, "validate_project", args.clone()),
        call(&client, "validate_project", args.clone())
    );
    assert_ne!(a.is_error, Some(true), "{}", text(&a));
    assert_ne!(b.is_error, Some(true), "{}", text(&b));
    let requests = seen(&h);
    let order = shape(&requests);
    let swap = [
        "GET /projects/ecommerce/git_branch",
        "PUT /projects/ecommerce/git_branch",
    ];
    assert_eq!(order.len(), 8, "{order:#?}");
    // Each call's save → check out → run → restore runs as a block; the second GET comes
    // after the first restore PUT.
    assert_eq!(order[..2], swap);
    assert_eq!(order[3], "PUT /projects/ecommerce/git_branch");
    assert_eq!(order[4..6], swap);
    assert_eq!(order[7], "PUT /projects/ecommerce/git_branch");
    for restore in [&requests[3], &requests[7]] {
        assert_eq!(restore.body.as_ref().unwrap()["name"], original.as_str());
    }
    let after = json(
        &call(
            &client,
            "get_git_branch",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    assert_eq!(
        after["branch"]["name"],
        original.as_str(),
        "the original branch is restored"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn long_runs_report_progress() {
    let h = Harness::new().await;
    let mut server = RawStdio::spawn(h.command(&["--groups", "modeling"]));
    server
        .request(1, "initialize", json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}))
        .await;
    server
        .send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await;
    server
        .send(
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "run_lookml_tests", "arguments": {"project_id": "ecommerce", "branch": FEATURE},
            "_meta": {"progressToken": "tests-1"}}}),
        )
        .await;
    let mut progress = Vec::new();
    let result = loop {
        let message = server.recv().await;
        if message["method"] == "notifications/progress" {
            assert_eq!(message["params"]["progressToken"], "tests-1");
            progress.push(message["params"].clone());
        } else if message["id"] == 2 {
            break message;
        }
    };
    assert_eq!(result["result"]["isError"], json!(false), "{result}");
    assert_eq!(progress.len(), 2, "{progress:#?}");
    assert!(
        progress[0]["message"].as_str().unwrap().contains(FEATURE),
        "{progress:#?}"
    );
    assert_eq!(progress[1]["progress"].as_f64(), Some(1.0));
    h.assert_no_violations();
}

#[tokio::test]
async fn cancelling_a_branch_run_restores_the_branch() {
    let h = Harness::new().await;
    h.sim.inject(Fault {
        method: Some("GET".into()),
        path_prefix: "/projects/ecommerce/lookml_tests/run".into(),
        kind: FaultKind::Delay(Duration::from_secs(30)),
        times: 1,
    });
    let mut server = RawStdio::spawn(h.command(&["--groups", "modeling"]));
    server
        .request(1, "initialize", json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}))
        .await;
    server
        .send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await;
    server
        .send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "run_lookml_tests", "arguments": {"project_id": "ecommerce", "branch": FEATURE}}}))
        .await;
    // Wait until the tests are running on the branch, then cancel.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !h
        .sim
        .requests()
        .iter()
        .any(|r| r.path.ends_with("/git_branch") && r.method == "PUT")
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the branch was never checked out"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    server
        .send(json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 2, "reason": "user"}}))
        .await;
    // The tests would run 30 s more; the cancelled call restores the branch at once.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let puts: Vec<Value> = h
            .sim
            .requests()
            .iter()
            .filter(|r| r.method == "PUT" && r.path.ends_with("/git_branch"))
            .map(|r| r.body.clone().unwrap_or_default())
            .collect();
        if puts.len() == 2 {
            assert_eq!(puts[0]["name"], FEATURE);
            assert!(
                puts[1]["name"].as_str().unwrap().starts_with("dev-"),
                "{puts:?}"
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the branch was not restored: {puts:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    h.assert_no_violations();
}

/// A harness and a `modeling` client with two PDT builds started, orders_rollup (with every
/// option) and user_facts (with the defaults): their materialization ids, requests taken.
async fn with_pdt_builds() -> (Harness, Client, String, String) {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let started = json(
        &call(
            &client,
            "start_pdt_build",
            json!({
        "model_name": "ecommerce", "view_name": "orders_rollup", "force_rebuild": true,
        "force_full_incremental": true, "workspace": "dev", "source": "mcp"}),
        )
        .await,
    );
    let defaults = json(
        &call(
            &client,
            "start_pdt_build",
            json!({"model_name": "ecommerce", "view_name": "user_facts"}),
        )
        .await,
    );
    seen(&h);
    let id = |v: &Value| v["materialization_id"].as_str().unwrap().to_string();
    (h, client, id(&started), id(&defaults))
}

/// `list_datagroups` and `get_datagroup`; an unknown id is 404.
#[tokio::test]
async fn datagroups_are_listed_and_read() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let groups = json(&call(&client, "list_datagroups", json!({})).await);
    assert_eq!(groups["datagroups"].as_array().unwrap().len(), 3);
    assert_eq!(only(&h).path, "/datagroups");
    let one = json(&call(&client, "get_datagroup", json!({"datagroup_id": "1"})).await);
    assert_eq!(one["name"], "orders_datagroup");
    assert_eq!(only(&h).path, "/datagroups/1");
    let missing = call(&client, "get_datagroup", json!({"datagroup_id": "99"})).await;
    assert_tool_error(&missing, "Not found");
    seen(&h);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `reset_datagroup` and `trigger_datagroup` patch only their timestamp.
#[tokio::test]
async fn datagroups_are_reset_and_triggered() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let reset = json(&call(&client, "reset_datagroup", json!({"datagroup_id": "1"})).await);
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PATCH", "/datagroups/1")
    );
    let body = r.body.unwrap();
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["stale_before"]
    );
    assert_eq!(reset["datagroup"]["stale_before"], body["stale_before"]);
    let triggered = json(&call(&client, "trigger_datagroup", json!({"datagroup_id": "2"})).await);
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PATCH", "/datagroups/2")
    );
    let body = r.body.unwrap();
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["triggered_at"]
    );
    assert_eq!(triggered["datagroup"]["triggered_at"], body["triggered_at"]);
    let missing = call(&client, "trigger_datagroup", json!({"datagroup_id": "99"})).await;
    assert_tool_error(&missing, "HTTP 404");
    seen(&h);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// PDT builds are started with GETs, with every option or the defaults.
#[tokio::test]
async fn pdt_builds_start_with_every_option_or_the_defaults() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    // PDT builds are started, checked and stopped with GETs.
    let started = json(
        &call(
            &client,
            "start_pdt_build",
            json!({
        "model_name": "ecommerce", "view_name": "orders_rollup", "force_rebuild": true,
        "force_full_incremental": true, "workspace": "dev", "source": "mcp"}),
        )
        .await,
    );
    let _id = started["materialization_id"].as_str().unwrap().to_string();
    assert!(
        started["status"].as_str().unwrap().contains("enqueued"),
        "{started}"
    );
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/derived_table/ecommerce/orders_rollup/start")
    );
    assert_eq!(
        (
            q(&r, "force_rebuild"),
            q(&r, "force_full_incremental"),
            q(&r, "workspace"),
            q(&r, "source")
        ),
        (Some("true"), Some("true"), Some("dev"), Some("mcp"))
    );
    let defaults = json(
        &call(
            &client,
            "start_pdt_build",
            json!({"model_name": "ecommerce", "view_name": "user_facts"}),
        )
        .await,
    );
    let _second = defaults["materialization_id"].as_str().unwrap().to_string();
    let r = only(&h);
    assert_eq!(
        (q(&r, "force_rebuild"), q(&r, "workspace"), q(&r, "source")),
        (Some("false"), Some("production"), None)
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `stop_pdt_build` stops a running build; `check_pdt_build` reports a complete one, which a
/// stop leaves alone.
#[tokio::test]
async fn pdt_builds_are_stopped_and_checked() {
    let (h, client, id, second) = with_pdt_builds().await;
    let stopped = json(
        &call(
            &client,
            "stop_pdt_build",
            json!({"materialization_id": second, "source": "mcp"}),
        )
        .await,
    );
    assert!(
        stopped["status"]
            .as_str()
            .unwrap()
            .contains("stopped by mcp"),
        "{stopped}"
    );
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), q(&r, "source")),
        (
            "GET",
            format!("/derived_table/{second}/stop").as_str(),
            Some("mcp")
        )
    );
    let status = json(
        &call(
            &client,
            "check_pdt_build",
            json!({"materialization_id": id}),
        )
        .await,
    );
    assert_eq!(status["status"], "Materialization complete");
    assert_eq!(only(&h).path, format!("/derived_table/{id}/status"));
    let stop_default =
        json(&call(&client, "stop_pdt_build", json!({"materialization_id": id})).await);
    assert!(
        stop_default["status"]
            .as_str()
            .unwrap()
            .contains("already complete")
    );
    assert!(only(&h).query.is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Unknown builds and views that are not PDTs are Looker's refusals; a bad workspace never
/// reaches Looker.
#[tokio::test]
async fn pdt_builds_refuse_unknown_ids_non_pdts_and_bad_workspaces() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let unknown = call(
        &client,
        "check_pdt_build",
        json!({"materialization_id": "mat-nope"}),
    )
    .await;
    assert_tool_error(&unknown, "Not found");
    let not_pdt = call(
        &client,
        "start_pdt_build",
        json!({"model_name": "ecommerce", "view_name": "orders"}),
    )
    .await;
    assert_tool_error(&not_pdt, "not a persistent derived table");
    seen(&h);
    let bad = call(
        &client,
        "start_pdt_build",
        json!({"model_name": "ecommerce", "view_name": "user_facts", "workspace": "staging"}),
    )
    .await;
    assert_tool_error(&bad, "workspace");
    assert!(seen(&h).is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `graph_derived_tables_for_model`: dot, colored, unknown model.
#[tokio::test]
async fn derived_table_graphs_for_a_model() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let graph = json(
        &call(
            &client,
            "graph_derived_tables_for_model",
            json!({"model": "ecommerce"}),
        )
        .await,
    );
    assert!(
        graph["graph_text"]
            .as_str()
            .unwrap()
            .contains("\"ecommerce::user_facts\" -> \"ecommerce::orders_rollup\""),
        "{graph}"
    );
    let r = only(&h);
    assert_eq!(
        (r.path.as_str(), q(&r, "format"), q(&r, "color")),
        (
            "/derived_table/graph/model/ecommerce",
            Some("dot"),
            Some("false")
        )
    );
    let colored = json(
        &call(
            &client,
            "graph_derived_tables_for_model",
            json!({"model": "ecommerce", "format": "dot", "color": true}),
        )
        .await,
    );
    assert!(
        colored["graph_text"]
            .as_str()
            .unwrap()
            .contains("fillcolor")
    );
    assert_eq!(q(&only(&h), "color"), Some("true"));
    let unknown = call(
        &client,
        "graph_derived_tables_for_model",
        json!({"model": "nope"}),
    )
    .await;
    assert_tool_error(&unknown, "Not found");
    seen(&h);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `graph_derived_tables_for_view`: all models in production, or scoped.
#[tokio::test]
async fn derived_table_graphs_for_a_view() {
    let h = Harness::new().await;
    let client = h.client("modeling").await;
    let view = json(
        &call(
            &client,
            "graph_derived_tables_for_view",
            json!({"view": "user_facts"}),
        )
        .await,
    );
    assert!(
        view["graph_text"]
            .as_str()
            .unwrap()
            .contains("orders_rollup"),
        "{view}"
    );
    let r = only(&h);
    assert_eq!(
        (r.path.as_str(), q(&r, "models"), q(&r, "workspace")),
        (
            "/derived_table/graph/view/user_facts",
            None,
            Some("production")
        )
    );
    let scoped = call(
        &client,
        "graph_derived_tables_for_view",
        json!({"view": "user_facts", "models": "marketing", "workspace": "dev"}),
    )
    .await;
    assert_tool_error(&scoped, "Not found");
    let r = only(&h);
    assert_eq!(
        (q(&r, "models"), q(&r, "workspace")),
        (Some("marketing"), Some("dev"))
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn annotations_follow_what_tools_do() {
    let h = Harness::new().await;
    let client = h.client("modeling,git").await;
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 25 + 14);
    let hint = |name: &str| {
        let t = tools
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("{name}"));
        let a = t.annotations.clone().unwrap();
        (
            a.read_only_hint.unwrap(),
            a.destructive_hint.unwrap(),
            a.idempotent_hint.unwrap(),
        )
    };
    for name in [
        "list_projects",
        "get_file",
        "validate_project",
        "run_lookml_tests",
        "check_pdt_build",
        "get_git_branch",
        "get_git_deploy_key",
        "run_git_connection_test",
    ] {
        assert_eq!(hint(name), (true, false, true), "{name}");
    }
    for name in [
        "delete_file",
        "update_file",
        "delete_project",
        "create_project_deploy_key",
        "deploy_to_production",
        "reset_to_production",
        "reset_git_branch_to_remote",
        "update_git_branch",
        "delete_git_branch",
        "create_git_deploy_key",
        "reset_datagroup",
        "stop_pdt_build",
    ] {
        let (read_only, destructive, _) = hint(name);
        assert!(!read_only && destructive, "{name}");
    }
    for name in [
        "create_file",
        "create_project",
        "create_git_branch",
        "switch_git_branch",
        "start_pdt_build",
    ] {
        let (read_only, destructive, _) = hint(name);
        assert!(!read_only && !destructive, "{name}");
    }
    client.cancel().await.unwrap();
}

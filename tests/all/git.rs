//! The `git` group: every tool through a real MCP client against the simulator, checking results
//! and the Looker requests, with `act_as_user` on the workspace-scoped tools.

use rmcp::RoleClient;
use rmcp::service::RunningService;
use serde_json::json;

use crate::support::{
    Harness, assert_tool_error, call, json, only_tool_request as only, query as q, shape, text,
    tool_requests as seen,
};

/// The client type of [`Harness::client`].
type Client = RunningService<RoleClient, ()>;

/// A harness and a `git` client where the admin made and checked out feature/returns (from
/// main) and the CI user made tmp_ci_5bd8, requests taken: with the admin's personal branch.
async fn with_branches() -> (Harness, Client, String) {
    let h = Harness::new().await;
    let client = h.client("git").await;
    let mine = json(
        &call(
            &client,
            "get_git_branch",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    let personal = mine["branch"]["name"].as_str().unwrap().to_string();
    json(
        &call(
            &client,
            "create_git_branch",
            json!({"project_id": "ecommerce", "branch_name": "feature/returns", "ref": "main"}),
        )
        .await,
    );
    json(&call(&client, "create_git_branch", json!({"project_id": "ecommerce", "branch_name": "tmp_ci_5bd8", "act_as_user": "ci-bot@example.com"})).await);
    seen(&h);
    (h, client, personal)
}

/// `get_git_branch`: the admin's personal branch, or another user's (by email).
#[tokio::test]
async fn get_git_branch_reads_each_users_own_workspace() {
    let h = Harness::new().await;
    let client = h.client("git").await;
    let mine = json(
        &call(
            &client,
            "get_git_branch",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    let personal = mine["branch"]["name"].as_str().unwrap().to_string();
    assert!(
        personal.starts_with("dev-") && mine["branch"]["personal"] == true,
        "{mine}"
    );
    let r = only(&h);
    assert_eq!(
        (
            r.method.as_str(),
            r.path.as_str(),
            r.workspace.as_str(),
            r.user_id.as_deref()
        ),
        ("GET", "/projects/ecommerce/git_branch", "dev", Some("1"))
    );
    // Another user's workspace, by email and by id.
    let ci = json(
        &call(
            &client,
            "get_git_branch",
            json!({"project_id": "ecommerce", "act_as_user": "ci-bot@example.com"}),
        )
        .await,
    );
    assert_eq!(ci["user_id"], "77");
    assert_ne!(ci["branch"]["name"], personal.as_str());
    assert_eq!(only(&h).user_id.as_deref(), Some("77"));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `list_git_branches` as another user; `get_git_branch_by_name` encodes the name as one segment.
#[tokio::test]
async fn branches_are_listed_and_read_by_name() {
    let h = Harness::new().await;
    let client = h.client("git").await;
    let listed = json(
        &call(
            &client,
            "list_git_branches",
            json!({"project_id": "ecommerce", "act_as_user": "2"}),
        )
        .await,
    );
    let names: Vec<&str> = listed["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"main") && names.contains(&"feature/new-dashboard"),
        "{names:?}"
    );
    let r = only(&h);
    assert_eq!(
        (r.path.as_str(), r.user_id.as_deref(), r.workspace.as_str()),
        ("/projects/ecommerce/git_branches", Some("2"), "dev")
    );

    let main = json(
        &call(
            &client,
            "get_git_branch_by_name",
            json!({"project_id": "ecommerce", "branch_name": "main"}),
        )
        .await,
    );
    assert_eq!(main["branch"]["is_production"], true);
    assert_eq!(only(&h).path, "/projects/ecommerce/git_branch/main");
    let feature = json(
        &call(
            &client,
            "get_git_branch_by_name",
            json!({"project_id": "ecommerce", "branch_name": "feature/new-dashboard", "act_as_user": "77"}),
        )
        .await,
    );
    assert_eq!(feature["branch"]["name"], "feature/new-dashboard");
    let r = only(&h);
    assert_eq!(
        r.path, "/projects/ecommerce/git_branch/feature%2Fnew-dashboard",
        "a branch name is one encoded segment"
    );
    assert_eq!(r.user_id.as_deref(), Some("77"));
    let missing = call(
        &client,
        "get_git_branch_by_name",
        json!({"project_id": "ecommerce", "branch_name": "nope"}),
    )
    .await;
    assert_tool_error(&missing, "Not found");
    seen(&h);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `create_git_branch` checks the new branch out; a taken name is refused; as another user.
#[tokio::test]
async fn create_git_branch_checks_the_new_branch_out() {
    let h = Harness::new().await;
    let client = h.client("git").await;
    let created = json(
        &call(
            &client,
            "create_git_branch",
            json!({"project_id": "ecommerce", "branch_name": "feature/returns", "ref": "main"}),
        )
        .await,
    );
    assert_eq!(created["branch"]["name"], "feature/returns");
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.workspace.as_str()),
        ("POST", "/projects/ecommerce/git_branch", "dev")
    );
    assert_eq!(
        r.body,
        Some(json!({"name": "feature/returns", "ref": "main"}))
    );
    let now = json(
        &call(
            &client,
            "get_git_branch",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    assert_eq!(
        now["branch"]["name"], "feature/returns",
        "creating checks the branch out"
    );
    seen(&h);
    let duplicate = call(
        &client,
        "create_git_branch",
        json!({"project_id": "ecommerce", "branch_name": "feature/returns"}),
    )
    .await;
    assert_tool_error(&duplicate, "already exists");
    assert_eq!(
        only(&h).body,
        Some(json!({"name": "feature/returns"})),
        "no ref unless given"
    );
    let as_ci = json(&call(&client, "create_git_branch", json!({"project_id": "ecommerce", "branch_name": "tmp_ci_5bd8", "act_as_user": "ci-bot@example.com"})).await);
    assert_eq!(as_ci["user_id"], "77");
    assert_eq!(only(&h).user_id.as_deref(), Some("77"));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// The checked-out branch cannot be deleted; switch away first.
#[tokio::test]
async fn the_checked_out_branch_is_deleted_only_after_switching_away() {
    let (h, client, personal) = with_branches().await;
    // The checked-out branch cannot be deleted; switch away first.
    let busy = call(
        &client,
        "delete_git_branch",
        json!({"project_id": "ecommerce", "branch_name": "feature/returns"}),
    )
    .await;
    assert_tool_error(&busy, "checked out");
    seen(&h);
    let switched = json(
        &call(
            &client,
            "switch_git_branch",
            json!({"project_id": "ecommerce", "branch_name": personal}),
        )
        .await,
    );
    assert_eq!(switched["branch"]["name"], personal.as_str());
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.workspace.as_str()),
        ("PUT", "/projects/ecommerce/git_branch", "dev")
    );
    assert_eq!(r.body, Some(json!({"name": personal})));
    let deleted = json(
        &call(
            &client,
            "delete_git_branch",
            json!({"project_id": "ecommerce", "branch_name": "feature/returns"}),
        )
        .await,
    );
    assert_eq!(deleted["status"], "deleted");
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("DELETE", "/projects/ecommerce/git_branch/feature%2Freturns")
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// An admin cleans up the CI user's stuck branch in the CI user's workspace.
#[tokio::test]
async fn an_admin_cleans_up_another_users_branch_in_their_workspace() {
    let (h, client, _) = with_branches().await;
    // An admin cleans up the CI user's stuck branch in the CI user's workspace.
    let ci_switch = json(&call(&client, "switch_git_branch", json!({"project_id": "ecommerce", "branch_name": "main", "act_as_user": "ci-bot@example.com"})).await);
    assert_eq!(ci_switch["branch"]["name"], "main");
    let ci_delete = json(
        &call(
            &client,
            "delete_git_branch",
            json!({"project_id": "ecommerce", "branch_name": "tmp_ci_5bd8", "act_as_user": "77"}),
        )
        .await,
    );
    assert_eq!(ci_delete["user_id"], "77");
    let requests = seen(&h);
    assert_eq!(
        shape(&requests),
        [
            "PUT /projects/ecommerce/git_branch",
            "DELETE /projects/ecommerce/git_branch/tmp_ci_5bd8"
        ]
    );
    assert!(
        requests
            .iter()
            .all(|r| r.user_id.as_deref() == Some("77") && r.workspace == "dev")
    );
    let gone = call(
        &client,
        "delete_git_branch",
        json!({"project_id": "ecommerce", "branch_name": "tmp_ci_5bd8", "act_as_user": "77"}),
    )
    .await;
    assert_tool_error(&gone, "Not found");
    seen(&h);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `act_as_user` that is neither an id nor an email, or an unknown email: refused up front.
#[tokio::test]
async fn act_as_user_must_be_an_id_or_a_known_email() {
    let h = Harness::new().await;
    let client = h.client("git").await;
    // act_as_user that is neither an id nor an email, or an unknown email: refused up front.
    let bad = call(
        &client,
        "switch_git_branch",
        json!({"project_id": "ecommerce", "branch_name": "main", "act_as_user": "bob"}),
    )
    .await;
    assert_tool_error(&bad, "numeric Looker user id or an email");
    let unknown = call(
        &client,
        "get_git_branch",
        json!({"project_id": "ecommerce", "act_as_user": "nobody@example.com"}),
    )
    .await;
    assert_tool_error(&unknown, "no Looker user has the email");
    assert!(
        !seen(&h).iter().any(|r| r.path.starts_with("/projects")),
        "nothing reaches the project routes"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Branch arguments refused before anything reaches Looker.
#[tokio::test]
async fn invalid_branch_arguments_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("git").await;
    for (tool, args) in [
        ("switch_git_branch", json!({"project_id": "ecommerce"})),
        (
            "create_git_branch",
            json!({"project_id": "ecommerce", "branch_name": true}),
        ),
        (
            "delete_git_branch",
            json!({"project_id": "ecommerce", "branch_name": ""}),
        ),
    ] {
        let result = call(&client, tool, args).await;
        assert_eq!(result.is_error, Some(true), "{tool}");
    }
    assert!(seen(&h).is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// The dev file views/returns.view.lkml Alice deploys.
const RETURNS_VIEW: &str = "view: returns {}\n";

/// A harness and a `modeling,git` client where Alice (user 2) made [`RETURNS_VIEW`] in her dev
/// workspace and deployed it to production, requests taken.
async fn with_alices_deploy() -> (Harness, Client) {
    let h = Harness::new().await;
    let client = h.client("modeling,git").await;
    call(&client, "create_file", json!({"project_id": "ecommerce", "file_id": "views/returns.view.lkml", "content": RETURNS_VIEW, "act_as_user": "2"})).await;
    json(
        &call(
            &client,
            "deploy_to_production",
            json!({"project_id": "ecommerce", "act_as_user": "alice@example.com"}),
        )
        .await,
    );
    seen(&h);
    (h, client)
}

/// `deploy_to_production` by branch, or by ref as another user.
#[tokio::test]
async fn deploys_go_by_branch_or_by_ref() {
    let h = Harness::new().await;
    let client = h.client("modeling,git").await;
    let by_branch = json(
        &call(
            &client,
            "deploy_to_production",
            json!({"project_id": "ecommerce", "branch": "main"}),
        )
        .await,
    );
    assert_eq!(by_branch["status"], "deployed");
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.workspace.as_str()),
        (
            "POST",
            "/projects/ecommerce/deploy_ref_to_production",
            "production"
        )
    );
    assert_eq!((q(&r, "branch"), q(&r, "ref")), (Some("main"), None));
    json(
        &call(
            &client,
            "deploy_to_production",
            json!({"project_id": "ecommerce", "ref": "4f2a9c1e", "act_as_user": "2"}),
        )
        .await,
    );
    let r = only(&h);
    assert_eq!(
        (q(&r, "branch"), q(&r, "ref"), r.user_id.as_deref()),
        (None, Some("4f2a9c1e"), Some("2"))
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// An unknown branch is Looker's refusal; a branch and a ref together never reach Looker.
#[tokio::test]
async fn deploys_refuse_an_unknown_branch_and_both_branch_and_ref() {
    let h = Harness::new().await;
    let client = h.client("modeling,git").await;
    let unknown = call(
        &client,
        "deploy_to_production",
        json!({"project_id": "ecommerce", "branch": "nope"}),
    )
    .await;
    assert_tool_error(&unknown, "does not exist");
    seen(&h);
    let both = call(
        &client,
        "deploy_to_production",
        json!({"project_id": "ecommerce", "branch": "main", "ref": "abc1234"}),
    )
    .await;
    assert_tool_error(&both, "not both");
    assert!(seen(&h).is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// With neither branch nor ref, Alice's dev workspace (her checked-out branch) goes to production.
#[tokio::test]
async fn a_deploy_with_neither_sends_the_users_dev_workspace() {
    let h = Harness::new().await;
    let client = h.client("modeling,git").await;
    // With neither, Alice's dev workspace (her checked-out branch) goes to production.
    let content = "view: returns {}\n";
    call(&client, "create_file", json!({"project_id": "ecommerce", "file_id": "views/returns.view.lkml", "content": content, "act_as_user": "2"})).await;
    seen(&h);
    let deployed = json(
        &call(
            &client,
            "deploy_to_production",
            json!({"project_id": "ecommerce", "act_as_user": "alice@example.com"}),
        )
        .await,
    );
    assert!(
        deployed["deployed"]["dev_workspace_branch"]
            .as_str()
            .unwrap()
            .starts_with("dev-alice"),
        "{deployed}"
    );
    let requests = seen(&h);
    assert_eq!(
        shape(&requests),
        [
            "GET /projects/ecommerce/git_branch",
            "POST /projects/ecommerce/deploy_to_production"
        ]
    );
    assert!(
        requests
            .iter()
            .all(|r| r.user_id.as_deref() == Some("2") && r.workspace == "dev")
    );
    let production = json(&call(&client, "get_file", json!({"project_id": "ecommerce", "file_id": "views/returns.view.lkml", "dev_mode": false})).await);
    assert_eq!(production["content"], content, "deployed to production");
    seen(&h);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `reset_to_production` discards the user's uncommitted work.
#[tokio::test]
async fn reset_to_production_discards_uncommitted_work() {
    let (h, client) = with_alices_deploy().await;
    let content = RETURNS_VIEW;
    // reset_to_production discards the user's uncommitted work.
    call(&client, "update_file", json!({"project_id": "ecommerce", "file_id": "views/returns.view.lkml", "content": "view: broken {", "act_as_user": "2"})).await;
    seen(&h);
    let reset = json(
        &call(
            &client,
            "reset_to_production",
            json!({"project_id": "ecommerce", "act_as_user": "2"}),
        )
        .await,
    );
    assert_eq!(reset["status"], "reset to production");
    let requests = seen(&h);
    assert_eq!(
        shape(&requests),
        [
            "POST /projects/ecommerce/reset_to_production",
            "GET /projects/ecommerce/git_branch"
        ]
    );
    assert!(
        requests
            .iter()
            .all(|r| r.user_id.as_deref() == Some("2") && r.workspace == "dev")
    );
    let back = json(&call(&client, "get_file", json!({"project_id": "ecommerce", "file_id": "views/returns.view.lkml", "act_as_user": "2"})).await);
    assert_eq!(back["content"], content);
    json(
        &call(
            &client,
            "reset_to_production",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    assert!(
        seen(&h)
            .iter()
            .any(|r| r.path.ends_with("/reset_to_production") && r.user_id.as_deref() == Some("1"))
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Destructive resets need confirm; without it the answer is a dry-run plan and nothing is sent.
#[tokio::test]
async fn destructive_resets_without_confirm_are_a_dry_run() {
    let h = Harness::new().await;
    let client = h.client("modeling,git").await;
    h.api_requests();
    // Destructive resets need confirm; without it the answer is a dry-run plan and nothing is sent.
    let unconfirmed = json(
        &call(
            &client,
            "reset_git_branch_to_remote",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    assert_eq!(unconfirmed["dry_run"], true, "{unconfirmed}");
    let unconfirmed = json(&call(&client, "update_git_branch", json!({"project_id": "ecommerce", "branch_name": "main", "ref": "abc1234", "confirm": false})).await);
    assert_eq!(unconfirmed["confirmed"], false, "{unconfirmed}");
    assert!(h.sim.take_requests().is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `reset_git_branch_to_remote`, confirmed, as the CI user: before, reset, after.
#[tokio::test]
async fn reset_git_branch_to_remote_runs_in_the_users_workspace() {
    let h = Harness::new().await;
    let client = h.client("modeling,git").await;
    let remote = json(&call(&client, "reset_git_branch_to_remote", json!({"project_id": "ecommerce", "confirm": true, "act_as_user": "ci-bot@example.com"})).await);
    assert_eq!(remote["before"]["name"], remote["after"]["name"]);
    let requests = seen(&h);
    assert_eq!(
        shape(&requests),
        [
            "GET /projects/ecommerce/git_branch",
            "POST /projects/ecommerce/reset_to_remote",
            "GET /projects/ecommerce/git_branch"
        ]
    );
    assert!(
        requests
            .iter()
            .all(|r| r.user_id.as_deref() == Some("77") && r.workspace == "dev")
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `update_git_branch`, confirmed, as the CI user.
#[tokio::test]
async fn update_git_branch_points_a_branch_at_a_ref() {
    let h = Harness::new().await;
    let client = h.client("modeling,git").await;
    let updated = json(&call(&client, "update_git_branch", json!({"project_id": "ecommerce", "branch_name": "feature/new-dashboard", "ref": "main", "confirm": true, "act_as_user": "77"})).await);
    assert_eq!(updated["branch"]["name"], "feature/new-dashboard");
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.user_id.as_deref()),
        ("PUT", "/projects/ecommerce/git_branch", Some("77"))
    );
    assert_eq!(
        r.body,
        Some(json!({"name": "feature/new-dashboard", "ref": "main"}))
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Updating an unknown branch or resetting an unknown project is Looker's 404.
#[tokio::test]
async fn unknown_branches_and_projects_are_not_found() {
    let h = Harness::new().await;
    let client = h.client("modeling,git").await;
    let no_such = call(
        &client,
        "update_git_branch",
        json!({"project_id": "ecommerce", "branch_name": "nope", "ref": "main", "confirm": true}),
    )
    .await;
    assert_tool_error(&no_such, "Not found");
    let no_project = call(
        &client,
        "reset_to_production",
        json!({"project_id": "nope"}),
    )
    .await;
    assert_tool_error(&no_project, "Not found");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `get_git_deploy_key` and `create_git_deploy_key`; an unknown project is 404.
#[tokio::test]
async fn deploy_keys_are_read_and_regenerated() {
    let h = Harness::new().await;
    let client = h.client("git").await;
    let key = call(
        &client,
        "get_git_deploy_key",
        json!({"project_id": "ecommerce"}),
    )
    .await;
    assert!(text(&key).contains("ssh-rsa AAAAB3"), "{}", text(&key));
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/projects/ecommerce/git/deploy_key")
    );
    let created = json(
        &call(
            &client,
            "create_git_deploy_key",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    let new_key = created["deploy_key"].as_str().unwrap().to_string();
    assert!(new_key.starts_with("ssh-rsa ") && !new_key.contains("DeployKey0001"));
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/projects/ecommerce/git/deploy_key")
    );
    let now = json(
        &call(
            &client,
            "get_git_deploy_key",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    assert_eq!(now["deploy_key"], new_key.as_str());
    let none = call(
        &client,
        "create_git_deploy_key",
        json!({"project_id": "nope"}),
    )
    .await;
    assert_tool_error(&none, "Not found");
    seen(&h);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `list_git_connection_tests` and `run_git_connection_test`, with and without a remote URL.
#[tokio::test]
async fn git_connection_tests_are_listed_and_run() {
    let h = Harness::new().await;
    let client = h.client("git").await;
    let tests = json(
        &call(
            &client,
            "list_git_connection_tests",
            json!({"project_id": "ecommerce"}),
        )
        .await,
    );
    let ids: Vec<&str> = tests["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids[0], "git_remote_url");
    let r = only(&h);
    assert_eq!(
        (r.path.as_str(), q(&r, "remote_url")),
        ("/projects/ecommerce/git_connection_tests", None)
    );
    json(&call(&client, "list_git_connection_tests", json!({"project_id": "ecommerce", "remote_url": "git@github.com:example/marketing.git"})).await);
    assert_eq!(
        q(&only(&h), "remote_url"),
        Some("git@github.com:example/marketing.git")
    );

    let ran = json(
        &call(
            &client,
            "run_git_connection_test",
            json!({"project_id": "ecommerce", "test_id": "ssh_connect"}),
        )
        .await,
    );
    assert_eq!(ran["passed"], true, "{ran}");
    assert!(
        ran["message"]
            .as_str()
            .unwrap()
            .contains("git@github.com:example/ecommerce.git")
    );
    let r = only(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        (
            "GET",
            "/projects/ecommerce/git_connection_tests/ssh_connect"
        )
    );
    let all = json(&call(&client, "run_git_connection_test", json!({"project_id": "ecommerce", "test_id": "git_fetch", "remote_url": "git@github.com:example/marketing.git", "use_production": "true"})).await);
    assert!(
        all["message"]
            .as_str()
            .unwrap()
            .contains("production credentials"),
        "{all}"
    );
    let r = only(&h);
    assert_eq!(
        (q(&r, "remote_url"), q(&r, "use_production")),
        (Some("git@github.com:example/marketing.git"), Some("true"))
    );
    let unknown = call(
        &client,
        "run_git_connection_test",
        json!({"project_id": "ecommerce", "test_id": "nope"}),
    )
    .await;
    assert_tool_error(&unknown, "Not found");
    seen(&h);
    let bad = call(
        &client,
        "run_git_connection_test",
        json!({"project_id": "ecommerce", "test_id": "ssh_connect", "act_as_user": "2"}),
    )
    .await;
    assert_tool_error(&bad, "invalid arguments");
    assert!(seen(&h).is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

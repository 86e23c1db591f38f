//! Git branches of a LookML project in a user's dev workspace, deploys and resets.
//!
//! Looker keeps one dev workspace per user, with one checked-out branch per project. Every tool
//! here runs in the dev workspace (so it sees and changes that per-user state) of the server's
//! identity, or of `act_as_user` when given.

use looker_mcp_plugin_sdk::args::non_blank;
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path, session};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::common::{ACT_AS_USER, BRANCH_NAME, CONFIRM, PROJECT_ID};

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "get_git_branch",
            "Get the checked-out git branch",
            "Returns the git branch checked out in the dev workspace for a project (name, \
            commit ref, ahead/behind counts, whether it is the production or a personal \
            branch). With `act_as_user`, shows that user's workspace.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .optional("act_as_user", Ty::Str, ACT_AS_USER),
        )
        .handler(get_git_branch),
        Tool::reader(
            "list_git_branches",
            "List git branches",
            "Lists a project's git branches visible in the dev workspace (shared remote \
            branches plus the user's personal branch), each with its ref, ahead/behind \
            counts and flags.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .optional("act_as_user", Ty::Str, ACT_AS_USER),
        )
        .handler(list_git_branches),
        Tool::reader(
            "get_git_branch_by_name",
            "Get a git branch",
            "Returns one git branch of a project by name: ref, remote ref, ahead/behind \
            counts, whether it is production, personal or read-only.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .required("branch_name", Ty::Str, BRANCH_NAME)
                .optional("act_as_user", Ty::Str, ACT_AS_USER),
        )
        .handler(get_git_branch_by_name),
        Tool::creator(
            "create_git_branch",
            "Create a git branch",
            "Creates a git branch in the dev workspace and checks it out, starting from \
            `ref` or the current branch's HEAD. Example: {\"project_id\": \"ecommerce\", \
            \"branch_name\": \"feature/returns\", \"ref\": \"main\"}.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .required(
                    "branch_name",
                    Ty::Str,
                    "Name of the new branch, e.g. `feature/returns`.",
                )
                .optional("act_as_user", Ty::Str, ACT_AS_USER)
                .optional(
                    "ref",
                    Ty::Str,
                    "Start point: a branch, tag or commit SHA (default: the checked-out \
                    branch's HEAD).",
                ),
        )
        .handler(create_git_branch),
        Tool::creator(
            "switch_git_branch",
            "Check out a git branch",
            "Checks out another existing git branch in the dev workspace (it stays checked \
            out after the call). Use it before editing files on a branch; switch back \
            when done.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .required("branch_name", Ty::Str, BRANCH_NAME)
                .optional("act_as_user", Ty::Str, ACT_AS_USER),
        )
        .idempotent()
        .handler(switch_git_branch),
        Tool::deleter(
            "delete_git_branch",
            "Delete a git branch",
            "Deletes a git branch from the project (not the checked-out or production \
            branch). Example, cleaning up a CI user's branch: {\"project_id\": \
            \"ecommerce\", \"branch_name\": \"tmp_ci_5bd8\", \"act_as_user\": \
            \"ci-bot@example.com\"}.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .required("branch_name", Ty::Str, BRANCH_NAME)
                .optional("act_as_user", Ty::Str, ACT_AS_USER),
        )
        .handler(delete_git_branch),
        Tool::new(
            "deploy_to_production",
            "Deploy LookML to production",
            "Deploys LookML to production. With `branch` (e.g. `main`) or `ref` (a commit \
            SHA), Looker pulls that remote branch or commit into production. With \
            neither, the dev workspace's checked-out branch is pushed to the production \
            branch and deployed. This changes what every user sees.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .optional("act_as_user", Ty::Str, ACT_AS_USER)
                .optional(
                    "branch",
                    Ty::Str,
                    "Remote branch to deploy, e.g. `main`. Give this or `ref`, not both.",
                )
                .optional(
                    "ref",
                    Ty::Str,
                    "Commit SHA or tag to deploy (advanced deploy mode).",
                ),
        )
        .handler(deploy_to_production),
        Tool::overwriter(
            "reset_to_production",
            "Reset the dev workspace to production",
            "Resets the dev workspace's checked-out branch to what is in production, \
            discarding uncommitted changes and unpushed commits. Use it to clean up a \
            stuck workspace.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .optional("act_as_user", Ty::Str, ACT_AS_USER),
        )
        .handler(reset_to_production),
        Tool::overwriter(
            "reset_git_branch_to_remote",
            "Reset the checked-out branch to its remote",
            "Resets the dev workspace's checked-out branch to its remote version, \
            discarding uncommitted changes and unpushed commits; returns the branch \
            before and after. Runs only with `confirm`: true; without it the result is a \
            dry-run plan and nothing is sent to Looker.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .optional("act_as_user", Ty::Str, ACT_AS_USER)
                .with_default("confirm", Ty::Bool, false, CONFIRM),
        )
        .handler(reset_git_branch_to_remote),
        Tool::overwriter(
            "update_git_branch",
            "Hard-reset a git branch to a ref",
            "Checks out `branch_name` and hard-resets it to `ref` (a branch, tag or \
            commit), force-pushing the result to the remote: commits not in `ref` are \
            lost. Runs only with `confirm`: true; without it the result is a dry-run plan \
            and nothing is sent to Looker. Example: {\"project_id\": \"ecommerce\", \
            \"branch_name\": \"feature/x\", \"ref\": \"main\", \"confirm\": true}.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .required("branch_name", Ty::Str, BRANCH_NAME)
                .required(
                    "ref",
                    Ty::Str,
                    "Branch, tag or commit SHA to reset to, e.g. `origin/main`.",
                )
                .optional("act_as_user", Ty::Str, ACT_AS_USER)
                .with_default("confirm", Ty::Bool, false, CONFIRM),
        )
        .handler(update_git_branch),
    ]
}

/// Arguments naming a project, optionally as another user.
#[derive(Debug, Deserialize)]
pub struct ProjectArgs {
    project_id: String,
    #[serde(default)]
    act_as_user: Option<String>,
}

/// Arguments naming a branch of a project.
#[derive(Debug, Deserialize)]
pub struct BranchArgs {
    project_id: String,
    branch_name: String,
    #[serde(default)]
    act_as_user: Option<String>,
}

/// Arguments of `create_git_branch`.
#[derive(Debug, Deserialize)]
pub struct CreateBranch {
    project_id: String,
    branch_name: String,
    #[serde(default)]
    r#ref: Option<String>,
    #[serde(default)]
    act_as_user: Option<String>,
}

/// Arguments of `deploy_to_production`.
#[derive(Debug, Deserialize)]
pub struct Deploy {
    project_id: String,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    r#ref: Option<String>,
    #[serde(default)]
    act_as_user: Option<String>,
}

/// Arguments of `reset_git_branch_to_remote`.
#[derive(Debug, Deserialize)]
pub struct ResetToRemote {
    project_id: String,
    #[serde(default)]
    confirm: bool,
    #[serde(default)]
    act_as_user: Option<String>,
}

/// Arguments of `update_git_branch`.
#[derive(Debug, Deserialize)]
pub struct UpdateBranch {
    project_id: String,
    branch_name: String,
    r#ref: String,
    #[serde(default)]
    confirm: bool,
    #[serde(default)]
    act_as_user: Option<String>,
}

/// Switches to `act_as_user` when given; returns who the call runs as (`None` = the server).
fn act_as(user: Option<&str>) -> Result<Option<String>, ToolError> {
    user.map(session::act_as_user).transpose()
}

/// The useful part of a Looker `GitBranch`.
pub fn branch(b: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for key in [
        "name",
        "ref",
        "remote_ref",
        "is_production",
        "personal",
        "readonly",
        "is_local",
        "is_remote",
        "ahead_count",
        "behind_count",
        "owner_name",
        "commit_at",
        "error",
        "message",
    ] {
        if let Some(v) = b.get(key).filter(|v| !v.is_null()) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    Value::Object(out)
}

fn current(project_id: &str) -> Result<Value, ToolError> {
    Request::get(path!("/projects/{}/git_branch", project_id))
        .dev_mode(true)
        .send()?
        .json()
}

/// `GET /projects/{project_id}/git_branch` in the dev workspace.
pub fn get_git_branch(args: ProjectArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let user = act_as(args.act_as_user.as_deref())?;
    let found = current(&args.project_id)?;
    Ok(json!({"project_id": args.project_id, "user_id": user, "branch": branch(&found)}))
}

/// `GET /projects/{project_id}/git_branches` in the dev workspace.
pub fn list_git_branches(args: ProjectArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let user = act_as(args.act_as_user.as_deref())?;
    let found: Value = Request::get(path!("/projects/{}/git_branches", args.project_id))
        .dev_mode(true)
        .send()?
        .json()?;
    let branches: Vec<Value> = found.as_array().into_iter().flatten().map(branch).collect();
    Ok(json!({"project_id": args.project_id, "user_id": user, "branches": branches}))
}

/// `GET /projects/{project_id}/git_branch/{branch_name}` in the dev workspace.
pub fn get_git_branch_by_name(args: BranchArgs, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("branch_name", &args.branch_name)?;
    let user = act_as(args.act_as_user.as_deref())?;
    let found: Value = Request::get(path!(
        "/projects/{}/git_branch/{}",
        args.project_id,
        args.branch_name
    ))
    .dev_mode(true)
    .send()?
    .json()?;
    Ok(json!({"project_id": args.project_id, "user_id": user, "branch": branch(&found)}))
}

/// `POST /projects/{project_id}/git_branch {name, ref}`: creates and checks out a branch.
pub fn create_git_branch(args: CreateBranch, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("branch_name", &args.branch_name)?;
    let user = act_as(args.act_as_user.as_deref())?;
    let mut body = json!({ "name": args.branch_name });
    if let Some(r) = &args.r#ref {
        body["ref"] = Value::from(r.as_str());
    }
    let created: Value = Request::post(path!("/projects/{}/git_branch", args.project_id))
        .body(&body)
        .dev_mode(true)
        .send()?
        .json()?;
    Ok(json!({
        "project_id": args.project_id, "user_id": user, "status": "created and checked out",
        "branch": branch(&created),
    }))
}

/// `PUT /projects/{project_id}/git_branch {name}`: checks out another branch.
pub fn switch_git_branch(args: BranchArgs, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("branch_name", &args.branch_name)?;
    let user = act_as(args.act_as_user.as_deref())?;
    let switched: Value = Request::put(path!("/projects/{}/git_branch", args.project_id))
        .body(&json!({ "name": args.branch_name }))
        .dev_mode(true)
        .send()?
        .json()?;
    Ok(json!({
        "project_id": args.project_id, "user_id": user, "status": "checked out",
        "branch": branch(&switched),
    }))
}

/// `DELETE /projects/{project_id}/git_branch/{branch_name}`.
pub fn delete_git_branch(args: BranchArgs, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("branch_name", &args.branch_name)?;
    let user = act_as(args.act_as_user.as_deref())?;
    Request::delete(path!(
        "/projects/{}/git_branch/{}",
        args.project_id,
        args.branch_name
    ))
    .dev_mode(true)
    .send()?;
    Ok(json!({
        "project_id": args.project_id, "user_id": user, "branch_name": args.branch_name,
        "status": "deleted",
    }))
}

/// Deploys to production: a named branch or ref with `POST deploy_ref_to_production`, or the
/// dev workspace's checked-out branch with `POST deploy_to_production` when neither is given.
pub fn deploy_to_production(args: Deploy, _ctx: &Context) -> Result<Value, ToolError> {
    if args.branch.is_some() && args.r#ref.is_some() {
        return Err(ToolError::invalid_arguments(
            "give `branch` or `ref`, not both (Looker deploys one of them)",
        ));
    }
    let user = act_as(args.act_as_user.as_deref())?;
    if args.branch.is_none() && args.r#ref.is_none() {
        let deployed = current(&args.project_id)?;
        Request::post(path!("/projects/{}/deploy_to_production", args.project_id))
            .dev_mode(true)
            .send()?;
        return Ok(json!({
            "project_id": args.project_id, "user_id": user, "status": "deployed",
            "deployed": {"dev_workspace_branch": deployed["name"], "ref": deployed["ref"]},
        }));
    }
    Request::post(path!(
        "/projects/{}/deploy_ref_to_production",
        args.project_id
    ))
    .query_opt("branch", args.branch.as_deref())
    .query_opt("ref", args.r#ref.as_deref())
    .send()?;
    Ok(json!({
        "project_id": args.project_id, "user_id": user, "status": "deployed",
        "deployed": {"branch": args.branch, "ref": args.r#ref},
    }))
}

/// `POST /projects/{project_id}/reset_to_production` in the dev workspace.
pub fn reset_to_production(args: ProjectArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let user = act_as(args.act_as_user.as_deref())?;
    Request::post(path!("/projects/{}/reset_to_production", args.project_id))
        .dev_mode(true)
        .send()?;
    let now = current(&args.project_id)?;
    Ok(json!({
        "project_id": args.project_id, "user_id": user, "status": "reset to production",
        "branch": branch(&now),
    }))
}

/// The answer without `confirm: true`: a dry-run plan, the same shape for every confirm-gated
/// tool (`workflows`' `rollback_to_production` answers the same way); nothing is sent.
fn dry_run(project_id: &str, what: &str, looker: String) -> Value {
    json!({
        "project_id": project_id,
        "dry_run": true,
        "confirmed": false,
        "would": what,
        "looker_request": looker,
        "message": format!(
            "nothing changed (dry run): {what} permanently discards uncommitted changes and \
             unpushed commits; call again with \"confirm\": true to proceed"
        ),
    })
}

/// `POST /projects/{project_id}/reset_to_remote` between two reads of the checked-out branch.
pub fn reset_git_branch_to_remote(args: ResetToRemote, _ctx: &Context) -> Result<Value, ToolError> {
    if !args.confirm {
        return Ok(dry_run(
            &args.project_id,
            "resetting the checked-out branch to its remote",
            format!(
                "POST {}",
                path!("/projects/{}/reset_to_remote", args.project_id)
            ),
        ));
    }
    let user = act_as(args.act_as_user.as_deref())?;
    let before = current(&args.project_id)?;
    Request::post(path!("/projects/{}/reset_to_remote", args.project_id))
        .dev_mode(true)
        .send()?;
    let after = current(&args.project_id)?;
    Ok(json!({
        "project_id": args.project_id, "user_id": user, "status": "reset to remote",
        "before": branch(&before), "after": branch(&after),
    }))
}

/// `PUT /projects/{project_id}/git_branch {name, ref}`: checks out `branch_name` and hard-resets
/// it to `ref` (force-pushed to the remote).
pub fn update_git_branch(args: UpdateBranch, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("branch_name", &args.branch_name)?;
    non_blank("ref", &args.r#ref)?;
    if !args.confirm {
        return Ok(dry_run(
            &args.project_id,
            &format!(
                "hard-resetting branch {:?} to {:?} (force-pushed to the remote)",
                args.branch_name, args.r#ref
            ),
            format!("PUT {}", path!("/projects/{}/git_branch", args.project_id)),
        ));
    }
    let user = act_as(args.act_as_user.as_deref())?;
    let updated: Value = Request::put(path!("/projects/{}/git_branch", args.project_id))
        .body(&json!({ "name": args.branch_name, "ref": args.r#ref }))
        .dev_mode(true)
        .send()?
        .json()?;
    Ok(json!({
        "project_id": args.project_id, "user_id": user,
        "status": format!("reset to {}", args.r#ref), "branch": branch(&updated),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;

    #[test]
    fn destructive_resets_need_confirm_and_send_nothing() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({}))));
        let plan = update_git_branch(
            serde_json::from_value(json!({"project_id": "p", "branch_name": "b", "ref": "abc"}))
                .unwrap(),
            &Context::default(),
        )
        .unwrap();
        assert_eq!(
            (&plan["dry_run"], &plan["confirmed"]),
            (&json!(true), &json!(false))
        );
        assert!(
            plan["message"]
                .as_str()
                .unwrap()
                .contains("\"confirm\": true"),
            "{plan}"
        );
        let plan = reset_git_branch_to_remote(
            serde_json::from_value(json!({"project_id": "p"})).unwrap(),
            &Context::default(),
        )
        .unwrap();
        assert_eq!(plan["looker_request"], "POST /projects/p/reset_to_remote");
        assert!(seen.requests().is_empty());
    }

    #[test]
    fn deploy_picks_the_route() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({"name": "dev-x", "ref": "r"}))));
        deploy_to_production(
            serde_json::from_value(json!({"project_id": "p", "branch": "main"})).unwrap(),
            &Context::default(),
        )
        .unwrap();
        deploy_to_production(
            serde_json::from_value(json!({"project_id": "p"})).unwrap(),
            &Context::default(),
        )
        .unwrap();
        let paths: Vec<String> = seen
            .requests()
            .iter()
            .map(|r| format!("{} {}", r.method(), r.path()))
            .collect();
        assert_eq!(
            paths,
            [
                "POST /projects/p/deploy_ref_to_production",
                "GET /projects/p/git_branch",
                "POST /projects/p/deploy_to_production"
            ]
        );
        assert_eq!(seen.requests()[0].query_value("branch"), Some("main"));
        assert!(
            deploy_to_production(
                serde_json::from_value(json!({"project_id": "p", "branch": "a", "ref": "b"}))
                    .unwrap(),
                &Context::default()
            )
            .is_err()
        );
    }
}

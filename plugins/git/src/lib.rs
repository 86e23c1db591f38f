//! The `git` tool group: a LookML project's git branches in a user's dev workspace, deploys to
//! production, resets, deploy keys and git connection diagnostics.
//!
//! Looker keeps one dev workspace per user with one checked-out branch per project. The
//! branch tools run in that dev workspace, of the server's identity or of `act_as_user` (admin
//! sudo), e.g. to clean up a CI user's stuck workspace.

mod branches;
mod common;
mod remote;

use looker_mcp_plugin_sdk::{Group, Tool, export_group};

use common::{Ty, schema};

export_group!(group);

const PROJECT_ID: &str =
    "LookML project id, e.g. `ecommerce` (from `list_projects` in the modeling group).";
const ACT_AS_USER: &str = "Act in this Looker user's dev workspace instead of the server's \
(admin sudo): a numeric user id or an exact email, e.g. `ci-bot@example.com`. Needs \
LOOKER_SUDO_AS_USER=true.";
const BRANCH_NAME: &str = "Git branch name, e.g. `feature/new-dashboard`.";
const CONFIRM: &str = "Must be true to run: this discards work that cannot be recovered; false returns a dry-run plan.";

/// The `git` group's tool table.
pub fn group() -> Group {
    let project = ("project_id", Ty::Str, PROJECT_ID);
    let act_as = ("act_as_user", Ty::OptStr, ACT_AS_USER);
    let branch_name = ("branch_name", Ty::Str, BRANCH_NAME);
    Group::new("git", env!("CARGO_PKG_VERSION"))
        .tool(
            Tool::new("get_git_branch", "Get the checked-out git branch", GET_BRANCH)
                .schema(schema(&[project, act_as]))
                .read_only()
                .idempotent()
                .handler(branches::get_git_branch),
        )
        .tool(
            Tool::new("list_git_branches", "List git branches", LIST_BRANCHES)
                .schema(schema(&[project, act_as]))
                .read_only()
                .idempotent()
                .handler(branches::list_git_branches),
        )
        .tool(
            Tool::new("get_git_branch_by_name", "Get a git branch", GET_BRANCH_BY_NAME)
                .schema(schema(&[project, branch_name, act_as]))
                .read_only()
                .idempotent()
                .handler(branches::get_git_branch_by_name),
        )
        .tool(
            Tool::new("create_git_branch", "Create a git branch", CREATE_BRANCH)
                .schema(schema(&[
                    project,
                    ("branch_name", Ty::Str, "Name of the new branch, e.g. `feature/returns`."),
                    (
                        "ref",
                        Ty::OptStr,
                        "Start point: a branch, tag or commit SHA (default: the checked-out branch's HEAD).",
                    ),
                    act_as,
                ]))
                .non_destructive()
                .handler(branches::create_git_branch),
        )
        .tool(
            Tool::new("switch_git_branch", "Check out a git branch", SWITCH_BRANCH)
                .schema(schema(&[project, branch_name, act_as]))
                .non_destructive()
                .idempotent()
                .handler(branches::switch_git_branch),
        )
        .tool(
            Tool::new("delete_git_branch", "Delete a git branch", DELETE_BRANCH)
                .schema(schema(&[project, branch_name, act_as]))
                .idempotent()
                .handler(branches::delete_git_branch),
        )
        .tool(
            Tool::new("deploy_to_production", "Deploy LookML to production", DEPLOY)
                .schema(schema(&[
                    project,
                    (
                        "branch",
                        Ty::OptStr,
                        "Remote branch to deploy, e.g. `main`. Give this or `ref`, not both.",
                    ),
                    ("ref", Ty::OptStr, "Commit SHA or tag to deploy (advanced deploy mode)."),
                    act_as,
                ]))
                .handler(branches::deploy_to_production),
        )
        .tool(
            Tool::new("reset_to_production", "Reset the dev workspace to production", RESET_PROD)
                .schema(schema(&[project, act_as]))
                .idempotent()
                .handler(branches::reset_to_production),
        )
        .tool(
            Tool::new(
                "reset_git_branch_to_remote",
                "Reset the checked-out branch to its remote",
                RESET_REMOTE,
            )
            .schema(schema(&[project, ("confirm", Ty::Bool(false), CONFIRM), act_as]))
            .idempotent()
            .handler(branches::reset_git_branch_to_remote),
        )
        .tool(
            Tool::new("update_git_branch", "Hard-reset a git branch to a ref", UPDATE_BRANCH)
                .schema(schema(&[
                    project,
                    branch_name,
                    ("ref", Ty::Str, "Branch, tag or commit SHA to reset to, e.g. `origin/main`."),
                    ("confirm", Ty::Bool(false), CONFIRM),
                    act_as,
                ]))
                .idempotent()
                .handler(branches::update_git_branch),
        )
        .tool(
            Tool::new("get_git_deploy_key", "Get a project's git deploy key", GET_KEY)
                .schema(schema(&[project]))
                .read_only()
                .idempotent()
                .returns(DEPLOY_KEY_OUTPUT)
                .handler(remote::get_git_deploy_key),
        )
        .tool(
            Tool::new("create_git_deploy_key", "Create a new git deploy key", CREATE_KEY)
                .schema(schema(&[project]))
                .returns(DEPLOY_KEY_OUTPUT)
                .handler(remote::create_git_deploy_key),
        )
        .tool(
            Tool::new(
                "list_git_connection_tests",
                "List git connection tests",
                LIST_CONNECTION_TESTS,
            )
            .schema(schema(&[
                project,
                (
                    "remote_url",
                    Ty::OptStr,
                    "Test the git remote of this imported (dependency) project instead of the project's own.",
                ),
            ]))
            .read_only()
            .idempotent()
            .handler(remote::list_git_connection_tests),
        )
        .tool(
            Tool::new(
                "run_git_connection_test",
                "Run a git connection test",
                RUN_CONNECTION_TEST,
            )
            .schema(schema(&[
                project,
                ("test_id", Ty::Str, "Test id from `list_git_connection_tests`."),
                (
                    "remote_url",
                    Ty::OptStr,
                    "Test the git remote of this imported (dependency) project instead.",
                ),
                (
                    "use_production",
                    Ty::OptStr,
                    "`true` to test production git credentials instead of dev ones.",
                ),
            ]))
            .read_only()
            .idempotent()
            .handler(remote::run_git_connection_test),
        )
}

const GET_BRANCH: &str = "\
Returns the git branch checked out in the dev workspace for a project (name, commit ref, \
ahead/behind counts, whether it is the production or a personal branch). With `act_as_user`, \
shows that user's workspace.";

const LIST_BRANCHES: &str = "\
Lists a project's git branches visible in the dev workspace (shared remote branches plus the \
user's personal branch), each with its ref, ahead/behind counts and flags.";

const GET_BRANCH_BY_NAME: &str = "\
Returns one git branch of a project by name: ref, remote ref, ahead/behind counts, whether it \
is production, personal or read-only.";

const CREATE_BRANCH: &str = "\
Creates a git branch in the dev workspace and checks it out, starting from `ref` or the \
current branch's HEAD. Example: {\"project_id\": \"ecommerce\", \"branch_name\": \
\"feature/returns\", \"ref\": \"main\"}.";

const SWITCH_BRANCH: &str = "\
Checks out another existing git branch in the dev workspace (it stays checked out after the \
call). Use it before editing files on a branch; switch back when done.";

const DELETE_BRANCH: &str = "\
Deletes a git branch from the project (not the checked-out or production branch). Example, \
cleaning up a CI user's branch: {\"project_id\": \"ecommerce\", \"branch_name\": \
\"tmp_ci_5bd8\", \"act_as_user\": \"ci-bot@example.com\"}.";

const DEPLOY: &str = "\
Deploys LookML to production. With `branch` (e.g. `main`) or `ref` (a commit SHA), Looker pulls \
that remote branch or commit into production. With neither, the dev workspace's checked-out \
branch is pushed to the production branch and deployed. This changes what every user sees.";

const RESET_PROD: &str = "\
Resets the dev workspace's checked-out branch to what is in production, discarding \
uncommitted changes and unpushed commits. Use it to clean up a stuck workspace.";

const RESET_REMOTE: &str = "\
Resets the dev workspace's checked-out branch to its remote version, discarding uncommitted \
changes and unpushed commits; returns the branch before and after. Runs only with \
`confirm`: true; without it the result is a dry-run plan and nothing is sent to Looker.";

const UPDATE_BRANCH: &str = "\
Checks out `branch_name` and hard-resets it to `ref` (a branch, tag or commit), force-pushing \
the result to the remote: commits not in `ref` are lost. Runs only with `confirm`: true; \
without it the result is a dry-run plan and nothing is sent to Looker. Example: \
{\"project_id\": \"ecommerce\", \"branch_name\": \"feature/x\", \"ref\": \"main\", \"confirm\": true}.";

const GET_KEY: &str = "\
Returns the public SSH deploy key Looker uses for a project's git repository (text such as \
`ssh-rsa AAAA...`), to add to the repository's deploy keys.";

/// The structured result of the deploy-key tools (their text is the key for a person to copy).
const DEPLOY_KEY_OUTPUT: &str = r#"{
  "type": "object",
  "properties": {
    "project_id": {"type": "string"},
    "deploy_key": {"type": "string", "description": "The public SSH key."},
    "created": {"type": "boolean", "description": "True when this call made a new key pair."}
  },
  "required": ["project_id", "deploy_key", "created"]
}"#;

const CREATE_KEY: &str = "\
Generates a new SSH key pair for a project's git access and returns the public key. This \
replaces the previous key: git access fails until the new key is added to the repository.";

const LIST_CONNECTION_TESTS: &str = "\
Lists the git connection checks Looker can run for a project (id and description), in the \
order to run them with `run_git_connection_test` when git access fails.";

const RUN_CONNECTION_TEST: &str = "\
Runs one git connection check for a project and returns its status (`pass`, `fail`, …) and \
Looker's explanation. Run the checks in the order `list_git_connection_tests` gives.";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn without_descriptions(v: &mut Value) {
        if let Value::Object(map) = v {
            map.remove("description");
            map.values_mut().for_each(without_descriptions);
        }
    }

    #[test]
    fn declaration_matches_the_reference_server() {
        let g = group();
        g.validate().unwrap();
        let seed: Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/seed-tools-0.25.0.json"
        ))
        .unwrap();
        let reference: Vec<&Value> = seed["tools"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["group"] == "git")
            .collect();
        assert_eq!(g.tools().count(), reference.len());
        for theirs in reference {
            let name = theirs["name"].as_str().unwrap();
            let tool = g.find(name).unwrap_or_else(|| panic!("{name} missing"));
            let mut ours = tool.input_schema().to_value().unwrap();
            without_descriptions(&mut ours);
            assert_eq!(ours, theirs["input_schema"], "{name}");
        }
    }
}

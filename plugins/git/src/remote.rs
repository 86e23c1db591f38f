//! Project-level git set-up: deploy keys and git connection diagnostics. These do not depend
//! on a user's dev workspace, so they run as the server's identity in production.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, deploy_key, path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::common::PROJECT_ID;

/// This module's tools: the deploy-key pair from the SDK, then the connection tests, each
/// declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    let [get_key, create_key] =
        deploy_key::tools("get_git_deploy_key", "create_git_deploy_key", PROJECT_ID);
    [
        get_key,
        create_key,
        Tool::reader(
            "list_git_connection_tests",
            "List git connection tests",
            "Lists the git connection checks Looker can run for a project (id and \
            description), in the order to run them with `run_git_connection_test` when \
            git access fails.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .optional(
                    "remote_url",
                    Ty::Str,
                    "Test the git remote of this imported (dependency) project instead of \
                    the project's own.",
                ),
        )
        .handler(list_git_connection_tests),
        Tool::reader(
            "run_git_connection_test",
            "Run a git connection test",
            "Runs one git connection check for a project and returns its status (`pass`, \
            `fail`, …) and Looker's explanation. Run the checks in the order \
            `list_git_connection_tests` gives.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .required(
                    "test_id",
                    Ty::Str,
                    "Test id from `list_git_connection_tests`.",
                )
                .optional(
                    "remote_url",
                    Ty::Str,
                    "Test the git remote of this imported (dependency) project instead.",
                )
                .optional(
                    "use_production",
                    Ty::Str,
                    "`true` to test production git credentials instead of dev ones.",
                ),
        )
        .handler(run_git_connection_test),
    ]
}

/// Arguments of `list_git_connection_tests`.
#[derive(Debug, Deserialize)]
pub struct ListTests {
    project_id: String,
    #[serde(default)]
    remote_url: Option<String>,
}

/// Arguments of `run_git_connection_test`.
#[derive(Debug, Deserialize)]
pub struct RunTest {
    project_id: String,
    test_id: String,
    #[serde(default)]
    remote_url: Option<String>,
    #[serde(default)]
    use_production: Option<String>,
}

/// `GET /projects/{project_id}/git_connection_tests?remote_url=`.
pub fn list_git_connection_tests(args: ListTests, _ctx: &Context) -> Result<Value, ToolError> {
    let tests: Value = Request::get(path!("/projects/{}/git_connection_tests", args.project_id))
        .query_opt("remote_url", args.remote_url.as_deref())
        .send()?
        .json()?;
    let tests: Vec<Value> = tests
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| json!({"id": t["id"], "description": t["description"]}))
        .collect();
    Ok(json!({"project_id": args.project_id, "tests": tests}))
}

/// `GET /projects/{project_id}/git_connection_tests/{test_id}?remote_url=&use_production=`.
pub fn run_git_connection_test(args: RunTest, _ctx: &Context) -> Result<Value, ToolError> {
    let result: Value = Request::get(path!(
        "/projects/{}/git_connection_tests/{}",
        args.project_id,
        args.test_id
    ))
    .query_opt("remote_url", args.remote_url.as_deref())
    .query_opt("use_production", args.use_production.as_deref())
    .send()?
    .json()?;
    Ok(json!({
        "project_id": args.project_id, "test_id": args.test_id,
        "status": result["status"], "message": result["message"],
        "passed": result["status"] == "pass",
    }))
}

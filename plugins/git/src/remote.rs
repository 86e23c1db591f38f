//! Project-level git set-up: deploy keys and git connection diagnostics. These do not depend
//! on a user's dev workspace, so they run as the server's identity in production.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{Content, Context, Output, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

/// Arguments naming one project.
#[derive(Debug, Deserialize)]
pub struct ProjectArgs {
    project_id: String,
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

/// `GET /projects/{project_id}/git/deploy_key`: Looker answers `text/plain`, not JSON.
pub fn get_git_deploy_key(args: ProjectArgs, _ctx: &Context) -> Result<Output, ToolError> {
    let response = Request::get(path!("/projects/{}/git/deploy_key", args.project_id)).send()?;
    Ok(deploy_key(&args.project_id, &response.text(), false))
}

/// `POST /projects/{project_id}/git/deploy_key`: a new key pair; the public key comes back as
/// text.
pub fn create_git_deploy_key(args: ProjectArgs, _ctx: &Context) -> Result<Output, ToolError> {
    let response = Request::post(path!("/projects/{}/git/deploy_key", args.project_id)).send()?;
    Ok(deploy_key(&args.project_id, &response.text(), true))
}

fn deploy_key(project_id: &str, text: &str, created: bool) -> Output {
    let key = text.trim();
    let mut out =
        Output::json(json!({"project_id": project_id, "deploy_key": key, "created": created}));
    out.content = vec![Content::Text(if created {
        format!(
            "New deploy key for project {project_id} (add it, with write access, to the git \
             repository's deploy keys; the previous key no longer works):\n{key}"
        )
    } else {
        format!("Deploy key of project {project_id}:\n{key}")
    })];
    out
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

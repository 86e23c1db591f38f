//! Project-level git set-up: deploy keys and git connection diagnostics. These do not depend
//! on a user's dev workspace, so they run as the server's identity in production.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::{Content, Context, Output, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::common::PROJECT_ID;

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

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "get_git_deploy_key",
            "Get a project's git deploy key",
            "Returns the public SSH deploy key Looker uses for a project's git repository \
            (text such as `ssh-rsa AAAA...`), to add to the repository's deploy keys.",
        )
        .schema(schema::object().required("project_id", Ty::Str, PROJECT_ID))
        .returns(DEPLOY_KEY_OUTPUT)
        .handler(get_git_deploy_key),
        Tool::new(
            "create_git_deploy_key",
            "Create a new git deploy key",
            "Generates a new SSH key pair for a project's git access and returns the \
            public key. This replaces the previous key: git access fails until the new \
            key is added to the repository.",
        )
        .schema(schema::object().required("project_id", Ty::Str, PROJECT_ID))
        .returns(DEPLOY_KEY_OUTPUT)
        .handler(create_git_deploy_key),
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

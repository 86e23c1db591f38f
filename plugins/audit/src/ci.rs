//! Continuous Integration runs of a LookML project (Looker's beta CI API):
//! `POST /projects/{project_id}/continuous_integration/runs` and
//! `GET /projects/{project_id}/continuous_integration/runs/{run_id}`. Looker's API has no
//! operation that lists runs.

use looker_mcp_plugin_sdk::looker::{self, Request};
use looker_mcp_plugin_sdk::{Context, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

/// A Looker object without its `can` map.
fn without_can(mut value: Value) -> Value {
    if let Value::Object(map) = &mut value {
        map.remove("can");
    }
    value
}

/// `list_project_ci_runs` arguments.
#[derive(Deserialize)]
pub struct ProjectArgs {
    project_id: String,
}

/// `list_project_ci_runs`: Looker's API cannot list CI runs. The project is looked up (so a wrong
/// id gets Looker's 404), then the answer says where runs can be seen instead.
pub fn list_project_ci_runs(args: ProjectArgs, _ctx: &Context) -> Result<Value, ToolError> {
    looker::Request::get(path!("/projects/{}", args.project_id))
        .fields(&["id", "name"])
        .send()?;
    Err(ToolError::invalid_arguments(format!(
        "Looker's API has no operation that lists Continuous Integration runs, so the runs of \
         project {:?} cannot be listed. Use get_project_ci_run with a run id (trigger_project_ci_run \
         returns the id of the run it starts), or see every run in the Looker UI: Develop > \
         Projects > {} > Continuous Integration > Runs.",
        args.project_id, args.project_id
    )))
}

/// `get_project_ci_run` arguments.
#[derive(Deserialize)]
pub struct RunArgs {
    project_id: String,
    run_id: String,
}

/// `get_project_ci_run`: `GET /projects/{project_id}/continuous_integration/runs/{run_id}`.
pub fn get_project_ci_run(args: RunArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let run = looker::get(path!(
        "/projects/{}/continuous_integration/runs/{}",
        args.project_id,
        args.run_id
    ))?;
    Ok(without_can(run))
}

/// `trigger_project_ci_run` arguments.
#[derive(Deserialize)]
pub struct TriggerArgs {
    project_id: String,
    #[serde(default)]
    branch: Option<String>,
}

/// `trigger_project_ci_run`: `POST /projects/{project_id}/continuous_integration/runs`, with the
/// branch to validate when given (production otherwise).
pub fn trigger_project_ci_run(args: TriggerArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let mut body = json!({});
    if let Some(branch) = args.branch.as_deref().map(str::trim) {
        if branch.is_empty() {
            return Err(ToolError::invalid_arguments(
                "`branch`: must not be empty; omit it to validate production",
            ));
        }
        body["branch"] = json!(branch);
    }
    let run: Value = Request::post(path!(
        "/projects/{}/continuous_integration/runs",
        args.project_id
    ))
    .body(&body)
    .send()?
    .json()?;
    Ok(without_can(run))
}

//! Continuous Integration runs of a LookML project (Looker's beta CI API):
//! `POST /projects/{project_id}/continuous_integration/runs` and
//! `GET /projects/{project_id}/continuous_integration/runs/{run_id}`. Looker's API has no
//! operation that lists runs.

use looker_mcp_plugin_sdk::looker::{self, Request};
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::clean;
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "list_project_ci_runs",
            "List a project's CI runs",
            "Would list a LookML project's Continuous Integration runs, but Looker's API \
            has no operation that lists them: this checks that the project exists, then \
            explains how to see its runs (the Looker UI, or get_project_ci_run with a run \
            id that trigger_project_ci_run returned).",
        )
        .schema(schema::object().required(
            "project_id",
            Ty::Str.min_len(1),
            "The LookML project's id (its name).",
        ))
        .handler(list_project_ci_runs),
        Tool::reader(
            "get_project_ci_run",
            "Get a CI run",
            "Gets one Continuous Integration run of a LookML project (GET \
            /projects/{project_id}/continuous_integration/runs/{run_id}): status (queued, \
            running, passed, failed, errored, …), branch and commit validated, who \
            triggered it, when it started and finished, and the validators' results (SQL, \
            assert, content, LookML). Example: {\"project_id\": \"ecommerce\", \
            \"run_id\": \"1\"}.",
        )
        .schema(
            schema::object()
                .required(
                    "project_id",
                    Ty::Str.min_len(1),
                    "The LookML project's id (its name).",
                )
                .required(
                    "run_id",
                    Ty::Str.min_len(1),
                    "The CI run's id, as trigger_project_ci_run returned it.",
                ),
        )
        .handler(get_project_ci_run),
        Tool::creator(
            "trigger_project_ci_run",
            "Start a CI run",
            "Starts a Continuous Integration run of a LookML project (POST \
            /projects/{project_id}/continuous_integration/runs) on the project's CI \
            suite: it validates `branch` when given, production otherwise, and returns \
            the queued run, whose `id` get_project_ci_run takes to follow it. Example: \
            {\"project_id\": \"ecommerce\", \"branch\": \"dev-alice\"}.",
        )
        .schema(
            schema::object()
                .required(
                    "project_id",
                    Ty::Str.min_len(1),
                    "The LookML project's id (its name).",
                )
                .optional(
                    "branch",
                    Ty::Str,
                    "The git branch to validate; omit to validate production.",
                ),
        )
        .handler(trigger_project_ci_run),
    ]
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
    Ok(clean(&run))
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
    Ok(clean(&run))
}

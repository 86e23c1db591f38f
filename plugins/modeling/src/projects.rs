//! LookML projects: list, read, create, configure, manifest and deploy keys.

use looker_mcp_plugin_sdk::looker::{self, Request};
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::{Context, NoArgs, Tool, ToolError, deploy_key, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::common::{PROJECT_ID, without_can};

/// `list_projects`, which the reference server lists before the file tools.
pub fn list_tools() -> impl IntoIterator<Item = Tool> {
    [Tool::reader(
        "list_projects",
        "List LookML projects",
        "Lists the LookML projects: id, name, git remote, production branch, \
            pull-request mode and whether validation is required. Start here to find the \
            `project_id` the file, validation, test and git tools take.",
    )
    .schema(schema::object())
    .handler(list_projects)]
}

/// The other project tools, each declared beside its handler below, then the deploy-key pair
/// from the SDK.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    let [get_key, create_key] = deploy_key::tools(
        "get_project_deploy_key",
        "create_project_deploy_key",
        PROJECT_ID,
    );
    [
        Tool::reader(
            "get_project",
            "Get a LookML project",
            "Returns a LookML project's configuration: git remote and service, production \
            branch, pull-request mode, validation and deploy settings.",
        )
        .schema(schema::object().required("project_id", Ty::Str, PROJECT_ID))
        .handler(get_project),
        Tool::creator(
            "create_project",
            "Create a LookML project",
            "Creates an empty LookML project (in the dev workspace, as Looker requires) \
            and returns it. Then create a deploy key (`create_project_deploy_key`), add \
            it to the git repository and set `git_remote_url` with `update_project`.",
        )
        .schema(schema::object().required(
            "name",
            Ty::Str,
            "Name (and id) of the new project, e.g. `finance`.",
        ))
        .handler(create_project),
        Tool::overwriter(
            "update_project",
            "Configure a LookML project",
            "Changes a LookML project's configuration; only the settings you pass are \
            changed. Example: {\"project_id\": \"ecommerce\", \"pull_request_mode\": \
            \"required\", \"validation_required\": true}. Setting `git_remote_url` makes \
            Looker connect to the repository, which must already trust the project's \
            deploy key.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .optional(
                    "allow_warnings",
                    Ty::Bool,
                    "Allow commits when validation has only warnings.",
                )
                .optional(
                    "git_password",
                    Ty::Str,
                    "Git password or token (HTTPS remotes); never shown back.",
                )
                .optional(
                    "git_password_user_attribute",
                    Ty::Str,
                    "User attribute holding each developer's git password.",
                )
                .optional(
                    "git_production_branch_name",
                    Ty::Str,
                    "Branch deployed to production, e.g. `main`.",
                )
                .optional(
                    "git_release_mgmt_enabled",
                    Ty::Bool,
                    "Enable advanced deploy mode (deploy any commit).",
                )
                .optional(
                    "git_remote_url",
                    Ty::Str,
                    "Git remote, e.g. `git@github.com:acme/looker.git`. Add the project's \
                    deploy key to the repository first: Looker connects when this changes.",
                )
                .optional(
                    "git_service_name",
                    Ty::Str,
                    "Git service, e.g. `github`, `gitlab`, `bitbucket`.",
                )
                .optional("git_username", Ty::Str, "Git username (HTTPS remotes).")
                .optional(
                    "git_username_user_attribute",
                    Ty::Str,
                    "User attribute holding each developer's git username.",
                )
                .optional("name", Ty::Str, "New project name.")
                .optional(
                    "pull_request_mode",
                    Ty::Str,
                    "`off`, `links`, `recommended` or `required`.",
                )
                .optional(
                    "validation_required",
                    Ty::Bool,
                    "Require LookML validation to pass before commits.",
                ),
        )
        .handler(update_project),
        Tool::deleter(
            "delete_project",
            "Delete a LookML project",
            "Looker's API has no operation that deletes a LookML project, so this tool \
            never deletes anything: it answers with an error that explains how an admin \
            deletes a project in the Looker UI. It exists so that callers of the server \
            it replaces get a clear answer.",
        )
        .schema(schema::object().required("project_id", Ty::Str, PROJECT_ID))
        .handler(delete_project),
        Tool::reader(
            "get_project_manifest",
            "Get a project's manifest",
            "Returns a project's manifest (manifest.lkml): project name, imported projects \
            (name, url, ref) and localization settings.",
        )
        .schema(schema::object().required("project_id", Ty::Str, PROJECT_ID))
        .handler(get_project_manifest),
        get_key,
        create_key,
    ]
}

/// What `list_projects` shows of each project.
const LISTED: &[&str] = &[
    "id",
    "name",
    "uses_git",
    "git_remote_url",
    "git_service_name",
    "git_production_branch_name",
    "pull_request_mode",
    "validation_required",
    "is_git_dev_locked",
];

/// Arguments naming one project.
#[derive(Debug, Deserialize)]
pub struct ProjectArgs {
    project_id: String,
}

/// Arguments of `create_project`.
#[derive(Debug, Deserialize)]
pub struct CreateProject {
    name: String,
}

/// Arguments of `update_project`: every setting is optional; only those given are sent.
#[derive(Debug, Deserialize)]
pub struct UpdateProject {
    project_id: String,
    #[serde(flatten)]
    changes: Map<String, Value>,
}

/// The settings `update_project` may change (Looker `Project` fields).
pub const UPDATABLE: &[&str] = &[
    "name",
    "git_remote_url",
    "git_username",
    "git_password",
    "git_service_name",
    "git_username_user_attribute",
    "git_password_user_attribute",
    "git_production_branch_name",
    "pull_request_mode",
    "validation_required",
    "git_release_mgmt_enabled",
    "allow_warnings",
];

/// `GET /projects` → `{"projects": [...]}`.
pub fn list_projects(_: NoArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get("/projects").fields(LISTED).send()?.json()?;
    Ok(json!({ "projects": without_can(found) }))
}

/// `GET /projects/{project_id}`.
pub fn get_project(args: ProjectArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let found = looker::get(path!("/projects/{}", args.project_id))?;
    Ok(masked(without_can(found)))
}

/// `POST /projects {name}` in the dev workspace (Looker creates projects only there).
pub fn create_project(args: CreateProject, _ctx: &Context) -> Result<Value, ToolError> {
    if args.name.trim().is_empty() {
        return Err(ToolError::invalid_arguments("`name`: must not be empty"));
    }
    let created: Value = Request::post("/projects")
        .body(&json!({ "name": args.name }))
        .dev_mode(true)
        .send()?
        .json()?;
    Ok(masked(without_can(created)))
}

/// `PATCH /projects/{project_id}` with the settings given, in the dev workspace.
pub fn update_project(args: UpdateProject, _ctx: &Context) -> Result<Value, ToolError> {
    let body: Map<String, Value> = args
        .changes
        .into_iter()
        .filter(|(k, v)| UPDATABLE.contains(&k.as_str()) && !v.is_null())
        .collect();
    if body.is_empty() {
        return Err(ToolError::invalid_arguments(format!(
            "nothing to change: give at least one of {}",
            UPDATABLE.join(", ")
        )));
    }
    let updated: Value = Request::patch(path!("/projects/{}", args.project_id))
        .body(&body)
        .dev_mode(true)
        .send()?
        .json()?;
    Ok(masked(without_can(updated)))
}

/// Looker's API has no operation that deletes a project; say so, and how to do it instead.
pub fn delete_project(args: ProjectArgs, _ctx: &Context) -> Result<Value, ToolError> {
    Err(ToolError::invalid_arguments(format!(
        "Looker's API cannot delete LookML projects, so project {:?} was not deleted. An admin can \
         delete it in the Looker UI (Develop > Projects > Edit Configuration > Delete Project, in \
         development mode). To stop using it without deleting it, remove the models that point to \
         it (Develop > Projects > Configure models).",
        args.project_id
    )))
}

/// `GET /projects/{project_id}/manifest`.
pub fn get_project_manifest(args: ProjectArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let found = looker::get(path!("/projects/{}/manifest", args.project_id))?;
    Ok(without_can(found))
}

/// Hides a git password if Looker ever echoed one.
fn masked(mut project: Value) -> Value {
    if let Some(p) = project.get_mut("git_password")
        && p.as_str().is_some_and(|s| !s.is_empty())
    {
        *p = Value::from("********");
    }
    project
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;

    #[test]
    fn update_sends_only_given_settings() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({"id": "p", "git_password": "x"}))));
        let args: UpdateProject = serde_json::from_value(
            json!({"project_id": "p", "name": null, "allow_warnings": false}),
        )
        .unwrap();
        let out = update_project(args, &Context::default()).unwrap();
        assert_eq!(out["git_password"], "********");
        let req = &seen.requests()[0];
        assert_eq!(req.body_json_text(), Some(r#"{"allow_warnings":false}"#));
        assert!(req.is_dev_mode());
    }
}

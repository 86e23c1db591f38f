//! LookML projects: list, read, create, configure, manifest and deploy keys.

use looker_mcp_plugin_sdk::looker::{self, Request};
use looker_mcp_plugin_sdk::{Context, NoArgs, Output, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::common::without_can;

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

/// `GET /projects/{project_id}/git/deploy_key`: the public key, which Looker sends as text.
pub fn get_deploy_key(args: ProjectArgs, _ctx: &Context) -> Result<Output, ToolError> {
    let response = Request::get(path!("/projects/{}/git/deploy_key", args.project_id)).send()?;
    Ok(deploy_key(&args.project_id, &response.text(), false))
}

/// `POST /projects/{project_id}/git/deploy_key`: a new key pair; returns the public key text.
pub fn create_deploy_key(args: ProjectArgs, _ctx: &Context) -> Result<Output, ToolError> {
    let response = Request::post(path!("/projects/{}/git/deploy_key", args.project_id)).send()?;
    Ok(deploy_key(&args.project_id, &response.text(), true))
}

/// A deploy key result: the key as text (what a person copies) plus structured fields.
fn deploy_key(project_id: &str, text: &str, created: bool) -> Output {
    let key = text.trim();
    let mut out = Output::json(json!({
        "project_id": project_id,
        "deploy_key": key,
        "created": created,
    }));
    out.content = vec![looker_mcp_plugin_sdk::Content::Text(if created {
        format!(
            "New deploy key for project {project_id} (add it, with write access, to the git \
             repository's deploy keys; the previous key no longer works):\n{key}"
        )
    } else {
        format!("Deploy key of project {project_id}:\n{key}")
    })];
    out
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
    fn deploy_key_is_text_not_json() {
        let seen = mock_looker(|_| {
            Ok(Response {
                status: 200,
                content_type: Some("text/plain".into()),
                body: b"ssh-rsa AAAAB3Nza looker\n".to_vec(),
            })
        });
        let out = get_deploy_key(
            ProjectArgs {
                project_id: "p".into(),
            },
            &Context::default(),
        )
        .unwrap();
        assert_eq!(
            out.structured.unwrap()["deploy_key"],
            "ssh-rsa AAAAB3Nza looker"
        );
        assert_eq!(
            seen.requests()[0].path().as_str(),
            "/projects/p/git/deploy_key"
        );
    }

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

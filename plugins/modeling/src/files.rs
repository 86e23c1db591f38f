//! LookML files of a project, in the caller's dev workspace: list, read, create, update, delete.
//!
//! Listing and file info use the spec's `GET /projects/{id}/files` and
//! `GET /projects/{id}/files/file?file_id=`. The public spec has no route for a file's text or
//! for writes, so those use the routes Looker serves for its own tooling (ARCHITECTURE.md §5):
//! `GET /projects/{id}/file/content?file_path=` and `POST|PUT|DELETE /projects/{id}/files`.

use looker_mcp_plugin_sdk::args::default;
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::common::{
    ACT_AS_USER, BRANCH, DEV_MODE_FILES, FILE_ID, PROJECT_ID, check_file_path, enter_workspace,
    without_can,
};

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "list_project_files",
            "List a project's LookML files",
            "Lists a LookML project's files (id/path, type such as `model` or `view`, \
            whether editable, git status). Reads your dev workspace by default; set \
            `dev_mode` false for production, or `branch` to list another branch for this \
            call only.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .optional("act_as_user", Ty::Str, ACT_AS_USER)
                .optional("branch", Ty::Str, BRANCH)
                .with_default("dev_mode", Ty::Bool, true, DEV_MODE_FILES),
        )
        .handler(list_project_files),
        Tool::reader(
            "get_file",
            "Read a LookML file",
            "Reads one LookML file: its info (path, type, git status) and its full text in \
            `content`. Reads your dev workspace by default (uncommitted edits included). \
            Example: {\"project_id\": \"ecommerce\", \"file_id\": \
            \"views/orders.view.lkml\"}.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .required("file_id", Ty::Str, FILE_ID)
                .optional("act_as_user", Ty::Str, ACT_AS_USER)
                .optional("branch", Ty::Str, BRANCH)
                .with_default("dev_mode", Ty::Bool, true, DEV_MODE_FILES),
        )
        .handler(get_file),
        Tool::creator(
            "create_file",
            "Create a LookML file",
            "Creates a new LookML file in your dev workspace (Looker does not allow edits \
            in production). Fails if the file exists; use `update_file` then. The change \
            is uncommitted until it is committed and deployed. Example: {\"project_id\": \
            \"ecommerce\", \"file_id\": \"views/returns.view.lkml\", \"content\": \"view: \
            returns { sql_table_name: returns ;; }\"}.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .required("file_id", Ty::Str, FILE_ID)
                .required("content", Ty::Str, "The whole file text (LookML).")
                .optional("act_as_user", Ty::Str, ACT_AS_USER)
                .optional("branch", Ty::Str, BRANCH),
        )
        .handler(create_file),
        Tool::overwriter(
            "update_file",
            "Overwrite a LookML file",
            "Replaces the whole text of an existing LookML file in your dev workspace. \
            Read it first with `get_file` and send the complete new text. Validate \
            afterwards with `validate_project` (dev_mode true).",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .required("file_id", Ty::Str, FILE_ID)
                .required(
                    "content",
                    Ty::Str,
                    "The new, whole file text (it replaces the old text).",
                )
                .optional("act_as_user", Ty::Str, ACT_AS_USER)
                .optional("branch", Ty::Str, BRANCH),
        )
        .handler(update_file),
        Tool::deleter(
            "delete_file",
            "Delete a LookML file",
            "Deletes a LookML file from your dev workspace. The deletion is uncommitted \
            until committed; `reset_to_production` (git group) undoes uncommitted changes.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .required("file_id", Ty::Str, FILE_ID)
                .optional("act_as_user", Ty::Str, ACT_AS_USER)
                .optional("branch", Ty::Str, BRANCH),
        )
        .handler(delete_file),
    ]
}

/// Arguments of `list_project_files`.
#[derive(Debug, Deserialize)]
pub struct ListFiles {
    project_id: String,
    #[serde(default = "default::yes")]
    dev_mode: bool,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    act_as_user: Option<String>,
}

/// Arguments of `get_file`.
#[derive(Debug, Deserialize)]
pub struct GetFile {
    project_id: String,
    file_id: String,
    #[serde(default = "default::yes")]
    dev_mode: bool,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    act_as_user: Option<String>,
}

/// Arguments of `create_file` and `update_file`.
#[derive(Debug, Deserialize)]
pub struct WriteFile {
    project_id: String,
    file_id: String,
    content: String,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    act_as_user: Option<String>,
}

/// Arguments of `delete_file`.
#[derive(Debug, Deserialize)]
pub struct DeleteFile {
    project_id: String,
    file_id: String,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    act_as_user: Option<String>,
}

/// `GET /projects/{project_id}/files` → `{"project_id", "workspace", "files": [...]}`.
pub fn list_project_files(args: ListFiles, _ctx: &Context) -> Result<Value, ToolError> {
    let dev = enter_workspace(
        &args.project_id,
        args.dev_mode,
        args.branch.as_deref(),
        args.act_as_user.as_deref(),
    )?;
    let files: Value = Request::get(path!("/projects/{}/files", args.project_id))
        .dev_mode(dev)
        .send()?
        .json()?;
    Ok(json!({
        "project_id": args.project_id,
        "workspace": workspace(dev),
        "branch": args.branch,
        "files": without_can(files),
    }))
}

/// File info, then its text → `{"project_id", "workspace", "file": {...}, "content"}`.
pub fn get_file(args: GetFile, _ctx: &Context) -> Result<Value, ToolError> {
    check_file_path("file_id", &args.file_id)?;
    let dev = enter_workspace(
        &args.project_id,
        args.dev_mode,
        args.branch.as_deref(),
        args.act_as_user.as_deref(),
    )?;
    let info: Value = Request::get(path!("/projects/{}/files/file", args.project_id))
        .query("file_id", &args.file_id)
        .dev_mode(dev)
        .send()?
        .json()?;
    let path = info["path"].as_str().unwrap_or(&args.file_id).to_owned();
    let response = Request::get(path!("/projects/{}/file/content", args.project_id))
        .query("file_path", &path)
        .dev_mode(dev)
        .send()?;
    Ok(json!({
        "project_id": args.project_id,
        "workspace": workspace(dev),
        "branch": args.branch,
        "file": without_can(info),
        "content": file_text(&response)?,
    }))
}

/// `POST /projects/{project_id}/files {path, content}` in the dev workspace.
pub fn create_file(args: WriteFile, _ctx: &Context) -> Result<Value, ToolError> {
    write(
        Request::post(path!("/projects/{}/files", args.project_id)),
        args,
        "created",
    )
}

/// `PUT /projects/{project_id}/files {path, content}` in the dev workspace.
pub fn update_file(args: WriteFile, _ctx: &Context) -> Result<Value, ToolError> {
    write(
        Request::put(path!("/projects/{}/files", args.project_id)),
        args,
        "updated",
    )
}

fn write(request: Request, args: WriteFile, done: &str) -> Result<Value, ToolError> {
    check_file_path("file_id", &args.file_id)?;
    enter_workspace(
        &args.project_id,
        true,
        args.branch.as_deref(),
        args.act_as_user.as_deref(),
    )?;
    let answer: Value = request
        .body(&json!({ "path": args.file_id, "content": args.content }))
        .dev_mode(true)
        .send()?
        .json()?;
    let mut out = json!({
        "project_id": args.project_id,
        "file_id": args.file_id,
        "status": done,
        "bytes": args.content.len(),
        "branch": args.branch,
    });
    if answer.is_object() {
        out["file"] = without_can(answer);
    }
    Ok(out)
}

/// `DELETE /projects/{project_id}/files?file_path=` in the dev workspace.
pub fn delete_file(args: DeleteFile, _ctx: &Context) -> Result<Value, ToolError> {
    check_file_path("file_id", &args.file_id)?;
    enter_workspace(
        &args.project_id,
        true,
        args.branch.as_deref(),
        args.act_as_user.as_deref(),
    )?;
    Request::delete(path!("/projects/{}/files", args.project_id))
        .query("file_path", &args.file_id)
        .dev_mode(true)
        .send()?;
    Ok(json!({
        "project_id": args.project_id,
        "file_id": args.file_id,
        "status": "deleted",
        "branch": args.branch,
    }))
}

fn workspace(dev: bool) -> &'static str {
    if dev { "dev" } else { "production" }
}

/// A file's text: Looker sends it as text, or as JSON (a string, or an object with `content`).
fn file_text(response: &looker_mcp_plugin_sdk::looker::Response) -> Result<String, ToolError> {
    if response.mime_type().as_deref() == Some("application/json") {
        let value: Value = response.json()?;
        return Ok(match value {
            Value::String(s) => s,
            Value::Object(map) => map
                .get("content")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            other => other.to_string(),
        });
    }
    Ok(response.text())
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::{Method, Response};
    use looker_mcp_plugin_sdk::testing::mock_looker;

    #[test]
    fn bad_paths_never_reach_looker() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({}))));
        let err = delete_file(
            DeleteFile {
                project_id: "p".into(),
                file_id: "../manifest.lkml".into(),
                branch: None,
                act_as_user: None,
            },
            &Context::default(),
        )
        .unwrap_err();
        assert!(matches!(err, ToolError::InvalidArguments(_)), "{err}");
        assert!(seen.requests().is_empty());
    }

    #[test]
    fn get_file_reads_info_then_text() {
        let seen = mock_looker(|req| {
            Ok(if req.path().as_str().ends_with("/file/content") {
                Response {
                    status: 200,
                    content_type: Some("text/plain".into()),
                    body: b"view: x {}".to_vec(),
                }
            } else {
                Response::json_ok(&json!({"id": "v.view.lkml", "path": "v.view.lkml", "can": {}}))
            })
        });
        let args: GetFile =
            serde_json::from_value(json!({"project_id": "p", "file_id": "v.view.lkml"})).unwrap();
        let out = get_file(args, &Context::default()).unwrap();
        assert_eq!(out["content"], "view: x {}");
        assert_eq!(out["workspace"], "dev");
        let reqs = seen.requests();
        assert_eq!(reqs[0].path().as_str(), "/projects/p/files/file");
        assert_eq!(reqs[0].query_value("file_id"), Some("v.view.lkml"));
        assert!(
            reqs.iter()
                .all(|r| r.is_dev_mode() && r.method() == Method::Get)
        );
        assert_eq!(reqs[1].query_value("file_path"), Some("v.view.lkml"));
    }
}

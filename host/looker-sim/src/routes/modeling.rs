//! LookML project administration: project create/update, manifest, deploy keys, project files
//! (per-user dev workspaces), validation, LookML data tests, deploys, resets and git connection
//! tests.
//!
//! Files live in the `lookml_files` collection, one entry per (owner, project, path), where the
//! owner is `production` or a user id. A user's dev workspace starts as a copy of production the
//! first time it is touched, so edits stay private to that user until deployed.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::projects::{current, project_id};
use super::{Route, list_response};
use crate::http::{Req, Resp};
use crate::state::{Collection, Workspace, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new("POST", "/projects", create_project),
    Route::new("PATCH", "/projects/{project_id}", update_project),
    Route::new("GET", "/projects/{project_id}/manifest", manifest),
    Route::new("GET", "/projects/{project_id}/git/deploy_key", deploy_key),
    Route::new(
        "POST",
        "/projects/{project_id}/git/deploy_key",
        new_deploy_key,
    ),
    Route::new("GET", "/projects/{project_id}/files", all_files),
    Route::new("GET", "/projects/{project_id}/files/file", file_info),
    Route::new("GET", "/projects/{project_id}/file/content", file_content),
    Route::new("POST", "/projects/{project_id}/files", create_file),
    Route::new("PUT", "/projects/{project_id}/files", update_file),
    Route::new("DELETE", "/projects/{project_id}/files", delete_file),
    Route::new("POST", "/projects/{project_id}/validate", validate),
    Route::new("GET", "/projects/{project_id}/lookml_tests", all_tests),
    Route::new("GET", "/projects/{project_id}/lookml_tests/run", run_tests),
    Route::new(
        "POST",
        "/projects/{project_id}/deploy_ref_to_production",
        deploy_ref,
    ),
    Route::new(
        "POST",
        "/projects/{project_id}/deploy_to_production",
        deploy_dev,
    ),
    Route::new(
        "POST",
        "/projects/{project_id}/reset_to_production",
        reset_to_production,
    ),
    Route::new(
        "POST",
        "/projects/{project_id}/reset_to_remote",
        reset_to_remote,
    ),
    Route::new(
        "GET",
        "/projects/{project_id}/git_connection_tests",
        connection_tests,
    ),
    Route::new(
        "GET",
        "/projects/{project_id}/git_connection_tests/{test_id}",
        run_connection_test,
    ),
];

const DEV_ONLY: &str =
    "Only allowed in development mode. Call update_session to select the 'dev' workspace.";

/// The branch on which the seed's `revenue_is_positive` data test fails (a PR regression).
pub(crate) const REGRESSION_BRANCH: &str = "feature/new-dashboard";

fn seed_files() -> Vec<Map<String, Value>> {
    let ecommerce = [
        ("manifest.lkml", "project_name: \"ecommerce\"\n"),
        (
            "ecommerce.model.lkml",
            "connection: \"thelook\"\ninclude: \"/views/*.view.lkml\"\n\nexplore: orders {\n  join: users {\n    sql_on: ${orders.user_id} = ${users.id} ;;\n    relationship: many_to_one\n  }\n}\n",
        ),
        (
            "views/orders.view.lkml",
            "view: orders {\n  sql_table_name: public.orders ;;\n  dimension: id {\n    primary_key: yes\n    type: number\n  }\n  dimension: status {}\n  measure: total_revenue {\n    type: sum\n    sql: ${TABLE}.amount ;;\n  }\n}\n",
        ),
        (
            "views/users.view.lkml",
            "view: users {\n  sql_table_name: public.users ;;\n  dimension: id {\n    primary_key: yes\n  }\n  dimension: email {\n    hidden: yes\n  }\n}\n",
        ),
        (
            "tests/orders.lkml",
            "test: orders_have_ids {\n  explore_source: orders {\n    column: count {}\n  }\n  assert: ids_present {\n    expression: ${orders.count} > 0 ;;\n  }\n}\n\ntest: revenue_is_positive {\n  explore_source: orders {\n    column: total_revenue {}\n  }\n  assert: positive {\n    expression: ${orders.total_revenue} >= 0 ;;\n  }\n}\n",
        ),
    ];
    let marketing = [
        (
            "marketing.model.lkml",
            "connection: \"bigquery_marketing\"\ninclude: \"/views/*.view.lkml\"\n\nexplore: campaigns {}\n",
        ),
        (
            "views/campaigns.view.lkml",
            "view: campaigns {\n  sql_table_name: marketing.campaigns ;;\n  dimension: name {}\n}\n",
        ),
    ];
    let mut out = Vec::new();
    for (project, files) in [("ecommerce", &ecommerce[..]), ("marketing", &marketing[..])] {
        for (path, content) in files {
            out.push(entry("production", project, path, content));
        }
    }
    out
}

fn entry(owner: &str, project: &str, path: &str, content: &str) -> Map<String, Value> {
    crate::data::obj(json!({
        "key": format!("{owner}\u{1f}{project}\u{1f}{path}"),
        "owner": owner, "project": project, "path": path, "content": content,
    }))
}

fn files(world: &mut World) -> &mut Collection {
    world.collection("lookml_files", "key", seed_files)
}

/// Whose files the caller sees: production, or their own dev workspace.
fn owner(req: &Req) -> String {
    let caller = req.caller();
    match caller.workspace {
        Workspace::Production => "production".into(),
        Workspace::Dev => caller.user_id.clone(),
    }
}

/// `(path, content)` of every file `owner` has in `project`, sorted by path.
fn files_of(world: &mut World, owner: &str, project: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = files(world)
        .list()
        .iter()
        .filter(|f| f["owner"] == owner && f["project"] == project)
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_string(),
                f["content"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Makes sure a dev workspace exists for `(user, project)`, copying production on first use.
fn ensure_workspace(world: &mut World, user: &str, project: &str) {
    let key = format!("{user}\u{1f}{project}");
    let workspaces = world.collection("dev_workspaces", "key", Vec::new);
    if workspaces.get(&key).is_some() {
        return;
    }
    workspaces.insert(crate::data::obj(json!({ "key": key })));
    reset_workspace(world, user, project);
}

/// Replaces `user`'s dev files of `project` with production's.
fn reset_workspace(world: &mut World, user: &str, project: &str) {
    for (path, _) in files_of(world, user, project) {
        files(world).remove(&format!("{user}\u{1f}{project}\u{1f}{path}"));
    }
    for (path, content) in files_of(world, "production", project) {
        files(world).insert(entry(user, project, &path, &content));
    }
}

/// The caller's view of the project's files (creating their dev workspace when needed).
fn visible(world: &mut World, req: &Req, project: &str) -> (String, Vec<(String, String)>) {
    let owner = owner(req);
    if owner != "production" {
        ensure_workspace(world, &owner, project);
    }
    let list = files_of(world, &owner, project);
    (owner, list)
}

fn file_json(world: &mut World, owner: &str, project: &str, path: &str, content: &str) -> Value {
    let title = path.rsplit('/').next().unwrap_or(path);
    let kind = if title == "manifest.lkml" {
        "manifest"
    } else if title.ends_with(".model.lkml") {
        "model"
    } else if title.ends_with(".view.lkml") {
        "view"
    } else if title.ends_with(".dashboard.lookml") {
        "dashboard"
    } else if title.ends_with(".md") {
        "document"
    } else {
        "lkml"
    };
    let extension = title.find('.').map_or("", |i| &title[i..]);
    let action = if owner == "production" {
        None
    } else {
        let prod = files(world)
            .get(&format!("production\u{1f}{project}\u{1f}{path}"))
            .and_then(|f| f["content"].as_str())
            .map(str::to_string);
        match prod {
            None => Some("A"),
            Some(p) if p != content => Some("M"),
            Some(_) => None,
        }
    };
    json!({
        "id": path, "path": path, "title": title, "type": kind, "extension": extension,
        "mime_type": "text/plain", "editable": owner != "production",
        "git_status": {
            "action": action, "conflict": false, "revertable": action.is_some(),
            "text": action.map(|a| if a == "A" { "Added" } else { "Modified" }),
        },
        "can": {"show": true, "update": owner != "production"},
    })
}

fn with_project(world: &World, req: &Req, f: impl FnOnce(String) -> Resp) -> Resp {
    match project_id(world, req) {
        Ok(p) => f(p),
        Err(resp) => resp,
    }
}

fn all_files(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let (owner, list) = visible(world, req, &project);
    let items = list
        .iter()
        .map(|(path, content)| file_json(world, &owner, &project, path, content))
        .collect();
    list_response(items, req)
}

fn find_file(world: &mut World, req: &Req, project: &str, path: &str) -> Option<(String, String)> {
    let (owner, list) = visible(world, req, project);
    list.into_iter()
        .find(|(p, _)| p == path)
        .map(|(_, content)| (owner, content))
}

fn file_info(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let Some(path) = req.query("file_id").map(str::to_string) else {
        return Resp::bad_request("file_id is required");
    };
    match find_file(world, req, &project, &path) {
        Some((owner, content)) => Resp::json(file_json(world, &owner, &project, &path, &content)),
        None => Resp::not_found(),
    }
}

fn file_content(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let Some(path) = req.query("file_path").map(str::to_string) else {
        return Resp::bad_request("file_path is required");
    };
    match find_file(world, req, &project, &path) {
        Some((_, content)) => Resp::text("text/plain", content),
        None => Resp::not_found(),
    }
}

/// Project, path and content of a file write, or the error response.
fn write_target(world: &World, req: &Req) -> Result<(String, String, String), Resp> {
    let project = project_id(world, req)?;
    if req.caller().workspace != Workspace::Dev {
        return Err(Resp::bad_request(DEV_ONLY));
    }
    let body = req.body_object();
    let path = body.get("path").and_then(Value::as_str).unwrap_or_default();
    if path.is_empty() || path.starts_with('/') || path.split('/').any(|s| s == "..") {
        return Err(Resp::validation(
            "Validation Failed",
            &[("path", "invalid", "A relative file path is required".into())],
        ));
    }
    let content = body
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok((project, path.to_string(), content.to_string()))
}

fn create_file(world: &mut World, req: &Req) -> Resp {
    let (project, path, content) = match write_target(world, req) {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    if find_file(world, req, &project, &path).is_some() {
        return Resp::validation(
            "Validation Failed",
            &[(
                "path",
                "already_exists",
                format!("File {path} already exists"),
            )],
        );
    }
    let owner = owner(req);
    files(world).insert(entry(&owner, &project, &path, &content));
    Resp::json(file_json(world, &owner, &project, &path, &content))
}

fn update_file(world: &mut World, req: &Req) -> Resp {
    let (project, path, content) = match write_target(world, req) {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    if find_file(world, req, &project, &path).is_none() {
        return Resp::not_found();
    }
    let owner = owner(req);
    files(world).insert(entry(&owner, &project, &path, &content));
    Resp::json(file_json(world, &owner, &project, &path, &content))
}

fn delete_file(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    if req.caller().workspace != Workspace::Dev {
        return Resp::bad_request(DEV_ONLY);
    }
    let path = req.query("file_path").unwrap_or_default().to_string();
    if find_file(world, req, &project, &path).is_none() {
        return Resp::not_found();
    }
    let owner = owner(req);
    files(world).remove(&format!("{owner}\u{1f}{project}\u{1f}{path}"));
    Resp::no_content()
}

/// Lint: every file's braces must balance.
fn validate(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let (_, list) = visible(world, req, &project);
    let mut errors = Vec::new();
    let mut digest = 0xcbf2_9ce4_8422_2325_u64;
    for (path, content) in &list {
        for b in path.bytes().chain(content.bytes()) {
            digest = (digest ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let mut depth = 0_i64;
        let mut bad_line = None;
        for (n, line) in content.lines().enumerate() {
            depth += line.matches('{').count() as i64 - line.matches('}').count() as i64;
            if depth < 0 && bad_line.is_none() {
                bad_line = Some(n + 1);
            }
        }
        if depth != 0 || bad_line.is_some() {
            let line = bad_line.unwrap_or_else(|| content.lines().count().max(1));
            let message = format!("Syntax error: unbalanced braces in {path}");
            errors.push(json!({
                "code": "lookml_syntax_error", "severity": "error", "kind": "syntax",
                "message": message, "field_name": null, "file_path": format!("{project}/{path}"),
                "line_number": line, "model_id": null, "explore": null,
                "help_url": "https://cloud.google.com/looker/docs/lookml-validation",
                "params": {}, "sanitized_message": message,
            }));
        }
    }
    Resp::json(json!({
        "errors": errors, "project_digest": format!("{digest:016x}"),
        "models_not_validated": [], "computation_time": 0.042,
    }))
}

/// The model a project's tests belong to (the first model of the project).
fn project_model(world: &World, project: &str) -> String {
    world
        .models
        .list()
        .iter()
        .find(|m| m["project_name"] == project)
        .and_then(|m| m["name"].as_str())
        .unwrap_or(project)
        .to_string()
}

/// `test: name {` blocks of the visible files: `(name, explore, path, line)`.
fn tests_in(list: &[(String, String)]) -> Vec<(String, String, String, usize)> {
    let mut out = Vec::new();
    for (path, content) in list {
        let mut pending: Option<(String, usize)> = None;
        for (n, line) in content.lines().enumerate() {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("test:") {
                let name = rest.trim().trim_end_matches('{').trim().to_string();
                pending = Some((name, n + 1));
            } else if let (Some(rest), Some((name, at))) =
                (line.strip_prefix("explore_source:"), pending.take())
            {
                let explore = rest.trim().trim_end_matches('{').trim().to_string();
                out.push((name, explore, path.clone(), at));
            }
        }
    }
    out
}

fn all_tests(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let model = project_model(world, &project);
    let (_, list) = visible(world, req, &project);
    let file = req.query("file_id");
    let items = tests_in(&list)
        .into_iter()
        .filter(|(_, _, path, _)| file.is_none_or(|f| f == path))
        .map(|(name, explore, path, line)| {
            json!({
                "model_name": model, "name": name, "explore_name": explore,
                "query_url_params": format!("fields={explore}.count"),
                "file": format!("{project}/{path}"), "line": line, "can": {},
            })
        })
        .collect();
    Resp::json(Value::Array(items))
}

fn run_tests(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let model = project_model(world, &project);
    if req.query("model").is_some_and(|m| m != model) {
        return Resp::json(json!([]));
    }
    let branch = current(world, req, &project);
    let (_, list) = visible(world, req, &project);
    let items = tests_in(&list)
        .into_iter()
        .filter(|(name, _, path, _)| {
            req.query("file_id").is_none_or(|f| f == path)
                && req.query("test").is_none_or(|t| t == name)
        })
        .map(|(name, explore, path, line)| {
            let fails = name == "revenue_is_positive" && branch == REGRESSION_BRANCH;
            let errors = if fails {
                vec![json!({
                    "code": "lookml_test_assertion_failed", "severity": "error", "kind": "test",
                    "message": format!("Assertion \"positive\" of test \"{name}\" failed: expression evaluated to false for 3 rows"),
                    "field_name": null, "file_path": format!("{project}/{path}"), "line_number": line,
                    "model_id": model, "explore": explore, "help_url": null, "params": {},
                    "sanitized_message": "Assertion failed",
                })]
            } else {
                Vec::new()
            };
            json!({
                "model_name": model, "test_name": name, "assertions_count": 1,
                "assertions_failed": i32::from(fails), "errors": errors, "warnings": [],
                "success": !fails, "can": {},
            })
        })
        .collect();
    Resp::json(Value::Array(items))
}

fn create_project(world: &mut World, req: &Req) -> Resp {
    if req.caller().workspace != Workspace::Dev {
        return Resp::bad_request(DEV_ONLY);
    }
    let body = req.body_object();
    let Some(name) = body
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    else {
        return Resp::validation(
            "Validation Failed",
            &[("name", "missing", "Project name is required".into())],
        );
    };
    if body.contains_key("git_remote_url") {
        return Resp::validation(
            "Validation Failed",
            &[(
                "git_remote_url",
                "invalid",
                "git_remote_url is not allowed on create".into(),
            )],
        );
    }
    if world.projects.get(name).is_some() {
        return Resp::validation(
            "Validation Failed",
            &[(
                "name",
                "already_exists",
                format!("Project {name} already exists"),
            )],
        );
    }
    let project = world.projects.insert(crate::data::obj(json!({
        "id": name, "name": name, "uses_git": false, "is_git_dev_locked": false,
        "git_remote_url": null, "git_username": null, "git_password": null,
        "git_production_branch_name": "main", "use_git_cookie_auth": false,
        "git_username_user_attribute": null, "git_password_user_attribute": null,
        "git_service_name": null, "git_application_server_http_port": null,
        "git_application_server_http_scheme": null, "deploy_secret": null,
        "unset_deploy_secret": false, "pull_request_mode": "off", "validation_required": false,
        "git_release_mgmt_enabled": false, "allow_warnings": true, "is_example": false,
        "has_production_counterpart": false, "dependency_status": null,
        "can": { "show": true, "update": true, "deploy": true, "develop": true },
    })));
    Resp::json(project)
}

const READ_ONLY_PROJECT_KEYS: &[&str] = &[
    "id",
    "can",
    "uses_git",
    "is_git_dev_locked",
    "is_example",
    "has_production_counterpart",
];

fn update_project(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let mut changes = req.body_object();
    changes.retain(|k, _| !READ_ONLY_PROJECT_KEYS.contains(&k.as_str()));
    if let Some(mode) = changes.get("pull_request_mode").and_then(Value::as_str)
        && !["off", "links", "recommended", "required"].contains(&mode)
    {
        return Resp::validation(
            "Validation Failed",
            &[(
                "pull_request_mode",
                "invalid",
                format!("Invalid pull_request_mode: {mode}"),
            )],
        );
    }
    if changes.get("git_remote_url").is_some_and(|u| !u.is_null()) {
        changes.insert("uses_git".into(), Value::Bool(true));
    }
    let mut updated = world.projects.patch(&project, &changes).unwrap_or_default();
    if updated["git_password"].as_str().is_some() {
        updated["git_password"] = Value::from("********");
    }
    Resp::json(updated)
}

fn manifest(world: &mut World, req: &Req) -> Resp {
    with_project(world, req, |project| {
        let imports = if project == "ecommerce" {
            json!([{"name": "marketing", "url": "git@github.com:example/marketing.git", "ref": "main", "is_remote": true}])
        } else {
            json!([])
        };
        Resp::json(json!({
            "name": project, "imports": imports,
            "localization_settings": {"default_locale": null, "localization_level": "permissive"},
            "can": {},
        }))
    })
}

fn deploy_keys(world: &mut World) -> &mut Collection {
    world.collection("deploy_keys", "project_id", || {
        vec![crate::data::obj(json!({
            "project_id": "ecommerce",
            "key": "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDsimEcommerceDeployKey0001 looker-sim@ecommerce",
        }))]
    })
}

fn deploy_key(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    match deploy_keys(world)
        .get(&project)
        .and_then(|k| k["key"].as_str())
    {
        Some(key) => Resp::text("text/plain", format!("{key}\n")),
        None => Resp::not_found(),
    }
}

fn new_deploy_key(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let key = format!(
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{} looker-sim@{project}",
        world.rng.alnum(40)
    );
    deploy_keys(world).insert(crate::data::obj(json!({"project_id": project, "key": key})));
    Resp::text("text/plain", format!("{key}\n"))
}

fn deploy_ref(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    match (req.query("branch"), req.query("ref")) {
        (Some(_), Some(_)) => Resp::bad_request("Can only specify either a branch or a ref"),
        (None, None) => Resp::bad_request("A branch or a ref is required"),
        (Some(branch), None) => {
            let known = world
                .branches
                .get(&project)
                .is_some_and(|b| b.iter().any(|n| n == branch));
            if known {
                Resp::no_content()
            } else {
                Resp::error(
                    StatusCode::NOT_FOUND,
                    format!("Branch \"{branch}\" does not exist on the remote"),
                )
            }
        }
        (None, Some(r)) if r.len() >= 7 && r.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Resp::no_content()
        }
        (None, Some(r)) => Resp::error(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Ref \"{r}\" is not a commit SHA"),
        ),
    }
}

fn deploy_dev(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    if req.caller().workspace != Workspace::Dev {
        return Resp::bad_request(DEV_ONLY);
    }
    let user = req.caller().user_id.clone();
    ensure_workspace(world, &user, &project);
    for (path, _) in files_of(world, "production", &project) {
        files(world).remove(&format!("production\u{1f}{project}\u{1f}{path}"));
    }
    for (path, content) in files_of(world, &user, &project) {
        files(world).insert(entry("production", &project, &path, &content));
    }
    Resp::no_content()
}

fn reset_dev(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    if req.caller().workspace != Workspace::Dev {
        return Resp::bad_request(DEV_ONLY);
    }
    let user = req.caller().user_id.clone();
    ensure_workspace(world, &user, &project);
    reset_workspace(world, &user, &project);
    Resp::no_content()
}

fn reset_to_production(world: &mut World, req: &Req) -> Resp {
    reset_dev(world, req)
}

fn reset_to_remote(world: &mut World, req: &Req) -> Resp {
    reset_dev(world, req)
}

const CONNECTION_TESTS: &[(&str, &str)] = &[
    ("git_remote_url", "Checking the git remote url is valid"),
    ("ssh_connect", "Checking ssh can connect to the git host"),
    ("git_ls_remote", "Checking git can list the remote's refs"),
    ("git_fetch", "Checking git can fetch from the remote"),
];

fn connection_tests(world: &mut World, req: &Req) -> Resp {
    with_project(world, req, |_| {
        let items = CONNECTION_TESTS
            .iter()
            .map(|(id, description)| json!({"id": id, "description": description, "can": {}}))
            .collect();
        Resp::json(Value::Array(items))
    })
}

fn run_connection_test(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let test = req.param("test_id");
    if !CONNECTION_TESTS.iter().any(|(id, _)| *id == test) {
        return Resp::not_found();
    }
    let remote = match req.query("remote_url") {
        Some(url) => url.to_string(),
        None => world
            .projects
            .get(&project)
            .and_then(|p| p["git_remote_url"].as_str())
            .unwrap_or_default()
            .to_string(),
    };
    let credentials = if req.query("use_production") == Some("true") {
        "production"
    } else {
        "development"
    };
    let (status, message) = if remote.is_empty() {
        (
            "fail",
            "The project has no git remote url configured".to_string(),
        )
    } else {
        (
            "pass",
            format!("{test} succeeded for {remote} with {credentials} credentials"),
        )
    };
    Resp::json(json!({"id": test, "status": status, "message": message, "can": {}}))
}

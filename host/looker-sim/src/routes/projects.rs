//! LookML projects and git branches. The checked-out branch is per (user, project) and only
//! visible in the dev workspace; production sessions always see the production branch.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{Route, found, list_response};
use crate::data::personal_branch;
use crate::http::{Req, Resp};
use crate::state::{Workspace, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/projects", all_projects),
    Route::new("GET", "/projects/{project_id}", project),
    Route::new("GET", "/projects/{project_id}/git_branch", git_branch),
    Route::new(
        "PUT",
        "/projects/{project_id}/git_branch",
        update_git_branch,
    ),
    Route::new(
        "POST",
        "/projects/{project_id}/git_branch",
        create_git_branch,
    ),
    Route::new(
        "GET",
        "/projects/{project_id}/git_branches",
        all_git_branches,
    ),
    Route::new(
        "GET",
        "/projects/{project_id}/git_branch/{branch_name}",
        find_git_branch,
    ),
    Route::new(
        "DELETE",
        "/projects/{project_id}/git_branch/{branch_name}",
        delete_git_branch,
    ),
];

const DEV_ONLY: &str =
    "Only allowed in development mode. Call update_session to select the 'dev' workspace.";

fn all_projects(world: &mut World, req: &Req) -> Resp {
    list_response(world.projects.list().to_vec(), req)
}

fn project(world: &mut World, req: &Req) -> Resp {
    found(world.projects.get(req.param("project_id")).cloned())
}

pub(crate) fn production_branch(world: &World, project: &str) -> String {
    world
        .projects
        .get(project)
        .and_then(|p| p["git_production_branch_name"].as_str())
        .unwrap_or("main")
        .to_string()
}

/// The caller's personal branch name.
fn personal(world: &World, user_id: &str) -> String {
    world
        .user(user_id)
        .map(personal_branch)
        .unwrap_or_else(|| format!("dev-user-{user_id}"))
}

/// The branch the caller sees as checked out.
pub(crate) fn current(world: &World, req: &Req, project: &str) -> String {
    let caller = req.caller();
    match caller.workspace {
        Workspace::Production => production_branch(world, project),
        Workspace::Dev => world
            .checked_out
            .get(&(caller.user_id.clone(), project.to_string()))
            .cloned()
            .unwrap_or_else(|| personal(world, &caller.user_id)),
    }
}

/// Branches the caller can see: the shared ones plus their personal branch.
fn known(world: &World, req: &Req, project: &str) -> Vec<String> {
    let mut names = world.branches.get(project).cloned().unwrap_or_default();
    names.push(personal(world, &req.caller().user_id));
    names
}

fn branch_json(world: &World, req: &Req, project: &str, name: &str) -> Value {
    let production = name == production_branch(world, project);
    let personal = name == personal(world, &req.caller().user_id);
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let reference = format!("{hash:016x}{:016x}{:08x}", hash.rotate_left(17), hash >> 32);
    json!({
        "name": name, "remote": "origin", "remote_name": name, "error": null, "message": null,
        "owner_name": if personal { world.user(&req.caller().user_id).and_then(|u| u["display_name"].as_str()).map(str::to_string) } else { None },
        "readonly": production && req.caller().workspace == Workspace::Production,
        "personal": personal, "is_local": true, "is_remote": true, "is_production": production,
        "ahead_count": 0, "behind_count": 0, "commit_at": 1_705_311_000, "ref": reference,
        "remote_ref": reference, "can": {},
    })
}

/// The project id, or a 404 response.
pub(crate) fn project_id(world: &World, req: &Req) -> Result<String, Resp> {
    let id = req.param("project_id");
    world
        .projects
        .get(id)
        .map(|_| id.to_string())
        .ok_or_else(Resp::not_found)
}

fn git_branch(world: &mut World, req: &Req) -> Resp {
    match project_id(world, req) {
        Ok(p) => Resp::json(branch_json(world, req, &p, &current(world, req, &p))),
        Err(resp) => resp,
    }
}

fn requested_name(req: &Req) -> Result<String, Resp> {
    match req.body_object().get("name").and_then(Value::as_str) {
        Some(name) if !name.trim().is_empty() => Ok(name.to_string()),
        _ => Err(Resp::validation(
            "Validation Failed",
            &[("name", "missing", "Branch name is required".into())],
        )),
    }
}

fn checkout(world: &mut World, req: &Req, project: &str, name: &str) -> Resp {
    let key = (req.caller().user_id.clone(), project.to_string());
    world.checked_out.insert(key, name.to_string());
    Resp::json(branch_json(world, req, project, name))
}

fn update_git_branch(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    if req.caller().workspace != Workspace::Dev {
        return Resp::bad_request(DEV_ONLY);
    }
    let name = match requested_name(req) {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    if !known(world, req, &project).contains(&name) {
        return Resp::not_found();
    }
    checkout(world, req, &project, &name)
}

fn create_git_branch(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    if req.caller().workspace != Workspace::Dev {
        return Resp::bad_request(DEV_ONLY);
    }
    let name = match requested_name(req) {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    if known(world, req, &project).contains(&name) {
        return Resp::error(
            StatusCode::CONFLICT,
            format!("Branch \"{name}\" already exists."),
        );
    }
    world
        .branches
        .entry(project.clone())
        .or_default()
        .push(name.clone());
    checkout(world, req, &project, &name)
}

fn all_git_branches(world: &mut World, req: &Req) -> Resp {
    match project_id(world, req) {
        Ok(p) => {
            let list = known(world, req, &p)
                .iter()
                .map(|b| branch_json(world, req, &p, b))
                .collect();
            Resp::json(Value::Array(list))
        }
        Err(resp) => resp,
    }
}

fn find_git_branch(world: &mut World, req: &Req) -> Resp {
    match project_id(world, req) {
        Ok(p)
            if known(world, req, &p)
                .iter()
                .any(|b| b == req.param("branch_name")) =>
        {
            Resp::json(branch_json(world, req, &p, req.param("branch_name")))
        }
        Ok(_) => Resp::not_found(),
        Err(resp) => resp,
    }
}

fn delete_git_branch(world: &mut World, req: &Req) -> Resp {
    let project = match project_id(world, req) {
        Ok(p) => p,
        Err(resp) => return resp,
    };
    let name = req.param("branch_name").to_string();
    if name == production_branch(world, &project) || name == current(world, req, &project) {
        return Resp::bad_request(format!(
            "Cannot delete branch \"{name}\": it is checked out or is the production branch."
        ));
    }
    let branches = world.branches.entry(project).or_default();
    match branches.iter().position(|b| *b == name) {
        Some(i) => {
            branches.remove(i);
            Resp::no_content()
        }
        None => Resp::not_found(),
    }
}

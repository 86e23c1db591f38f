//! Audit live operations: killing running queries, users' web login sessions and LookML
//! projects' Continuous Integration runs (beta).
//!
//! - `DELETE /running_queries/{query_task_id}` records the task as killed (`GET /running_queries`
//!   then leaves it out); an unknown task is a 404.
//! - Sessions (`Session`) are kept per user in a [`World::collection`]; the owner's id is stored
//!   beside each one and never served.
//! - CI runs (`CIRun`): a project's CI suite is `<project>-suite`, except `marketing`, which has
//!   none configured (creating a run there is a 422). A new run is `queued`; the next
//!   `GET` finds it finished (`passed`, with a LookML validator result).

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Route, now_timestamp};
use crate::data::obj;
use crate::http::{Req, Resp};
use crate::state::{Collection, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new("DELETE", "/running_queries/{query_task_id}", kill_query),
    Route::new("GET", "/users/{user_id}/sessions", user_sessions),
    Route::new(
        "GET",
        "/users/{user_id}/sessions/{session_id}",
        user_session,
    ),
    Route::new(
        "DELETE",
        "/users/{user_id}/sessions/{session_id}",
        delete_user_session,
    ),
    Route::new(
        "POST",
        "/projects/{project_id}/continuous_integration/runs",
        create_ci_run,
    ),
    Route::new(
        "GET",
        "/projects/{project_id}/continuous_integration/runs/{run_id}",
        get_ci_run,
    ),
];

/// The running query tasks that were killed (by `query_task_id`).
pub(crate) fn killed(world: &mut World) -> &mut Collection {
    world.collection("killed_query_tasks", "query_task_id", Vec::new)
}

/// The query tasks `GET /running_queries` shows (`running_queries.rs`).
const RUNNING_TASKS: [&str; 2] = ["qt-7f3a9c1e2b", "qt-0b8d44e6a1"];

fn kill_query(world: &mut World, req: &Req) -> Resp {
    let task = req.param("query_task_id").to_string();
    if !RUNNING_TASKS.contains(&task.as_str()) || killed(world).get(&task).is_some() {
        return Resp::not_found();
    }
    killed(world).insert(obj(
        json!({"query_task_id": task, "killed_at": now_timestamp()}),
    ));
    Resp::no_content()
}

fn sessions(world: &mut World) -> &mut Collection {
    world.collection("user_sessions", "id", seed_sessions)
}

fn seed_sessions() -> Vec<Map<String, Value>> {
    // (id, user, ip, browser, os, city, state, country, credentials)
    let seeds = [
        (
            "101",
            "1",
            "203.0.113.10",
            "Chrome",
            "macOS",
            "Oakland",
            "California",
            "US",
            "email",
        ),
        (
            "102",
            "1",
            "198.51.100.7",
            "Firefox",
            "Linux",
            "Dublin",
            "",
            "IE",
            "email",
        ),
        (
            "201",
            "2",
            "192.0.2.44",
            "Safari",
            "macOS",
            "Portland",
            "Oregon",
            "US",
            "saml",
        ),
        (
            "301",
            "3",
            "203.0.113.99",
            "Edge",
            "Windows",
            "Austin",
            "Texas",
            "US",
            "email",
        ),
    ];
    seeds
        .iter()
        .enumerate()
        .map(
            |(i, (id, user, ip, browser, os, city, state, country, creds))| {
                obj(json!({
                    "id": id, "user_id": user, "ip_address": ip, "browser": browser,
                    "operating_system": os, "city": city,
                    "state": if state.is_empty() { Value::Null } else { json!(state) },
                    "country": country, "credentials_type": creds,
                    "extended_at": "2026-01-05T09:30:00.000+00:00", "extended_count": i + 1,
                    "sudo_user_id": null, "created_at": "2026-01-05T08:00:00.000+00:00",
                    "expires_at": "2026-02-04T08:00:00.000+00:00",
                    "url": format!("/api/4.0/users/{user}/sessions/{id}"),
                    "can": {"show": true, "destroy": true},
                }))
            },
        )
        .collect()
}

/// A stored session as Looker serves it (without the owner's id).
fn served(session: &Value) -> Value {
    let mut out = session.clone();
    if let Value::Object(map) = &mut out {
        map.remove("user_id");
    }
    out
}

fn owned(world: &mut World, req: &Req) -> Option<Value> {
    let user = req.param("user_id").to_string();
    sessions(world)
        .get(req.param("session_id"))
        .filter(|s| s["user_id"] == user.as_str())
        .cloned()
}

fn user_sessions(world: &mut World, req: &Req) -> Resp {
    let user = req.param("user_id").to_string();
    if world.user(&user).is_none() {
        return Resp::not_found();
    }
    let list: Vec<Value> = sessions(world)
        .list()
        .iter()
        .filter(|s| s["user_id"] == user.as_str())
        .map(served)
        .collect();
    Resp::json(Value::Array(list))
}

fn user_session(world: &mut World, req: &Req) -> Resp {
    match owned(world, req) {
        Some(s) => Resp::json(served(&s)),
        None => Resp::not_found(),
    }
}

fn delete_user_session(world: &mut World, req: &Req) -> Resp {
    match owned(world, req) {
        Some(s) => {
            sessions(world).remove(s["id"].as_str().unwrap_or_default());
            Resp::no_content()
        }
        None => Resp::not_found(),
    }
}

fn ci_runs(world: &mut World) -> &mut Collection {
    world.collection("ci_runs", "id", Vec::new)
}

fn create_ci_run(world: &mut World, req: &Req) -> Resp {
    let project = req.param("project_id").to_string();
    if world.projects.get(&project).is_none() {
        return Resp::not_found();
    }
    let body = req.body_object();
    let suite = match body.get("suite_id").and_then(Value::as_str) {
        Some(s) => s.to_string(),
        None if project == "marketing" => {
            return Resp::validation(
                "Validation Failed",
                &[(
                    "suite_id",
                    "missing",
                    format!("Project {project} has no Continuous Integration suite configured"),
                )],
            );
        }
        None => format!("{project}-suite"),
    };
    let branch = body
        .get("branch")
        .and_then(Value::as_str)
        .map(str::to_string);
    let user = req.caller().user_id.clone();
    let user_name = world
        .user(&user)
        .map_or(Value::Null, |u| u["display_name"].clone());
    let run = ci_runs(world).insert(obj(json!({
        "ci_suite_id": suite, "project_id": project, "status": "queued",
        "title": format!("{project} CI run"),
        "trigger_type": "manual", "user_id": user.parse::<i64>().unwrap_or(0),
        "triggered_by_name": user_name, "execution_id": null, "result": null,
        "change_request_number": null, "change_request_url": null, "change_request_name": null,
        "change_request_commits_url": null, "git_service_name": "github",
        "git_commit_ref": body.get("commit").cloned().unwrap_or(Value::Null),
        "git_branch_name": branch.clone().unwrap_or_else(|| "main".into()),
        "git_repository_name": format!("example/{project}"),
        "git_target_branch_name": null, "git_status_url": null, "git_target_url": null,
        "created_at": now_timestamp(), "started_at": null, "finished_at": null, "retries": 0,
        "assigned_ci_user_id": null, "assigned_ci_user_at": null, "crashed_check_count": 0,
        "run_url": null, "user_attributes": [], "can": {"show": true},
    })));
    let id = run["id"].as_str().unwrap_or_default().to_string();
    let url = format!("/projects/{project}/ci/runs/{id}");
    let stored = ci_runs(world).patch(&id, &obj(json!({"run_url": url})));
    Resp::with_status(StatusCode::OK, stored.unwrap_or(run))
}

fn get_ci_run(world: &mut World, req: &Req) -> Resp {
    let project = req.param("project_id").to_string();
    let id = req.param("run_id").to_string();
    let Some(run) = ci_runs(world).get(&id).cloned() else {
        return Resp::not_found();
    };
    if run["project_id"] != project.as_str() {
        return Resp::not_found();
    }
    if run["status"] == "queued" {
        let now = now_timestamp();
        let done = obj(json!({
            "status": "passed", "started_at": now, "finished_at": now,
            "result": {"lookml_result": {"name": "lookml", "status": "passed", "error_count": 0, "errors": []}},
        }));
        let finished = ci_runs(world).patch(&id, &done).unwrap_or(run);
        return Resp::json(finished);
    }
    Resp::json(run)
}

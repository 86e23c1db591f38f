//! Render tasks: create one for a query, look, dashboard or dashboard element, poll it until it
//! moves from `enqueued_for_query` through `querying`/`rendering` to `success` (or `failure`),
//! then download the image or PDF.
//!
//! Rendering takes a number of polls that grows with the pixel count (one more for PDFs), like
//! real renders take longer when they are bigger. The result is a real image of the requested
//! size ([`crate::chart`]): a bar chart of the query's data, or a grid of a dashboard's tiles.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Route, now_timestamp};
use crate::chart::Picture;
use crate::engine;
use crate::http::{Body, Req, Resp};
use crate::state::{Collection, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new(
        "POST",
        "/render_tasks/queries/{query_id}/{result_format}",
        create_query_task,
    ),
    Route::new(
        "POST",
        "/render_tasks/looks/{look_id}/{result_format}",
        create_look_task,
    ),
    Route::new(
        "POST",
        "/render_tasks/dashboards/{dashboard_id}/{result_format}",
        create_dashboard_task,
    ),
    Route::new(
        "POST",
        "/render_tasks/dashboard_elements/{dashboard_element_id}/{result_format}",
        create_element_task,
    ),
    Route::new("GET", "/render_tasks/{render_task_id}", render_task),
    Route::new(
        "GET",
        "/render_tasks/{render_task_id}/results",
        render_task_results,
    ),
];

/// Keys kept on stored tasks that Looker does not show.
const PRIVATE: &[&str] = &["polls_left", "failure", "polls"];

fn tasks(world: &mut World) -> &mut Collection {
    world.collection("render_tasks", "id", Vec::new)
}

fn create_query_task(world: &mut World, req: &Req) -> Resp {
    let id = req.param("query_id").to_string();
    let Some(query) = world.queries.get(&id).cloned() else {
        return Resp::not_found();
    };
    let failure = engine::run(world, &query, None).err().map(failure_message);
    create(world, req, &["png", "jpg"], ("query_id", id), failure, None)
}

fn create_look_task(world: &mut World, req: &Req) -> Resp {
    let id = req.param("look_id").to_string();
    let Some(look) = world.looks.get(&id).filter(|l| l["deleted"] != true) else {
        return Resp::not_found();
    };
    let failure = look["query_id"]
        .as_str()
        .and_then(|q| world.queries.get(q))
        .and_then(|q| engine::run(world, q, None).err())
        .map(failure_message);
    create(world, req, &["png", "jpg"], ("look_id", id), failure, None)
}

fn create_dashboard_task(world: &mut World, req: &Req) -> Resp {
    let id = req.param("dashboard_id").to_string();
    if world
        .dashboards
        .get(&id)
        .is_none_or(|d| d["deleted"] == true)
    {
        return Resp::not_found();
    }
    let body = req.body_object();
    create(
        world,
        req,
        &["pdf", "png", "jpg"],
        ("dashboard_id", id),
        None,
        Some(body),
    )
}

fn create_element_task(world: &mut World, req: &Req) -> Resp {
    let id = req.param("dashboard_element_id").to_string();
    if world.dashboard_elements.get(&id).is_none() {
        return Resp::not_found();
    }
    create(
        world,
        req,
        &["png", "jpg"],
        ("dashboard_element_id", id),
        None,
        None,
    )
}

fn failure_message(resp: Resp) -> String {
    match resp.body {
        Body::Json(v) => v["message"].as_str().unwrap_or("Query failed").to_string(),
        _ => "Query failed".to_string(),
    }
}

fn create(
    world: &mut World,
    req: &Req,
    formats: &[&str],
    (key, id): (&str, String),
    failure: Option<String>,
    body: Option<Map<String, Value>>,
) -> Resp {
    let format = req.param("result_format");
    if !formats.contains(&format) {
        return Resp::bad_request(format!(
            "Unsupported result format: {format}. Use one of {}.",
            formats.join(", ")
        ));
    }
    let size = |name: &str| {
        req.query(name)
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|v| *v > 0)
    };
    let (Some(width), Some(height)) = (size("width"), size("height")) else {
        return Resp::validation(
            "Validation Failed",
            &[(
                "width",
                "invalid",
                "width and height must be positive integers".into(),
            )],
        );
    };
    let polls = 1 + width * height / 4_000_000 + u64::from(format == "pdf");
    let body = body.unwrap_or_default();
    let mut task = json!({
        "created_at": now_timestamp(), "finalized_at": null, "status": "enqueued_for_query",
        "status_detail": null, "result_format": format, "width": width, "height": height,
        "dashboard_id": null, "look_id": null, "lookml_dashboard_id": null, "query_id": null,
        "dashboard_element_id": null, "query_runtime": null, "render_runtime": null,
        "runtime": null, "user_id": req.caller().user_id,
        "dashboard_filters": body.get("dashboard_filters").cloned().unwrap_or(Value::Null),
        "dashboard_style": body.get("dashboard_style").cloned().unwrap_or(Value::Null),
        "can": {}, "polls_left": polls, "polls": 0, "failure": failure,
    });
    task[key] = Value::String(id);
    let Value::Object(task) = task else {
        unreachable!("a json! object")
    };
    let stored = tasks(world).insert(task);
    Resp::json(public(&stored))
}

/// The task as Looker shows it.
fn public(task: &Value) -> Value {
    let mut task = task.clone();
    if let Value::Object(map) = &mut task {
        for key in PRIVATE {
            map.remove(*key);
        }
    }
    task
}

fn render_task(world: &mut World, req: &Req) -> Resp {
    let Some(task) = tasks(world).get_mut(req.param("render_task_id")) else {
        return Resp::not_found();
    };
    let status = task["status"].as_str().unwrap_or_default().to_string();
    if status != "success" && status != "failure" {
        let polls = task["polls"].as_u64().unwrap_or(0) + 1;
        let left = task["polls_left"].as_u64().unwrap_or(1).saturating_sub(1);
        task["polls"] = polls.into();
        task["polls_left"] = left.into();
        let next = match (left, task["failure"].is_string(), polls) {
            (0, true, _) => "failure",
            (0, false, _) => "success",
            (_, _, 1) => "querying",
            _ => "rendering",
        };
        task["status"] = next.into();
        if left == 0 {
            task["finalized_at"] = now_timestamp().into();
            task["query_runtime"] = json!(0.4);
            task["render_runtime"] = json!(0.2 * polls as f64);
            task["runtime"] = json!(0.4 + 0.2 * polls as f64);
            task["status_detail"] = task["failure"].clone();
        }
    }
    Resp::json(public(task))
}

fn render_task_results(world: &mut World, req: &Req) -> Resp {
    let Some(task) = tasks(world).get(req.param("render_task_id")).cloned() else {
        return Resp::not_found();
    };
    match task["status"].as_str() {
        Some("success") => {}
        Some("failure") => {
            return Resp::bad_request(format!(
                "Render failed: {}",
                task["status_detail"].as_str().unwrap_or("unknown error")
            ));
        }
        _ => {
            return Resp {
                status: StatusCode::ACCEPTED,
                body: Body::Empty,
                headers: Vec::new(),
            };
        }
    }
    let (w, h) = (
        task["width"].as_u64().unwrap_or(1),
        task["height"].as_u64().unwrap_or(1),
    );
    let (w, h) = (
        u32::try_from(w).unwrap_or(u32::MAX),
        u32::try_from(h).unwrap_or(u32::MAX),
    );
    let picture = picture(world, &task);
    let format = task["result_format"].as_str().unwrap_or("png");
    let (content_type, data) = picture.render(format, w, h);
    Resp {
        status: StatusCode::OK,
        body: Body::Bytes { content_type, data },
        headers: Vec::new(),
    }
}

/// What the task's subject shows: its query's chart, or a dashboard's tiles.
fn picture(world: &World, task: &Value) -> Picture {
    let id = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let query = |query_id: Option<String>| {
        let query = world.queries.get(&query_id?)?;
        engine::run(world, query, None).ok()
    };
    let look = |look_id: Option<String>| query(id(&world.looks.get(&look_id?)?["query_id"]));
    let element = |e: &Value| query(id(&e["query_id"])).or_else(|| look(id(&e["look_id"])));
    if let Some(query_id) = id(&task["query_id"]) {
        return Picture::of(&[query(Some(query_id))]);
    }
    if let Some(look_id) = id(&task["look_id"]) {
        return Picture::of(&[look(Some(look_id))]);
    }
    if let Some(element_id) = id(&task["dashboard_element_id"]) {
        let tile = world.dashboard_elements.get(&element_id).and_then(element);
        return Picture::of(&[tile]);
    }
    let dashboard = id(&task["dashboard_id"]);
    let tiles: Vec<_> = world
        .dashboard_elements
        .list()
        .iter()
        .filter(|e| id(&e["dashboard_id"]) == dashboard)
        .map(element)
        .collect();
    Picture::of(&tiles)
}

//! Looks: list, search, read, create, update, delete and run.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::queries::run_and_render;
use super::{Route, list_response, now_timestamp};
use crate::data::{WEB_URL, compose_look, store_query};
use crate::http::{Req, Resp};
use crate::listing::search;
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/looks", all_looks),
    Route::new("GET", "/looks/search", search_looks),
    Route::new("POST", "/looks", create_look),
    Route::new("GET", "/looks/{look_id}", look),
    Route::new("PATCH", "/looks/{look_id}", update_look),
    Route::new("DELETE", "/looks/{look_id}", delete_look),
    Route::new("GET", "/looks/{look_id}/run/{result_format}", run_look),
];

const SEARCHABLE: &[(&str, &str)] = &[
    ("id", "id"),
    ("title", "title"),
    ("description", "description"),
    ("content_favorite_id", "content_favorite_id"),
    ("folder_id", "folder_id"),
    ("user_id", "user_id"),
    ("view_count", "view_count"),
    ("deleted", "deleted"),
    ("query_id", "query_id"),
    ("last_viewed_at", "last_viewed_at"),
];

const WRITABLE: &[&str] = &[
    "title",
    "user_id",
    "deleted",
    "description",
    "is_run_on_load",
    "public",
    "query_id",
    "folder_id",
];

fn live(world: &World) -> Vec<Value> {
    world
        .looks
        .list()
        .iter()
        .filter(|l| l["deleted"] != true)
        .cloned()
        .collect()
}

fn all_looks(world: &mut World, req: &Req) -> Resp {
    let looks = live(world)
        .iter()
        .map(|l| compose_look(world, l, false))
        .collect();
    list_response(looks, req)
}

fn search_looks(world: &mut World, req: &Req) -> Resp {
    let pool = if req.query("deleted").is_some() {
        world.looks.list().to_vec()
    } else {
        live(world)
    };
    let looks = search(pool, req, SEARCHABLE)
        .iter()
        .map(|l| compose_look(world, l, false))
        .collect();
    list_response(looks, req)
}

fn look(world: &mut World, req: &Req) -> Resp {
    match world.looks.get(req.param("look_id")) {
        Some(l) => Resp::json(compose_look(world, l, true)),
        None => Resp::not_found(),
    }
}

fn create_look(world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    let title = body
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if title.trim().is_empty() {
        return Resp::validation(
            "Validation Failed",
            &[("title", "missing", "Title is required".into())],
        );
    }
    let Some(folder_id) = body
        .get("folder_id")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return Resp::validation(
            "Validation Failed",
            &[("folder_id", "missing", "Folder is required".into())],
        );
    };
    if world.folders.get(&folder_id).is_none() {
        return Resp::not_found();
    }
    let taken = live(world).iter().any(|l| {
        l["folder_id"] == folder_id.as_str() && l["title"].as_str() == Some(title.as_str())
    });
    if taken {
        return Resp::error(
            StatusCode::CONFLICT,
            format!("A look named \"{title}\" already exists in this folder."),
        );
    }
    let query_id = match resolve_query(world, &body) {
        Ok(id) => id,
        Err(resp) => return resp,
    };
    let caller = req.caller().user_id.clone();
    let now = now_timestamp();
    let mut look: Map<String, Value> = Map::new();
    for key in WRITABLE {
        look.insert(
            (*key).into(),
            body.get(*key).cloned().unwrap_or(Value::Null),
        );
    }
    look.insert("query_id".into(), query_id.into());
    look.insert(
        "user_id".into(),
        body.get("user_id")
            .cloned()
            .unwrap_or(caller.clone().into()),
    );
    look.insert("deleted".into(), false.into());
    look.insert(
        "public".into(),
        body.get("public").cloned().unwrap_or(false.into()),
    );
    look.insert("created_at".into(), now.clone().into());
    look.insert("updated_at".into(), now.into());
    look.insert("last_updater_id".into(), caller.into());
    look.insert("view_count".into(), 0.into());
    look.insert("favorite_count".into(), 0.into());
    look.insert("model".into(), model_of(world, &look));
    look.insert(
        "can".into(),
        json!({ "show": true, "run": true, "update": true, "destroy": true }),
    );
    let stored = world.looks.insert(look);
    let id = stored["id"].as_str().unwrap_or_default().to_string();
    let changes = json!({ "short_url": format!("/looks/{id}"), "embed_url": format!("{WEB_URL}/embed/looks/{id}"),
                          "content_metadata_id": id });
    let stored = world
        .looks
        .patch(&id, changes.as_object().expect("object"))
        .unwrap_or(stored);
    Resp::json(compose_look(world, &stored, true))
}

/// The look's query: `query_id`, or a new query from an embedded `query`.
fn resolve_query(world: &mut World, body: &Map<String, Value>) -> Result<String, Resp> {
    if let Some(Value::Object(q)) = body.get("query") {
        let stored = store_query(world, q);
        return Ok(stored["id"].as_str().unwrap_or_default().to_string());
    }
    match body.get("query_id").and_then(Value::as_str) {
        Some(id) if world.queries.get(id).is_some() => Ok(id.to_string()),
        Some(_) => Err(Resp::not_found()),
        None => Err(Resp::validation(
            "Validation Failed",
            &[(
                "query_id",
                "missing",
                "A query_id or query is required".into(),
            )],
        )),
    }
}

fn model_of(world: &World, look: &Map<String, Value>) -> Value {
    let model = look
        .get("query_id")
        .and_then(Value::as_str)
        .and_then(|id| world.queries.get(id))
        .and_then(|q| q["model"].as_str())
        .unwrap_or_default()
        .to_string();
    let label = world
        .models
        .get(&model)
        .and_then(|m| m["label"].as_str())
        .unwrap_or_default();
    json!({ "id": model, "label": label })
}

fn update_look(world: &mut World, req: &Req) -> Resp {
    let id = req.param("look_id").to_string();
    if world.looks.get(&id).is_none() {
        return Resp::not_found();
    }
    let body = req.body_object();
    let mut changes = Map::new();
    for key in WRITABLE {
        if let Some(v) = body.get(*key) {
            changes.insert((*key).into(), v.clone());
        }
    }
    if body.contains_key("query") {
        match resolve_query(world, &body) {
            Ok(query_id) => {
                changes.insert("query_id".into(), query_id.into());
            }
            Err(resp) => return resp,
        }
    }
    if let Some(folder) = changes.get("folder_id").and_then(Value::as_str)
        && world.folders.get(folder).is_none()
    {
        return Resp::not_found();
    }
    changes.insert("updated_at".into(), now_timestamp().into());
    changes.insert(
        "last_updater_id".into(),
        req.caller().user_id.clone().into(),
    );
    if changes.contains_key("query_id") {
        changes.insert("model".into(), model_of(world, &changes));
    }
    match world.looks.patch(&id, &changes) {
        Some(stored) => Resp::json(compose_look(world, &stored, true)),
        None => Resp::not_found(),
    }
}

fn delete_look(world: &mut World, req: &Req) -> Resp {
    match world.looks.remove(req.param("look_id")) {
        Some(_) => Resp::no_content(),
        None => Resp::not_found(),
    }
}

fn run_look(world: &mut World, req: &Req) -> Resp {
    let query = world
        .looks
        .get(req.param("look_id"))
        .and_then(|l| l["query_id"].as_str())
        .and_then(|id| world.queries.get(id))
        .cloned();
    match query {
        Some(q) => run_and_render(world, &q, req.param("result_format"), req),
        None => Resp::not_found(),
    }
}

//! Dashboards: list, search, read (with elements), create, update, delete.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Route, list_response, now_timestamp};
use crate::data::compose_dashboard;
use crate::http::{Req, Resp};
use crate::listing::{pick, search};
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/dashboards", all_dashboards),
    Route::new("GET", "/dashboards/search", search_dashboards),
    Route::new("POST", "/dashboards", create_dashboard),
    Route::new("GET", "/dashboards/{dashboard_id}", dashboard),
    Route::new("PATCH", "/dashboards/{dashboard_id}", update_dashboard),
    Route::new("DELETE", "/dashboards/{dashboard_id}", delete_dashboard),
    Route::new(
        "GET",
        "/dashboards/{dashboard_id}/dashboard_elements",
        dashboard_elements,
    ),
];

/// Keys of `DashboardBase`, what `GET /dashboards` returns.
const BASE_KEYS: &[&str] = &[
    "can",
    "content_favorite_id",
    "content_metadata_id",
    "description",
    "hidden",
    "id",
    "model",
    "query_timezone",
    "readonly",
    "refresh_interval",
    "refresh_interval_to_i",
    "folder",
    "title",
    "user_id",
    "slug",
    "preferred_viewer",
    "certification_metadata",
];

/// Keys a client cannot write (read-only in the `Dashboard` schema, or assembled on read).
const READ_ONLY: &[&str] = &[
    "id",
    "can",
    "content_favorite_id",
    "content_metadata_id",
    "readonly",
    "refresh_interval_to_i",
    "created_at",
    "dashboard_elements",
    "dashboard_filters",
    "dashboard_layouts",
    "deleted_at",
    "deleter_id",
    "edit_uri",
    "favorite_count",
    "last_accessed_at",
    "last_viewed_at",
    "updated_at",
    "last_updater_id",
    "last_updater_name",
    "user_name",
    "view_count",
    "usage_count",
    "is_owner_disabled",
    "url",
    "folder",
];

const SEARCHABLE: &[(&str, &str)] = &[
    ("id", "id"),
    ("slug", "slug"),
    ("title", "title"),
    ("description", "description"),
    ("content_favorite_id", "content_favorite_id"),
    ("folder_id", "folder_id"),
    ("deleted", "deleted"),
    ("user_id", "user_id"),
    ("view_count", "view_count"),
    ("content_metadata_id", "content_metadata_id"),
    ("last_viewed_at", "last_viewed_at"),
];

fn live(world: &World) -> Vec<Value> {
    world
        .dashboards
        .list()
        .iter()
        .filter(|d| d["deleted"] != true)
        .cloned()
        .collect()
}

fn all_dashboards(world: &mut World, req: &Req) -> Resp {
    let list = live(world)
        .iter()
        .map(|d| pick(&compose_dashboard(world, d), BASE_KEYS))
        .collect();
    list_response(list, req)
}

fn search_dashboards(world: &mut World, req: &Req) -> Resp {
    let pool = if req.query("deleted").is_some() {
        world.dashboards.list().to_vec()
    } else {
        live(world)
    };
    let mut found = search(pool, req, SEARCHABLE);
    if let Some(owner) = req.query("not_owned_by") {
        found.retain(|d| d["user_id"] != owner);
    }
    let list = found.iter().map(|d| compose_dashboard(world, d)).collect();
    list_response(list, req)
}

fn dashboard(world: &mut World, req: &Req) -> Resp {
    match world.dashboards.get(req.param("dashboard_id")) {
        Some(d) => Resp::json(compose_dashboard(world, d)),
        None => Resp::not_found(),
    }
}

fn writable(body: &Map<String, Value>) -> Map<String, Value> {
    body.iter()
        .filter(|(k, _)| !READ_ONLY.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn create_dashboard(world: &mut World, req: &Req) -> Resp {
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
    if live(world)
        .iter()
        .any(|d| d["folder_id"] == folder_id.as_str() && d["title"] == title.as_str())
    {
        return Resp::error(
            StatusCode::CONFLICT,
            format!("A dashboard named \"{title}\" already exists in this folder."),
        );
    }
    let caller = req.caller().user_id.clone();
    let now = now_timestamp();
    let mut d: Map<String, Value> = json!({
        "description": null, "hidden": false, "query_timezone": null, "refresh_interval": null,
        "refresh_interval_to_i": null, "user_id": caller, "slug": null, "preferred_viewer": "dashboards-next",
        "deleted": false, "readonly": false, "model": null, "certification_metadata": null,
        "content_favorite_id": null, "created_at": now, "updated_at": now, "last_updater_id": caller,
        "view_count": 0, "favorite_count": 0, "load_configuration": "wait", "show_filters_bar": true,
        "show_title": true, "crossfilter_enabled": false, "filters_bar_collapsed": false,
        "filters_location_top": true, "can": { "show": true, "update": true, "destroy": true, "run": true },
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    d.extend(writable(&body));
    let stored = world.dashboards.insert(d);
    let id = stored["id"].as_str().unwrap_or_default().to_string();
    let derived = json!({
        "content_metadata_id": id, "edit_uri": format!("/dashboards/{id}/edit"), "url": format!("/dashboards/{id}"),
        "slug": stored["slug"].as_str().map_or_else(|| format!("sim{id}"), str::to_string),
    });
    let stored = world
        .dashboards
        .patch(&id, derived.as_object().expect("object"))
        .unwrap_or(stored);
    Resp::json(compose_dashboard(world, &stored))
}

fn update_dashboard(world: &mut World, req: &Req) -> Resp {
    let id = req.param("dashboard_id").to_string();
    if world.dashboards.get(&id).is_none() {
        return Resp::not_found();
    }
    let mut changes = writable(&req.body_object());
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
    match world.dashboards.patch(&id, &changes) {
        Some(stored) => Resp::json(compose_dashboard(world, &stored)),
        None => Resp::not_found(),
    }
}

fn delete_dashboard(world: &mut World, req: &Req) -> Resp {
    let id = req.param("dashboard_id");
    if world.dashboards.remove(id).is_none() {
        return Resp::not_found();
    }
    for collection in [&mut world.dashboard_elements, &mut world.dashboard_filters] {
        let ids: Vec<String> = collection
            .list()
            .iter()
            .filter(|e| e["dashboard_id"] == id)
            .filter_map(|e| e["id"].as_str().map(str::to_string))
            .collect();
        for element in ids {
            collection.remove(&element);
        }
    }
    Resp::no_content()
}

fn dashboard_elements(world: &mut World, req: &Req) -> Resp {
    match world.dashboards.get(req.param("dashboard_id")) {
        Some(d) => Resp::json(compose_dashboard(world, d)["dashboard_elements"].take()),
        None => Resp::not_found(),
    }
}

//! Folders and their contents.

use serde_json::Value;

use super::{Route, found, list_response};
use crate::data::{FOLDER_BASE_KEYS, compose_dashboard, compose_look};
use crate::http::{Req, Resp};
use crate::listing::{pick, search};
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/folders", all_folders),
    Route::new("GET", "/folders/search", search_folders),
    Route::new("GET", "/folders/{folder_id}", folder),
    Route::new("GET", "/folders/{folder_id}/children", children),
    Route::new("GET", "/folders/{folder_id}/parent", parent),
    Route::new("GET", "/folders/{folder_id}/ancestors", ancestors),
    Route::new("GET", "/folders/{folder_id}/looks", folder_looks),
    Route::new("GET", "/folders/{folder_id}/dashboards", folder_dashboards),
];

const SEARCHABLE: &[(&str, &str)] = &[
    ("name", "name"),
    ("id", "id"),
    ("parent_id", "parent_id"),
    ("creator_id", "creator_id"),
    ("is_shared_root", "is_shared_root"),
    ("is_users_root", "is_users_root"),
];

fn all_folders(world: &mut World, req: &Req) -> Resp {
    let list = world
        .folders
        .list()
        .iter()
        .map(|f| pick(f, FOLDER_BASE_KEYS))
        .collect();
    list_response(list, req)
}

fn search_folders(world: &mut World, req: &Req) -> Resp {
    list_response(search(world.folders.list().to_vec(), req, SEARCHABLE), req)
}

fn in_folder<'a>(items: &'a [Value], folder_id: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    items
        .iter()
        .filter(move |v| v["folder_id"] == folder_id && v["deleted"] != true)
}

fn folder(world: &mut World, req: &Req) -> Resp {
    let id = req.param("folder_id");
    let Some(f) = world.folders.get(id) else {
        return Resp::not_found();
    };
    let mut f = f.clone();
    f["looks"] = in_folder(world.looks.list(), id)
        .map(|l| compose_look(world, l, false))
        .collect();
    f["dashboards"] = in_folder(world.dashboards.list(), id)
        .map(|d| compose_dashboard(world, d))
        .collect();
    Resp::json(f)
}

fn children(world: &mut World, req: &Req) -> Resp {
    let id = req.param("folder_id");
    if world.folders.get(id).is_none() {
        return Resp::not_found();
    }
    let list = world
        .folders
        .list()
        .iter()
        .filter(|f| f["parent_id"] == id)
        .cloned()
        .collect();
    list_response(list, req)
}

fn parent(world: &mut World, req: &Req) -> Resp {
    let parent = world
        .folders
        .get(req.param("folder_id"))
        .and_then(|f| f["parent_id"].as_str())
        .and_then(|p| world.folders.get(p))
        .cloned();
    found(parent)
}

fn ancestors(world: &mut World, req: &Req) -> Resp {
    let Some(mut current) = world.folders.get(req.param("folder_id")) else {
        return Resp::not_found();
    };
    let mut chain = Vec::new();
    while let Some(p) = current["parent_id"]
        .as_str()
        .and_then(|p| world.folders.get(p))
    {
        chain.push(p.clone());
        current = p;
    }
    chain.reverse();
    Resp::json(Value::Array(chain))
}

fn folder_looks(world: &mut World, req: &Req) -> Resp {
    let id = req.param("folder_id");
    if world.folders.get(id).is_none() {
        return Resp::not_found();
    }
    let list = in_folder(world.looks.list(), id)
        .map(|l| compose_look(world, l, true))
        .collect();
    list_response(list, req)
}

fn folder_dashboards(world: &mut World, req: &Req) -> Resp {
    let id = req.param("folder_id");
    if world.folders.get(id).is_none() {
        return Resp::not_found();
    }
    let list = in_folder(world.dashboards.list(), id)
        .map(|d| compose_dashboard(world, d))
        .collect();
    list_response(list, req)
}

//! Folder writes: create, rename/move and delete (the reads live in `folders.rs`). Root and
//! personal folders are protected as in Looker; `child_count` follows every change; deleting a
//! folder deletes its subfolders and sends their looks and dashboards to the trash.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Route, now_timestamp};
use crate::data::obj;
use crate::http::{Req, Resp};
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[
    Route::new("POST", "/folders", create_folder),
    Route::new("PATCH", "/folders/{folder_id}", update_folder),
    Route::new("DELETE", "/folders/{folder_id}", delete_folder),
];

fn is_protected(folder: &Value) -> bool {
    folder["is_shared_root"] == true
        || folder["is_users_root"] == true
        || folder["is_personal"] == true
        || folder["is_embed_shared_root"] == true
        || folder["is_embed_users_root"] == true
}

/// Recounts `child_count` of every folder.
fn recount(world: &mut World) {
    let parents: Vec<Option<String>> = world
        .folders
        .list()
        .iter()
        .map(|f| f["parent_id"].as_str().map(str::to_owned))
        .collect();
    let ids: Vec<String> = world
        .folders
        .list()
        .iter()
        .filter_map(|f| f["id"].as_str().map(str::to_owned))
        .collect();
    for id in ids {
        let count = parents.iter().filter(|p| p.as_deref() == Some(&id)).count();
        if let Some(f) = world.folders.get_mut(&id) {
            f["child_count"] = count.into();
        }
    }
}

fn name_taken(world: &World, parent: &str, name: &str, except: Option<&str>) -> bool {
    world.folders.list().iter().any(|f| {
        f["parent_id"] == parent
            && f["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
            && except.is_none_or(|e| f["id"] != e)
    })
}

fn conflict(name: &str) -> Resp {
    Resp::error(
        StatusCode::CONFLICT,
        format!("A folder named \"{name}\" already exists in this folder"),
    )
}

fn create_folder(world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or_default();
    let parent = body
        .get("parent_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut missing = Vec::new();
    if name.is_empty() {
        missing.push(("name", "missing", "name is required".to_owned()));
    }
    if parent.is_empty() {
        missing.push(("parent_id", "missing", "parent_id is required".to_owned()));
    }
    if !missing.is_empty() {
        return Resp::validation("Validation Failed", &missing);
    }
    // Looker answers 404 when the parent is missing or the caller may not create folders in it.
    let Some(parent_folder) = world.folders.get(parent).cloned() else {
        return Resp::not_found();
    };
    if name_taken(world, parent, name, None) {
        return conflict(name);
    }
    let personal =
        parent_folder["is_personal"] == true || parent_folder["is_personal_descendant"] == true;
    let folder: Map<String, Value> = obj(json!({
        "name": name, "parent_id": parent, "creator_id": req.caller().user_id.clone(),
        "created_at": now_timestamp(), "child_count": 0, "external_id": null, "is_embed": false,
        "is_embed_shared_root": false, "is_embed_users_root": false, "is_personal": false,
        "is_personal_descendant": personal, "is_shared_root": false, "is_users_root": false,
        "can": { "index": true, "show": true, "create": true, "update": true, "destroy": true },
    }));
    let mut stored = world.folders.insert(folder);
    let id = stored["id"].clone();
    if let Some(f) = world.folders.get_mut(id.as_str().unwrap_or_default()) {
        f["content_metadata_id"] = id.clone();
        stored = f.clone();
    }
    recount(world);
    Resp::json(stored)
}

/// Whether `candidate` is `folder` or lies below it.
fn is_within(world: &World, candidate: &str, folder: &str) -> bool {
    let mut current = Some(candidate.to_owned());
    let mut steps = 0;
    while let Some(id) = current {
        if id == folder {
            return true;
        }
        steps += 1;
        if steps > 1000 {
            return false;
        }
        current = world
            .folders
            .get(&id)
            .and_then(|f| f["parent_id"].as_str().map(str::to_owned));
    }
    false
}

fn update_folder(world: &mut World, req: &Req) -> Resp {
    let id = req.param("folder_id").to_owned();
    let Some(folder) = world.folders.get(&id).cloned() else {
        return Resp::not_found();
    };
    if is_protected(&folder) {
        return Resp::validation(
            "Validation Failed",
            &[(
                "base",
                "invalid",
                "Root and personal folders cannot be renamed or moved".into(),
            )],
        );
    }
    let body = req.body_object();
    let mut changes = Map::new();
    let parent = match body.get("parent_id").and_then(Value::as_str) {
        Some(p) => {
            if world.folders.get(p).is_none() {
                return Resp::validation(
                    "Validation Failed",
                    &[("parent_id", "invalid", format!("Folder {p} does not exist"))],
                );
            }
            if is_within(world, p, &id) {
                return Resp::validation(
                    "Validation Failed",
                    &[(
                        "parent_id",
                        "invalid",
                        "A folder cannot move into itself or its subfolders".into(),
                    )],
                );
            }
            changes.insert("parent_id".into(), p.into());
            p.to_owned()
        }
        None => folder["parent_id"].as_str().unwrap_or_default().to_owned(),
    };
    let name = match body.get("name").and_then(Value::as_str).map(str::trim) {
        Some("") => {
            return Resp::validation(
                "Validation Failed",
                &[("name", "invalid", "name cannot be blank".into())],
            );
        }
        Some(n) => {
            changes.insert("name".into(), n.into());
            n.to_owned()
        }
        None => folder["name"].as_str().unwrap_or_default().to_owned(),
    };
    if name_taken(world, &parent, &name, Some(&id)) {
        return conflict(&name);
    }
    world.folders.patch(&id, &changes);
    recount(world);
    Resp::json(world.folders.get(&id).cloned().unwrap_or(Value::Null))
}

fn delete_folder(world: &mut World, req: &Req) -> Resp {
    let id = req.param("folder_id").to_owned();
    let Some(folder) = world.folders.get(&id) else {
        return Resp::not_found();
    };
    if is_protected(folder) {
        return Resp::validation(
            "Validation Failed",
            &[(
                "base",
                "invalid",
                "Root and personal folders cannot be deleted".into(),
            )],
        );
    }
    let doomed: Vec<String> = world
        .folders
        .list()
        .iter()
        .filter_map(|f| f["id"].as_str().map(str::to_owned))
        .filter(|f| is_within(world, f, &id))
        .collect();
    let now = now_timestamp();
    for folder in &doomed {
        for content in [&mut world.looks, &mut world.dashboards] {
            let inside: Vec<String> = content
                .list()
                .iter()
                .filter(|c| c["folder_id"] == folder.as_str())
                .filter_map(|c| c["id"].as_str().map(str::to_owned))
                .collect();
            for c in inside {
                if let Some(item) = content.get_mut(&c) {
                    item["deleted"] = true.into();
                    item["deleted_at"] = now.clone().into();
                }
            }
        }
    }
    for folder in &doomed {
        world.folders.remove(folder);
    }
    recount(world);
    Resp::no_content()
}

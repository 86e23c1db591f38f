//! Users and roles.

use serde_json::{Map, Value, json};

use super::{Route, csv_param, found, list_response};
use crate::http::{Req, Resp};
use crate::listing::search;
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/user", me),
    Route::new("GET", "/users", all_users),
    Route::new("GET", "/users/search", search_users),
    Route::new("POST", "/users", create_user),
    Route::new("GET", "/users/{user_id}", user),
    Route::new("PATCH", "/users/{user_id}", update_user),
    Route::new("DELETE", "/users/{user_id}", delete_user),
    Route::new("GET", "/users/{user_id}/roles", user_roles),
    Route::new("GET", "/roles", all_roles),
    Route::new("GET", "/roles/{role_id}", role),
];

const SEARCHABLE: &[(&str, &str)] = &[
    ("id", "id"),
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("full_name", "full_name"),
    ("email", "email"),
    ("is_disabled", "is_disabled"),
    ("group_id", "group_ids"),
    ("is_service_account", "is_service_account"),
    ("can_manage_api3_creds", "can_manage_api3_creds"),
    ("verified_looker_employee", "verified_looker_employee"),
    ("content_metadata_id", "content_metadata_id"),
];

/// User keys a client may write.
const WRITABLE: &[&str] = &[
    "first_name",
    "last_name",
    "is_disabled",
    "locale",
    "home_folder_id",
    "models_dir_validated",
    "ui_state",
    "can_manage_api3_creds",
];

fn me(world: &mut World, req: &Req) -> Resp {
    found(world.user(&req.caller().user_id).cloned())
}

fn all_users(world: &mut World, req: &Req) -> Resp {
    let mut users = world.users.list().to_vec();
    if let Some(ids) = csv_param(req, "ids") {
        users.retain(|u| {
            u["id"]
                .as_str()
                .is_some_and(|id| ids.iter().any(|i| i == id))
        });
    }
    list_response(users, req)
}

fn search_users(world: &mut World, req: &Req) -> Resp {
    let mut users = search(world.users.list().to_vec(), req, SEARCHABLE);
    if req.query("embed_user") == Some("false") {
        users.retain(|u| u["credentials_embed"].as_array().is_none_or(Vec::is_empty));
    }
    list_response(users, req)
}

fn user(world: &mut World, req: &Req) -> Resp {
    found(world.user(req.param("user_id")).cloned())
}

fn create_user(world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    let mut user: Map<String, Value> = serde_json::from_value(json!({
        "first_name": null, "last_name": null, "email": null, "is_disabled": false, "locale": "en",
        "role_ids": [], "group_ids": [], "home_folder_id": null, "personal_folder_id": null,
        "credentials_api3": [], "credentials_email": null, "credentials_embed": [],
        "is_service_account": false, "can_manage_api3_creds": false, "sessions": [],
        "can": { "show": true, "index": true, "show_details": true, "index_details": true, "sudo": true },
    }))
    .unwrap_or_default();
    copy_writable(&body, &mut user);
    let stored = world.users.insert(user);
    let id = stored["id"].as_str().unwrap_or_default().to_string();
    finish_user(world, &id)
}

fn update_user(world: &mut World, req: &Req) -> Resp {
    let id = req.param("user_id").to_string();
    let mut changes = Map::new();
    copy_writable(&req.body_object(), &mut changes);
    if world.users.patch(&id, &changes).is_none() {
        return Resp::not_found();
    }
    finish_user(world, &id)
}

fn delete_user(world: &mut World, req: &Req) -> Resp {
    match world.users.remove(req.param("user_id")) {
        Some(_) => Resp::no_content(),
        None => Resp::not_found(),
    }
}

fn copy_writable(body: &Map<String, Value>, into: &mut Map<String, Value>) {
    for key in WRITABLE {
        if let Some(v) = body.get(*key) {
            into.insert((*key).to_string(), v.clone());
        }
    }
}

/// Recomputes derived fields (`display_name`, `url`) and returns the user.
fn finish_user(world: &mut World, id: &str) -> Resp {
    let Some(user) = world.users.get_mut(id) else {
        return Resp::not_found();
    };
    let name = |k: &str| user[k].as_str().unwrap_or_default().to_string();
    let display = format!("{} {}", name("first_name"), name("last_name"))
        .trim()
        .to_string();
    user["display_name"] = display.into();
    user["url"] = format!("/api/4.0/users/{id}").into();
    Resp::json(user.clone())
}

fn user_roles(world: &mut World, req: &Req) -> Resp {
    let Some(user) = world.user(req.param("user_id")) else {
        return Resp::not_found();
    };
    let ids: Vec<String> = user["role_ids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let roles: Vec<Value> = ids
        .iter()
        .filter_map(|id| world.roles.get(id).cloned())
        .collect();
    Resp::json(Value::Array(roles))
}

fn all_roles(world: &mut World, req: &Req) -> Resp {
    list_response(world.roles.list().to_vec(), req)
}

fn role(world: &mut World, req: &Req) -> Resp {
    found(world.roles.get(req.param("role_id")).cloned())
}

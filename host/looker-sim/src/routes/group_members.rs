//! Group membership: users in groups (a user's `group_ids` is the record) and groups nested in
//! groups (kept in a [`World::collection`] of `{group_id, child_ids}`).

use serde_json::{Value, json};

use super::{Route, list_response};
use crate::data::obj;
use crate::http::{Req, Resp};
use crate::state::{Collection, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/groups/{group_id}/users", group_users),
    Route::new("POST", "/groups/{group_id}/users", add_group_user),
    Route::new(
        "DELETE",
        "/groups/{group_id}/users/{user_id}",
        remove_group_user,
    ),
    Route::new("GET", "/groups/{group_id}/groups", group_groups),
    Route::new("POST", "/groups/{group_id}/groups", add_group_group),
    Route::new(
        "DELETE",
        "/groups/{group_id}/groups/{deleting_group_id}",
        remove_group_group,
    ),
];

fn invalid(field: &str, message: String) -> Resp {
    Resp::validation("Validation Failed", &[(field, "invalid", message)])
}

fn id_in_body(req: &Req, key: &str) -> Option<String> {
    match req.body_object().get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn members(world: &World, group_id: &str) -> Vec<Value> {
    world
        .users
        .list()
        .iter()
        .filter(|u| {
            u["group_ids"]
                .as_array()
                .is_some_and(|a| a.iter().any(|g| g.as_str() == Some(group_id)))
        })
        .cloned()
        .collect()
}

/// Recounts a group's `user_count` after its membership changed.
fn recount(world: &mut World, group_id: &str) {
    let count = members(world, group_id).len();
    world
        .groups
        .patch(group_id, &obj(json!({ "user_count": count })));
}

fn group_users(world: &mut World, req: &Req) -> Resp {
    let group = req.param("group_id");
    if world.groups.get(group).is_none() {
        return Resp::not_found();
    }
    list_response(members(world, group), req)
}

fn add_group_user(world: &mut World, req: &Req) -> Resp {
    let group = req.param("group_id").to_string();
    if world.groups.get(&group).is_none() {
        return Resp::not_found();
    }
    let Some(user) = id_in_body(req, "user_id") else {
        return Resp::validation(
            "Validation Failed",
            &[("user_id", "missing", "user_id is required".to_string())],
        );
    };
    let Some(u) = world.users.get_mut(&user) else {
        return invalid("user_id", format!("User {user} does not exist"));
    };
    let mut ids = u["group_ids"].as_array().cloned().unwrap_or_default();
    if !ids.iter().any(|g| g.as_str() == Some(group.as_str())) {
        ids.push(group.clone().into());
    }
    u["group_ids"] = Value::Array(ids);
    let answer = u.clone();
    recount(world, &group);
    Resp::json(answer)
}

fn remove_group_user(world: &mut World, req: &Req) -> Resp {
    let group = req.param("group_id").to_string();
    if world.groups.get(&group).is_none() {
        return Resp::not_found();
    }
    let Some(u) = world.users.get_mut(req.param("user_id")) else {
        return Resp::not_found();
    };
    if let Some(ids) = u["group_ids"].as_array_mut() {
        ids.retain(|g| g.as_str() != Some(group.as_str()));
    }
    recount(world, &group);
    Resp::no_content()
}

fn nesting(world: &mut World) -> &mut Collection {
    world.collection("group_children", "group_id", Vec::new)
}

fn children(world: &mut World, group_id: &str) -> Vec<String> {
    nesting(world)
        .get(group_id)
        .and_then(|v| v["child_ids"].as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn group_groups(world: &mut World, req: &Req) -> Resp {
    let group = req.param("group_id").to_string();
    if world.groups.get(&group).is_none() {
        return Resp::not_found();
    }
    let list: Vec<Value> = children(world, &group)
        .iter()
        .filter_map(|c| world.groups.get(c).cloned())
        .collect();
    Resp::json(Value::Array(list))
}

/// Whether `ancestor` is `group` or contains it, directly or through nested groups.
fn contains(world: &mut World, ancestor: &str, group: &str) -> bool {
    if ancestor == group {
        return true;
    }
    children(world, ancestor)
        .iter()
        .any(|c| contains(world, c, group))
}

fn add_group_group(world: &mut World, req: &Req) -> Resp {
    let parent = req.param("group_id").to_string();
    if world.groups.get(&parent).is_none() {
        return Resp::not_found();
    }
    let Some(child) = id_in_body(req, "group_id") else {
        return Resp::validation(
            "Validation Failed",
            &[("group_id", "missing", "group_id is required".to_string())],
        );
    };
    let Some(child_group) = world.groups.get(&child).cloned() else {
        return invalid("group_id", format!("Group {child} does not exist"));
    };
    if contains(world, &child, &parent) {
        return invalid(
            "group_id",
            format!("Group {child} already contains group {parent}: groups cannot form a cycle"),
        );
    }
    let mut ids = children(world, &parent);
    if !ids.contains(&child) {
        ids.push(child);
    }
    nesting(world).insert(obj(json!({ "group_id": parent, "child_ids": ids })));
    Resp::json(child_group)
}

fn remove_group_group(world: &mut World, req: &Req) -> Resp {
    let parent = req.param("group_id").to_string();
    if world.groups.get(&parent).is_none() {
        return Resp::not_found();
    }
    let child = req.param("deleting_group_id").to_string();
    let mut ids = children(world, &parent);
    if !ids.contains(&child) {
        return Resp::not_found();
    }
    ids.retain(|c| *c != child);
    nesting(world).insert(obj(json!({ "group_id": parent, "child_ids": ids })));
    Resp::no_content()
}

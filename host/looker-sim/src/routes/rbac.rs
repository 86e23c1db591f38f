//! Role-based access: role writes, permission sets, model sets, the permission catalogue, and
//! who holds a role (users directly, groups). Permission and model sets live in
//! [`World::collection`]s; a role embeds copies of its sets, refreshed when a set changes.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Route, found, list_response};
use crate::data::obj;
use crate::http::{Req, Resp};
use crate::state::{Collection, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new("POST", "/roles", create_role),
    Route::new("PATCH", "/roles/{role_id}", update_role),
    Route::new("DELETE", "/roles/{role_id}", delete_role),
    Route::new("GET", "/roles/{role_id}/groups", role_groups),
    Route::new("PUT", "/roles/{role_id}/groups", set_role_groups),
    Route::new("GET", "/roles/{role_id}/users", role_users),
    Route::new("PUT", "/roles/{role_id}/users", set_role_users),
    Route::new("PUT", "/users/{user_id}/roles", set_user_roles),
    Route::new("GET", "/permissions", permissions),
    Route::new("GET", "/permission_sets", |w, r| {
        list_response(Sets::Permission.items(w), r)
    }),
    Route::new("POST", "/permission_sets", |w, r| {
        create_set(Sets::Permission, w, r)
    }),
    Route::new("GET", "/permission_sets/{permission_set_id}", |w, r| {
        found(Sets::Permission.get(w, r))
    }),
    Route::new("PATCH", "/permission_sets/{permission_set_id}", |w, r| {
        update_set(Sets::Permission, w, r)
    }),
    Route::new("DELETE", "/permission_sets/{permission_set_id}", |w, r| {
        delete_set(Sets::Permission, w, r)
    }),
    Route::new("GET", "/model_sets", |w, r| {
        list_response(Sets::Model.items(w), r)
    }),
    Route::new("POST", "/model_sets", |w, r| create_set(Sets::Model, w, r)),
    Route::new("GET", "/model_sets/{model_set_id}", |w, r| {
        found(Sets::Model.get(w, r))
    }),
    Route::new("PATCH", "/model_sets/{model_set_id}", |w, r| {
        update_set(Sets::Model, w, r)
    }),
    Route::new("DELETE", "/model_sets/{model_set_id}", |w, r| {
        delete_set(Sets::Model, w, r)
    }),
];

/// `(permission, parent, description)`: the catalogue `GET /permissions` serves.
const PERMISSIONS: &[(&str, Option<&str>, &str)] = &[
    ("access_data", None, "Access data from models"),
    (
        "see_lookml_dashboards",
        Some("access_data"),
        "See LookML dashboards",
    ),
    ("see_looks", Some("access_data"), "See saved looks"),
    (
        "see_user_dashboards",
        Some("see_looks"),
        "See user-defined dashboards",
    ),
    ("explore", Some("see_user_dashboards"), "Explore models"),
    (
        "create_table_calculations",
        Some("explore"),
        "Create table calculations",
    ),
    (
        "save_content",
        Some("see_user_dashboards"),
        "Save looks and dashboards",
    ),
    (
        "create_public_looks",
        Some("save_content"),
        "Make looks public",
    ),
    (
        "download_with_limit",
        Some("see_looks"),
        "Download results up to the row limit",
    ),
    (
        "download_without_limit",
        Some("see_looks"),
        "Download all results",
    ),
    (
        "schedule_look_emails",
        Some("see_looks"),
        "Schedule deliveries by email",
    ),
    (
        "schedule_external_look_emails",
        Some("schedule_look_emails"),
        "Schedule deliveries outside the domain",
    ),
    ("send_to_s3", Some("see_looks"), "Deliver to Amazon S3"),
    ("send_to_sftp", Some("see_looks"), "Deliver over SFTP"),
    (
        "send_outgoing_webhook",
        Some("see_looks"),
        "Deliver to webhooks",
    ),
    ("see_sql", Some("see_looks"), "See generated SQL"),
    ("see_lookml", Some("access_data"), "See LookML"),
    ("develop", Some("see_lookml"), "Develop LookML"),
    ("deploy", Some("develop"), "Deploy LookML to production"),
    ("use_sql_runner", Some("see_sql"), "Use SQL Runner"),
    ("sudo", None, "Act as another user"),
    ("see_users", None, "See users"),
    ("manage_models", None, "Manage model sets"),
    ("see_schedules", None, "See every user's schedules"),
    ("administer", None, "Administer the instance"),
];

/// The two kinds of set a role combines.
#[derive(Clone, Copy)]
enum Sets {
    Permission,
    Model,
}

impl Sets {
    fn collection(self, world: &mut World) -> &mut Collection {
        match self {
            Sets::Permission => world.collection("permission_sets", "id", seed_permission_sets),
            Sets::Model => world.collection("model_sets", "id", seed_model_sets),
        }
    }

    fn items(self, world: &mut World) -> Vec<Value> {
        self.collection(world).list().to_vec()
    }

    fn get(self, world: &mut World, req: &Req) -> Option<Value> {
        self.collection(world)
            .get(req.param(self.id_param()))
            .cloned()
    }

    fn id_param(self) -> &'static str {
        match self {
            Sets::Permission => "permission_set_id",
            Sets::Model => "model_set_id",
        }
    }

    /// The role key embedding a set of this kind.
    fn role_key(self) -> &'static str {
        match self {
            Sets::Permission => "permission_set",
            Sets::Model => "model_set",
        }
    }

    /// The body key holding the set's members.
    fn members(self) -> &'static str {
        match self {
            Sets::Permission => "permissions",
            Sets::Model => "models",
        }
    }

    fn url(self, id: &str) -> String {
        match self {
            Sets::Permission => format!("/api/4.0/permission_sets/{id}"),
            Sets::Model => format!("/api/4.0/model_sets/{id}"),
        }
    }
}

fn seed_permission_sets() -> Vec<Map<String, Value>> {
    [
        (
            "2",
            "Admin",
            &["administer", "access_data", "see_lookml_dashboards", "develop", "see_sql"][..],
        ),
        (
            "3",
            "Developer",
            &["access_data", "see_lookml", "develop", "explore", "see_sql"][..],
        ),
        ("4", "Viewer", &["access_data", "see_looks", "see_user_dashboards"][..]),
    ]
    .into_iter()
    .map(|(id, name, perms)| {
        obj(json!({
            "id": id, "name": name, "permissions": perms, "all_access": id == "2", "built_in": true,
            "url": format!("/api/4.0/permission_sets/{id}"), "can": { "show": true, "update": false },
        }))
    })
    .collect()
}

fn seed_model_sets() -> Vec<Map<String, Value>> {
    vec![
        obj(json!({
            "id": "1", "name": "All", "models": ["ecommerce", "marketing"], "all_access": true,
            "built_in": true, "url": "/api/4.0/model_sets/1", "can": { "show": true, "update": false },
        })),
        obj(json!({
            "id": "2", "name": "Marketing", "models": ["marketing"], "all_access": false,
            "built_in": false, "url": "/api/4.0/model_sets/2", "can": { "show": true, "update": true },
        })),
    ]
}

fn permissions(_world: &mut World, _req: &Req) -> Resp {
    let list: Vec<Value> = PERMISSIONS
        .iter()
        .map(|(permission, parent, description)| {
            json!({ "permission": permission, "parent": parent, "description": description, "can": {} })
        })
        .collect();
    Resp::json(Value::Array(list))
}

fn invalid(field: &str, message: String) -> Resp {
    Resp::validation("Validation Failed", &[(field, "invalid", message)])
}

fn missing(field: &str) -> Resp {
    Resp::validation(
        "Validation Failed",
        &[(field, "missing", format!("{field} is required"))],
    )
}

/// A string or number in a body, as text.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The ids of an array body (`["1", "2"]`; numbers are accepted too).
fn id_list(req: &Req) -> Result<Vec<String>, Resp> {
    let Some(Value::Array(items)) = &req.body else {
        return Err(invalid(
            "body",
            "The body must be an array of ids".to_string(),
        ));
    };
    items
        .iter()
        .map(|v| text(Some(v)).ok_or_else(|| invalid("body", format!("{v} is not an id"))))
        .collect()
}

fn name_taken(items: &[Value], name: &str, except: Option<&str>) -> bool {
    items.iter().any(|v| {
        v["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
            && v["id"].as_str() != except
    })
}

// ---- sets ----

fn check_members(kind: Sets, members: &Value) -> Result<(), Resp> {
    let Some(list) = members.as_array() else {
        return Err(invalid(
            kind.members(),
            format!("{} must be an array", kind.members()),
        ));
    };
    if let Sets::Permission = kind {
        for p in list {
            let known = p
                .as_str()
                .is_some_and(|p| PERMISSIONS.iter().any(|(name, _, _)| *name == p));
            if !known {
                return Err(invalid("permissions", format!("Unknown permission {p}")));
            }
        }
    }
    Ok(())
}

fn create_set(kind: Sets, world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    let Some(name) = text(body.get("name")) else {
        return missing("name");
    };
    let members = body.get(kind.members()).cloned().unwrap_or(json!([]));
    if let Err(resp) = check_members(kind, &members) {
        return resp;
    }
    let items = kind.items(world);
    if name_taken(&items, &name, None) {
        return invalid("name", format!("Name {name} has already been taken"));
    }
    let stored = kind.collection(world).insert(obj(json!({
        "name": name, (kind.members()): members, "all_access": false, "built_in": false,
        "can": { "show": true, "update": true },
    })));
    let id = stored["id"].as_str().unwrap_or_default().to_string();
    let url = kind.url(&id);
    found(
        kind.collection(world)
            .patch(&id, &obj(json!({ "url": url }))),
    )
}

fn update_set(kind: Sets, world: &mut World, req: &Req) -> Resp {
    let id = req.param(kind.id_param()).to_string();
    let Some(current) = kind.collection(world).get(&id).cloned() else {
        return Resp::not_found();
    };
    if current["built_in"] == true {
        return invalid(
            "id",
            format!("Built-in {} cannot be changed", kind.role_key()),
        );
    }
    let body = req.body_object();
    let mut changes = Map::new();
    if let Some(name) = body.get("name") {
        let Some(name) = text(Some(name)) else {
            return invalid("name", "name must not be empty".to_string());
        };
        if name_taken(&kind.items(world), &name, Some(&id)) {
            return invalid("name", format!("Name {name} has already been taken"));
        }
        changes.insert("name".into(), name.into());
    }
    if let Some(members) = body.get(kind.members()) {
        if let Err(resp) = check_members(kind, members) {
            return resp;
        }
        changes.insert(kind.members().into(), members.clone());
    }
    let Some(updated) = kind.collection(world).patch(&id, &changes) else {
        return Resp::not_found();
    };
    // Roles embed their sets: keep the copies current.
    let role_ids: Vec<String> = world
        .roles
        .list()
        .iter()
        .filter(|r| r[kind.role_key()]["id"].as_str() == Some(id.as_str()))
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect();
    for role in role_ids {
        world
            .roles
            .patch(&role, &obj(json!({ (kind.role_key()): updated })));
    }
    Resp::json(updated)
}

fn delete_set(kind: Sets, world: &mut World, req: &Req) -> Resp {
    let id = req.param(kind.id_param()).to_string();
    let Some(current) = kind.collection(world).get(&id).cloned() else {
        return Resp::not_found();
    };
    if current["built_in"] == true {
        return invalid(
            "id",
            format!("Built-in {} cannot be deleted", kind.role_key()),
        );
    }
    let in_use = world
        .roles
        .list()
        .iter()
        .find(|r| r[kind.role_key()]["id"].as_str() == Some(id.as_str()));
    if let Some(role) = in_use {
        return invalid(
            "id",
            format!(
                "This {} is used by role {}",
                kind.role_key(),
                role["name"].as_str().unwrap_or_default()
            ),
        );
    }
    kind.collection(world).remove(&id);
    Resp::no_content()
}

// ---- roles ----

/// The set named by `{kind}_id` in the body, or the 422 to answer.
fn resolve_set(
    kind: Sets,
    world: &mut World,
    body: &Map<String, Value>,
) -> Result<Option<Value>, Resp> {
    let key = format!("{}_id", kind.role_key());
    let Some(raw) = body.get(&key) else {
        return Ok(None);
    };
    let Some(id) = text(Some(raw)) else {
        return Err(invalid(&key, format!("{key} must be an id")));
    };
    match kind.collection(world).get(&id).cloned() {
        Some(set) => Ok(Some(set)),
        None => Err(invalid(
            &key,
            format!("{} {id} does not exist", kind.role_key()),
        )),
    }
}

fn create_role(world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    let Some(name) = text(body.get("name")) else {
        return missing("name");
    };
    let mut sets = Map::new();
    for kind in [Sets::Permission, Sets::Model] {
        match resolve_set(kind, world, &body) {
            Ok(Some(set)) => {
                sets.insert(kind.role_key().into(), set);
            }
            Ok(None) => return missing(&format!("{}_id", kind.role_key())),
            Err(resp) => return resp,
        }
    }
    if name_taken(world.roles.list(), &name, None) {
        return invalid("name", format!("Name {name} has already been taken"));
    }
    let mut role =
        obj(json!({ "name": name, "internal": false, "can": { "show": true, "update": true } }));
    role.extend(sets);
    let stored = world.roles.insert(role);
    let id = stored["id"].as_str().unwrap_or_default().to_string();
    found(world.roles.patch(
        &id,
        &obj(json!({
            "url": format!("/api/4.0/roles/{id}"), "users_url": format!("/api/4.0/roles/{id}/users"),
        })),
    ))
}

fn update_role(world: &mut World, req: &Req) -> Resp {
    let id = req.param("role_id").to_string();
    if world.roles.get(&id).is_none() {
        return Resp::not_found();
    }
    let body = req.body_object();
    let mut changes = Map::new();
    if let Some(name) = body.get("name") {
        let Some(name) = text(Some(name)) else {
            return invalid("name", "name must not be empty".to_string());
        };
        if name_taken(world.roles.list(), &name, Some(&id)) {
            return invalid("name", format!("Name {name} has already been taken"));
        }
        changes.insert("name".into(), name.into());
    }
    for kind in [Sets::Permission, Sets::Model] {
        match resolve_set(kind, world, &body) {
            Ok(Some(set)) => {
                changes.insert(kind.role_key().into(), set);
            }
            Ok(None) => {}
            Err(resp) => return resp,
        }
    }
    found(world.roles.patch(&id, &changes))
}

fn delete_role(world: &mut World, req: &Req) -> Resp {
    let id = req.param("role_id").to_string();
    let Some(role) = world.roles.get(&id) else {
        return Resp::not_found();
    };
    if role["name"] == "Admin" {
        return Resp::error(StatusCode::FORBIDDEN, "The Admin role cannot be deleted");
    }
    world.roles.remove(&id);
    for user in user_ids(world) {
        if let Some(u) = world.users.get_mut(&user)
            && let Some(ids) = u["role_ids"].as_array_mut()
        {
            ids.retain(|r| r.as_str() != Some(id.as_str()));
        }
    }
    role_groups_store(world).remove(&id);
    Resp::no_content()
}

fn user_ids(world: &World) -> Vec<String> {
    world
        .users
        .list()
        .iter()
        .filter_map(|u| u["id"].as_str().map(str::to_string))
        .collect()
}

fn role_groups_store(world: &mut World) -> &mut Collection {
    world.collection("role_groups", "role_id", Vec::new)
}

fn groups_of_role(world: &mut World, role_id: &str) -> Vec<Value> {
    let ids: Vec<String> = role_groups_store(world)
        .get(role_id)
        .and_then(|v| v["group_ids"].as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    ids.iter()
        .filter_map(|g| world.groups.get(g).cloned())
        .collect()
}

fn role_groups(world: &mut World, req: &Req) -> Resp {
    let id = req.param("role_id").to_string();
    if world.roles.get(&id).is_none() {
        return Resp::not_found();
    }
    Resp::json(Value::Array(groups_of_role(world, &id)))
}

fn set_role_groups(world: &mut World, req: &Req) -> Resp {
    let id = req.param("role_id").to_string();
    if world.roles.get(&id).is_none() {
        return Resp::not_found();
    }
    let ids = match id_list(req) {
        Ok(ids) => ids,
        Err(resp) => return resp,
    };
    if let Some(bad) = ids.iter().find(|g| world.groups.get(g).is_none()) {
        return invalid("group_ids", format!("Group {bad} does not exist"));
    }
    role_groups_store(world).insert(obj(json!({ "role_id": id, "group_ids": ids })));
    Resp::json(Value::Array(groups_of_role(world, &id)))
}

fn users_with_role(world: &World, role_id: &str) -> Vec<Value> {
    world
        .users
        .list()
        .iter()
        .filter(|u| has(&u["role_ids"], role_id))
        .cloned()
        .collect()
}

fn has(ids: &Value, id: &str) -> bool {
    ids.as_array()
        .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(id)))
}

fn role_users(world: &mut World, req: &Req) -> Resp {
    let id = req.param("role_id");
    if world.roles.get(id).is_none() {
        return Resp::not_found();
    }
    Resp::json(Value::Array(users_with_role(world, id)))
}

fn set_role_users(world: &mut World, req: &Req) -> Resp {
    let id = req.param("role_id").to_string();
    if world.roles.get(&id).is_none() {
        return Resp::not_found();
    }
    let ids = match id_list(req) {
        Ok(ids) => ids,
        Err(resp) => return resp,
    };
    if let Some(bad) = ids.iter().find(|u| world.users.get(u).is_none()) {
        return invalid("user_ids", format!("User {bad} does not exist"));
    }
    for user in user_ids(world) {
        let Some(u) = world.users.get_mut(&user) else {
            continue;
        };
        let mut roles: Vec<Value> = u["role_ids"].as_array().cloned().unwrap_or_default();
        roles.retain(|r| r.as_str() != Some(id.as_str()));
        if ids.contains(&user) {
            roles.push(id.clone().into());
        }
        u["role_ids"] = Value::Array(roles);
    }
    Resp::json(Value::Array(users_with_role(world, &id)))
}

fn set_user_roles(world: &mut World, req: &Req) -> Resp {
    let user = req.param("user_id").to_string();
    if world.users.get(&user).is_none() {
        return Resp::not_found();
    }
    let ids = match id_list(req) {
        Ok(ids) => ids,
        Err(resp) => return resp,
    };
    if let Some(bad) = ids.iter().find(|r| world.roles.get(r).is_none()) {
        return invalid("role_ids", format!("Role {bad} does not exist"));
    }
    if let Some(u) = world.users.get_mut(&user) {
        u["role_ids"] = json!(ids);
    }
    let roles: Vec<Value> = ids
        .iter()
        .filter_map(|r| world.roles.get(r).cloned())
        .collect();
    Resp::json(Value::Array(roles))
}

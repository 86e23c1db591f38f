//! Roles, permission sets, model sets and role membership.

use looker_mcp_plugin_sdk::args::{Body, non_blank};
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::{self, pick, redact};
use looker_mcp_plugin_sdk::{Context, NoArgs, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::shape::{id_strings, nothing_to_update, pick_all};
use crate::users::USER_KEYS;

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "list_roles",
            "List roles",
            "Lists every role with its permission set and model set (ids and names). A \
            role = what a user may do (permission set) on which models (model set); users \
            get roles directly or through groups.",
        )
        .schema(schema::object())
        .handler(list_roles),
        Tool::creator(
            "create_role",
            "Create a role",
            "Creates a role from a permission set and a model set (ids from \
            `list_permission_sets` and `list_model_sets`). Assign it with \
            `set_role_users`, `set_role_groups` or `set_user_roles`. Example: {\"name\": \
            \"Marketing Viewer\", \"permission_set_id\": 4, \"model_set_id\": 2}.",
        )
        .schema(
            schema::object()
                .required("name", Ty::Str, "Role name, e.g. `Marketing Analyst`.")
                .required(
                    "permission_set_id",
                    Ty::Int,
                    "What the role may do: a permission set id (from \
                    `list_permission_sets`).",
                )
                .required(
                    "model_set_id",
                    Ty::Int,
                    "Which models the role reaches: a model set id (from \
                    `list_model_sets`).",
                ),
        )
        .handler(create_role),
        Tool::reader(
            "get_role",
            "Get a role",
            "Returns one role with its full permission set (every permission) and model \
            set (every model).",
        )
        .schema(schema::object().required(
            "role_id",
            Ty::Str,
            "Looker role id, e.g. `3` (from `list_roles`).",
        ))
        .handler(get_role),
        Tool::overwriter(
            "update_role",
            "Update a role",
            "Renames a role or points it at another permission set or model set; every \
            user holding the role is affected at once. Only the fields given change.",
        )
        .schema(
            schema::object()
                .required("role_id", Ty::Str, "Looker role id.")
                .optional("name", Ty::Str, "New name.")
                .optional("permission_set_id", Ty::Int, "New permission set id.")
                .optional("model_set_id", Ty::Int, "New model set id."),
        )
        .handler(update_role),
        Tool::deleter(
            "delete_role",
            "Delete a role",
            "Deletes a role; every user and group holding it loses what it granted. \
            Built-in roles such as Admin cannot be deleted.",
        )
        .schema(schema::object().required(
            "role_id",
            Ty::Str,
            "Looker role id, e.g. `3` (from `list_roles`).",
        ))
        .handler(delete_role),
        Tool::reader(
            "list_permissions",
            "List permissions",
            "Lists every permission Looker knows (e.g. `access_data`, `explore`, \
            `develop`), with its parent permission and description: the valid values for \
            permission sets.",
        )
        .schema(schema::object())
        .handler(list_permissions),
        Tool::reader(
            "list_permission_sets",
            "List permission sets",
            "Lists permission sets: id, name, their permissions, and whether they are \
            built in (built-in sets cannot be changed) or grant everything (`all_access`).",
        )
        .schema(schema::object())
        .handler(list_permission_sets),
        Tool::creator(
            "create_permission_set",
            "Create a permission set",
            "Creates a permission set from permission names (see `list_permissions`); use \
            it in roles. Example: {\"name\": \"Explorer\", \"permissions\": \
            [\"access_data\", \"see_looks\", \"explore\"]}.",
        )
        .schema(
            schema::object()
                .required("name", Ty::Str, "Permission set name.")
                .required(
                    "permissions",
                    Ty::StrList,
                    "Permission names from `list_permissions`, e.g. [\"access_data\", \
                    \"see_looks\", \"explore\"].",
                ),
        )
        .handler(create_permission_set),
        Tool::overwriter(
            "update_permission_set",
            "Update a permission set",
            "Renames a custom permission set or replaces its whole permission list; every \
            role using it changes at once. Built-in sets cannot be changed.",
        )
        .schema(
            schema::object()
                .required(
                    "permission_set_id",
                    Ty::Str,
                    "Permission set id (from `list_permission_sets`).",
                )
                .optional("name", Ty::Str, "New name.")
                .optional(
                    "permissions",
                    Ty::StrList,
                    "The complete new list of permissions (replaces the current list).",
                ),
        )
        .handler(update_permission_set),
        Tool::deleter(
            "delete_permission_set",
            "Delete a permission set",
            "Deletes a custom permission set. Looker refuses while a role still uses it; \
            built-in sets cannot be deleted.",
        )
        .schema(schema::object().required(
            "permission_set_id",
            Ty::Str,
            "Permission set id (from `list_permission_sets`).",
        ))
        .handler(delete_permission_set),
        Tool::reader(
            "list_model_sets",
            "List model sets",
            "Lists model sets: id, name, the LookML models they contain, and whether they \
            are built in or cover every model (`all_access`).",
        )
        .schema(schema::object())
        .handler(list_model_sets),
        Tool::creator(
            "create_model_set",
            "Create a model set",
            "Creates a model set (a list of LookML model names) to limit which models a \
            role reaches. Example: {\"name\": \"Marketing\", \"models\": [\"marketing\"]}.",
        )
        .schema(
            schema::object()
                .required("name", Ty::Str, "Model set name.")
                .required(
                    "models",
                    Ty::StrList,
                    "LookML model names, e.g. [\"ecommerce\"] (from `list_models`).",
                ),
        )
        .handler(create_model_set),
        Tool::overwriter(
            "update_model_set",
            "Update a model set",
            "Renames a custom model set or replaces its whole model list; every role using \
            it changes at once. Built-in sets cannot be changed.",
        )
        .schema(
            schema::object()
                .required(
                    "model_set_id",
                    Ty::Str,
                    "Model set id (from `list_model_sets`).",
                )
                .optional("name", Ty::Str, "New name.")
                .optional(
                    "models",
                    Ty::StrList,
                    "The complete new list of model names (replaces the current list).",
                ),
        )
        .handler(update_model_set),
        Tool::deleter(
            "delete_model_set",
            "Delete a model set",
            "Deletes a custom model set. Looker refuses while a role still uses it; \
            built-in sets cannot be deleted.",
        )
        .schema(schema::object().required(
            "model_set_id",
            Ty::Str,
            "Model set id (from `list_model_sets`).",
        ))
        .handler(delete_model_set),
    ]
}

/// The tools that set which groups and users hold a role.
pub fn assignment_tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::overwriter(
            "set_role_groups",
            "Set a role's groups",
            "Sets exactly which groups hold a role: the list replaces the current one, so \
            groups not listed lose the role. Read the current list with `get_role_groups` \
            first. Returns the groups that now hold it.",
        )
        .schema(
            schema::object()
                .required("role_id", Ty::Str, "Looker role id.")
                .required(
                    "group_ids",
                    Ty::IntList,
                    "The complete list of group ids that get the role; `[]` removes it \
                    from every group.",
                ),
        )
        .handler(set_role_groups),
        Tool::overwriter(
            "set_role_users",
            "Set a role's users",
            "Sets exactly which users hold a role directly: the list replaces the current \
            one, so users not listed lose it (access through groups is unaffected). Read \
            `get_role_users` first. Returns the users that now hold it.",
        )
        .schema(
            schema::object()
                .required("role_id", Ty::Str, "Looker role id.")
                .required(
                    "user_ids",
                    Ty::IntList,
                    "The complete list of user ids that hold the role directly; `[]` \
                    removes it from every user.",
                ),
        )
        .handler(set_role_users),
    ]
}

/// The tools that read which groups and users hold a role.
pub fn member_tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "get_role_groups",
            "Get a role's groups",
            "Lists the groups that hold a role (id, name, member count). Pair with \
            `set_role_groups` to change them.",
        )
        .schema(schema::object().required(
            "role_id",
            Ty::Str,
            "Looker role id, e.g. `3` (from `list_roles`).",
        ))
        .handler(get_role_groups),
        Tool::reader(
            "get_role_users",
            "Get a role's users",
            "Lists the users that hold a role directly (not through groups): id, email, \
            names, disabled flag. Pair with `set_role_users` to change them.",
        )
        .schema(schema::object().required(
            "role_id",
            Ty::Str,
            "Looker role id, e.g. `3` (from `list_roles`).",
        ))
        .handler(get_role_users),
    ]
}

/// A role in one line: id, name, and the names and ids of its permission and model sets.
pub fn role_summary(r: &Value) -> Value {
    let mut out = redact(pick(r, &["id", "name"]));
    for set in ["permission_set", "model_set"] {
        if let Some(s) = r.get(set).filter(|s| s.is_object()) {
            out[format!("{set}_id")] = json!(shape::id(&s["id"]));
            if let Some(name) = s.get("name").filter(|n| !n.is_null()) {
                out[format!("{set}_name")] = name.clone();
            }
        } else if let Some(id) = r.get(format!("{set}_id")).filter(|v| !v.is_null()) {
            out[format!("{set}_id")] = id.clone();
        }
    }
    out
}

fn role_list(list: &Value) -> Vec<Value> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(role_summary)
        .collect()
}

/// `GET /roles`.
pub fn list_roles(_: NoArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let roles: Value = Request::get("/roles").send()?.json()?;
    let roles = role_list(&roles);
    Ok(json!({ "count": roles.len(), "roles": roles }))
}

#[derive(Deserialize)]
pub struct RoleId {
    role_id: String,
}

/// `GET /roles/{role_id}`: the role with its full permission and model sets.
pub fn get_role(a: RoleId, _ctx: &Context) -> Result<Value, ToolError> {
    let role: Value = Request::get(path!("/roles/{}", a.role_id)).send()?.json()?;
    Ok(redact(role))
}

#[derive(Deserialize)]
pub struct CreateRole {
    name: String,
    permission_set_id: i64,
    model_set_id: i64,
}

/// `POST /roles`.
pub fn create_role(a: CreateRole, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("name", &a.name)?;
    let role: Value = Request::post("/roles")
        .body(&json!({
            "name": a.name,
            "permission_set_id": a.permission_set_id.to_string(),
            "model_set_id": a.model_set_id.to_string(),
        }))
        .send()?
        .json()?;
    let mut out = role_summary(&role);
    out["created"] = json!(true);
    Ok(out)
}

#[derive(Deserialize)]
pub struct UpdateRole {
    role_id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    permission_set_id: Option<i64>,
    #[serde(default)]
    model_set_id: Option<i64>,
}

/// `PATCH /roles/{role_id}` with the fields given.
pub fn update_role(a: UpdateRole, _ctx: &Context) -> Result<Value, ToolError> {
    if let Some(name) = &a.name {
        non_blank("name", name)?;
    }
    let body = Body::new()
        .opt("name", a.name)
        .opt(
            "permission_set_id",
            a.permission_set_id.map(|i| i.to_string()),
        )
        .opt("model_set_id", a.model_set_id.map(|i| i.to_string()));
    if body.is_empty() {
        return Err(nothing_to_update("name, permission_set_id, model_set_id"));
    }
    let changed = body.keys();
    let role: Value = Request::patch(path!("/roles/{}", a.role_id))
        .body(&body.into_value())
        .send()?
        .json()?;
    let mut out = role_summary(&role);
    out["updated"] = json!(true);
    out["fields_changed"] = json!(changed);
    Ok(out)
}

/// `DELETE /roles/{role_id}`.
pub fn delete_role(a: RoleId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/roles/{}", a.role_id)).send()?;
    Ok(json!({ "deleted": true, "role_id": a.role_id }))
}

/// `GET /roles/{role_id}/groups`.
pub fn get_role_groups(a: RoleId, _ctx: &Context) -> Result<Value, ToolError> {
    let groups: Value = Request::get(path!("/roles/{}/groups", a.role_id))
        .fields(&["id", "name", "user_count"])
        .send()?
        .json()?;
    Ok(json!({ "role_id": a.role_id, "groups": pick_all(&groups, &["id", "name", "user_count"]) }))
}

/// `GET /roles/{role_id}/users` (direct assignments only, as Looker's default).
pub fn get_role_users(a: RoleId, _ctx: &Context) -> Result<Value, ToolError> {
    let users: Value = Request::get(path!("/roles/{}/users", a.role_id))
        .fields(USER_KEYS)
        .send()?
        .json()?;
    Ok(json!({ "role_id": a.role_id, "users": pick_all(&users, USER_KEYS) }))
}

#[derive(Deserialize)]
pub struct SetRoleGroups {
    role_id: String,
    group_ids: Vec<i64>,
}

/// `PUT /roles/{role_id}/groups` with the complete list (replaces the current set).
pub fn set_role_groups(a: SetRoleGroups, _ctx: &Context) -> Result<Value, ToolError> {
    let groups: Value = Request::put(path!("/roles/{}/groups", a.role_id))
        .body(&id_strings(&a.group_ids))
        .send()?
        .json()?;
    Ok(json!({ "role_id": a.role_id, "groups": pick_all(&groups, &["id", "name"]) }))
}

#[derive(Deserialize)]
pub struct SetRoleUsers {
    role_id: String,
    user_ids: Vec<i64>,
}

/// `PUT /roles/{role_id}/users` with the complete list (replaces the current set).
pub fn set_role_users(a: SetRoleUsers, _ctx: &Context) -> Result<Value, ToolError> {
    let users: Value = Request::put(path!("/roles/{}/users", a.role_id))
        .body(&id_strings(&a.user_ids))
        .send()?
        .json()?;
    Ok(json!({
        "role_id": a.role_id,
        "users": pick_all(&users, &["id", "email", "display_name"]),
    }))
}

/// `GET /permissions`.
pub fn list_permissions(_: NoArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get("/permissions").send()?.json()?;
    let permissions = pick_all(&found, &["permission", "parent", "description"]);
    Ok(json!({ "count": permissions.len(), "permissions": permissions }))
}

const SET_KEYS: &[&str] = &[
    "id",
    "name",
    "permissions",
    "models",
    "built_in",
    "all_access",
];

/// `GET /permission_sets`.
pub fn list_permission_sets(_: NoArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get("/permission_sets").send()?.json()?;
    let sets = pick_all(&found, SET_KEYS);
    Ok(json!({ "count": sets.len(), "permission_sets": sets }))
}

#[derive(Deserialize)]
pub struct CreatePermissionSet {
    name: String,
    permissions: Vec<String>,
}

/// `POST /permission_sets`.
pub fn create_permission_set(a: CreatePermissionSet, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("name", &a.name)?;
    let set: Value = Request::post("/permission_sets")
        .body(&json!({ "name": a.name, "permissions": a.permissions }))
        .send()?
        .json()?;
    let mut out = redact(pick(&set, SET_KEYS));
    out["created"] = json!(true);
    Ok(out)
}

#[derive(Deserialize)]
pub struct UpdatePermissionSet {
    permission_set_id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    permissions: Option<Vec<String>>,
}

/// `PATCH /permission_sets/{permission_set_id}`; `permissions` replaces the whole list.
pub fn update_permission_set(a: UpdatePermissionSet, _ctx: &Context) -> Result<Value, ToolError> {
    let body = Body::new()
        .opt("name", a.name)
        .opt("permissions", a.permissions);
    if body.is_empty() {
        return Err(nothing_to_update("name, permissions"));
    }
    let changed = body.keys();
    let set: Value = Request::patch(path!("/permission_sets/{}", a.permission_set_id))
        .body(&body.into_value())
        .send()?
        .json()?;
    let mut out = redact(pick(&set, SET_KEYS));
    out["updated"] = json!(true);
    out["fields_changed"] = json!(changed);
    Ok(out)
}

#[derive(Deserialize)]
pub struct PermissionSetId {
    permission_set_id: String,
}

/// `DELETE /permission_sets/{permission_set_id}`.
pub fn delete_permission_set(a: PermissionSetId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/permission_sets/{}", a.permission_set_id)).send()?;
    Ok(json!({ "deleted": true, "permission_set_id": a.permission_set_id }))
}

/// `GET /model_sets`.
pub fn list_model_sets(_: NoArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get("/model_sets").send()?.json()?;
    let sets = pick_all(&found, SET_KEYS);
    Ok(json!({ "count": sets.len(), "model_sets": sets }))
}

#[derive(Deserialize)]
pub struct CreateModelSet {
    name: String,
    models: Vec<String>,
}

/// `POST /model_sets`.
pub fn create_model_set(a: CreateModelSet, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("name", &a.name)?;
    let set: Value = Request::post("/model_sets")
        .body(&json!({ "name": a.name, "models": a.models }))
        .send()?
        .json()?;
    let mut out = redact(pick(&set, SET_KEYS));
    out["created"] = json!(true);
    Ok(out)
}

#[derive(Deserialize)]
pub struct UpdateModelSet {
    model_set_id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    models: Option<Vec<String>>,
}

/// `PATCH /model_sets/{model_set_id}`; `models` replaces the whole list.
pub fn update_model_set(a: UpdateModelSet, _ctx: &Context) -> Result<Value, ToolError> {
    let body = Body::new().opt("name", a.name).opt("models", a.models);
    if body.is_empty() {
        return Err(nothing_to_update("name, models"));
    }
    let changed = body.keys();
    let set: Value = Request::patch(path!("/model_sets/{}", a.model_set_id))
        .body(&body.into_value())
        .send()?
        .json()?;
    let mut out = redact(pick(&set, SET_KEYS));
    out["updated"] = json!(true);
    out["fields_changed"] = json!(changed);
    Ok(out)
}

#[derive(Deserialize)]
pub struct ModelSetId {
    model_set_id: String,
}

/// `DELETE /model_sets/{model_set_id}`.
pub fn delete_model_set(a: ModelSetId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/model_sets/{}", a.model_set_id)).send()?;
    Ok(json!({ "deleted": true, "model_set_id": a.model_set_id }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_summary_reads_nested_sets() {
        let r = json!({"id": "3", "name": "Dev", "permission_set": {"id": "5", "name": "P"},
                       "model_set": {"id": 1, "name": "All"}, "can": {}});
        assert_eq!(
            role_summary(&r),
            json!({"id": "3", "name": "Dev", "permission_set_id": "5", "permission_set_name": "P",
                   "model_set_id": "1", "model_set_name": "All"})
        );
    }
}

//! Groups, their members and their sub-groups.

use looker_mcp_plugin_sdk::args::{Body, default, non_blank};
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::{pick, redact};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::shape::{nothing_to_update, pick_all};
use crate::users::{LIST_LIMIT, USER_KEYS};

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "list_groups",
            "List groups",
            "Lists user groups: id, name, member count, and whether membership is managed \
            outside Looker (SSO) or new users join by default. Groups carry roles and \
            content access for their members.",
        )
        .schema(schema::object().with_default(
            "limit",
            Ty::Int.min(1),
            LIST_LIMIT,
            "Most groups to return.",
        ))
        .handler(list_groups),
        Tool::creator(
            "add_group_user",
            "Add a user to a group",
            "Adds a user to a group, so they get the group's roles and content access. \
            Adding a member again changes nothing.",
        )
        .schema(
            schema::object()
                .required("group_id", Ty::Str, "Looker group id (from `list_groups`).")
                .required("user_id", Ty::Str, "Looker user id (from `list_users`)."),
        )
        .idempotent()
        .handler(add_group_user),
        Tool::deleter(
            "remove_group_user",
            "Remove a user from a group",
            "Removes a user from a group; they lose what the group granted them. The user \
            and the group stay.",
        )
        .schema(
            schema::object()
                .required("group_id", Ty::Str, "Looker group id (from `list_groups`).")
                .required("user_id", Ty::Str, "Looker user id (from `list_users`)."),
        )
        .handler(remove_group_user),
        Tool::creator(
            "create_group",
            "Create a group",
            "Creates a user group. Then add members (`add_group_user`), give it roles \
            (`set_role_groups`) or nest it (`add_group_to_group`).",
        )
        .schema(
            schema::object()
                .required("name", Ty::Str, "Group name, e.g. `Data Team`.")
                .optional(
                    "can_add_to_content_metadata",
                    Ty::Bool,
                    "Whether folders can be shared with this group (content access).",
                ),
        )
        .handler(create_group),
        Tool::overwriter(
            "update_group",
            "Update a group",
            "Renames a group or changes whether content can be shared with it. Only the \
            fields given change; membership has its own tools.",
        )
        .schema(
            schema::object()
                .required("group_id", Ty::Str, "Looker group id.")
                .optional("name", Ty::Str, "New name.")
                .optional(
                    "can_add_to_content_metadata",
                    Ty::Bool,
                    "Whether folders can be shared with this group.",
                ),
        )
        .handler(update_group),
        Tool::deleter(
            "delete_group",
            "Delete a group",
            "Deletes a group; its members lose the roles and content access it gave them. \
            The users stay.",
        )
        .schema(schema::object().required(
            "group_id",
            Ty::Str,
            "Looker group id, e.g. `2` (from `list_groups`).",
        ))
        .handler(delete_group),
        Tool::reader(
            "list_group_users",
            "List a group's members",
            "Lists the direct members of a group (id, email, names, disabled flag, roles, \
            groups). Use it to audit who gets a group's access.",
        )
        .schema(
            schema::object()
                .required("group_id", Ty::Str, "Looker group id (from `list_groups`).")
                .with_default(
                    "limit",
                    Ty::Int.min(1),
                    LIST_LIMIT,
                    "Most members to return.",
                ),
        )
        .handler(list_group_users),
        Tool::reader(
            "list_group_groups",
            "List a group's sub-groups",
            "Lists the groups nested directly inside a group (one level). Members of \
            nested groups inherit the parent group's roles.",
        )
        .schema(schema::object().required(
            "group_id",
            Ty::Str,
            "Looker group id, e.g. `2` (from `list_groups`).",
        ))
        .handler(list_group_groups),
        Tool::creator(
            "add_group_to_group",
            "Nest a group in a group",
            "Nests a group inside another: members of `child_group_id` inherit the roles \
            of `parent_group_id`. Nesting it again changes nothing.",
        )
        .schema(
            schema::object()
                .required("parent_group_id", Ty::Str, "The containing group's id.")
                .required("child_group_id", Ty::Str, "The nested group's id."),
        )
        .idempotent()
        .handler(add_group_to_group),
        Tool::deleter(
            "remove_group_from_group",
            "Un-nest a group",
            "Un-nests a group from its parent group; its members stop inheriting the \
            parent's roles. Neither group is deleted.",
        )
        .schema(
            schema::object()
                .required("parent_group_id", Ty::Str, "The containing group's id.")
                .required("child_group_id", Ty::Str, "The nested group's id."),
        )
        .handler(remove_group_from_group),
    ]
}

const GROUP_KEYS: &[&str] = &[
    "id",
    "name",
    "user_count",
    "externally_managed",
    "include_by_default",
    "can_add_to_content_metadata",
];

#[derive(Deserialize)]
pub struct ListGroups {
    #[serde(default = "default::count::<LIST_LIMIT>")]
    limit: u32,
}

/// `GET /groups?limit=`.
pub fn list_groups(a: ListGroups, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get("/groups")
        .fields(GROUP_KEYS)
        .query("limit", a.limit)
        .send()?
        .json()?;
    let groups = pick_all(&found, GROUP_KEYS);
    Ok(json!({ "count": groups.len(), "groups": groups }))
}

#[derive(Deserialize)]
pub struct CreateGroup {
    name: String,
    #[serde(default)]
    can_add_to_content_metadata: Option<bool>,
}

/// `POST /groups`.
pub fn create_group(a: CreateGroup, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("name", &a.name)?;
    let body = Body::new()
        .set("name", a.name)
        .opt("can_add_to_content_metadata", a.can_add_to_content_metadata);
    let group: Value = Request::post("/groups")
        .body(&body.into_value())
        .send()?
        .json()?;
    let mut out = redact(pick(&group, GROUP_KEYS));
    out["created"] = json!(true);
    Ok(out)
}

#[derive(Deserialize)]
pub struct UpdateGroup {
    group_id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    can_add_to_content_metadata: Option<bool>,
}

/// `PATCH /groups/{group_id}` with the fields given.
pub fn update_group(a: UpdateGroup, _ctx: &Context) -> Result<Value, ToolError> {
    if let Some(name) = &a.name {
        non_blank("name", name)?;
    }
    let body = Body::new()
        .opt("name", a.name)
        .opt("can_add_to_content_metadata", a.can_add_to_content_metadata);
    if body.is_empty() {
        return Err(nothing_to_update("name, can_add_to_content_metadata"));
    }
    let changed = body.keys();
    let group: Value = Request::patch(path!("/groups/{}", a.group_id))
        .body(&body.into_value())
        .send()?
        .json()?;
    let mut out = redact(pick(&group, GROUP_KEYS));
    out["updated"] = json!(true);
    out["fields_changed"] = json!(changed);
    Ok(out)
}

#[derive(Deserialize)]
pub struct GroupId {
    group_id: String,
}

/// `DELETE /groups/{group_id}`.
pub fn delete_group(a: GroupId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/groups/{}", a.group_id)).send()?;
    Ok(json!({ "deleted": true, "group_id": a.group_id }))
}

#[derive(Deserialize)]
pub struct ListGroupUsers {
    group_id: String,
    #[serde(default = "default::count::<LIST_LIMIT>")]
    limit: u32,
}

/// `GET /groups/{group_id}/users?limit=`.
pub fn list_group_users(a: ListGroupUsers, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get(path!("/groups/{}/users", a.group_id))
        .fields(USER_KEYS)
        .query("limit", a.limit)
        .send()?
        .json()?;
    let users = pick_all(&found, USER_KEYS);
    Ok(json!({ "group_id": a.group_id, "count": users.len(), "users": users }))
}

#[derive(Deserialize)]
pub struct GroupUser {
    group_id: String,
    user_id: String,
}

/// `POST /groups/{group_id}/users` with `{user_id}`.
pub fn add_group_user(a: GroupUser, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("user_id", &a.user_id)?;
    let user: Value = Request::post(path!("/groups/{}/users", a.group_id))
        .body(&json!({ "user_id": a.user_id }))
        .send()?
        .json()?;
    Ok(json!({
        "added": true, "group_id": a.group_id, "user_id": a.user_id,
        "user": redact(pick(&user, &["id", "email", "display_name", "group_ids"])),
    }))
}

/// `DELETE /groups/{group_id}/users/{user_id}`.
pub fn remove_group_user(a: GroupUser, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/groups/{}/users/{}", a.group_id, a.user_id)).send()?;
    Ok(json!({ "removed": true, "group_id": a.group_id, "user_id": a.user_id }))
}

/// `GET /groups/{group_id}/groups`: the direct sub-groups.
pub fn list_group_groups(a: GroupId, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get(path!("/groups/{}/groups", a.group_id))
        .fields(&["id", "name", "user_count"])
        .send()?
        .json()?;
    Ok(json!({ "group_id": a.group_id, "groups": pick_all(&found, &["id", "name", "user_count"]) }))
}

#[derive(Deserialize)]
pub struct GroupInGroup {
    parent_group_id: String,
    child_group_id: String,
}

/// `POST /groups/{parent_group_id}/groups` with `{group_id: child}`.
pub fn add_group_to_group(a: GroupInGroup, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("child_group_id", &a.child_group_id)?;
    if a.parent_group_id == a.child_group_id {
        return Err(ToolError::invalid_arguments(
            "a group cannot contain itself: `parent_group_id` and `child_group_id` are the same",
        ));
    }
    let child: Value = Request::post(path!("/groups/{}/groups", a.parent_group_id))
        .body(&json!({ "group_id": a.child_group_id }))
        .send()?
        .json()?;
    Ok(json!({
        "added": true, "parent_group_id": a.parent_group_id, "child_group_id": a.child_group_id,
        "child": redact(pick(&child, &["id", "name", "user_count"])),
    }))
}

/// `DELETE /groups/{parent_group_id}/groups/{child_group_id}`.
pub fn remove_group_from_group(a: GroupInGroup, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!(
        "/groups/{}/groups/{}",
        a.parent_group_id,
        a.child_group_id
    ))
    .send()?;
    Ok(json!({
        "removed": true, "parent_group_id": a.parent_group_id, "child_group_id": a.child_group_id,
    }))
}

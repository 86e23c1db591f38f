//! User attribute values per group (`/user_attributes/{id}/group_values`,
//! `/groups/{group_id}/attribute_values/{id}`) and per user (`/users/{user_id}/attribute_values`).

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::redact;
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "list_user_attribute_group_values",
            "List a user attribute's group values",
            "Lists the values a user attribute has per group, in priority order (rank 1 \
            wins when a user is in several groups): group id, value and rank. Hidden \
            values are not shown.",
        )
        .schema(schema::object().required(
            "user_attribute_id",
            Ty::Str,
            "User attribute id, e.g. `2` (from `list_user_attributes`).",
        ))
        .handler(list_group_values),
        Tool::overwriter(
            "set_user_attribute_group_values",
            "Set a user attribute's group values",
            "Sets a user attribute's values for groups, replacing every current group \
            value: list order is priority (first wins for users in several groups). Read \
            the current list with `list_user_attribute_group_values` first. Example: \
            {\"user_attribute_id\": \"2\", \"values\": [{\"group_id\": \"2\", \"value\": \
            \"EMEA\"}, {\"group_id\": \"1\", \"value\": \"US\"}]}.",
        )
        .schema(
            schema::object()
                .required(
                    "user_attribute_id",
                    Ty::Str,
                    "User attribute id (from `list_user_attributes`).",
                )
                .required(
                    "values",
                    Ty::ObjectList,
                    "The complete list of group values, highest priority first: each \
                    `{\"group_id\": \"2\", \"value\": \"EMEA\"}`. Groups left out lose \
                    their value; `[]` removes every group value.",
                ),
        )
        .handler(set_group_values),
        Tool::deleter(
            "delete_user_attribute_group_value",
            "Remove a group's user attribute value",
            "Removes one group's value for a user attribute; the group's members then get \
            their value from another group or the default. Other groups' values stay.",
        )
        .schema(
            schema::object()
                .required(
                    "group_id",
                    Ty::Str,
                    "Looker group id (from `list_groups` or \
                    `list_user_attribute_group_values`).",
                )
                .required("user_attribute_id", Ty::Str, "User attribute id."),
        )
        .handler(delete_group_value),
        Tool::reader(
            "list_user_attribute_values_for_user",
            "List a user's attribute values",
            "Lists the user attribute values a user ends up with: attribute name and id, \
            value, and where it comes from (`user` = their own value, `group`, `default`, \
            or `system` for attributes Looker fills itself such as `email`). Hidden \
            values are not shown. Use it to check what row-level security a user gets.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(list_user_values),
        Tool::overwriter(
            "set_user_attribute_user_value",
            "Set a user's attribute value",
            "Sets a user's own value for a user attribute, overriding group values and the \
            default; replaces any value the user had. Returns the user's resulting value \
            and its source.",
        )
        .schema(
            schema::object()
                .required("user_id", Ty::Str, "Looker user id.")
                .required(
                    "user_attribute_id",
                    Ty::Str,
                    "User attribute id (from `list_user_attributes`).",
                )
                .required(
                    "value",
                    Ty::Str,
                    "The user's own value, e.g. `EMEA`; it overrides group values and the \
                    default.",
                ),
        )
        .handler(set_user_value),
        Tool::deleter(
            "delete_user_attribute_user_value",
            "Remove a user's own attribute value",
            "Removes a user's own value for a user attribute; they then get the value of \
            their groups or the default. Returns `{deleted: true}`.",
        )
        .schema(
            schema::object()
                .required("user_id", Ty::Str, "Looker user id.")
                .required("user_attribute_id", Ty::Str, "User attribute id."),
        )
        .handler(delete_user_value),
    ]
}

#[derive(Deserialize)]
pub struct AttributeId {
    user_attribute_id: String,
}

/// The items of a Looker list answer, redacted.
fn items(list: &Value) -> Vec<Value> {
    list.as_array()
        .into_iter()
        .flatten()
        .cloned()
        .map(redact)
        .collect()
}

/// `GET /user_attributes/{user_attribute_id}/group_values`, in rank order.
pub fn list_group_values(a: AttributeId, _ctx: &Context) -> Result<Value, ToolError> {
    let list: Value = Request::get(path!(
        "/user_attributes/{}/group_values",
        a.user_attribute_id
    ))
    .send()?
    .json()?;
    let mut values = items(&list);
    values.sort_by_key(|v| v["rank"].as_i64().unwrap_or(i64::MAX));
    Ok(json!({
        "user_attribute_id": a.user_attribute_id,
        "count": values.len(),
        "group_values": values,
    }))
}

#[derive(Deserialize)]
pub struct SetGroupValues {
    user_attribute_id: String,
    values: Vec<Map<String, Value>>,
}

/// One `{group_id, value}` entry, checked: ids and values may be given as numbers or booleans
/// (sent as text, as Looker stores them), anything else is refused before Looker is called.
fn group_value(i: usize, item: &Map<String, Value>) -> Result<(String, String), ToolError> {
    if let Some(key) = item.keys().find(|k| *k != "group_id" && *k != "value") {
        return Err(ToolError::invalid_arguments(format!(
            "values[{i}]: unknown key `{key}`; each entry is {{\"group_id\": ..., \"value\": ...}} \
             and list order sets the priority"
        )));
    }
    let text = |key: &str| -> Result<String, ToolError> {
        match item.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(Value::Bool(b)) if key == "value" => Ok(b.to_string()),
            _ => Err(ToolError::invalid_arguments(format!(
                "values[{i}]: `{key}` is required (text)"
            ))),
        }
    };
    let group_id = text("group_id")?;
    if group_id.trim().is_empty() {
        return Err(ToolError::invalid_arguments(format!(
            "values[{i}]: `group_id` must not be empty"
        )));
    }
    Ok((group_id.trim().to_owned(), text("value")?))
}

/// `POST /user_attributes/{user_attribute_id}/group_values` with `[{group_id, value}, ...]`:
/// replaces every group value; order is priority.
pub fn set_group_values(a: SetGroupValues, _ctx: &Context) -> Result<Value, ToolError> {
    let mut entries: Vec<(String, String)> = Vec::with_capacity(a.values.len());
    for (i, item) in a.values.iter().enumerate() {
        let (group_id, value) = group_value(i, item)?;
        if entries.iter().any(|(g, _)| *g == group_id) {
            return Err(ToolError::invalid_arguments(format!(
                "values[{i}]: group {group_id} is listed twice"
            )));
        }
        entries.push((group_id, value));
    }
    let body: Vec<Value> = entries
        .iter()
        .map(|(g, v)| json!({ "group_id": g, "value": v }))
        .collect();
    let list: Value = Request::post(path!(
        "/user_attributes/{}/group_values",
        a.user_attribute_id
    ))
    .body(&body)
    .send()?
    .json()?;
    let values = items(&list);
    Ok(json!({
        "user_attribute_id": a.user_attribute_id,
        "count": values.len(),
        "group_values": values,
    }))
}

#[derive(Deserialize)]
pub struct GroupValue {
    group_id: String,
    user_attribute_id: String,
}

/// `DELETE /groups/{group_id}/attribute_values/{user_attribute_id}`.
pub fn delete_group_value(a: GroupValue, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!(
        "/groups/{}/attribute_values/{}",
        a.group_id,
        a.user_attribute_id
    ))
    .send()?;
    Ok(json!({
        "deleted": true,
        "group_id": a.group_id,
        "user_attribute_id": a.user_attribute_id,
    }))
}

#[derive(Deserialize)]
pub struct UserId {
    user_id: String,
}

/// `GET /users/{user_id}/attribute_values`: the values the user has.
pub fn list_user_values(a: UserId, _ctx: &Context) -> Result<Value, ToolError> {
    let list: Value = Request::get(path!("/users/{}/attribute_values", a.user_id))
        .send()?
        .json()?;
    let values = items(&list);
    Ok(json!({ "user_id": a.user_id, "count": values.len(), "values": values }))
}

#[derive(Deserialize)]
pub struct SetUserValue {
    user_id: String,
    user_attribute_id: String,
    value: String,
}

/// `PATCH /users/{user_id}/attribute_values/{user_attribute_id}` with `{value}`.
pub fn set_user_value(a: SetUserValue, _ctx: &Context) -> Result<Value, ToolError> {
    let v: Value = Request::patch(path!(
        "/users/{}/attribute_values/{}",
        a.user_id,
        a.user_attribute_id
    ))
    .body(&json!({ "value": a.value }))
    .send()?
    .json()?;
    Ok(redact(v))
}

#[derive(Deserialize)]
pub struct UserValue {
    user_id: String,
    user_attribute_id: String,
}

/// `DELETE /users/{user_id}/attribute_values/{user_attribute_id}`.
pub fn delete_user_value(a: UserValue, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!(
        "/users/{}/attribute_values/{}",
        a.user_id,
        a.user_attribute_id
    ))
    .send()?;
    Ok(json!({
        "deleted": true,
        "user_id": a.user_id,
        "user_attribute_id": a.user_attribute_id,
    }))
}

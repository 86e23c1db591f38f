//! User attribute values per group (`/user_attributes/{id}/group_values`,
//! `/groups/{group_id}/attribute_values/{id}`) and per user (`/users/{user_id}/attribute_values`).

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{Context, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::attributes::tidied;

#[derive(Deserialize)]
pub struct AttributeId {
    user_attribute_id: String,
}

/// The items of a Looker list answer, tidied.
fn items(list: &Value) -> Vec<Value> {
    list.as_array()
        .into_iter()
        .flatten()
        .cloned()
        .map(tidied)
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
    Ok(tidied(v))
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

//! API3 key pairs: `/users/{user_id}/credentials_api3[/{credentials_api3_id}]`.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{Context, Output, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::single::UserId;

/// Removes the `can` permission maps, null values and any `client_secret`, at every depth.
pub fn tidied(mut v: Value) -> Value {
    fn tidy(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|k, v| k != "can" && k != "client_secret" && !v.is_null());
                map.values_mut().for_each(tidy);
            }
            Value::Array(items) => items.iter_mut().for_each(tidy),
            _ => {}
        }
    }
    tidy(&mut v);
    v
}

/// `GET /users/{user_id}/credentials_api3`.
pub fn list(a: UserId, _ctx: &Context) -> Result<Value, ToolError> {
    let list: Value = Request::get(path!("/users/{}/credentials_api3", a.user_id))
        .send()?
        .json()?;
    let credentials: Vec<Value> = list
        .as_array()
        .into_iter()
        .flatten()
        .cloned()
        .map(tidied)
        .collect();
    Ok(json!({
        "user_id": a.user_id,
        "count": credentials.len(),
        "credentials": credentials,
    }))
}

/// `POST /users/{user_id}/credentials_api3` (no body). The answer carries the new secret
/// exactly once: as text only, without a structured copy, and nothing here logs it.
pub fn create(a: UserId, _ctx: &Context) -> Result<Output, ToolError> {
    let created: Value = Request::post(path!("/users/{}/credentials_api3", a.user_id))
        .send()?
        .json()?;
    let secret = created
        .get("client_secret")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            ToolError::internal(
                "Looker created the API key but did not return its client_secret; delete it and \
                 try again",
            )
        })?;
    let mut out = tidied(created);
    out["user_id"] = json!(a.user_id);
    out["client_secret"] = json!(secret);
    out["note"] = json!(
        "Store client_secret now: Looker never shows it again. Delete the old key with \
         delete_credentials_api3 once clients use this one."
    );
    Ok(Output::text(out.to_string()))
}

#[derive(Deserialize)]
pub struct Api3Id {
    user_id: String,
    credentials_api3_id: String,
}

/// `GET /users/{user_id}/credentials_api3/{credentials_api3_id}`.
pub fn get(a: Api3Id, _ctx: &Context) -> Result<Value, ToolError> {
    let creds: Value = Request::get(path!(
        "/users/{}/credentials_api3/{}",
        a.user_id,
        a.credentials_api3_id
    ))
    .send()?
    .json()?;
    Ok(tidied(creds))
}

#[derive(Deserialize)]
pub struct Update {
    user_id: String,
    credentials_api3_id: String,
    #[serde(default)]
    purpose: Option<String>,
}

/// `PATCH /users/{user_id}/credentials_api3/{credentials_api3_id}` with `{purpose}`.
pub fn update(a: Update, _ctx: &Context) -> Result<Value, ToolError> {
    let Some(purpose) = a.purpose else {
        return Err(ToolError::invalid_arguments(
            "no fields to update: pass `purpose` (the only writable field of an API key)",
        ));
    };
    let creds: Value = Request::patch(path!(
        "/users/{}/credentials_api3/{}",
        a.user_id,
        a.credentials_api3_id
    ))
    .body(&json!({ "purpose": purpose }))
    .send()?
    .json()?;
    let mut out = tidied(creds);
    out["updated"] = json!(true);
    Ok(out)
}

/// `DELETE /users/{user_id}/credentials_api3/{credentials_api3_id}`.
pub fn delete(a: Api3Id, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!(
        "/users/{}/credentials_api3/{}",
        a.user_id,
        a.credentials_api3_id
    ))
    .send()?;
    Ok(json!({
        "deleted": true,
        "user_id": a.user_id,
        "credentials_api3_id": a.credentials_api3_id,
    }))
}

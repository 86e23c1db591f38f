//! API3 key pairs: `/users/{user_id}/credentials_api3[/{credentials_api3_id}]`.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::redact;
use looker_mcp_plugin_sdk::{Context, Output, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::single::UserId;

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "list_credentials_api3",
            "List a user's API keys",
            "Lists a user's API3 key pairs: id, client id, purpose, creation time and \
            disabled flag (never the secrets). Use it to audit keys or find the id to \
            rotate or revoke. Returns `{user_id, count, credentials}`.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(list),
        Tool::creator(
            "create_credentials_api3",
            "Create an API key for a user",
            "Creates a new API3 key pair (client id + client secret) that logs in as the \
            user, e.g. to rotate a key: create the new one, switch the client over, then \
            `delete_credentials_api3` the old one. The `client_secret` is in this answer \
            only, once: store it now, it cannot be read again and is never logged.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(create),
        Tool::reader(
            "get_credentials_api3",
            "Get one API key",
            "Returns one of a user's API3 key pairs: id, client id, purpose, creation time \
            and disabled flag. The client secret is never shown after creation.",
        )
        .schema(
            schema::object()
                .required("user_id", Ty::Str, "Looker user id that owns the key.")
                .required(
                    "credentials_api3_id",
                    Ty::Str,
                    "The key's id (from `list_credentials_api3`), not its client id.",
                ),
        )
        .handler(get),
        Tool::overwriter(
            "update_credentials_api3",
            "Label an API key",
            "Sets the purpose label of a user's API3 key pair (what it is used for), so \
            key lists say which system holds which key. The key itself does not change.",
        )
        .schema(
            schema::object()
                .required("user_id", Ty::Str, "Looker user id that owns the key.")
                .required(
                    "credentials_api3_id",
                    Ty::Str,
                    "The key's id (from `list_credentials_api3`).",
                )
                .optional(
                    "purpose",
                    Ty::Str,
                    "What the key is for, e.g. `dbt docs sync` (shown in key lists).",
                ),
        )
        .handler(update),
        Tool::deleter(
            "delete_credentials_api3",
            "Revoke an API key",
            "Revokes one of a user's API3 key pairs for good: anything logging in with \
            that client id stops working. Create a replacement first when rotating. \
            Returns `{deleted: true}`.",
        )
        .schema(
            schema::object()
                .required("user_id", Ty::Str, "Looker user id that owns the key.")
                .required(
                    "credentials_api3_id",
                    Ty::Str,
                    "The key's id (from `list_credentials_api3`), not its client id.",
                ),
        )
        .handler(delete),
    ]
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
        .map(redact)
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
    let mut out = redact(created);
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
    Ok(redact(creds))
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
    let mut out = redact(creds);
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

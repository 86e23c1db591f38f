//! Looks: search, create (query first, then the look), update, delete.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{Context, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::query::QueryArgs;
use crate::{SearchArgs, changes, nonempty};

/// What `list_looks` asks Looker for.
const LOOK_FIELDS: &[&str] = &[
    "id",
    "title",
    "description",
    "folder_id",
    "folder(name)",
    "model(id)",
    "view_count",
    "last_viewed_at",
    "certification_metadata",
];

/// `GET /looks/search` → `{"looks": [...], "count", "more_available"}`.
pub fn list_looks(args: SearchArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let limit = args.limit()?;
    let found: Value = Request::get("/looks/search")
        .query_opt("title", nonempty(&args.title))
        .query_opt("folder_id", nonempty(&args.folder_id))
        .query("limit", limit)
        .query("sorts", "title")
        .fields(LOOK_FIELDS)
        .send()?
        .json()?;
    let looks: Vec<Value> = found
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            json!({
                "id": l["id"],
                "title": l["title"],
                "description": l["description"],
                "folder_id": l["folder_id"],
                "folder": l["folder"]["name"],
                "model": l["model"]["id"],
                "view_count": l["view_count"],
                "last_viewed_at": l["last_viewed_at"],
                "certification": crate::certification(&l["certification_metadata"]),
            })
        })
        .collect();
    let count = looks.len();
    Ok(json!({"looks": looks, "count": count, "more_available": count as i64 == limit}))
}

/// `create_look` arguments: the look's own plus a query's.
#[derive(Deserialize)]
pub struct CreateLookArgs {
    title: String,
    folder_id: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(flatten)]
    query: QueryArgs,
}

/// `POST /queries`, then `POST /looks` with the new `query_id` (Looker's `POST /looks` takes a
/// query id, not an inline query).
pub fn create_look(args: CreateLookArgs, _ctx: &Context) -> Result<Value, ToolError> {
    if args.title.trim().is_empty() {
        return Err(ToolError::invalid_arguments("`title` must not be empty"));
    }
    let query_id = args.query.create()?;
    let mut body = json!({"title": args.title, "folder_id": args.folder_id, "query_id": query_id});
    if let Some(d) = nonempty(&args.description) {
        body["description"] = d.into();
    }
    let look: Value = Request::post("/looks")
        .fields(&["id", "title", "folder_id", "short_url", "url"])
        .body(&body)
        .send()?
        .json()?;
    Ok(json!({
        "id": look["id"],
        "title": look["title"],
        "folder_id": look["folder_id"],
        "url": look["url"].as_str().or(look["short_url"].as_str()),
        "query_id": query_id,
    }))
}

/// `update_look` arguments.
#[derive(Deserialize)]
pub struct UpdateLookArgs {
    look_id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    folder_id: Option<String>,
}

/// `PATCH /looks/{id}` with only the given changes.
pub fn update_look(args: UpdateLookArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let body = changes(&args.title, &args.description, &args.folder_id)?;
    let look: Value = Request::patch(path!("/looks/{}", args.look_id))
        .fields(&["id", "title", "description", "folder_id"])
        .body(&body)
        .send()?
        .json()?;
    Ok(json!({
        "id": look["id"],
        "title": look["title"],
        "description": look["description"],
        "folder_id": look["folder_id"],
        "changed": body.as_object().map(|b| b.keys().cloned().collect::<Vec<_>>()),
    }))
}

/// `delete_look` arguments.
#[derive(Deserialize)]
pub struct LookId {
    look_id: String,
}

/// `DELETE /looks/{id}`.
pub fn delete_look(args: LookId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/looks/{}", args.look_id)).send()?;
    Ok(json!({"deleted": true, "look_id": args.look_id}))
}

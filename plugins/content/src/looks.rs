//! Looks: search, create (query first, then the look), update, delete.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::query::QueryArgs;
use crate::{SearchArgs, changes, changes_args, nonempty, search_args};

/// The Look tools, declared beside their handlers.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader("list_looks", "Search saved Looks", LIST_LOOKS)
            .schema(search_args())
            .handler(list_looks),
        Tool::creator("create_look", "Save a query as a Look", CREATE_LOOK)
            .schema(
                schema::object()
                    .required(
                        "title",
                        Ty::Str,
                        "Title of the new Look, unique in its folder, e.g. `Weekly revenue by \
                         region`.",
                    )
                    .extend(QueryArgs::schema())
                    .required(
                        "folder_id",
                        Ty::Str,
                        "Folder to save the Look in (a folder id, e.g. `6`).",
                    )
                    .optional("description", Ty::Str, "Description shown with the Look."),
            )
            .handler(create_look),
        Tool::overwriter(
            "update_look",
            "Rename, describe or move a Look",
            UPDATE_LOOK,
        )
        .schema(
            schema::object()
                .required(
                    "look_id",
                    Ty::Str,
                    "Id of the Look, e.g. `42` (from `list_looks`).",
                )
                .extend(changes_args("Look")),
        )
        .handler(update_look),
        Tool::deleter("delete_look", "Delete a Look", DELETE_LOOK)
            .schema(schema::object().required(
                "look_id",
                Ty::Str,
                "Id of the Look to delete, e.g. `42`.",
            ))
            .handler(delete_look),
    ]
}

const LIST_LOOKS: &str = "\
Searches saved Looks by title and/or folder and returns each one's id, title, description, \
folder, model, view count and last view, sorted by title. Use it to find a Look to run \
(`run_look`), change or delete. It does not return the Look's data, and does not cover \
dashboards (`list_dashboards`). Example: {\"title\": \"%revenue%\", \"limit\": 20}.";

const CREATE_LOOK: &str = "\
Saves a query as a new Look in a folder (it creates the query, then the Look) and returns the \
Look's id, title, URL and query id. Use it when someone wants a query kept as a saved report; \
pivots, totals, visualization settings and a timezone are supported. To just get data, use \
`query` instead. Example: {\"title\": \"Orders by status\", \"model\": \"ecommerce\", \"view\": \
\"orders\", \"fields\": [\"orders.status\", \"orders.count\"], \"folder_id\": \"6\", \"sorts\": \
[\"orders.count desc\"], \"vis_config\": {\"type\": \"looker_bar\"}}.";

const UPDATE_LOOK: &str = "\
Renames, re-describes or moves a saved Look and returns its id, title, description and folder. \
Only the arguments you give change; at least one is needed. It cannot change the Look's query: \
save a new Look with `create_look` for that.";

const DELETE_LOOK: &str = "\
Deletes a saved Look. Use it only when someone asked for that Look to be removed; tiles and \
schedules built on it stop working. To rename or move it instead, use `update_look`.";

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

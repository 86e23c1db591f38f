//! The folder tools: search, read, create, rename/move and delete folders, walk the tree, and
//! list the looks and dashboards a folder holds.

use looker_mcp_plugin_sdk::args::{default, non_blank};
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::{clean, contains, items, pick};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The folder tools, declared beside their handlers.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    let folder_id = || {
        schema::object().required(
            "folder_id",
            Ty::Str.min_len(1),
            "Folder id, e.g. `6` (from `list_folders`).",
        )
    };
    [
        Tool::reader("list_folders", "Search folders", LIST_FOLDERS)
            .schema(
                schema::object()
                    .optional(
                        "name",
                        Ty::Str,
                        "Only folders whose name contains this text (case-insensitive; `%` and \
                         `_` work as wildcards).",
                    )
                    .optional(
                        "parent_id",
                        Ty::Str,
                        "Only direct subfolders of this folder id.",
                    )
                    .with_default(
                        "limit",
                        Ty::Int.min(1),
                        LIST_LIMIT,
                        "Most folders to return.",
                    ),
            )
            .handler(list_folders),
        Tool::reader("get_folder", "Get a folder and its content", GET_FOLDER)
            .schema(folder_id())
            .handler(get_folder),
        Tool::creator("create_folder", "Create a folder", CREATE_FOLDER)
            .schema(
                schema::object()
                    .required(
                        "name",
                        Ty::Str.min_len(1),
                        "Name of the new folder; unique among its siblings.",
                    )
                    .required(
                        "parent_id",
                        Ty::Str.min_len(1),
                        "Id of the folder to create it in, e.g. `1` for the Shared folder.",
                    ),
            )
            .handler(create_folder),
        Tool::overwriter("update_folder", "Rename or move a folder", UPDATE_FOLDER)
            .schema(
                schema::object()
                    .required(
                        "folder_id",
                        Ty::Str.min_len(1),
                        "Id of the folder to change.",
                    )
                    .optional("name", Ty::Str.min_len(1), "New name.")
                    .optional(
                        "parent_id",
                        Ty::Str.min_len(1),
                        "Id of the folder to move it into.",
                    ),
            )
            .handler(update_folder),
        Tool::deleter("delete_folder", "Delete a folder", DELETE_FOLDER)
            .schema(folder_id())
            .handler(delete_folder),
        Tool::reader(
            "get_folder_children",
            "List a folder's subfolders",
            GET_FOLDER_CHILDREN,
        )
        .schema(
            schema::object()
                .required("folder_id", Ty::Str.min_len(1), "Id of the parent folder.")
                .with_default(
                    "limit",
                    Ty::Int.min(1),
                    LIST_LIMIT,
                    "Most subfolders to return.",
                ),
        )
        .handler(get_folder_children),
        Tool::reader(
            "get_folder_ancestors",
            "Get a folder's ancestors",
            GET_FOLDER_ANCESTORS,
        )
        .schema(folder_id())
        .handler(get_folder_ancestors),
        Tool::reader(
            "get_folder_looks",
            "List the looks in a folder",
            GET_FOLDER_LOOKS,
        )
        .schema(folder_id())
        .handler(get_folder_looks),
        Tool::reader(
            "get_folder_dashboards",
            "List the dashboards in a folder",
            GET_FOLDER_DASHBOARDS,
        )
        .schema(folder_id())
        .handler(get_folder_dashboards),
    ]
}

const LIST_FOLDERS: &str = "\
Searches Looker folders by name and/or parent folder and returns each match's id, name, parent \
id, number of subfolders, creator and kind (personal, shared root, users root), sorted by name. \
With no arguments it lists folders up to `limit`. Use it to find the folder id other tools need, \
e.g. `{\"name\": \"sales\"}` or `{\"parent_id\": \"1\"}` for the top of the Shared folder. \
`limit_reached: true` means there may be more: narrow the search or raise `limit`.";

const GET_FOLDER: &str = "\
Returns one folder: id, name, parent id, number of subfolders, creator, kind (personal, shared \
root, users root), and the looks and dashboards it directly holds (id, title, description, \
owner, last update, views), with their counts. Use `get_folder_children` for its subfolders.";

const CREATE_FOLDER: &str = "\
Creates a folder named `name` inside the folder `parent_id` and returns it (id, name, parent \
id). The name must be unique among the parent's subfolders. Example: `{\"name\": \"Q3 reviews\", \
\"parent_id\": \"1\"}` creates it at the top of the Shared folder.";

const UPDATE_FOLDER: &str = "\
Renames a folder (`name`) and/or moves it, with everything in it, under another folder \
(`parent_id`); give at least one of them. Returns the folder as it is now. Root and personal \
folders cannot be renamed or moved, and a folder cannot move into one of its own subfolders.";

const DELETE_FOLDER: &str = "\
Deletes a folder together with all its subfolders and every look and dashboard inside them \
(Looker keeps deleted content in its trash, where an admin can restore it). Check what it holds \
with `get_folder` and `get_folder_children` first. Root and personal folders cannot be deleted.";

const GET_FOLDER_CHILDREN: &str = "\
Lists a folder's direct subfolders (id, name, parent id, number of subfolders, kind), sorted by \
name. Use it to browse the folder tree one level at a time, starting e.g. from the Shared \
folder. `limit_reached: true` means there may be more: raise `limit`.";

const GET_FOLDER_ANCESTORS: &str = "\
Returns the chain of folders above a folder, from the root down to its parent (id, name, parent \
id each), and the same as a readable `path` such as `Shared / Sales`. Use it to tell where a \
folder, or content in it, lives.";

const GET_FOLDER_LOOKS: &str = "\
Lists the looks saved directly in a folder: id, title, description, query id, owner id, whether \
it is public, last update and view count. Run one with the query tools (`run_look`).";

const GET_FOLDER_DASHBOARDS: &str = "\
Lists the dashboards saved directly in a folder: id, title, description, owner id, whether it is \
hidden, last update and view count.";

/// Most folders (or subfolders) a listing returns unless told otherwise.
const LIST_LIMIT: u32 = 50;

/// What the folder tools show of a folder.
const FOLDER: [&str; 10] = [
    "id",
    "name",
    "parent_id",
    "child_count",
    "creator_id",
    "is_personal",
    "is_personal_descendant",
    "is_shared_root",
    "is_users_root",
    "created_at",
];

/// What `get_folder_looks` (and `get_folder`) show of a look.
const LOOK: [&str; 8] = [
    "id",
    "title",
    "description",
    "query_id",
    "user_id",
    "public",
    "updated_at",
    "view_count",
];

/// What `get_folder_dashboards` (and `get_folder`) show of a dashboard.
const DASHBOARD: [&str; 7] = [
    "id",
    "title",
    "description",
    "user_id",
    "hidden",
    "updated_at",
    "view_count",
];

/// Arguments of `list_folders`.
#[derive(Debug, Deserialize)]
pub struct ListFolders {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default = "default::count::<LIST_LIMIT>")]
    limit: u32,
}

/// Arguments of the tools that take only a folder id.
#[derive(Debug, Deserialize)]
pub struct FolderId {
    folder_id: String,
}

/// Arguments of `get_folder_children`.
#[derive(Debug, Deserialize)]
pub struct Children {
    folder_id: String,
    #[serde(default = "default::count::<LIST_LIMIT>")]
    limit: u32,
}

/// Arguments of `create_folder`.
#[derive(Debug, Deserialize)]
pub struct CreateFolder {
    name: String,
    parent_id: String,
}

/// Arguments of `update_folder`.
#[derive(Debug, Deserialize)]
pub struct UpdateFolder {
    folder_id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    parent_id: Option<String>,
}

/// The compact folders of a list answer.
fn folders(found: &Value) -> Vec<Value> {
    items(found).map(|f| pick(f, &FOLDER)).collect()
}

/// `{key: [...]}` plus `limit_reached` when the page is full (there may be more).
fn page(key: &str, list: Vec<Value>, limit: u32) -> Value {
    let full = list.len() as u64 >= u64::from(limit);
    let mut out = Value::Object(Map::from_iter([(key.to_owned(), Value::from(list))]));
    if full {
        out["limit_reached"] = true.into();
    }
    out
}

/// `GET /folders/search` → `{"folders": [...]}`.
pub fn list_folders(args: ListFolders, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get("/folders/search")
        .fields(&FOLDER)
        .query_opt("name", args.name.as_deref().map(contains))
        .query_opt("parent_id", args.parent_id.as_deref())
        .query("sorts", "name")
        .query("limit", args.limit)
        .send()?
        .json()?;
    Ok(page("folders", folders(&found), args.limit))
}

/// `GET /folders/{folder_id}` → the folder with its looks and dashboards.
pub fn get_folder(args: FolderId, _ctx: &Context) -> Result<Value, ToolError> {
    let looks = format!("looks({})", LOOK.join(","));
    let dashboards = format!("dashboards({})", DASHBOARD.join(","));
    let mut fields: Vec<&str> = FOLDER.to_vec();
    fields.extend(["content_metadata_id", &looks, &dashboards]);
    let found: Value = Request::get(path!("/folders/{}", args.folder_id))
        .fields(&fields)
        .send()?
        .json()?;
    let mut out = pick(&found, &fields[..FOLDER.len() + 1]);
    let looks: Vec<Value> = items(&found["looks"]).map(|l| pick(l, &LOOK)).collect();
    let dashboards: Vec<Value> = items(&found["dashboards"])
        .map(|d| pick(d, &DASHBOARD))
        .collect();
    out["look_count"] = looks.len().into();
    out["dashboard_count"] = dashboards.len().into();
    out["looks"] = looks.into();
    out["dashboards"] = dashboards.into();
    Ok(out)
}

/// `POST /folders` → the new folder.
pub fn create_folder(args: CreateFolder, _ctx: &Context) -> Result<Value, ToolError> {
    let name = non_blank("name", &args.name)?.trim();
    let created: Value = Request::post("/folders")
        .body(&json!({"name": name, "parent_id": args.parent_id}))
        .send()?
        .json()?;
    Ok(pick(&created, &FOLDER))
}

/// `PATCH /folders/{folder_id}` → the folder as it is now.
pub fn update_folder(args: UpdateFolder, _ctx: &Context) -> Result<Value, ToolError> {
    let mut body = Map::new();
    if let Some(name) = &args.name {
        body.insert("name".into(), non_blank("name", name)?.trim().into());
    }
    if let Some(parent) = args.parent_id {
        if parent == args.folder_id {
            return Err(ToolError::invalid_arguments(
                "`parent_id`: a folder cannot be its own parent",
            ));
        }
        body.insert("parent_id".into(), parent.into());
    }
    if body.is_empty() {
        return Err(ToolError::invalid_arguments(
            "nothing to change: give a new `name`, a new `parent_id`, or both",
        ));
    }
    let updated: Value = Request::patch(path!("/folders/{}", args.folder_id))
        .body(&body)
        .send()?
        .json()?;
    Ok(pick(&updated, &FOLDER))
}

/// `DELETE /folders/{folder_id}`.
pub fn delete_folder(args: FolderId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/folders/{}", args.folder_id)).send()?;
    Ok(json!({"deleted": true, "folder_id": args.folder_id}))
}

/// `GET /folders/{folder_id}/children` → `{"folder_id", "children": [...]}`.
pub fn get_folder_children(args: Children, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get(path!("/folders/{}/children", args.folder_id))
        .fields(&FOLDER)
        .query("sorts", "name")
        .query("limit", args.limit)
        .send()?
        .json()?;
    let mut out = page("children", folders(&found), args.limit);
    out["folder_id"] = args.folder_id.into();
    Ok(out)
}

/// `GET /folders/{folder_id}/ancestors` → `{"folder_id", "ancestors": [root, ..., parent]}`.
pub fn get_folder_ancestors(args: FolderId, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get(path!("/folders/{}/ancestors", args.folder_id))
        .fields(&["id", "name", "parent_id"])
        .send()?
        .json()?;
    let ancestors: Vec<Value> = items(&found)
        .map(|a| pick(a, &["id", "name", "parent_id"]))
        .collect();
    let path: Vec<&str> = ancestors
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    Ok(json!({"folder_id": args.folder_id, "path": path.join(" / "), "ancestors": ancestors}))
}

/// `GET /folders/{folder_id}/looks` → `{"folder_id", "looks": [...]}`.
pub fn get_folder_looks(args: FolderId, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get(path!("/folders/{}/looks", args.folder_id))
        .fields(&LOOK)
        .send()?
        .json()?;
    let looks: Vec<Value> = items(&found).map(clean).collect();
    Ok(json!({"folder_id": args.folder_id, "looks": looks}))
}

/// `GET /folders/{folder_id}/dashboards` → `{"folder_id", "dashboards": [...]}`.
pub fn get_folder_dashboards(args: FolderId, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get(path!("/folders/{}/dashboards", args.folder_id))
        .fields(&DASHBOARD)
        .send()?
        .json()?;
    let dashboards: Vec<Value> = items(&found).map(clean).collect();
    Ok(json!({"folder_id": args.folder_id, "dashboards": dashboards}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::{Method, Response};
    use looker_mcp_plugin_sdk::testing::mock_looker;

    #[test]
    fn list_folders_searches_by_part_of_the_name() {
        let seen = mock_looker(|_| {
            Ok(Response::json_ok(&json!([
                {"id": "6", "name": "Sales", "parent_id": "1", "child_count": 0, "can": {"show": true}, "external_id": null}
            ])))
        });
        let args = ListFolders {
            name: Some("sal".into()),
            parent_id: Some("1".into()),
            limit: 1,
        };
        let out = list_folders(args, &Context::default()).unwrap();
        assert_eq!(
            out,
            json!({"folders": [{"id": "6", "name": "Sales", "parent_id": "1", "child_count": 0}], "limit_reached": true})
        );
        let req = &seen.requests()[0];
        assert_eq!(req.path().as_str(), "/folders/search");
        assert_eq!(req.query_value("name"), Some("%sal%"));
        assert_eq!(req.query_value("parent_id"), Some("1"));
        assert_eq!(req.query_value("limit"), Some("1"));
    }

    #[test]
    fn update_needs_something_to_change() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({}))));
        let none = UpdateFolder {
            folder_id: "9".into(),
            name: None,
            parent_id: None,
        };
        let err = update_folder(none, &Context::default()).unwrap_err();
        assert!(matches!(err, ToolError::InvalidArguments(_)), "{err}");
        let own = UpdateFolder {
            folder_id: "9".into(),
            name: None,
            parent_id: Some("9".into()),
        };
        assert!(update_folder(own, &Context::default()).is_err());
        assert!(seen.requests().is_empty());

        let rename = UpdateFolder {
            folder_id: "9 x".into(),
            name: Some(" Q3 ".into()),
            parent_id: None,
        };
        update_folder(rename, &Context::default()).unwrap();
        let req = &seen.requests()[0];
        assert_eq!(req.method(), Method::Patch);
        assert_eq!(req.path().as_str(), "/folders/9%20x");
        assert_eq!(req.body_json_text(), Some(r#"{"name":"Q3"}"#));
    }

    #[test]
    fn get_folder_counts_content() {
        mock_looker(|_| {
            Ok(Response::json_ok(&json!({
                "id": "6", "name": "Sales", "parent_id": "1",
                "looks": [{"id": "1", "title": "Orders", "query_id": "1"}],
                "dashboards": []
            })))
        });
        let out = get_folder(
            FolderId {
                folder_id: "6".into(),
            },
            &Context::default(),
        )
        .unwrap();
        assert_eq!(out["look_count"], 1);
        assert_eq!(out["dashboard_count"], 0);
        assert_eq!(out["looks"][0]["title"], "Orders");
    }
}

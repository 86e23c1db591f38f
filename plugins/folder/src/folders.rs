//! The folder tools: search, read, create, rename/move and delete folders, walk the tree, and
//! list the looks and dashboards a folder holds.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{Context, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use looker_mcp_plugin_sdk::shape::{clean, contains, items, pick};

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
    #[serde(default = "default_limit")]
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
    #[serde(default = "default_limit")]
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

fn default_limit() -> u32 {
    50
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
    let name = non_blank("name", &args.name)?;
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
        body.insert("name".into(), non_blank("name", name)?.into());
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

/// `value` trimmed, or an invalid-arguments error naming `arg` when it is blank.
fn non_blank<'a>(arg: &str, value: &'a str) -> Result<&'a str, ToolError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ToolError::invalid_arguments(format!(
            "`{arg}` must not be blank"
        )));
    }
    Ok(trimmed)
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

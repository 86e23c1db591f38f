//! Boards, board sections and board items: Looker's curated collections of dashboards, looks
//! and links. A board holds sections; a section holds items.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{Context, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use looker_mcp_plugin_sdk::shape::{clean, contains, items, pick};

/// What `list_boards` shows of a board.
const BOARD_SUMMARY: [&str; 7] = [
    "id",
    "title",
    "description",
    "user_id",
    "created_at",
    "updated_at",
    "section_order",
];

/// What the section tools show of a section they wrote.
const SECTION: [&str; 6] = [
    "id",
    "board_id",
    "title",
    "description",
    "item_order",
    "updated_at",
];

/// What the item tools show of an item they wrote.
const ITEM: [&str; 10] = [
    "id",
    "board_section_id",
    "title",
    "description",
    "dashboard_id",
    "look_id",
    "lookml_dashboard_id",
    "url",
    "location",
    "order",
];

fn default_limit() -> u32 {
    50
}

/// Arguments of `list_boards`.
#[derive(Debug, Deserialize)]
pub struct ListBoards {
    #[serde(default)]
    title: Option<String>,
    #[serde(default = "default_limit")]
    limit: u32,
}

/// Arguments of the tools that take only a board id.
#[derive(Debug, Deserialize)]
pub struct BoardId {
    board_id: String,
}

/// Arguments of `create_board`.
#[derive(Debug, Deserialize)]
pub struct CreateBoard {
    title: String,
    #[serde(default)]
    description: Option<String>,
}

/// Arguments of `update_board`.
#[derive(Debug, Deserialize)]
pub struct UpdateBoard {
    board_id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// Arguments of the tools that take only a section id.
#[derive(Debug, Deserialize)]
pub struct SectionId {
    board_section_id: String,
}

/// Arguments of `create_board_section`.
#[derive(Debug, Deserialize)]
pub struct CreateSection {
    board_id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// Arguments of `update_board_section`.
#[derive(Debug, Deserialize)]
pub struct UpdateSection {
    board_section_id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// Arguments of the tools that take only an item id.
#[derive(Debug, Deserialize)]
pub struct ItemId {
    board_item_id: String,
}

/// Arguments of `create_board_item`.
#[derive(Debug, Deserialize)]
pub struct CreateItem {
    board_section_id: String,
    #[serde(default)]
    dashboard_id: Option<String>,
    #[serde(default)]
    look_id: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// Arguments of `update_board_item`.
#[derive(Debug, Deserialize)]
pub struct UpdateItem {
    board_item_id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    board_section_id: Option<String>,
}

/// Adds `title`/`description` to a board or section body.
fn titled(body: &mut Map<String, Value>, title: Option<String>, description: Option<String>) {
    if let Some(title) = title {
        body.insert("title".into(), title.into());
    }
    if let Some(description) = description {
        body.insert("description".into(), description.into());
    }
}

/// Adds an item's custom title/description: Looker shows them instead of the content's own only
/// when the matching `use_custom_*` flag is set (`title`/`description` are read-only there).
fn custom_text(body: &mut Map<String, Value>, title: Option<String>, description: Option<String>) {
    if let Some(title) = title {
        body.insert("custom_title".into(), title.into());
        body.insert("use_custom_title".into(), true.into());
    }
    if let Some(description) = description {
        body.insert("custom_description".into(), description.into());
        body.insert("use_custom_description".into(), true.into());
    }
}

fn nothing_to_change(what: &str) -> ToolError {
    ToolError::invalid_arguments(format!("nothing to change: give at least one of {what}"))
}

// ── Boards ──────────────────────────────────────────────────────────────────────────────────

/// `GET /boards/search` → `{"boards": [...]}`.
pub fn list_boards(args: ListBoards, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get("/boards/search")
        .fields(&BOARD_SUMMARY)
        .query_opt("title", args.title.as_deref().map(contains))
        .query("sorts", "title")
        .query("limit", args.limit)
        .send()?
        .json()?;
    let boards: Vec<Value> = items(&found).map(|b| pick(b, &BOARD_SUMMARY)).collect();
    let full = boards.len() as u64 >= u64::from(args.limit);
    let mut out = json!({ "boards": boards });
    if full {
        out["limit_reached"] = true.into();
    }
    Ok(out)
}

/// `GET /boards/{board_id}` → the board with its sections and their items.
pub fn get_board(args: BoardId, _ctx: &Context) -> Result<Value, ToolError> {
    let board: Value = Request::get(path!("/boards/{}", args.board_id))
        .send()?
        .json()?;
    Ok(clean(&board))
}

/// `POST /boards` → the new board.
pub fn create_board(args: CreateBoard, _ctx: &Context) -> Result<Value, ToolError> {
    let mut body = Map::new();
    titled(&mut body, Some(args.title), args.description);
    let board: Value = Request::post("/boards").body(&body).send()?.json()?;
    Ok(pick(&board, &BOARD_SUMMARY))
}

/// `PATCH /boards/{board_id}` → the board as it is now.
pub fn update_board(args: UpdateBoard, _ctx: &Context) -> Result<Value, ToolError> {
    let mut body = Map::new();
    titled(&mut body, args.title, args.description);
    if body.is_empty() {
        return Err(nothing_to_change("`title` and `description`"));
    }
    let board: Value = Request::patch(path!("/boards/{}", args.board_id))
        .body(&body)
        .send()?
        .json()?;
    Ok(pick(&board, &BOARD_SUMMARY))
}

/// `DELETE /boards/{board_id}`.
pub fn delete_board(args: BoardId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/boards/{}", args.board_id)).send()?;
    Ok(json!({"deleted": true, "board_id": args.board_id}))
}

// ── Sections ────────────────────────────────────────────────────────────────────────────────

/// `GET /board_sections/{board_section_id}` → the section with its items.
pub fn get_board_section(args: SectionId, _ctx: &Context) -> Result<Value, ToolError> {
    let section: Value = Request::get(path!("/board_sections/{}", args.board_section_id))
        .send()?
        .json()?;
    Ok(clean(&section))
}

/// `POST /board_sections` → the new section.
pub fn create_board_section(args: CreateSection, _ctx: &Context) -> Result<Value, ToolError> {
    let mut body = Map::new();
    body.insert("board_id".into(), args.board_id.into());
    titled(&mut body, args.title, args.description);
    let section: Value = Request::post("/board_sections")
        .body(&body)
        .send()?
        .json()?;
    Ok(pick(&section, &SECTION))
}

/// `PATCH /board_sections/{board_section_id}` → the section as it is now.
pub fn update_board_section(args: UpdateSection, _ctx: &Context) -> Result<Value, ToolError> {
    let mut body = Map::new();
    titled(&mut body, args.title, args.description);
    if body.is_empty() {
        return Err(nothing_to_change("`title` and `description`"));
    }
    let section: Value = Request::patch(path!("/board_sections/{}", args.board_section_id))
        .body(&body)
        .send()?
        .json()?;
    Ok(pick(&section, &SECTION))
}

/// `DELETE /board_sections/{board_section_id}`.
pub fn delete_board_section(args: SectionId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/board_sections/{}", args.board_section_id)).send()?;
    Ok(json!({"deleted": true, "board_section_id": args.board_section_id}))
}

// ── Items ───────────────────────────────────────────────────────────────────────────────────

/// `GET /board_items/{board_item_id}` → the item.
pub fn get_board_item(args: ItemId, _ctx: &Context) -> Result<Value, ToolError> {
    let item: Value = Request::get(path!("/board_items/{}", args.board_item_id))
        .send()?
        .json()?;
    Ok(clean(&item))
}

/// `POST /board_items` → the new item. Exactly one of dashboard, look or URL.
pub fn create_board_item(args: CreateItem, _ctx: &Context) -> Result<Value, ToolError> {
    let mut body = Map::new();
    body.insert("board_section_id".into(), args.board_section_id.into());
    match (args.dashboard_id, args.look_id, args.url) {
        (Some(dashboard), None, None) => {
            body.insert("dashboard_id".into(), dashboard.into());
        }
        (None, Some(look), None) => {
            body.insert("look_id".into(), look.into());
        }
        (None, None, Some(url)) => {
            body.insert("custom_url".into(), url.into());
            body.insert("use_custom_url".into(), true.into());
        }
        _ => {
            return Err(ToolError::invalid_arguments(
                "give exactly one of `dashboard_id`, `look_id` or `url`",
            ));
        }
    }
    custom_text(&mut body, args.title, args.description);
    let item: Value = Request::post("/board_items").body(&body).send()?.json()?;
    Ok(pick(&item, &ITEM))
}

/// `PATCH /board_items/{board_item_id}` → the item as it is now.
pub fn update_board_item(args: UpdateItem, _ctx: &Context) -> Result<Value, ToolError> {
    let mut body = Map::new();
    custom_text(&mut body, args.title, args.description);
    if let Some(section) = args.board_section_id {
        body.insert("board_section_id".into(), section.into());
    }
    if body.is_empty() {
        return Err(nothing_to_change(
            "`title`, `description` and `board_section_id`",
        ));
    }
    let item: Value = Request::patch(path!("/board_items/{}", args.board_item_id))
        .body(&body)
        .send()?
        .json()?;
    Ok(pick(&item, &ITEM))
}

/// `DELETE /board_items/{board_item_id}`.
pub fn delete_board_item(args: ItemId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/board_items/{}", args.board_item_id)).send()?;
    Ok(json!({"deleted": true, "board_item_id": args.board_item_id}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::{Method, Response};
    use looker_mcp_plugin_sdk::testing::mock_looker;

    fn body(seen: &looker_mcp_plugin_sdk::testing::Recorded) -> Value {
        serde_json::from_str(seen.requests()[0].body_json_text().unwrap()).unwrap()
    }

    #[test]
    fn items_use_custom_fields_and_string_ids() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({"id": "5", "can": {}}))));
        let args = CreateItem {
            board_section_id: "2".into(),
            dashboard_id: None,
            look_id: None,
            url: Some("https://example.com/wiki".into()),
            title: Some("Wiki".into()),
            description: Some("Team wiki".into()),
        };
        assert_eq!(
            create_board_item(args, &Context::default()).unwrap(),
            json!({"id": "5"})
        );
        assert_eq!(
            body(&seen),
            json!({"board_section_id": "2", "custom_url": "https://example.com/wiki", "use_custom_url": true,
                   "custom_title": "Wiki", "use_custom_title": true,
                   "custom_description": "Team wiki", "use_custom_description": true})
        );

        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({"id": "6"}))));
        let args = CreateItem {
            board_section_id: "2".into(),
            dashboard_id: Some("1".into()),
            look_id: None,
            url: None,
            title: None,
            description: None,
        };
        create_board_item(args, &Context::default()).unwrap();
        assert_eq!(
            body(&seen),
            json!({"board_section_id": "2", "dashboard_id": "1"})
        );
    }

    #[test]
    fn item_needs_exactly_one_target() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({}))));
        for (d, l, u) in [(None, None, None::<&str>), (Some("1"), Some("2"), None)] {
            let args = CreateItem {
                board_section_id: "2".into(),
                dashboard_id: d.map(String::from),
                look_id: l.map(String::from),
                url: u.map(String::from),
                title: None,
                description: None,
            };
            let err = create_board_item(args, &Context::default()).unwrap_err();
            assert!(matches!(err, ToolError::InvalidArguments(_)), "{err}");
        }
        let none = UpdateItem {
            board_item_id: "1".into(),
            title: None,
            description: None,
            board_section_id: None,
        };
        assert!(update_board_item(none, &Context::default()).is_err());
        assert!(seen.requests().is_empty());
    }

    #[test]
    fn board_updates_send_only_what_changes() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({"id": "1", "title": "New"}))));
        let args = UpdateBoard {
            board_id: "a/b".into(),
            title: Some("New".into()),
            description: None,
        };
        update_board(args, &Context::default()).unwrap();
        let req = &seen.requests()[0];
        assert_eq!(req.method(), Method::Patch);
        assert_eq!(req.path().as_str(), "/boards/a%2Fb");
        assert_eq!(body(&seen), json!({"title": "New"}));
    }
}

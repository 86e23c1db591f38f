//! Boards: Looker's curated collections of dashboards, looks and links. A board holds sections
//! ([`crate::sections`]); a section holds items ([`crate::items`]).

use looker_mcp_plugin_sdk::args::{Body, default};
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::{clean, contains, items, pick};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

/// The board tools, declared beside their handlers.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    let board_id = || {
        schema::object().required(
            "board_id",
            Ty::Str.min_len(1),
            "Board id (from `list_boards`).",
        )
    };
    [
        Tool::reader("list_boards", "Search boards", LIST_BOARDS)
            .schema(
                schema::object()
                    .optional(
                        "title",
                        Ty::Str,
                        "Only boards whose title contains this text (case-insensitive; `%` and \
                         `_` work as wildcards).",
                    )
                    .with_default(
                        "limit",
                        Ty::Int.min(1),
                        LIST_LIMIT,
                        "Most boards to return.",
                    ),
            )
            .handler(list_boards),
        Tool::reader(
            "get_board",
            "Get a board with its sections and items",
            GET_BOARD,
        )
        .schema(board_id())
        .handler(get_board),
        Tool::creator("create_board", "Create a board", CREATE_BOARD)
            .schema(
                schema::object()
                    .required("title", Ty::Str.min_len(1), "Title of the new board.")
                    .optional("description", Ty::Str, "What the board is for."),
            )
            .handler(create_board),
        Tool::overwriter("update_board", "Update a board", UPDATE_BOARD)
            .schema(
                schema::object()
                    .required("board_id", Ty::Str.min_len(1), "Id of the board to change.")
                    .optional("title", Ty::Str.min_len(1), "New title.")
                    .optional("description", Ty::Str, "New description."),
            )
            .handler(update_board),
        Tool::deleter("delete_board", "Delete a board", DELETE_BOARD)
            .schema(board_id())
            .handler(delete_board),
    ]
}

const LIST_BOARDS: &str = "\
Searches Looker boards (curated collections of dashboards, looks and links) and returns each \
match's id, title, description, creator id, creation and update times and section order, sorted \
by title. `title` matches any part of the title, e.g. `{\"title\": \"sales\"}`. \
`limit_reached: true` means there may be more: narrow the search or raise `limit`.";

const GET_BOARD: &str = "\
Returns one board with its full structure: title, description, section order, and each section \
(id, title, description, item order) with its items (id, title, description, the dashboard, \
look or URL it points to, and the folder the content lives in). Use the section and item ids \
with the other board tools.";

const CREATE_BOARD: &str = "\
Creates an empty board with a title and an optional description, and returns it (its `id` \
included). Then add sections with `create_board_section` and content with `create_board_item`.";

const UPDATE_BOARD: &str = "\
Changes a board's title and/or description (give at least one) and returns the board as it is \
now. Sections and items are not touched.";

const DELETE_BOARD: &str = "\
Deletes a board with all its sections and items. The dashboards and looks it pointed at are not \
affected. This cannot be undone.";

/// Most boards `list_boards` returns unless told otherwise.
const LIST_LIMIT: u32 = 50;

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

/// Arguments of `list_boards`.
#[derive(Debug, Deserialize)]
pub struct ListBoards {
    #[serde(default)]
    title: Option<String>,
    #[serde(default = "default::count::<LIST_LIMIT>")]
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

/// A board or section body with the `title`/`description` given.
pub(crate) fn titled(title: Option<String>, description: Option<String>) -> Body {
    Body::new()
        .opt("title", title)
        .opt("description", description)
}

/// The error of an update that would change nothing.
pub(crate) fn nothing_to_change(what: &str) -> ToolError {
    ToolError::invalid_arguments(format!("nothing to change: give at least one of {what}"))
}

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
    let body = titled(Some(args.title), args.description);
    let board: Value = Request::post("/boards")
        .body(&body.into_value())
        .send()?
        .json()?;
    Ok(pick(&board, &BOARD_SUMMARY))
}

/// `PATCH /boards/{board_id}` → the board as it is now.
pub fn update_board(args: UpdateBoard, _ctx: &Context) -> Result<Value, ToolError> {
    let body = titled(args.title, args.description);
    if body.is_empty() {
        return Err(nothing_to_change("`title` and `description`"));
    }
    let board: Value = Request::patch(path!("/boards/{}", args.board_id))
        .body(&body.into_value())
        .send()?
        .json()?;
    Ok(pick(&board, &BOARD_SUMMARY))
}

/// `DELETE /boards/{board_id}`.
pub fn delete_board(args: BoardId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/boards/{}", args.board_id)).send()?;
    Ok(json!({"deleted": true, "board_id": args.board_id}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::{Method, Response};
    use looker_mcp_plugin_sdk::testing::mock_looker;

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
        let body: Value = serde_json::from_str(req.body_json_text().unwrap()).unwrap();
        assert_eq!(body, json!({"title": "New"}));
    }
}

//! Board sections: titled groups of items on a board.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::{clean, pick};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::boards::{nothing_to_change, titled};

/// The section tools, declared beside their handlers.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    let section_id = || {
        schema::object().required(
            "board_section_id",
            Ty::Str.min_len(1),
            "Board section id (from `get_board`).",
        )
    };
    [
        Tool::reader(
            "get_board_section",
            "Get a board section",
            GET_BOARD_SECTION,
        )
        .schema(section_id())
        .handler(get_board_section),
        Tool::creator(
            "create_board_section",
            "Add a section to a board",
            CREATE_BOARD_SECTION,
        )
        .schema(
            schema::object()
                .required(
                    "board_id",
                    Ty::Str.min_len(1),
                    "Id of the board to add the section to.",
                )
                .optional("title", Ty::Str, "Section title.")
                .optional("description", Ty::Str, "What the section holds."),
        )
        .handler(create_board_section),
        Tool::overwriter(
            "update_board_section",
            "Update a board section",
            UPDATE_BOARD_SECTION,
        )
        .schema(
            schema::object()
                .required(
                    "board_section_id",
                    Ty::Str.min_len(1),
                    "Id of the section to change.",
                )
                .optional("title", Ty::Str, "New title.")
                .optional("description", Ty::Str, "New description."),
        )
        .handler(update_board_section),
        Tool::deleter(
            "delete_board_section",
            "Delete a board section",
            DELETE_BOARD_SECTION,
        )
        .schema(section_id())
        .handler(delete_board_section),
    ]
}

const GET_BOARD_SECTION: &str = "\
Returns one board section: id, board id, title, description, item order, and its items (id, \
title, description, the dashboard, look or URL each points to).";

const CREATE_BOARD_SECTION: &str = "\
Adds a section (a titled group of items) to the end of a board and returns it (id, board id, \
title, description). Example: `{\"board_id\": \"1\", \"title\": \"Weekly KPIs\"}`.";

const UPDATE_BOARD_SECTION: &str = "\
Changes a board section's title and/or description (give at least one) and returns the section \
as it is now.";

const DELETE_BOARD_SECTION: &str = "\
Deletes a board section together with all its items. The dashboards and looks they pointed at \
are not affected. This cannot be undone.";

/// What the section tools show of a section they wrote.
const SECTION: [&str; 6] = [
    "id",
    "board_id",
    "title",
    "description",
    "item_order",
    "updated_at",
];

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

/// `GET /board_sections/{board_section_id}` → the section with its items.
pub fn get_board_section(args: SectionId, _ctx: &Context) -> Result<Value, ToolError> {
    let section: Value = Request::get(path!("/board_sections/{}", args.board_section_id))
        .send()?
        .json()?;
    Ok(clean(&section))
}

/// `POST /board_sections` → the new section.
pub fn create_board_section(args: CreateSection, _ctx: &Context) -> Result<Value, ToolError> {
    let body = titled(args.title, args.description).set("board_id", args.board_id);
    let section: Value = Request::post("/board_sections")
        .body(&body.into_value())
        .send()?
        .json()?;
    Ok(pick(&section, &SECTION))
}

/// `PATCH /board_sections/{board_section_id}` → the section as it is now.
pub fn update_board_section(args: UpdateSection, _ctx: &Context) -> Result<Value, ToolError> {
    let body = titled(args.title, args.description);
    if body.is_empty() {
        return Err(nothing_to_change("`title` and `description`"));
    }
    let section: Value = Request::patch(path!("/board_sections/{}", args.board_section_id))
        .body(&body.into_value())
        .send()?
        .json()?;
    Ok(pick(&section, &SECTION))
}

/// `DELETE /board_sections/{board_section_id}`.
pub fn delete_board_section(args: SectionId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/board_sections/{}", args.board_section_id)).send()?;
    Ok(json!({"deleted": true, "board_section_id": args.board_section_id}))
}

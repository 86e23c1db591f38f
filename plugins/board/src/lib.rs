//! The `board` tool group: boards, Looker's curated collections of content. A board holds
//! sections, and each section holds items that point at a dashboard, a look or a URL.

mod boards;

use looker_mcp_plugin_sdk::{Group, Tool, export_group};

export_group!(group);

/// The `board` group's tool table.
pub fn group() -> Group {
    Group::new("board", env!("CARGO_PKG_VERSION"))
        .tool(
            Tool::new("list_boards", "Search boards", LIST_BOARDS)
                .schema(LIST_BOARDS_SCHEMA)
                .read_only()
                .idempotent()
                .handler(boards::list_boards),
        )
        .tool(
            Tool::new(
                "get_board",
                "Get a board with its sections and items",
                GET_BOARD,
            )
            .schema(BOARD_ID_SCHEMA)
            .read_only()
            .idempotent()
            .handler(boards::get_board),
        )
        .tool(
            Tool::new("create_board", "Create a board", CREATE_BOARD)
                .schema(CREATE_BOARD_SCHEMA)
                .non_destructive()
                .handler(boards::create_board),
        )
        .tool(
            Tool::new("update_board", "Update a board", UPDATE_BOARD)
                .schema(UPDATE_BOARD_SCHEMA)
                .idempotent()
                .handler(boards::update_board),
        )
        .tool(
            Tool::new("delete_board", "Delete a board", DELETE_BOARD)
                .schema(BOARD_ID_SCHEMA)
                .idempotent()
                .handler(boards::delete_board),
        )
        .tool(
            Tool::new(
                "get_board_section",
                "Get a board section",
                GET_BOARD_SECTION,
            )
            .schema(SECTION_ID_SCHEMA)
            .read_only()
            .idempotent()
            .handler(boards::get_board_section),
        )
        .tool(
            Tool::new(
                "create_board_section",
                "Add a section to a board",
                CREATE_BOARD_SECTION,
            )
            .schema(CREATE_SECTION_SCHEMA)
            .non_destructive()
            .handler(boards::create_board_section),
        )
        .tool(
            Tool::new(
                "update_board_section",
                "Update a board section",
                UPDATE_BOARD_SECTION,
            )
            .schema(UPDATE_SECTION_SCHEMA)
            .idempotent()
            .handler(boards::update_board_section),
        )
        .tool(
            Tool::new(
                "delete_board_section",
                "Delete a board section",
                DELETE_BOARD_SECTION,
            )
            .schema(SECTION_ID_SCHEMA)
            .idempotent()
            .handler(boards::delete_board_section),
        )
        .tool(
            Tool::new("get_board_item", "Get a board item", GET_BOARD_ITEM)
                .schema(ITEM_ID_SCHEMA)
                .read_only()
                .idempotent()
                .handler(boards::get_board_item),
        )
        .tool(
            Tool::new(
                "create_board_item",
                "Add a dashboard, look or link to a board",
                CREATE_BOARD_ITEM,
            )
            .schema(CREATE_ITEM_SCHEMA)
            .non_destructive()
            .handler(boards::create_board_item),
        )
        .tool(
            Tool::new(
                "update_board_item",
                "Update or move a board item",
                UPDATE_BOARD_ITEM,
            )
            .schema(UPDATE_ITEM_SCHEMA)
            .idempotent()
            .handler(boards::update_board_item),
        )
        .tool(
            Tool::new(
                "delete_board_item",
                "Remove an item from a board",
                DELETE_BOARD_ITEM,
            )
            .schema(ITEM_ID_SCHEMA)
            .idempotent()
            .handler(boards::delete_board_item),
        )
}

// Static JSON schemas with the reference server's argument names, types, defaults and
// requirements.

const LIST_BOARDS_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "title": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Only boards whose title contains this text (case-insensitive; `%` and `_` work as wildcards)."},
    "limit": {"type": "integer", "default": 50, "minimum": 1, "description": "Most boards to return."}
  },
  "additionalProperties": false
}"#;

const BOARD_ID_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "board_id": {"type": "string", "minLength": 1, "description": "Board id (from `list_boards`)."}
  },
  "required": ["board_id"],
  "additionalProperties": false
}"#;

const CREATE_BOARD_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "title": {"type": "string", "minLength": 1, "description": "Title of the new board."},
    "description": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "What the board is for."}
  },
  "required": ["title"],
  "additionalProperties": false
}"#;

const UPDATE_BOARD_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "board_id": {"type": "string", "minLength": 1, "description": "Id of the board to change."},
    "title": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}], "default": null, "description": "New title."},
    "description": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New description."}
  },
  "required": ["board_id"],
  "additionalProperties": false
}"#;

const SECTION_ID_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "board_section_id": {"type": "string", "minLength": 1, "description": "Board section id (from `get_board`)."}
  },
  "required": ["board_section_id"],
  "additionalProperties": false
}"#;

const CREATE_SECTION_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "board_id": {"type": "string", "minLength": 1, "description": "Id of the board to add the section to."},
    "title": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Section title."},
    "description": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "What the section holds."}
  },
  "required": ["board_id"],
  "additionalProperties": false
}"#;

const UPDATE_SECTION_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "board_section_id": {"type": "string", "minLength": 1, "description": "Id of the section to change."},
    "title": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New title."},
    "description": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New description."}
  },
  "required": ["board_section_id"],
  "additionalProperties": false
}"#;

const ITEM_ID_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "board_item_id": {"type": "string", "minLength": 1, "description": "Board item id (from `get_board` or `get_board_section`)."}
  },
  "required": ["board_item_id"],
  "additionalProperties": false
}"#;

const CREATE_ITEM_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "board_section_id": {"type": "string", "minLength": 1, "description": "Id of the section to add the item to."},
    "dashboard_id": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}], "default": null, "description": "A dashboard to add."},
    "look_id": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}], "default": null, "description": "A look to add."},
    "url": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}], "default": null, "description": "A link to add."},
    "title": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Title to show instead of the content's own."},
    "description": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Description to show instead of the content's own."}
  },
  "required": ["board_section_id"],
  "additionalProperties": false
}"#;

const UPDATE_ITEM_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "board_item_id": {"type": "string", "minLength": 1, "description": "Id of the item to change."},
    "title": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Title to show instead of the content's own."},
    "description": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Description to show instead of the content's own."},
    "board_section_id": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}], "default": null, "description": "Move the item to this section (of the same or another board)."}
  },
  "required": ["board_item_id"],
  "additionalProperties": false
}"#;

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

const GET_BOARD_ITEM: &str = "\
Returns one board item: id, section id, the title and description shown, the dashboard, look or \
URL it points to, the folder that content lives in, its position, and view and favorite counts.";

const CREATE_BOARD_ITEM: &str = "\
Adds an item to a board section: give exactly one of `dashboard_id`, `look_id` or `url` (a \
link), plus an optional `title` and `description` to show instead of the content's own. Returns \
the new item. Example: `{\"board_section_id\": \"2\", \"dashboard_id\": \"1\"}`.";

const UPDATE_BOARD_ITEM: &str = "\
Changes the title and/or description a board item shows, and/or moves it to another section \
(`board_section_id`); give at least one. Returns the item as it is now.";

const DELETE_BOARD_ITEM: &str = "\
Removes an item from its board section. The dashboard or look it pointed at is not affected.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declaration_is_valid() {
        group().validate().unwrap();
        assert_eq!(group().tools().count(), 13);
        for tool in group().tools() {
            let a = tool.annotations();
            let name = tool.name();
            if name.starts_with("get_") || name.starts_with("list_") {
                assert!(a.read_only && a.idempotent && !a.destructive, "{name}");
            } else if name.starts_with("create_") {
                assert!(!a.read_only && !a.destructive && !a.idempotent, "{name}");
            } else {
                assert!(!a.read_only && a.destructive && a.idempotent, "{name}");
            }
        }
    }
}

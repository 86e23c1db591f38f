//! Board items: a dashboard, a look or a link in a board section.

use looker_mcp_plugin_sdk::args::Body;
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::{clean, pick};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::boards::nothing_to_change;

/// The item tools, declared beside their handlers.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    const SHOWN_TITLE: &str = "Title to show instead of the content's own.";
    const SHOWN_DESCRIPTION: &str = "Description to show instead of the content's own.";
    let item_id = || {
        schema::object().required(
            "board_item_id",
            Ty::Str.min_len(1),
            "Board item id (from `get_board` or `get_board_section`).",
        )
    };
    [
        Tool::reader("get_board_item", "Get a board item", GET_BOARD_ITEM)
            .schema(item_id())
            .handler(get_board_item),
        Tool::creator(
            "create_board_item",
            "Add a dashboard, look or link to a board",
            CREATE_BOARD_ITEM,
        )
        .schema(
            schema::object()
                .required(
                    "board_section_id",
                    Ty::Str.min_len(1),
                    "Id of the section to add the item to.",
                )
                .optional("dashboard_id", Ty::Str.min_len(1), "A dashboard to add.")
                .optional("look_id", Ty::Str.min_len(1), "A look to add.")
                .optional("url", Ty::Str.min_len(1), "A link to add.")
                .optional("title", Ty::Str, SHOWN_TITLE)
                .optional("description", Ty::Str, SHOWN_DESCRIPTION),
        )
        .handler(create_board_item),
        Tool::overwriter(
            "update_board_item",
            "Update or move a board item",
            UPDATE_BOARD_ITEM,
        )
        .schema(
            schema::object()
                .required(
                    "board_item_id",
                    Ty::Str.min_len(1),
                    "Id of the item to change.",
                )
                .optional("title", Ty::Str, SHOWN_TITLE)
                .optional("description", Ty::Str, SHOWN_DESCRIPTION)
                .optional(
                    "board_section_id",
                    Ty::Str.min_len(1),
                    "Move the item to this section (of the same or another board).",
                ),
        )
        .handler(update_board_item),
        Tool::deleter(
            "delete_board_item",
            "Remove an item from a board",
            DELETE_BOARD_ITEM,
        )
        .schema(item_id())
        .handler(delete_board_item),
    ]
}

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

/// An item's custom title/description: Looker shows them instead of the content's own only
/// when the matching `use_custom_*` flag is set (`title`/`description` are read-only there).
fn custom_text(body: Body, title: Option<String>, description: Option<String>) -> Body {
    let flag = |given: &Option<String>| given.is_some().then_some(true);
    body.opt("use_custom_title", flag(&title))
        .opt("custom_title", title)
        .opt("use_custom_description", flag(&description))
        .opt("custom_description", description)
}

/// `GET /board_items/{board_item_id}` → the item.
pub fn get_board_item(args: ItemId, _ctx: &Context) -> Result<Value, ToolError> {
    let item: Value = Request::get(path!("/board_items/{}", args.board_item_id))
        .send()?
        .json()?;
    Ok(clean(&item))
}

/// `POST /board_items` → the new item. Exactly one of dashboard, look or URL.
pub fn create_board_item(args: CreateItem, _ctx: &Context) -> Result<Value, ToolError> {
    let body = Body::new().set("board_section_id", args.board_section_id);
    let body = match (args.dashboard_id, args.look_id, args.url) {
        (Some(dashboard), None, None) => body.set("dashboard_id", dashboard),
        (None, Some(look), None) => body.set("look_id", look),
        (None, None, Some(url)) => body.set("custom_url", url).set("use_custom_url", true),
        _ => {
            return Err(ToolError::invalid_arguments(
                "give exactly one of `dashboard_id`, `look_id` or `url`",
            ));
        }
    };
    let body = custom_text(body, args.title, args.description);
    let item: Value = Request::post("/board_items")
        .body(&body.into_value())
        .send()?
        .json()?;
    Ok(pick(&item, &ITEM))
}

/// `PATCH /board_items/{board_item_id}` → the item as it is now.
pub fn update_board_item(args: UpdateItem, _ctx: &Context) -> Result<Value, ToolError> {
    let body = custom_text(Body::new(), args.title, args.description)
        .opt("board_section_id", args.board_section_id);
    if body.is_empty() {
        return Err(nothing_to_change(
            "`title`, `description` and `board_section_id`",
        ));
    }
    let item: Value = Request::patch(path!("/board_items/{}", args.board_item_id))
        .body(&body.into_value())
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
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::{Recorded, mock_looker};

    fn body(seen: &Recorded) -> Value {
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
}

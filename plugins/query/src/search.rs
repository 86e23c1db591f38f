//! `search_content`: Looker's content search over dashboards and looks.

use looker_mcp_plugin_sdk::args::default;
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

/// Hits `search_content` returns unless told otherwise.
const LIMIT: i64 = 20;

/// `search_content`, declared beside its handler.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [Tool::reader(
        "search_content",
        "Search dashboards and looks",
        SEARCH_CONTENT,
    )
    .schema(
        schema::object()
            .required(
                "query_string",
                Ty::Str,
                "Words to find in titles and descriptions, e.g. `revenue by region`.",
            )
            .optional(
                "types",
                Ty::EnumList(&["dashboard", "look", "lookml_dashboard"]),
                "Only these kinds of content; default: all.",
            )
            .with_default("limit", Ty::Int.min(1), LIMIT, "Most results to return."),
    )
    .handler(search_content)]
}

const SEARCH_CONTENT: &str = "\
Searches dashboards and looks by words in their title or description and returns each hit's \
type, id (`content_id`), title, description, folder and view count. Use the ids with \
`run_look`, `run_dashboard` or the render tools. Example: {\"query_string\": \"orders\", \
\"types\": [\"dashboard\"]}.";

/// Arguments of `search_content`.
#[derive(Debug, Deserialize)]
pub struct SearchArgs {
    query_string: String,
    #[serde(default)]
    types: Option<Vec<String>>,
    #[serde(default = "default::int::<LIMIT>")]
    limit: i64,
}

/// What each hit shows, under Looker's `ContentSearch` names.
const SHOWN: [&str; 10] = [
    "content_id",
    "type",
    "title",
    "description",
    "folder_id",
    "folder_name",
    "parent_folder_name",
    "model",
    "view_count",
    "preferred_viewer",
];

/// `GET /content/{terms}?types=..&limit=..`.
pub fn search_content(args: SearchArgs, _ctx: &Context) -> Result<Value, ToolError> {
    if args.query_string.trim().is_empty() {
        return Err(ToolError::invalid_arguments(
            "`query_string` must not be empty: give words from the title or description",
        ));
    }
    if args.limit < 1 {
        return Err(ToolError::invalid_arguments("`limit` must be at least 1"));
    }
    let types = args.types.filter(|t| !t.is_empty()).map(|t| t.join(","));
    let hits: Value = Request::get(path!("/content/{}", args.query_string.trim()))
        .fields(&SHOWN)
        .query_opt("types", types)
        .query("limit", args.limit)
        .send()?
        .json()?;
    let results: Vec<Value> = hits
        .as_array()
        .into_iter()
        .flatten()
        .map(|hit| {
            let mut out = serde_json::Map::new();
            for key in SHOWN {
                match hit.get(key) {
                    None | Some(Value::Null) => {}
                    Some(Value::String(s)) if s.is_empty() => {}
                    Some(v) => {
                        out.insert(key.to_owned(), v.clone());
                    }
                }
            }
            Value::Object(out)
        })
        .collect();
    Ok(json!({"query": args.query_string, "count": results.len(), "results": results}))
}

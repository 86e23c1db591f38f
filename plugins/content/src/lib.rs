//! The `content` tool group: find, create, change and delete Looks and dashboards, add tiles and
//! filters to dashboards, make embed URLs and run the content validator.

mod dashboards;
mod layouts;
mod looks;
mod other;
mod query;

use looker_mcp_plugin_sdk::{Group, Tool, ToolError, export_group};
use serde::Deserialize;
use serde_json::{Map, Value};

export_group!(group);

/// The `content` group's tool table.
pub fn group() -> Group {
    Group::new("content", env!("CARGO_PKG_VERSION"))
        .tool(
            Tool::new("list_looks", "Search saved Looks", LIST_LOOKS)
                .schema(SEARCH_SCHEMA)
                .read_only()
                .idempotent()
                .handler(looks::list_looks),
        )
        .tool(
            Tool::new("create_look", "Save a query as a Look", CREATE_LOOK)
                .schema(CREATE_LOOK_SCHEMA)
                .non_destructive()
                .handler(looks::create_look),
        )
        .tool(
            Tool::new(
                "update_look",
                "Rename, describe or move a Look",
                UPDATE_LOOK,
            )
            .schema(UPDATE_LOOK_SCHEMA)
            .idempotent()
            .handler(looks::update_look),
        )
        .tool(
            Tool::new("delete_look", "Delete a Look", DELETE_LOOK)
                .schema(DELETE_LOOK_SCHEMA)
                .idempotent()
                .handler(looks::delete_look),
        )
        .tool(
            Tool::new("list_dashboards", "Search dashboards", LIST_DASHBOARDS)
                .schema(SEARCH_SCHEMA)
                .read_only()
                .idempotent()
                .handler(dashboards::list_dashboards),
        )
        .tool(
            Tool::new(
                "list_lookml_dashboards",
                "Search LookML dashboards",
                LIST_LOOKML_DASHBOARDS,
            )
            .schema(SEARCH_SCHEMA)
            .read_only()
            .idempotent()
            .handler(dashboards::list_lookml_dashboards),
        )
        .tool(
            Tool::new(
                "create_dashboard",
                "Create an empty dashboard",
                CREATE_DASHBOARD,
            )
            .schema(CREATE_DASHBOARD_SCHEMA)
            .non_destructive()
            .handler(dashboards::create_dashboard),
        )
        .tool(
            Tool::new(
                "update_dashboard",
                "Rename, describe or move a dashboard",
                UPDATE_DASHBOARD,
            )
            .schema(UPDATE_DASHBOARD_SCHEMA)
            .idempotent()
            .handler(dashboards::update_dashboard),
        )
        .tool(
            Tool::new("delete_dashboard", "Delete a dashboard", DELETE_DASHBOARD)
                .schema(DELETE_DASHBOARD_SCHEMA)
                .idempotent()
                .handler(dashboards::delete_dashboard),
        )
        .tool(
            Tool::new(
                "add_dashboard_element",
                "Add a tile to a dashboard",
                ADD_DASHBOARD_ELEMENT,
            )
            .schema(ADD_DASHBOARD_ELEMENT_SCHEMA)
            .non_destructive()
            .handler(dashboards::add_dashboard_element),
        )
        .tool(
            Tool::new(
                "add_dashboard_filter",
                "Add a filter to a dashboard",
                ADD_DASHBOARD_FILTER,
            )
            .schema(ADD_DASHBOARD_FILTER_SCHEMA)
            .non_destructive()
            .handler(dashboards::add_dashboard_filter),
        )
        .tool(
            Tool::new(
                "get_dashboard_layout",
                "Show where a dashboard's tiles sit",
                GET_DASHBOARD_LAYOUT,
            )
            .schema(GET_DASHBOARD_LAYOUT_SCHEMA)
            .read_only()
            .idempotent()
            .handler(layouts::get_dashboard_layout),
        )
        .tool(
            Tool::new(
                "update_dashboard_layout_component",
                "Move or resize a dashboard tile",
                UPDATE_DASHBOARD_LAYOUT_COMPONENT,
            )
            .schema(UPDATE_DASHBOARD_LAYOUT_COMPONENT_SCHEMA)
            .idempotent()
            .handler(layouts::update_dashboard_layout_component),
        )
        .tool(
            Tool::new(
                "generate_embed_url",
                "Make a signed embed URL",
                GENERATE_EMBED_URL,
            )
            .schema(GENERATE_EMBED_URL_SCHEMA)
            .non_destructive()
            .handler(other::generate_embed_url),
        )
        .tool(
            Tool::new(
                "validate_content",
                "Find broken Looks and dashboards",
                VALIDATE_CONTENT,
            )
            .schema(NO_ARGUMENTS_SCHEMA)
            .read_only()
            .idempotent()
            .handler(other::validate_content),
        )
}

/// The arguments of the three search tools.
#[derive(Deserialize)]
pub struct SearchArgs {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    folder_id: Option<String>,
    #[serde(default = "default_search_limit")]
    limit: i64,
}

fn default_search_limit() -> i64 {
    50
}

impl SearchArgs {
    /// The result limit, checked: Looker wants a positive number.
    fn limit(&self) -> Result<i64, ToolError> {
        if (1..=1000).contains(&self.limit) {
            Ok(self.limit)
        } else {
            Err(ToolError::invalid_arguments(
                "`limit` must be between 1 and 1000",
            ))
        }
    }
}

/// Looker's `certification_metadata` of a look or dashboard, compact: `null` when it has none.
pub(crate) fn certification(meta: &Value) -> Value {
    match meta {
        Value::Object(m) if m.get("certification_status").is_some_and(|s| !s.is_null()) => {
            serde_json::json!({
                "status": m["certification_status"],
                "notes": m.get("notes"),
                "by": m.get("user_name"),
                "updated_at": m.get("updated_at"),
            })
        }
        _ => Value::Null,
    }
}

/// A non-empty optional text argument (an empty string means "not given").
pub(crate) fn nonempty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.trim().is_empty())
}

/// The PATCH body of an update: only the arguments given. Nothing to change is an error, so an
/// empty update never reaches Looker. An empty `description` clears it; an empty title or folder
/// is refused.
pub(crate) fn changes(
    title: &Option<String>,
    description: &Option<String>,
    folder_id: &Option<String>,
) -> Result<Value, ToolError> {
    let mut body = Map::new();
    if let Some(t) = title {
        if t.trim().is_empty() {
            return Err(ToolError::invalid_arguments("`title` must not be empty"));
        }
        body.insert("title".into(), t.clone().into());
    }
    if let Some(d) = description {
        body.insert("description".into(), d.clone().into());
    }
    if let Some(f) = folder_id {
        if f.trim().is_empty() {
            return Err(ToolError::invalid_arguments(
                "`folder_id` must not be empty",
            ));
        }
        body.insert("folder_id".into(), f.clone().into());
    }
    if body.is_empty() {
        return Err(ToolError::invalid_arguments(
            "nothing to change: give `title`, `description` or `folder_id`",
        ));
    }
    Ok(Value::Object(body))
}

// ── Input schemas (argument names, types, defaults and requirements of looker-mcp-server
// 0.25.0; descriptions are ours) ─────────────────────────────────────────────────────────────

const SEARCH_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "title": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Title to match, case-insensitive; `%` is a wildcard: `%revenue%` matches any title containing revenue. Default: any title."},
    "folder_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Only items in this folder (a folder id, e.g. `6`). Default: every folder."},
    "limit": {"type": "integer", "default": 50, "minimum": 1, "maximum": 1000, "description": "Most results to return. Default 50."}
  },
  "additionalProperties": false
}"#;

const CREATE_LOOK_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "title": {"type": "string", "description": "Title of the new Look, unique in its folder, e.g. `Weekly revenue by region`."},
    "model": {"type": "string", "description": "LookML model, e.g. `ecommerce` (from `list_models`)."},
    "view": {"type": "string", "description": "Explore to query, e.g. `orders` (Looker's API calls it `view`)."},
    "fields": {"type": "array", "items": {"type": "string"}, "description": "Fields as `view.field` names from the explore, e.g. [\"orders.region\", \"orders.count\"]."},
    "folder_id": {"type": "string", "description": "Folder to save the Look in (a folder id, e.g. `6`)."},
    "filters": {
      "anyOf": [
        {"type": "object", "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}},
        {"type": "null"}
      ],
      "default": null,
      "description": "Filters: field name → Looker filter expression, e.g. {\"orders.created_date\": \"90 days\", \"orders.amount\": \">=100\", \"orders.region\": \"-NULL\"}. A list of values matches any of them: {\"orders.status\": [\"complete\", \"pending\"]}. Commas inside a string are literal. Filters on different fields combine with AND."
    },
    "sorts": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}], "default": null, "description": "Sort order, each a field optionally followed by ` desc`, e.g. [\"orders.count desc\"]."},
    "limit": {"type": "integer", "default": 500, "description": "Row limit saved with the query. Default 500."},
    "description": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Description shown with the Look."},
    "column_limit": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": null, "description": "Most pivot columns, e.g. 20."},
    "subtotals": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}], "default": null, "description": "Dimensions to subtotal on, e.g. [\"orders.region\"]."},
    "vis_config": {"anyOf": [{"type": "object", "additionalProperties": true}, {"type": "null"}], "default": null, "description": "Visualization settings; `type` picks the chart, e.g. {\"type\": \"looker_bar\"}."},
    "pivots": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}], "default": null, "description": "Dimensions to pivot into columns; each must also be in the fields, e.g. [\"orders.status\"]."},
    "fill_fields": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}], "default": null, "description": "Date dimensions (in the fields) whose gaps are filled, e.g. [\"orders.created_date\"]."},
    "filter_expression": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "A Looker custom filter for OR logic, e.g. `${orders.amount} > 100 OR ${orders.status} = \"complete\"`."},
    "total": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Add a totals row."},
    "row_total": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Row totals of a pivoted query: `right`. Needs `pivots`."},
    "query_timezone": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "IANA timezone to run in, e.g. `America/Chicago`."},
    "dynamic_fields": {"anyOf": [{"type": "array", "items": {"type": "object"}}, {"type": "string"}, {"type": "null"}], "default": null, "description": "Custom fields and table calculations: a JSON array (or that array as JSON text) of objects such as {\"measure\": \"total_amount\", \"based_on\": \"orders.amount\", \"type\": \"sum\"}, {\"dimension\": \"is_big\", \"expression\": \"${orders.amount} > 100\"} or {\"table_calculation\": \"share\", \"expression\": \"${orders.count} / sum(${orders.count})\"}. Checked before anything is saved."}
  },
  "required": ["title", "model", "view", "fields", "folder_id"],
  "additionalProperties": false
}"#;

const UPDATE_LOOK_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "look_id": {"type": "string", "description": "Id of the Look, e.g. `42` (from `list_looks`)."},
    "title": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New title. Default: unchanged."},
    "description": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New description (empty clears it). Default: unchanged."},
    "folder_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Folder to move the Look to. Default: unchanged."}
  },
  "required": ["look_id"],
  "additionalProperties": false
}"#;

const DELETE_LOOK_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "look_id": {"type": "string", "description": "Id of the Look to delete, e.g. `42`."}
  },
  "required": ["look_id"],
  "additionalProperties": false
}"#;

const CREATE_DASHBOARD_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "title": {"type": "string", "description": "Title of the new dashboard, unique in its folder, e.g. `Sales overview`."},
    "folder_id": {"type": "string", "description": "Folder to create it in (a folder id, e.g. `6`)."},
    "description": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Description shown with the dashboard."}
  },
  "required": ["title", "folder_id"],
  "additionalProperties": false
}"#;

const UPDATE_DASHBOARD_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "dashboard_id": {"type": "string", "description": "Id of the dashboard, e.g. `17` (from `list_dashboards`)."},
    "title": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New title. Default: unchanged."},
    "description": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New description (empty clears it). Default: unchanged."},
    "folder_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Folder to move the dashboard to. Default: unchanged."}
  },
  "required": ["dashboard_id"],
  "additionalProperties": false
}"#;

const DELETE_DASHBOARD_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "dashboard_id": {"type": "string", "description": "Id of the dashboard to delete, e.g. `17`."}
  },
  "required": ["dashboard_id"],
  "additionalProperties": false
}"#;

const ADD_DASHBOARD_ELEMENT_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "dashboard_id": {"type": "string", "description": "Id of the dashboard, e.g. `17`."},
    "title": {"type": "string", "description": "Title of the tile, e.g. `Revenue by region`."},
    "type": {"type": "string", "default": "vis", "description": "Tile type: `vis` (a chart or table; the default) or `text`."},
    "look_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "A saved Look to show, e.g. `42`."},
    "query_model": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Model of a new query, e.g. `ecommerce`."},
    "query_view": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Explore of a new query, e.g. `orders`."},
    "query_fields": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}], "default": null, "description": "Fields of a new query, e.g. [\"orders.region\", \"orders.count\"]."},
    "merge_query_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Merged results to show: the `merge_query_id` from `run_merge_query`."},
    "pivots": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}], "default": null, "description": "Dimensions to pivot into columns; each must also be in the fields, e.g. [\"orders.status\"]."},
    "fill_fields": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}], "default": null, "description": "Date dimensions (in the fields) whose gaps are filled, e.g. [\"orders.created_date\"]."},
    "filter_expression": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "A Looker custom filter for OR logic, e.g. `${orders.amount} > 100 OR ${orders.status} = \"complete\"`."},
    "total": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Add a totals row."},
    "row_total": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Row totals of a pivoted query: `right`. Needs `pivots`."},
    "query_timezone": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "IANA timezone to run in, e.g. `America/Chicago`."},
    "dynamic_fields": {"anyOf": [{"type": "array", "items": {"type": "object"}}, {"type": "string"}, {"type": "null"}], "default": null, "description": "Custom fields and table calculations: a JSON array (or that array as JSON text) of objects such as {\"measure\": \"total_amount\", \"based_on\": \"orders.amount\", \"type\": \"sum\"}, {\"dimension\": \"is_big\", \"expression\": \"${orders.amount} > 100\"} or {\"table_calculation\": \"share\", \"expression\": \"${orders.count} / sum(${orders.count})\"}. Checked before anything is saved."}
  },
  "required": ["dashboard_id", "title"],
  "additionalProperties": false
}"#;

const ADD_DASHBOARD_FILTER_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "dashboard_id": {"type": "string", "description": "Id of the dashboard, e.g. `17`."},
    "title": {"type": "string", "description": "Title shown on the filter, e.g. `Region`."},
    "dimension": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Dimension to filter on, e.g. `orders.region` (required for a `field` filter)."},
    "name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Filter name tiles listen to. Default: from the title, lower-cased with other characters replaced by `_`."},
    "model": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Model of the dimension, e.g. `ecommerce` (required for a `field` filter)."},
    "explore": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Explore of the dimension, e.g. `orders` (required for a `field` filter)."},
    "type": {"type": "string", "enum": ["field", "date", "number", "string"], "default": "field", "description": "`field` (values of a dimension; the default), `date`, `number` or `string`."},
    "default_value": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Starting value as a Looker filter expression, e.g. `90 days` or `West`."}
  },
  "required": ["dashboard_id", "title"],
  "additionalProperties": false
}"#;

const GET_DASHBOARD_LAYOUT_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "dashboard_id": {"type": "string", "description": "Id of the dashboard, e.g. `17` (from `list_dashboards`)."}
  },
  "required": ["dashboard_id"],
  "additionalProperties": false
}"#;

const UPDATE_DASHBOARD_LAYOUT_COMPONENT_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "component_id": {"type": "string", "description": "Id of the tile's layout component (from `get_dashboard_layout`)."},
    "row": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}], "default": null, "description": "Top edge, in grid rows from the top (0 is the first row)."},
    "column": {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 23}, {"type": "null"}], "default": null, "description": "Left edge, 0 to 23 on the 24-column grid."},
    "width": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 24}, {"type": "null"}], "default": null, "description": "Width in grid columns (24 is the full width)."},
    "height": {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}], "default": null, "description": "Height in grid rows."}
  },
  "required": ["component_id"],
  "additionalProperties": false
}"#;

const GENERATE_EMBED_URL_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "target_url": {"type": "string", "description": "Page to embed: a path such as `/dashboards/17`, `/looks/42` or `/explore/ecommerce/orders`, or the page's full URL."},
    "session_length": {"type": "integer", "default": 3600, "description": "Seconds the embed session lasts. Default 3600."},
    "force_logout_login": {"type": "boolean", "default": false, "description": "End any Looker session the viewer's browser already has before logging in. Default false."}
  },
  "required": ["target_url"],
  "additionalProperties": false
}"#;

const NO_ARGUMENTS_SCHEMA: &str =
    r#"{"type": "object", "properties": {}, "additionalProperties": false}"#;

// ── Descriptions ────────────────────────────────────────────────────────────────────────────

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

const LIST_DASHBOARDS: &str = "\
Searches user-defined dashboards by title and/or folder and returns each one's id, title, \
description, folder, view count and last view, sorted by title. Use it to find a dashboard to \
run, change, add tiles to or delete. LookML dashboards are listed by `list_lookml_dashboards`. \
Example: {\"folder_id\": \"6\"}.";

const LIST_LOOKML_DASHBOARDS: &str = "\
Searches LookML dashboards (dashboards defined in a LookML project, with ids like \
`ecommerce::sales_overview`) by title and/or folder and returns each one's id, title, \
description, folder and model. They are read-only in the UI and change through LookML; \
user-defined dashboards are listed by `list_dashboards`.";

const CREATE_DASHBOARD: &str = "\
Creates an empty dashboard in a folder and returns its id, title, folder and URL. Use it as the \
first step of building a dashboard, then add tiles with `add_dashboard_element` and filters with \
`add_dashboard_filter`. The title must be unique in the folder.";

const UPDATE_DASHBOARD: &str = "\
Renames, re-describes or moves a dashboard and returns its id, title, description and folder. \
Only the arguments you give change; at least one is needed. Tiles and filters are unchanged; \
use `add_dashboard_element` and `add_dashboard_filter` for those.";

const DELETE_DASHBOARD: &str = "\
Deletes a dashboard with its tiles and filters. Use it only when someone asked for that \
dashboard to be removed. To rename or move it instead, use `update_dashboard`.";

const ADD_DASHBOARD_ELEMENT: &str = "\
Adds a tile to a dashboard and returns the tile's id, title, type and its look or query id. \
Give `look_id` to show a saved Look, `merge_query_id` for merged results (`run_merge_query`), or \
`query_model`, `query_view` and `query_fields` together for a new query (created first, with \
optional `pivots`, `dynamic_fields`, `total` and the other options of `query`); with none you \
get a tile without data (e.g. a `text` tile). Place tiles with \
`update_dashboard_layout_component`. \
Example: {\"dashboard_id\": \"17\", \"title\": \"Orders by region\", \"query_model\": \
\"ecommerce\", \"query_view\": \"orders\", \"query_fields\": [\"orders.region\", \
\"orders.count\"]}.";

const ADD_DASHBOARD_FILTER: &str = "\
Adds a filter control to a dashboard and returns its id, name, title and type. A `field` filter \
(the default) offers the values of one dimension and needs `dimension`, `model` and `explore`; \
`date`, `number` and `string` filters need none. It does not wire the filter to existing tiles. \
Example: {\"dashboard_id\": \"17\", \"title\": \"Region\", \"dimension\": \"orders.region\", \
\"model\": \"ecommerce\", \"explore\": \"orders\", \"default_value\": \"West\"}.";

const GET_DASHBOARD_LAYOUT: &str = "\
Shows where each tile of a dashboard sits: the active layout's components (component id, \
tile id and title, chart type, `row`, `column`, `width`, `height` on Looker's 24-column grid), \
in reading order. Use it before moving tiles with `update_dashboard_layout_component`.";

const UPDATE_DASHBOARD_LAYOUT_COMPONENT: &str = "\
Moves or resizes one dashboard tile: sets its layout component's `row`, `column`, `width` \
and/or `height` on the 24-column grid (only those given change) and returns the new placement. \
Get component ids from `get_dashboard_layout`. Example: {\"component_id\": \"12\", \"row\": 0, \
\"column\": 0, \"width\": 24, \"height\": 8}.";

const GENERATE_EMBED_URL: &str = "\
Creates a signed embed URL for a Looker page (dashboard, Look or explore) as the current user, \
so the page can be shown inside another application without a separate Looker login. Returns \
the URL, which works once and must be opened within a few minutes; treat it as a credential \
and share it only with the intended viewer. Example: {\"target_url\": \"/dashboards/17\", \
\"session_length\": 600}.";

const VALIDATE_CONTENT: &str = "\
Runs Looker's content validator over all Looks, dashboard tiles and filters, schedules and \
alerts, and returns the broken references (e.g. a field renamed in LookML): totals of what was \
validated, error counts by content type and by explore, and each broken item with its errors. \
Use it after a LookML change, before users see errors. It can take minutes on a big instance.";

#[cfg(test)]
mod tests;

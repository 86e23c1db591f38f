//! Dashboards: search (user-defined and LookML), create, update, delete, and adding tiles and
//! filters.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::queries::QueryOptions;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::items;
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::query::{self, QueryArgs, ROW_LIMIT};
use crate::{SearchArgs, changes, changes_args, nonempty, search_args};

/// The tile type `add_dashboard_element` adds unless told otherwise.
const ELEMENT_TYPE: &str = "vis";

/// The filter type `add_dashboard_filter` adds unless told otherwise.
const FILTER_TYPE: &str = "field";

/// The dashboard tools, declared beside their handlers.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    let dashboard_id =
        |description: &str| schema::object().required("dashboard_id", Ty::Str, description);
    [
        Tool::reader("list_dashboards", "Search dashboards", LIST_DASHBOARDS)
            .schema(search_args())
            .handler(list_dashboards),
        Tool::reader(
            "list_lookml_dashboards",
            "Search LookML dashboards",
            LIST_LOOKML_DASHBOARDS,
        )
        .schema(search_args())
        .handler(list_lookml_dashboards),
        Tool::creator(
            "create_dashboard",
            "Create an empty dashboard",
            CREATE_DASHBOARD,
        )
        .schema(
            schema::object()
                .required(
                    "title",
                    Ty::Str,
                    "Title of the new dashboard, unique in its folder, e.g. `Sales overview`.",
                )
                .required(
                    "folder_id",
                    Ty::Str,
                    "Folder to create it in (a folder id, e.g. `6`).",
                )
                .optional(
                    "description",
                    Ty::Str,
                    "Description shown with the dashboard.",
                ),
        )
        .handler(create_dashboard),
        Tool::overwriter(
            "update_dashboard",
            "Rename, describe or move a dashboard",
            UPDATE_DASHBOARD,
        )
        .schema(
            dashboard_id("Id of the dashboard, e.g. `17` (from `list_dashboards`).")
                .extend(changes_args("dashboard")),
        )
        .handler(update_dashboard),
        Tool::deleter("delete_dashboard", "Delete a dashboard", DELETE_DASHBOARD)
            .schema(dashboard_id("Id of the dashboard to delete, e.g. `17`."))
            .handler(delete_dashboard),
        Tool::creator(
            "add_dashboard_element",
            "Add a tile to a dashboard",
            ADD_DASHBOARD_ELEMENT,
        )
        .schema(
            dashboard_id("Id of the dashboard, e.g. `17`.")
                .required(
                    "title",
                    Ty::Str,
                    "Title of the tile, e.g. `Revenue by region`.",
                )
                .with_default(
                    "type",
                    Ty::Str,
                    ELEMENT_TYPE,
                    "Tile type: `vis` (a chart or table; the default) or `text`.",
                )
                .optional("look_id", Ty::Str, "A saved Look to show, e.g. `42`.")
                .optional(
                    "query_model",
                    Ty::Str,
                    "Model of a new query, e.g. `ecommerce`.",
                )
                .optional(
                    "query_view",
                    Ty::Str,
                    "Explore of a new query, e.g. `orders`.",
                )
                .optional(
                    "query_fields",
                    Ty::StrList,
                    "Fields of a new query, e.g. [\"orders.region\", \"orders.count\"].",
                )
                .optional(
                    "merge_query_id",
                    Ty::Str,
                    "Merged results to show: the `merge_query_id` from `run_merge_query`.",
                )
                .extend(query::option_args()),
        )
        .handler(add_dashboard_element),
        Tool::creator(
            "add_dashboard_filter",
            "Add a filter to a dashboard",
            ADD_DASHBOARD_FILTER,
        )
        .schema(
            dashboard_id("Id of the dashboard, e.g. `17`.")
                .required(
                    "title",
                    Ty::Str,
                    "Title shown on the filter, e.g. `Region`.",
                )
                .optional(
                    "dimension",
                    Ty::Str,
                    "Dimension to filter on, e.g. `orders.region` (required for a `field` \
                     filter).",
                )
                .optional(
                    "name",
                    Ty::Str,
                    "Filter name tiles listen to. Default: from the title, lower-cased with \
                     other characters replaced by `_`.",
                )
                .optional(
                    "model",
                    Ty::Str,
                    "Model of the dimension, e.g. `ecommerce` (required for a `field` filter).",
                )
                .optional(
                    "explore",
                    Ty::Str,
                    "Explore of the dimension, e.g. `orders` (required for a `field` filter).",
                )
                .with_default(
                    "type",
                    Ty::Enum(&["field", "date", "number", "string"]),
                    FILTER_TYPE,
                    "`field` (values of a dimension; the default), `date`, `number` or `string`.",
                )
                .optional(
                    "default_value",
                    Ty::Str,
                    "Starting value as a Looker filter expression, e.g. `90 days` or `West`.",
                ),
        )
        .handler(add_dashboard_filter),
    ]
}

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

/// `GET /dashboards/search` → `{"dashboards": [...], "count", "more_available"}`.
pub fn list_dashboards(args: SearchArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let limit = args.limit()?;
    let found: Value = Request::get("/dashboards/search")
        .query_opt("title", nonempty(&args.title))
        .query_opt("folder_id", nonempty(&args.folder_id))
        .query("limit", limit)
        .query("sorts", "title")
        .fields(&[
            "id",
            "title",
            "description",
            "folder_id",
            "folder(name)",
            "view_count",
            "last_viewed_at",
            "certification_metadata",
        ])
        .send()?
        .json()?;
    let dashboards: Vec<Value> = items(&found)
        .map(|d| {
            json!({
                "id": d["id"],
                "title": d["title"],
                "description": d["description"],
                "folder_id": d["folder_id"],
                "folder": d["folder"]["name"],
                "view_count": d["view_count"],
                "last_viewed_at": d["last_viewed_at"],
                "certification": crate::certification(&d["certification_metadata"]),
            })
        })
        .collect();
    let count = dashboards.len();
    Ok(json!({"dashboards": dashboards, "count": count, "more_available": count as i64 == limit}))
}

/// `GET /dashboards/lookml/search` → `{"dashboards": [...]}`. The spec types the answer as one
/// `DashboardLookml`; Looker sends a list. Both are accepted.
pub fn list_lookml_dashboards(args: SearchArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let limit = args.limit()?;
    let found: Value = Request::get("/dashboards/lookml/search")
        .query_opt("title", nonempty(&args.title))
        .query_opt("folder_id", nonempty(&args.folder_id))
        .query("limit", limit)
        .send()?
        .json()?;
    let found = match found {
        Value::Object(_) => Value::Array(vec![found]),
        other => other,
    };
    let dashboards: Vec<Value> = items(&found)
        .map(|d| {
            json!({
                "id": if d["id"].is_null() { &d["dashboard_id"] } else { &d["id"] },
                "title": d["title"],
                "description": d["description"],
                "folder_id": d["folder_id"],
                "model": d["model"],
            })
        })
        .collect();
    let count = dashboards.len();
    Ok(json!({"dashboards": dashboards, "count": count, "more_available": count as i64 == limit}))
}

/// `create_dashboard` arguments.
#[derive(Deserialize)]
pub struct CreateDashboardArgs {
    title: String,
    folder_id: String,
    #[serde(default)]
    description: Option<String>,
}

/// `POST /dashboards`.
pub fn create_dashboard(args: CreateDashboardArgs, _ctx: &Context) -> Result<Value, ToolError> {
    if args.title.trim().is_empty() {
        return Err(ToolError::invalid_arguments("`title` must not be empty"));
    }
    let mut body = json!({"title": args.title, "folder_id": args.folder_id});
    if let Some(d) = nonempty(&args.description) {
        body["description"] = d.into();
    }
    let d: Value = Request::post("/dashboards").body(&body).send()?.json()?;
    Ok(json!({"id": d["id"], "title": d["title"], "folder_id": d["folder_id"], "url": d["url"]}))
}

/// `update_dashboard` arguments.
#[derive(Deserialize)]
pub struct UpdateDashboardArgs {
    dashboard_id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    folder_id: Option<String>,
}

/// `PATCH /dashboards/{id}` with only the given changes.
pub fn update_dashboard(args: UpdateDashboardArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let body = changes(&args.title, &args.description, &args.folder_id)?;
    let d: Value = Request::patch(path!("/dashboards/{}", args.dashboard_id))
        .body(&body)
        .send()?
        .json()?;
    Ok(json!({
        "id": d["id"],
        "title": d["title"],
        "description": d["description"],
        "folder_id": d["folder_id"],
        "changed": body.as_object().map(|b| b.keys().cloned().collect::<Vec<_>>()),
    }))
}

/// `delete_dashboard` arguments.
#[derive(Deserialize)]
pub struct DashboardId {
    dashboard_id: String,
}

/// `DELETE /dashboards/{id}`.
pub fn delete_dashboard(args: DashboardId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/dashboards/{}", args.dashboard_id)).send()?;
    Ok(json!({"deleted": true, "dashboard_id": args.dashboard_id}))
}

/// `add_dashboard_element` arguments.
#[derive(Deserialize)]
pub struct AddElementArgs {
    dashboard_id: String,
    title: String,
    #[serde(default = "default_element_type", rename = "type")]
    kind: String,
    #[serde(default)]
    look_id: Option<String>,
    #[serde(default)]
    query_model: Option<String>,
    #[serde(default)]
    query_view: Option<String>,
    #[serde(default)]
    query_fields: Option<Vec<String>>,
    #[serde(default)]
    merge_query_id: Option<String>,
    #[serde(flatten)]
    options: QueryOptions,
}

fn default_element_type() -> String {
    ELEMENT_TYPE.to_owned()
}

/// `POST /dashboard_elements` (the dashboard is named in the body), after `POST /queries` when
/// the tile gets a new query.
pub fn add_dashboard_element(args: AddElementArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let look_id = nonempty(&args.look_id);
    let model = nonempty(&args.query_model);
    let view = nonempty(&args.query_view);
    let fields = args.query_fields.as_ref().filter(|f| !f.is_empty());
    let query_parts = [model.is_some(), view.is_some(), fields.is_some()];
    let any_query = query_parts.iter().any(|p| *p);
    if any_query && !query_parts.iter().all(|p| *p) {
        return Err(ToolError::invalid_arguments(
            "a query tile needs `query_model`, `query_view` and `query_fields` together, e.g. \
             {\"query_model\": \"ecommerce\", \"query_view\": \"orders\", \"query_fields\": [\"orders.status\", \"orders.count\"]}",
        ));
    }
    let merge_id = nonempty(&args.merge_query_id);
    if [any_query, look_id.is_some(), merge_id.is_some()]
        .iter()
        .filter(|p| **p)
        .count()
        > 1
    {
        return Err(ToolError::invalid_arguments(
            "give one of `look_id` (a saved look), `query_model`/`query_view`/`query_fields` (a new query) or `merge_query_id` (merged results from `run_merge_query`)",
        ));
    }
    if !any_query && has_options(&args.options) {
        return Err(ToolError::invalid_arguments(
            "`pivots`, `dynamic_fields`, `filter_expression`, `query_timezone`, `total`, `row_total` and `fill_fields` shape a new query: give them with `query_model`, `query_view` and `query_fields`",
        ));
    }
    let mut body =
        json!({"dashboard_id": args.dashboard_id, "title": args.title, "type": args.kind});
    if args.kind == "text" {
        body["title_text"] = args.title.clone().into();
    }
    let mut query_id = None;
    if let Some(look_id) = look_id {
        body["look_id"] = look_id.into();
    } else if let Some(merge_id) = merge_id {
        body["merge_result_id"] = merge_id.into();
    } else if let (Some(model), Some(view), Some(fields)) = (model, view, fields) {
        let query = QueryArgs {
            model: model.to_owned(),
            view: view.to_owned(),
            fields: fields.clone(),
            limit: ROW_LIMIT,
            options: args.options,
            ..QueryArgs::default()
        };
        let id = query.create()?;
        body["query_id"] = id.clone().into();
        query_id = Some(id);
    }
    let e: Value = Request::post("/dashboard_elements")
        .fields(&[
            "id",
            "title",
            "type",
            "dashboard_id",
            "look_id",
            "query_id",
            "merge_result_id",
        ])
        .body(&body)
        .send()?
        .json()?;
    Ok(json!({
        "id": e["id"],
        "title": e["title"],
        "type": e["type"],
        "dashboard_id": e["dashboard_id"],
        "look_id": e["look_id"],
        "query_id": query_id.map(Value::from).unwrap_or_else(|| e["query_id"].clone()),
        "merge_query_id": e["merge_result_id"],
    }))
}

/// Whether any query option was given.
fn has_options(o: &QueryOptions) -> bool {
    o.pivots.is_some()
        || o.dynamic_fields.is_some()
        || o.filter_expression.is_some()
        || o.query_timezone.is_some()
        || o.total.is_some()
        || o.row_total.is_some()
        || o.fill_fields.is_some()
}

/// `add_dashboard_filter` arguments.
#[derive(Deserialize)]
pub struct AddFilterArgs {
    dashboard_id: String,
    title: String,
    #[serde(default)]
    dimension: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    explore: Option<String>,
    #[serde(default = "default_filter_type", rename = "type")]
    kind: String,
    #[serde(default)]
    default_value: Option<String>,
}

fn default_filter_type() -> String {
    FILTER_TYPE.to_owned()
}

/// `POST /dashboard_filters` (the dashboard is named in the body).
pub fn add_dashboard_filter(args: AddFilterArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let dimension = nonempty(&args.dimension);
    let model = nonempty(&args.model);
    let explore = nonempty(&args.explore);
    if args.kind == "field" && (dimension.is_none() || model.is_none() || explore.is_none()) {
        return Err(ToolError::invalid_arguments(
            "a `field` filter needs `dimension`, `model` and `explore`, e.g. \
             {\"dimension\": \"orders.region\", \"model\": \"ecommerce\", \"explore\": \"orders\"}; \
             use type `date`, `number` or `string` for a filter without a dimension",
        ));
    }
    let name = nonempty(&args.name)
        .map(str::to_owned)
        .unwrap_or_else(|| name_from_title(&args.title));
    let mut body = json!({
        "dashboard_id": args.dashboard_id, "name": name, "title": args.title, "type": args.kind,
    });
    for (key, value) in [
        ("dimension", dimension),
        ("model", model),
        ("explore", explore),
        ("default_value", nonempty(&args.default_value)),
    ] {
        if let Some(v) = value {
            body[key] = v.into();
        }
    }
    let f: Value = Request::post("/dashboard_filters")
        .body(&body)
        .send()?
        .json()?;
    Ok(json!({
        "id": f["id"],
        "name": f["name"].as_str().unwrap_or(&name),
        "title": f["title"],
        "type": f["type"],
        "dashboard_id": f["dashboard_id"],
        "dimension": f["dimension"],
        "default_value": f["default_value"],
    }))
}

/// A filter name from its title: lower case, runs of other characters become `_`, no `_` at
/// either end (`"Order Date (UTC)"` → `order_date_utc`); `filter` if nothing is left.
pub fn name_from_title(title: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    if out.is_empty() { "filter".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::id_of;

    #[test]
    fn filter_names_come_from_titles() {
        assert_eq!(name_from_title("Order Date (UTC)"), "order_date_utc");
        assert_eq!(name_from_title("  Région!! "), "r_gion");
        assert_eq!(name_from_title("***"), "filter");
        assert_eq!(id_of(&json!({"id": 5})), Some("5".into()));
    }
}

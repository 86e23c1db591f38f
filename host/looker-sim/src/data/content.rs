//! Storing queries, and assembling looks and dashboards with their related objects (folder,
//! query, elements, filters, layout) at read time.

use serde_json::{Map, Value, json};

use super::WEB_URL;
use crate::listing::pick;
use crate::state::World;

/// Keys of `FolderBase`, the folder summary embedded in looks and dashboards.
pub(crate) const FOLDER_BASE_KEYS: &[&str] = &[
    "name",
    "parent_id",
    "id",
    "content_metadata_id",
    "created_at",
    "creator_id",
    "child_count",
    "external_id",
    "is_embed",
    "is_embed_shared_root",
    "is_embed_users_root",
    "is_personal",
    "is_personal_descendant",
    "is_shared_root",
    "is_users_root",
    "can",
];

/// Query keys a client may set (the rest are read-only and assigned here).
const QUERY_WRITABLE: &[&str] = &[
    "model",
    "view",
    "fields",
    "pivots",
    "fill_fields",
    "filters",
    "filter_expression",
    "sorts",
    "limit",
    "column_limit",
    "total",
    "row_total",
    "subtotals",
    "vis_config",
    "filter_config",
    "visible_ui_sections",
    "dynamic_fields",
    "client_id",
    "query_timezone",
];

/// Stores a new query from a `Query` body and returns it as Looker would.
pub(crate) fn store_query(world: &mut World, body: &Map<String, Value>) -> Value {
    let mut q = Map::new();
    for key in QUERY_WRITABLE {
        q.insert(
            (*key).into(),
            body.get(*key).cloned().unwrap_or(Value::Null),
        );
    }
    // Looker keeps `limit` as a string.
    if let Some(Value::Number(n)) = q.get("limit") {
        let limit = n.to_string();
        q.insert("limit".into(), Value::String(limit));
    }
    let slug = world.slugs.alnum(7);
    let client_id = match body.get("client_id").and_then(Value::as_str) {
        Some(c) if !c.is_empty() => c.to_string(),
        _ => world.slugs.alnum(22),
    };
    let model = q
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let view = q
        .get("view")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let fields = q
        .get("fields")
        .and_then(Value::as_array)
        .map(|f| {
            f.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    q.insert("client_id".into(), client_id.into());
    q.insert("slug".into(), slug.clone().into());
    q.insert("share_url".into(), format!("{WEB_URL}/x/{slug}").into());
    q.insert(
        "expanded_share_url".into(),
        format!("{WEB_URL}/explore/{model}/{view}?fields={fields}&qid={slug}").into(),
    );
    q.insert(
        "url".into(),
        format!("/explore/{model}/{view}?fields={fields}").into(),
    );
    q.insert("has_table_calculations".into(), false.into());
    q.insert(
        "can".into(),
        json!({ "run": true, "see_results": true, "explore": true, "create": true, "show": true }),
    );
    world.queries.insert(q)
}

/// A look with its `folder` (and, for `LookWithQuery`, its `query` and `url`).
pub(crate) fn compose_look(world: &World, look: &Value, with_query: bool) -> Value {
    let mut look = look.clone();
    let folder = look
        .get("folder_id")
        .and_then(Value::as_str)
        .and_then(|id| world.folders.get(id))
        .map(|f| pick(f, FOLDER_BASE_KEYS))
        .unwrap_or(Value::Null);
    look["folder"] = folder;
    if with_query {
        let query = look
            .get("query_id")
            .and_then(Value::as_str)
            .and_then(|id| world.queries.get(id))
            .cloned()
            .unwrap_or(Value::Null);
        look["query"] = query;
        let id = look
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        look["url"] = format!("/looks/{id}").into();
    }
    look
}

/// A dashboard with its folder, elements (queries and looks filled in), filters and layout.
pub(crate) fn compose_dashboard(world: &World, dashboard: &Value) -> Value {
    let mut d = dashboard.clone();
    let id = d
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    d["folder"] = d
        .get("folder_id")
        .and_then(Value::as_str)
        .and_then(|f| world.folders.get(f))
        .map(|f| pick(f, FOLDER_BASE_KEYS))
        .unwrap_or(Value::Null);
    let of_dashboard =
        |v: &&Value| v.get("dashboard_id").and_then(Value::as_str) == Some(id.as_str());
    let elements: Vec<Value> = world
        .dashboard_elements
        .list()
        .iter()
        .filter(of_dashboard)
        .map(|e| compose_element(world, e))
        .collect();
    let components: Vec<Value> = elements
        .iter()
        .enumerate()
        .map(|(i, e)| {
            json!({ "id": e["id"], "dashboard_layout_id": id, "dashboard_element_id": e["id"],
                    "row": (i / 2) * 6, "column": (i % 2) * 12, "width": 12, "height": 6,
                    "deleted": false, "element_title": e["title"], "element_title_hidden": false,
                    "vis_type": e["result_maker"]["vis_config"]["type"], "can": {} })
        })
        .map(|mut c| {
            place(world, &mut c);
            c
        })
        .collect();
    d["dashboard_layouts"] = json!([{
        "id": id, "dashboard_id": id, "type": "newspaper", "active": true, "column_width": null,
        "width": null, "deleted": false, "dashboard_title": d["title"],
        "dashboard_layout_components": components, "can": {},
    }]);
    d["dashboard_elements"] = Value::Array(elements);
    d["dashboard_filters"] = Value::Array(
        world
            .dashboard_filters
            .list()
            .iter()
            .filter(of_dashboard)
            .cloned()
            .collect(),
    );
    d
}

/// Applies a tile's placement from `PATCH /dashboard_layout_components/{id}`, if it has one.
fn place(world: &World, component: &mut Value) {
    let id = component["id"].as_str().unwrap_or_default();
    let placed = world
        .extra
        .get(crate::routes::LAYOUT_POSITIONS)
        .and_then(|c| c.get(id))
        .and_then(Value::as_object);
    for (key, value) in placed.into_iter().flatten() {
        if key != "id" {
            component[key] = value.clone();
        }
    }
}

fn compose_element(world: &World, element: &Value) -> Value {
    let mut e = element.clone();
    let query = |id: Option<&str>| {
        id.and_then(|id| world.queries.get(id))
            .cloned()
            .unwrap_or(Value::Null)
    };
    e["query"] = query(e.get("query_id").and_then(Value::as_str));
    if e["result_maker"].is_object() {
        let q = query(e["result_maker"].get("query_id").and_then(Value::as_str));
        e["result_maker"]["query"] = q;
    }
    e["look"] = e
        .get("look_id")
        .and_then(Value::as_str)
        .and_then(|id| world.looks.get(id))
        .map(|l| compose_look(world, l, true))
        .unwrap_or(Value::Null);
    e
}

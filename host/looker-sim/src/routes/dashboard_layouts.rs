//! Dashboard layouts: each dashboard has one `newspaper` layout (id = the dashboard's id) with a
//! component per tile (id = the tile's id). Components start in a two-column grid; a `PATCH`
//! places a tile (`row`, `column`, `width`, `height`), kept in the `layout_positions` collection
//! that [`crate::data::compose_dashboard`] reads.

use serde_json::{Map, Value};

use super::Route;
use crate::data::compose_dashboard;
use crate::http::{Req, Resp};
use crate::state::{Collection, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new(
        "GET",
        "/dashboards/{dashboard_id}/dashboard_layouts",
        dashboard_layouts,
    ),
    Route::new("GET", "/dashboard_layouts/{dashboard_layout_id}", layout),
    Route::new(
        "GET",
        "/dashboard_layouts/{dashboard_layout_id}/dashboard_layout_components",
        layout_components,
    ),
    Route::new(
        "GET",
        "/dashboard_layout_components/{dashboard_layout_component_id}",
        component,
    ),
    Route::new(
        "PATCH",
        "/dashboard_layout_components/{dashboard_layout_component_id}",
        update_component,
    ),
];

/// The name of the collection of placed components.
pub(crate) const POSITIONS: &str = "layout_positions";

/// What a `PATCH` may change.
const PLACEMENT: &[&str] = &[
    "row",
    "column",
    "width",
    "height",
    "granular_row",
    "granular_column",
    "granular_width",
    "granular_height",
];

fn positions(world: &mut World) -> &mut Collection {
    world.collection(POSITIONS, "id", Vec::new)
}

/// The layouts of dashboard `id`, or `None` when there is no such dashboard.
fn layouts_of(world: &World, id: &str) -> Option<Value> {
    let d = world.dashboards.get(id).filter(|d| d["deleted"] != true)?;
    Some(compose_dashboard(world, d)["dashboard_layouts"].take())
}

fn dashboard_layouts(world: &mut World, req: &Req) -> Resp {
    layouts_of(world, req.param("dashboard_id")).map_or_else(Resp::not_found, Resp::json)
}

fn layout(world: &mut World, req: &Req) -> Resp {
    match layouts_of(world, req.param("dashboard_layout_id")) {
        Some(mut list) => Resp::json(list[0].take()),
        None => Resp::not_found(),
    }
}

fn layout_components(world: &mut World, req: &Req) -> Resp {
    match layouts_of(world, req.param("dashboard_layout_id")) {
        Some(mut list) => Resp::json(list[0]["dashboard_layout_components"].take()),
        None => Resp::not_found(),
    }
}

/// A component and its layout's id, found through its tile.
fn find_component(world: &World, id: &str) -> Option<Value> {
    let tile = world.dashboard_elements.get(id)?;
    let dashboard = tile["dashboard_id"].as_str()?;
    let layouts = layouts_of(world, dashboard)?;
    layouts[0]["dashboard_layout_components"]
        .as_array()?
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
}

fn component(world: &mut World, req: &Req) -> Resp {
    find_component(world, req.param("dashboard_layout_component_id"))
        .map_or_else(Resp::not_found, Resp::json)
}

fn update_component(world: &mut World, req: &Req) -> Resp {
    let id = req.param("dashboard_layout_component_id").to_string();
    if find_component(world, &id).is_none() {
        return Resp::not_found();
    }
    let body = req.body_object();
    let mut errors = Vec::new();
    let mut placed: Map<String, Value> = Map::new();
    for (key, value) in &body {
        if !PLACEMENT.contains(&key.as_str()) {
            continue;
        }
        match value.as_i64() {
            Some(n) if n >= 0 => {
                placed.insert(key.clone(), n.into());
            }
            _ => errors.push((
                key.as_str(),
                "invalid",
                format!("{key} must be a whole number >= 0"),
            )),
        }
    }
    if !errors.is_empty() {
        return Resp::validation("Validation Failed", &errors);
    }
    let store = positions(world);
    let mut merged = store
        .get(&id)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    merged.extend(placed);
    merged.insert("id".into(), id.clone().into());
    store.insert(merged);
    find_component(world, &id).map_or_else(Resp::not_found, Resp::json)
}

//! Dashboard layouts: where each tile sits. A dashboard's active layout lists a component per
//! tile (`row`, `column`, `width`, `height` on Looker's 24-column grid); placing a tile changes
//! its component (`PATCH /dashboard_layout_components/{id}`).

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The layout tools, declared beside their handlers.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "get_dashboard_layout",
            "Show where a dashboard's tiles sit",
            GET_DASHBOARD_LAYOUT,
        )
        .schema(schema::object().required(
            "dashboard_id",
            Ty::Str,
            "Id of the dashboard, e.g. `17` (from `list_dashboards`).",
        ))
        .handler(get_dashboard_layout),
        Tool::overwriter(
            "update_dashboard_layout_component",
            "Move or resize a dashboard tile",
            UPDATE_DASHBOARD_LAYOUT_COMPONENT,
        )
        .schema(
            schema::object()
                .required(
                    "component_id",
                    Ty::Str,
                    "Id of the tile's layout component (from `get_dashboard_layout`).",
                )
                .optional(
                    "row",
                    Ty::Int.min(0),
                    "Top edge, in grid rows from the top (0 is the first row).",
                )
                .optional(
                    "column",
                    Ty::Int.min(0).max(GRID_COLUMNS - 1),
                    "Left edge, 0 to 23 on the 24-column grid.",
                )
                .optional(
                    "width",
                    Ty::Int.min(1).max(GRID_COLUMNS),
                    "Width in grid columns (24 is the full width).",
                )
                .optional("height", Ty::Int.min(1), "Height in grid rows."),
        )
        .handler(update_dashboard_layout_component),
    ]
}

const GET_DASHBOARD_LAYOUT: &str = "\
Shows where each tile of a dashboard sits: the active layout's components (component id, \
tile id and title, chart type, `row`, `column`, `width`, `height` on Looker's 24-column grid), \
in reading order. Use it before moving tiles with `update_dashboard_layout_component`.";

const UPDATE_DASHBOARD_LAYOUT_COMPONENT: &str = "\
Moves or resizes one dashboard tile: sets its layout component's `row`, `column`, `width` \
and/or `height` on the 24-column grid (only those given change) and returns the new placement. \
Get component ids from `get_dashboard_layout`. Example: {\"component_id\": \"12\", \"row\": 0, \
\"column\": 0, \"width\": 24, \"height\": 8}.";

/// Columns of Looker's dashboard grid.
const GRID_COLUMNS: i64 = 24;

/// A component as the tools show it.
fn component(c: &Value) -> Value {
    json!({
        "id": c["id"],
        "dashboard_element_id": c["dashboard_element_id"],
        "title": c["element_title"],
        "vis_type": c["vis_type"],
        "row": c["row"],
        "column": c["column"],
        "width": c["width"],
        "height": c["height"],
    })
}

/// `get_dashboard_layout` arguments.
#[derive(Deserialize)]
pub struct LayoutArgs {
    dashboard_id: String,
}

/// `GET /dashboards/{id}/dashboard_layouts` → the active layout and its components, in reading
/// order (by row, then column).
pub fn get_dashboard_layout(args: LayoutArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let layouts: Value = Request::get(path!("/dashboards/{}/dashboard_layouts", args.dashboard_id))
        .send()?
        .json()?;
    let list = layouts.as_array().cloned().unwrap_or_default();
    let Some(layout) = list
        .iter()
        .find(|l| l["active"] == true)
        .or_else(|| list.first())
    else {
        return Err(ToolError::internal(format!(
            "Looker returned no layout for dashboard {}",
            args.dashboard_id
        )));
    };
    let mut components: Vec<Value> = layout["dashboard_layout_components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["deleted"] != true)
        .map(component)
        .collect();
    components.sort_by_key(|c| (c["row"].as_i64(), c["column"].as_i64()));
    Ok(json!({
        "dashboard_id": args.dashboard_id,
        "layout_id": layout["id"],
        "type": layout["type"],
        "grid_columns": GRID_COLUMNS,
        "components": components,
    }))
}

/// `update_dashboard_layout_component` arguments.
#[derive(Deserialize)]
pub struct PlaceArgs {
    component_id: String,
    #[serde(default)]
    row: Option<i64>,
    #[serde(default)]
    column: Option<i64>,
    #[serde(default)]
    width: Option<i64>,
    #[serde(default)]
    height: Option<i64>,
}

/// The PATCH body: the placement given, checked against the grid.
fn placement(args: &PlaceArgs) -> Result<Value, ToolError> {
    let mut body = Map::new();
    for (key, value, min) in [
        ("row", args.row, 0),
        ("column", args.column, 0),
        ("width", args.width, 1),
        ("height", args.height, 1),
    ] {
        if let Some(v) = value {
            if v < min {
                return Err(ToolError::invalid_arguments(format!(
                    "`{key}` must be at least {min}"
                )));
            }
            body.insert(key.to_owned(), v.into());
        }
    }
    if body.is_empty() {
        return Err(ToolError::invalid_arguments(
            "nothing to change: give `row`, `column`, `width` or `height`",
        ));
    }
    if let (Some(column), Some(width)) = (args.column, args.width)
        && column + width > GRID_COLUMNS
    {
        return Err(ToolError::invalid_arguments(format!(
            "`column` + `width` is {}, past the {GRID_COLUMNS}-column grid",
            column + width
        )));
    }
    if args.column.is_some_and(|c| c >= GRID_COLUMNS)
        || args.width.is_some_and(|w| w > GRID_COLUMNS)
    {
        return Err(ToolError::invalid_arguments(format!(
            "the grid has {GRID_COLUMNS} columns: `column` is 0 to {}, `width` at most {GRID_COLUMNS}",
            GRID_COLUMNS - 1
        )));
    }
    Ok(Value::Object(body))
}

/// `PATCH /dashboard_layout_components/{id}` with the placement given.
pub fn update_dashboard_layout_component(
    args: PlaceArgs,
    _ctx: &Context,
) -> Result<Value, ToolError> {
    let body = placement(&args)?;
    let c: Value = Request::patch(path!("/dashboard_layout_components/{}", args.component_id))
        .body(&body)
        .send()?
        .json()?;
    Ok(component(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(placement_args: Value) -> Result<Value, ToolError> {
        let mut args = json!({"component_id": "1"});
        args.as_object_mut()
            .unwrap()
            .extend(placement_args.as_object().unwrap().clone());
        placement(&serde_json::from_value(args).unwrap())
    }

    #[test]
    fn placements_stay_on_the_grid() {
        assert_eq!(
            place(json!({"row": 0, "width": 8})).unwrap(),
            json!({"row": 0, "width": 8})
        );
        assert!(
            place(json!({}))
                .unwrap_err()
                .to_string()
                .contains("nothing to change")
        );
        assert!(
            place(json!({"column": 20, "width": 8}))
                .unwrap_err()
                .to_string()
                .contains("past the 24-column grid")
        );
        assert!(
            place(json!({"height": 0}))
                .unwrap_err()
                .to_string()
                .contains("`height` must be at least 1")
        );
    }
}

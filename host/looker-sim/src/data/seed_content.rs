//! Seed content: queries, looks, two dashboards (with every kind of element Looker has) and a
//! SQL Runner query.

use serde_json::{Map, Value, json};

use super::content::store_query;
use super::{SEED_TIME, WEB_URL, obj};
use crate::state::World;

pub(super) fn seed(world: &mut World) {
    let q = |model: &str, view: &str, fields: &[&str], sorts: &[&str], limit: &str| {
        obj(
            json!({ "model": model, "view": view, "fields": fields, "sorts": sorts, "limit": limit,
                    "filters": {}, "vis_config": { "type": "looker_column" } }),
        )
    };
    let q1 = q(
        "ecommerce",
        "orders",
        &["orders.status", "orders.count"],
        &["orders.count desc"],
        "500",
    );
    let q2 = q(
        "ecommerce",
        "orders",
        &["orders.created_date", "orders.total_revenue"],
        &[],
        "100",
    );
    let q3 = q(
        "ecommerce",
        "orders",
        &["orders.region", "orders.count"],
        &[],
        "500",
    );
    let q4 = q(
        "marketing",
        "campaigns",
        &["campaigns.channel", "campaigns.total_spend"],
        &[],
        "500",
    );
    for body in [q1, q2, q3, q4] {
        store_query(world, &body);
    }

    for (id, title, description, query_id, folder_id, user_id, user_name) in [
        (
            "1",
            "Orders by status",
            "How many orders are in each status",
            "1",
            "6",
            "1",
            "Ada Admin",
        ),
        (
            "2",
            "Orders by region",
            "Order counts per sales region",
            "3",
            "4",
            "2",
            "Alice Analyst",
        ),
    ] {
        world.looks.insert(look(
            id,
            title,
            description,
            query_id,
            folder_id,
            user_id,
            user_name,
        ));
    }

    for (id, title, folder_id, user_id) in [
        ("1", "Sales overview", "6", "1"),
        ("2", "Marketing spend", "1", "2"),
    ] {
        world.dashboards.insert(obj(json!({
            "id": id, "title": title, "description": format!("{title} (simulated)"), "folder_id": folder_id,
            "user_id": user_id, "hidden": false, "readonly": false, "deleted": false, "deleted_at": null,
            "deleter_id": null, "slug": format!("sim{id}"), "preferred_viewer": "dashboards-next",
            "query_timezone": "", "refresh_interval": null, "refresh_interval_to_i": null,
            "model": null, "certification_metadata": null, "content_favorite_id": null,
            "content_metadata_id": id, "created_at": SEED_TIME, "updated_at": SEED_TIME,
            "last_accessed_at": null, "last_viewed_at": null, "last_updater_id": user_id,
            "last_updater_name": null, "user_name": null, "view_count": 3, "favorite_count": 0,
            "load_configuration": "wait", "lookml_link_id": null, "show_filters_bar": true,
            "show_title": true, "crossfilter_enabled": false, "filters_bar_collapsed": false,
            "filters_location_top": true, "background_color": null, "text_tile_text_color": null,
            "tile_background_color": null, "tile_text_color": null, "title_color": null,
            "alert_sync_with_dashboard_filter_enabled": false, "chat_enabled": false,
            "enable_viz_full_screen": true, "appearance": null, "usage_count": 3,
            "is_owner_disabled": false, "preserve_desktop_layout": false, "download_settings": null,
            "edit_uri": format!("/dashboards/{id}/edit"), "url": format!("/dashboards/{id}"),
            "can": { "index": true, "show": true, "create": true, "update": true, "destroy": true,
                     "run": true, "download": true, "explore": true },
        })));
    }

    let rm = |id: &str, query_id: Option<&str>, sql: Option<&str>, vis: &str| {
        json!({ "id": id, "query_id": query_id, "sql_query_id": sql, "dynamic_fields": null,
                "filterables": [], "sorts": [], "merge_result_id": null, "total": false,
                "vis_config": { "type": vis } })
    };
    let elements = [
        // A tile with its own query.
        element(
            "1",
            "1",
            "vis",
            "Revenue over time",
            Some("2"),
            None,
            rm("1", Some("2"), None, "looker_line"),
        ),
        // Query reachable only through result_maker.query_id.
        element(
            "2",
            "1",
            "vis",
            "Orders by region",
            None,
            None,
            rm("2", Some("3"), None, "looker_bar"),
        ),
        // A SQL Runner tile: no Looker query, only a SQL Runner slug.
        element(
            "3",
            "1",
            "vis",
            "Top customers (SQL Runner)",
            None,
            None,
            rm("3", None, Some("SqlRun1"), "looker_grid"),
        ),
        // A tile that shows a saved look.
        element(
            "4",
            "1",
            "vis",
            "Orders by status",
            None,
            Some("1"),
            rm("4", Some("1"), None, "looker_column"),
        ),
        element("5", "1", "text", "Notes", None, None, Value::Null),
        element(
            "6",
            "2",
            "vis",
            "Spend by channel",
            Some("4"),
            None,
            rm("6", Some("4"), None, "looker_pie"),
        ),
    ];
    for e in elements {
        world.dashboard_elements.insert(e);
    }
    world.dashboard_filters.insert(obj(json!({
        "id": "1", "dashboard_id": "1", "name": "Region", "title": "Region", "type": "field_filter",
        "default_value": "", "model": "ecommerce", "explore": "orders", "dimension": "orders.region",
        "field": null, "listens_to_filters": [], "allow_multiple_values": true, "required": false,
        "row": 0, "ui_config": { "type": "tag_list", "display": "popover" }, "can": {},
    })));
    world.sql_queries.insert(sql_query(
        "SqlRun1",
        "thelook",
        "SELECT email, COUNT(*) AS orders FROM ecommerce.orders GROUP BY 1 ORDER BY 2 DESC LIMIT 10",
        Some("3"),
    ));
}

/// A `SqlQuery` object.
pub(crate) fn sql_query(
    slug: &str,
    connection: &str,
    sql: &str,
    result_maker_id: Option<&str>,
) -> Map<String, Value> {
    obj(json!({
        "slug": slug, "sql": sql, "last_runtime": 0.12, "run_count": 1, "browser_limit": 500,
        "last_run_at": SEED_TIME, "model_name": null, "plaintext": false,
        "connection": { "name": connection, "dialect": null, "snippets": [], "pdts_enabled": true, "can": {} },
        "creator": { "id": "1", "first_name": "Ada", "last_name": "Admin", "display_name": "Ada Admin" },
        "explore_url": format!("/sql/{slug}"), "vis_config": { "type": "looker_grid" },
        "result_maker_id": result_maker_id, "can": { "run": true },
    }))
}

fn look(
    id: &str,
    title: &str,
    description: &str,
    query_id: &str,
    folder_id: &str,
    user_id: &str,
    user_name: &str,
) -> Map<String, Value> {
    obj(json!({
        "id": id, "title": title, "description": description, "query_id": query_id,
        "folder_id": folder_id, "user_id": user_id, "user_name": user_name,
        "content_metadata_id": id, "certification_metadata": null, "content_favorite_id": null,
        "created_at": SEED_TIME, "updated_at": SEED_TIME, "deleted": false, "deleted_at": null,
        "deleter_id": null, "embed_url": format!("{WEB_URL}/embed/looks/{id}"),
        "excel_file_url": format!("{WEB_URL}/looks/{id}.xlsx"),
        "google_spreadsheet_formula": format!("=IMPORTDATA(\"{WEB_URL}/looks/{id}.csv\")"),
        "image_embed_url": format!("{WEB_URL}/embed/looks/{id}.png"),
        "favorite_count": 0, "view_count": 5, "usage_count": 5, "is_run_on_load": false,
        "last_accessed_at": null, "last_updater_id": user_id, "last_viewed_at": null,
        "model": { "id": "ecommerce", "label": "Ecommerce" }, "public": false, "public_slug": null,
        "public_url": null, "short_url": format!("/looks/{id}"), "is_owner_disabled": false,
        "can": { "index": true, "show": true, "copy": true, "run": true, "create": true,
                 "move": true, "update": true, "destroy": true, "explore": true },
    }))
}

fn element(
    id: &str,
    dashboard_id: &str,
    ty: &str,
    title: &str,
    query_id: Option<&str>,
    look_id: Option<&str>,
    result_maker: Value,
) -> Map<String, Value> {
    let text = ty == "text";
    obj(json!({
        "id": id, "dashboard_id": dashboard_id, "type": ty, "title": if text { Value::Null } else { title.into() },
        "title_hidden": false, "title_text": if text { Value::from(title) } else { Value::Null },
        "subtitle_text": null, "body_text": if text { Value::from("Numbers here are simulated.") } else { Value::Null },
        "note_display": null, "note_state": null, "note_text": null, "query_id": query_id,
        "look_id": look_id, "merge_result_id": null, "result_maker_id": result_maker.get("id").cloned(),
        "result_maker": result_maker, "refresh_interval": null, "refresh_interval_to_i": null,
        "dashboard_layout_id": dashboard_id, "filter_id": null, "lookml_link_id": null,
        "alert_count": 0, "rich_content_json": null, "extension_id": null, "aria_description": null,
        "certification_metadata": null, "edit_uri": format!("/dashboards/{dashboard_id}/edit"),
        "can": { "index": true, "show": true, "create": true, "update": true, "destroy": true },
    }))
}

//! Dashboard tiles and filters (create), LookML dashboard search, signed embed URLs for the
//! caller, the API versions document and the content validator.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::{Route, list_response};
use crate::data::{WEB_URL, store_query};
use crate::http::{Req, Resp};
use crate::listing::search;
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[
    Route::new("POST", "/dashboard_elements", create_element),
    Route::new("POST", "/dashboard_filters", create_filter),
    Route::new("GET", "/dashboards/lookml/search", search_lookml_dashboards),
    Route::new("POST", "/embed/token_url/me", embed_url_as_me),
    Route::new("GET", "/versions", versions),
    Route::new("GET", "/content_validation", content_validation),
];

fn text(body: &Map<String, Value>, key: &str) -> Option<String> {
    match body.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

fn create_element(world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    let Some(dashboard_id) = text(&body, "dashboard_id") else {
        return Resp::validation(
            "Validation Failed",
            &[("dashboard_id", "missing", "dashboard_id is required".into())],
        );
    };
    if world
        .dashboards
        .get(&dashboard_id)
        .is_none_or(|d| d["deleted"] == true)
    {
        return Resp::not_found();
    }
    let look_id = text(&body, "look_id");
    if let Some(l) = &look_id
        && world.looks.get(l).is_none()
    {
        return Resp::not_found();
    }
    let mut query_id = text(&body, "query_id");
    if let Some(q) = &query_id
        && world.queries.get(q).is_none()
    {
        return Resp::not_found();
    }
    if let Some(Value::Object(q)) = body.get("query") {
        let stored = store_query(world, q);
        query_id = stored["id"].as_str().map(str::to_string);
    }
    let merge_result_id = text(&body, "merge_result_id");
    if let Some(m) = &merge_result_id
        && super::merge_queries::merge_queries(world).get(m).is_none()
    {
        return Resp::not_found();
    }
    let kind = text(&body, "type").unwrap_or_else(|| "vis".into());
    let vis = query_id
        .as_deref()
        .and_then(|q| world.queries.get(q))
        .map(|q| q["vis_config"].clone())
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({"type": "looker_column"}));
    let result_maker_query = query_id.clone().or_else(|| {
        look_id
            .as_deref()
            .and_then(|l| world.looks.get(l))
            .and_then(|l| l["query_id"].as_str().map(str::to_string))
    });
    let mut element: Map<String, Value> = json!({
        "dashboard_id": dashboard_id, "type": kind, "title": body.get("title").cloned().unwrap_or(Value::Null),
        "title_hidden": false, "title_text": body.get("title_text").cloned().unwrap_or(Value::Null),
        "subtitle_text": body.get("subtitle_text").cloned().unwrap_or(Value::Null),
        "body_text": body.get("body_text").cloned().unwrap_or(Value::Null),
        "note_display": null, "note_state": null, "note_text": null,
        "query_id": query_id, "look_id": look_id, "merge_result_id": merge_result_id,
        "refresh_interval": null, "refresh_interval_to_i": null, "dashboard_layout_id": dashboard_id,
        "filter_id": null, "lookml_link_id": null, "alert_count": 0, "rich_content_json": null,
        "extension_id": null, "aria_description": null, "certification_metadata": null,
        "edit_uri": format!("/dashboards/{dashboard_id}/edit"),
        "can": { "index": true, "show": true, "create": true, "update": true, "destroy": true },
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    let stored = world.dashboard_elements.insert(element.clone());
    let id = stored["id"].as_str().unwrap_or_default().to_string();
    let result_maker = if kind == "text" {
        Value::Null
    } else {
        json!({ "id": id, "query_id": result_maker_query, "sql_query_id": null, "dynamic_fields": null,
                "filterables": [], "sorts": [], "merge_result_id": stored["merge_result_id"], "total": false, "vis_config": vis })
    };
    element.insert("result_maker_id".into(), result_maker["id"].clone());
    element.insert("result_maker".into(), result_maker);
    element.insert("id".into(), id.clone().into());
    let stored = world.dashboard_elements.insert(element);
    let mut out = stored.clone();
    out["query"] = stored["query_id"]
        .as_str()
        .and_then(|q| world.queries.get(q))
        .cloned()
        .unwrap_or(Value::Null);
    out["look"] = stored["look_id"]
        .as_str()
        .and_then(|l| world.looks.get(l))
        .cloned()
        .unwrap_or(Value::Null);
    Resp::json(out)
}

const FILTER_TYPES: &[&str] = &[
    "field",
    "date",
    "number",
    "string",
    "field_filter",
    "date_filter",
    "number_filter",
    "string_filter",
];

fn create_filter(world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    let missing: Vec<(&str, &str, String)> = ["dashboard_id", "name", "title", "type"]
        .iter()
        .filter(|k| text(&body, k).is_none())
        .map(|k| (*k, "missing", format!("{k} is required")))
        .collect();
    if !missing.is_empty() {
        return Resp::validation("Validation Failed", &missing);
    }
    let get = |k: &str| text(&body, k).unwrap_or_default();
    let dashboard_id = get("dashboard_id");
    if world
        .dashboards
        .get(&dashboard_id)
        .is_none_or(|d| d["deleted"] == true)
    {
        return Resp::not_found();
    }
    let kind = get("type");
    if !FILTER_TYPES.contains(&kind.as_str()) {
        return Resp::validation(
            "Validation Failed",
            &[(
                "type",
                "invalid",
                format!("{kind} is not a filter type (date, number, string or field)"),
            )],
        );
    }
    if kind.starts_with("field") {
        let (model, explore, dimension) = (get("model"), get("explore"), get("dimension"));
        if model.is_empty() || explore.is_empty() || dimension.is_empty() {
            return Resp::validation(
                "Validation Failed",
                &[(
                    "dimension",
                    "missing",
                    "model, explore and dimension are required for a field filter".into(),
                )],
            );
        }
        let known = world
            .explores
            .get(&(model.clone(), explore.clone()))
            .is_some_and(|e| {
                e["fields"]["dimensions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|f| f["name"] == dimension.as_str())
            });
        if !known {
            return Resp::validation(
                "Validation Failed",
                &[(
                    "dimension",
                    "invalid",
                    format!("Unknown field \"{dimension}\" in explore \"{model}::{explore}\""),
                )],
            );
        }
    }
    let name = get("name");
    let taken = world
        .dashboard_filters
        .list()
        .iter()
        .any(|f| f["dashboard_id"] == dashboard_id.as_str() && f["name"] == name.as_str());
    if taken {
        return Resp::error(
            StatusCode::CONFLICT,
            format!("A filter named \"{name}\" already exists on this dashboard."),
        );
    }
    let row = world
        .dashboard_filters
        .list()
        .iter()
        .filter(|f| f["dashboard_id"] == dashboard_id.as_str())
        .count();
    let filter: Map<String, Value> = json!({
        "dashboard_id": dashboard_id, "name": name, "title": get("title"), "type": kind,
        "default_value": body.get("default_value").cloned().unwrap_or(Value::Null),
        "model": body.get("model").cloned().unwrap_or(Value::Null),
        "explore": body.get("explore").cloned().unwrap_or(Value::Null),
        "dimension": body.get("dimension").cloned().unwrap_or(Value::Null),
        "field": null, "row": body.get("row").cloned().unwrap_or(json!(row)),
        "listens_to_filters": body.get("listens_to_filters").cloned().unwrap_or(json!([])),
        "allow_multiple_values": body.get("allow_multiple_values").cloned().unwrap_or(json!(true)),
        "required": body.get("required").cloned().unwrap_or(json!(false)),
        "ui_config": body.get("ui_config").cloned().unwrap_or(Value::Null),
        "can": {},
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    Resp::json(world.dashboard_filters.insert(filter))
}

/// LookML dashboards (read-only, defined in the projects' LookML).
fn lookml_dashboards() -> Vec<Value> {
    [
        (
            "ecommerce::executive_summary",
            "Executive summary",
            "Revenue, orders and customers at a glance",
            "ecommerce",
        ),
        (
            "ecommerce::order_operations",
            "Order operations",
            "Order status and fulfilment by region",
            "ecommerce",
        ),
        (
            "marketing::channel_performance",
            "Channel performance",
            "Spend and conversions per marketing channel",
            "marketing",
        ),
    ]
    .iter()
    .map(|(id, title, description, model)| {
        json!({
            "id": id, "dashboard_id": id, "title": title, "description": description,
            "folder_id": "lookml", "folder": {"id": "lookml", "name": "LookML Dashboards"},
            "model": model, "user_id": null, "readonly": true, "hidden": false,
            "lookml": null, "url": format!("/dashboards/{id}"), "can": {"show": true},
        })
    })
    .collect()
}

const LOOKML_SEARCHABLE: &[(&str, &str)] = &[
    ("title", "title"),
    ("folder_id", "folder_id"),
    ("content_favorite_id", "content_favorite_id"),
];

fn search_lookml_dashboards(_world: &mut World, req: &Req) -> Resp {
    list_response(search(lookml_dashboards(), req, LOOKML_SEARCHABLE), req)
}

/// `POST /embed/token_url/me`: `target_url` must be a full URL on this instance.
fn embed_url_as_me(world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    let Some(target) = text(&body, "target_url") else {
        return Resp::validation(
            "Validation Failed",
            &[("target_url", "missing", "target_url is required".into())],
        );
    };
    let Some(path) = target.strip_prefix(WEB_URL).filter(|p| p.starts_with('/')) else {
        return Resp::validation(
            "Validation Failed",
            &[(
                "target_url",
                "invalid",
                format!("target_url must be a URL on {WEB_URL}"),
            )],
        );
    };
    let nonce = world.rng.alnum(24);
    let length = body
        .get("session_length")
        .and_then(Value::as_i64)
        .unwrap_or(300);
    let user = req.caller().user_id.clone();
    let url = format!(
        "{WEB_URL}/login/embed/{}?t={nonce}&u={user}&session_length={length}",
        percent(&format!("/embed{path}"))
    );
    Resp::json(json!({ "url": url }))
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn versions(_world: &mut World, _req: &Req) -> Resp {
    Resp::json(json!({
        "looker_release_version": "25.20.0",
        "current_version": { "version": "4.0", "full_version": "4.0.25.20", "status": "current",
                             "swagger_url": format!("{WEB_URL}:19999/api/4.0/swagger.json") },
        "supported_versions": [{ "version": "4.0", "full_version": "4.0.25.20", "status": "current",
                                 "swagger_url": format!("{WEB_URL}:19999/api/4.0/swagger.json") }],
        "api_server_url": format!("{WEB_URL}:19999"),
        "web_server_url": WEB_URL,
    }))
}

/// Problems of one query against the LookML: an unknown explore, or unknown fields.
fn query_errors(world: &World, query_id: Option<&str>) -> Vec<Value> {
    let Some(q) = query_id.and_then(|id| world.queries.get(id)) else {
        return Vec::new();
    };
    let model = q["model"].as_str().unwrap_or_default();
    let view = q["view"].as_str().unwrap_or_default();
    let error = |message: String, field: Option<&str>| {
        json!({"message": message, "field_name": field, "model_name": model,
               "explore_name": view, "removable": field.is_some()})
    };
    let Some(explore) = world.explores.get(&(model.to_string(), view.to_string())) else {
        return vec![error(format!("Unknown explore \"{model}::{view}\""), None)];
    };
    let known = |name: &str| {
        ["dimensions", "measures", "filters", "parameters"]
            .iter()
            .any(|k| {
                explore["fields"][*k]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|f| f["name"] == name)
            })
    };
    let mut names: Vec<String> = q["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    if let Some(filters) = q["filters"].as_object() {
        names.extend(filters.keys().cloned());
    }
    names
        .iter()
        .filter(|n| !known(n))
        .map(|n| error(format!("Unknown field \"{n}\""), Some(n)))
        .collect()
}

fn folder_of(world: &World, id: &Value) -> Value {
    id.as_str()
        .and_then(|f| world.folders.get(f))
        .map(|f| json!({"id": f["id"], "name": f["name"]}))
        .unwrap_or(Value::Null)
}

fn content_validation(world: &mut World, _req: &Req) -> Resp {
    let mut broken = Vec::new();
    let looks: Vec<&Value> = world
        .looks
        .list()
        .iter()
        .filter(|l| l["deleted"] != true)
        .collect();
    for l in &looks {
        let errors = query_errors(world, l["query_id"].as_str());
        if !errors.is_empty() {
            broken.push(json!({
                "id": format!("look-{}", l["id"].as_str().unwrap_or_default()),
                "look": {"id": l["id"], "title": l["title"], "short_url": l["short_url"],
                         "folder": folder_of(world, &l["folder_id"])},
                "errors": errors,
            }));
        }
    }
    let live: Vec<&Value> = world
        .dashboards
        .list()
        .iter()
        .filter(|d| d["deleted"] != true)
        .collect();
    let mut elements = 0;
    let mut filters = 0;
    let mut explores = std::collections::BTreeSet::new();
    for d in &live {
        let id = d["id"].as_str().unwrap_or_default();
        let dashboard = json!({"id": d["id"], "title": d["title"], "description": d["description"],
                               "url": d["url"], "folder": folder_of(world, &d["folder_id"])});
        for e in world
            .dashboard_elements
            .list()
            .iter()
            .filter(|e| e["dashboard_id"] == id)
        {
            elements += 1;
            let query_id = e["query_id"]
                .as_str()
                .or_else(|| e["result_maker"]["query_id"].as_str());
            if let Some(q) = query_id.and_then(|q| world.queries.get(q)) {
                explores.insert(format!("{}::{}", q["model"], q["view"]));
            }
            let errors = query_errors(world, query_id);
            if !errors.is_empty() {
                broken.push(json!({
                    "id": format!("dashboard_element-{}", e["id"].as_str().unwrap_or_default()),
                    "dashboard": dashboard,
                    "dashboard_element": {"id": e["id"], "dashboard_id": d["id"], "title": e["title"],
                                          "type": e["type"], "look_id": e["look_id"], "query_id": query_id},
                    "errors": errors,
                }));
            }
        }
        filters += world
            .dashboard_filters
            .list()
            .iter()
            .filter(|f| f["dashboard_id"] == id)
            .count();
    }
    for l in &looks {
        if let Some(q) = l["query_id"].as_str().and_then(|q| world.queries.get(q)) {
            explores.insert(format!("{}::{}", q["model"], q["view"]));
        }
    }
    // The schedules of `scheduled_plans.rs` (two seeded ones until that collection is touched).
    let scheduled_plans = world
        .extra
        .get("scheduled_plans")
        .map_or(2, |c| c.list().len());
    Resp::json(json!({
        "content_with_errors": broken,
        "computation_time": 0.42,
        "total_looks_validated": looks.len(),
        "total_dashboard_elements_validated": elements,
        "total_dashboard_filters_validated": filters,
        "total_scheduled_plans_validated": scheduled_plans,
        "total_alerts_validated": 0,
        "total_explores_validated": explores.len(),
    }))
}

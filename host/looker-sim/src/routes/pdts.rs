//! Datagroups and persistent derived tables: builds (started, checked and stopped with GETs, as
//! in Looker) and dependency graphs in DOT.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::{Route, csv_param, found, list_response};
use crate::http::{Req, Resp};
use crate::state::{Collection, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/datagroups", all_datagroups),
    Route::new("GET", "/datagroups/{datagroup_id}", datagroup),
    Route::new("PATCH", "/datagroups/{datagroup_id}", update_datagroup),
    Route::new(
        "GET",
        "/derived_table/{model_name}/{view_name}/start",
        start_build,
    ),
    Route::new(
        "GET",
        "/derived_table/{materialization_id}/status",
        build_status,
    ),
    Route::new(
        "GET",
        "/derived_table/{materialization_id}/stop",
        stop_build,
    ),
    Route::new("GET", "/derived_table/graph/model/{model}", model_graph),
    Route::new("GET", "/derived_table/graph/view/{view}", view_graph),
];

/// PDTs per model: `(view, depends on)`.
const PDTS: &[(&str, &str, &[&str])] = &[
    ("ecommerce", "user_facts", &[]),
    ("ecommerce", "orders_rollup", &["user_facts"]),
    ("marketing", "campaign_facts", &[]),
];

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn seed_datagroups() -> Vec<Map<String, Value>> {
    [
        ("1", "ecommerce", "orders_datagroup", "2024-01-15 09:00:00"),
        ("2", "ecommerce", "daily_etl", "2024-01-15"),
        ("3", "marketing", "campaigns_datagroup", "42"),
    ]
    .into_iter()
    .map(|(id, model, name, value)| {
        crate::data::obj(json!({
            "id": id, "model_name": model, "name": name, "created_at": 1_705_311_000,
            "stale_before": 0, "trigger_check_at": 1_705_311_000, "trigger_error": null,
            "trigger_value": value, "triggered_at": 1_705_311_000,
            "can": {"show": true, "update": true},
        }))
    })
    .collect()
}

fn datagroups(world: &mut World) -> &mut Collection {
    world.collection("datagroups", "id", seed_datagroups)
}

fn all_datagroups(world: &mut World, req: &Req) -> Resp {
    let items = datagroups(world).list().to_vec();
    list_response(items, req)
}

fn datagroup(world: &mut World, req: &Req) -> Resp {
    let id = req.param("datagroup_id").to_string();
    found(datagroups(world).get(&id).cloned())
}

fn update_datagroup(world: &mut World, req: &Req) -> Resp {
    let id = req.param("datagroup_id").to_string();
    if datagroups(world).get(&id).is_none() {
        return Resp::not_found();
    }
    let body = req.body_object();
    let mut changes = Map::new();
    for key in ["stale_before", "triggered_at"] {
        if let Some(v) = body.get(key) {
            let Some(at) = v.as_u64() else {
                return Resp::validation(
                    "Validation Failed",
                    &[(key, "invalid", "must be a UNIX timestamp".into())],
                );
            };
            if at > now() + 60 {
                return Resp::validation(
                    "Validation Failed",
                    &[(key, "invalid", "Cannot be in the future".into())],
                );
            }
            changes.insert(key.to_string(), v.clone());
        }
    }
    found(datagroups(world).patch(&id, &changes))
}

fn builds(world: &mut World) -> &mut Collection {
    world.collection("pdt_builds", "materialization_id", Vec::new)
}

fn start_build(world: &mut World, req: &Req) -> Resp {
    let (model, view) = (req.param("model_name"), req.param("view_name"));
    if world.models.get(model).is_none() {
        return Resp::not_found();
    }
    if !PDTS.iter().any(|(m, v, _)| *m == model && *v == view) {
        return Resp::bad_request(format!(
            "{view} is not a persistent derived table in model {model}"
        ));
    }
    let workspace = req.query("workspace").unwrap_or("production");
    if !["production", "dev"].contains(&workspace) {
        return Resp::bad_request(format!("Unknown workspace: {workspace}"));
    }
    let id = format!("mat-{}", world.slugs.alnum(10).to_lowercase());
    let flags = ["force_rebuild", "force_full_incremental"]
        .into_iter()
        .filter(|f| req.query(f) == Some("true"))
        .collect::<Vec<_>>()
        .join(",");
    let text = format!(
        "Materialization of {model}::{view} enqueued in {workspace}{}",
        if flags.is_empty() {
            String::new()
        } else {
            format!(" ({flags})")
        }
    );
    builds(world).insert(crate::data::obj(json!({
        "materialization_id": id, "resp_text": text, "state": "running",
        "source": req.query("source"),
    })));
    Resp::json(json!({"materialization_id": id, "resp_text": text}))
}

fn build_status(world: &mut World, req: &Req) -> Resp {
    let id = req.param("materialization_id").to_string();
    let Some(build) = builds(world).get(&id).cloned() else {
        return Resp::not_found();
    };
    let text = match build["state"].as_str() {
        Some("stopped") => "Materialization stopped".to_string(),
        _ => {
            // A build completes by the time anyone checks it.
            let mut done = Map::new();
            done.insert("state".into(), Value::from("complete"));
            builds(world).patch(&id, &done);
            "Materialization complete".to_string()
        }
    };
    Resp::json(json!({"materialization_id": id, "resp_text": text}))
}

fn stop_build(world: &mut World, req: &Req) -> Resp {
    let id = req.param("materialization_id").to_string();
    let Some(build) = builds(world).get(&id).cloned() else {
        return Resp::not_found();
    };
    if build["state"] == "complete" {
        return Resp::json(
            json!({"materialization_id": id, "resp_text": "Materialization already complete; nothing to stop"}),
        );
    }
    let mut stopped = Map::new();
    stopped.insert("state".into(), Value::from("stopped"));
    builds(world).patch(&id, &stopped);
    let by = req.query("source").unwrap_or("api");
    Resp::json(
        json!({"materialization_id": id, "resp_text": format!("Materialization stopped by {by}")}),
    )
}

fn dot(name: &str, pdts: &[&(&str, &str, &[&str])], color: bool) -> String {
    let mut out = format!("digraph \"{name}\" {{\n");
    for (model, view, deps) in pdts {
        let style = if color {
            " [style=filled, fillcolor=\"#8fd18f\"]"
        } else {
            ""
        };
        out.push_str(&format!("  \"{model}::{view}\"{style};\n"));
        for dep in *deps {
            out.push_str(&format!("  \"{model}::{dep}\" -> \"{model}::{view}\";\n"));
        }
    }
    out.push_str("}\n");
    out
}

fn model_graph(world: &mut World, req: &Req) -> Resp {
    let model = req.param("model");
    if world.models.get(model).is_none() {
        return Resp::not_found();
    }
    if req.query("format").is_some_and(|f| f != "dot") {
        return Resp::bad_request("Valid graph formats are: dot");
    }
    let pdts: Vec<_> = PDTS.iter().filter(|(m, _, _)| *m == model).collect();
    let color = req.query("color") == Some("true");
    Resp::json(json!({"graph_text": dot(model, &pdts, color)}))
}

fn view_graph(_world: &mut World, req: &Req) -> Resp {
    let view = req.param("view");
    let models = csv_param(req, "models");
    let workspace = req.query("workspace").unwrap_or("production");
    if !["production", "dev"].contains(&workspace) {
        return Resp::bad_request(format!("Unknown workspace: {workspace}"));
    }
    let related: Vec<_> = PDTS
        .iter()
        .filter(|(m, v, deps)| {
            models
                .as_ref()
                .is_none_or(|list| list.iter().any(|x| x == m))
                && (*v == view || deps.contains(&view))
        })
        .collect();
    if related.is_empty() {
        return Resp::not_found();
    }
    Resp::json(json!({"graph_text": dot(view, &related, false)}))
}

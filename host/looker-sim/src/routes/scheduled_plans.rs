//! Scheduled plans (`ScheduledPlan`), kept in a [`World::collection`]. Destinations get ids;
//! their write-only `secret_parameters` are accepted and never served back.

use serde_json::{Map, Value, json};

use super::{Route, found, now_timestamp};
use crate::data::{SEED_TIME, obj};
use crate::http::{Req, Resp};
use crate::state::{Collection, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/scheduled_plans", list_plans),
    Route::new("POST", "/scheduled_plans", create_plan),
    Route::new("GET", "/scheduled_plans/{scheduled_plan_id}", |w, r| {
        found(plans(w).get(r.param("scheduled_plan_id")).cloned())
    }),
    Route::new("PATCH", "/scheduled_plans/{scheduled_plan_id}", update_plan),
    Route::new(
        "DELETE",
        "/scheduled_plans/{scheduled_plan_id}",
        delete_plan,
    ),
    Route::new(
        "POST",
        "/scheduled_plans/{scheduled_plan_id}/run_once",
        run_once,
    ),
];

/// `WriteScheduledPlan` keys a client may set (destinations are handled apart).
const WRITABLE: &[&str] = &[
    "name",
    "user_id",
    "run_as_recipient",
    "enabled",
    "look_id",
    "dashboard_id",
    "lookml_dashboard_id",
    "filters_string",
    "dashboard_filters",
    "require_results",
    "require_no_results",
    "require_change",
    "send_all_results",
    "crontab",
    "datagroup",
    "timezone",
    "run_once",
    "include_links",
    "include_dashboard_summary",
    "custom_url_base",
    "custom_url_params",
    "custom_url_label",
    "show_custom_url",
    "pdf_paper_size",
    "pdf_landscape",
    "embed",
    "color_theme",
    "long_tables",
    "pdf_page_breaks",
    "tab_ids",
    "inline_table_width",
    "query_id",
];

const TARGETS: [&str; 4] = ["look_id", "dashboard_id", "lookml_dashboard_id", "query_id"];

/// Writable `ScheduledPlanDestination` keys, except the write-only `secret_parameters`.
const DESTINATION_KEYS: &[&str] = &[
    "type",
    "address",
    "format",
    "apply_formatting",
    "apply_vis",
    "parameters",
    "message",
];

fn plans(world: &mut World) -> &mut Collection {
    world.collection("scheduled_plans", "id", seed_plans)
}

fn seed_plans() -> Vec<Map<String, Value>> {
    [
        (
            "1",
            "Weekly sales overview",
            "1",
            "dashboard_id",
            "1",
            "Sales overview",
            "0 9 * * 1",
            "team@example.com",
            "wysiwyg_pdf",
        ),
        (
            "2",
            "Daily orders by region",
            "2",
            "look_id",
            "2",
            "Orders by region",
            "0 7 * * *",
            "alice@example.com",
            "csv",
        ),
    ]
    .into_iter()
    .map(
        |(id, name, owner, target, target_id, title, cron, address, format)| {
            let mut plan = defaults();
            plan.extend(obj(json!({
                "id": id, "name": name, "user_id": owner, (target): target_id, "title": title,
                "crontab": cron, "created_at": SEED_TIME, "updated_at": SEED_TIME,
                "next_run_at": "2024-01-16T09:00:00.000+00:00", "last_run_at": SEED_TIME,
                "scheduled_plan_destination": [{
                    "id": id, "scheduled_plan_id": id, "type": "email", "address": address,
                    "format": format, "apply_formatting": true, "apply_vis": true,
                    "looker_recipient": true, "parameters": null, "message": null,
                }],
            })));
            plan
        },
    )
    .collect()
}

fn defaults() -> Map<String, Value> {
    obj(json!({
        "name": null, "user_id": null, "run_as_recipient": false, "enabled": true,
        "look_id": null, "dashboard_id": null, "lookml_dashboard_id": null, "query_id": null,
        "filters_string": null, "dashboard_filters": null, "require_results": false,
        "require_no_results": false, "require_change": false, "send_all_results": false,
        "crontab": null, "datagroup": null, "timezone": null, "scheduled_plan_destination": [],
        "run_once": false, "include_links": false, "include_dashboard_summary": false,
        "custom_url_base": null, "custom_url_params": null, "custom_url_label": null,
        "show_custom_url": false, "pdf_paper_size": null, "pdf_landscape": false, "embed": false,
        "color_theme": null, "long_tables": false, "pdf_page_breaks": false, "tab_ids": [],
        "inline_table_width": null, "title": null, "user": null, "next_run_at": null,
        "last_run_at": null, "can": { "show": true, "update": true, "destroy": true },
    }))
}

fn invalid(field: &str, message: String) -> Resp {
    Resp::validation("Validation Failed", &[(field, "invalid", message)])
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn list_plans(world: &mut World, req: &Req) -> Resp {
    let caller = req.caller().user_id.clone();
    let all = req.query("all_users") == Some("true") && world.is_admin(&caller);
    let owner = req.query("user_id").map(str::to_string);
    let items: Vec<Value> = plans(world)
        .list()
        .iter()
        .filter(|p| match &owner {
            Some(o) => p["user_id"].as_str() == Some(o.as_str()),
            None => all || p["user_id"].as_str() == Some(caller.as_str()),
        })
        .cloned()
        .collect();
    Resp::json(Value::Array(items))
}

/// Applies a write body to `plan` (checked), including destinations and derived fields.
fn apply(
    world: &mut World,
    plan: &mut Map<String, Value>,
    body: &Map<String, Value>,
    plan_id: &str,
) -> Result<(), Resp> {
    let retarget = TARGETS
        .iter()
        .any(|t| body.get(*t).is_some_and(|v| !v.is_null()));
    if retarget {
        for t in TARGETS {
            plan.insert(t.into(), Value::Null);
        }
    }
    if body.get("crontab").is_some_and(|v| !v.is_null()) {
        plan.insert("datagroup".into(), Value::Null);
    }
    if body.get("datagroup").is_some_and(|v| !v.is_null()) {
        plan.insert("crontab".into(), Value::Null);
    }
    for key in WRITABLE {
        if let Some(v) = body.get(*key) {
            plan.insert((*key).into(), v.clone());
        }
    }
    if let Some(dests) = body.get("scheduled_plan_destination") {
        let Some(dests) = dests.as_array() else {
            return Err(invalid(
                "scheduled_plan_destination",
                "must be an array".into(),
            ));
        };
        let mut stored = Vec::new();
        for (i, d) in dests.iter().enumerate() {
            let mut dest = Map::new();
            for key in DESTINATION_KEYS {
                dest.insert((*key).into(), d.get(*key).cloned().unwrap_or(Value::Null));
            }
            for required in ["type", "format"] {
                if dest.get(required).and_then(text).is_none() {
                    return Err(invalid(
                        "scheduled_plan_destination",
                        format!("destination {i} needs a {required}"),
                    ));
                }
            }
            let address = dest["address"].as_str().unwrap_or_default().to_string();
            let is_user = world
                .users
                .list()
                .iter()
                .any(|u| u["email"].as_str() == Some(address.as_str()));
            dest.insert("id".into(), json!(format!("{plan_id}{:02}", i + 1)));
            dest.insert("scheduled_plan_id".into(), json!(plan_id));
            dest.insert("looker_recipient".into(), json!(is_user));
            stored.push(Value::Object(dest));
        }
        plan.insert("scheduled_plan_destination".into(), Value::Array(stored));
    }
    // Checks on the result.
    if plan.get("name").and_then(text).is_none() {
        return Err(Resp::validation(
            "Validation Failed",
            &[("name", "missing", "name is required".to_string())],
        ));
    }
    let targets: Vec<&str> = TARGETS
        .iter()
        .copied()
        .filter(|t| plan.get(*t).and_then(text).is_some())
        .collect();
    if targets.len() != 1 {
        return Err(invalid(
            "look_id",
            "A scheduled plan needs exactly one of look_id, dashboard_id, lookml_dashboard_id or query_id".into(),
        ));
    }
    if plan.get("crontab").and_then(text).is_some()
        && plan.get("datagroup").and_then(text).is_some()
    {
        return Err(invalid(
            "datagroup",
            "datagroup can't be used in combination with crontab".into(),
        ));
    }
    let target = targets[0];
    let target_id = plan.get(target).and_then(text).unwrap_or_default();
    let title = match target {
        "look_id" => world.looks.get(&target_id).map(|l| l["title"].clone()),
        "dashboard_id" => world.dashboards.get(&target_id).map(|d| d["title"].clone()),
        "query_id" => world
            .queries
            .get(&target_id)
            .map(|_| json!(format!("Query {target_id}"))),
        _ => Some(json!(target_id.clone())),
    };
    let Some(title) = title else {
        return Err(invalid(
            target,
            format!("{target} {target_id} does not exist"),
        ));
    };
    plan.insert("title".into(), title);
    let owner = plan.get("user_id").and_then(text).unwrap_or_default();
    let Some(user) = world.user(&owner) else {
        return Err(invalid("user_id", format!("User {owner} does not exist")));
    };
    plan.insert(
        "user".into(),
        json!({
            "id": owner, "first_name": user["first_name"], "last_name": user["last_name"],
            "display_name": user["display_name"], "avatar_url": user["avatar_url"],
            "url": format!("/api/4.0/users/{owner}"), "can": {},
        }),
    );
    let scheduled =
        plan.get("crontab").and_then(text).is_some() && plan.get("run_once") != Some(&json!(true));
    plan.insert(
        "next_run_at".into(),
        if scheduled {
            json!(now_timestamp())
        } else {
            Value::Null
        },
    );
    plan.insert("updated_at".into(), json!(now_timestamp()));
    Ok(())
}

fn create_plan(world: &mut World, req: &Req) -> Resp {
    let mut body = req.body_object();
    if body.get("user_id").is_none_or(Value::is_null) {
        body.insert("user_id".into(), json!(req.caller().user_id));
    }
    let id = {
        let collection = plans(world);
        let probe = collection.insert(Map::new());
        let id = probe["id"].as_str().unwrap_or_default().to_string();
        collection.remove(&id);
        id
    };
    let mut plan = defaults();
    plan.insert("id".into(), json!(id));
    plan.insert("created_at".into(), json!(now_timestamp()));
    if let Err(resp) = apply(world, &mut plan, &body, &id) {
        return resp;
    }
    Resp::json(plans(world).insert(plan))
}

fn update_plan(world: &mut World, req: &Req) -> Resp {
    let id = req.param("scheduled_plan_id").to_string();
    let Some(Value::Object(mut plan)) = plans(world).get(&id).cloned() else {
        return Resp::not_found();
    };
    if let Err(resp) = apply(world, &mut plan, &req.body_object(), &id) {
        return resp;
    }
    Resp::json(plans(world).insert(plan))
}

fn delete_plan(world: &mut World, req: &Req) -> Resp {
    match plans(world).remove(req.param("scheduled_plan_id")) {
        Some(_) => Resp::no_content(),
        None => Resp::not_found(),
    }
}

/// Looker runs a one-off copy of the plan (with the body's changes) and answers with it.
fn run_once(world: &mut World, req: &Req) -> Resp {
    let id = req.param("scheduled_plan_id").to_string();
    let Some(Value::Object(mut plan)) = plans(world).get(&id).cloned() else {
        return Resp::not_found();
    };
    let run_id = (10_000 + world.rng.next_u64() % 90_000).to_string();
    if let Err(resp) = apply(world, &mut plan, &req.body_object(), &run_id) {
        return resp;
    }
    plan.insert("id".into(), json!(run_id));
    plan.insert("run_once".into(), json!(true));
    plan.insert("next_run_at".into(), Value::Null);
    plan.insert("last_run_at".into(), json!(now_timestamp()));
    Resp::json(Value::Object(plan))
}

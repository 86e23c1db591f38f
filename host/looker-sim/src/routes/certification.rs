//! Certifying content (`PATCH /looks/{id}/certification`, `PATCH /dashboards/{id}/certification`):
//! sets the `certification_metadata` Looker returns with looks and dashboards.

use serde_json::{Value, json};

use super::{Route, now_timestamp};
use crate::data::{compose_dashboard, compose_look};
use crate::http::{Req, Resp};
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[
    Route::new("PATCH", "/looks/{look_id}/certification", certify_look),
    Route::new(
        "PATCH",
        "/dashboards/{dashboard_id}/certification",
        certify_dashboard,
    ),
];

/// The stored metadata for a request's `Certification` body, or Looker's 422.
fn metadata(world: &World, req: &Req) -> Result<Value, Resp> {
    let body = req.body_object();
    let status = body.get("certification_status").and_then(Value::as_str);
    if !matches!(status, Some("certified" | "revoked")) {
        return Err(Resp::validation(
            "Validation Failed",
            &[(
                "certification_status",
                "invalid",
                "certification_status must be certified or revoked".into(),
            )],
        ));
    }
    let user = world
        .user(&req.caller().user_id)
        .and_then(|u| u["display_name"].as_str())
        .unwrap_or_default()
        .to_string();
    Ok(json!({
        "certification_status": status, "notes": body.get("notes").cloned().unwrap_or(Value::Null),
        "user_name": user, "updated_at": now_timestamp(), "ui_status": null,
    }))
}

fn certify_look(world: &mut World, req: &Req) -> Resp {
    let meta = match metadata(world, req) {
        Ok(meta) => meta,
        Err(resp) => return resp,
    };
    let changes = json!({"certification_metadata": meta});
    match world
        .looks
        .patch(req.param("look_id"), changes.as_object().expect("object"))
    {
        Some(look) => Resp::json(compose_look(world, &look, true)),
        None => Resp::not_found(),
    }
}

fn certify_dashboard(world: &mut World, req: &Req) -> Resp {
    let meta = match metadata(world, req) {
        Ok(meta) => meta,
        Err(resp) => return resp,
    };
    let changes = json!({"certification_metadata": meta});
    match world.dashboards.patch(
        req.param("dashboard_id"),
        changes.as_object().expect("object"),
    ) {
        Some(d) => Resp::json(compose_dashboard(world, &d)),
        None => Resp::not_found(),
    }
}

//! API3 login, sudo login, logout, token checks and the per-token API session (workspace).

use std::time::Instant;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::http::{Caller, Req, Resp};
use crate::routes::Route;
use crate::state::{Token, Workspace, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new("POST", "/login", login),
    Route::new("POST", "/login/{user_id}", login_user),
    Route::new("DELETE", "/logout", logout),
    Route::new("GET", "/session", get_session),
    Route::new("PATCH", "/session", update_session),
];

/// Operations that need no token.
pub(crate) fn is_public(method: &str, template: &str) -> bool {
    method == "POST" && template == "/login"
}

/// The caller behind an `Authorization: token <t>` (or `Bearer <t>`) header, if the token is
/// known and not expired.
pub(crate) fn authenticate(world: &World, authorization: Option<&str>) -> Option<Caller> {
    let (scheme, token) = authorization?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("token") && !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    let t = world.tokens.get(token)?;
    (Instant::now() < t.expires_at).then(|| Caller {
        token: token.to_string(),
        user_id: t.user_id.clone(),
        workspace: t.workspace,
    })
}

fn login(world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    let field = |name: &str| -> Option<String> {
        body.get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| req.query(name).map(str::to_string))
    };
    let (Some(id), Some(secret)) = (field("client_id"), field("client_secret")) else {
        return Resp::not_found();
    };
    let Some(user_id) = world
        .api3
        .iter()
        .find(|c| c.client_id == id && c.client_secret == secret)
        .map(|c| c.user_id.clone())
    else {
        return Resp::not_found();
    };
    if user_disabled(world, &user_id) {
        return Resp::not_found();
    }
    issue_token(world, user_id, None)
}

fn login_user(world: &mut World, req: &Req) -> Resp {
    let caller = req.caller();
    if !world.is_admin(&caller.user_id) {
        return Resp::error(
            StatusCode::FORBIDDEN,
            "Forbidden: only admins may log in as another user.",
        );
    }
    let target = req.param("user_id").to_string();
    if world.user(&target).is_none() || user_disabled(world, &target) {
        return Resp::not_found();
    }
    issue_token(world, target.clone(), Some(target))
}

fn user_disabled(world: &World, user_id: &str) -> bool {
    world
        .user(user_id)
        .and_then(|u| u.get("is_disabled"))
        .and_then(Value::as_bool)
        .unwrap_or(true)
}

fn issue_token(world: &mut World, user_id: String, sudo_user_id: Option<String>) -> Resp {
    let token = world.rng.alnum(40);
    let ttl = world.token_ttl;
    world.tokens.insert(
        token.clone(),
        Token {
            user_id,
            workspace: Workspace::Production,
            expires_at: Instant::now() + ttl,
            sudo_user_id,
        },
    );
    Resp::json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": ttl.as_secs(),
        "refresh_token": null,
    }))
}

fn logout(world: &mut World, req: &Req) -> Resp {
    world.tokens.remove(&req.caller().token);
    Resp::no_content()
}

fn session_json(world: &World, token: &str) -> Value {
    let t = world.tokens.get(token);
    json!({
        "can": { "view": true, "update": true },
        "workspace_id": t.map_or("production", |t| t.workspace.as_str()),
        "sudo_user_id": t.and_then(|t| t.sudo_user_id.clone()),
    })
}

fn get_session(world: &mut World, req: &Req) -> Resp {
    Resp::json(session_json(world, &req.caller().token))
}

fn update_session(world: &mut World, req: &Req) -> Resp {
    let token = req.caller().token.clone();
    let workspace = match req
        .body_object()
        .get("workspace_id")
        .and_then(Value::as_str)
    {
        Some("dev") => Workspace::Dev,
        Some("production") => Workspace::Production,
        other => {
            let got = other.unwrap_or("(missing)");
            return Resp::validation(
                "Validation Failed",
                &[(
                    "workspace_id",
                    "invalid",
                    format!("must be \"dev\" or \"production\", got {got:?}"),
                )],
            );
        }
    };
    if let Some(t) = world.tokens.get_mut(&token) {
        t.workspace = workspace;
    }
    Resp::json(session_json(world, &token))
}

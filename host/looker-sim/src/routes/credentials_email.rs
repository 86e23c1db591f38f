//! A user's email/password credentials (`CredentialsEmail`), kept in the user's
//! `credentials_email`; the user's `email` follows them. Setup and reset links carry one-time
//! tokens, as on Looker.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{Route, now_timestamp};
use crate::data::WEB_URL;
use crate::http::{Req, Resp};
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/users/{user_id}/credentials_email", get_credentials),
    Route::new(
        "POST",
        "/users/{user_id}/credentials_email",
        create_credentials,
    ),
    Route::new(
        "PATCH",
        "/users/{user_id}/credentials_email",
        update_credentials,
    ),
    Route::new(
        "DELETE",
        "/users/{user_id}/credentials_email",
        delete_credentials,
    ),
    Route::new(
        "POST",
        "/users/{user_id}/credentials_email/send_password_reset",
        send_password_reset,
    ),
];

/// The stored credentials with the fields Looker derives, or `None`.
fn current(world: &World, user_id: &str) -> Option<Value> {
    let creds = world.user(user_id)?.get("credentials_email")?;
    if !creds.is_object() {
        return None;
    }
    let mut c = creds.clone();
    c["user_id"] = json!(user_id);
    c["type"] = json!("email");
    c["url"] = json!(format!("/api/4.0/users/{user_id}/credentials_email"));
    c["user_url"] = json!(format!("/api/4.0/users/{user_id}"));
    for link in ["password_reset_url", "account_setup_url"] {
        let expired = c.get(link).is_none_or(Value::is_null);
        c[format!("{link}_expired")] = json!(expired);
    }
    Some(c)
}

/// Why `email` cannot be used by `user_id`, if it cannot.
fn check_email(world: &World, user_id: &str, email: &str) -> Option<Resp> {
    let valid = email
        .split_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !email.contains(' '));
    if !valid {
        return Some(Resp::validation(
            "Validation Failed",
            &[(
                "email",
                "invalid",
                format!("{email} is not a valid email address"),
            )],
        ));
    }
    let taken = world.users.list().iter().any(|u| {
        u["id"].as_str() != Some(user_id)
            && u["email"]
                .as_str()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
    });
    taken.then(|| {
        Resp::validation(
            "Validation Failed",
            &[(
                "email",
                "already_exists",
                "Email has already been taken".to_string(),
            )],
        )
    })
}

fn store(world: &mut World, user_id: &str, creds: Value) {
    if let Some(u) = world.users.get_mut(user_id) {
        u["email"] = creds.get("email").cloned().unwrap_or(Value::Null);
        u["credentials_email"] = creds;
    }
}

fn get_credentials(world: &mut World, req: &Req) -> Resp {
    current(world, req.param("user_id")).map_or_else(Resp::not_found, Resp::json)
}

fn create_credentials(world: &mut World, req: &Req) -> Resp {
    let user_id = req.param("user_id").to_string();
    if world.user(&user_id).is_none() {
        return Resp::not_found();
    }
    if current(world, &user_id).is_some() {
        return Resp::error(
            StatusCode::CONFLICT,
            "This user already has email credentials",
        );
    }
    let body = req.body_object();
    let Some(email) = body.get("email").and_then(Value::as_str).map(str::trim) else {
        return Resp::validation(
            "Validation Failed",
            &[("email", "missing", "email is required".to_string())],
        );
    };
    if let Some(resp) = check_email(world, &user_id, email) {
        return resp;
    }
    let token = world.rng.alnum(32);
    let creds = json!({
        "email": email, "created_at": now_timestamp(), "logged_in_at": null, "is_disabled": false,
        "forced_password_reset_at_next_login": body.get("forced_password_reset_at_next_login").cloned().unwrap_or(json!(false)),
        "password_reset_url": null,
        "account_setup_url": format!("{WEB_URL}/account/setup/{token}"),
        "can": {},
    });
    store(world, &user_id, creds);
    get_credentials(world, req)
}

fn update_credentials(world: &mut World, req: &Req) -> Resp {
    let user_id = req.param("user_id").to_string();
    let Some(mut creds) = world
        .user(&user_id)
        .and_then(|u| u.get("credentials_email"))
        .filter(|c| c.is_object())
        .cloned()
    else {
        return Resp::not_found();
    };
    let body = req.body_object();
    if let Some(email) = body.get("email") {
        let email = email.as_str().unwrap_or_default().trim();
        if let Some(resp) = check_email(world, &user_id, email) {
            return resp;
        }
        creds["email"] = json!(email);
    }
    if let Some(flag) = body.get("forced_password_reset_at_next_login") {
        creds["forced_password_reset_at_next_login"] = flag.clone();
    }
    store(world, &user_id, creds);
    get_credentials(world, req)
}

fn delete_credentials(world: &mut World, req: &Req) -> Resp {
    let user_id = req.param("user_id").to_string();
    if current(world, &user_id).is_none() {
        return Resp::not_found();
    }
    store(world, &user_id, Value::Null);
    Resp::no_content()
}

fn send_password_reset(world: &mut World, req: &Req) -> Resp {
    let user_id = req.param("user_id").to_string();
    let Some(mut creds) = world
        .user(&user_id)
        .and_then(|u| u.get("credentials_email"))
        .filter(|c| c.is_object())
        .cloned()
    else {
        return Resp::not_found();
    };
    let token = world.rng.alnum(32);
    creds["password_reset_url"] = json!(format!("{WEB_URL}/password/reset/{token}"));
    store(world, &user_id, creds);
    get_credentials(world, req)
}

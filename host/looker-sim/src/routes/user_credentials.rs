//! A user's non-email credentials, kept in the user object as on Looker's `User`:
//! `credentials_api3` (key pairs; a new one can log in at once and its secret is shown only in
//! the create answer), `credentials_totp` (two-factor) and the SSO links `credentials_ldap`,
//! `credentials_saml`, `credentials_oidc` and `credentials_google` (created by SSO logins, so
//! the API only reads and deletes them).

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{Route, now_timestamp};
use crate::data::SEED_TIME;
use crate::http::{Req, Resp};
use crate::state::{Api3Cred, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/users/{user_id}/credentials_api3", list_api3),
    Route::new("POST", "/users/{user_id}/credentials_api3", create_api3),
    Route::new(
        "GET",
        "/users/{user_id}/credentials_api3/{credentials_api3_id}",
        get_api3,
    ),
    Route::new(
        "PATCH",
        "/users/{user_id}/credentials_api3/{credentials_api3_id}",
        update_api3,
    ),
    Route::new(
        "DELETE",
        "/users/{user_id}/credentials_api3/{credentials_api3_id}",
        delete_api3,
    ),
    Route::new("GET", "/users/{user_id}/credentials_totp", get_single),
    Route::new("POST", "/users/{user_id}/credentials_totp", create_totp),
    Route::new("DELETE", "/users/{user_id}/credentials_totp", delete_single),
    Route::new("GET", "/users/{user_id}/credentials_ldap", get_single),
    Route::new("DELETE", "/users/{user_id}/credentials_ldap", delete_single),
    Route::new("GET", "/users/{user_id}/credentials_saml", get_single),
    Route::new("DELETE", "/users/{user_id}/credentials_saml", delete_single),
    Route::new("GET", "/users/{user_id}/credentials_oidc", get_single),
    Route::new("DELETE", "/users/{user_id}/credentials_oidc", delete_single),
    Route::new("GET", "/users/{user_id}/credentials_google", get_single),
    Route::new(
        "DELETE",
        "/users/{user_id}/credentials_google",
        delete_single,
    ),
];

/// Marks that bob's (user 3) SSO links were seeded.
const SEEDED: &str = "user_credentials_seeded";

/// Bob (user 3) logged in once through each SSO method and has TOTP set up, so every read
/// has something to show. Done on first use, so the seed user shapes stay as they are elsewhere.
fn ensure_seeded(world: &mut World) {
    if world.extra.contains_key(SEEDED) {
        return;
    }
    world.collection(SEEDED, "id", Vec::new);
    let Some(bob) = world.users.get_mut("3") else {
        return;
    };
    let base = "/api/4.0/users/3";
    let common = |kind: &str| {
        json!({ "created_at": SEED_TIME, "is_disabled": false, "logged_in_at": SEED_TIME,
                "type": kind, "url": format!("{base}/credentials_{kind}"), "can": {} })
    };
    let mut ldap = common("ldap");
    ldap["email"] = json!("bob@example.com");
    ldap["ldap_dn"] = json!("uid=bob,ou=people,dc=example,dc=com");
    ldap["ldap_id"] = json!("bob");
    let mut saml = common("saml");
    saml["email"] = json!("bob@example.com");
    saml["saml_user_id"] = json!("bob@example.com");
    let mut oidc = common("oidc");
    oidc["email"] = json!("bob@example.com");
    oidc["oidc_user_id"] = json!("00u1bob");
    let mut google = common("google");
    google["email"] = json!("bob@example.com");
    google["domain"] = json!("example.com");
    google["google_user_id"] = json!("104857600000000000001");
    bob["credentials_ldap"] = ldap;
    bob["credentials_saml"] = saml;
    bob["credentials_oidc"] = oidc;
    bob["credentials_google"] = google;
    bob["credentials_totp"] = json!({ "created_at": SEED_TIME, "is_disabled": false,
        "type": "twofactor", "verified": true, "url": format!("{base}/credentials_totp"), "can": {} });
}

/// The user-object key a single-credential route serves, from its path template.
fn kind_key(req: &Req) -> &'static str {
    match req.template.rsplit('/').next() {
        Some("credentials_totp") => "credentials_totp",
        Some("credentials_ldap") => "credentials_ldap",
        Some("credentials_saml") => "credentials_saml",
        Some("credentials_oidc") => "credentials_oidc",
        _ => "credentials_google",
    }
}

fn get_single(world: &mut World, req: &Req) -> Resp {
    ensure_seeded(world);
    let creds = world
        .user(req.param("user_id"))
        .and_then(|u| u.get(kind_key(req)))
        .filter(|c| c.is_object())
        .cloned();
    creds.map_or_else(Resp::not_found, Resp::json)
}

fn delete_single(world: &mut World, req: &Req) -> Resp {
    ensure_seeded(world);
    let key = kind_key(req);
    match world.users.get_mut(req.param("user_id")) {
        Some(user) if user.get(key).is_some_and(Value::is_object) => {
            user[key] = Value::Null;
            Resp::no_content()
        }
        _ => Resp::not_found(),
    }
}

fn create_totp(world: &mut World, req: &Req) -> Resp {
    ensure_seeded(world);
    let user_id = req.param("user_id").to_string();
    let Some(user) = world.users.get_mut(&user_id) else {
        return Resp::not_found();
    };
    if user["credentials_totp"].is_object() {
        return Resp::error(
            StatusCode::CONFLICT,
            "This user already has two-factor credentials",
        );
    }
    let creds = json!({ "created_at": now_timestamp(), "is_disabled": false, "type": "twofactor",
        "verified": false, "url": format!("/api/4.0/users/{user_id}/credentials_totp"), "can": {} });
    user["credentials_totp"] = creds.clone();
    Resp::json(creds)
}

fn api3_list(world: &World, user_id: &str) -> Option<Vec<Value>> {
    let user = world.user(user_id)?;
    Some(
        user["credentials_api3"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    )
}

fn list_api3(world: &mut World, req: &Req) -> Resp {
    api3_list(world, req.param("user_id"))
        .map_or_else(Resp::not_found, |l| Resp::json(Value::Array(l)))
}

fn get_api3(world: &mut World, req: &Req) -> Resp {
    let id = req.param("credentials_api3_id");
    api3_list(world, req.param("user_id"))
        .and_then(|l| l.into_iter().find(|c| c["id"] == id))
        .map_or_else(Resp::not_found, Resp::json)
}

/// `POST /users/{id}/credentials_api3`: a new key pair that logs in as the user; the secret is in
/// this answer only.
fn create_api3(world: &mut World, req: &Req) -> Resp {
    let user_id = req.param("user_id").to_string();
    let Some(existing) = api3_list(world, &user_id) else {
        return Resp::not_found();
    };
    let next = existing
        .iter()
        .filter_map(|c| c["id"].as_str()?.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    let client_id = world.rng.alnum(20);
    let client_secret = world.rng.alnum(24);
    world.api3.push(Api3Cred {
        client_id: client_id.clone(),
        client_secret: client_secret.clone(),
        user_id: user_id.clone(),
    });
    let creds = json!({
        "id": next.to_string(), "client_id": client_id, "created_at": now_timestamp(),
        "is_disabled": false, "type": "api3", "purpose": null,
        "url": format!("/api/4.0/users/{user_id}/credentials_api3/{next}"), "can": {},
    });
    if let Some(user) = world.users.get_mut(&user_id) {
        let mut list = existing;
        list.push(creds.clone());
        user["credentials_api3"] = Value::Array(list);
    }
    let mut answer = creds;
    answer["client_secret"] = json!(client_secret);
    Resp::json(answer)
}

fn update_api3(world: &mut World, req: &Req) -> Resp {
    let id = req.param("credentials_api3_id").to_string();
    let body = req.body_object();
    let Some(user) = world.users.get_mut(req.param("user_id")) else {
        return Resp::not_found();
    };
    let Some(creds) = user["credentials_api3"]
        .as_array_mut()
        .and_then(|l| l.iter_mut().find(|c| c["id"] == id.as_str()))
    else {
        return Resp::not_found();
    };
    if let Some(purpose) = body.get("purpose") {
        if !(purpose.is_string() || purpose.is_null()) {
            return Resp::validation(
                "Validation Failed",
                &[("purpose", "invalid", "purpose must be a string".into())],
            );
        }
        creds["purpose"] = purpose.clone();
    }
    Resp::json(creds.clone())
}

/// `DELETE`: the key pair stops working at once.
fn delete_api3(world: &mut World, req: &Req) -> Resp {
    let id = req.param("credentials_api3_id").to_string();
    let Some(user) = world.users.get_mut(req.param("user_id")) else {
        return Resp::not_found();
    };
    let Some(list) = user["credentials_api3"].as_array_mut() else {
        return Resp::not_found();
    };
    let Some(pos) = list.iter().position(|c| c["id"] == id.as_str()) else {
        return Resp::not_found();
    };
    let removed = list.remove(pos);
    let client_id = removed["client_id"].as_str().unwrap_or_default();
    world.api3.retain(|c| c.client_id != client_id);
    Resp::no_content()
}

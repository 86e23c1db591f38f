//! User lifecycle workflows: provision a user, grant a role, offboard, rotate API keys.

use looker_mcp_plugin_sdk::args::{default, non_blank};
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::{self, pick, redact};
use looker_mcp_plugin_sdk::{Context, Output, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::report::Report;

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::creator(
            "provision_user",
            "Onboard a user",
            "Onboards a user in one call: creates the user, attaches email login, assigns \
            roles, adds them to groups, sets per-user attribute values and (by default) \
            emails an account setup link. Only a failed create stops the workflow; every \
            later step runs independently and a failure is reported without rolling the \
            user back (`left_behind` says what to redo). Example: {\"email\": \
            \"ada@example.com\", \"first_name\": \"Ada\", \"last_name\": \"Lovelace\", \
            \"role_ids\": [2], \"group_ids\": [1], \"user_attribute_values\": {\"3\": \
            \"EMEA\"}}. The result is a step-by-step report with `user_id`, `completed`, \
            `steps` and `left_behind`.",
        )
        .schema(
            schema::object()
                .required("email", Ty::Str.min_len(3), "Email address (the login).")
                .required("first_name", Ty::Str.min_len(1), "First name.")
                .required("last_name", Ty::Str.min_len(1), "Last name.")
                .optional(
                    "role_ids",
                    Ty::IntList,
                    "Role ids to assign directly (from `list_roles`).",
                )
                .optional(
                    "group_ids",
                    Ty::IntList,
                    "Group ids to add the user to (from `list_groups`).",
                )
                .optional(
                    "user_attribute_values",
                    Ty::StrMap,
                    "Per-user attribute values keyed by user attribute id, e.g. {\"3\": \
                    \"EMEA\"}.",
                )
                .with_default(
                    "send_invite",
                    Ty::Bool,
                    true,
                    "Email the user an account setup link at the end.",
                ),
        )
        .handler(provision_user),
        Tool::creator(
            "grant_access",
            "Grant a role to a user or group",
            "Grants a role to a user or a group, keeping every existing member: reads the \
            role's direct members and writes the list back with the principal added \
            (nothing is written when the principal already holds the role: \
            `already_granted`). Example: {\"principal_type\": \"group\", \
            \"principal_id\": \"4\", \"role_id\": \"2\"}. The result is a step-by-step \
            report with `granted`, `completed`, `steps` and `left_behind`.",
        )
        .schema(
            schema::object()
                .required(
                    "principal_type",
                    Ty::Enum(&["user", "group"]),
                    "`user` or `group`.",
                )
                .required("principal_id", Ty::Str.min_len(1), "User id or group id.")
                .required(
                    "role_id",
                    Ty::Str.min_len(1),
                    "Role id to grant (from `list_roles`).",
                ),
        )
        .idempotent()
        .handler(grant_access),
        Tool::overwriter(
            "offboard_user",
            "Offboard a user",
            "Offboards a user: ends their login sessions, deletes their API3 keys, then \
            disables the account (default, reversible) or, with \"deactivate_only\": \
            false, deletes the user for good. Every step runs even if an earlier one \
            failed, so the user ends up as locked out as possible; each failure is \
            reported with Looker's message and `left_behind` says what is still in place. \
            The result is a step-by-step report with `deactivated`, `deleted`, \
            `completed`, `steps` and `left_behind`.",
        )
        .schema(
            schema::object()
                .required("user_id", Ty::Str.min_len(1), "Looker user id.")
                .with_default(
                    "terminate_sessions",
                    Ty::Bool,
                    true,
                    "End all the user's login sessions.",
                )
                .with_default(
                    "revoke_api_credentials",
                    Ty::Bool,
                    true,
                    "Delete all the user's API3 key pairs.",
                )
                .with_default(
                    "deactivate_only",
                    Ty::Bool,
                    true,
                    "true: disable the account (reversible); false: delete the user for \
                    good.",
                ),
        )
        .handler(offboard_user),
        Tool::new(
            "rotate_api_credentials",
            "Rotate a user's API keys",
            "Rotates a user's API3 key pair: creates a new pair and, only if given \
            `delete_previous_id` (the old pair's credentials_api3 id, from \
            `list_credentials_api3`), deletes that old pair afterwards (never the new \
            one). Without it nothing is deleted: move consumers to the new pair, verify \
            it, then retire the old pair with `delete_credentials_api3`. The new \
            `client_secret` is shown once, in this result only (never logged): store it \
            now. The result is a step-by-step report with `new_credentials`, \
            `old_pair_deletion`, `completed`, `steps` and `left_behind`.",
        )
        .schema(
            schema::object()
                .required("user_id", Ty::Str.min_len(1), "Looker user id.")
                .optional(
                    "delete_previous_id",
                    Ty::Str,
                    "credentials_api3 id of the OLD pair to delete after creating the new \
                    one; pass it only once the new pair works.",
                ),
        )
        .handler(rotate_api_credentials),
    ]
}

#[derive(Deserialize)]
pub struct ProvisionUser {
    email: String,
    first_name: String,
    last_name: String,
    #[serde(default)]
    role_ids: Option<Vec<i64>>,
    #[serde(default)]
    group_ids: Option<Vec<i64>>,
    #[serde(default)]
    user_attribute_values: Option<Map<String, Value>>,
    #[serde(default = "default::yes")]
    send_invite: bool,
}

/// `POST /users` (stops on failure), then, each reported and independent of the others:
/// `POST /users/{id}/credentials_email`, `PUT /users/{id}/roles`, `POST /groups/{g}/users` per
/// group, `PATCH /users/{id}/attribute_values/{a}` per attribute and
/// `POST /users/{id}/credentials_email/send_password_reset` (only with email credentials).
pub fn provision_user(a: ProvisionUser, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("first_name", &a.first_name)?;
    non_blank("last_name", &a.last_name)?;
    let email = a.email.trim().to_owned();
    match email.split_once('@') {
        Some((l, d)) if !l.is_empty() && !d.is_empty() && !email.contains(' ') => {}
        _ => {
            return Err(ToolError::invalid_arguments(format!(
                "`email`: {email:?} is not an email address"
            )));
        }
    }
    let mut values: Vec<(String, String)> = Vec::new();
    for (id, v) in a.user_attribute_values.iter().flatten() {
        non_blank("user_attribute_values", id)?;
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(_) | Value::Bool(_) => v.to_string(),
            _ => {
                return Err(ToolError::invalid_arguments(format!(
                    "`user_attribute_values`: the value for {id:?} must be a string"
                )));
            }
        };
        values.push((id.clone(), text));
    }
    let mut report = Report::new();
    let Ok(user) = report.json(
        "create_user",
        Request::post("/users").body(&json!({
            "first_name": a.first_name, "last_name": a.last_name,
        })),
    ) else {
        return Ok(report.finish(
            "nothing: the user was not created",
            json!({"email": email, "created": false}),
        ));
    };
    let Some(user_id) = shape::id(&user["id"]) else {
        return Err(ToolError::internal(format!(
            "Looker created a user but its answer has no id: {}",
            redact(pick(&user, &["first_name", "last_name", "display_name"]))
        )));
    };
    report.note("user_id", user_id.clone());
    let has_email = report
        .json(
            "create_credentials_email",
            Request::post(path!("/users/{}/credentials_email", user_id))
                .body(&json!({"email": email})),
        )
        .is_ok();
    if let Some(roles) = a.role_ids.as_ref().filter(|r| !r.is_empty()) {
        let ids: Vec<String> = roles.iter().map(i64::to_string).collect();
        let _ = report.json(
            "set_roles",
            Request::put(path!("/users/{}/roles", user_id)).body(&ids),
        );
    }
    for group in a.group_ids.iter().flatten() {
        let _ = report.json(
            &format!("add_to_group {group}"),
            Request::post(path!("/groups/{}/users", group)).body(&json!({"user_id": user_id})),
        );
    }
    for (attribute, value) in &values {
        let _ = report.json(
            &format!("set_user_attribute {attribute}"),
            Request::patch(path!("/users/{}/attribute_values/{}", user_id, attribute))
                .body(&json!({"value": value})),
        );
    }
    let looker_reset = "POST /users/{user_id}/credentials_email/send_password_reset";
    if !a.send_invite {
        report.skip("send_password_reset", looker_reset, "send_invite=false");
    } else if !has_email {
        report.skip(
            "send_password_reset",
            looker_reset,
            "the user has no email credentials",
        );
    } else {
        // The answer carries the one-time reset link, a secret: it is not kept.
        let _ = report.send(
            "send_password_reset",
            Request::post(path!(
                "/users/{}/credentials_email/send_password_reset",
                user_id
            )),
        );
    }
    let left = if report.has_failed() {
        format!(
            "user {user_id} exists; the failed steps did not happen: redo them with the atomic \
             tools (e.g. `create_credentials_email`, `set_user_roles`, `add_group_user`) or \
             remove the user with `delete_user`"
        )
    } else {
        format!("user {user_id} exists with everything requested")
    };
    Ok(report.finish(
        &left,
        json!({"user_id": user_id, "email": email, "created": true}),
    ))
}

#[derive(Deserialize)]
pub struct GrantAccess {
    principal_type: String,
    principal_id: String,
    role_id: String,
}

/// Reads the role's direct users (`GET /roles/{id}/users?direct_association_only=true`) or
/// groups, and writes the list back with the principal added (`PUT`), unless already there.
pub fn grant_access(a: GrantAccess, _ctx: &Context) -> Result<Value, ToolError> {
    let kind = match a.principal_type.as_str() {
        "user" => "users",
        "group" => "groups",
        other => {
            return Err(ToolError::invalid_arguments(format!(
                "`principal_type`: {other:?} is not \"user\" or \"group\""
            )));
        }
    };
    let principal = a.principal_id.trim().to_owned();
    non_blank("principal_id", &principal)?;
    non_blank("role_id", &a.role_id)?;
    let mut report = Report::new();
    let mut read = Request::get(path!("/roles/{}/{}", a.role_id, kind)).fields(&["id"]);
    if kind == "users" {
        // Only direct members: writing back group-derived users would make them direct.
        read = read.query("direct_association_only", true);
    }
    let base = json!({
        "role_id": a.role_id, "principal_type": a.principal_type, "principal_id": principal,
    });
    let Ok(current) = report.json(&format!("read_role_{kind}"), read) else {
        return Ok(report.finish("nothing changed", merge(base, json!({"granted": false}))));
    };
    let mut ids: Vec<String> = current
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| shape::id(&m["id"]))
        .collect();
    report.note("member_count", ids.len());
    if ids.contains(&principal) {
        report.skip(
            &format!("set_role_{kind}"),
            &format!("PUT /roles/{{role_id}}/{kind}"),
            "the principal already holds the role",
        );
        return Ok(report.finish(
            "nothing changed: the principal already held the role",
            merge(base, json!({"granted": true, "already_granted": true})),
        ));
    }
    ids.push(principal.clone());
    let granted = report
        .json(
            &format!("set_role_{kind}"),
            Request::put(path!("/roles/{}/{}", a.role_id, kind)).body(&ids),
        )
        .is_ok();
    let left = if granted {
        "the principal holds the role; every previous member kept it"
    } else {
        "nothing changed: the role's members are as they were"
    };
    Ok(report.finish(
        left,
        merge(
            base,
            json!({"granted": granted, "already_granted": false, "member_count": ids.len()}),
        ),
    ))
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Value::Object(a), Value::Object(b)) = (&mut a, b) {
        a.extend(b);
    }
    a
}

#[derive(Deserialize)]
pub struct Offboard {
    user_id: String,
    #[serde(default = "default::yes")]
    terminate_sessions: bool,
    #[serde(default = "default::yes")]
    revoke_api_credentials: bool,
    #[serde(default = "default::yes")]
    deactivate_only: bool,
}

/// Ends the user's sessions (`GET /users/{id}/sessions`, `DELETE .../sessions/{sid}`), deletes
/// their API3 keys (`GET /users/{id}/credentials_api3`, `DELETE .../credentials_api3/{cid}`),
/// then disables (`PATCH /users/{id} {is_disabled: true}`) or deletes (`DELETE /users/{id}`)
/// the user. A failed step is reported and the next ones still run, so the user ends up as
/// locked out as possible.
pub fn offboard_user(a: Offboard, _ctx: &Context) -> Result<Value, ToolError> {
    let user_id = a.user_id.trim().to_owned();
    non_blank("user_id", &user_id)?;
    let mut report = Report::new();
    let mut sessions_ended = 0;
    if a.terminate_sessions {
        if let Ok(list) = report.json(
            "list_sessions",
            Request::get(path!("/users/{}/sessions", user_id)).fields(&["id", "created_at"]),
        ) {
            let ids: Vec<String> = list
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| shape::id(&s["id"]))
                .collect();
            report.note("count", ids.len());
            for sid in ids {
                if report
                    .send(
                        &format!("terminate_session {sid}"),
                        Request::delete(path!("/users/{}/sessions/{}", user_id, sid)),
                    )
                    .is_ok()
                {
                    sessions_ended += 1;
                }
            }
        }
    } else {
        report.skip(
            "terminate_sessions",
            "DELETE /users/{user_id}/sessions/{session_id}",
            "terminate_sessions=false",
        );
    }
    let mut keys_revoked = 0;
    if a.revoke_api_credentials {
        if let Ok(list) = report.json(
            "list_api_credentials",
            Request::get(path!("/users/{}/credentials_api3", user_id)).fields(&["id", "client_id"]),
        ) {
            let ids: Vec<String> = list
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| shape::id(&c["id"]))
                .collect();
            report.note("count", ids.len());
            for cid in ids {
                if report
                    .send(
                        &format!("revoke_api_credentials {cid}"),
                        Request::delete(path!("/users/{}/credentials_api3/{}", user_id, cid)),
                    )
                    .is_ok()
                {
                    keys_revoked += 1;
                }
            }
        }
    } else {
        report.skip(
            "revoke_api_credentials",
            "DELETE /users/{user_id}/credentials_api3/{credentials_api3_id}",
            "revoke_api_credentials=false",
        );
    }
    let (step, request) = if a.deactivate_only {
        (
            "disable_user",
            Request::patch(path!("/users/{}", user_id)).body(&json!({"is_disabled": true})),
        )
    } else {
        ("delete_user", Request::delete(path!("/users/{}", user_id)))
    };
    let done = report.send(step, request).is_ok();
    let account = match (a.deactivate_only, done) {
        (true, true) => "disabled (reversible with `update_user` is_disabled=false)",
        (false, true) => "deleted",
        (_, false) => "still active: the disable/delete step failed",
    };
    let left = format!(
        "user {user_id}: account {account}; {sessions_ended} session(s) ended, {keys_revoked} \
         API key(s) revoked{}",
        if report.has_failed() {
            "; see the failed steps for what is still in place"
        } else {
            ""
        }
    );
    Ok(report.finish(
        &left,
        json!({
            "user_id": user_id,
            "requested_action": if a.deactivate_only { "deactivate" } else { "delete" },
            "deactivated": a.deactivate_only && done,
            "deleted": !a.deactivate_only && done,
            "sessions_terminated": sessions_ended,
            "api_credentials_revoked": keys_revoked,
        }),
    ))
}

#[derive(Deserialize)]
pub struct Rotate {
    user_id: String,
    #[serde(default)]
    delete_previous_id: Option<String>,
}

/// `POST /users/{id}/credentials_api3` (stops on failure), then, when asked,
/// `DELETE /users/{id}/credentials_api3/{delete_previous_id}`. The new secret is in the result
/// once and nowhere else.
pub fn rotate_api_credentials(a: Rotate, _ctx: &Context) -> Result<Output, ToolError> {
    let user_id = a.user_id.trim().to_owned();
    non_blank("user_id", &user_id)?;
    if let Some(old) = &a.delete_previous_id {
        non_blank("delete_previous_id", old)?;
    }
    let mut report = Report::new();
    let Ok(new) = report.json(
        "create_api_credentials",
        Request::post(path!("/users/{}/credentials_api3", user_id)),
    ) else {
        if a.delete_previous_id.is_some() {
            report.skip(
                "delete_previous_credentials",
                "DELETE /users/{user_id}/credentials_api3/{credentials_api3_id}",
                "no new key pair was created, so the old one is kept",
            );
        }
        // Text only, like the success below: the tool never has structured content.
        return Ok(Output::text(
            report
                .finish(
                    "nothing changed: no key pair was created or deleted",
                    json!({"user_id": user_id, "rotated": false}),
                )
                .to_string(),
        ));
    };
    let new_id = shape::id(&new["id"]).unwrap_or_default();
    report.note("credentials_api3_id", new_id.clone());
    let mut deletion = Value::Null;
    if let Some(old) = a.delete_previous_id.as_ref().filter(|old| **old == new_id) {
        // Never delete the pair just created (and never lose its secret).
        report.skip(
            "delete_previous_credentials",
            "DELETE /users/{user_id}/credentials_api3/{credentials_api3_id}",
            &format!("{old} is the new pair's id"),
        );
        deletion = json!({"deleted_previous_id": null, "ok": false});
    } else if let Some(old) = &a.delete_previous_id {
        let ok = report
            .send(
                "delete_previous_credentials",
                Request::delete(path!("/users/{}/credentials_api3/{}", user_id, old)),
            )
            .is_ok();
        deletion = json!({"deleted_previous_id": old, "ok": ok});
    }
    let deleted_id = deletion["deleted_previous_id"].as_str().map(str::to_owned);
    let left = match (&deleted_id, deletion["ok"] == true) {
        (None, _) => "a new key pair exists next to the old one(s): switch consumers to it, \
                      then retire the old pair with `delete_credentials_api3` (credentials group)"
            .to_owned(),
        (Some(old), true) => format!("a new key pair exists; pair {old} is deleted"),
        (Some(old), false) => {
            format!("a new key pair exists; pair {old} is still in place (its deletion failed)")
        }
    };
    // Text only (no structured copy), so the new secret appears exactly once in the result.
    Ok(Output::text(
        report
            .finish(
                &left,
                json!({
                    "user_id": user_id,
                    "rotated": true,
                    "new_credentials": {
                        "id": new["id"], "client_id": new["client_id"],
                        "client_secret": new["client_secret"],
                    },
                    "old_pair_deletion": deletion,
                    "warning": "client_secret is shown only this once: store it now",
                }),
            )
            .to_string(),
    ))
}

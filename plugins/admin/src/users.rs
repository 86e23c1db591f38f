//! Users, their email/password credentials and their roles.

use looker_mcp_plugin_sdk::args::{Body, default, non_blank};
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::{self, pick, redact};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::roles::role_summary;
use crate::shape::{after, id_strings, nothing_to_update};

/// How many rows the list tools return unless told otherwise (schema and serde default).
pub const LIST_LIMIT: u32 = 100;

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "list_users",
            "List or find users",
            "Lists Looker users (id, email, names, disabled flag, role and group ids), or \
            finds them: `email` matches one address exactly (use `%` for a pattern such \
            as `%@example.com`), `name` matches any part of the full name. Returns \
            `{count, users, more_available?}`; raise `limit` when `more_available` is \
            true. Use it to find the user id other tools need.",
        )
        .schema(
            schema::object()
                .optional(
                    "email",
                    Ty::Str,
                    "Only the user with this email (case-insensitive exact match); put `%` \
                    in it for a pattern, e.g. `%@example.com`.",
                )
                .optional(
                    "name",
                    Ty::Str,
                    "Only users whose full name contains this text (case-insensitive), \
                    e.g. `ada`.",
                )
                .with_default("limit", Ty::Int.min(1), LIST_LIMIT, "Most users to return."),
        )
        .handler(list_users),
        Tool::reader(
            "get_user",
            "Get a user",
            "Returns everything Looker knows about one user: names, email, role and group \
            ids, home and personal folders, locale, disabled flag and which credentials \
            (email, API, SSO) are attached. Secrets such as password reset links are \
            never included.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(get_user),
        Tool::creator(
            "create_user",
            "Create a user",
            "Creates a Looker user. With `email` it also attaches email/password \
            credentials (the user then gets set up through `send_password_reset`); \
            `role_ids` assigns roles and `group_ids` adds the user to groups, each as its \
            own Looker call. Returns the new user's id, email, role and group ids. \
            Example: {\"first_name\": \"Ada\", \"last_name\": \"Lovelace\", \"email\": \
            \"ada@example.com\", \"role_ids\": [3]}.",
        )
        .schema(
            schema::object()
                .required("first_name", Ty::Str, "First name.")
                .required("last_name", Ty::Str, "Last name.")
                .optional(
                    "email",
                    Ty::Str,
                    "Login email: attaches email/password credentials so the user can log \
                    in (leave out for SSO-only users).",
                )
                .optional(
                    "role_ids",
                    Ty::IntList,
                    "Role ids to give the user (from `list_roles`).",
                )
                .optional(
                    "group_ids",
                    Ty::IntList,
                    "Group ids to add the user to (from `list_groups`).",
                )
                .optional("is_disabled", Ty::Bool, "Create the account disabled.")
                .optional("home_folder_id", Ty::Str, "Folder the user lands in.")
                .optional("locale", Ty::Str, "UI locale, e.g. `en` or `de`.")
                .optional(
                    "ui_state",
                    Ty::Object,
                    "Looker UI state (usually left out).",
                )
                .optional(
                    "models_dir_validated",
                    Ty::Bool,
                    "Mark the dev workspace as checked against production projects.",
                )
                .optional(
                    "can_manage_api3_creds",
                    Ty::Bool,
                    "Let the user manage their own API keys.",
                ),
        )
        .handler(create_user),
        Tool::overwriter(
            "update_user",
            "Update a user",
            "Changes a user's profile: names, disabled flag, home folder, locale, UI \
            flags; `role_ids` replaces the user's roles. Only the fields given change. \
            Email is changed with `update_credentials_email`, group membership with \
            `add_group_user`/`remove_group_user`. Returns the fields changed and the user \
            as it now is.",
        )
        .schema(
            schema::object()
                .required("user_id", Ty::Str, "Looker user id, e.g. `42`.")
                .optional("first_name", Ty::Str, "New first name.")
                .optional("last_name", Ty::Str, "New last name.")
                .optional(
                    "is_disabled",
                    Ty::Bool,
                    "`true` disables the account, `false` enables it.",
                )
                .optional(
                    "role_ids",
                    Ty::IntList,
                    "The user's complete new list of role ids (replaces the current roles).",
                )
                .optional("home_folder_id", Ty::Str, "New home folder id.")
                .optional("locale", Ty::Str, "New UI locale.")
                .optional("ui_state", Ty::Object, "New Looker UI state.")
                .optional(
                    "models_dir_validated",
                    Ty::Bool,
                    "Dev-workspace-validated flag.",
                )
                .optional(
                    "can_manage_api3_creds",
                    Ty::Bool,
                    "Whether the user may manage their own API keys.",
                ),
        )
        .handler(update_user),
        Tool::deleter(
            "delete_user",
            "Delete a user",
            "Deletes a Looker user for good, with their personal folder and its content; \
            schedules they own stop. Consider `update_user` with `is_disabled: true` to \
            keep the content. Returns `{deleted: true}`.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(delete_user),
        Tool::creator(
            "create_credentials_email",
            "Attach email login to a user",
            "Attaches email/password login credentials to a user who has none (e.g. one \
            created without email). Then call `send_password_reset` so they can set a \
            password. Returns the credentials' email and flags; setup links are never \
            returned.",
        )
        .schema(
            schema::object()
                .required("user_id", Ty::Str, "Looker user id.")
                .required("email", Ty::Str, "Login email address.")
                .optional(
                    "forced_password_reset_at_next_login",
                    Ty::Bool,
                    "Make the user choose a new password at next login.",
                ),
        )
        .handler(create_credentials_email),
        Tool::reader(
            "get_credentials_email",
            "Get a user's email login",
            "Returns a user's email/password credentials: the login email, creation and \
            last-login times, whether they are disabled and whether a reset or setup link \
            is pending (the links themselves are secret and never shown).",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(get_credentials_email),
        Tool::overwriter(
            "update_credentials_email",
            "Update a user's email login",
            "Changes a user's login email or forces a password change at their next login. \
            This is how a user's email address is changed. Only the fields given change.",
        )
        .schema(
            schema::object()
                .required("user_id", Ty::Str, "Looker user id.")
                .optional(
                    "email",
                    Ty::Str,
                    "New login email address (this is how a user's email is changed).",
                )
                .optional(
                    "forced_password_reset_at_next_login",
                    Ty::Bool,
                    "Make the user choose a new password at next login.",
                ),
        )
        .handler(update_credentials_email),
        Tool::deleter(
            "delete_credentials_email",
            "Remove a user's email login",
            "Removes a user's email/password credentials: they can no longer log in with \
            email and password (SSO links are not affected) until \
            `create_credentials_email` attaches new ones.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(delete_credentials_email),
        Tool::creator(
            "send_password_reset",
            "Send a password reset email",
            "Emails the user a password reset link (or an account setup link if they never \
            set a password). The user needs email credentials first \
            (`create_credentials_email`). The link itself is a secret: Looker sends it to \
            the user and this tool never returns it.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(send_password_reset),
    ]
}

/// The tools that read and set a user's roles.
pub fn role_tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::overwriter(
            "set_user_roles",
            "Set a user's roles",
            "Sets exactly which roles a user holds directly: the list replaces the current \
            roles (roles through groups are unaffected). Read `get_user_roles` first. \
            Returns the roles the user now holds.",
        )
        .schema(
            schema::object()
                .required("user_id", Ty::Str, "Looker user id.")
                .required(
                    "role_ids",
                    Ty::IntList,
                    "The user's complete list of role ids; `[]` removes every direct role.",
                ),
        )
        .handler(set_user_roles),
        Tool::reader(
            "get_user_roles",
            "Get a user's roles",
            "Returns a user's roles (direct and through groups): id, name, and the \
            permission set and model set of each.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(get_user_roles),
    ]
}

/// What user lists show of each user.
pub const USER_KEYS: &[&str] = &[
    "id",
    "email",
    "first_name",
    "last_name",
    "display_name",
    "is_disabled",
    "role_ids",
    "group_ids",
    "is_service_account",
];

#[derive(Deserialize)]
pub struct ListUsers {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default = "default::count::<LIST_LIMIT>")]
    limit: u32,
}

/// `GET /users/search` with the filters given (Looker ignores filters on `GET /users`).
///
/// Looker's search matches with SQL `LIKE` (`%` and `_` are wildcards, case-insensitive), so an
/// email without `%` is also checked for an exact match here: `ci_bot@x` must not return
/// `ci-bot@x`.
pub fn list_users(a: ListUsers, _ctx: &Context) -> Result<Value, ToolError> {
    let email = a.email.filter(|e| !e.trim().is_empty());
    let name = a.name.filter(|n| !n.trim().is_empty());
    let mut req = Request::get("/users/search")
        .fields(USER_KEYS)
        .query("limit", a.limit)
        .query("sorts", "id");
    if let Some(email) = &email {
        req = req.query("email", email.trim());
    }
    if let Some(name) = &name {
        req = req.query("full_name", format!("%{}%", name.trim()));
    }
    let found: Value = req.send()?.json()?;
    let mut users: Vec<Value> = found
        .as_array()
        .into_iter()
        .flatten()
        .filter(|u| match &email {
            Some(e) if !e.contains('%') => u["email"]
                .as_str()
                .is_some_and(|x| x.eq_ignore_ascii_case(e.trim())),
            _ => true,
        })
        .map(|u| redact(pick(u, USER_KEYS)))
        .collect();
    users.truncate(a.limit as usize);
    let mut out = json!({ "count": users.len(), "users": users });
    if found
        .as_array()
        .is_some_and(|l| l.len() >= a.limit as usize)
    {
        out["more_available"] = json!(true);
    }
    Ok(out)
}

#[derive(Deserialize)]
pub struct UserId {
    user_id: String,
}

/// `GET /users/{user_id}` → the user without `can` maps, nulls or secrets.
pub fn get_user(a: UserId, _ctx: &Context) -> Result<Value, ToolError> {
    let user: Value = Request::get(path!("/users/{}", a.user_id)).send()?.json()?;
    Ok(redact(user))
}

#[derive(Deserialize)]
pub struct CreateUser {
    first_name: String,
    last_name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    role_ids: Option<Vec<i64>>,
    #[serde(default)]
    group_ids: Option<Vec<i64>>,
    #[serde(flatten)]
    profile: Profile,
}

/// The writable `User` fields both create and update take.
#[derive(Deserialize)]
pub struct Profile {
    #[serde(default)]
    is_disabled: Option<bool>,
    #[serde(default)]
    home_folder_id: Option<String>,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    ui_state: Option<Map<String, Value>>,
    #[serde(default)]
    models_dir_validated: Option<bool>,
    #[serde(default)]
    can_manage_api3_creds: Option<bool>,
}

impl Profile {
    fn into_body(self, body: Body) -> Body {
        body.opt("is_disabled", self.is_disabled)
            .opt("home_folder_id", self.home_folder_id)
            .opt("locale", self.locale)
            .opt("ui_state", self.ui_state)
            .opt("models_dir_validated", self.models_dir_validated)
            .opt("can_manage_api3_creds", self.can_manage_api3_creds)
    }
}

/// `POST /users`, then (as Looker requires, since `email`, `role_ids` and `group_ids` are
/// read-only on `User`) `POST /users/{id}/credentials_email`, `PUT /users/{id}/roles` and
/// `POST /groups/{group_id}/users` for each group.
pub fn create_user(a: CreateUser, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("first_name", &a.first_name)?;
    non_blank("last_name", &a.last_name)?;
    if let Some(email) = &a.email {
        check_email(email)?;
    }
    let body = a.profile.into_body(
        Body::new()
            .set("first_name", a.first_name)
            .set("last_name", a.last_name),
    );
    let user: Value = Request::post("/users")
        .body(&body.into_value())
        .send()?
        .json()?;
    let id_text = shape::id(&user["id"]).unwrap_or_default();
    let done = format!("user {id_text} was created");
    let mut out = redact(pick(&user, USER_KEYS));
    if let Some(email) = a.email {
        let creds: Value = Request::post(path!("/users/{}/credentials_email", id_text))
            .body(&json!({ "email": email }))
            .send()
            .and_then(|r| r.json())
            .map_err(|e| after(&done, "attaching the email credentials", e))?;
        out["email"] = creds.get("email").cloned().unwrap_or(json!(email));
    }
    if let Some(role_ids) = a.role_ids {
        let roles: Value = Request::put(path!("/users/{}/roles", id_text))
            .body(&id_strings(&role_ids))
            .send()
            .and_then(|r| r.json())
            .map_err(|e| after(&done, "assigning the roles", e))?;
        out["role_ids"] = roles
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| json!(shape::id(&r["id"])))
            .collect();
    }
    if let Some(group_ids) = a.group_ids {
        for group in id_strings(&group_ids) {
            let member: Value = Request::post(path!("/groups/{}/users", group))
                .body(&json!({ "user_id": id_text }))
                .send()
                .and_then(|r| r.json())
                .map_err(|e| after(&done, &format!("adding it to group {group}"), e))?;
            if let Some(ids) = member.get("group_ids") {
                out["group_ids"] = ids.clone();
            }
        }
    }
    out["created"] = json!(true);
    Ok(out)
}

#[derive(Deserialize)]
pub struct UpdateUser {
    user_id: String,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    role_ids: Option<Vec<i64>>,
    #[serde(flatten)]
    profile: Profile,
}

/// `PATCH /users/{user_id}` with the fields given; `role_ids` goes to `PUT /users/{id}/roles`.
pub fn update_user(a: UpdateUser, _ctx: &Context) -> Result<Value, ToolError> {
    let body = a.profile.into_body(
        Body::new()
            .opt("first_name", a.first_name)
            .opt("last_name", a.last_name),
    );
    if body.is_empty() && a.role_ids.is_none() {
        return Err(nothing_to_update(
            "first_name, last_name, is_disabled, role_ids, home_folder_id, locale, ui_state, \
             models_dir_validated, can_manage_api3_creds",
        ));
    }
    let mut changed = body.keys();
    let mut out = json!({ "id": a.user_id, "updated": true });
    if !body.is_empty() {
        let user: Value = Request::patch(path!("/users/{}", a.user_id))
            .body(&body.into_value())
            .send()?
            .json()?;
        out["user"] = redact(pick(&user, USER_KEYS));
    }
    if let Some(role_ids) = a.role_ids {
        let roles: Value = Request::put(path!("/users/{}/roles", a.user_id))
            .body(&id_strings(&role_ids))
            .send()
            .and_then(|r| r.json())
            .map_err(|e| {
                if changed.is_empty() {
                    e
                } else {
                    after("the profile was updated", "setting the roles", e)
                }
            })?;
        out["roles"] = roles
            .as_array()
            .into_iter()
            .flatten()
            .map(role_summary)
            .collect();
        changed.push("role_ids".to_owned());
        changed.sort();
    }
    out["fields_changed"] = json!(changed);
    Ok(out)
}

/// `DELETE /users/{user_id}`.
pub fn delete_user(a: UserId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/users/{}", a.user_id)).send()?;
    Ok(json!({ "deleted": true, "user_id": a.user_id }))
}

#[derive(Deserialize)]
pub struct CreateCredentialsEmail {
    user_id: String,
    email: String,
    #[serde(default)]
    forced_password_reset_at_next_login: Option<bool>,
}

/// `POST /users/{user_id}/credentials_email`; the answer's one-time setup link is not returned.
pub fn create_credentials_email(
    a: CreateCredentialsEmail,
    _ctx: &Context,
) -> Result<Value, ToolError> {
    check_email(&a.email)?;
    let body = Body::new().set("email", a.email).opt(
        "forced_password_reset_at_next_login",
        a.forced_password_reset_at_next_login,
    );
    let creds: Value = Request::post(path!("/users/{}/credentials_email", a.user_id))
        .body(&body.into_value())
        .send()?
        .json()?;
    let mut out = credentials(creds, &a.user_id);
    out["created"] = json!(true);
    Ok(out)
}

/// `GET /users/{user_id}/credentials_email`.
pub fn get_credentials_email(a: UserId, _ctx: &Context) -> Result<Value, ToolError> {
    let creds: Value = Request::get(path!("/users/{}/credentials_email", a.user_id))
        .send()?
        .json()?;
    Ok(credentials(creds, &a.user_id))
}

#[derive(Deserialize)]
pub struct UpdateCredentialsEmail {
    user_id: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    forced_password_reset_at_next_login: Option<bool>,
}

/// `PATCH /users/{user_id}/credentials_email` with the fields given.
pub fn update_credentials_email(
    a: UpdateCredentialsEmail,
    _ctx: &Context,
) -> Result<Value, ToolError> {
    if let Some(email) = &a.email {
        check_email(email)?;
    }
    let body = Body::new().opt("email", a.email).opt(
        "forced_password_reset_at_next_login",
        a.forced_password_reset_at_next_login,
    );
    if body.is_empty() {
        return Err(nothing_to_update(
            "email, forced_password_reset_at_next_login",
        ));
    }
    let changed = body.keys();
    let creds: Value = Request::patch(path!("/users/{}/credentials_email", a.user_id))
        .body(&body.into_value())
        .send()?
        .json()?;
    let mut out = credentials(creds, &a.user_id);
    out["updated"] = json!(true);
    out["fields_changed"] = json!(changed);
    Ok(out)
}

/// `DELETE /users/{user_id}/credentials_email`.
pub fn delete_credentials_email(a: UserId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/users/{}/credentials_email", a.user_id)).send()?;
    Ok(json!({ "deleted": true, "user_id": a.user_id, "credential_type": "email" }))
}

/// `POST /users/{user_id}/credentials_email/send_password_reset`. Looker answers with the
/// credentials including the one-time reset link; the link is a secret and is not returned.
pub fn send_password_reset(a: UserId, _ctx: &Context) -> Result<Value, ToolError> {
    let creds: Value = Request::post(path!(
        "/users/{}/credentials_email/send_password_reset",
        a.user_id
    ))
    .send()?
    .json()?;
    let mut out = credentials(creds, &a.user_id);
    out["password_reset_sent"] = json!(true);
    Ok(out)
}

/// A `CredentialsEmail` answer without secrets or links, tagged with the user id.
fn credentials(creds: Value, user_id: &str) -> Value {
    let mut out = redact(pick(
        &creds,
        &[
            "email",
            "created_at",
            "logged_in_at",
            "is_disabled",
            "forced_password_reset_at_next_login",
            "password_reset_url_expired",
            "account_setup_url_expired",
        ],
    ));
    out["user_id"] = creds
        .get("user_id")
        .filter(|v| !v.is_null())
        .cloned()
        .unwrap_or_else(|| json!(user_id));
    out
}

fn check_email(email: &str) -> Result<(), ToolError> {
    let email = email.trim();
    match email.split_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => Ok(()),
        _ => Err(ToolError::invalid_arguments(format!(
            "`email`: `{email}` is not an email address"
        ))),
    }
}

#[derive(Deserialize)]
pub struct SetUserRoles {
    user_id: String,
    role_ids: Vec<i64>,
}

/// `PUT /users/{user_id}/roles` with the complete list of role ids (replaces the current set).
pub fn set_user_roles(a: SetUserRoles, _ctx: &Context) -> Result<Value, ToolError> {
    let roles: Value = Request::put(path!("/users/{}/roles", a.user_id))
        .body(&id_strings(&a.role_ids))
        .send()?
        .json()?;
    let roles: Vec<Value> = roles
        .as_array()
        .into_iter()
        .flatten()
        .map(role_summary)
        .collect();
    Ok(json!({ "user_id": a.user_id, "roles": roles }))
}

/// `GET /users/{user_id}/roles`.
pub fn get_user_roles(a: UserId, _ctx: &Context) -> Result<Value, ToolError> {
    let roles: Value = Request::get(path!("/users/{}/roles", a.user_id))
        .send()?
        .json()?;
    let roles: Vec<Value> = roles
        .as_array()
        .into_iter()
        .flatten()
        .map(role_summary)
        .collect();
    Ok(json!({ "user_id": a.user_id, "roles": roles }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;

    #[test]
    fn email_filter_is_exact_unless_wildcarded() {
        let seen = mock_looker(|_| {
            Ok(Response::json_ok(&json!([
                {"id": "77", "email": "ci-bot@example.com"},
                {"id": "78", "email": "ci_bot@example.com"}
            ])))
        });
        let out = list_users(
            ListUsers {
                email: Some("CI_BOT@example.com".into()),
                name: None,
                limit: 10,
            },
            &Context::default(),
        )
        .unwrap();
        assert_eq!(
            out["users"],
            json!([{"id": "78", "email": "ci_bot@example.com"}])
        );
        let req = &seen.requests()[0];
        assert_eq!(req.path().as_str(), "/users/search");
        assert_eq!(req.query_value("email"), Some("CI_BOT@example.com"));
        assert_eq!(req.query_value("limit"), Some("10"));
    }

    #[test]
    fn reset_link_is_never_returned() {
        mock_looker(|_| {
            Ok(Response::json_ok(&json!({
                "email": "a@example.com", "user_id": "5",
                "password_reset_url": "https://x/password/reset/TOKEN", "password_reset_url_expired": false
            })))
        });
        let out = send_password_reset(
            UserId {
                user_id: "5".into(),
            },
            &Context::default(),
        )
        .unwrap();
        assert!(!out.to_string().contains("TOKEN"), "{out}");
        assert_eq!(out["password_reset_sent"], true);
    }
}

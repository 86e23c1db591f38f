//! Credentials a user has at most one of: two-factor (`credentials_totp`) and the SSO links
//! (`credentials_ldap`, `credentials_saml`, `credentials_oidc`, `credentials_google`).

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::redact;
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "get_credentials_totp",
            "Get a user's two-factor setup",
            "Returns a user's two-factor (TOTP authenticator app) credentials: whether \
            they exist, are verified (set up in an app) or disabled, and when they were \
            created.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(|a, ctx| get(Kind::Totp, a, ctx)),
        Tool::creator(
            "create_credentials_totp",
            "Start two-factor setup for a user",
            "Starts two-factor (TOTP) setup for a user who has none: the user then scans \
            the code in Looker at next login to verify it. Returns the new, unverified \
            credentials.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(create_totp),
        Tool::deleter(
            "delete_credentials_totp",
            "Reset a user's two-factor setup",
            "Removes a user's two-factor credentials, e.g. after they lost their phone; if \
            two-factor is required they set it up again at next login.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(|a, ctx| delete(Kind::Totp, a, ctx)),
        Tool::reader(
            "get_credentials_ldap",
            "Get a user's LDAP link",
            "Returns the LDAP identity linked to a Looker user: LDAP DN and id, email, \
            last login and disabled flag. Looker returns not found when the user never \
            logged in through LDAP.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(|a, ctx| get(Kind::Ldap, a, ctx)),
        Tool::deleter(
            "delete_credentials_ldap",
            "Unlink a user's LDAP login",
            "Unlinks a user's LDAP identity from their Looker account; their next LDAP \
            login links (or creates) an account again. The Looker user and their content \
            stay.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(|a, ctx| delete(Kind::Ldap, a, ctx)),
        Tool::reader(
            "get_credentials_saml",
            "Get a user's SAML link",
            "Returns the SAML identity linked to a Looker user: SAML user id, email, last \
            login and disabled flag. Looker returns not found when the user never logged \
            in through SAML.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(|a, ctx| get(Kind::Saml, a, ctx)),
        Tool::deleter(
            "delete_credentials_saml",
            "Unlink a user's SAML login",
            "Unlinks a user's SAML identity from their Looker account, e.g. to fix a login \
            mapped to the wrong account; the next SAML login links again. The Looker user \
            and content stay.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(|a, ctx| delete(Kind::Saml, a, ctx)),
        Tool::reader(
            "get_credentials_oidc",
            "Get a user's OpenID Connect link",
            "Returns the OpenID Connect identity linked to a Looker user: OIDC user id, \
            email, last login and disabled flag. Looker returns not found when the user \
            never logged in through OIDC.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(|a, ctx| get(Kind::Oidc, a, ctx)),
        Tool::deleter(
            "delete_credentials_oidc",
            "Unlink a user's OpenID Connect login",
            "Unlinks a user's OpenID Connect identity from their Looker account; the next \
            OIDC login links again. The Looker user and their content stay.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(|a, ctx| delete(Kind::Oidc, a, ctx)),
        Tool::reader(
            "get_credentials_google",
            "Get a user's Google link",
            "Returns the Google identity linked to a Looker user: Google user id, email, \
            domain, last login and disabled flag. Looker returns not found when the user \
            never logged in with Google.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(|a, ctx| get(Kind::Google, a, ctx)),
        Tool::deleter(
            "delete_credentials_google",
            "Unlink a user's Google login",
            "Unlinks a user's Google identity from their Looker account; the next Google \
            login links again. The Looker user and their content stay.",
        )
        .schema(schema::object().required(
            "user_id",
            Ty::Str,
            "Looker user id, e.g. `42` (from `list_users`).",
        ))
        .handler(|a, ctx| delete(Kind::Google, a, ctx)),
    ]
}

/// Which single credential a tool reads or deletes.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Totp,
    Ldap,
    Saml,
    Oidc,
    Google,
}

impl Kind {
    /// The last path segment, e.g. `credentials_ldap`.
    fn segment(self) -> &'static str {
        match self {
            Kind::Totp => "credentials_totp",
            Kind::Ldap => "credentials_ldap",
            Kind::Saml => "credentials_saml",
            Kind::Oidc => "credentials_oidc",
            Kind::Google => "credentials_google",
        }
    }
}

#[derive(Deserialize)]
pub struct UserId {
    pub user_id: String,
}

/// `GET /users/{user_id}/credentials_<kind>`.
pub fn get(kind: Kind, a: UserId, _ctx: &Context) -> Result<Value, ToolError> {
    let creds: Value = Request::get(path!("/users/{}/{}", a.user_id, kind.segment()))
        .send()?
        .json()?;
    let mut out = redact(creds);
    out["user_id"] = json!(a.user_id);
    Ok(out)
}

/// `DELETE /users/{user_id}/credentials_<kind>`.
pub fn delete(kind: Kind, a: UserId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/users/{}/{}", a.user_id, kind.segment())).send()?;
    Ok(json!({ "deleted": true, "user_id": a.user_id, "credentials": kind.segment() }))
}

/// `POST /users/{user_id}/credentials_totp` (no body: every `CredentialsTotp` field is
/// read-only).
pub fn create_totp(a: UserId, _ctx: &Context) -> Result<Value, ToolError> {
    let creds: Value = Request::post(path!("/users/{}/credentials_totp", a.user_id))
        .send()?
        .json()?;
    let mut out = redact(creds);
    out["user_id"] = json!(a.user_id);
    Ok(out)
}

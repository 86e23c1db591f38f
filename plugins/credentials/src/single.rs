//! Credentials a user has at most one of: two-factor (`credentials_totp`) and the SSO links
//! (`credentials_ldap`, `credentials_saml`, `credentials_oidc`, `credentials_google`).

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{Context, ToolError, path};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::api3::tidied;

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
    let mut out = tidied(creds);
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
    let mut out = tidied(creds);
    out["user_id"] = json!(a.user_id);
    Ok(out)
}

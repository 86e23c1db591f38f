//! Who a call runs as in Looker: the server's one identity rule, in one place.
//!
//! Every call has a [`Principal`] (who is calling: the local stdio user, a verified JWT
//! subject, a verified Looker token user, a user a trusted gateway asserted, a trusted gateway
//! itself, or an anonymous caller) and exactly one Looker [`Identity`] derived from it by
//! [`Identities::resolve`]. `act_as_user` may replace that identity only for principals
//! entitled to it ([`Identities::act_as`]). Nothing a client sends can widen it otherwise:
//! identity headers count only from a trusted gateway, and malformed identity input is refused,
//! never a fallback to the service account.
//!
//! | posture | principal | runs as | identity headers | `act_as_user` |
//! |---|---|---|---|---|
//! | stdio | local user | service account | — | yes |
//! | `dev`, trusted gateway | gateway / asserted user | service account / that user (sudo, or their token) | honoured | only with no asserted user |
//! | `dev`, untrusted | anonymous | service account | refused | refused |
//! | `public` | JWT subject | the user its identity claim names (sudo) | refused | with the operator's scope |
//! | `looker_oauth` | Looker token user | that user's own token | refused | refused |

mod looker_user;
mod principal;
mod users;

use std::net::SocketAddr;

use http::{HeaderMap, StatusCode};

pub use looker_user::LookerUserIds;
pub use principal::{Assertion, Principal, looks_like_email, read_assertion};
pub use users::UserDirectory;

use crate::auth::Posture;
use crate::config::{Config, DeploymentType, Secret};
use crate::looker::{Identity, LookerClient};

/// Why a caller cannot run (as they asked).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct IdentityError {
    pub kind: ErrorKind,
    pub message: String,
}

/// What kind of refusal an [`IdentityError`] is; decides the HTTP status when refused early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Identity input that cannot be read (400).
    Malformed,
    /// Well-formed, but not allowed for this caller (403).
    Refused,
    /// The user could not be looked up or does not exist.
    Lookup,
}

impl IdentityError {
    pub fn malformed(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Malformed,
            message: message.into(),
        }
    }
    pub fn refused(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Refused,
            message: message.into(),
        }
    }
    fn lookup(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Lookup,
            message: message.into(),
        }
    }

    /// The HTTP status for refusing a request with this error before it reaches MCP.
    pub fn status(&self) -> StatusCode {
        match self.kind {
            ErrorKind::Malformed => StatusCode::BAD_REQUEST,
            ErrorKind::Refused | ErrorKind::Lookup => StatusCode::FORBIDDEN,
        }
    }
}

/// What the HTTP auth layer verified about a request.
pub enum Verified {
    /// Nothing: no MCP-level authentication is configured.
    Nothing,
    /// The static bearer (`LOOKER_MCP_AUTH_TOKEN`): the caller is the operator's gateway.
    StaticBearer,
    /// A JWT's claims (`public`).
    Jwt(serde_json::Value),
    /// A Looker token and the user Looker said it belongs to (`looker_oauth`).
    LookerUser { user_id: String, token: Secret },
}

/// How callers are told apart, fixed at start from the posture and the bind address.
#[derive(Clone, Debug)]
enum Access {
    Stdio,
    /// `dev`: identity headers count when the gateway is trusted.
    Dev {
        trusted_gateway: bool,
    },
    Public {
        claim: String,
        act_as_scope: Option<String>,
        unmapped_as_service_account: bool,
    },
    LookerOauth,
}

/// The identity rules of this server.
pub struct Identities {
    access: Access,
    sudo_enabled: bool,
    deployment: DeploymentType,
    email_header: String,
    token_header: String,
    users: UserDirectory,
}

impl Identities {
    /// The rules for stdio (`bind` = `None`) or an HTTP server bound to `bind` under `posture`.
    pub fn new(config: &Config, posture: &Posture, bind: Option<SocketAddr>) -> Self {
        let access = match (bind, posture) {
            (None, _) => Access::Stdio,
            (Some(bind), Posture::Open | Posture::StaticBearer(_)) => {
                let static_bearer = matches!(posture, Posture::StaticBearer(_));
                let trusted_gateway =
                    static_bearer || bind.ip().is_loopback() || config.mcp_trust_gateway;
                if !trusted_gateway {
                    tracing::warn!(
                        %bind,
                        "UNAUTHENTICATED: LOOKER_MCP_MODE=dev with no LOOKER_MCP_AUTH_TOKEN on a non-loopback address: \
                         anyone who can reach this port runs tools as the Looker service account ({}). \
                         Identity headers and act_as_user are refused. Use LOOKER_MCP_MODE=public or looker_oauth, \
                         bind to loopback behind a gateway, or set LOOKER_MCP_AUTH_TOKEN.",
                        config.client_id
                    );
                }
                Access::Dev { trusted_gateway }
            }
            (Some(_), Posture::Public { .. }) => Access::Public {
                claim: config.mcp_identity_claim.clone(),
                act_as_scope: Some(config.mcp_act_as_scope.clone()).filter(|s| !s.is_empty()),
                unmapped_as_service_account: config.mcp_unmapped_as_service_account,
            },
            (Some(_), Posture::LookerOauth { .. }) => Access::LookerOauth,
        };
        Self {
            access,
            sudo_enabled: config.sudo_as_user,
            deployment: config.deployment_type,
            email_header: config.user_email_header.clone(),
            token_header: config.user_token_header.clone(),
            users: UserDirectory::default(),
        }
    }

    /// Whether tool schemas offer `act_as_user`: only where some caller may use it.
    pub fn act_as_offered(&self) -> bool {
        self.sudo_enabled
            && match &self.access {
                Access::Stdio => true,
                Access::Dev { trusted_gateway } => *trusted_gateway,
                Access::Public { act_as_scope, .. } => act_as_scope.is_some(),
                Access::LookerOauth => false,
            }
    }

    /// The principal of an HTTP request, from what the auth layer verified and the identity
    /// headers. Headers count only from a trusted gateway; anywhere else they are refused.
    pub fn principal(
        &self,
        headers: &HeaderMap,
        verified: Verified,
    ) -> Result<Principal, IdentityError> {
        let sent = principal::present(headers, [&self.email_header, &self.token_header]);
        let refuse_headers = |why: &str| {
            if sent.is_empty() {
                Ok(())
            } else {
                Err(IdentityError::refused(format!(
                    "identity header {} refused: {why}",
                    sent.join(", ")
                )))
            }
        };
        match (&self.access, verified) {
            (Access::Stdio, _) => Ok(Principal::Local),
            (
                Access::Dev {
                    trusted_gateway: false,
                },
                _,
            ) => {
                refuse_headers(
                    "identity headers are honoured only from a trusted gateway (a loopback bind, \
                     LOOKER_MCP_AUTH_TOKEN, or LOOKER_MCP_TRUST_GATEWAY=true)",
                )?;
                Ok(Principal::Anonymous)
            }
            (
                Access::Dev {
                    trusted_gateway: true,
                },
                _,
            ) => self.gateway_principal(headers),
            (Access::Public { .. }, Verified::Jwt(claims)) => {
                refuse_headers("with LOOKER_MCP_MODE=public the bearer token names the user")?;
                self.jwt_principal(&claims)
            }
            (Access::LookerOauth, Verified::LookerUser { user_id, token }) => {
                refuse_headers(
                    "with LOOKER_MCP_MODE=looker_oauth calls run with the presented Looker token",
                )?;
                Ok(Principal::LookerUser { user_id, token })
            }
            _ => Err(IdentityError::refused(
                "the request was not authenticated for this server's posture",
            )),
        }
    }

    fn gateway_principal(&self, headers: &HeaderMap) -> Result<Principal, IdentityError> {
        let Some(assertion) = read_assertion(headers, &self.email_header, &self.token_header)?
        else {
            return Ok(Principal::Gateway);
        };
        if !self.sudo_enabled {
            return Err(IdentityError::refused(format!(
                "LOOKER_SUDO_AS_USER=false: this server cannot run calls as the user named by {} or {}; \
                 stop sending the header or enable sudo",
                self.email_header, self.token_header
            )));
        }
        match (assertion, self.deployment) {
            (Assertion::Email(email), DeploymentType::SelfHosted) => {
                Ok(Principal::GatewayUser { email })
            }
            (Assertion::Token(token), DeploymentType::GoogleCloudCore) => {
                Ok(Principal::GatewayToken { token })
            }
            (Assertion::Email(_), DeploymentType::GoogleCloudCore) => {
                Err(IdentityError::refused(format!(
                    "{} is not used with LOOKER_DEPLOYMENT_TYPE=google_cloud_core (Looker cannot sudo \
                     regular users there); forward the user's token in {}",
                    self.email_header, self.token_header
                )))
            }
            (Assertion::Token(_), DeploymentType::SelfHosted) => {
                Err(IdentityError::refused(format!(
                    "{} is used only with LOOKER_DEPLOYMENT_TYPE=google_cloud_core; name the user in {}",
                    self.token_header, self.email_header
                )))
            }
        }
    }

    fn jwt_principal(&self, claims: &serde_json::Value) -> Result<Principal, IdentityError> {
        let Access::Public {
            claim,
            act_as_scope,
            unmapped_as_service_account,
        } = &self.access
        else {
            unreachable!("JWT principals exist only in the public posture");
        };
        let subject = claims["sub"].as_str().unwrap_or_default().to_string();
        let email = match &claims[claim.as_str()] {
            serde_json::Value::String(value) if looks_like_email(value) => {
                if claims["email_verified"] == serde_json::Value::Bool(false) && claim == "email" {
                    return Err(IdentityError::refused(
                        "the token's email is not verified (email_verified is false)",
                    ));
                }
                Some(value.clone())
            }
            serde_json::Value::Null => None,
            _ => {
                return Err(IdentityError::malformed(format!(
                    "the token's {claim:?} claim is not an email address"
                )));
            }
        };
        if email.is_none() && !unmapped_as_service_account {
            return Err(IdentityError::refused(format!(
                "the token has no {claim:?} claim naming the Looker user to run as \
                 (LOOKER_MCP_IDENTITY_CLAIM={claim}; LOOKER_MCP_UNMAPPED_AS_SERVICE_ACCOUNT=true runs such callers as the service account)"
            )));
        }
        let may_act_as = act_as_scope
            .as_deref()
            .is_some_and(|scope| scopes(claims).any(|s| s == scope));
        Ok(Principal::Jwt {
            subject,
            email,
            may_act_as,
        })
    }

    /// The Looker identity `principal`'s calls run as. A user named by a gateway or a token is
    /// looked up exactly; an unknown one is refused, never run as the service account (unless
    /// the operator opted in for `public` with `LOOKER_MCP_UNMAPPED_AS_SERVICE_ACCOUNT`).
    pub async fn resolve(
        &self,
        principal: &Principal,
        looker: &LookerClient,
        tool: &str,
    ) -> Result<Identity, IdentityError> {
        match principal {
            Principal::Local | Principal::Anonymous | Principal::Gateway => {
                Ok(Identity::ServiceAccount)
            }
            Principal::GatewayToken { token } => Ok(Identity::User {
                token: token.clone(),
            }),
            Principal::LookerUser { token, .. } => Ok(Identity::User {
                token: token.clone(),
            }),
            Principal::GatewayUser { email } => {
                if !self.sudo_enabled {
                    return Err(IdentityError::refused(
                        "LOOKER_SUDO_AS_USER=false: this server cannot run calls as another user",
                    ));
                }
                let user_id = self
                    .user_id(looker, email, &format!("the {} header", self.email_header))
                    .await?;
                audit_sudo(principal, &user_id, tool, "header", looker);
                Ok(Identity::Sudo { user_id })
            }
            Principal::Jwt {
                email: Some(email), ..
            } => {
                let fallback = matches!(
                    self.access,
                    Access::Public {
                        unmapped_as_service_account: true,
                        ..
                    }
                );
                let source = "the bearer token's identity claim";
                match self.user_id(looker, email, source).await {
                    Ok(user_id) => {
                        audit_sudo(principal, &user_id, tool, "token_claim", looker);
                        Ok(Identity::Sudo { user_id })
                    }
                    Err(error) if fallback && error.kind == ErrorKind::Refused => {
                        Ok(Identity::ServiceAccount)
                    }
                    Err(error) => Err(error),
                }
            }
            Principal::Jwt { email: None, .. } => match self.access {
                Access::Public {
                    unmapped_as_service_account: true,
                    ..
                } => Ok(Identity::ServiceAccount),
                _ => Err(IdentityError::refused("the token names no Looker user")),
            },
        }
    }

    async fn user_id(
        &self,
        looker: &LookerClient,
        email: &str,
        source: &str,
    ) -> Result<String, IdentityError> {
        match self.users.find(looker, email).await {
            Ok(Some(id)) => Ok(id),
            Ok(None) => Err(IdentityError::refused(format!(
                "no Looker user has the email {email:?} (from {source})"
            ))),
            Err(error) => Err(IdentityError::lookup(error.to_string())),
        }
    }

    /// May `principal`, whose call now runs as `current`, use `act_as_user`? The operator
    /// (stdio, or a trusted gateway naming no user) may while the call still runs as the service
    /// account; a `public` token may with the operator's scope; nobody else.
    pub fn may_act_as(&self, principal: &Principal, current: &Identity) -> Result<(), String> {
        if !self.sudo_enabled {
            return Err(
                "act_as_user needs LOOKER_SUDO_AS_USER=true on the server; enable it or remove the argument"
                    .into(),
            );
        }
        match principal {
            Principal::Local | Principal::Gateway if *current == Identity::ServiceAccount => Ok(()),
            Principal::Local | Principal::Gateway => Err(
                "act_as_user is refused: this call already runs as another user".into(),
            ),
            Principal::Jwt {
                may_act_as: true, ..
            } => Ok(()),
            Principal::Jwt { .. } => Err(match &self.access {
                Access::Public {
                    act_as_scope: Some(scope),
                    ..
                } => format!("act_as_user is refused: your token lacks the {scope:?} scope"),
                _ => "act_as_user is refused: this server grants it to no token (LOOKER_MCP_ACT_AS_SCOPE is unset)".into(),
            }),
            Principal::Anonymous => Err(
                "act_as_user is refused: this server serves unauthenticated callers on a non-loopback address"
                    .into(),
            ),
            Principal::GatewayUser { .. } | Principal::GatewayToken { .. } => Err(
                "act_as_user is refused: this call already runs as the user your gateway named".into(),
            ),
            Principal::LookerUser { .. } => Err(
                "act_as_user is not available with LOOKER_MCP_MODE=looker_oauth: calls run as the Looker user whose token you presented"
                    .into(),
            ),
        }
    }

    /// Resolves `act_as_user` (a numeric id or an exact email) for `principal`, after
    /// [`Self::may_act_as`]; writes the audit line. The caller then runs as the returned user.
    pub async fn act_as(
        &self,
        principal: &Principal,
        current: &Identity,
        user: &str,
        looker: &LookerClient,
        tool: &str,
    ) -> Result<String, IdentityError> {
        let user = user.trim();
        if let Identity::Sudo { user_id } = current
            && user_id == user
        {
            return Ok(user_id.clone());
        }
        self.may_act_as(principal, current)
            .map_err(IdentityError::refused)?;
        let user_id = if !user.is_empty() && user.bytes().all(|b| b.is_ascii_digit()) {
            user.to_string()
        } else if user.contains('@') {
            self.user_id(looker, user, "act_as_user")
                .await
                .map_err(|e| IdentityError {
                    kind: e.kind,
                    message: format!("act_as_user: {}", e.message),
                })?
        } else {
            return Err(IdentityError::malformed(format!(
                "act_as_user must be a numeric Looker user id or an email address, got {user:?}"
            )));
        };
        tracing::info!(
            event = "looker.audit.act_as_user",
            tool,
            target_user_id = %user_id,
            target_user_email = user.contains('@').then_some(user),
            triggered_by = "argument",
            principal = %principal.describe(),
            configured_user = %looker.client_id(),
            "looker.audit.act_as_user"
        );
        Ok(user_id)
    }
}

/// The audit line of a sudo the principal implied (a gateway header or a token claim).
fn audit_sudo(
    principal: &Principal,
    user_id: &str,
    tool: &str,
    triggered_by: &str,
    looker: &LookerClient,
) {
    tracing::info!(
        event = "looker.audit.sudo",
        tool,
        target_user_id = %user_id,
        triggered_by,
        principal = %principal.describe(),
        configured_user = %looker.client_id(),
        "looker.audit.sudo"
    );
}

/// The scopes a JWT grants: `scope` (space-separated) or `scp` (a list or a string).
fn scopes(claims: &serde_json::Value) -> impl Iterator<Item = &str> {
    let from_scope = claims["scope"]
        .as_str()
        .into_iter()
        .flat_map(str::split_whitespace);
    let from_scp: Box<dyn Iterator<Item = &str>> = match &claims["scp"] {
        serde_json::Value::Array(items) => Box::new(items.iter().filter_map(|v| v.as_str())),
        serde_json::Value::String(s) => Box::new(s.split_whitespace()),
        _ => Box::new(std::iter::empty()),
    };
    from_scope.chain(from_scp)
}

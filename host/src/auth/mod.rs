//! MCP-level authentication on the HTTP transport (who may talk to this server), per
//! `LOOKER_MCP_MODE`: `dev` (open, or the deprecated static bearer), `public` (OAuth 2.1
//! resource server with JWT bearers) and `looker_oauth` (Looker's own opaque tokens).
//! `/healthz`, `/readyz` and `/.well-known/*` stay anonymous; `/_introspect` (gateway discovery,
//! see `transport::introspect`) skips this gate for its own bearer, when it is served.

mod jwt;
pub mod posture;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use url::Url;

pub use jwt::JwtVerifier;
pub use posture::{Posture, PostureError};

use crate::config::{Config, Secret};
use crate::identity::{ErrorKind, Identities, IdentityError, Verified};
use crate::looker::LookerClient;

/// The realm named in `WWW-Authenticate` challenges.
const REALM: &str = "looker-mcp";

/// The HTTP auth layer's state.
pub struct Auth {
    posture: Posture,
    /// `LOOKER_MCP_RESOURCE_URI` exactly as configured (the PRM `resource`).
    resource: String,
    jwt: Option<JwtVerifier>,
    looker: Arc<LookerClient>,
    token_ttl: Duration,
    /// Turns what was verified (and the identity headers) into the request's principal.
    identities: Arc<Identities>,
    /// Whether `/_introspect` is served (and so passes this gate to its own guard).
    introspect: bool,
}

impl Auth {
    /// The auth layer for a checked posture.
    pub fn new(
        posture: Posture,
        config: &Config,
        looker: Arc<LookerClient>,
        identities: Arc<Identities>,
    ) -> Arc<Self> {
        let jwt = match &posture {
            Posture::Public {
                jwks_uri, issuer, ..
            } => Some(JwtVerifier::new(
                jwks_uri.clone(),
                issuer.clone(),
                config.mcp_resource_uri.trim().to_string(),
            )),
            _ => None,
        };
        Arc::new(Self {
            posture,
            resource: config.mcp_resource_uri.trim().to_string(),
            jwt,
            looker,
            token_ttl: config.mcp_token_cache_ttl,
            identities,
            introspect: config.mcp_introspect,
        })
    }

    fn resource_url(&self) -> Option<&Url> {
        match &self.posture {
            Posture::Public { resource, .. } | Posture::LookerOauth { resource, .. } => {
                Some(resource)
            }
            _ => None,
        }
    }

    /// Path of the RFC 9728 metadata for our resource: `/.well-known/oauth-protected-resource`
    /// plus the resource's path when it has one (RFC 9728 §3).
    fn metadata_path(&self) -> Option<String> {
        let resource = self.resource_url()?;
        let path = resource.path().trim_end_matches('/');
        Some(format!("/.well-known/oauth-protected-resource{path}"))
    }

    /// The absolute URL of our metadata document, as clients should fetch it.
    fn metadata_url(&self) -> Option<String> {
        let resource = self.resource_url()?;
        Some(format!(
            "{}{}",
            resource.origin().ascii_serialization(),
            self.metadata_path()?
        ))
    }

    /// The RFC 9728 Protected Resource Metadata document.
    fn metadata(&self) -> Option<serde_json::Value> {
        match &self.posture {
            Posture::Public { issuer, .. } => Some(json!({
                "resource": self.resource,
                "authorization_servers": [issuer],
                "bearer_methods_supported": ["header"],
                "resource_name": "looker-mcp",
            })),
            Posture::LookerOauth { looker, scopes, .. } => Some(json!({
                "resource": self.resource,
                "authorization_servers": [looker.as_str().trim_end_matches('/')],
                "bearer_methods_supported": ["header"],
                "scopes_supported": scopes,
                "resource_name": "looker-mcp",
            })),
            _ => None,
        }
    }

    /// The anonymous metadata routes (both the origin-rooted and the path-suffixed form).
    pub fn routes(self: &Arc<Self>) -> Router {
        let Some(document) = self.metadata() else {
            return Router::new();
        };
        let serve = move || {
            let document = document.clone();
            async move { axum::Json(document) }
        };
        let mut router =
            Router::new().route("/.well-known/oauth-protected-resource", get(serve.clone()));
        if let Some(path) = self
            .metadata_path()
            .filter(|p| p != "/.well-known/oauth-protected-resource")
        {
            router = router.route(&path, get(serve));
        }
        router
    }

    fn challenge(&self, error: Option<&str>) -> HeaderValue {
        let mut value = format!("Bearer realm=\"{REALM}\"");
        if let Some(url) = self.metadata_url() {
            value.push_str(&format!(", resource_metadata=\"{url}\""));
        }
        if let Some(description) = error {
            let description = description.replace(['"', '\\'], "'");
            value.push_str(&format!(
                ", error=\"invalid_token\", error_description=\"{description}\""
            ));
        }
        HeaderValue::from_str(&value)
            .unwrap_or_else(|_| HeaderValue::from_static("Bearer realm=\"looker-mcp\""))
    }

    fn unauthorized(&self, error: Option<&str>) -> Response {
        let body = json!({ "error": if error.is_some() { "invalid_token" } else { "unauthorized" },
                           "error_description": error.unwrap_or("a bearer token is required") });
        let mut response = (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, self.challenge(error));
        response
    }
}

/// The middleware in front of every route.
pub async fn middleware(
    State(auth): State<Arc<Auth>>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path == "/healthz" || path == "/readyz" || path.starts_with("/.well-known/") {
        return next.run(request).await;
    }
    // Tokens in URLs leak into logs, referrers and history (OAuth 2.1 §5.1.1): never accepted.
    if let Some(query) = request.uri().query()
        && url::form_urlencoded::parse(query.as_bytes()).any(|(k, _)| {
            k.eq_ignore_ascii_case("access_token") || k.eq_ignore_ascii_case("authorization")
        })
    {
        let body = json!({"error": "invalid_request", "error_description": "send bearer tokens in the Authorization header, never in the URL"});
        return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
    }
    // Gateway discovery answers before any user token exists; it checks its own bearer.
    if auth.introspect && request.uri().path() == "/_introspect" {
        return next.run(request).await;
    }
    let bearer = bearer_token(request.headers());
    let verified = match &auth.posture {
        Posture::Open => Verified::Nothing,
        Posture::StaticBearer(expected) => {
            let ok = bearer
                .as_deref()
                .is_some_and(|b| constant_time_eq(b.as_bytes(), expected.expose().as_bytes()));
            if !ok {
                return auth.unauthorized(bearer.as_ref().map(|_| "invalid token"));
            }
            Verified::StaticBearer
        }
        Posture::Public { .. } => {
            let Some(token) = bearer else {
                return auth.unauthorized(None);
            };
            let verifier = auth.jwt.as_ref().expect("public posture has a verifier");
            match verifier.verify(&token).await {
                Ok(claims) => Verified::Jwt(claims),
                Err(rejected) => {
                    tracing::info!(reason = %rejected, "refused a bearer token");
                    return auth.unauthorized(Some(&rejected.0));
                }
            }
        }
        Posture::LookerOauth { .. } => {
            let Some(token) = bearer else {
                return auth.unauthorized(None);
            };
            let token = Secret::new(token);
            match auth.looker.verify_user_token(&token, auth.token_ttl).await {
                Ok(user_id) => {
                    tracing::debug!(%user_id, "Looker accepted the bearer token");
                    Verified::LookerUser { user_id, token }
                }
                Err(error) => {
                    tracing::info!(%error, "refused a Looker bearer token");
                    return auth.unauthorized(Some("Looker did not accept the token"));
                }
            }
        }
    };
    match auth.identities.principal(request.headers(), verified) {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(refusal) => {
            tracing::info!(reason = %refusal, "refused a request's identity");
            refuse_identity(&refusal)
        }
    }
}

/// A request whose identity cannot be accepted: 400 when it cannot be read, 403 otherwise.
fn refuse_identity(error: &IdentityError) -> Response {
    let code = match error.kind {
        ErrorKind::Malformed => "invalid_request",
        ErrorKind::Refused | ErrorKind::Lookup => "access_denied",
    };
    let body = json!({ "error": code, "error_description": error.message });
    (error.status(), axum::Json(body)).into_response()
}

/// The token of an `Authorization: Bearer <token>` header, if the request carries one.
pub(crate) fn bearer_token(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// Whether `a == b`, in time that depends on their lengths only (for secrets).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

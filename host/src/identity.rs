//! Who a tool call runs as in Looker. An [`IdentityProvider`] turns the incoming request (HTTP
//! headers, tool, arguments) into an [`Identity`]; the default [`DualMode`] provider implements the
//! Python server's automatic mode selection. Embedders can supply their own provider.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::HeaderMap;

use crate::config::{Config, DeploymentType, Secret};
use crate::looker::{ApiRequest, Identity, LookerClient, Method, RequestError, Workspace};

/// What a provider may look at to decide who is calling.
pub struct RequestInfo<'a> {
    /// HTTP request headers (empty over stdio).
    pub headers: &'a HeaderMap,
    /// The tool being called.
    pub tool: &'a str,
    /// The group that owns it.
    pub group: &'a str,
    /// The call's arguments.
    pub arguments: &'a serde_json::Value,
}

/// A Looker access token the HTTP auth layer verified (`LOOKER_MCP_MODE=looker_oauth`), left in
/// the request's extensions: the call then runs as that user, whatever the headers say.
#[derive(Clone, Debug)]
pub struct VerifiedLookerToken(pub Secret);

/// Why no identity could be resolved; the call fails with this message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct IdentityError(pub String);

/// A boxed future, so providers can be trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Resolves the Looker identity of one call. Implement it to plug in your own authentication
/// (e.g. exchange an upstream token for a Looker one).
pub trait IdentityProvider: Send + Sync {
    /// The identity `request` runs as. `looker` may be used for lookups (as the service account).
    fn resolve<'a>(
        &'a self,
        request: &'a RequestInfo<'a>,
        looker: &'a LookerClient,
    ) -> BoxFuture<'a, Result<Identity, IdentityError>>;
}

/// The default provider: with `LOOKER_SUDO_AS_USER=true`, a self-hosted Looker impersonates the
/// user named by the email header (admin sudo) and Looker (Google Cloud core) forwards the OAuth
/// token header as-is; without those headers, or with sudo off, the service account runs the call.
pub struct DualMode {
    sudo_enabled: bool,
    deployment: DeploymentType,
    email_header: String,
    token_header: String,
    emails: Mutex<HashMap<String, (String, Instant)>>,
}

/// How long an email → user id lookup is reused.
const EMAIL_CACHE_TTL: Duration = Duration::from_secs(300);

impl DualMode {
    /// The provider for these settings.
    pub fn new(config: &Config) -> Self {
        Self {
            sudo_enabled: config.sudo_as_user,
            deployment: config.deployment_type,
            email_header: config.user_email_header.clone(),
            token_header: config.user_token_header.clone(),
            emails: Mutex::new(HashMap::new()),
        }
    }

    async fn user_id_for(
        &self,
        email: &str,
        looker: &LookerClient,
    ) -> Result<String, IdentityError> {
        let key = email.to_ascii_lowercase();
        if let Some((id, at)) = self.emails.lock().unwrap().get(&key)
            && at.elapsed() < EMAIL_CACHE_TTL
        {
            return Ok(id.clone());
        }
        let id = find_user_by_email(looker, email)
            .await
            .map_err(|e| IdentityError(e.to_string()))?;
        let id = id.ok_or_else(|| {
            IdentityError(format!(
                "no Looker user has the email {email:?} (from the {} header)",
                self.email_header
            ))
        })?;
        self.emails
            .lock()
            .unwrap()
            .insert(key, (id.clone(), Instant::now()));
        Ok(id)
    }
}

impl IdentityProvider for DualMode {
    fn resolve<'a>(
        &'a self,
        request: &'a RequestInfo<'a>,
        looker: &'a LookerClient,
    ) -> BoxFuture<'a, Result<Identity, IdentityError>> {
        Box::pin(async move {
            if !self.sudo_enabled {
                return Ok(Identity::ServiceAccount);
            }
            let header = |name: &str| {
                request
                    .headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
            };
            match self.deployment {
                DeploymentType::GoogleCloudCore => Ok(match header(&self.token_header) {
                    Some(token) => Identity::User {
                        token: Secret::new(token),
                    },
                    None => Identity::ServiceAccount,
                }),
                DeploymentType::SelfHosted => match header(&self.email_header) {
                    Some(email) => {
                        let user_id = self.user_id_for(email, looker).await?;
                        tracing::debug!(event = "looker.session.sudo", triggered_by = "header", target_user_id = %user_id, tool = request.tool, "header-driven sudo");
                        Ok(Identity::Sudo { user_id })
                    }
                    None => Ok(Identity::ServiceAccount),
                },
            }
        })
    }
}

/// The provider a server uses unless an embedder supplies one.
pub fn default_provider(config: &Config) -> Arc<dyn IdentityProvider> {
    Arc::new(DualMode::new(config))
}

/// `GET /users/search?email=` as the service account, keeping only an exact (case-insensitive)
/// match: Looker's search treats `_` and `%` as wildcards.
pub async fn find_user_by_email(
    looker: &LookerClient,
    email: &str,
) -> Result<Option<String>, RequestError> {
    let request = ApiRequest {
        method: Method::Get,
        path: "/users/search".into(),
        query: vec![
            ("email".into(), email.into()),
            ("fields".into(), "id,email".into()),
        ],
        body: None,
        timeout: None,
    };
    let response = looker
        .send(
            &Identity::ServiceAccount,
            Workspace::Production,
            &request,
            1 << 20,
        )
        .await?;
    if !(200..300).contains(&response.status) {
        return Err(RequestError::InvalidRequest(format!(
            "looking up the user with email {email:?} failed (HTTP {}): {}",
            response.status,
            crate::looker::looker_message(&response.body)
        )));
    }
    let users: Vec<serde_json::Value> = serde_json::from_slice(&response.body).unwrap_or_default();
    Ok(users
        .iter()
        .find(|u| {
            u.get("email")
                .and_then(|e| e.as_str())
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
        .and_then(|u| match u.get("id") {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }))
}

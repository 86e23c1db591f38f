//! Sends Looker API requests for plugins: validates the path, injects the session token, re-logs
//! in once on 401, and bounds time and response size.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};

use super::body::Body;
use super::path::{self, encode_segment};
use super::sessions::{Identity, Sessions, Slot, Token, Workspace};
use crate::config::{Config, Secret};

/// HTTP method of an API request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    /// The method's HTTP name.
    pub fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    fn as_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

/// One request, relative to the API root.
#[derive(Clone, Debug)]
pub struct ApiRequest {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<String>,
    pub timeout: Option<Duration>,
}

impl ApiRequest {
    /// A request with no query, body or own timeout.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            timeout: None,
        }
    }

    /// A `GET` of `path`.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::Get, path)
    }

    /// The same request with these query pairs added.
    pub fn with_query<'a>(mut self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        self.query.extend(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        self
    }
}

/// A Looker id (a string or a number in JSON) as text.
pub fn id_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// How long a failed readiness login is reported without trying again.
const READY_FAILURE_TTL: Duration = Duration::from_secs(5);

/// Looker's answer, whatever its status.
#[derive(Clone, Debug)]
pub struct ApiResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// The `Retry-After` Looker sent (seconds form), if any.
    pub retry_after: Option<Duration>,
}

/// Looker's status and headers, whatever the status, with the body still to read.
pub struct ApiHead {
    pub status: u16,
    pub content_type: Option<String>,
    /// The `Retry-After` Looker sent (seconds form), if any.
    pub retry_after: Option<Duration>,
    /// The body's size when Looker said it (`Content-Length`).
    pub length: Option<u64>,
    pub body: Body,
}

impl From<ApiResponse> for ApiHead {
    /// An answer already read, handed out again from memory.
    fn from(answer: ApiResponse) -> Self {
        Self {
            status: answer.status,
            content_type: answer.content_type,
            retry_after: answer.retry_after,
            length: Some(answer.body.len() as u64),
            body: Body::memory(answer.body),
        }
    }
}

impl ApiHead {
    /// Reads the whole body.
    pub async fn read(self) -> Result<ApiResponse, RequestError> {
        Ok(ApiResponse {
            status: self.status,
            content_type: self.content_type,
            body: self.body.read_all(self.length).await?,
            retry_after: self.retry_after,
        })
    }
}

/// Why no answer came back. Never carries a secret.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum RequestError {
    #[error("request refused: {0}")]
    InvalidRequest(String),
    #[error("Looker did not answer in time ({0})")]
    Timeout(String),
    #[error("Looker could not be reached: {0}")]
    Unreachable(String),
    #[error("Looker's response is larger than the {0}-byte limit")]
    TooLarge(u64),
    #[error("could not authenticate with Looker: {0}")]
    Unauthenticated(String),
}

/// How many times a transient failure of a GET is retried.
pub const RETRIES: usize = 3;
/// The longest `Retry-After` waited for; a longer one ends the call with Looker's 429.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

/// The Looker API client shared by every call.
pub struct LookerClient {
    http: reqwest::Client,
    api_root: String,
    client_id: String,
    client_secret: Secret,
    timeout: Duration,
    sessions: Sessions,
    /// Forwarded user tokens Looker accepted recently: sha256 of the token → (user id, when).
    verified: Mutex<HashMap<String, (String, Instant)>>,
    /// The last failed readiness login, so probes cost one login attempt per interval.
    ready_failure: Mutex<Option<(RequestError, Instant)>>,
}

impl LookerClient {
    /// Builds the client from the settings (no network traffic yet).
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(connect_timeout(config.timeout))
            .tls_danger_accept_invalid_certs(!config.verify_ssl)
            .user_agent(concat!("looker-mcp/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .pool_idle_timeout(Duration::from_secs(60))
            .build()?;
        Ok(Self {
            http,
            api_root: config.api_root(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            timeout: config.timeout,
            sessions: Sessions::default(),
            verified: Mutex::new(HashMap::new()),
            ready_failure: Mutex::new(None),
        })
    }

    /// Sends `request` as `identity` in `workspace` and reads the answer. Reads at most
    /// `max_bytes` of the body.
    pub async fn send(
        &self,
        identity: &Identity,
        workspace: Workspace,
        request: &ApiRequest,
        max_bytes: u64,
    ) -> Result<ApiResponse, RequestError> {
        self.send_streaming(identity, workspace, request, max_bytes)
            .await?
            .read()
            .await
    }

    /// Sends `request` as `identity` in `workspace`; returns once Looker's status and headers
    /// arrived. The body yields at most `max_bytes`.
    pub async fn send_streaming(
        &self,
        identity: &Identity,
        workspace: Workspace,
        request: &ApiRequest,
        max_bytes: u64,
    ) -> Result<ApiHead, RequestError> {
        path::validate(&request.path).map_err(|e| RequestError::InvalidRequest(e.to_string()))?;
        let slot = self.sessions.slot(identity, workspace);
        let token = self.token(&slot, identity, workspace).await?;
        let response = self
            .execute_with_retries(request, &token, max_bytes)
            .await?;
        // A forwarded user token cannot be renewed here: its 401 goes back to the caller, and
        // the token is no longer taken as verified.
        if let (401, Identity::User { token }) = (response.status, identity) {
            self.verified.lock().unwrap().remove(&digest(token));
        }
        if response.status != 401 || matches!(identity, Identity::User { .. }) {
            return Ok(response);
        }
        // The token expired or was revoked early: log in again once and retry.
        slot.invalidate(&token);
        let token = self.token(&slot, identity, workspace).await?;
        self.execute_with_retries(request, &token, max_bytes).await
    }

    /// Sends a request; a GET (idempotent for Looker) that meets a transient failure (HTTP 429,
    /// 500, 502, 503, 504, or a refused/reset connection) is tried again, at most [`RETRIES`]
    /// more times, after a jittered exponential backoff or the `Retry-After` Looker asked for
    /// (when it asks for more than [`MAX_RETRY_AFTER`], its answer is returned at once). Other methods are never repeated: a POST may already
    /// have had its effect. When the retries run out, Looker's last answer is returned.
    async fn execute_with_retries(
        &self,
        request: &ApiRequest,
        token: &Token,
        max_bytes: u64,
    ) -> Result<ApiHead, RequestError> {
        use backon::{ExponentialBuilder, Retryable};
        if request.method != Method::Get {
            return self.execute(request, token, max_bytes).await;
        }
        enum Failure {
            /// A transient answer (429, 5xx): retried, and returned as is when retries run out.
            Answer(Box<ApiHead>),
            /// A refused or reset connection: retried.
            Unreachable(RequestError),
            /// Anything else (e.g. a timeout): returned at once.
            Final(RequestError),
        }
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_secs(2))
            .with_max_times(RETRIES)
            .with_jitter();
        let attempt = || async {
            match self.execute(request, token, max_bytes).await {
                Ok(r) if matches!(r.status, 429 | 500 | 502 | 503 | 504) => {
                    Err(Failure::Answer(Box::new(r)))
                }
                Ok(r) => Ok(r),
                Err(e @ RequestError::Unreachable(_)) => Err(Failure::Unreachable(e)),
                Err(e) => Err(Failure::Final(e)),
            }
        };
        let outcome = attempt
            .retry(backoff)
            .when(|failure| !matches!(failure, Failure::Final(_)))
            // `delay` is `None` once the retries are spent; a 429 then ends the call like a 5xx.
            // A `Retry-After` beyond the cap ends it at once: waiting less would be refused again.
            .adjust(|failure, delay| match failure {
                Failure::Answer(r) if r.status == 429 => match (delay, r.retry_after) {
                    (None, _) => None,
                    (Some(_), Some(wait)) if wait > MAX_RETRY_AFTER => None,
                    (Some(backoff), wait) => Some(wait.unwrap_or(backoff)),
                },
                _ => delay,
            })
            .notify(|failure, delay| {
                let what = match failure {
                    Failure::Answer(r) => format!("HTTP {}", r.status),
                    Failure::Unreachable(e) | Failure::Final(e) => e.to_string(),
                };
                tracing::info!(path = %request.path, %what, retry_in_ms = delay.as_millis() as u64, "retrying a transient Looker failure");
            })
            .await;
        match outcome {
            Ok(response) => Ok(response),
            Err(Failure::Answer(response)) => Ok(*response),
            Err(Failure::Unreachable(error) | Failure::Final(error)) => Err(error),
        }
    }

    /// The configured API3 client id (not a secret), for audit lines.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Checks a user's own Looker token with `GET /user` and returns the user's id. A token
    /// Looker accepted is trusted for `ttl` without asking again (until Looker answers 401 to it).
    pub async fn verify_user_token(
        &self,
        token: &Secret,
        ttl: Duration,
    ) -> Result<String, RequestError> {
        let key = digest(token);
        if let Some((user, at)) = self.verified.lock().unwrap().get(&key)
            && at.elapsed() < ttl
        {
            return Ok(user.clone());
        }
        let request = ApiRequest::get("/user").with_query([("fields", "id")]);
        let identity = Identity::User {
            token: token.clone(),
        };
        let response = self
            .send(&identity, Workspace::Production, &request, 1 << 20)
            .await?;
        let user = (response.status == 200)
            .then(|| serde_json::from_slice::<serde_json::Value>(&response.body).ok())
            .flatten()
            .and_then(|v| id_text(v.get("id")?))
            .ok_or_else(|| {
                RequestError::Unauthenticated(format!(
                    "Looker did not accept the token (HTTP {})",
                    response.status
                ))
            })?;
        let mut verified = self.verified.lock().unwrap();
        if verified.len() >= 4096 {
            verified.retain(|_, (_, at)| at.elapsed() < ttl);
        }
        verified.insert(key, (user.clone(), Instant::now()));
        Ok(user)
    }

    /// Readiness: whether the service account can log in (uses the cached session when fresh).
    /// A failure is reported again for a few seconds without another login attempt, so a
    /// probe storm against a broken Looker costs one login per interval.
    pub async fn check_ready(&self) -> Result<(), RequestError> {
        if let Some((error, at)) = &*self.ready_failure.lock().unwrap()
            && at.elapsed() < READY_FAILURE_TTL
        {
            return Err(error.clone());
        }
        let slot = self
            .sessions
            .slot(&Identity::ServiceAccount, Workspace::Production);
        let outcome = self
            .token(&slot, &Identity::ServiceAccount, Workspace::Production)
            .await
            .map(drop);
        *self.ready_failure.lock().unwrap() = outcome
            .as_ref()
            .err()
            .map(|error| (error.clone(), Instant::now()));
        outcome
    }

    async fn token(
        &self,
        slot: &Slot,
        identity: &Identity,
        workspace: Workspace,
    ) -> Result<Token, RequestError> {
        slot.get_or_login(|| self.login(identity, workspace)).await
    }

    async fn login(
        &self,
        identity: &Identity,
        workspace: Workspace,
    ) -> Result<Token, RequestError> {
        let token = match identity {
            Identity::ServiceAccount => self.login_service_account().await?,
            // Looker's answer to the forwarded token decides; assume it lasts an hour.
            Identity::User { token } => {
                Token::new(token.expose().to_string(), Duration::from_secs(3600))
            }
            Identity::Sudo { user_id } => {
                let admin = self
                    .sessions
                    .slot(&Identity::ServiceAccount, Workspace::Production);
                let admin =
                    Box::pin(self.token(&admin, &Identity::ServiceAccount, Workspace::Production))
                        .await?;
                let url = format!("{}/login/{}", self.api_root, encode_segment(user_id));
                let req = self
                    .http
                    .post(url)
                    .header(AUTHORIZATION, auth_header(&admin)?);
                match self
                    .read_token(req, &format!("sudo login as user {user_id}"))
                    .await
                {
                    // Looker refuses sudo to credentials without the permission; say so plainly.
                    Err(RequestError::Unauthenticated(why)) if why.contains("(HTTP 403)") => {
                        return Err(RequestError::Unauthenticated(
                            "Permission denied — the current user lacks access.".into(),
                        ));
                    }
                    other => other?,
                }
            }
        };
        if workspace == Workspace::Dev {
            let body = r#"{"workspace_id":"dev"}"#.to_string();
            let mut req = ApiRequest::new(Method::Patch, "/session");
            req.body = Some(body);
            let answer = self.execute(&req, &token, 64 * 1024).await?.read().await?;
            if !(200..300).contains(&answer.status) {
                return Err(RequestError::Unauthenticated(format!(
                    "switching the API session to the dev workspace failed (HTTP {}): {}",
                    answer.status,
                    looker_message(&answer.body)
                )));
            }
        }
        Ok(token)
    }

    async fn login_service_account(&self) -> Result<Token, RequestError> {
        if self.client_id.is_empty() || self.client_secret.is_empty() {
            return Err(RequestError::Unauthenticated(
                "LOOKER_CLIENT_ID and LOOKER_CLIENT_SECRET are not set".into(),
            ));
        }
        let form = [
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
        ];
        let req = self
            .http
            .post(format!("{}/login", self.api_root))
            .form(&form);
        self.read_token(req, "API3 login").await
    }

    async fn read_token(
        &self,
        req: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<Token, RequestError> {
        let response = req
            .timeout(request_deadline(self.timeout))
            .send()
            .await
            .map_err(|e| transport_error(e, self.timeout))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error(e, self.timeout))?;
        if !(200..300).contains(&status) {
            return Err(RequestError::Unauthenticated(format!(
                "{what} was refused (HTTP {status}): {}",
                looker_message(&body)
            )));
        }
        #[derive(serde::Deserialize)]
        struct Login {
            access_token: String,
            expires_in: Option<u64>,
        }
        let login: Login = serde_json::from_slice(&body).map_err(|e| {
            RequestError::Unauthenticated(format!("{what}: unexpected answer: {e}"))
        })?;
        Ok(Token::new(
            login.access_token,
            Duration::from_secs(login.expires_in.unwrap_or(3600)),
        ))
    }

    /// Sends one request; returns once Looker's status and headers arrived.
    async fn execute(
        &self,
        request: &ApiRequest,
        token: &Token,
        max_bytes: u64,
    ) -> Result<ApiHead, RequestError> {
        let mut traced =
            crate::telemetry::LookerRequest::start(request.method.name(), &request.path);
        // The per-call deadline bounds a longer per-request timeout a plugin asks for.
        let timeout = request.timeout.unwrap_or(self.timeout);
        let mut builder = self
            .http
            .request(
                request.method.as_reqwest(),
                format!("{}{}", self.api_root, request.path),
            )
            .header(AUTHORIZATION, auth_header(token)?)
            .timeout(request_deadline(timeout));
        if let Some(traceparent) = traced.traceparent() {
            builder = builder.header("traceparent", traceparent);
        }
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| transport_error(e, timeout))?;
        let status = response.status().as_u16();
        traced.answered(status);
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let length = response.content_length();
        if length.is_some_and(|n| n > max_bytes) {
            traced.failed();
            return Err(RequestError::TooLarge(max_bytes));
        }
        Ok(ApiHead {
            status,
            content_type,
            retry_after,
            length,
            body: Body::network(response, max_bytes, timeout, traced),
        })
    }
}

fn auth_header(token: &Token) -> Result<HeaderValue, RequestError> {
    let mut value = HeaderValue::from_str(&format!("token {}", token.value.expose()))
        .map_err(|_| RequestError::Unauthenticated("Looker issued a malformed token".into()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// How long connecting may take: the timeout setting, at most 10 s.
fn connect_timeout(timeout: Duration) -> Duration {
    timeout.min(Duration::from_secs(10))
}

/// The whole request's deadline: connecting gets its own budget, then Looker has `timeout` to
/// answer (httpx, which the Python server uses, times each phase separately too). With one
/// shared budget a slow connect would be reported as a read timeout.
fn request_deadline(timeout: Duration) -> Duration {
    connect_timeout(timeout) + timeout
}

pub(super) fn transport_error(error: reqwest::Error, timeout: Duration) -> RequestError {
    if error.is_timeout() {
        let phase = if error.is_connect() {
            "connect timeout"
        } else {
            "read timeout"
        };
        RequestError::Timeout(format!("{phase} after {:.1} s", timeout.as_secs_f64()))
    } else if error.is_connect() {
        RequestError::Unreachable(format!("connection failed: {}", error_chain(error)))
    } else {
        RequestError::Unreachable(error_chain(error))
    }
}

/// The error and its causes, without the URL (which is the host's business only).
fn error_chain(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Looker's `message` from an error body, or the body text itself.
pub fn looker_message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from))
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(500)]).into_owned())
}

/// A token's cache key: its sha256, so the map never holds the token itself.
fn digest(token: &Secret) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.expose().as_bytes()))
}

//! HTTP to a registry for one repository: bounded GETs, the distribution spec's auth
//! challenges (anonymous or basic-credential bearer tokens, or plain basic auth) and errors that
//! name what was asked for. Credentials are never logged nor put in an error.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue, WWW_AUTHENTICATE};
use sha2::{Digest, Sha256};

use super::reference::{Reference, is_loopback_host};
use super::{Limits, PullError};

/// Username and password for a registry, from `LOOKER_OCI_USERNAME` / `LOOKER_OCI_PASSWORD`.
/// `Debug` shows the username only.
#[derive(Clone)]
pub struct Credentials {
    username: String,
    password: String,
}

impl Credentials {
    /// Credentials for registries that ask for them.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
        }
    }

    /// `LOOKER_OCI_USERNAME` and `LOOKER_OCI_PASSWORD`, when both are set.
    pub fn from_env() -> Option<Self> {
        let username = std::env::var("LOOKER_OCI_USERNAME").ok()?;
        let password = std::env::var("LOOKER_OCI_PASSWORD").ok()?;
        Some(Self::new(username, password))
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The shared HTTP client: rustls (the workspace's reqwest), connect and read timeouts, at most
/// five redirects and never from HTTPS down to plain HTTP off this machine. reqwest drops the
/// `Authorization` header on a redirect to another host (registries send blobs to a CDN).
pub(super) fn http_client(limits: &Limits) -> Result<reqwest::Client, PullError> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() >= 5 {
            return attempt.error("more than 5 redirects");
        }
        let url = attempt.url();
        if url.scheme() != "https" && !url.host_str().is_some_and(is_loopback_host) {
            let origin = url.origin().ascii_serialization();
            return attempt.error(format!(
                "refusing a redirect to {origin}: plain HTTP is only used on this machine"
            ));
        }
        attempt.follow()
    });
    reqwest::Client::builder()
        .user_agent(concat!("looker-mcp/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(limits.connect_timeout)
        .read_timeout(limits.read_timeout)
        .redirect(policy)
        .build()
        .map_err(|e| PullError::Transport {
            url: String::new(),
            error: error_chain(&e),
        })
}

/// One repository of one registry, with the authorization its challenge led to.
pub(super) struct Session<'a> {
    http: &'a reqwest::Client,
    credentials: Option<&'a Credentials>,
    reference: &'a Reference,
    authorization: Option<HeaderValue>,
}

/// A response body read in full, within a bound, with its sha256.
pub(super) struct Body {
    pub bytes: Vec<u8>,
    /// `sha256:<hex>` of `bytes`.
    pub digest: String,
    /// The `Docker-Content-Digest` header, if the registry sent one.
    pub content_digest: Option<String>,
}

/// What a GET found: the body, or nothing there (404).
pub(super) enum Fetched {
    Found(Body),
    NotFound,
}

impl<'a> Session<'a> {
    pub fn new(
        http: &'a reqwest::Client,
        credentials: Option<&'a Credentials>,
        reference: &'a Reference,
    ) -> Self {
        Self {
            http,
            credentials,
            reference,
            authorization: None,
        }
    }

    /// GETs `url` (a manifest or blob of this repository) with `accept`, answering one auth
    /// challenge if the registry sends one, and reads at most `max` bytes of the body.
    pub async fn get(&mut self, url: &str, accept: &str, max: u64) -> Result<Fetched, PullError> {
        let mut challenged = false;
        loop {
            let mut request = self.http.get(url).header(ACCEPT, accept);
            if let Some(authorization) = &self.authorization {
                request = request.header(AUTHORIZATION, authorization.clone());
            }
            let response = request.send().await.map_err(|e| transport(url, &e))?;
            match response.status() {
                StatusCode::UNAUTHORIZED if !challenged => {
                    challenged = true;
                    let challenge = response
                        .headers()
                        .get(WWW_AUTHENTICATE)
                        .and_then(|v| v.to_str().ok())
                        .map(Challenge::parse);
                    self.authorization = Some(self.answer(url, challenge).await?);
                }
                StatusCode::NOT_FOUND => return Ok(Fetched::NotFound),
                status if status.is_success() => {
                    return read_bounded(url, response, max).await.map(Fetched::Found);
                }
                status => return Err(status_error(url, response, status).await),
            }
        }
    }

    /// The `Authorization` header that answers a challenge.
    async fn answer(
        &self,
        url: &str,
        challenge: Option<Challenge>,
    ) -> Result<HeaderValue, PullError> {
        let unauthorized = |why: &str| PullError::Unauthorized {
            url: url.to_owned(),
            why: why.to_owned(),
        };
        match challenge {
            Some(Challenge::Bearer {
                realm,
                service,
                scope,
            }) => {
                let token = self.token(url, &realm, service, scope).await?;
                bearer(&token)
                    .ok_or_else(|| unauthorized("the token service sent an invalid token"))
            }
            Some(Challenge::Basic) => match self.credentials {
                Some(c) => Ok(basic(c)),
                None => Err(unauthorized(
                    "the registry wants a username and password: set LOOKER_OCI_USERNAME and \
                     LOOKER_OCI_PASSWORD",
                )),
            },
            Some(Challenge::Other(scheme)) => Err(unauthorized(&format!(
                "unsupported authentication scheme {scheme:?}"
            ))),
            None => Err(unauthorized("401 without a WWW-Authenticate challenge")),
        }
    }

    /// A pull token from the challenge's realm: anonymous, or with the basic credentials.
    async fn token(
        &self,
        url: &str,
        realm: &str,
        service: Option<String>,
        scope: Option<String>,
    ) -> Result<String, PullError> {
        let realm_url = reqwest::Url::parse(realm).map_err(|_| PullError::Unauthorized {
            url: url.to_owned(),
            why: format!("the token realm {realm:?} is not a URL"),
        })?;
        let secure = realm_url.scheme() == "https"
            || (realm_url.scheme() == "http" && realm_url.host_str().is_some_and(is_loopback_host));
        if !secure {
            return Err(PullError::Unauthorized {
                url: url.to_owned(),
                why: format!(
                    "the token realm {} is not HTTPS (plain HTTP only on this machine)",
                    realm_url.origin().ascii_serialization()
                ),
            });
        }
        let scope =
            scope.unwrap_or_else(|| format!("repository:{}:pull", self.reference.repository()));
        let mut query = vec![("scope", scope)];
        if let Some(service) = service {
            query.push(("service", service));
        }
        let mut request = self.http.get(realm_url).query(&query);
        if let Some(c) = self.credentials {
            request = request.basic_auth(&c.username, Some(&c.password));
        }
        let response = request.send().await.map_err(|e| transport(realm, &e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(PullError::Unauthorized {
                url: url.to_owned(),
                why: format!("the token service answered {status}"),
            });
        }
        let body = read_bounded(realm, response, MAX_TOKEN_RESPONSE).await?;
        #[derive(serde::Deserialize)]
        struct TokenResponse {
            token: Option<String>,
            access_token: Option<String>,
        }
        let parsed: TokenResponse =
            serde_json::from_slice(&body.bytes).map_err(|_| PullError::Unauthorized {
                url: url.to_owned(),
                why: "the token service's answer is not a token JSON object".into(),
            })?;
        parsed
            .token
            .or(parsed.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| PullError::Unauthorized {
                url: url.to_owned(),
                why: "the token service's answer holds no token".into(),
            })
    }
}

const MAX_TOKEN_RESPONSE: u64 = 64 * 1024;

fn bearer(token: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

fn basic(credentials: &Credentials) -> HeaderValue {
    use base64::Engine;
    let pair = format!("{}:{}", credentials.username, credentials.password);
    let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
    let mut value =
        HeaderValue::from_str(&format!("Basic {encoded}")).expect("base64 is a valid header");
    value.set_sensitive(true);
    value
}

/// Reads a body of at most `max` bytes, hashing as it goes. A `Content-Length` over the bound
/// is refused before anything is read.
async fn read_bounded(
    url: &str,
    mut response: reqwest::Response,
    max: u64,
) -> Result<Body, PullError> {
    let too_large = |size: u64| PullError::TooLarge {
        url: url.to_owned(),
        size,
        limit: max,
    };
    if let Some(length) = response.content_length().filter(|&l| l > max) {
        return Err(too_large(length));
    }
    let content_digest = response
        .headers()
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut bytes = Vec::with_capacity(response.content_length().unwrap_or(0) as usize);
    let mut hasher = Sha256::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport(url, &e))? {
        let size = bytes.len() as u64 + chunk.len() as u64;
        if size > max {
            return Err(too_large(size));
        }
        hasher.update(&chunk);
        bytes.extend_from_slice(&chunk);
    }
    Ok(Body {
        bytes,
        digest: format!("sha256:{}", hex::encode(hasher.finalize())),
        content_digest,
    })
}

/// An error status, with the registry's own error message when it sent one
/// (`{"errors":[{"code":…,"message":…}]}`).
async fn status_error(url: &str, response: reqwest::Response, status: StatusCode) -> PullError {
    let detail = match read_bounded(url, response, 16 * 1024).await {
        Ok(body) => registry_message(&body.bytes),
        Err(_) => None,
    };
    PullError::Status {
        url: url.to_owned(),
        status: status.as_u16(),
        detail: detail.map(|d| format!(" ({d})")).unwrap_or_default(),
    }
}

fn registry_message(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<ErrorEntry>,
    }
    #[derive(serde::Deserialize)]
    struct ErrorEntry {
        code: Option<String>,
        message: Option<String>,
    }
    let errors: Errors = serde_json::from_slice(body).ok()?;
    let first = errors.errors.into_iter().next()?;
    let text = [first.code, first.message]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(": ");
    Some(text.chars().take(200).collect())
}

fn transport(url: &str, error: &reqwest::Error) -> PullError {
    if error.is_timeout() {
        return PullError::Timeout {
            url: url.to_owned(),
        };
    }
    PullError::Transport {
        url: url.to_owned(),
        error: error_chain(error),
    }
}

/// The error and its sources on one line (reqwest's own message is only the outermost).
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}

/// A parsed `WWW-Authenticate` header (the first challenge).
#[derive(Debug, PartialEq, Eq)]
enum Challenge {
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
    Basic,
    Other(String),
}

impl Challenge {
    /// `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. Quoted values may hold
    /// commas (`scope="repository:a:pull,push"`).
    fn parse(header: &str) -> Self {
        let header = header.trim();
        let (scheme, params) = header.split_once(' ').unwrap_or((header, ""));
        if scheme.eq_ignore_ascii_case("basic") {
            return Self::Basic;
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Self::Other(scheme.to_owned());
        }
        let params = auth_params(params);
        let get = |key: &str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.clone())
        };
        match get("realm") {
            Some(realm) => Self::Bearer {
                realm,
                service: get("service"),
                scope: get("scope"),
            },
            None => Self::Other("Bearer without a realm".into()),
        }
    }
}

/// `key=value` or `key="quoted, value"` pairs, comma-separated.
fn auth_params(text: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let key = key.trim().trim_start_matches(',').trim().to_owned();
        let after = after.trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end.min(quoted.len())..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        params.push((key, value));
        rest = remaining.trim_start().trim_start_matches(',').trim_start();
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bearer_challenges() {
        let c = Challenge::parse(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#,
        );
        assert_eq!(
            c,
            Challenge::Bearer {
                realm: "https://auth.example/token".into(),
                service: Some("registry.example".into()),
                scope: Some("repository:a/b:pull,push".into()),
            }
        );
        let c = Challenge::parse(r#"bearer realm=https://a/t, scope="x\"y""#);
        assert_eq!(
            c,
            Challenge::Bearer {
                realm: "https://a/t".into(),
                service: None,
                scope: Some("x\"y".into()),
            }
        );
    }

    #[test]
    fn parses_other_challenges() {
        assert_eq!(Challenge::parse(r#"Basic realm="r""#), Challenge::Basic);
        assert_eq!(
            Challenge::parse("Bearer service=x"),
            Challenge::Other("Bearer without a realm".into())
        );
        assert_eq!(
            Challenge::parse("Negotiate"),
            Challenge::Other("Negotiate".into())
        );
        // Unterminated quotes and stray text do not panic.
        let _ = Challenge::parse(r#"Bearer realm="abc"#);
        let _ = Challenge::parse("Bearer ,,=,=\"");
    }

    #[test]
    fn credentials_debug_hides_the_password() {
        let c = Credentials::new("robot", "hunter2");
        let shown = format!("{c:?}");
        assert!(
            shown.contains("robot") && !shown.contains("hunter2"),
            "{shown}"
        );
        assert!(basic(&c).is_sensitive());
    }

    #[test]
    fn reads_registry_error_messages() {
        let body = br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#;
        assert_eq!(
            registry_message(body).as_deref(),
            Some("MANIFEST_UNKNOWN: manifest unknown")
        );
        assert_eq!(registry_message(b"<html>"), None);
    }
}

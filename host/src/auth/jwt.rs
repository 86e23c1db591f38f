//! `public` mode: OAuth 2.1 access tokens as JWTs, signed RS256 or ES256 by a key in the
//! authorization server's JWKS. The key set is cached for an hour; a token naming an unknown
//! `kid` forces at most one refresh per five minutes (key rotation without a refresh storm).
//! Fetching never holds a lock that verification of known keys waits on; a failed fetch is
//! remembered for ten seconds, and a hanging JWKS endpoint costs at most five.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use url::Url;

/// How long a fetched key set is trusted.
pub const JWKS_TTL: Duration = Duration::from_secs(3600);
/// Least time between two refreshes forced by an unknown `kid`.
pub const FORCED_REFRESH_INTERVAL: Duration = Duration::from_secs(300);
/// How long a failed fetch is remembered before the next one is tried.
pub const FAILURE_TTL: Duration = Duration::from_secs(10);
/// The longest a JWKS fetch may take.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Clock skew allowed on `exp` and `nbf`.
pub const LEEWAY_SECONDS: u64 = 30;

/// Why a bearer token was refused (the text goes into `error_description`).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct Rejected(pub String);

/// Verifies JWT bearer tokens against one issuer, audience and key set.
pub struct JwtVerifier {
    http: reqwest::Client,
    jwks_uri: Url,
    issuer: String,
    audience: String,
    keys: Mutex<KeyCache>,
    /// Held while fetching, so one fetch runs at a time; only callers that need it wait.
    fetching: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct KeyCache {
    set: Option<Arc<JwkSet>>,
    fetched_at: Option<Instant>,
    forced_at: Option<Instant>,
    failed_at: Option<Instant>,
}

impl KeyCache {
    fn stale(&self) -> bool {
        self.fetched_at.is_none_or(|at| at.elapsed() > JWKS_TTL)
    }
    fn failed_recently(&self) -> bool {
        self.failed_at.is_some_and(|at| at.elapsed() < FAILURE_TTL)
    }
    fn has(&self, kid: &str) -> bool {
        self.set
            .as_deref()
            .is_some_and(|set| find(set, kid).is_some())
    }
}

impl JwtVerifier {
    /// A verifier for tokens from `issuer` meant for `audience`, keys from `jwks_uri`.
    pub fn new(jwks_uri: Url, issuer: String, audience: String) -> Self {
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .connect_timeout(Duration::from_secs(2))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a plain reqwest client builds");
        Self {
            http,
            jwks_uri,
            issuer,
            audience,
            keys: Mutex::default(),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// Checks `token`: algorithm (RS256/ES256 only, before any key is looked at), signature,
    /// `iss`, `aud`, `exp` and `nbf`; returns its claims.
    pub async fn verify(&self, token: &str) -> Result<serde_json::Value, Rejected> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| Rejected("malformed token".into()))?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(Rejected(format!(
                "algorithm {:?} is not accepted (RS256 or ES256 only)",
                header.alg
            )));
        }
        let kid = header
            .kid
            .ok_or_else(|| Rejected("token has no kid".into()))?;
        let key = self.key(&kid, header.alg).await?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                Rejected(match e.kind() {
                    ErrorKind::ExpiredSignature => "token expired".into(),
                    ErrorKind::ImmatureSignature => "token not yet valid".into(),
                    ErrorKind::InvalidIssuer => "wrong issuer".into(),
                    ErrorKind::InvalidAudience => "wrong audience".into(),
                    ErrorKind::InvalidSignature => "bad signature".into(),
                    ErrorKind::MissingRequiredClaim(c) => format!("missing claim {c}"),
                    _ => "invalid token".into(),
                })
            })
    }

    async fn key(&self, kid: &str, alg: Algorithm) -> Result<DecodingKey, Rejected> {
        let set = match self.usable_set(kid) {
            Some(set) => set,
            None => self.refresh_for(kid).await?,
        };
        let jwk = find(&set, kid).ok_or_else(|| Rejected(format!("unknown key id {kid:?}")))?;
        use jsonwebtoken::jwk::KeyAlgorithm;
        match (jwk.common.key_algorithm, alg) {
            (None, _)
            | (Some(KeyAlgorithm::RS256), Algorithm::RS256)
            | (Some(KeyAlgorithm::ES256), Algorithm::ES256) => {}
            _ => return Err(Rejected(format!("key {kid:?} is not for {alg:?}"))),
        }
        DecodingKey::from_jwk(jwk).map_err(|_| Rejected(format!("key {kid:?} is unusable")))
    }

    /// The cached set when it can answer for `kid` without a fetch: fresh and holding the kid,
    /// or stale but holding it while another caller is already fetching.
    fn usable_set(&self, kid: &str) -> Option<Arc<JwkSet>> {
        let cache = self.keys.lock().unwrap();
        let fetching = self.fetching.try_lock().is_err();
        (cache.has(kid) && (!cache.stale() || fetching || cache.failed_recently()))
            .then(|| cache.set.clone())
            .flatten()
    }

    /// Fetches the key set for a `kid` the cache cannot answer for, one fetch at a time, at
    /// most one forced fetch per [`FORCED_REFRESH_INTERVAL`] for unknown kids, none while a
    /// failure is recent.
    async fn refresh_for(&self, kid: &str) -> Result<Arc<JwkSet>, Rejected> {
        let unavailable = || Rejected("the authorization server's keys are unavailable".into());
        let _one_fetch = self.fetching.lock().await;
        {
            let mut cache = self.keys.lock().unwrap();
            if cache.has(kid) && !cache.stale() {
                return Ok(cache.set.clone().expect("has() saw a set"));
            }
            if cache.failed_recently() {
                return cache
                    .set
                    .clone()
                    .filter(|_| cache.has(kid))
                    .ok_or_else(unavailable);
            }
            if !cache.stale() {
                // A fresh set without this kid: a rotation, or a made-up kid.
                if cache
                    .forced_at
                    .is_some_and(|at| at.elapsed() < FORCED_REFRESH_INTERVAL)
                {
                    return Err(Rejected(format!("unknown key id {kid:?}")));
                }
                cache.forced_at = Some(Instant::now());
            }
        }
        match self.fetch().await {
            Ok(set) => {
                let set = Arc::new(set);
                let mut cache = self.keys.lock().unwrap();
                cache.set = Some(set.clone());
                cache.fetched_at = Some(Instant::now());
                cache.failed_at = None;
                Ok(set)
            }
            Err(why) => {
                tracing::warn!(jwks_uri = %self.jwks_uri, %why, "could not fetch the JWKS");
                let mut cache = self.keys.lock().unwrap();
                cache.failed_at = Some(Instant::now());
                // A stale set still answers for the keys it has.
                cache
                    .set
                    .clone()
                    .filter(|_| cache.has(kid))
                    .ok_or_else(unavailable)
            }
        }
    }

    async fn fetch(&self) -> Result<JwkSet, String> {
        let response = self
            .http
            .get(self.jwks_uri.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()));
        }
        response.json().await.map_err(|e| e.to_string())
    }
}

fn find<'a>(set: &'a JwkSet, kid: &str) -> Option<&'a jsonwebtoken::jwk::Jwk> {
    set.keys
        .iter()
        .find(|k| k.common.key_id.as_deref() == Some(kid))
}

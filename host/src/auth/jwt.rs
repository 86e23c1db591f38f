//! `public` mode: OAuth 2.1 access tokens as JWTs, signed RS256 or ES256 by a key in the
//! authorization server's JWKS. The key set is cached for an hour; a token naming an unknown
//! `kid` forces at most one refresh per five minutes (key rotation without a refresh storm).

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use tokio::sync::Mutex;
use url::Url;

/// How long a fetched key set is trusted.
pub const JWKS_TTL: Duration = Duration::from_secs(3600);
/// Least time between two refreshes forced by an unknown `kid`.
pub const FORCED_REFRESH_INTERVAL: Duration = Duration::from_secs(300);
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
}

#[derive(Default)]
struct KeyCache {
    set: Option<JwkSet>,
    fetched_at: Option<Instant>,
    forced_at: Option<Instant>,
}

impl JwtVerifier {
    /// A verifier for tokens from `issuer` meant for `audience`, keys from `jwks_uri`.
    pub fn new(jwks_uri: Url, issuer: String, audience: String) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a plain reqwest client builds");
        Self {
            http,
            jwks_uri,
            issuer,
            audience,
            keys: Mutex::new(KeyCache::default()),
        }
    }

    /// Checks `token`: algorithm (RS256/ES256 only, before any key is looked at), signature,
    /// `iss`, `aud`, `exp` and `nbf`.
    pub async fn verify(&self, token: &str) -> Result<(), Rejected> {
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
            .map(drop)
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
        let mut cache = self.keys.lock().await;
        let stale = cache.fetched_at.is_none_or(|at| at.elapsed() > JWKS_TTL);
        if stale {
            self.refresh(&mut cache).await?;
        }
        if find(&cache, kid).is_none() && !stale {
            let may_force = cache
                .forced_at
                .is_none_or(|at| at.elapsed() > FORCED_REFRESH_INTERVAL);
            if may_force {
                cache.forced_at = Some(Instant::now());
                self.refresh(&mut cache).await?;
            }
        }
        let jwk = find(&cache, kid).ok_or_else(|| Rejected(format!("unknown key id {kid:?}")))?;
        use jsonwebtoken::jwk::KeyAlgorithm;
        match (jwk.common.key_algorithm, alg) {
            (None, _)
            | (Some(KeyAlgorithm::RS256), Algorithm::RS256)
            | (Some(KeyAlgorithm::ES256), Algorithm::ES256) => {}
            _ => return Err(Rejected(format!("key {kid:?} is not for {alg:?}"))),
        }
        DecodingKey::from_jwk(jwk).map_err(|_| Rejected(format!("key {kid:?} is unusable")))
    }

    async fn refresh(&self, cache: &mut KeyCache) -> Result<(), Rejected> {
        let unavailable = |why: String| {
            tracing::warn!(jwks_uri = %self.jwks_uri, %why, "could not fetch the JWKS");
            Rejected("the authorization server's keys are unavailable".into())
        };
        let response = self
            .http
            .get(self.jwks_uri.clone())
            .send()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(unavailable(format!("HTTP {}", response.status())));
        }
        let set: JwkSet = response
            .json()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        cache.set = Some(set);
        cache.fetched_at = Some(Instant::now());
        Ok(())
    }
}

fn find<'a>(cache: &'a KeyCache, kid: &str) -> Option<&'a jsonwebtoken::jwk::Jwk> {
    cache
        .set
        .as_ref()?
        .keys
        .iter()
        .find(|k| k.common.key_id.as_deref() == Some(kid))
}

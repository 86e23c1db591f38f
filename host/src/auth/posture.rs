//! The deployment posture (`LOOKER_MCP_MODE` and its URIs), checked once at startup. A bad
//! combination is a typed error and the server does not start.

use url::Url;

use crate::config::{Config, McpMode, Transport};

/// Why a deployment posture is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PostureError {
    #[error("{setting} is required when LOOKER_MCP_MODE={mode}")]
    Missing {
        setting: &'static str,
        mode: &'static str,
    },
    #[error("{setting} must be an absolute https:// URL, got {value:?}")]
    NotHttps {
        setting: &'static str,
        value: String,
    },
    #[error("LOOKER_MCP_RESOURCE_URI must not carry a fragment (RFC 9728 §3), got {0:?}")]
    Fragment(String),
    #[error(
        "LOOKER_MCP_AUTH_TOKEN (a static bearer) cannot be combined with LOOKER_MCP_MODE={0}; unset it"
    )]
    StaticBearer(&'static str),
    #[error(
        "LOOKER_MCP_MODE={0} requires LOOKER_TRANSPORT=streamable-http: its authentication is HTTP-only, stdio would run unauthenticated"
    )]
    NotHttp(&'static str),
    #[error(
        "LOOKER_MCP_MODE=public runs each call as the Looker user the token names, by sudo: it needs \
         LOOKER_SUDO_AS_USER=true (or LOOKER_MCP_UNMAPPED_AS_SERVICE_ACCOUNT=true to run every caller as the service account)"
    )]
    PublicWithoutSudo,
}

/// Who may use the MCP endpoint, with everything checked.
#[derive(Clone, Debug)]
pub enum Posture {
    /// No MCP-level authentication.
    Open,
    /// The deprecated static bearer token.
    StaticBearer(crate::config::Secret),
    /// OAuth 2.1 resource server: JWT bearer tokens from `issuer`, keys from `jwks_uri`.
    Public {
        jwks_uri: Url,
        issuer: String,
        resource: Url,
    },
    /// Looker is the authorization server: opaque Looker tokens, verified with `GET /user`.
    LookerOauth {
        looker: Url,
        resource: Url,
        scopes: Vec<String>,
    },
}

impl Posture {
    /// Checks the settings.
    pub fn from_config(config: &Config) -> Result<Self, PostureError> {
        match config.mcp_mode {
            McpMode::Dev if config.mcp_auth_token.is_empty() => Ok(Self::Open),
            McpMode::Dev => {
                tracing::warn!(
                    "LOOKER_MCP_AUTH_TOKEN is deprecated: static bearers carry no identity or expiry \
                     (RFC 9068 §2.1); migrate to LOOKER_MCP_MODE=public"
                );
                Ok(Self::StaticBearer(config.mcp_auth_token.clone()))
            }
            McpMode::Public => {
                const MODE: &str = "public";
                if !config.mcp_auth_token.is_empty() {
                    return Err(PostureError::StaticBearer(MODE));
                }
                if config.transport != Transport::StreamableHttp {
                    return Err(PostureError::NotHttp(MODE));
                }
                let jwks_uri = https_url("LOOKER_MCP_JWKS_URI", &config.mcp_jwks_uri, MODE, true)?;
                // Kept as written: `iss` is compared as an exact string.
                https_url("LOOKER_MCP_ISSUER_URL", &config.mcp_issuer_url, MODE, false)?;
                let resource = resource_uri(config, MODE)?;
                if !config.sudo_as_user && !config.mcp_unmapped_as_service_account {
                    return Err(PostureError::PublicWithoutSudo);
                }
                Ok(Self::Public {
                    jwks_uri,
                    issuer: config.mcp_issuer_url.trim().to_string(),
                    resource,
                })
            }
            McpMode::LookerOauth => {
                const MODE: &str = "looker_oauth";
                if !config.mcp_auth_token.is_empty() {
                    return Err(PostureError::StaticBearer(MODE));
                }
                if config.transport != Transport::StreamableHttp {
                    return Err(PostureError::NotHttp(MODE));
                }
                let looker = https_url("LOOKER_BASE_URL", &config.base_url, MODE, true)?;
                let resource = resource_uri(config, MODE)?;
                let scopes = config
                    .oauth_scopes_supported
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect();
                Ok(Self::LookerOauth {
                    looker,
                    resource,
                    scopes,
                })
            }
        }
    }
}

fn resource_uri(config: &Config, mode: &'static str) -> Result<Url, PostureError> {
    let url = https_url(
        "LOOKER_MCP_RESOURCE_URI",
        &config.mcp_resource_uri,
        mode,
        false,
    )?;
    if url.fragment().is_some() || config.mcp_resource_uri.contains('#') {
        return Err(PostureError::Fragment(config.mcp_resource_uri.clone()));
    }
    Ok(url)
}

/// An absolute https URL. With `loopback_http`, `http://` is accepted when the host is a
/// loopback address (127.0.0.1, ::1, localhost): the one exception, for local development and
/// tests, since nothing then crosses a network.
fn https_url(
    setting: &'static str,
    value: &str,
    mode: &'static str,
    loopback_http: bool,
) -> Result<Url, PostureError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(PostureError::Missing { setting, mode });
    }
    let not_https = || PostureError::NotHttps {
        setting,
        value: value.to_string(),
    };
    let url = Url::parse(value).map_err(|_| not_https())?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if loopback_http && loopback => Ok(url),
        _ => Err(not_https()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Config {
        let mut env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        env.entry("LOOKER_TRANSPORT".into())
            .or_insert_with(|| "streamable-http".into());
        Config::from_env(&env).unwrap()
    }

    const PUBLIC: &[(&str, &str)] = &[
        ("LOOKER_MCP_MODE", "public"),
        ("LOOKER_MCP_JWKS_URI", "https://auth.example.com/jwks.json"),
        ("LOOKER_MCP_ISSUER_URL", "https://auth.example.com"),
        ("LOOKER_MCP_RESOURCE_URI", "https://mcp.example.com/mcp"),
    ];

    fn with(
        base: &[(&'static str, &'static str)],
        key: &'static str,
        value: &'static str,
    ) -> Config {
        let mut pairs: Vec<(&str, &str)> =
            base.iter().filter(|(k, _)| *k != key).copied().collect();
        pairs.push((key, value));
        config(&pairs)
    }

    #[test]
    fn public_posture_checks() {
        assert!(matches!(
            Posture::from_config(&config(PUBLIC)),
            Ok(Posture::Public { .. })
        ));
        for key in [
            "LOOKER_MCP_JWKS_URI",
            "LOOKER_MCP_ISSUER_URL",
            "LOOKER_MCP_RESOURCE_URI",
        ] {
            let err = Posture::from_config(&with(PUBLIC, key, "")).unwrap_err();
            assert_eq!(
                err,
                PostureError::Missing {
                    setting: key,
                    mode: "public"
                }
            );
            let err =
                Posture::from_config(&with(PUBLIC, key, "http://auth.example.com/x")).unwrap_err();
            assert!(matches!(err, PostureError::NotHttps { .. }), "{key}: {err}");
        }
        let err = Posture::from_config(&with(
            PUBLIC,
            "LOOKER_MCP_RESOURCE_URI",
            "https://mcp.example.com/mcp#x",
        ))
        .unwrap_err();
        assert!(matches!(err, PostureError::Fragment(_)));
        let err =
            Posture::from_config(&with(PUBLIC, "LOOKER_MCP_AUTH_TOKEN", "s3cret")).unwrap_err();
        assert_eq!(err, PostureError::StaticBearer("public"));
        let err = Posture::from_config(&with(PUBLIC, "LOOKER_TRANSPORT", "stdio")).unwrap_err();
        assert_eq!(err, PostureError::NotHttp("public"));
    }

    #[test]
    fn only_a_loopback_jwks_may_be_plain_http() {
        for ok in [
            "http://127.0.0.1:9/jwks",
            "http://localhost/jwks",
            "http://[::1]:8/jwks",
        ] {
            assert!(
                Posture::from_config(&with(PUBLIC, "LOOKER_MCP_JWKS_URI", ok)).is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "http://10.0.0.1/jwks",
            "http://auth.example.com/jwks",
            "http://localhost.evil.com/jwks",
        ] {
            assert!(
                Posture::from_config(&with(PUBLIC, "LOOKER_MCP_JWKS_URI", bad)).is_err(),
                "{bad}"
            );
        }
        let issuer_http = with(PUBLIC, "LOOKER_MCP_ISSUER_URL", "http://127.0.0.1/");
        assert!(
            Posture::from_config(&issuer_http).is_err(),
            "only the JWKS URI has the exception"
        );
    }

    #[test]
    fn looker_oauth_and_dev_postures() {
        let base = [
            ("LOOKER_MCP_MODE", "looker_oauth"),
            ("LOOKER_BASE_URL", "https://x.looker.com"),
            ("LOOKER_MCP_RESOURCE_URI", "https://mcp.example.com"),
        ];
        match Posture::from_config(&config(&base)).unwrap() {
            Posture::LookerOauth { scopes, .. } => assert_eq!(scopes, ["cors_api"]),
            other => panic!("{other:?}"),
        }
        assert!(Posture::from_config(&with(&base, "LOOKER_MCP_RESOURCE_URI", "")).is_err());
        assert!(
            Posture::from_config(&with(&base, "LOOKER_BASE_URL", "http://x.looker.com")).is_err()
        );
        assert!(Posture::from_config(&with(&base, "LOOKER_MCP_AUTH_TOKEN", "t")).is_err());
        assert!(matches!(
            Posture::from_config(&config(&[])),
            Ok(Posture::Open)
        ));
        assert!(matches!(
            Posture::from_config(&config(&[("LOOKER_MCP_AUTH_TOKEN", "t")])),
            Ok(Posture::StaticBearer(_))
        ));
    }
}

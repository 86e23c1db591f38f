//! Who is calling. The transport and the HTTP auth layer decide it, never a tool argument: stdio
//! is the local user who started the server; over HTTP it is whatever the posture verified (a
//! JWT, a Looker token), what a trusted gateway asserted, or nobody in particular.

use http::HeaderMap;
use sha2::{Digest, Sha256};

use super::IdentityError;
use crate::config::Secret;

/// The caller of one MCP request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Principal {
    /// Whoever started the server over stdio: the operator.
    Local,
    /// An unauthenticated HTTP caller on a server that trusts no gateway (`dev`, bound to a
    /// non-loopback address without `LOOKER_MCP_AUTH_TOKEN` or `LOOKER_MCP_TRUST_GATEWAY`).
    Anonymous,
    /// A trusted gateway that named no user: the operator's own traffic.
    Gateway,
    /// A user a trusted gateway named in the email header (self-hosted Looker: admin sudo).
    GatewayUser { email: String },
    /// A user's Looker token a trusted gateway forwarded in the token header (Google Cloud core).
    GatewayToken { token: Secret },
    /// A verified JWT (`public`): its subject, the Looker user its identity claim names, and
    /// whether the operator lets it use `act_as_user`.
    Jwt {
        subject: String,
        email: Option<String>,
        may_act_as: bool,
    },
    /// A Looker user whose own token Looker accepted (`looker_oauth`).
    LookerUser { user_id: String, token: Secret },
}

impl Principal {
    /// A stable key naming this caller, for binding MCP sessions to who opened them. Never
    /// contains a token (forwarded tokens appear as their sha256).
    pub fn key(&self) -> String {
        match self {
            Principal::Local => "local".into(),
            Principal::Anonymous => "anonymous".into(),
            Principal::Gateway => "gateway".into(),
            Principal::GatewayUser { email } => format!("gateway-user:{}", email.to_lowercase()),
            Principal::GatewayToken { token } => format!("gateway-token:{}", digest(token)),
            Principal::Jwt { subject, email, .. } => {
                format!("jwt:{subject}:{}", email.as_deref().unwrap_or(""))
            }
            Principal::LookerUser { user_id, .. } => format!("looker-user:{user_id}"),
        }
    }

    /// How audit lines name this caller (no secrets).
    pub fn describe(&self) -> String {
        match self {
            Principal::GatewayToken { .. } => "gateway-token".into(),
            other => other.key(),
        }
    }
}

/// What a trusted gateway asserted about the user behind a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Assertion {
    Email(String),
    Token(Secret),
}

/// The identity headers a request carries, read strictly: each header at most once, visible
/// ASCII, not blank; an email must look like one. `Ok(None)` when neither header is present.
pub fn read_assertion(
    headers: &HeaderMap,
    email_header: &str,
    token_header: &str,
) -> Result<Option<Assertion>, IdentityError> {
    let email = single(headers, email_header)?;
    let token = single(headers, token_header)?;
    match (email, token) {
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(IdentityError::malformed(format!(
            "send either {email_header} or {token_header}, not both"
        ))),
        (Some(email), None) => {
            if !looks_like_email(&email) {
                return Err(IdentityError::malformed(format!(
                    "the {email_header} header is not an email address"
                )));
            }
            Ok(Some(Assertion::Email(email)))
        }
        (None, Some(token)) => Ok(Some(Assertion::Token(Secret::new(token)))),
    }
}

/// Names of the identity headers present on a request, for refusals.
pub fn present<'a>(headers: &HeaderMap, names: [&'a str; 2]) -> Vec<&'a str> {
    names
        .into_iter()
        .filter(|name| headers.contains_key(*name))
        .collect()
}

fn single(headers: &HeaderMap, name: &str) -> Result<Option<String>, IdentityError> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(IdentityError::malformed(format!(
            "the {name} header is repeated; send it once"
        )));
    }
    let text = value
        .to_str()
        .ok()
        .filter(|v| v.bytes().all(|b| b.is_ascii_graphic() || b == b' '))
        .ok_or_else(|| {
            IdentityError::malformed(format!(
                "the {name} header has characters other than visible ASCII"
            ))
        })?
        .trim();
    if text.is_empty() {
        return Err(IdentityError::malformed(format!(
            "the {name} header is empty"
        )));
    }
    Ok(Some(text.to_string()))
}

/// One `@` with something on both sides, no spaces, at most 254 bytes (RFC 5321's path limit).
pub fn looks_like_email(value: &str) -> bool {
    value.len() <= 254
        && !value.contains(' ')
        && value
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
        && value.matches('@').count() == 1
}

fn digest(token: &Secret) -> String {
    hex::encode(&Sha256::digest(token.expose().as_bytes())[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, http::HeaderValue::from_bytes(value).unwrap());
        }
        map
    }

    fn read(pairs: &[(&'static str, &[u8])]) -> Result<Option<Assertion>, IdentityError> {
        read_assertion(&headers(pairs), "x-user-email", "x-user-token")
    }

    #[test]
    fn a_clean_header_is_read() {
        assert_eq!(read(&[]).unwrap(), None);
        assert_eq!(
            read(&[("x-user-email", b" alice@example.com ")]).unwrap(),
            Some(Assertion::Email("alice@example.com".into()))
        );
        assert!(matches!(
            read(&[("x-user-token", b"abc")]).unwrap(),
            Some(Assertion::Token(_))
        ));
    }

    #[test]
    fn malformed_headers_are_refused_never_ignored() {
        for (pairs, why) in [
            (vec![("x-user-email", &b""[..])], "empty"),
            (vec![("x-user-email", &b"   "[..])], "empty"),
            (
                vec![("x-user-email", &b"al\xc3\xafce@example.com"[..])],
                "visible ASCII",
            ),
            (
                vec![("x-user-email", &b"alice@x\tcom"[..])],
                "visible ASCII",
            ),
            (
                vec![
                    ("x-user-email", &b"a@x.com"[..]),
                    ("x-user-email", &b"b@x.com"[..]),
                ],
                "repeated",
            ),
            (vec![("x-user-email", &b"alice"[..])], "not an email"),
            (vec![("x-user-email", &b"a@b@c"[..])], "not an email"),
            (
                vec![
                    ("x-user-email", &b"a@x.com"[..]),
                    ("x-user-token", &b"t"[..]),
                ],
                "not both",
            ),
            (vec![("x-user-token", &b""[..])], "empty"),
        ] {
            let error = read(&pairs).unwrap_err().to_string();
            assert!(error.contains(why), "{pairs:?}: {error}");
        }
    }

    #[test]
    fn keys_never_carry_tokens() {
        let p = Principal::GatewayToken {
            token: Secret::new("very-secret-token"),
        };
        assert!(!p.key().contains("very-secret-token"));
        assert!(!p.describe().contains("very-secret-token"));
        let q = Principal::LookerUser {
            user_id: "2".into(),
            token: Secret::new("very-secret-token"),
        };
        assert_eq!(q.key(), "looker-user:2");
    }
}

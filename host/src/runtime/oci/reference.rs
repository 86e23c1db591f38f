//! `oci://` references to a tool-group component in an OCI registry: parsing, checking and
//! printing them, and the URLs of the distribution API they lead to.
//!
//! Grammar (the OCI distribution spec's, with the registry always spelled out):
//!
//! ```text
//! oci://<registry>/<repository>:<tag>
//! oci://<registry>/<repository>@sha256:<64 lowercase hex>
//! oci://<registry>/<repository>:<tag>@sha256:<64 lowercase hex>   (the digest wins)
//! ```
//!
//! - `<registry>` is a host name, an IPv4 address or a bracketed IPv6 address, with an
//!   optional `:<port>`;
//! - `<repository>` is one or more `/`-separated components of
//!   `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`, at most 255 characters in all;
//! - `<tag>` is `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
//!
//! A tag or a digest is required: there is no implicit `latest`, since what runs should be
//! named on purpose.

use std::fmt;
use std::net::IpAddr;

/// The only digest algorithm accepted (the one every registry supports and `plugins.lock` uses).
const SHA256: &str = "sha256:";
const MAX_REPOSITORY_LEN: usize = 255;
const MAX_TAG_LEN: usize = 128;

/// A parsed `oci://` reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

/// Why a string is not a valid `oci://` reference.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReferenceError {
    /// Not `oci://…`.
    #[error("{0:?} is not an OCI reference: it must start with oci://")]
    MissingScheme(String),
    /// Nothing after the registry.
    #[error("{0:?} names no repository: expected oci://host[:port]/repository:tag")]
    MissingRepository(String),
    /// The registry is not `host[:port]` (or `[ipv6][:port]`).
    #[error("{reference:?}: {registry:?} is not a valid registry host[:port]")]
    InvalidRegistry { reference: String, registry: String },
    /// A repository path component breaks the distribution spec's grammar.
    #[error(
        "{reference:?}: {repository:?} is not a valid repository name (lowercase letters, digits \
         and . _ - separators, in /-separated components, at most 255 characters)"
    )]
    InvalidRepository {
        reference: String,
        repository: String,
    },
    /// The tag breaks the distribution spec's grammar.
    #[error("{reference:?}: {tag:?} is not a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})")]
    InvalidTag { reference: String, tag: String },
    /// The digest is not `sha256:<64 lowercase hex>`.
    #[error(
        "{reference:?}: {digest:?} is not a valid digest (sha256: followed by 64 lowercase hex \
         digits)"
    )]
    InvalidDigest { reference: String, digest: String },
    /// Neither a tag nor a digest (there is no implicit `latest`).
    #[error("{reference:?}: needs a :tag or an @sha256:<digest>")]
    MissingTagOrDigest { reference: String },
}

impl Reference {
    /// Parses `oci://host[:port]/path/repo:tag`, `oci://host[:port]/path/repo@sha256:<hex>` or
    /// both (`…:tag@sha256:<hex>`, where the digest decides what is pulled).
    pub fn parse(text: &str) -> Result<Self, ReferenceError> {
        let rest = text
            .strip_prefix("oci://")
            .ok_or_else(|| ReferenceError::MissingScheme(text.to_owned()))?;
        let (registry, path) = rest
            .split_once('/')
            .filter(|(_, path)| !path.is_empty())
            .ok_or_else(|| ReferenceError::MissingRepository(text.to_owned()))?;
        if !valid_registry(registry) {
            return Err(ReferenceError::InvalidRegistry {
                reference: text.to_owned(),
                registry: registry.to_owned(),
            });
        }
        let (name, digest) = match path.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (path, None),
        };
        // The registry (and its port) is gone, so a `:` in what is left can only start a tag.
        let (repository, tag) = match name.split_once(':') {
            Some((repository, tag)) => (repository, Some(tag)),
            None => (name, None),
        };
        if !valid_repository(repository) {
            return Err(ReferenceError::InvalidRepository {
                reference: text.to_owned(),
                repository: repository.to_owned(),
            });
        }
        if let Some(tag) = tag.filter(|tag| !valid_tag(tag)) {
            return Err(ReferenceError::InvalidTag {
                reference: text.to_owned(),
                tag: tag.to_owned(),
            });
        }
        if let Some(digest) = digest.filter(|digest| !valid_digest(digest)) {
            return Err(ReferenceError::InvalidDigest {
                reference: text.to_owned(),
                digest: digest.to_owned(),
            });
        }
        if tag.is_none() && digest.is_none() {
            return Err(ReferenceError::MissingTagOrDigest {
                reference: text.to_owned(),
            });
        }
        Ok(Self {
            registry: registry.to_owned(),
            repository: repository.to_owned(),
            tag: tag.map(str::to_owned),
            digest: digest.map(str::to_owned),
        })
    }

    /// `host[:port]` as written.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The repository path (`path/repo`).
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, if one was given.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The manifest digest (`sha256:<hex>`), if one was given.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// The same reference pinned to `digest` (`sha256:<hex>`); the tag, if any, stays as a label.
    pub fn with_digest(&self, digest: &str) -> Self {
        Self {
            digest: Some(digest.to_owned()),
            ..self.clone()
        }
    }

    /// Whether the registry is this machine (`localhost`, `127.0.0.0/8`, `::1`): the only case
    /// where plain HTTP is used.
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(host_of(&self.registry))
    }

    /// `http://<registry>` for a loopback registry, `https://<registry>` otherwise.
    pub(super) fn base_url(&self) -> String {
        let scheme = if self.is_loopback() { "http" } else { "https" };
        format!("{scheme}://{}/v2/{}", self.registry, self.repository)
    }

    /// The URL of a manifest by tag or digest.
    pub(super) fn manifest_url(&self, tag_or_digest: &str) -> String {
        format!("{}/manifests/{tag_or_digest}", self.base_url())
    }

    /// The URL of a blob.
    pub(super) fn blob_url(&self, digest: &str) -> String {
        format!("{}/blobs/{digest}", self.base_url())
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oci://{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Reference {
    type Err = ReferenceError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// `sha256:` followed by 64 lowercase hex digits.
pub fn valid_digest(digest: &str) -> bool {
    digest
        .strip_prefix(SHA256)
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(is_lower_hex))
}

fn is_lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

/// The host part of `host[:port]` (brackets of an IPv6 address removed).
fn host_of(registry: &str) -> &str {
    if let Some(rest) = registry.strip_prefix('[') {
        return rest.split_once(']').map_or(rest, |(host, _)| host);
    }
    registry.split_once(':').map_or(registry, |(host, _)| host)
}

pub(super) fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn valid_registry(registry: &str) -> bool {
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        let Some((ip, after)) = rest.split_once(']') else {
            return false;
        };
        if ip.parse::<std::net::Ipv6Addr>().is_err() {
            return false;
        }
        match after {
            "" => return true,
            after => match after.strip_prefix(':') {
                Some(port) => (None, Some(port)),
                None => return false,
            },
        }
    } else {
        match registry.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(registry), None),
        }
    };
    let host_ok = host.is_none_or(|host| {
        !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            })
    });
    let port_ok = port.is_none_or(|port| {
        !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok_and(|p| p != 0)
    });
    host_ok && port_ok
}

fn valid_repository(repository: &str) -> bool {
    !repository.is_empty()
        && repository.len() <= MAX_REPOSITORY_LEN
        && repository.split('/').all(valid_path_component)
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn valid_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if !alnum(first) || !alnum(last) {
        return false;
    }
    // Between alphanumeric runs: one `.`, one or two `_`, or any number of `-`.
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let separator = &component[start..i];
        let ok = separator == "."
            || separator == "_"
            || separator == "__"
            || separator.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
fn valid_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    tag.len() <= MAX_TAG_LEN
        && tag.as_bytes().first().is_some_and(|&b| word(b))
        && tag.bytes().all(|b| word(b) || b == b'.' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn parses_a_tag_reference() {
        let r = Reference::parse("oci://ghcr.io/acme/tools/hello:1.2.0").unwrap();
        assert_eq!(r.registry(), "ghcr.io");
        assert_eq!(r.repository(), "acme/tools/hello");
        assert_eq!(r.tag(), Some("1.2.0"));
        assert_eq!(r.digest(), None);
        assert!(!r.is_loopback());
        assert_eq!(
            r.manifest_url("1.2.0"),
            "https://ghcr.io/v2/acme/tools/hello/manifests/1.2.0"
        );
        assert_eq!(r.to_string(), "oci://ghcr.io/acme/tools/hello:1.2.0");
    }

    #[test]
    fn parses_a_digest_reference_with_a_port() {
        let text = format!("oci://127.0.0.1:5000/hello@sha256:{HEX}");
        let r = Reference::parse(&text).unwrap();
        assert_eq!(r.registry(), "127.0.0.1:5000");
        assert_eq!(r.repository(), "hello");
        assert_eq!(r.tag(), None);
        assert_eq!(r.digest(), Some(format!("sha256:{HEX}").as_str()));
        assert!(r.is_loopback());
        assert_eq!(
            r.blob_url("sha256:x"),
            "http://127.0.0.1:5000/v2/hello/blobs/sha256:x"
        );
        assert_eq!(r.to_string(), text);
    }

    #[test]
    fn parses_tag_and_digest_and_round_trips() {
        let text = format!("oci://localhost:5000/a/b:v1@sha256:{HEX}");
        let r: Reference = text.parse().unwrap();
        assert_eq!(r.tag(), Some("v1"));
        assert!(r.digest().is_some());
        assert!(r.is_loopback());
        assert_eq!(r.to_string(), text);
        let pinned = Reference::parse("oci://localhost/a:v1")
            .unwrap()
            .with_digest(&format!("sha256:{HEX}"));
        assert_eq!(
            pinned.to_string(),
            format!("oci://localhost/a:v1@sha256:{HEX}")
        );
    }

    #[test]
    fn loopback_only_for_this_machine() {
        for (registry, loopback) in [
            ("localhost", true),
            ("LOCALHOST:80", true),
            ("127.0.0.1", true),
            ("127.1.2.3:5000", true),
            ("[::1]:5000", true),
            ("[::1]", true),
            ("10.0.0.1:5000", false),
            ("[2001:db8::1]:443", false),
            ("localhost.evil.example", false),
            ("registry.example.com", false),
        ] {
            let r = Reference::parse(&format!("oci://{registry}/x:1")).unwrap();
            assert_eq!(r.is_loopback(), loopback, "{registry}");
            let scheme = if loopback { "http://" } else { "https://" };
            assert!(r.manifest_url("1").starts_with(scheme), "{registry}");
        }
    }

    #[test]
    fn malformed_references_get_specific_errors() {
        use ReferenceError::*;
        type Expected = fn(&ReferenceError) -> bool;
        let cases: Vec<(String, Expected)> = vec![
            ("ghcr.io/a:1".into(), |e| matches!(e, MissingScheme(_))),
            ("https://ghcr.io/a:1".into(), |e| {
                matches!(e, MissingScheme(_))
            }),
            ("oci://ghcr.io".into(), |e| {
                matches!(e, MissingRepository(_))
            }),
            ("oci://ghcr.io/".into(), |e| {
                matches!(e, MissingRepository(_))
            }),
            ("oci:///a:1".into(), |e| matches!(e, InvalidRegistry { .. })),
            ("oci://host:0/a:1".into(), |e| {
                matches!(e, InvalidRegistry { .. })
            }),
            ("oci://host:99999/a:1".into(), |e| {
                matches!(e, InvalidRegistry { .. })
            }),
            ("oci://host:x/a:1".into(), |e| {
                matches!(e, InvalidRegistry { .. })
            }),
            ("oci://ho_st/a:1".into(), |e| {
                matches!(e, InvalidRegistry { .. })
            }),
            ("oci://[::1/a:1".into(), |e| {
                matches!(e, InvalidRegistry { .. })
            }),
            ("oci://[zz]:5/a:1".into(), |e| {
                matches!(e, InvalidRegistry { .. })
            }),
            ("oci://user@host/a:1".into(), |e| {
                matches!(e, InvalidRegistry { .. })
            }),
            ("oci://host/Acme:1".into(), |e| {
                matches!(e, InvalidRepository { .. })
            }),
            ("oci://host/a//b:1".into(), |e| {
                matches!(e, InvalidRepository { .. })
            }),
            ("oci://host/a/:1".into(), |e| {
                matches!(e, InvalidRepository { .. })
            }),
            ("oci://host/-a:1".into(), |e| {
                matches!(e, InvalidRepository { .. })
            }),
            ("oci://host/a..b:1".into(), |e| {
                matches!(e, InvalidRepository { .. })
            }),
            ("oci://host/a___b:1".into(), |e| {
                matches!(e, InvalidRepository { .. })
            }),
            (format!("oci://host/{}:1", "a".repeat(256)), |e| {
                matches!(e, InvalidRepository { .. })
            }),
            ("oci://host/a:".into(), |e| matches!(e, InvalidTag { .. })),
            ("oci://host/a:.x".into(), |e| matches!(e, InvalidTag { .. })),
            ("oci://host/a:x/y".into(), |e| {
                matches!(e, InvalidTag { .. })
            }),
            ("oci://host/a:1:2".into(), |e| {
                matches!(e, InvalidTag { .. })
            }),
            (format!("oci://host/a:{}", "t".repeat(129)), |e| {
                matches!(e, InvalidTag { .. })
            }),
            ("oci://host/a@sha256:abc".into(), |e| {
                matches!(e, InvalidDigest { .. })
            }),
            (format!("oci://host/a@sha512:{HEX}"), |e| {
                matches!(e, InvalidDigest { .. })
            }),
            (format!("oci://host/a@sha256:{}", HEX.to_uppercase()), |e| {
                matches!(e, InvalidDigest { .. })
            }),
            (format!("oci://host/a@sha256:{HEX}@sha256:{HEX}"), |e| {
                matches!(e, InvalidDigest { .. })
            }),
            ("oci://host/a".into(), |e| {
                matches!(e, MissingTagOrDigest { .. })
            }),
            ("oci://host/a/b".into(), |e| {
                matches!(e, MissingTagOrDigest { .. })
            }),
        ];
        for (text, expected) in cases {
            let error = Reference::parse(&text).expect_err(&text);
            assert!(expected(&error), "{text}: unexpected {error:?}");
            assert!(error.to_string().contains(&text[..text.len().min(20)]) || text.is_empty());
        }
    }

    #[test]
    fn parse_never_panics_on_odd_input() {
        for text in [
            "",
            "oci://",
            "oci:///",
            "oci://[",
            "oci://[]/a:1",
            "oci://:/a:1",
            "oci://a/:",
            "oci://a/@",
            "oci://a/a@",
            "oci://a/a:@",
            "oci://é/a:1",
            "oci://a/é:1",
            "oci://a/a:é",
            "oci://a/a@sha256:é",
        ] {
            assert!(Reference::parse(text).is_err(), "{text:?}");
        }
    }
}

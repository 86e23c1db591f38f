//! Pulling a tool-group component published as an OCI artifact (`--plugin oci://…`).
//!
//! [`Client::pull`] (or the [`pull`] shortcut) turns a [`Reference`] into the component's bytes,
//! checking every step against a digest:
//!
//! 1. a tag is resolved to the digest of the manifest the registry serves for it (the sha256 of
//!    the bytes received, which must agree with the `Docker-Content-Digest` header when one is
//!    sent). A digest pinned when the tag was first resolved (in `plugins.lock`) must still be
//!    the one served: a tag that moved is refused, naming both digests;
//! 2. the manifest (OCI image manifest, or Docker v2 schema 2) is fetched by digest and its bytes
//!    must hash to that digest; its one `application/wasm` layer is found under the `wkg`
//!    conventions (see [`manifest`]);
//! 3. the layer's blob is fetched, bounded by the size its descriptor declares, and must hash to
//!    the descriptor's digest;
//! 4. the component's signature, if one is published, is fetched (not verified: that is the
//!    signature module's job, against the bytes returned here).
//!
//! ## Publishing
//!
//! `wkg oci push registry.example/acme/hello:1.0.0 hello.wasm` publishes in this layout, and so
//! does the oras CLI given the media types:
//!
//! ```text
//! oras push registry.example/acme/hello:1.0.0 \
//!     --config config.json:application/vnd.wasm.config.v0+json hello.wasm:application/wasm
//! ```
//!
//! ## Signatures
//!
//! A minisign signature of the component's bytes is published as an OCI artifact of its own in
//! the same repository, tagged `sha256-<manifest hex>.minisig` (the manifest digest with `:`
//! replaced by `-`, as cosign names its `.sig` tags), whose manifest has exactly one layer of
//! media type [`SIGNATURE_LAYER`] holding the `.minisig` text. For example:
//!
//! ```text
//! minisign -S -s key.sec -m hello.wasm
//! oras push registry.example/acme/hello:sha256-<manifest hex>.minisig \
//!     hello.wasm.minisig:application/vnd.minisign.signature
//! ```
//!
//! No such tag means no signature (`None`); any other failure to fetch it is an error.
//!
//! ## Cache
//!
//! With a cache directory, pulled manifests, components and signatures are kept
//! content-addressed under `<cache_dir>/oci/` (see [`store`]). A pull by digest whose manifest
//! and component are cached (and hash to their names) touches no network; a pull by tag always
//! asks the registry which manifest the tag names now.
//!
//! ## Transport
//!
//! HTTPS, except plain HTTP to a registry on this machine (`localhost`, `127.0.0.0/8`, `::1`).
//! Registries that challenge get an anonymous bearer token, or one obtained with the basic
//! credentials in `LOOKER_OCI_USERNAME` / `LOOKER_OCI_PASSWORD` (never logged), or those
//! credentials directly when they ask for basic auth. Sizes and time are bounded ([`Limits`]).
//!
//! Implemented on the workspace's reqwest rather than a registry client crate: the few GETs a
//! pull needs are below, and each body is read within a bound as it arrives.

mod manifest;
mod reference;
mod store;
mod transport;

use std::path::Path;
use std::time::Duration;

pub use manifest::{
    DOCKER_MANIFEST, ManifestError, OCI_MANIFEST, SIGNATURE_LAYER, WASM_CONFIG, WASM_LAYER,
};
pub use reference::{Reference, ReferenceError};
pub use transport::Credentials;

use manifest::Manifest;
use store::Store;
use transport::{Fetched, Session};

/// Bounds on what a pull reads and how long it may take.
#[derive(Clone, Debug)]
pub struct Limits {
    /// A manifest larger than this is refused (default 4 MiB, the distribution spec's own
    /// recommended minimum for registries to accept).
    pub max_manifest_bytes: u64,
    /// A component larger than this is refused before it is downloaded (default 256 MiB).
    pub max_component_bytes: u64,
    /// A signature larger than this is refused (default 64 KiB; a `.minisig` is ~300 bytes).
    pub max_signature_bytes: u64,
    /// Connecting to a registry (default 10 s).
    pub connect_timeout: Duration,
    /// Between two reads of a response (default 30 s).
    pub read_timeout: Duration,
    /// The whole pull (default 5 min).
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_manifest_bytes: 4 * 1024 * 1024,
            max_component_bytes: 256 * 1024 * 1024,
            max_signature_bytes: 64 * 1024,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            timeout: Duration::from_secs(300),
        }
    }
}

/// A pulled component, every byte checked against a digest.
#[derive(Clone)]
pub struct Pulled {
    /// The reference pinned to the manifest digest it resolved to (a tag stays as a label).
    pub reference: Reference,
    /// `sha256:<hex>` of the manifest.
    pub manifest_digest: String,
    /// Hex sha256 of the component's bytes: what `plugins.lock` pins.
    pub component_digest: String,
    /// The component.
    pub bytes: Vec<u8>,
    /// The published minisign signature (`.minisig` text), unverified; `None` when there is none.
    pub signature: Option<String>,
    /// Whether the component's bytes came from the cache (the registry was not asked for them).
    pub from_cache: bool,
}

impl std::fmt::Debug for Pulled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pulled")
            .field("reference", &self.reference.to_string())
            .field("manifest_digest", &self.manifest_digest)
            .field("component_digest", &self.component_digest)
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .field("signature", &self.signature.is_some())
            .field("from_cache", &self.from_cache)
            .finish()
    }
}

/// Why a pull failed.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    /// The pinned digest given is not a sha256 digest.
    #[error("{pinned:?} is not a sha256 digest (sha256:<64 hex> or 64 hex digits)")]
    InvalidPinnedDigest { pinned: String },
    /// The tag (or digest reference) now names another manifest than the one pinned.
    #[error(
        "{reference}: the registry now serves manifest {served}, but {pinned} is pinned; refusing \
         a tag that moved (pull by digest, or re-pin after checking the new component)"
    )]
    DigestChanged {
        reference: String,
        pinned: String,
        served: String,
    },
    /// Bytes served do not hash to the digest they were asked for by.
    #[error(
        "{reference}: the {what} served does not match its digest: expected {expected}, got {actual}"
    )]
    DigestMismatch {
        reference: String,
        what: &'static str,
        expected: String,
        actual: String,
    },
    /// The manifest or blob does not exist (404).
    #[error("{reference}: no such {what} in the registry")]
    NotFound {
        reference: String,
        what: &'static str,
    },
    /// The manifest is not a Wasm component in the wkg layout.
    #[error("{reference}: manifest {digest} cannot be used: {error}")]
    InvalidManifest {
        reference: String,
        digest: String,
        error: ManifestError,
    },
    /// The manifest declares a component over [`Limits::max_component_bytes`].
    #[error("{reference}: the component is {size} bytes, over the limit of {limit}")]
    ComponentTooLarge {
        reference: String,
        size: u64,
        limit: u64,
    },
    /// A signature tag exists but does not hold a usable signature.
    #[error("{reference}: the signature artifact cannot be used: {why}")]
    InvalidSignature { reference: String, why: String },
    /// A response over its bound (manifest, token, signature).
    #[error("{url}: the response is larger than {limit} bytes (at least {size})")]
    TooLarge { url: String, size: u64, limit: u64 },
    /// The registry answered with an error status.
    #[error("{url}: the registry answered {status}{detail}")]
    Status {
        url: String,
        status: u16,
        /// The registry's own error code and message, as ` (CODE: message)`, or empty.
        detail: String,
    },
    /// The registry wants credentials that were not given or not accepted.
    #[error("{url}: not authorized: {why}")]
    Unauthorized { url: String, why: String },
    /// The registry could not be reached or the connection failed.
    #[error("{url}: {error}")]
    Transport { url: String, error: String },
    /// One request took longer than the connect or read timeout.
    #[error("{url}: timed out")]
    Timeout { url: String },
    /// The whole pull took longer than [`Limits::timeout`].
    #[error("{reference}: the pull took longer than {after:?}")]
    PullTimeout { reference: String, after: Duration },
}

/// Pulls from a registry; one per process is enough (it keeps the HTTP connections).
pub struct Client {
    http: reqwest::Client,
    credentials: Option<Credentials>,
    limits: Limits,
}

impl Client {
    /// A client that answers auth challenges with `credentials` (anonymously without).
    pub fn new(credentials: Option<Credentials>, limits: Limits) -> Result<Self, PullError> {
        Ok(Self {
            http: transport::http_client(&limits)?,
            credentials,
            limits,
        })
    }

    /// A client with the credentials in `LOOKER_OCI_USERNAME` / `LOOKER_OCI_PASSWORD` (if both
    /// are set) and the default [`Limits`].
    pub fn from_env() -> Result<Self, PullError> {
        Self::new(Credentials::from_env(), Limits::default())
    }

    /// Pulls the component `reference` names (see the module docs for every check).
    ///
    /// `pinned_digest` is the manifest digest recorded when the tag was first resolved
    /// (`sha256:<hex>` or bare hex): a registry that now serves another one is refused. With
    /// `cache_dir`, what is pulled is kept under `<cache_dir>/oci/`, and a pull by digest is
    /// served from there when it can be.
    pub async fn pull(
        &self,
        reference: &Reference,
        pinned_digest: Option<&str>,
        cache_dir: Option<&Path>,
    ) -> Result<Pulled, PullError> {
        tokio::time::timeout(
            self.limits.timeout,
            self.pull_checked(reference, pinned_digest, cache_dir),
        )
        .await
        .unwrap_or_else(|_| {
            Err(PullError::PullTimeout {
                reference: reference.to_string(),
                after: self.limits.timeout,
            })
        })
    }

    async fn pull_checked(
        &self,
        reference: &Reference,
        pinned_digest: Option<&str>,
        cache_dir: Option<&Path>,
    ) -> Result<Pulled, PullError> {
        let pinned = pinned_digest.map(normalize_digest).transpose()?;
        let store = cache_dir.and_then(Store::open);
        let mut session = Session::new(&self.http, self.credentials.as_ref(), reference);
        let name = reference.to_string();

        // 1. Which manifest: the one named, or the one the tag names now.
        let (manifest_digest, served_manifest) = match reference.digest() {
            Some(digest) => (digest.to_owned(), None),
            None => {
                let tag = reference.tag().unwrap_or_default();
                let body = self.manifest(&mut session, reference, tag).await?;
                (body.digest.clone(), Some(body.bytes))
            }
        };
        if let Some(pinned) = pinned.filter(|p| *p != manifest_digest) {
            return Err(PullError::DigestChanged {
                reference: name,
                pinned,
                served: manifest_digest,
            });
        }
        let resolved = reference.with_digest(&manifest_digest);

        // A cached component, when the manifest was named by digest: no network at all.
        if served_manifest.is_none()
            && let Some(hit) = store
                .as_ref()
                .and_then(|s| s.load(&manifest_digest, &self.limits))
        {
            tracing::debug!(reference = %resolved, "component served from the OCI cache");
            return Ok(Pulled {
                reference: resolved,
                manifest_digest,
                component_digest: hex_of(&hit.component_digest).to_owned(),
                bytes: hit.bytes,
                signature: hit.signature,
                from_cache: true,
            });
        }

        // 2. The manifest's bytes, checked against the digest.
        let manifest_bytes = match served_manifest {
            Some(bytes) => bytes,
            None => {
                let body = self
                    .manifest(&mut session, reference, &manifest_digest)
                    .await?;
                if body.digest != manifest_digest {
                    return Err(PullError::DigestMismatch {
                        reference: name,
                        what: "manifest",
                        expected: manifest_digest,
                        actual: body.digest,
                    });
                }
                body.bytes
            }
        };
        let manifest = Manifest::parse(&manifest_bytes)
            .map_err(|error| invalid(&name, &manifest_digest, error))?;
        let layer = manifest
            .wasm_layer()
            .map_err(|error| invalid(&name, &manifest_digest, error))?;

        // 3. The component, bounded by its declared size and checked against its digest.
        let cached = store.as_ref().and_then(|s| s.component(&layer.digest));
        let (component, from_cache) = match cached {
            Some(bytes) => (bytes, true),
            None => (self.component(&mut session, reference, layer).await?, false),
        };

        // 4. The signature, if published.
        let signature = self
            .signature(&mut session, reference, &manifest_digest)
            .await?;

        if let Some(store) = &store {
            store.save(
                &manifest_digest,
                &manifest_bytes,
                &layer.digest,
                &component,
                signature.as_deref(),
            );
        }
        tracing::info!(
            reference = %resolved,
            size = component.len(),
            signed = signature.is_some(),
            "pulled component"
        );
        Ok(Pulled {
            reference: resolved,
            manifest_digest,
            component_digest: hex_of(&layer.digest).to_owned(),
            bytes: component,
            signature,
            from_cache,
        })
    }

    /// A manifest by tag or digest; its bytes must agree with the registry's
    /// `Docker-Content-Digest` header, when one is sent.
    async fn manifest(
        &self,
        session: &mut Session<'_>,
        reference: &Reference,
        tag_or_digest: &str,
    ) -> Result<transport::Body, PullError> {
        let url = reference.manifest_url(tag_or_digest);
        let body = match session
            .get(&url, manifest::ACCEPT, self.limits.max_manifest_bytes)
            .await?
        {
            Fetched::Found(body) => body,
            Fetched::NotFound => {
                return Err(PullError::NotFound {
                    reference: reference.to_string(),
                    what: "manifest",
                });
            }
        };
        check_content_digest(reference, &body)?;
        Ok(body)
    }

    /// The component blob the layer names.
    async fn component(
        &self,
        session: &mut Session<'_>,
        reference: &Reference,
        layer: &manifest::Descriptor,
    ) -> Result<Vec<u8>, PullError> {
        if layer.size > self.limits.max_component_bytes {
            return Err(PullError::ComponentTooLarge {
                reference: reference.to_string(),
                size: layer.size,
                limit: self.limits.max_component_bytes,
            });
        }
        let body = match session
            .get(&reference.blob_url(&layer.digest), "*/*", layer.size)
            .await
        {
            Ok(Fetched::Found(body)) => body,
            Ok(Fetched::NotFound) => {
                return Err(PullError::NotFound {
                    reference: reference.to_string(),
                    what: "component blob",
                });
            }
            // More bytes than the descriptor declares: not the blob it names.
            Err(PullError::TooLarge { size, .. }) => {
                return Err(PullError::DigestMismatch {
                    reference: reference.to_string(),
                    what: "component",
                    expected: format!("{} ({} bytes)", layer.digest, layer.size),
                    actual: format!("a blob of at least {size} bytes"),
                });
            }
            Err(e) => return Err(e),
        };
        if body.digest != layer.digest {
            return Err(PullError::DigestMismatch {
                reference: reference.to_string(),
                what: "component",
                expected: layer.digest.clone(),
                actual: body.digest,
            });
        }
        Ok(body.bytes)
    }

    /// The signature published for the manifest `manifest_digest` (see the module docs), or
    /// `None` when its tag does not exist.
    async fn signature(
        &self,
        session: &mut Session<'_>,
        reference: &Reference,
        manifest_digest: &str,
    ) -> Result<Option<String>, PullError> {
        let tag = signature_tag(manifest_digest);
        let invalid = |why: String| PullError::InvalidSignature {
            reference: reference.to_string(),
            why,
        };
        let url = reference.manifest_url(&tag);
        let body = match session
            .get(&url, manifest::ACCEPT, self.limits.max_manifest_bytes)
            .await?
        {
            Fetched::Found(body) => body,
            Fetched::NotFound => return Ok(None),
        };
        check_content_digest(reference, &body)?;
        let manifest =
            Manifest::parse(&body.bytes).map_err(|e| invalid(format!("tag {tag}: {e}")))?;
        let layer = manifest
            .signature_layer()
            .map_err(|e| invalid(format!("tag {tag}: {e}")))?;
        if layer.size > self.limits.max_signature_bytes {
            return Err(invalid(format!(
                "its layer is {} bytes, over the limit of {}",
                layer.size, self.limits.max_signature_bytes
            )));
        }
        let blob = match session
            .get(&reference.blob_url(&layer.digest), "*/*", layer.size)
            .await?
        {
            Fetched::Found(blob) => blob,
            Fetched::NotFound => {
                return Err(invalid(format!("tag {tag}: its layer blob is missing")));
            }
        };
        if blob.digest != layer.digest {
            return Err(PullError::DigestMismatch {
                reference: reference.to_string(),
                what: "signature",
                expected: layer.digest.clone(),
                actual: blob.digest,
            });
        }
        String::from_utf8(blob.bytes)
            .map(Some)
            .map_err(|_| invalid(format!("tag {tag}: the signature is not UTF-8 text")))
    }
}

/// Pulls with a [`Client::from_env`]: see [`Client::pull`].
pub async fn pull(
    reference: &Reference,
    pinned_digest: Option<&str>,
    cache_dir: Option<&Path>,
) -> Result<Pulled, PullError> {
    Client::from_env()?
        .pull(reference, pinned_digest, cache_dir)
        .await
}

/// The tag a component's signature is published under: `sha256-<manifest hex>.minisig`.
pub fn signature_tag(manifest_digest: &str) -> String {
    format!("sha256-{}.minisig", hex_of(manifest_digest))
}

/// A registry whose `Docker-Content-Digest` disagrees with the bytes it sent is refused.
fn check_content_digest(reference: &Reference, body: &transport::Body) -> Result<(), PullError> {
    match &body.content_digest {
        Some(header) if header.starts_with("sha256:") && *header != body.digest => {
            Err(PullError::DigestMismatch {
                reference: reference.to_string(),
                what: "manifest (against its Docker-Content-Digest header)",
                expected: header.clone(),
                actual: body.digest.clone(),
            })
        }
        _ => Ok(()),
    }
}

fn invalid(reference: &str, digest: &str, error: ManifestError) -> PullError {
    PullError::InvalidManifest {
        reference: reference.to_owned(),
        digest: digest.to_owned(),
        error,
    }
}

/// `sha256:<hex>` from `sha256:<hex>` or bare hex (lowercased).
fn normalize_digest(pinned: &str) -> Result<String, PullError> {
    let hex = pinned
        .strip_prefix("sha256:")
        .unwrap_or(pinned)
        .to_ascii_lowercase();
    let digest = format!("sha256:{hex}");
    if reference::valid_digest(&digest) {
        Ok(digest)
    } else {
        Err(PullError::InvalidPinnedDigest {
            pinned: pinned.to_owned(),
        })
    }
}

/// `sha256:<hex>` of `bytes`.
fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", super::cache::digest(bytes))
}

/// The hex part of `sha256:<hex>`.
fn hex_of(digest: &str) -> &str {
    digest.strip_prefix("sha256:").unwrap_or(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_digests_are_normalized() {
        let hex = "ab".repeat(32);
        assert_eq!(normalize_digest(&hex).unwrap(), format!("sha256:{hex}"));
        assert_eq!(
            normalize_digest(&format!("sha256:{}", hex.to_uppercase())).unwrap(),
            format!("sha256:{hex}")
        );
        for bad in ["", "sha256:", "abc", "sha512:00", &format!("sha256:{hex}0")] {
            assert!(
                matches!(
                    normalize_digest(bad),
                    Err(PullError::InvalidPinnedDigest { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn signature_tags_are_valid_tags() {
        let digest = format!("sha256:{}", "0f".repeat(32));
        let tag = signature_tag(&digest);
        assert_eq!(tag, format!("sha256-{}.minisig", "0f".repeat(32)));
        assert!(Reference::parse(&format!("oci://h/r:{tag}")).is_ok());
    }

    #[test]
    fn errors_name_the_reference_and_both_digests() {
        let e = PullError::DigestChanged {
            reference: "oci://h/r:1".into(),
            pinned: "sha256:aa".into(),
            served: "sha256:bb".into(),
        };
        let text = e.to_string();
        assert!(
            ["oci://h/r:1", "sha256:aa", "sha256:bb"]
                .iter()
                .all(|s| text.contains(s)),
            "{text}"
        );
    }
}

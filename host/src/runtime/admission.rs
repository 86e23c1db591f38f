//! Where third-party components come from — `.wasm` files (`--plugin PATH`, every `.wasm` in
//! `LOOKER_PLUGIN_DIR`) and OCI references (`--plugin oci://host/repo:tag` or `…@sha256:…`) —
//! and their admission: each is read or pulled, then checked against `plugins.lock` (pin,
//! signature, policy; [`LockFile::admit_bytes`]) before anything loads.
//!
//! A component from a registry is keyed in the lock by its repository (`oci://host/repo`), so a
//! new tag of the same repository is the same entry: its sha256 pins the bytes, and `manifest`
//! the digest its tag named when pinned (a tag that moved is refused, naming both digests).

use std::path::{Path, PathBuf};

use super::lock::{LockEntry, LockFile, Trusted, components_in};
use super::oci::{self, Reference};
use crate::capability::policy::Policy;

/// One third-party component the operator named.
#[derive(Clone, Debug)]
pub enum Source {
    /// A `.wasm` file (and the `.minisig` beside it).
    File(PathBuf),
    /// A component published to an OCI registry (and its signature artifact, if published).
    Oci(Reference),
}

impl Source {
    /// `oci://…` is a registry reference (refused when malformed); anything else a file.
    pub fn parse(argument: &Path) -> Result<Self, String> {
        match argument.to_str() {
            Some(text) if text.starts_with("oci://") => Reference::parse(text)
                .map(Self::Oci)
                .map_err(|e| format!("{text}: {e}")),
            _ => Ok(Self::File(argument.to_path_buf())),
        }
    }

    /// Its `plugins.lock` key: the file name, or `oci://registry/repository`.
    pub fn lock_key(&self) -> String {
        match self {
            Self::File(path) => path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            Self::Oci(reference) => {
                format!("oci://{}/{}", reference.registry(), reference.repository())
            }
        }
    }

    /// How it is named in logs and errors.
    pub fn describe(&self) -> String {
        match self {
            Self::File(path) => path.display().to_string(),
            Self::Oci(reference) => reference.to_string(),
        }
    }
}

/// The components `--plugin` and the plugin directory name, in that order.
pub fn sources(plugins: &[PathBuf], plugin_dir: Option<&Path>) -> anyhow::Result<Vec<Source>> {
    let mut sources = plugins
        .iter()
        .map(|p| Source::parse(p).map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if let Some(dir) = plugin_dir {
        sources.extend(components_in(dir)?.into_iter().map(Source::File));
    }
    Ok(sources)
}

/// Reads or pulls `source` and decides whether it may load, and under which policy. With
/// `allow_unpinned`, an unpinned or changed component loads read-only (its signature is still
/// checked). Pulled components are cached under `cache_dir`.
pub async fn admit(
    lock: &LockFile,
    source: &Source,
    allow_unpinned: bool,
    cache_dir: Option<&Path>,
) -> Result<Trusted, String> {
    let reference = match source {
        Source::File(path) => return lock.admit(path, allow_unpinned),
        Source::Oci(reference) => reference,
    };
    let key = source.lock_key();
    let pinned = lock.plugins.get(&key).and_then(|e| e.manifest.as_deref());
    // A reference by digest names its manifest itself; a tag must still name the pinned one.
    let pinned = pinned.filter(|_| reference.digest().is_none());
    let pulled = oci::pull(reference, pinned, cache_dir)
        .await
        .map_err(|e| e.to_string())?;
    let admitted = lock.admit_bytes(
        &key,
        &pulled.bytes,
        pulled.signature.as_deref(),
        allow_unpinned,
        false,
    )?;
    Ok(Trusted {
        path: PathBuf::from(pulled.reference.to_string()),
        bytes: pulled.bytes,
        policy: admitted.policy,
        provenance: admitted.provenance,
    })
}

/// `plugin add`: reads or pulls `source` and pins it in `lock` with `policy` (and, for a
/// registry component, the manifest digest its reference resolved to).
pub async fn pin(
    lock: &mut LockFile,
    source: &Source,
    policy: Policy,
    cache_dir: Option<&Path>,
) -> anyhow::Result<(String, LockEntry)> {
    let reference = match source {
        Source::File(path) => return lock.pin(path, policy),
        Source::Oci(reference) => reference,
    };
    let pulled = oci::pull(reference, None, cache_dir)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", source.describe()))?;
    let key = source.lock_key();
    let (key, mut entry) = lock
        .pin_bytes(&key, &pulled.bytes, pulled.signature.as_deref(), policy)
        .map_err(|e| anyhow::anyhow!("{}: {e}", source.describe()))?;
    entry.manifest = Some(pulled.manifest_digest);
    lock.plugins.insert(key.clone(), entry.clone());
    Ok((key, entry))
}

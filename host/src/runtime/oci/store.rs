//! The content-addressed cache of pulled components under `<cache dir>/oci/` (a private
//! directory, see [`crate::runtime::private_dir`]):
//!
//! ```text
//! oci/manifests/sha256-<manifest hex>.json   the manifest's bytes, as served
//! oci/sha256-<component hex>.wasm            the component's bytes
//! oci/sha256-<component hex>.minisig         its signature, when one was published
//! ```
//!
//! Every file is named by the sha256 of its content and re-hashed when read: a file whose bytes
//! do not match its name is ignored (and overwritten on the next pull), never used. The
//! signature is not content-addressed; it is checked against the component's bytes by whoever
//! verifies signatures, so a swapped one fails there.

use std::path::{Path, PathBuf};

use super::manifest::Manifest;
use super::{Limits, digest_of, hex_of};

/// An opened `oci/` cache directory.
pub(super) struct Store {
    dir: PathBuf,
}

/// A component found in the cache, its bytes verified.
pub(super) struct Cached {
    pub component_digest: String,
    pub bytes: Vec<u8>,
    pub signature: Option<String>,
}

impl Store {
    /// Opens (creating it private) `<cache_dir>/oci`; `None`, with a warning naming the
    /// directory and the reason, when it cannot be used safely: the pull then keeps nothing.
    pub fn open(cache_dir: &Path) -> Option<Self> {
        let dir = cache_dir.join("oci");
        let manifests = dir.join("manifests");
        match crate::runtime::private_dir(&dir)
            .and_then(|()| crate::runtime::private_dir(&manifests))
        {
            Ok(()) => Some(Self { dir }),
            Err(reason) => {
                tracing::warn!(dir = %dir.display(), %reason, "not caching pulled components");
                None
            }
        }
    }

    fn manifest_file(&self, digest: &str) -> PathBuf {
        self.dir
            .join("manifests")
            .join(format!("sha256-{}.json", hex_of(digest)))
    }

    fn component_file(&self, digest: &str) -> PathBuf {
        self.dir.join(format!("sha256-{}.wasm", hex_of(digest)))
    }

    fn signature_file(&self, digest: &str) -> PathBuf {
        self.dir.join(format!("sha256-{}.minisig", hex_of(digest)))
    }

    /// The component that the manifest `manifest_digest` names, if both are cached and intact.
    pub fn load(&self, manifest_digest: &str, limits: &Limits) -> Option<Cached> {
        let manifest_bytes = read_verified(&self.manifest_file(manifest_digest), manifest_digest)?;
        let manifest = Manifest::parse(&manifest_bytes).ok()?;
        let layer = manifest.wasm_layer().ok()?;
        if layer.size > limits.max_component_bytes {
            return None;
        }
        let bytes = read_verified(&self.component_file(&layer.digest), &layer.digest)?;
        let signature = std::fs::read_to_string(self.signature_file(&layer.digest)).ok();
        Some(Cached {
            component_digest: layer.digest.clone(),
            bytes,
            signature,
        })
    }

    /// A cached component by its digest (`sha256:<hex>`), if intact.
    pub fn component(&self, digest: &str) -> Option<Vec<u8>> {
        read_verified(&self.component_file(digest), digest)
    }

    /// Keeps a pulled manifest, component and signature. Failures are logged, not returned:
    /// the pull itself succeeded.
    pub fn save(
        &self,
        manifest_digest: &str,
        manifest: &[u8],
        component_digest: &str,
        component: &[u8],
        signature: Option<&str>,
    ) {
        let mut writes = vec![
            (self.component_file(component_digest), component),
            (self.manifest_file(manifest_digest), manifest),
        ];
        if let Some(signature) = signature {
            writes.push((self.signature_file(component_digest), signature.as_bytes()));
        }
        for (file, bytes) in writes {
            if let Err(error) = crate::runtime::cache::write_atomically(&file, bytes) {
                tracing::warn!(file = %file.display(), %error, "cannot cache a pulled component");
            }
        }
    }
}

/// The file's bytes if their sha256 is `digest`; a mismatch is logged and ignored.
fn read_verified(file: &Path, digest: &str) -> Option<Vec<u8>> {
    let bytes = std::fs::read(file).ok()?;
    if digest_of(&bytes) != digest {
        tracing::warn!(file = %file.display(), "cached file does not match its digest; pulling again");
        return None;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::oci::manifest::{WASM_CONFIG, WASM_LAYER};

    fn scratch() -> PathBuf {
        std::env::temp_dir().join(format!("oci-store-{}", uuid::Uuid::new_v4()))
    }

    #[test]
    fn keeps_and_verifies_what_it_serves() {
        let root = scratch();
        let store = Store::open(&root).unwrap();
        let component = b"\0asm component bytes".to_vec();
        let component_digest = digest_of(&component);
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "config": { "mediaType": WASM_CONFIG, "digest": digest_of(b"{}"), "size": 2 },
            "layers": [{ "mediaType": WASM_LAYER, "digest": component_digest, "size": component.len() }],
        }))
        .unwrap();
        let manifest_digest = digest_of(&manifest);
        let limits = Limits::default();
        assert!(store.load(&manifest_digest, &limits).is_none());

        store.save(
            &manifest_digest,
            &manifest,
            &component_digest,
            &component,
            Some("sig"),
        );
        let hit = store.load(&manifest_digest, &limits).unwrap();
        assert_eq!(hit.bytes, component);
        assert_eq!(hit.component_digest, component_digest);
        assert_eq!(hit.signature.as_deref(), Some("sig"));
        assert_eq!(store.component(&component_digest), Some(component.clone()));

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&root.join("oci")), 0o700);
            assert_eq!(mode(&store.component_file(&component_digest)), 0o600);
        }

        // A component over the limit is not served from the cache either.
        let small = Limits {
            max_component_bytes: 4,
            ..Limits::default()
        };
        assert!(store.load(&manifest_digest, &small).is_none());

        // Bytes that do not match their name are not served.
        std::fs::write(store.component_file(&component_digest), b"\0asm other").unwrap();
        assert!(store.load(&manifest_digest, &limits).is_none());
        assert!(store.component(&component_digest).is_none());
        store.save(
            &manifest_digest,
            &manifest,
            &component_digest,
            &component,
            None,
        );
        assert!(store.load(&manifest_digest, &limits).is_some());
        std::fs::write(store.manifest_file(&manifest_digest), b"{}").unwrap();
        assert!(store.load(&manifest_digest, &limits).is_none());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_shared_directory_is_not_used() {
        use std::os::unix::fs::PermissionsExt;
        let root = scratch();
        std::fs::create_dir_all(root.join("oci")).unwrap();
        std::fs::set_permissions(root.join("oci"), std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(Store::open(&root).is_none());
        std::fs::remove_dir_all(&root).unwrap();
    }
}

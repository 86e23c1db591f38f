//! `plugins.lock`: which third-party components the operator trusts (file name → sha256), what
//! each may do (its [`Policy`]), and whose signatures count (`publishers`, `require_signatures`,
//! an entry's `signer`; see [`super::signature`]). A component that is not pinned, or whose
//! bytes changed, is refused unless the operator opts in; one whose signature does not meet the
//! lock's rules is always refused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::cache::digest;
use super::signature::{self, Signed, TrustRules};
use crate::capability::policy::Policy;

/// The lock file. Every field but `plugins` is optional, so a lock file written before
/// signatures existed still loads (and is written back without them).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockFile {
    /// Trusted publishers: name → minisign public key (the `RW…` base64 line of its `.pub`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub publishers: BTreeMap<String, String>,
    /// Every third-party component must be signed by one of the publishers.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub require_signatures: bool,
    /// By component file name (e.g. `hello_looker.wasm`).
    #[serde(default)]
    pub plugins: BTreeMap<String, LockEntry>,
}

/// One pinned component.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockEntry {
    /// Hex sha256 of the `.wasm` file.
    pub sha256: String,
    /// The publisher whose valid signature it must carry (a name in `publishers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// For a component pulled from an OCI registry by tag: the manifest digest the tag named
    /// when it was pinned (`sha256:…`); a tag that now names another manifest is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
    /// What it is granted.
    #[serde(default = "Policy::nothing")]
    pub policy: Policy,
}

/// A third-party component ready to load: its bytes, the policy it runs under and why it is
/// trusted.
pub struct Trusted {
    /// Where it came from (shown in logs and errors).
    pub path: PathBuf,
    /// The component.
    pub bytes: Vec<u8>,
    /// What it is granted.
    pub policy: Policy,
    /// Its digest and signer.
    pub provenance: Provenance,
}

/// Why a third-party component is trusted: its digest and, when signed, who signed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// Hex sha256 of the component.
    pub sha256: String,
    /// The trusted publisher's valid signature, if it carries one.
    pub signed: Option<Signed>,
}

impl Provenance {
    /// The signer's name, or `unsigned`.
    pub fn signer(&self) -> &str {
        self.signed.as_ref().map_or("unsigned", |s| &s.publisher)
    }
}

/// What [`LockFile::admit_bytes`] decided for a component that may load.
pub struct Admitted {
    /// What it is granted.
    pub policy: Policy,
    /// Its digest and signer.
    pub provenance: Provenance,
}

impl LockFile {
    /// Reads the lock file; a missing file is an empty lock. An entry whose policy has a path
    /// pattern that breaks the rules in [`Policy`] (e.g. `**` before the last segment) makes
    /// the whole file invalid, with an error naming the entry and the pattern.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let lock: Self = match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!("{}: not a valid plugins.lock: {e}", path.display())
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(anyhow::anyhow!("{}: {e}", path.display())),
        };
        for (name, entry) in &lock.plugins {
            entry.policy.check_patterns().map_err(|why| {
                anyhow::anyhow!(
                    "{}: not a valid plugins.lock: entry {name:?}: {why}",
                    path.display()
                )
            })?;
        }
        for (name, key) in &lock.publishers {
            signature::parse_public_key(key).map_err(|why| {
                anyhow::anyhow!(
                    "{}: not a valid plugins.lock: publisher {name:?}: {why}",
                    path.display()
                )
            })?;
        }
        Ok(lock)
    }

    /// Writes the lock file (pretty JSON).
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, serde_json::to_string_pretty(self)? + "\n")?;
        Ok(())
    }

    /// Pins `component` with `policy`, replacing an older pin of the same file name. When a
    /// signature beside it verifies under a trusted publisher's key, the entry records that
    /// publisher as its `signer`; a signature that is present but malformed or does not verify
    /// is an error (nothing is pinned).
    pub fn pin(&mut self, component: &Path, policy: Policy) -> anyhow::Result<(String, LockEntry)> {
        let bytes = std::fs::read(component)
            .map_err(|e| anyhow::anyhow!("{}: {e}", component.display()))?;
        let signature = read_signature(component)
            .map_err(|e| anyhow::anyhow!("{}: {e}", component.display()))?;
        self.pin_bytes(&file_name(component), &bytes, signature.as_deref(), policy)
            .map_err(|e| anyhow::anyhow!("{}: {e}", component.display()))
    }

    /// [`Self::pin`] for a component already read: `name` is the lock's key, `signature` the
    /// text of its `.minisig`, if any.
    pub fn pin_bytes(
        &mut self,
        name: &str,
        bytes: &[u8],
        signature: Option<&str>,
        policy: Policy,
    ) -> anyhow::Result<(String, LockEntry)> {
        let name = name.to_owned();
        let rules = TrustRules {
            publishers: &self.publishers,
            require_signature: false,
            signer: None,
        };
        let signed = signature::check(&name, bytes, signature, &rules)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let entry = LockEntry {
            sha256: digest(bytes),
            signer: signed.map(|s| s.publisher),
            manifest: None,
            policy,
        };
        self.plugins.insert(name.clone(), entry.clone());
        Ok((name, entry))
    }

    /// Reads `component` and the signature beside it (`<file>.minisig`), and decides whether
    /// it may load, and under which policy ([`Self::admit_bytes`]).
    pub fn admit(&self, component: &Path, allow_unpinned: bool) -> Result<Trusted, String> {
        let bytes = std::fs::read(component).map_err(|e| format!("cannot read: {e}"))?;
        let signature = read_signature(component)?;
        let admitted = self.admit_bytes(
            &file_name(component),
            &bytes,
            signature.as_deref(),
            allow_unpinned,
            false,
        )?;
        Ok(Trusted {
            path: component.to_path_buf(),
            bytes,
            policy: admitted.policy,
            provenance: admitted.provenance,
        })
    }

    /// Decides whether the component `name` (its file name, the lock's key) with `bytes` and
    /// `signature` (the text of its `.minisig`, if any) may load, and under which policy: its
    /// pin first, then its signature ([`signature::check`]). With `allow_unpinned`, an unpinned
    /// or changed component loads with the read-only policy (its signature is still checked);
    /// `require_signature` asks for a trusted signature even when the lock does not.
    pub fn admit_bytes(
        &self,
        name: &str,
        bytes: &[u8],
        signature: Option<&str>,
        allow_unpinned: bool,
        require_signature: bool,
    ) -> Result<Admitted, String> {
        let actual = digest(bytes);
        let entry = self.plugins.get(name);
        let policy = match entry {
            Some(entry) if entry.sha256.eq_ignore_ascii_case(&actual) => entry.policy.clone(),
            Some(entry) if !allow_unpinned => {
                return Err(format!(
                    "changed since it was pinned (sha256 {actual}, plugins.lock has {}); \
                     re-pin it with `looker-mcp-server plugin add {name}` if the change is \
                     trusted",
                    entry.sha256,
                ));
            }
            None if !allow_unpinned => {
                return Err(format!(
                    "not pinned in plugins.lock (sha256 {actual}); pin it with \
                     `looker-mcp-server plugin add {name}`, or pass --allow-unpinned-plugins",
                ));
            }
            _ => {
                tracing::warn!(plugin = name, sha256 = %actual, "loading an unpinned plugin with the read-only policy");
                Policy::read_only()
            }
        };
        let rules = TrustRules {
            publishers: &self.publishers,
            require_signature: self.require_signatures || require_signature,
            signer: entry.and_then(|e| e.signer.as_deref()),
        };
        let signed = signature::check(name, bytes, signature, &rules).map_err(|e| e.to_string())?;
        Ok(Admitted {
            policy,
            provenance: Provenance {
                sha256: actual,
                signed,
            },
        })
    }
}

/// The signature beside `component` (`<file>.minisig`), if there is one.
pub fn read_signature(component: &Path) -> Result<Option<String>, String> {
    let mut path = component.as_os_str().to_owned();
    path.push(signature::SIGNATURE_SUFFIX);
    let path = PathBuf::from(path);
    let shown = || file_name(&path);
    let size = match std::fs::metadata(&path) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", shown())),
    };
    if size > signature::MAX_SIGNATURE_BYTES {
        return Err(format!(
            "malformed signature file {}: {size} bytes, more than a minisign signature can be",
            shown()
        ));
    }
    match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("malformed signature file {}: not UTF-8 text", shown())),
        Err(e) => Err(format!("cannot read {}: {e}", shown())),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The `.wasm` files of a plugin directory, sorted.
pub fn components_in(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("LOOKER_PLUGIN_DIR {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "wasm") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock_file(name: &str, text: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("looker-mcp-lock-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("plugins.lock");
        std::fs::write(&file, text).unwrap();
        file
    }

    #[test]
    fn a_pattern_with_an_inner_double_star_is_refused_at_load_by_name() {
        let file = lock_file(
            "inner",
            r#"{"plugins": {"looks.wasm": {"sha256": "00", "policy": {
                "methods": ["GET"], "paths": ["/lookml_models/**", "/folders/**/looks"]}}}}"#,
        );
        let err = LockFile::load(&file).unwrap_err().to_string();
        assert!(
            err.contains("plugins.lock")
                && err.contains("\"looks.wasm\"")
                && err.contains("\"/folders/**/looks\"")
                && err.contains("only allowed as the last segment"),
            "{err}"
        );
        let also = lock_file(
            "also",
            r#"{"plugins": {"q.wasm": {"sha256": "00", "policy": {"also": [["POST", "/queries/**/run"]]}}}}"#,
        );
        assert!(
            LockFile::load(&also)
                .unwrap_err()
                .to_string()
                .contains("/queries/**/run")
        );
    }

    #[test]
    fn a_lock_file_from_before_signatures_loads_and_saves_the_same() {
        let text = r#"{"plugins": {"x.wasm": {"sha256": "ab", "policy": {"methods": ["GET"]}}}}"#;
        let file = lock_file("old", text);
        let lock = LockFile::load(&file).unwrap();
        assert!(lock.publishers.is_empty() && !lock.require_signatures);
        assert_eq!(lock.plugins["x.wasm"].signer, None);
        lock.save(&file).unwrap();
        let saved = std::fs::read_to_string(&file).unwrap();
        assert!(
            !saved.contains("publishers")
                && !saved.contains("signer")
                && !saved.contains("require"),
            "{saved}"
        );
        let unknown = lock_file("unknown", r#"{"plugins": {}, "publisher": {}}"#);
        assert!(
            LockFile::load(&unknown).is_err(),
            "unknown fields are refused"
        );
    }

    #[test]
    fn a_publisher_key_that_cannot_be_read_makes_the_file_invalid() {
        let file = lock_file(
            "badkey",
            r#"{"publishers": {"acme": "RWnope"}, "plugins": {}}"#,
        );
        let err = LockFile::load(&file).unwrap_err().to_string();
        assert!(
            err.contains("publisher \"acme\"") && err.contains("not a minisign public key"),
            "{err}"
        );
    }

    #[test]
    fn admission_checks_the_pin_then_the_signature() {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let sign = |bytes: &[u8]| {
            minisign::sign(
                Some(&pair.pk),
                &pair.sk,
                std::io::Cursor::new(bytes),
                None,
                None,
            )
            .unwrap()
            .into_string()
        };
        let mut lock = LockFile::default();
        lock.publishers.insert("acme".into(), pair.pk.to_base64());
        lock.plugins.insert(
            "x.wasm".into(),
            LockEntry {
                sha256: digest(b"one"),
                signer: Some("acme".into()),
                manifest: None,
                policy: Policy::nothing(),
            },
        );
        let admitted = lock
            .admit_bytes("x.wasm", b"one", Some(&sign(b"one")), false, false)
            .unwrap();
        assert_eq!(admitted.provenance.signer(), "acme");
        assert_eq!(admitted.provenance.sha256, digest(b"one"));
        let err = lock.admit_bytes("x.wasm", b"one", None, false, false);
        assert!(err.is_err_and(|e| e.starts_with("unsigned")));
        // A changed component fails its pin before its signature is looked at.
        let err = lock.admit_bytes("x.wasm", b"two", Some(&sign(b"two")), false, false);
        assert!(err.is_err_and(|e| e.contains("changed since it was pinned")));
        // Unpinned but allowed: read-only, and the lock's signature rules still apply.
        lock.require_signatures = true;
        let err = lock.admit_bytes("y.wasm", b"y", None, true, false);
        assert!(err.is_err_and(|e| e.contains("requires signatures")));
        let admitted = lock
            .admit_bytes("y.wasm", b"y", Some(&sign(b"y")), true, false)
            .unwrap();
        assert_eq!(admitted.policy, Policy::read_only());
    }

    #[test]
    fn valid_patterns_load() {
        let file = lock_file(
            "valid",
            r#"{"plugins": {"ok.wasm": {"sha256": "00", "policy": {
                "methods": ["GET"], "paths": ["/lookml_models/**", "/users/*/roles", "/**"]}}}}"#,
        );
        let lock = LockFile::load(&file).unwrap();
        assert_eq!(lock.plugins["ok.wasm"].policy.paths.len(), 3);
    }
}

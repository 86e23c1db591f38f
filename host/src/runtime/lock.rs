//! `plugins.lock`: which third-party components the operator trusts (file name → sha256) and
//! what each may do (its [`Policy`]). A component that is not pinned, or whose bytes changed,
//! is refused unless the operator opts in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::cache::digest;
use crate::capability::policy::Policy;

/// The lock file.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockFile {
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
    /// What it is granted.
    #[serde(default = "Policy::nothing")]
    pub policy: Policy,
}

/// A third-party component ready to load: its bytes and the policy it runs under.
pub struct Trusted {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub policy: Policy,
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
        Ok(lock)
    }

    /// Writes the lock file (pretty JSON).
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, serde_json::to_string_pretty(self)? + "\n")?;
        Ok(())
    }

    /// Pins `component` with `policy`, replacing an older pin of the same file name.
    pub fn pin(&mut self, component: &Path, policy: Policy) -> anyhow::Result<(String, LockEntry)> {
        let bytes = std::fs::read(component)
            .map_err(|e| anyhow::anyhow!("{}: {e}", component.display()))?;
        let name = file_name(component);
        let entry = LockEntry {
            sha256: digest(&bytes),
            policy,
        };
        self.plugins.insert(name.clone(), entry.clone());
        Ok((name, entry))
    }

    /// Reads `component` and decides whether it may load, and under which policy. With
    /// `allow_unpinned`, an unpinned or changed component loads with the read-only policy.
    pub fn admit(&self, component: &Path, allow_unpinned: bool) -> Result<Trusted, String> {
        let bytes = std::fs::read(component).map_err(|e| format!("cannot read: {e}"))?;
        let actual = digest(&bytes);
        let name = file_name(component);
        let policy = match self.plugins.get(&name) {
            Some(entry) if entry.sha256.eq_ignore_ascii_case(&actual) => entry.policy.clone(),
            Some(entry) if !allow_unpinned => {
                return Err(format!(
                    "changed since it was pinned (sha256 {actual}, plugins.lock has {}); \
                     re-pin it with `looker-mcp-server plugin add {}` if the change is trusted",
                    entry.sha256,
                    component.display()
                ));
            }
            None if !allow_unpinned => {
                return Err(format!(
                    "not pinned in plugins.lock (sha256 {actual}); pin it with \
                     `looker-mcp-server plugin add {}`, or pass --allow-unpinned-plugins",
                    component.display()
                ));
            }
            _ => {
                tracing::warn!(plugin = %component.display(), sha256 = %actual, "loading an unpinned plugin with the read-only policy");
                Policy::read_only()
            }
        };
        Ok(Trusted {
            path: component.to_path_buf(),
            bytes,
            policy,
        })
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

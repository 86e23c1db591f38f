//! On-disk cache of compiled components: `<cache dir>/<sha256 of the component>-<engine hash>.cwasm`.
//!
//! Loading a `.cwasm` runs native code, so only files this process family wrote are trusted: the
//! directory is created private (0700) and files are written atomically. A file that fails to
//! load is recompiled and rewritten.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where compiled components live unless `LOOKER_CACHE_DIR` says otherwise.
pub fn default_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("looker-mcp"))
}

/// The sha256 of a component, hex.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Compiles `bytes`, or loads the cached compilation of the same bytes (whose sha256 is
/// `digest`, when already known) for this engine. On a cache hit `bytes` is never read, so an
/// embedded component's pages are never touched.
pub fn load(
    engine: &Engine,
    bytes: &[u8],
    known_digest: Option<&str>,
    dir: Option<&Path>,
) -> wasmtime::Result<Component> {
    let Some(dir) = dir else {
        return Component::new(engine, bytes);
    };
    let digest = known_digest.map_or_else(|| digest(bytes), str::to_owned);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    let file = dir.join(format!("{digest}-{:016x}.cwasm", hasher.finish()));
    if file.is_file() {
        // SAFETY: the file was written by `store` below into a private directory, keyed by the
        // component's digest and this engine's compatibility hash.
        match unsafe { Component::deserialize_file(engine, &file) } {
            Ok(component) => return Ok(component),
            Err(error) => {
                tracing::warn!(file = %file.display(), %error, "stale compiled component; recompiling")
            }
        }
    }
    let component = Component::new(engine, bytes)?;
    if let Err(error) = store(dir, &file, &component) {
        tracing::debug!(dir = %dir.display(), %error, "could not cache a compiled component");
    }
    Ok(component)
}

fn store(dir: &Path, file: &Path, component: &Component) -> wasmtime::Result<()> {
    create_private_dir(dir)?;
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, component.serialize()?)?;
    std::fs::rename(&tmp, file)?;
    Ok(())
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// What a component said about itself (`describe`), stored beside its compiled code so a warm
/// start lists tools without instantiating anything. Keyed by the component's digest, this
/// host's version and the settings `describe` saw.
#[derive(serde::Serialize, serde::Deserialize)]
struct Description {
    name: String,
    version: String,
    tools: Vec<DescribedTool>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct DescribedTool {
    name: String,
    title: String,
    description: String,
    input_schema: String,
    output_schema: Option<String>,
    read_only: bool,
    destructive: bool,
    idempotent: bool,
}

fn description_file(dir: &Path, digest: &str, settings: &[(String, String)]) -> PathBuf {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    settings.hash(&mut hasher);
    dir.join(format!("{digest}-{:016x}.describe.json", hasher.finish()))
}

/// The cached description of a component, if there is one.
pub fn cached_description(
    dir: &Path,
    digest: &str,
    settings: &[(String, String)],
) -> Option<crate::bindings::types::GroupInfo> {
    use crate::bindings::types::{Annotations, GroupInfo, Tool};
    let text = std::fs::read(description_file(dir, digest, settings)).ok()?;
    let d: Description = serde_json::from_slice(&text).ok()?;
    Some(GroupInfo {
        name: d.name,
        version: d.version,
        tools: d
            .tools
            .into_iter()
            .map(|t| Tool {
                name: t.name,
                title: t.title,
                description: t.description,
                input_schema: t.input_schema,
                output_schema: t.output_schema,
                annotations: Annotations {
                    read_only: t.read_only,
                    destructive: t.destructive,
                    idempotent: t.idempotent,
                },
            })
            .collect(),
    })
}

/// Stores a component's description (best effort: a failure only costs the next start time).
pub fn store_description(
    dir: &Path,
    digest: &str,
    settings: &[(String, String)],
    info: &crate::bindings::types::GroupInfo,
) {
    let description = Description {
        name: info.name.clone(),
        version: info.version.clone(),
        tools: info
            .tools
            .iter()
            .map(|t| DescribedTool {
                name: t.name.clone(),
                title: t.title.clone(),
                description: t.description.clone(),
                input_schema: t.input_schema.clone(),
                output_schema: t.output_schema.clone(),
                read_only: t.annotations.read_only,
                destructive: t.annotations.destructive,
                idempotent: t.annotations.idempotent,
            })
            .collect(),
    };
    let file = description_file(dir, digest, settings);
    let tmp = file.with_extension(format!("tmp{}", std::process::id()));
    let written = create_private_dir(dir)
        .and_then(|()| std::fs::write(&tmp, serde_json::to_vec(&description).unwrap_or_default()))
        .and_then(|()| std::fs::rename(&tmp, &file));
    if let Err(error) = written {
        tracing::debug!(dir = %dir.display(), %error, "could not cache a component description");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::types::{Annotations, GroupInfo, Tool};

    fn info() -> GroupInfo {
        GroupInfo {
            name: "explore".into(),
            version: "1.2.3".into(),
            tools: vec![Tool {
                name: "list_models".into(),
                title: "List models".into(),
                description: "Lists models.".into(),
                input_schema: r#"{"type":"object"}"#.into(),
                output_schema: None,
                annotations: Annotations {
                    read_only: true,
                    destructive: false,
                    idempotent: true,
                },
            }],
        }
    }

    #[test]
    fn a_stored_description_comes_back_only_for_the_same_component_and_settings() {
        let dir = std::env::temp_dir().join(format!("looker-mcp-describe-{}", std::process::id()));
        let settings = vec![("dev_mode".to_owned(), "on".to_owned())];
        assert!(cached_description(&dir, "abc", &settings).is_none());

        store_description(&dir, "abc", &settings, &info());
        let back = cached_description(&dir, "abc", &settings).expect("cached");
        assert_eq!(back.name, "explore");
        assert_eq!(back.version, "1.2.3");
        assert_eq!(back.tools.len(), 1);
        assert_eq!(back.tools[0].name, "list_models");
        assert_eq!(back.tools[0].input_schema, r#"{"type":"object"}"#);
        assert!(back.tools[0].annotations.read_only && back.tools[0].annotations.idempotent);
        assert!(!back.tools[0].annotations.destructive);

        assert!(cached_description(&dir, "other", &settings).is_none());
        assert!(cached_description(&dir, "abc", &[]).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

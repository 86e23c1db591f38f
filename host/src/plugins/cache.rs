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

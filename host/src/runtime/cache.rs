//! On-disk cache of compiled components (`<digest>-<engine hash>.cwasm`) and of what they said
//! about themselves (`<digest>-<settings hash>.describe.json`).
//!
//! Loading a `.cwasm` runs native code, and a description decides which tools are listed and
//! how their arguments are checked, so nothing is trusted as found:
//!
//! - the directory is created private (0700); one that is group- or world-writable, or owned by
//!   another user, is refused (a warning is logged and components are compiled in memory);
//! - the directory holds a random 32-byte key (`cache.key`, 0600), created on first use;
//! - every artifact is written with an HMAC-SHA256 beside it (`<file>.mac`) over what it is
//!   (compiled code or description), the component's sha256, this host's version, the engine's
//!   compatibility hash (or the plugin settings) and the artifact's bytes;
//! - an artifact is used only if its MAC verifies; a tampered, unsigned or stale one is
//!   recompiled (or re-described) and rewritten, never loaded.
//!
//! Files are written atomically (a temporary file, then a rename).

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
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

const KEY_FILE: &str = "cache.key";
const KEY_LEN: usize = 32;

/// An opened, checked cache directory and its key.
pub struct Cache {
    dir: PathBuf,
    key: [u8; KEY_LEN],
}

impl Cache {
    /// Opens `dir` (creating it 0700), checks that only this user can write it, and reads (or
    /// creates) its key. `None`, with a warning naming the directory and the reason, when the
    /// directory cannot be used safely: the caller then compiles in memory.
    pub fn open(dir: &Path) -> Option<Self> {
        match Self::try_open(dir) {
            Ok(cache) => Some(cache),
            Err(reason) => {
                tracing::warn!(
                    dir = %dir.display(),
                    %reason,
                    "not using the compiled-component cache; compiling in memory"
                );
                None
            }
        }
    }

    #[cfg(unix)]
    fn try_open(dir: &Path) -> Result<Self, String> {
        create_private_dir(dir).map_err(|e| format!("cannot create it: {e}"))?;
        check_private(dir, true)?;
        let key = load_or_create_key(dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            key,
        })
    }

    #[cfg(not(unix))]
    fn try_open(_dir: &Path) -> Result<Self, String> {
        Err("the cache needs Unix file ownership and permissions to be trusted".into())
    }

    /// The HMAC-SHA256 of what an artifact is for (each field length-prefixed) and the length of
    /// its bytes; the bytes themselves are fed next, in place.
    fn mac_of(&self, kind: &str, digest: &str, context: &str, len: u64) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC takes a key of any length");
        for field in [
            kind.as_bytes(),
            digest.as_bytes(),
            env!("CARGO_PKG_VERSION").as_bytes(),
            context.as_bytes(),
        ] {
            mac.update(&(field.len() as u64).to_le_bytes());
            mac.update(field);
        }
        mac.update(&len.to_le_bytes());
        mac
    }

    /// The HMAC-SHA256 of an artifact's bytes and what it is for.
    fn mac(&self, kind: &str, digest: &str, context: &str, bytes: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.mac_of(kind, digest, context, bytes.len() as u64);
        mac.update(bytes);
        mac
    }

    /// Whether `mac` (computed over `file`) matches the MAC stored beside it; a mismatch or a
    /// missing MAC is logged.
    fn matches_stored(&self, file: &Path, kind: &str, mac: Hmac<Sha256>) -> bool {
        let stored = std::fs::read_to_string(mac_file(file))
            .ok()
            .and_then(|text| hex::decode(text.trim()).ok());
        match stored {
            // `verify_slice` compares in constant time.
            Some(stored) if mac.verify_slice(&stored).is_ok() => true,
            Some(_) => {
                tracing::warn!(file = %file.display(), "cached {kind} does not match its MAC (tampered or stale); rebuilding it");
                false
            }
            None => {
                tracing::info!(file = %file.display(), "cached {kind} is unsigned; rebuilding it");
                false
            }
        }
    }

    /// The bytes of `file` if its MAC verifies; `None` (logged) if it is missing, unsigned or
    /// does not verify.
    fn read_verified(
        &self,
        file: &Path,
        kind: &str,
        digest: &str,
        context: &str,
    ) -> Option<Vec<u8>> {
        let bytes = std::fs::read(file).ok()?;
        let mac = self.mac(kind, digest, context, &bytes);
        self.matches_stored(file, kind, mac).then_some(bytes)
    }

    /// Whether `file`'s MAC verifies, reading it in pieces: a compiled component is checked
    /// without being copied into memory, then mapped by wasmtime from the file.
    fn file_verifies(&self, file: &Path, kind: &str, digest: &str, context: &str) -> bool {
        use std::io::Read;
        let Ok(mut reader) = std::fs::File::open(file) else {
            return false;
        };
        let Ok(len) = reader.metadata().map(|m| m.len()) else {
            return false;
        };
        let mut mac = self.mac_of(kind, digest, context, len);
        let mut buffer = vec![0u8; 256 * 1024];
        let mut read = 0u64;
        loop {
            match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    mac.update(&buffer[..n]);
                    read += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        read == len && self.matches_stored(file, kind, mac)
    }

    /// Writes `bytes` to `file` and its MAC beside it, each atomically.
    fn write_signed(
        &self,
        file: &Path,
        kind: &str,
        digest: &str,
        context: &str,
        bytes: &[u8],
    ) -> std::io::Result<()> {
        let mac = hex::encode(
            self.mac(kind, digest, context, bytes)
                .finalize()
                .into_bytes(),
        );
        write_atomically(file, bytes)?;
        write_atomically(&mac_file(file), mac.as_bytes())
    }
}

fn mac_file(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".mac");
    PathBuf::from(name)
}

/// Writes `file` (mode 0600) through a temporary file of a unique name and a rename, so a
/// reader never sees half a file and concurrent writers never share a temporary file.
pub(crate) fn write_atomically(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut name = file.as_os_str().to_owned();
    name.push(format!(
        ".tmp{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4()
    ));
    let tmp = PathBuf::from(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&tmp)
        .and_then(|mut f| std::io::Write::write_all(&mut f, bytes))
        .and_then(|()| std::fs::rename(&tmp, file));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Creates `dir` 0700 if missing and checks it is this user's and writable by no one else:
/// for other state kept beside the cache (the branch restore journal).
#[cfg(unix)]
pub fn private_dir(dir: &Path) -> Result<(), String> {
    create_private_dir(dir).map_err(|e| format!("cannot create it: {e}"))?;
    check_private(dir, true)
}

#[cfg(not(unix))]
pub fn private_dir(_dir: &Path) -> Result<(), String> {
    Err("it needs Unix file ownership and permissions to be trusted".into())
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Checks that `path` is owned by this user and writable by no one else (for the key: readable
/// by no one else either).
#[cfg(unix)]
fn check_private(path: &Path, is_dir: bool) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot inspect it: {e}"))?;
    if is_dir && !meta.is_dir() {
        return Err("it is not a directory".into());
    }
    if !is_dir && !meta.is_file() {
        return Err(format!("{} is not a regular file", path.display()));
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(format!(
            "{} is owned by uid {}, not by this user (uid {me})",
            path.display(),
            meta.uid()
        ));
    }
    let mode = meta.mode() & 0o777;
    let forbidden = if is_dir { 0o022 } else { 0o077 };
    if mode & forbidden != 0 {
        return Err(format!(
            "{} has mode {mode:04o}; it must not be {} by group or others (chmod {} it)",
            path.display(),
            if is_dir {
                "writable"
            } else {
                "readable or writable"
            },
            if is_dir { "700" } else { "600" },
        ));
    }
    Ok(())
}

/// Reads the directory's key, creating it (0600, from the OS's random source) on first use.
#[cfg(unix)]
fn load_or_create_key(dir: &Path) -> Result<[u8; KEY_LEN], String> {
    let path = dir.join(KEY_FILE);
    let read = |path: &Path| -> Result<[u8; KEY_LEN], String> {
        check_private(path, false)?;
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        bytes.try_into().map_err(|_| {
            format!(
                "{} is not a {KEY_LEN}-byte key; delete it to start a fresh cache",
                path.display()
            )
        })
    };
    match std::fs::symlink_metadata(&path) {
        Ok(_) => return read(&path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("{}: {e}", path.display())),
    }
    let mut key = [0u8; KEY_LEN];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut key))
        .map_err(|e| format!("cannot read /dev/urandom for a cache key: {e}"))?;
    // Written under a temporary name and linked into place, so a concurrent start never reads
    // half a key: whoever links first wins, the other reads the winner's key.
    let tmp = dir.join(format!("{KEY_FILE}.tmp{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let linked = options
        .open(&tmp)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &key))
        .and_then(|()| std::fs::hard_link(&tmp, &path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(key),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read(&path),
        Err(e) => Err(format!("cannot create {}: {e}", path.display())),
    }
}

/// `engine`'s compatibility hash and this host's version, as the hex key of compiled files.
fn engine_hash(engine: &Engine) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Compiles `bytes`, or loads the verified cached compilation of the same bytes (whose sha256
/// is `known_digest`, when already known) for this engine. On a cache hit `bytes` is never
/// read, so an embedded component's pages are never touched.
pub fn load(
    engine: &Engine,
    bytes: &[u8],
    known_digest: Option<&str>,
    cache: Option<&Cache>,
) -> wasmtime::Result<Component> {
    if let Some(component) = known_digest.and_then(|digest| precompiled(engine, digest)) {
        return Ok(component);
    }
    let Some(cache) = cache else {
        return Component::new(engine, bytes);
    };
    let digest = known_digest.map_or_else(|| digest(bytes), str::to_owned);
    let context = engine_hash(engine);
    let file = cache.dir.join(format!("{digest}-{context}.cwasm"));
    if cache.file_verifies(&file, "cwasm", &digest, &context) {
        // SAFETY: the file holds exactly what `store` below serialized for this digest and
        // engine: its HMAC, keyed by a secret only this user can read, verified just now, in a
        // directory only this user can write (checked when the cache was opened).
        match unsafe { Component::deserialize_file(engine, &file) } {
            Ok(component) => return Ok(component),
            Err(error) => {
                tracing::warn!(file = %file.display(), %error, "stale compiled component; recompiling")
            }
        }
    }
    let component = Component::new(engine, bytes)?;
    let stored = component
        .serialize()
        .map_err(std::io::Error::other)
        .and_then(|compiled| cache.write_signed(&file, "cwasm", &digest, &context, &compiled));
    if let Err(error) = stored {
        tracing::debug!(dir = %cache.dir.display(), %error, "could not cache a compiled component");
    }
    Ok(component)
}

/// The build-time compiled code of the embedded component whose sha256 is `digest`, if this
/// host accepts it (same wasmtime configuration, CPU features it has); `None` otherwise, with
/// a log line saying why it will be compiled instead.
fn precompiled(engine: &Engine, digest: &str) -> Option<Component> {
    accept_precompiled(engine, digest, super::embedded::precompiled(digest)?)
}

/// `code` (the build's compilation of the component `digest`) as a component of `engine`, or
/// `None` (logged) when `engine` refuses it.
fn accept_precompiled(engine: &Engine, digest: &str, code: &'static [u8]) -> Option<Component> {
    if Engine::detect_precompiled(code) != Some(wasmtime::Precompiled::Component) {
        tracing::warn!(
            digest,
            "embedded precompiled plugin code is not a component; compiling it"
        );
        return None;
    }
    // SAFETY: `deserialize` trusts its bytes to be wasmtime's own output. These were produced by
    // `Engine::precompile_component` in this crate's build script (`build/precompile.rs`) from
    // the component whose sha256 is `digest`, and embedded in this binary by `include_bytes!`:
    // nothing outside the build writes them. wasmtime still refuses (an `Err`, handled below)
    // code whose target, CPU features, tunables or wasm features this engine does not accept.
    match unsafe { Component::deserialize(engine, code) } {
        Ok(component) => Some(component),
        Err(error) => {
            tracing::warn!(digest, error = %format!("{error:#}"), "this host does not accept the plugin code compiled at build time; compiling it");
            None
        }
    }
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

fn settings_hash(settings: &[(String, String)]) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    settings.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

fn description_file(cache: &Cache, digest: &str, context: &str) -> PathBuf {
    cache.dir.join(format!("{digest}-{context}.describe.json"))
}

/// The cached description of a component, if there is one and its MAC verifies.
pub fn cached_description(
    cache: &Cache,
    digest: &str,
    settings: &[(String, String)],
) -> Option<crate::bindings::types::GroupInfo> {
    use crate::bindings::types::{Annotations, GroupInfo, Tool};
    let context = settings_hash(settings);
    let file = description_file(cache, digest, &context);
    let text = cache.read_verified(&file, "describe", digest, &context)?;
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
    cache: &Cache,
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
    let context = settings_hash(settings);
    let file = description_file(cache, digest, &context);
    let bytes = serde_json::to_vec(&description).unwrap_or_default();
    if let Err(error) = cache.write_signed(&file, "describe", digest, &context, &bytes) {
        tracing::debug!(dir = %cache.dir.display(), %error, "could not cache a component description");
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

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

    fn fresh_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("looker-mcp-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    /// The smallest valid component: the preamble of an empty one.
    const EMPTY_COMPONENT: &[u8] = &[0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

    #[test]
    fn a_stored_description_comes_back_only_for_the_same_component_and_settings() {
        let dir = fresh_dir("describe");
        let cache = Cache::open(&dir).expect("a fresh private directory");
        let settings = vec![("dev_mode".to_owned(), "on".to_owned())];
        assert!(cached_description(&cache, "abc", &settings).is_none());

        store_description(&cache, "abc", &settings, &info());
        let back = cached_description(&cache, "abc", &settings).expect("cached");
        assert_eq!(back.name, "explore");
        assert_eq!(back.version, "1.2.3");
        assert_eq!(back.tools.len(), 1);
        assert_eq!(back.tools[0].name, "list_models");
        assert_eq!(back.tools[0].input_schema, r#"{"type":"object"}"#);
        assert!(back.tools[0].annotations.read_only && back.tools[0].annotations.idempotent);
        assert!(!back.tools[0].annotations.destructive);

        assert!(cached_description(&cache, "other", &settings).is_none());
        assert!(cached_description(&cache, "abc", &[]).is_none());

        // A second open (the next start) reads the same key and trusts the same entries.
        let again = Cache::open(&dir).unwrap();
        assert!(cached_description(&again, "abc", &settings).is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_tampered_or_unsigned_description_is_never_used() {
        let dir = fresh_dir("tamper");
        let cache = Cache::open(&dir).unwrap();
        store_description(&cache, "abc", &[], &info());
        let file = description_file(&cache, "abc", &settings_hash(&[]));
        let original = std::fs::read_to_string(&file).unwrap();

        std::fs::write(&file, original.replace("Lists models.", "Exfiltrates.")).unwrap();
        assert!(
            cached_description(&cache, "abc", &[]).is_none(),
            "edited bytes"
        );

        std::fs::write(&file, &original).unwrap();
        assert!(cached_description(&cache, "abc", &[]).is_some());
        std::fs::remove_file(mac_file(&file)).unwrap();
        assert!(cached_description(&cache, "abc", &[]).is_none(), "no MAC");

        // A MAC made with another key (another cache directory) does not verify either.
        let other = Cache::open(&fresh_dir("tamper-other")).unwrap();
        let forged = other.mac("describe", "abc", &settings_hash(&[]), original.as_bytes());
        std::fs::write(mac_file(&file), hex::encode(forged.finalize().into_bytes())).unwrap();
        assert!(
            cached_description(&cache, "abc", &[]).is_none(),
            "foreign key"
        );

        // A description moved to another component's name does not verify.
        store_description(&cache, "abc", &[], &info());
        let moved = description_file(&cache, "xyz", &settings_hash(&[]));
        std::fs::copy(&file, &moved).unwrap();
        std::fs::copy(mac_file(&file), mac_file(&moved)).unwrap();
        assert!(cached_description(&cache, "xyz", &[]).is_none(), "renamed");
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&other.dir);
    }

    #[test]
    fn compiled_code_is_verified_before_use_and_rewritten_when_bad() {
        let dir = fresh_dir("cwasm");
        let cache = Cache::open(&dir).unwrap();
        let engine = Engine::default();
        let digest = digest(EMPTY_COMPONENT);
        load(&engine, EMPTY_COMPONENT, None, Some(&cache)).unwrap();
        let context = engine_hash(&engine);
        let file = dir.join(format!("{digest}-{context}.cwasm"));
        // What `load` checks (streamed from the file) agrees with the whole-bytes check.
        let verified = |c: &Cache| {
            let bytes = c.read_verified(&file, "cwasm", &digest, &context);
            assert_eq!(
                c.file_verifies(&file, "cwasm", &digest, &context),
                bytes.is_some()
            );
            bytes
        };
        let good = verified(&cache).expect("written with its MAC");
        assert_eq!(mode(&file), 0o600);

        // One flipped byte: never handed to `deserialize`, recompiled and rewritten instead.
        let mut bad = good.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0xff;
        std::fs::write(&file, &bad).unwrap();
        assert!(verified(&cache).is_none());
        load(&engine, EMPTY_COMPONENT, None, Some(&cache)).unwrap();
        assert!(verified(&cache).is_some(), "rewritten with a valid MAC");

        // Unsigned (e.g. written by an older host): rebuilt and signed.
        std::fs::remove_file(mac_file(&file)).unwrap();
        assert!(verified(&cache).is_none());
        load(&engine, EMPTY_COMPONENT, Some(&digest), Some(&cache)).unwrap();
        assert!(verified(&cache).is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn build_time_code_loads_only_where_the_engine_accepts_it() {
        let runtime = Engine::new(&crate::runtime::engine::engine_config()).unwrap();
        // What the build script embeds with feature `precompiled` (`build/precompile.rs`, run
        // here as it runs there): compiled for the target's baseline CPU, listed by digest, and
        // accepted by this host's engine.
        let dir = fresh_dir("precompile");
        std::fs::create_dir_all(&dir).unwrap();
        let wasm = dir.join("empty.wasm");
        std::fs::write(&wasm, EMPTY_COMPONENT).unwrap();
        let digest = digest(EMPTY_COMPONENT);
        let embedded = [("empty".to_owned(), wasm, digest.clone())];
        crate::runtime::build_precompile::embed(&embedded, &target_lexicon_host(), &dir);
        let listing = std::fs::read_to_string(dir.join("precompiled.rs")).unwrap();
        assert!(
            listing.contains(&format!("({digest:?}, include_bytes!(")),
            "{listing}"
        );
        let code = std::fs::read(dir.join("empty.cwasm")).unwrap();
        assert!(accept_precompiled(&runtime, "same", code.leak()).is_some());
        // Another configuration (no epoch interruption) or bytes that are no compiled
        // component are refused, and the caller compiles instead.
        let other = Engine::default()
            .precompile_component(EMPTY_COMPONENT)
            .unwrap();
        assert!(accept_precompiled(&runtime, "other", other.leak()).is_none());
        assert!(accept_precompiled(&runtime, "wasm", EMPTY_COMPONENT).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// This host's target triple, as a build script sees `TARGET`.
    fn target_lexicon_host() -> String {
        format!("{}-unknown-linux-gnu", std::env::consts::ARCH)
    }

    #[test]
    fn the_directory_is_private_and_the_key_is_0600() {
        let dir = fresh_dir("private").join("nested");
        let cache = Cache::open(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join(KEY_FILE)), 0o600);
        assert_eq!(std::fs::read(dir.join(KEY_FILE)).unwrap(), cache.key);
        let _ = std::fs::remove_dir_all(dir.parent().unwrap());
    }

    #[test]
    fn a_group_or_world_writable_directory_is_refused() {
        for bits in [0o777, 0o770, 0o702] {
            let dir = fresh_dir(&format!("open-{bits:o}"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(bits)).unwrap();
            let err = Cache::try_open(&dir).err().expect("refused");
            assert!(err.contains("writable by group or others"), "{err}");
            assert!(Cache::open(&dir).is_none());
            assert!(!dir.join(KEY_FILE).exists(), "nothing written into it");
            let _ = std::fs::remove_dir_all(&dir);
        }
        // Readable by others is fine for the directory (its files are 0600).
        let dir = fresh_dir("open-755");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(Cache::open(&dir).is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_readable_or_malformed_key_is_refused() {
        let dir = fresh_dir("key");
        Cache::open(&dir).unwrap();
        let key = dir.join(KEY_FILE);
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Cache::try_open(&dir).err().expect("refused");
        assert!(err.contains("cache.key") && err.contains("0644"), "{err}");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&key, b"short").unwrap();
        let err = Cache::try_open(&dir).err().expect("refused");
        assert!(err.contains("32-byte key"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_directory_owned_by_someone_else_is_refused() {
        // SAFETY: geteuid has no preconditions.
        let me = unsafe { libc::geteuid() };
        let dir = if me == 0 {
            // Root can hand a directory to someone else (`nobody`).
            let dir = fresh_dir("foreign");
            std::fs::create_dir_all(&dir).unwrap();
            std::os::unix::fs::chown(&dir, Some(65534), None).unwrap();
            dir
        } else {
            // `/` belongs to root.
            PathBuf::from("/")
        };
        let err = Cache::try_open(&dir).err().expect("refused");
        assert!(
            err.contains("is owned by uid") && err.contains(&format!("(uid {me})")),
            "{err}"
        );
        assert!(Cache::open(&dir).is_none());
        assert!(!dir.join(KEY_FILE).exists());
        if me == 0 {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

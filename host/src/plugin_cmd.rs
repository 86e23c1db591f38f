//! The `plugin` maintenance commands that deal with trust: `list`, `keygen`, `sign`, `verify`
//! and `trust` (`plugin add` is [`crate::app::pin_plugin`], `plugin new` is
//! [`crate::scaffold`]). Keys and signatures are minisign's format, so `minisign -V` checks what
//! `plugin sign` writes and `plugin verify` checks what `minisign -S` writes. No secret key
//! or password is ever printed.

use std::io::{Cursor, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use minisign::{KeyPair, PublicKey, SecretKey, SecretKeyBox};
use serde_json::{Value, json};

use crate::capability::CallLimits;
use crate::config::Config;
use crate::runtime::admission;
use crate::runtime::embedded;
use crate::runtime::lock::{LockFile, Trusted, read_signature};
use crate::runtime::signature::{self, SIGNATURE_SUFFIX, key_id, parse_public_key};

/// The variable `plugin sign` reads a password-protected secret key's password from.
pub const PASSWORD_VARIABLE: &str = "LOOKER_PLUGIN_SIGNING_PASSWORD";

const MIB: usize = 1024 * 1024;

/// `plugin list`: one JSON line per built-in group, then per third-party component.
pub async fn list(config: &Config) -> anyhow::Result<()> {
    let builtin = crate::app::builtin_limits(config);
    let mut out = std::io::stdout().lock();
    for (name, _, digest) in embedded::EMBEDDED {
        let line = json!({
            "group": name,
            "source": "embedded",
            "sha256": digest,
            "signer": "embedded",
            "policy": "builtin",
            "limits": limits(&builtin),
        });
        writeln!(out, "{line}")?;
    }
    let sources = admission::sources(&config.plugins, config.plugin_dir.as_deref())?;
    if sources.is_empty() {
        return Ok(());
    }
    let lock = LockFile::load(&config.plugin_lock_path())?;
    let cache_dir = config.cache_root();
    for source in &sources {
        let allow = config.allow_unpinned_plugins;
        let line = match admission::admit(&lock, source, allow, cache_dir.as_deref()).await {
            Ok(trusted) => admitted(&trusted, config),
            Err(why) => json!({
                "file": source.lock_key(),
                "source": source.describe(),
                "refused": why,
            }),
        };
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn admitted(trusted: &Trusted, config: &Config) -> Value {
    let signed = trusted.provenance.signed.as_ref();
    json!({
        "file": file_name(&trusted.path),
        "source": trusted.path.display().to_string(),
        "sha256": trusted.provenance.sha256,
        "signer": trusted.provenance.signer(),
        "key_id": signed.map(|s| &s.key_id),
        "trusted_comment": signed.map(|s| &s.trusted_comment),
        "policy": trusted.policy,
        "limits": limits(&CallLimits::from_policy(&trusted.policy, config.call_timeout)),
    })
}

fn limits(limits: &CallLimits) -> Value {
    json!({
        "memory_mb": limits.memory_bytes / MIB,
        "cpu_ms": limits.cpu.as_millis() as u64,
        "max_response_mb": limits.max_response_bytes / MIB as u64,
        "max_result_mb": limits.max_result_bytes / MIB,
    })
}

/// `plugin keygen --out PREFIX`: a new key pair, PREFIX.key (secret, not password-protected,
/// owner-only permissions) and PREFIX.pub. Neither file may exist yet.
pub fn keygen(prefix: &Path) -> anyhow::Result<()> {
    let (secret_path, public_path) = (suffixed(prefix, ".key"), suffixed(prefix, ".pub"));
    for path in [&secret_path, &public_path] {
        anyhow::ensure!(
            !path.exists(),
            "{} exists; keygen never overwrites a key (choose another --out)",
            path.display()
        );
    }
    let KeyPair { pk, sk } = KeyPair::generate_unencrypted_keypair()
        .map_err(|e| anyhow::anyhow!("generating a key pair: {e}"))?;
    let id = key_id(pk.keynum());
    let secret = sk
        .to_box(Some(
            format!("looker-mcp-server secret key {id} (not password-protected)").as_str(),
        ))
        .map_err(|e| anyhow::anyhow!("encoding the secret key: {e}"))?
        .into_string();
    let public = pk
        .to_box()
        .map_err(|e| anyhow::anyhow!("encoding the public key: {e}"))?
        .into_string();
    write_secret(&secret_path, secret.as_bytes())?;
    std::fs::write(&public_path, public)
        .with_context(|| format!("writing {}", public_path.display()))?;
    println!("{}", pk.to_base64());
    eprintln!(
        "wrote {} (secret: keep it out of version control) and {} (key ID {id}); trust it with \
         `looker-mcp-server plugin trust NAME {}`",
        secret_path.display(),
        public_path.display(),
        public_path.display()
    );
    Ok(())
}

/// `plugin sign FILE --key KEY [--comment TEXT]`: writes FILE.minisig.
pub fn sign(file: &Path, key: &Path, comment: Option<&str>) -> anyhow::Result<()> {
    let secret = read_secret_key(key)?;
    let public = PublicKey::from_secret_key(&secret)
        .map_err(|e| anyhow::anyhow!("{}: {e}", key.display()))?;
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let name = file_name(file);
    let comment = match comment {
        Some(text) => text.to_owned(),
        None => format!("timestamp:{}\tfile:{name}\thashed", unix_now()),
    };
    anyhow::ensure!(
        !comment.contains(['\n', '\r']),
        "--comment must be one line"
    );
    let signature = minisign::sign(
        Some(&public),
        &secret,
        Cursor::new(&bytes),
        Some(comment.as_str()),
        Some("signature from looker-mcp-server secret key"),
    )
    .map_err(|e| anyhow::anyhow!("signing {}: {e}", file.display()))?;
    let out = suffixed(file, SIGNATURE_SUFFIX);
    std::fs::write(&out, signature.into_string())
        .with_context(|| format!("writing {}", out.display()))?;
    println!(
        "{}: signed with key {}, sha256 {}, trusted comment: {comment}",
        out.display(),
        key_id(public.keynum()),
        crate::runtime::digest(&bytes)
    );
    Ok(())
}

/// Reads a secret key: unencrypted (`plugin keygen`, `minisign -G -W`), or password-protected
/// with the password in [`PASSWORD_VARIABLE`]. Never prompts.
fn read_secret_key(path: &Path) -> anyhow::Result<SecretKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the secret key {}", path.display()))?;
    let boxed = || SecretKeyBox::from_string(&text);
    let unencrypted = boxed().and_then(SecretKey::from_unencrypted_box);
    let problem = match unencrypted {
        Ok(key) => return Ok(key),
        Err(e) => e.to_string(),
    };
    if let Some(key) = unencrypted_without_checksum(&text) {
        return Ok(key);
    }
    match std::env::var(PASSWORD_VARIABLE) {
        Ok(password) => boxed()
            .and_then(|b| SecretKey::from_box(b, Some(password)))
            .map_err(|e| anyhow::anyhow!("{}: cannot decrypt the secret key: {e}", path.display())),
        Err(_) => anyhow::bail!(
            "{}: not a usable secret key ({problem}); a password-protected key (minisign -G) \
             needs its password in {PASSWORD_VARIABLE}",
            path.display()
        ),
    }
}

/// `minisign -G -W` (0.11) writes an unencrypted secret key whose checksum is all zeros, which
/// the `minisign` crate refuses as corrupted; such a key is read as it is.
fn unencrypted_without_checksum(text: &str) -> Option<SecretKey> {
    use base64::Engine as _;
    let line = text.lines().nth(1)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(line.trim())
        .ok()?;
    // sig_alg 2, kdf_alg 2, chk_alg 2, salt 32, opslimit 8, memlimit 8, keynum 8, key 64, chk 32.
    let unencrypted = bytes.len() == 158 && bytes[2..4] == [0, 0];
    let no_checksum = bytes.get(126..).is_some_and(|c| c.iter().all(|&b| b == 0));
    (unencrypted && no_checksum)
        .then(|| SecretKey::from_bytes(&bytes).ok())
        .flatten()
}

/// `plugin verify FILE [--key KEY]`: the line to print on success, the reason on failure.
pub fn verify(config: &Config, file: &Path, key: Option<&str>) -> Result<String, String> {
    let shown = file.display();
    let bytes = std::fs::read(file).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let digest = crate::runtime::digest(&bytes);
    let signature = read_signature(file).map_err(|e| format!("{shown}: {e}"))?;
    if let Some(key) = key {
        let key = read_public_key(key).map_err(|e| format!("{shown}: --key: {e}"))?;
        let Some(signature) = signature else {
            return Err(format!("{shown}: unsigned: no {shown}{SIGNATURE_SUFFIX}"));
        };
        let (id, comment) = signature::verify_with_key(&key, &bytes, &signature)
            .map_err(|e| format!("{shown}: {e}"))?;
        return Ok(format!(
            "{shown}: signature OK: key {id}, sha256 {digest}, trusted comment: {comment}"
        ));
    }
    let lock_path = config.plugin_lock_path();
    let lock = LockFile::load(&lock_path).map_err(|e| format!("{e:#}"))?;
    let admitted = lock
        .admit_bytes(&file_name(file), &bytes, signature.as_deref(), false, true)
        .map_err(|e| format!("{shown}: {e}"))?;
    let signed = admitted
        .provenance
        .signed
        .ok_or_else(|| format!("{shown}: not signed by a publisher in plugins.lock"))?;
    Ok(format!(
        "{shown}: signed by {} (key {}), sha256 {digest}, pinned in {}; trusted comment: {}",
        signed.publisher,
        signed.key_id,
        lock_path.display(),
        signed.trusted_comment
    ))
}

/// `plugin trust NAME KEY`: adds (or replaces) a publisher in the lock file.
pub fn trust(config: &Config, name: &str, key: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
        "publisher name {name:?}: use letters, digits, '-', '_' and '.'"
    );
    let key = read_public_key(key).map_err(anyhow::Error::msg)?;
    let line = key.to_base64();
    let lock_path = config.plugin_lock_path();
    let mut lock = LockFile::load(&lock_path)?;
    let replaced = lock.publishers.insert(name.to_owned(), line.clone());
    lock.save(&lock_path)?;
    println!("{}", json!({ name: line }));
    eprintln!(
        "{} publisher {name:?} (key {}) in {}",
        if replaced.is_some() {
            "replaced"
        } else {
            "trusted"
        },
        key_id(key.keynum()),
        lock_path.display()
    );
    Ok(())
}

/// A public key given as a `.pub` file or as its `RW…` line.
fn read_public_key(arg: &str) -> Result<PublicKey, String> {
    let path = Path::new(arg);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        parse_public_key(&text).map_err(|e| format!("{}: {e}", path.display()))
    } else {
        parse_public_key(arg)
    }
}

/// Writes a secret file readable by its owner only; never replaces one.
fn write_secret(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

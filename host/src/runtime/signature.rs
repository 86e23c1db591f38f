//! Publisher signatures of third-party components, in minisign's format (Ed25519): a component
//! `x.wasm` is signed by `x.wasm.minisig` beside it, and `plugins.lock` names the publishers
//! whose keys the operator trusts. [`check`] decides, from a component's bytes and its
//! signature text, whether the lock's rules are met and who signed it; it reads no file, so a
//! component fetched from elsewhere (bytes and signature text) is checked the same way.
//!
//! Key material never reaches a log line or an error: errors name keys by their key id (the
//! 16 hex digits minisign prints), never by the key.

use std::collections::BTreeMap;
use std::io::Cursor;

use base64::Engine as _;
use minisign::{PublicKey, SignatureBox};

/// The suffix of a signature file (minisign's convention: `x.wasm` → `x.wasm.minisig`).
pub const SIGNATURE_SUFFIX: &str = ".minisig";

/// A signature file larger than this is refused unread (a real one is about 300 bytes).
pub const MAX_SIGNATURE_BYTES: u64 = 16 * 1024;

/// What the lock file asks of one component's signature.
#[derive(Clone, Copy, Debug)]
pub struct TrustRules<'a> {
    /// Trusted publishers: name → minisign public key (the `RW…` base64 line).
    pub publishers: &'a BTreeMap<String, String>,
    /// Every component must carry a valid signature by one of the publishers.
    pub require_signature: bool,
    /// This component must be signed by this publisher (its lock entry's `signer`).
    pub signer: Option<&'a str>,
}

/// A valid signature by a trusted publisher: the provenance of a component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// The publisher's name in `plugins.lock`.
    pub publisher: String,
    /// The signing key's id, as minisign prints it (16 upper-case hex digits).
    pub key_id: String,
    /// The signature's trusted comment (signed with it, e.g. `timestamp:…\tfile:x.wasm`).
    pub trusted_comment: String,
}

/// Why a component's signature does not meet the lock's rules. The text names the signature
/// file and the reason; the caller adds the component's path.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    /// No signature, but one is required.
    #[error(
        "unsigned: {why}, and there is no {component}.minisig beside it; sign it with `looker-mcp-server plugin sign` (or `minisign -S`)"
    )]
    Unsigned {
        /// The component's file name.
        component: String,
        /// Which rule requires a signature.
        why: String,
    },
    /// The signature file is not a minisign signature.
    #[error("malformed signature file {component}.minisig: {why}")]
    Malformed {
        /// The component's file name.
        component: String,
        /// What is wrong with it.
        why: String,
    },
    /// Signed by a key that is not among the publishers.
    #[error(
        "signed by an untrusted key {key_id} ({component}.minisig): no publisher in plugins.lock has this key; add the publisher with `looker-mcp-server plugin trust NAME PUBLIC_KEY` if you trust it"
    )]
    UntrustedKey {
        /// The component's file name.
        component: String,
        /// The signing key's id.
        key_id: String,
    },
    /// Signed by a trusted publisher, but not the one the lock entry names.
    #[error(
        "signed by publisher {actual:?} (key {key_id}), but plugins.lock says its signer is {expected:?}"
    )]
    WrongSigner {
        /// The signing key's id.
        key_id: String,
        /// The publisher whose key signed it.
        actual: String,
        /// The publisher the lock entry names.
        expected: String,
    },
    /// The lock entry names a signer that is not among the publishers.
    #[error(
        "plugins.lock names signer {signer:?} for it, but {signer:?} is not among its publishers"
    )]
    UnknownSigner {
        /// The signer the entry names.
        signer: String,
    },
    /// A publisher's key in the lock file cannot be read.
    #[error("publisher {publisher:?} in plugins.lock: {why}")]
    BadPublisherKey {
        /// The publisher's name.
        publisher: String,
        /// What is wrong with the key.
        why: String,
    },
    /// The signature does not match the bytes: changed after signing, or signed for other bytes.
    #[error(
        "signature {component}.minisig by {publisher:?} (key {key_id}) does not verify: the component was changed after it was signed, or the signature belongs to another file ({why})"
    )]
    DoesNotVerify {
        /// The component's file name.
        component: String,
        /// The publisher whose key it claims.
        publisher: String,
        /// The signing key's id.
        key_id: String,
        /// minisign's own reason.
        why: String,
    },
}

/// Checks `component`'s `bytes` against its signature text (the content of
/// `<component>.minisig`, if any) under `rules`. Returns who signed it when a trusted publisher
/// did, `None` when it is unsigned (or signed by a key the lock does not know) and no rule
/// requires a signature. A signature that is present but malformed, or that a trusted key made
/// but that does not match the bytes, is always refused.
pub fn check(
    component: &str,
    bytes: &[u8],
    signature: Option<&str>,
    rules: &TrustRules<'_>,
) -> Result<Option<Signed>, SignatureError> {
    if let Some(signer) = rules.signer
        && !rules.publishers.contains_key(signer)
    {
        return Err(SignatureError::UnknownSigner {
            signer: signer.to_owned(),
        });
    }
    let Some(text) = signature else {
        let why = match rules.signer {
            Some(signer) => format!("plugins.lock says publisher {signer:?} signs it"),
            None if rules.require_signature => "plugins.lock requires signatures".to_owned(),
            None => return Ok(None),
        };
        return Err(SignatureError::Unsigned {
            component: component.to_owned(),
            why,
        });
    };
    let signature = parse_signature(text).map_err(|why| SignatureError::Malformed {
        component: component.to_owned(),
        why,
    })?;
    let key_id = key_id(signature.keynum());
    let mut found = None;
    for (name, key) in rules.publishers {
        let key = parse_public_key(key).map_err(|why| SignatureError::BadPublisherKey {
            publisher: name.clone(),
            why,
        })?;
        if key.keynum() == signature.keynum() {
            found = Some((name, key));
            break;
        }
    }
    let Some((publisher, key)) = found else {
        if rules.require_signature || rules.signer.is_some() {
            return Err(SignatureError::UntrustedKey {
                component: component.to_owned(),
                key_id,
            });
        }
        tracing::warn!(plugin = component, %key_id, "signed by a key no publisher in plugins.lock has; treated as unsigned");
        return Ok(None);
    };
    verify_with(&key, &signature, bytes).map_err(|why| SignatureError::DoesNotVerify {
        component: component.to_owned(),
        publisher: publisher.clone(),
        key_id: key_id.clone(),
        why,
    })?;
    if let Some(expected) = rules.signer
        && expected != publisher
    {
        return Err(SignatureError::WrongSigner {
            key_id,
            actual: publisher.clone(),
            expected: expected.to_owned(),
        });
    }
    Ok(Some(Signed {
        publisher: publisher.clone(),
        key_id,
        trusted_comment: trusted_comment(&signature),
    }))
}

/// Verifies `bytes` against `signature` with one `key` (`plugin verify --key`): the signature's
/// key id and trusted comment when it verifies, minisign's reason otherwise.
pub fn verify_with_key(
    key: &PublicKey,
    bytes: &[u8],
    signature: &str,
) -> Result<(String, String), String> {
    let signature = parse_signature(signature)?;
    let id = key_id(signature.keynum());
    if signature.keynum() != key.keynum() {
        return Err(format!(
            "signed by key {id}, not by the given key {}",
            key_id(key.keynum())
        ));
    }
    verify_with(key, &signature, bytes)?;
    Ok((id, trusted_comment(&signature)))
}

/// Reads a minisign public key: the `RW…` base64 line, or a whole `.pub` file (its comment
/// line, then the key line).
pub fn parse_public_key(text: &str) -> Result<PublicKey, String> {
    let line = text
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
        .ok_or("not a minisign public key: it is empty")?;
    PublicKey::from_base64(line).map_err(|e| format!("not a minisign public key: {e}"))
}

/// The key id minisign prints for a key number (8 little-endian bytes as 16 hex digits).
pub fn key_id(keynum: &[u8]) -> String {
    keynum.iter().rev().map(|b| format!("{b:02X}")).collect()
}

/// Parses a signature file, checking the lengths the `minisign` crate assumes (a short global
/// signature would make it index out of bounds).
fn parse_signature(text: &str) -> Result<SignatureBox, String> {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() < 4 {
        return Err(format!(
            "expected 4 lines (untrusted comment, signature, trusted comment, global \
             signature), found {}",
            lines.len()
        ));
    }
    let decoded = |line: &str, what: &str, len: usize| -> Result<(), String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(line.trim())
            .map_err(|e| format!("the {what} is not base64: {e}"))?;
        if bytes.len() == len {
            Ok(())
        } else {
            Err(format!(
                "the {what} is {} bytes, expected {len}",
                bytes.len()
            ))
        }
    };
    decoded(lines[1], "signature line", 74)?;
    decoded(lines[3], "global signature line", 64)?;
    let signature = SignatureBox::from_string(text).map_err(|e| e.to_string())?;
    if !signature.is_prehashed() {
        return Err(
            "a legacy (not pre-hashed) signature; re-sign it with minisign 0.8 or later, or \
             `looker-mcp-server plugin sign`"
                .to_owned(),
        );
    }
    Ok(signature)
}

fn verify_with(key: &PublicKey, signature: &SignatureBox, bytes: &[u8]) -> Result<(), String> {
    minisign::verify(key, signature, Cursor::new(bytes), true, false, false)
        .map_err(|e| e.to_string())
}

fn trusted_comment(signature: &SignatureBox) -> String {
    signature.trusted_comment().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use minisign::KeyPair;

    struct Key {
        pair: KeyPair,
        public: String,
    }

    fn key() -> Key {
        let pair = KeyPair::generate_unencrypted_keypair().unwrap();
        let public = pair.pk.to_base64();
        Key { pair, public }
    }

    fn sign(key: &Key, bytes: &[u8]) -> String {
        minisign::sign(
            Some(&key.pair.pk),
            &key.pair.sk,
            Cursor::new(bytes),
            Some("file:x.wasm"),
            None,
        )
        .unwrap()
        .into_string()
    }

    fn publishers(keys: &[(&str, &Key)]) -> BTreeMap<String, String> {
        keys.iter()
            .map(|(name, key)| (name.to_string(), key.public.clone()))
            .collect()
    }

    fn rules<'a>(
        publishers: &'a BTreeMap<String, String>,
        require: bool,
        signer: Option<&'a str>,
    ) -> TrustRules<'a> {
        TrustRules {
            publishers,
            require_signature: require,
            signer,
        }
    }

    #[test]
    fn a_trusted_signature_names_its_publisher_and_comment() {
        let acme = key();
        let keys = publishers(&[("acme", &acme)]);
        let signature = sign(&acme, b"component");
        for (require, signer) in [(false, None), (true, None), (false, Some("acme"))] {
            let signed = check(
                "x.wasm",
                b"component",
                Some(&signature),
                &rules(&keys, require, signer),
            )
            .unwrap()
            .unwrap();
            assert_eq!(signed.publisher, "acme");
            assert_eq!(signed.key_id, key_id(acme.pair.pk.keynum()));
            assert_eq!(signed.trusted_comment, "file:x.wasm");
        }
    }

    #[test]
    fn unsigned_is_refused_only_when_a_rule_asks_for_a_signature() {
        let acme = key();
        let keys = publishers(&[("acme", &acme)]);
        assert_eq!(
            check("x.wasm", b"c", None, &rules(&keys, false, None)),
            Ok(None)
        );
        let err = check("x.wasm", b"c", None, &rules(&keys, true, None)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("unsigned: plugins.lock requires signatures")
                && err.to_string().contains("x.wasm.minisig"),
            "{err}"
        );
        let err = check("x.wasm", b"c", None, &rules(&keys, false, Some("acme")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("publisher \"acme\" signs it"), "{err}");
    }

    #[test]
    fn a_changed_component_does_not_verify() {
        let acme = key();
        let keys = publishers(&[("acme", &acme)]);
        let signature = sign(&acme, b"component");
        let err = check(
            "x.wasm",
            b"compOnent",
            Some(&signature),
            &rules(&keys, false, None),
        )
        .unwrap_err();
        assert!(matches!(err, SignatureError::DoesNotVerify { .. }), "{err}");
        assert!(
            err.to_string().contains("changed after it was signed"),
            "{err}"
        );
    }

    #[test]
    fn an_untrusted_key_is_named_by_its_id() {
        let (acme, stranger) = (key(), key());
        let keys = publishers(&[("acme", &acme)]);
        let signature = sign(&stranger, b"c");
        let err = check("x.wasm", b"c", Some(&signature), &rules(&keys, true, None))
            .unwrap_err()
            .to_string();
        let id = key_id(stranger.pair.pk.keynum());
        assert_eq!(id.len(), 16);
        assert!(err.contains("untrusted key") && err.contains(&id), "{err}");
        assert!(!err.contains(&stranger.public), "no key material: {err}");
        // Not required: loads as unsigned.
        assert_eq!(
            check("x.wasm", b"c", Some(&signature), &rules(&keys, false, None)),
            Ok(None)
        );
    }

    #[test]
    fn the_named_signer_must_be_the_one_who_signed() {
        let (acme, other) = (key(), key());
        let keys = publishers(&[("acme", &acme), ("other", &other)]);
        let signature = sign(&other, b"c");
        let err = check(
            "x.wasm",
            b"c",
            Some(&signature),
            &rules(&keys, false, Some("acme")),
        )
        .unwrap_err();
        assert!(matches!(err, SignatureError::WrongSigner { .. }), "{err}");
        let err = check(
            "x.wasm",
            b"c",
            Some(&signature),
            &rules(&keys, false, Some("nobody")),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("\"nobody\" is not among its publishers"),
            "{err}"
        );
    }

    #[test]
    fn malformed_signatures_are_errors_not_panics() {
        let acme = key();
        let keys = publishers(&[("acme", &acme)]);
        let good = sign(&acme, b"c");
        let lines: Vec<&str> = good.lines().collect();
        let short_global = format!("{}\n{}\n{}\nAAAA\n", lines[0], lines[1], lines[2]);
        let short_sig = format!("{}\nAAAA\n{}\n{}\n", lines[0], lines[2], lines[3]);
        let no_prefix = good.replacen("untrusted comment: ", "", 1);
        for text in [
            "",
            "\n\n\n\n",
            "garbage",
            &short_global,
            &short_sig,
            &no_prefix,
            "a\nb\nc\nd",
        ] {
            let err = check("x.wasm", b"c", Some(text), &rules(&keys, false, None)).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("malformed signature file x.wasm.minisig"),
                "{text:?}: {err}"
            );
        }
    }

    #[test]
    fn a_bad_publisher_key_is_named() {
        let acme = key();
        let mut keys = publishers(&[("acme", &acme)]);
        // Before "acme" in the publishers' order, so it is read first.
        keys.insert("aaa_broken".into(), "RWnotakey".into());
        let err = check(
            "x.wasm",
            b"c",
            Some(&sign(&acme, b"c")),
            &rules(&keys, false, None),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("publisher \"aaa_broken\""), "{err}");
    }

    #[test]
    fn public_keys_read_as_a_line_or_a_file() {
        let acme = key();
        let file = acme.pair.pk.to_box().unwrap().into_string();
        assert!(file.starts_with("untrusted comment:"));
        for text in [acme.public.as_str(), file.as_str()] {
            assert_eq!(
                parse_public_key(text).unwrap().keynum(),
                acme.pair.pk.keynum()
            );
        }
        assert!(parse_public_key("").is_err());
        assert!(parse_public_key("RWxyz").is_err());
    }

    #[test]
    fn verify_with_key_checks_the_key_id_first() {
        let (acme, other) = (key(), key());
        let signature = sign(&acme, b"c");
        let (id, comment) = verify_with_key(&acme.pair.pk, b"c", &signature).unwrap();
        assert_eq!(id, key_id(acme.pair.pk.keynum()));
        assert_eq!(comment, "file:x.wasm");
        let err = verify_with_key(&other.pair.pk, b"c", &signature).unwrap_err();
        assert!(err.contains("not by the given key"), "{err}");
        assert!(verify_with_key(&acme.pair.pk, b"d", &signature).is_err());
    }
}

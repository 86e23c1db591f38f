//! Pulling components published to a real OCI registry (`docker-registry`, pushed with oras-py
//! in wkg's layout): by digest and from the cache with the registry gone, by tag with a pinned
//! digest that the tag no longer names, tampered blobs and manifests, signatures published
//! beside the component, a bearer-token registry, and the size bound.

use looker_mcp::runtime::oci::{Client, Credentials, Limits, PullError, Pulled, Reference};

use crate::oci_registry::{Registry, TokenProxy, layer_of};
use crate::support::{sha256, test_component};

/// A real test component's bytes.
fn component(name: &str) -> Vec<u8> {
    std::fs::read(test_component(name)).unwrap()
}

fn client() -> Client {
    Client::new(None, Limits::default()).unwrap()
}

/// A private cache directory for one test, removed on drop.
struct CacheDir(std::path::PathBuf);

impl CacheDir {
    fn new() -> Self {
        Self(std::env::temp_dir().join(format!("oci-cache-{}", uuid::Uuid::new_v4())))
    }
}

impl Drop for CacheDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn pull(
    reference: &Reference,
    pinned: Option<&str>,
    cache: Option<&CacheDir>,
) -> Result<Pulled, PullError> {
    client()
        .pull(reference, pinned, cache.map(|c| c.0.as_path()))
        .await
}

#[tokio::test]
async fn pull_by_digest_then_from_the_cache_with_the_registry_stopped() {
    let mut registry = Registry::start().await;
    let bytes = component("hostile");
    let manifest_digest = registry.push_component("groups/hostile:1.0", &bytes).await;
    let reference = registry.reference(&format!("groups/hostile@{manifest_digest}"));
    let cache = CacheDir::new();

    let pulled = pull(&reference, None, Some(&cache)).await.unwrap();
    assert_eq!(pulled.bytes, bytes);
    assert_eq!(pulled.manifest_digest, manifest_digest);
    assert_eq!(
        pulled.component_digest,
        sha256(std::path::Path::new(test_component("hostile")))
    );
    assert_eq!(pulled.reference, reference);
    assert_eq!(pulled.signature, None);
    assert!(!pulled.from_cache);
    let wasm = cache
        .0
        .join(format!("oci/sha256-{}.wasm", pulled.component_digest));
    assert_eq!(std::fs::read(&wasm).unwrap(), bytes);

    registry.stop().await;
    let again = pull(&reference, None, Some(&cache)).await.unwrap();
    assert!(again.from_cache, "{again:?}");
    assert_eq!(again.bytes, bytes);
    assert_eq!(again.component_digest, pulled.component_digest);

    // A tag always asks the registry, which is gone.
    let by_tag = registry.reference("groups/hostile:1.0");
    let error = pull(&by_tag, None, Some(&cache)).await.unwrap_err();
    assert!(matches!(error, PullError::Transport { .. }), "{error}");

    // A cached component whose bytes were changed on disk is not used.
    std::fs::write(&wasm, b"\0asm tampered").unwrap();
    let error = pull(&reference, None, Some(&cache)).await.unwrap_err();
    assert!(matches!(error, PullError::Transport { .. }), "{error}");
}

#[tokio::test]
async fn a_tag_resolves_to_its_digest_and_a_moved_tag_is_refused_against_the_pin() {
    let registry = Registry::start().await;
    let first = component("hostile");
    let first_digest = registry.push_component("acme/tools:stable", &first).await;
    let reference = registry.reference("acme/tools:stable");

    let pulled = pull(&reference, None, None).await.unwrap();
    assert_eq!(pulled.manifest_digest, first_digest);
    assert_eq!(pulled.reference.digest(), Some(first_digest.as_str()));
    assert_eq!(pulled.reference.tag(), Some("stable"));
    assert_eq!(pulled.bytes, first);
    // Pinned to what it serves (also as bare hex): fine.
    pull(&reference, Some(&first_digest), None).await.unwrap();
    pull(
        &reference,
        Some(first_digest.trim_start_matches("sha256:")),
        None,
    )
    .await
    .unwrap();

    let second = component("collide");
    let second_digest = registry.push_component("acme/tools:stable", &second).await;
    assert_ne!(first_digest, second_digest);
    let error = pull(&reference, Some(&first_digest), None)
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, PullError::DigestChanged { .. }), "{text}");
    for needle in [
        reference.to_string(),
        first_digest.clone(),
        second_digest.clone(),
    ] {
        assert!(text.contains(&needle), "{needle} missing from: {text}");
    }

    // Unpinned, the tag now gives the new component; by digest, the old one is still there.
    let moved = pull(&reference, None, None).await.unwrap();
    assert_eq!(moved.manifest_digest, second_digest);
    assert_eq!(moved.bytes, second);
    let old = registry.reference(&format!("acme/tools@{first_digest}"));
    assert_eq!(pull(&old, None, None).await.unwrap().bytes, first);
    // A digest reference with a different pin is refused too.
    let error = pull(&old, Some(&second_digest), None).await.unwrap_err();
    assert!(matches!(error, PullError::DigestChanged { .. }), "{error}");
}

/// A registry holding one component under `groups/tampered:1`; the manifest and layer digests.
async fn published(registry: &Registry) -> (Vec<u8>, String, String) {
    let bytes = component("hostile");
    let manifest_digest = registry.push_component("groups/tampered:1", &bytes).await;
    let layer = layer_of(registry, "groups/tampered", &manifest_digest).await;
    (bytes, manifest_digest, layer)
}

#[tokio::test]
async fn a_component_blob_that_does_not_match_its_digest_is_refused_and_not_cached() {
    let registry = Registry::start().await;
    let (_, manifest_digest, layer) = published(&registry).await;
    let by_digest = registry.reference(&format!("groups/tampered@{manifest_digest}"));
    let cache = CacheDir::new();

    // Same length, one byte changed, in the registry's own storage.
    let blob = registry.blob_file(&layer);
    let mut tampered = std::fs::read(&blob).unwrap();
    let last = tampered.len() - 1;
    tampered[last] ^= 0xff;
    std::fs::write(&blob, &tampered).unwrap();

    let error = pull(&by_digest, None, Some(&cache)).await.unwrap_err();
    let text = error.to_string();
    assert!(
        matches!(
            error,
            PullError::DigestMismatch {
                what: "component",
                ..
            }
        ),
        "{text}"
    );
    assert!(text.contains(&layer), "{text}");
    let cached = std::fs::read_dir(cache.0.join("oci"))
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().is_file())
                .count()
        })
        .unwrap_or(0);
    assert_eq!(cached, 0, "nothing is cached");
}

#[tokio::test]
async fn a_component_blob_longer_than_its_descriptor_is_refused() {
    let registry = Registry::start().await;
    let (mut bytes, manifest_digest, layer) = published(&registry).await;
    bytes.push(0);
    std::fs::write(registry.blob_file(&layer), &bytes).unwrap();
    let by_digest = registry.reference(&format!("groups/tampered@{manifest_digest}"));
    let error = pull(&by_digest, None, None).await.unwrap_err();
    assert!(
        matches!(
            error,
            PullError::DigestMismatch {
                what: "component",
                ..
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn a_manifest_that_does_not_match_its_digest_is_refused() {
    let registry = Registry::start().await;
    let (_, manifest_digest, _) = published(&registry).await;
    // Still valid JSON, one character changed.
    let manifest_file = registry.blob_file(&manifest_digest);
    let text = std::fs::read_to_string(&manifest_file).unwrap();
    std::fs::write(&manifest_file, text.replacen("\"layers\"", "\"Layers\"", 1)).unwrap();

    let by_digest = registry.reference(&format!("groups/tampered@{manifest_digest}"));
    let error = pull(&by_digest, None, None).await.unwrap_err();
    assert!(matches!(error, PullError::DigestMismatch { .. }), "{error}");
    assert!(error.to_string().contains(&manifest_digest), "{error}");

    // By tag, the bytes disagree with the registry's own Docker-Content-Digest.
    let by_tag = registry.reference("groups/tampered:1");
    let error = pull(&by_tag, None, None).await.unwrap_err();
    assert!(matches!(error, PullError::DigestMismatch { .. }), "{error}");
}

#[tokio::test]
async fn a_published_signature_comes_with_the_component() {
    let registry = Registry::start().await;
    let bytes = component("hostile");
    let digest = registry.push_component("signed/hostile:1", &bytes).await;
    let reference = registry.reference("signed/hostile:1");
    let cache = CacheDir::new();

    let unsigned = pull(&reference, None, None).await.unwrap();
    assert_eq!(unsigned.signature, None);

    // The shape of a .minisig (verifying it is the signature module's job, not the pull's).
    let minisig = "untrusted comment: signature from minisign secret key\n\
                   RUQf6LRCGA9i559r3g7V1qNyJDApGip8MfqcadIgT9CuhV3EMhHoN1mGTkUidF/z7SrlQgXdy8ofjb7bNJJylDOocrCo8KLzZwo=\n\
                   trusted comment: timestamp:1700000000\tfile:hostile.wasm\n\
                   7oGMm2QHVzsTUXeE94Ka4bd82K3D6yb4hxKf4Gl7yBr4FyY0lbJRxKEVgv2hPDvSe0axQfKBMkMyPNNIJSrdAQ==\n";
    registry
        .push_signature("signed/hostile", &digest, minisig)
        .await;
    let signed = pull(&reference, None, Some(&cache)).await.unwrap();
    assert_eq!(signed.signature.as_deref(), Some(minisig));
    assert_eq!(signed.bytes, bytes);

    // Kept beside the cached component, and served with it.
    let by_digest = registry.reference(&format!("signed/hostile@{digest}"));
    let cached = pull(&by_digest, None, Some(&cache)).await.unwrap();
    assert!(cached.from_cache);
    assert_eq!(cached.signature.as_deref(), Some(minisig));
}

#[tokio::test]
async fn a_signature_tag_holding_something_else_is_an_error_not_unsigned() {
    let registry = Registry::start().await;
    let digest = registry
        .push_component("signed/hostile:1", &component("hostile"))
        .await;
    let reference = registry.reference("signed/hostile:1");
    registry
        .push(
            &format!(
                "signed/hostile:{}",
                looker_mcp::runtime::oci::signature_tag(&digest)
            ),
            b"not a signature",
            "text/plain",
            None,
        )
        .await;
    let error = pull(&reference, None, None).await.unwrap_err();
    assert!(
        matches!(error, PullError::InvalidSignature { .. }),
        "{error}"
    );
}

#[tokio::test]
async fn a_registry_that_wants_a_bearer_token_gets_one_for_the_credentials() {
    let registry = Registry::start().await;
    let bytes = component("hostile");
    let digest = registry.push_component("private/hostile:1", &bytes).await;
    let proxy = TokenProxy::start(&registry, "robot", "s3cret-pass").await;
    let reference = proxy.reference("private/hostile:1");

    let with = Client::new(
        Some(Credentials::new("robot", "s3cret-pass")),
        Limits::default(),
    )
    .unwrap();
    let pulled = with.pull(&reference, None, None).await.unwrap();
    assert_eq!(pulled.manifest_digest, digest);
    assert_eq!(pulled.bytes, bytes);
    assert!(
        proxy
            .token_requests
            .load(std::sync::atomic::Ordering::SeqCst)
            >= 1
    );

    for credentials in [None, Some(Credentials::new("robot", "wrong-pass"))] {
        let error = Client::new(credentials, Limits::default())
            .unwrap()
            .pull(&reference, None, None)
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(matches!(error, PullError::Unauthorized { .. }), "{text}");
        assert!(!text.contains("pass"), "credentials leaked into: {text}");
    }
}

#[tokio::test]
async fn sizes_and_missing_artifacts_are_refused_with_what_was_asked() {
    let registry = Registry::start().await;
    let bytes = component("hostile");
    registry.push_component("groups/big:1", &bytes).await;

    let small = Limits {
        max_component_bytes: bytes.len() as u64 - 1,
        ..Limits::default()
    };
    let error = Client::new(None, small)
        .unwrap()
        .pull(&registry.reference("groups/big:1"), None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, PullError::ComponentTooLarge { .. }),
        "{error}"
    );

    let tiny_manifests = Limits {
        max_manifest_bytes: 64,
        ..Limits::default()
    };
    let error = Client::new(None, tiny_manifests)
        .unwrap()
        .pull(&registry.reference("groups/big:1"), None, None)
        .await
        .unwrap_err();
    assert!(matches!(error, PullError::TooLarge { .. }), "{error}");

    let missing = registry.reference("groups/none:1");
    let error = pull(&missing, None, None).await.unwrap_err();
    assert!(matches!(error, PullError::NotFound { .. }), "{error}");
    assert!(error.to_string().contains("groups/none:1"), "{error}");

    // Not a component: a plain oras artifact.
    registry
        .push("groups/text:1", b"hello", "text/plain", None)
        .await;
    let error = pull(&registry.reference("groups/text:1"), None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, PullError::InvalidManifest { .. }),
        "{error}"
    );
}

/// `--plugin oci://…` end to end: `plugin add` pulls and pins the component (its sha256 and the
/// manifest digest its tag names), the server pulls it at start and serves its tools through an
/// MCP client, and once the tag is re-pushed with other bytes the next start refuses it, naming
/// both digests, and serves the rest.
#[tokio::test]
async fn a_component_pinned_by_tag_is_served_and_refused_once_the_tag_moves() {
    use serde_json::json;

    use crate::support::{Harness, call, text};

    let registry = Registry::start().await;
    let hello = component("hello_looker");
    let manifest = registry.push_component("looker/hello:v1", &hello).await;
    let reference = format!("oci://{}/looker/hello:v1", registry.host());
    let dir = std::env::temp_dir().join(format!("oci-plugin-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let lock = dir.join("plugins.lock").display().to_string();
    let h = Harness::new().await;

    crate::support::plugin_add(&h, &reference, &lock).await;
    let pinned: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&lock).unwrap()).unwrap();
    let entry = &pinned["plugins"][format!("oci://{}/looker/hello", registry.host())];
    assert_eq!(
        entry["sha256"],
        sha256(std::path::Path::new(test_component("hello_looker")))
    );
    assert_eq!(entry["manifest"], manifest.as_str(), "{pinned}");

    let args = [
        "--plugin",
        reference.as_str(),
        "--plugin-lock",
        lock.as_str(),
    ];
    let (client, _) = h.stdio_client_with_logs(&args).await;
    let overview = call(&client, "model_overview", json!({})).await;
    assert_ne!(overview.is_error, Some(true), "{}", text(&overview));
    assert!(
        h.api_requests().iter().any(|r| r.path == "/lookml_models"),
        "the pulled component's request reached Looker"
    );
    client.cancel().await.unwrap();

    // The tag moves to other bytes: refused by the pinned manifest digest, the rest serves.
    let moved = registry
        .push_component("looker/hello:v1", &component("hostile"))
        .await;
    assert_ne!(moved, manifest);
    let (client, logs) = h.stdio_client_with_logs(&args).await;
    let names = crate::support::tool_names(&client).await;
    assert!(
        !names
            .iter()
            .any(|n| n == "model_overview" || n == "allowed"),
        "{names:?}"
    );
    let me = call(&client, "whoami", json!({})).await;
    assert_ne!(me.is_error, Some(true));
    client.cancel().await.unwrap();
    let logs = logs.text();
    assert!(
        logs.contains("refused a plugin") && logs.contains(&manifest) && logs.contains(&moved),
        "{logs}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

//! Image manifests (OCI, and Docker's v2 schema 2, which has the same shape) and the two kinds
//! this host reads: a Wasm component and a minisign signature.
//!
//! A component follows the layout that `wkg` (bytecodealliance/wasm-pkg-tools) publishes: its
//! OCI backend pushes through `oci_wasm::WasmClient` (wasm-pkg-tools
//! `crates/wasm-pkg-client/src/oci/publisher.rs`, `WasmConfig::from_raw_component`), whose
//! constants are in bytecodealliance/rust-oci-wasm `src/lib.rs`:
//!
//! - manifest `application/vnd.oci.image.manifest.v1+json`;
//! - config `application/vnd.wasm.config.v0+json` (the CNCF TAG Runtime "Wasm OCI Artifact"
//!   layout);
//! - exactly one layer, `application/wasm`, the component's bytes.
//!
//! Like `WasmClient::pull` there, a manifest with another config type or more than one layer is
//! refused rather than guessed at.
//!
//! A signature is an artifact of its own (see [`super`]): a manifest with exactly one layer of
//! type `application/vnd.minisign.signature`, the `.minisig` text; its config is not read
//! (`oras push` writes an empty one).

use serde::Deserialize;

use super::reference::valid_digest;

/// The OCI image manifest media type.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Docker's image manifest (v2, schema 2), read like an OCI one.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// The config media type of a Wasm component artifact (wasm-pkg-tools / oci-wasm).
pub const WASM_CONFIG: &str = "application/vnd.wasm.config.v0+json";
/// The media type of the layer holding a component's bytes.
pub const WASM_LAYER: &str = "application/wasm";
/// The media type of the layer holding a minisign signature (`.minisig` text).
pub const SIGNATURE_LAYER: &str = "application/vnd.minisign.signature";

/// What a manifest GET accepts.
pub(super) const ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, \
                                 application/vnd.docker.distribution.manifest.v2+json";

const INDEX_TYPES: [&str; 2] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

/// Why a manifest cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ManifestError {
    /// Not JSON of a manifest's shape.
    #[error("it is not an image manifest: {0}")]
    Malformed(String),
    /// An index (multi-platform list) rather than a manifest.
    #[error("it is a multi-platform index ({0}), not a component manifest")]
    Index(String),
    /// Another manifest media type.
    #[error("unsupported manifest media type {0:?} (expected {OCI_MANIFEST} or {DOCKER_MANIFEST})")]
    MediaType(String),
    /// Not schema version 2.
    #[error("unsupported schemaVersion {0} (expected 2)")]
    SchemaVersion(u32),
    /// The config is not a Wasm config.
    #[error("its config is {0:?}, not a Wasm component ({WASM_CONFIG})")]
    NotWasm(String),
    /// Not exactly one `application/wasm` layer.
    #[error(
        "a Wasm component has exactly one {WASM_LAYER} layer; this manifest has {0} layer(s) of \
         types {1:?}"
    )]
    Layers(usize, Vec<String>),
    /// Not exactly one signature layer.
    #[error("a signature artifact has exactly one {SIGNATURE_LAYER} layer; found {0}")]
    SignatureLayers(usize),
    /// A descriptor digest that is not sha256.
    #[error("descriptor digest {0:?} is not sha256:<64 lowercase hex>")]
    Digest(String),
}

/// The fields of a manifest this host reads.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Manifest {
    schema_version: u32,
    media_type: Option<String>,
    config: Descriptor,
    layers: Vec<Descriptor>,
}

/// A content descriptor: what a blob is, its digest and size.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Descriptor {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
}

impl Manifest {
    /// Parses and checks an image manifest (an index is named as such).
    pub fn parse(bytes: &[u8]) -> Result<Self, ManifestError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Kind {
            media_type: Option<String>,
        }
        let kind: Kind =
            serde_json::from_slice(bytes).map_err(|e| ManifestError::Malformed(e.to_string()))?;
        if let Some(index) = kind
            .media_type
            .filter(|t| INDEX_TYPES.contains(&t.as_str()))
        {
            return Err(ManifestError::Index(index));
        }
        let manifest: Self =
            serde_json::from_slice(bytes).map_err(|e| ManifestError::Malformed(e.to_string()))?;
        if manifest.schema_version != 2 {
            return Err(ManifestError::SchemaVersion(manifest.schema_version));
        }
        if let Some(other) = manifest
            .media_type
            .as_deref()
            .filter(|t| ![OCI_MANIFEST, DOCKER_MANIFEST].contains(t))
        {
            return Err(ManifestError::MediaType(other.to_owned()));
        }
        for descriptor in std::iter::once(&manifest.config).chain(&manifest.layers) {
            if !valid_digest(&descriptor.digest) {
                return Err(ManifestError::Digest(descriptor.digest.clone()));
            }
        }
        Ok(manifest)
    }

    /// The component layer of a Wasm component manifest.
    pub fn wasm_layer(&self) -> Result<&Descriptor, ManifestError> {
        if self.config.media_type != WASM_CONFIG {
            return Err(ManifestError::NotWasm(self.config.media_type.clone()));
        }
        match self.layers.as_slice() {
            [layer] if layer.media_type == WASM_LAYER => Ok(layer),
            layers => Err(ManifestError::Layers(
                layers.len(),
                layers.iter().map(|l| l.media_type.clone()).collect(),
            )),
        }
    }

    /// The signature layer of a signature artifact.
    pub fn signature_layer(&self) -> Result<&Descriptor, ManifestError> {
        let mut signatures = self
            .layers
            .iter()
            .filter(|l| l.media_type == SIGNATURE_LAYER);
        match (signatures.next(), signatures.next()) {
            (Some(layer), None) => Ok(layer),
            _ => Err(ManifestError::SignatureLayers(
                self.layers
                    .iter()
                    .filter(|l| l.media_type == SIGNATURE_LAYER)
                    .count(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn digest(c: char) -> String {
        format!("sha256:{}", c.to_string().repeat(64))
    }

    fn manifest(media_type: Option<&str>, config: &str, layers: &[&str]) -> Vec<u8> {
        let mut m = json!({
            "schemaVersion": 2,
            "config": { "mediaType": config, "digest": digest('c'), "size": 2 },
            "layers": layers.iter().map(|t| json!({ "mediaType": t, "digest": digest('a'), "size": 10 })).collect::<Vec<_>>(),
        });
        if let Some(t) = media_type {
            m["mediaType"] = json!(t);
        }
        serde_json::to_vec(&m).unwrap()
    }

    #[test]
    fn finds_the_wasm_layer_in_oci_and_docker_manifests() {
        for media_type in [Some(OCI_MANIFEST), Some(DOCKER_MANIFEST), None] {
            let m = Manifest::parse(&manifest(media_type, WASM_CONFIG, &[WASM_LAYER])).unwrap();
            let layer = m.wasm_layer().unwrap();
            assert_eq!(
                (layer.digest.as_str(), layer.size),
                (digest('a').as_str(), 10)
            );
        }
    }

    #[test]
    fn refuses_what_is_not_a_component() {
        let parse = |bytes: Vec<u8>| Manifest::parse(&bytes).and_then(|m| m.wasm_layer().cloned());
        assert!(matches!(
            parse(manifest(
                Some(OCI_MANIFEST),
                "application/vnd.oci.image.config.v1+json",
                &[WASM_LAYER]
            )),
            Err(ManifestError::NotWasm(_))
        ));
        assert!(matches!(
            parse(manifest(None, WASM_CONFIG, &[WASM_LAYER, WASM_LAYER])),
            Err(ManifestError::Layers(2, _))
        ));
        assert!(matches!(
            parse(manifest(
                None,
                WASM_CONFIG,
                &["application/vnd.oci.image.layer.v1.tar+gzip"]
            )),
            Err(ManifestError::Layers(1, _))
        ));
        assert!(matches!(
            parse(manifest(None, WASM_CONFIG, &[])),
            Err(ManifestError::Layers(0, _))
        ));
        assert!(matches!(
            parse(manifest(
                Some("application/vnd.oci.artifact.manifest.v1+json"),
                WASM_CONFIG,
                &[WASM_LAYER]
            )),
            Err(ManifestError::MediaType(_))
        ));
        assert!(matches!(
            parse(br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#.to_vec()),
            Err(ManifestError::Index(_))
        ));
        assert!(matches!(
            parse(br#"{"schemaVersion":1,"config":{"mediaType":"x","digest":"sha256:0","size":1},"layers":[]}"#.to_vec()),
            Err(ManifestError::SchemaVersion(1))
        ));
        assert!(matches!(
            parse(b"not json".to_vec()),
            Err(ManifestError::Malformed(_))
        ));
        let mut bad_digest: serde_json::Value =
            serde_json::from_slice(&manifest(None, WASM_CONFIG, &[WASM_LAYER])).unwrap();
        bad_digest["layers"][0]["digest"] = json!("sha256:../../etc/passwd");
        assert!(matches!(
            parse(serde_json::to_vec(&bad_digest).unwrap()),
            Err(ManifestError::Digest(_))
        ));
    }

    #[test]
    fn finds_the_one_signature_layer() {
        let m = Manifest::parse(&manifest(
            None,
            "application/vnd.oci.empty.v1+json",
            &[SIGNATURE_LAYER],
        ))
        .unwrap();
        assert_eq!(m.signature_layer().unwrap().media_type, SIGNATURE_LAYER);
        let two =
            Manifest::parse(&manifest(None, "x", &[SIGNATURE_LAYER, SIGNATURE_LAYER])).unwrap();
        assert_eq!(
            two.signature_layer().unwrap_err(),
            ManifestError::SignatureLayers(2)
        );
        let none = Manifest::parse(&manifest(None, "x", &[WASM_LAYER])).unwrap();
        assert_eq!(
            none.signature_layer().unwrap_err(),
            ManifestError::SignatureLayers(0)
        );
    }
}

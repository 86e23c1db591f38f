//! A real OCI registry for a test: the CNCF distribution registry (Debian's `docker-registry`)
//! on a free loopback port with its own storage directory, and oras-py (a venv under `target/`)
//! to publish artifacts into it the way `wkg` lays them out. Both are installed by
//! `make test-deps`. Also a bearer-token proxy in front of it, for the auth flow.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use looker_mcp::runtime::oci::{Reference, SIGNATURE_LAYER, WASM_CONFIG, WASM_LAYER};
use tokio::process::{Child, Command};

use crate::support::free_port;

/// The config blob `wkg` (oci-wasm's `WasmConfig`) writes for a component.
const WASM_CONFIG_JSON: &str =
    r#"{"created":"2026-01-01T00:00:00Z","architecture":"wasm","os":"wasip2","layerDigests":[]}"#;

/// A running `docker-registry serve`, killed (and its storage removed) on drop.
pub struct Registry {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The oras-py venv `make test-deps` creates (`LOOKER_TEST_ORAS_PYTHON` overrides).
fn oras_python() -> PathBuf {
    if let Some(python) = std::env::var_os("LOOKER_TEST_ORAS_PYTHON") {
        return python.into();
    }
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is under the target directory")
        .join("oras-venv/bin/python")
}

impl Registry {
    /// Starts a registry with a fresh storage directory and waits until it answers `/v2/`.
    pub async fn start() -> Self {
        let found = std::process::Command::new("sh")
            .args(["-c", "command -v docker-registry"])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "docker-registry is not installed: `make test-deps` installs it (Debian package docker-registry)"
        );
        assert!(
            oras_python().exists(),
            "{} is missing: `make test-deps` creates the oras-py venv",
            oras_python().display()
        );
        let dir = std::env::temp_dir().join(format!("oci-registry-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("storage")).unwrap();
        let port = free_port();
        let config = format!(
            "version: 0.1\n\
             log:\n  level: error\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n  \
             maintenance:\n    uploadpurging:\n      enabled: false\n\
             http:\n  addr: 127.0.0.1:{port}\n  secret: looker-mcp-test\n",
            storage = dir.join("storage").display()
        );
        std::fs::write(dir.join("config.yml"), config).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(dir.join("config.yml"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("docker-registry starts");
        let registry = Self {
            port,
            dir,
            child: Some(child),
        };
        let url = format!("http://127.0.0.1:{port}/v2/");
        for _ in 0..400 {
            if reqwest::get(&url)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return registry;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("docker-registry did not answer on port {port}");
    }

    /// `127.0.0.1:<port>`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `oci://127.0.0.1:<port>/<rest>`, parsed.
    pub fn reference(&self, rest: &str) -> Reference {
        Reference::parse(&format!("oci://{}/{rest}", self.host())).unwrap()
    }

    /// Stops the registry (its storage stays until drop).
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.unwrap();
        }
    }

    /// Pushes `bytes` as a Wasm component (wkg's layout) to `repository:tag`; returns the
    /// manifest digest.
    pub async fn push_component(&self, target: &str, bytes: &[u8]) -> String {
        let config = self.scratch_file("config.json", WASM_CONFIG_JSON.as_bytes());
        self.push(
            target,
            bytes,
            WASM_LAYER,
            Some((config.as_path(), WASM_CONFIG)),
        )
        .await
    }

    /// Publishes `text` as the signature of the manifest `manifest_digest` in `repository`
    /// (tag `sha256-<hex>.minisig`, one `application/vnd.minisign.signature` layer).
    pub async fn push_signature(&self, repository: &str, manifest_digest: &str, text: &str) {
        let tag = looker_mcp::runtime::oci::signature_tag(manifest_digest);
        self.push(
            &format!("{repository}:{tag}"),
            text.as_bytes(),
            SIGNATURE_LAYER,
            None,
        )
        .await;
    }

    /// Pushes one file as a one-layer artifact with oras-py; returns the manifest digest.
    pub async fn push(
        &self,
        target: &str,
        bytes: &[u8],
        media_type: &str,
        config: Option<(&Path, &str)>,
    ) -> String {
        let file = self.scratch_file("layer", bytes);
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/all/oci_push.py");
        let mut command = Command::new(oras_python());
        command
            .arg(script)
            .arg(self.host())
            .arg(target)
            .arg(&file)
            .arg(media_type);
        if let Some((path, media_type)) = config {
            command.arg(path).arg(media_type);
        }
        let output = command.output().await.expect("python runs");
        assert!(
            output.status.success(),
            "oras push {target} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let digest = String::from_utf8(output.stdout).unwrap().trim().to_owned();
        assert!(digest.starts_with("sha256:"), "{digest}");
        digest
    }

    /// A file in a fresh scratch folder (oras names the layer after it).
    fn scratch_file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let folder = self.dir.join(uuid::Uuid::new_v4().to_string());
        std::fs::create_dir_all(&folder).unwrap();
        let file = folder.join(name);
        std::fs::write(&file, bytes).unwrap();
        file
    }

    /// Where the registry keeps the blob `digest` (`sha256:<hex>`): tests tamper with it.
    pub fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap();
        self.dir
            .join("storage/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }
}

/// The digest of the (first) layer of a manifest the registry holds.
pub async fn layer_of(registry: &Registry, repository: &str, manifest_digest: &str) -> String {
    let url = format!(
        "http://{}/v2/{repository}/manifests/{manifest_digest}",
        registry.host()
    );
    let manifest: serde_json::Value = reqwest::Client::new()
        .get(url)
        .header(header::ACCEPT, looker_mcp::runtime::oci::OCI_MANIFEST)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    manifest["layers"][0]["digest"].as_str().unwrap().to_owned()
}

/// A proxy in front of a registry that demands a bearer token, as public registries do: a
/// request without one gets `401` with a `WWW-Authenticate: Bearer realm=…/token` challenge, and
/// `/token` hands out the token only for the right basic credentials.
pub struct TokenProxy {
    pub port: u16,
    /// Token requests seen.
    pub token_requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TokenProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
struct ProxyState {
    upstream: String,
    port: u16,
    basic: String,
    token_requests: Arc<AtomicUsize>,
}

const TOKEN: &str = "test-token-1234";

impl TokenProxy {
    /// Serves on a free loopback port, forwarding to `registry`, for `username`/`password`.
    pub async fn start(registry: &Registry, username: &str, password: &str) -> Self {
        use base64::Engine;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let token_requests = Arc::new(AtomicUsize::new(0));
        let state = ProxyState {
            upstream: format!("http://{}", registry.host()),
            port,
            basic: format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
            ),
            token_requests: token_requests.clone(),
        };
        let app = axum::Router::new()
            .route("/token", axum::routing::get(token))
            .fallback(forward)
            .with_state(state);
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            port,
            token_requests,
            task,
        }
    }

    /// `oci://localhost:<port>/<rest>`, parsed.
    pub fn reference(&self, rest: &str) -> Reference {
        Reference::parse(&format!("oci://localhost:{}/{rest}", self.port)).unwrap()
    }
}

async fn token(State(state): State<ProxyState>, headers: HeaderMap) -> Response {
    state.token_requests.fetch_add(1, Ordering::SeqCst);
    let authorized = headers
        .get(header::AUTHORIZATION)
        .is_some_and(|v| v.as_bytes() == state.basic.as_bytes());
    if !authorized {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    axum::Json(serde_json::json!({ "token": TOKEN })).into_response()
}

async fn forward(State(state): State<ProxyState>, request: Request) -> Response {
    let bearer = format!("Bearer {TOKEN}");
    let authorized = request
        .headers()
        .get(header::AUTHORIZATION)
        .is_some_and(|v| v.as_bytes() == bearer.as_bytes());
    if !authorized {
        let challenge = format!(
            r#"Bearer realm="http://127.0.0.1:{}/token",service="test-registry",scope="repository:x:pull""#,
            state.port
        );
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, challenge)],
        )
            .into_response();
    }
    let url = format!("{}{}", state.upstream, request.uri());
    let mut upstream = reqwest::Client::new().get(url);
    if let Some(accept) = request.headers().get(header::ACCEPT) {
        upstream = upstream.header(header::ACCEPT, accept);
    }
    let answer = upstream.send().await.unwrap();
    let mut response = Response::builder().status(answer.status().as_u16());
    for name in ["content-type", "docker-content-digest"] {
        if let Some(value) = answer.headers().get(name) {
            response = response.header(name, value.as_bytes());
        }
    }
    response
        .body(Body::from(answer.bytes().await.unwrap()))
        .unwrap()
}

//! MCP-level authentication over HTTP: the `public` OAuth 2.1 resource server against a local
//! JWKS server (RSA and EC keys), the `looker_oauth` posture, the deprecated static bearer, and
//! the startup posture errors. Each attack gets the response it should.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::routing::get;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::http::start;
use crate::support::Harness;

pub(crate) const ISSUER: &str = "https://issuer.example.com";
pub(crate) const RESOURCE: &str = "https://mcp.example.com/mcp";
const PRM_URL: &str = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";

pub(crate) fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/fixtures/jwt/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A JWKS endpoint on loopback that counts fetches; `rotate()` publishes the second RSA key.
pub(crate) struct Jwks {
    pub(crate) url: String,
    pub(crate) fetches: Arc<AtomicUsize>,
    rotated: Arc<std::sync::atomic::AtomicBool>,
}

impl Jwks {
    pub(crate) async fn start() -> Self {
        let fetches = Arc::new(AtomicUsize::new(0));
        let rotated = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (f, r) = (fetches.clone(), rotated.clone());
        let app = Router::new().route(
            "/jwks.json",
            get(move || {
                let (f, r) = (f.clone(), r.clone());
                async move {
                    f.fetch_add(1, Ordering::SeqCst);
                    let mut keys = vec![jwk("rsa-1"), jwk("ec-1")];
                    if r.load(Ordering::SeqCst) {
                        keys.push(jwk("rsa-2"));
                    }
                    axum::Json(json!({ "keys": keys }))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url,
            fetches,
            rotated,
        }
    }
}

pub(crate) fn jwk(kid: &str) -> Value {
    serde_json::from_str(&fixture(&format!("{kid}.jwk.json"))).unwrap()
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub(crate) fn claims() -> Value {
    json!({"iss": ISSUER, "aud": RESOURCE, "sub": "user-1", "email": "alice@example.com", "exp": now() + 600, "iat": now()})
}

pub(crate) fn sign(kid: &str, claims: &Value) -> String {
    let (alg, key) = if kid.starts_with("ec") {
        (
            Algorithm::ES256,
            EncodingKey::from_ec_pem(fixture(&format!("{kid}.pem")).as_bytes()).unwrap(),
        )
    } else {
        (
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(fixture(&format!("{kid}.pem")).as_bytes()).unwrap(),
        )
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

fn b64(value: &Value) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

/// POSTs an MCP `initialize` with an optional bearer; returns status, WWW-Authenticate and body.
pub(crate) async fn initialize(
    base: &str,
    bearer: Option<&str>,
    query: &str,
) -> (u16, String, String) {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/mcp{query}"))
        .header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .body(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}).to_string());
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, challenge, response.text().await.unwrap_or_default())
}

/// Settings for the `public` posture with keys from `jwks_url`.
pub(crate) fn set_public_posture(h: &mut Harness, jwks_url: &str) {
    h.set("LOOKER_MCP_MODE", "public");
    h.set("LOOKER_MCP_JWKS_URI", jwks_url);
    h.set("LOOKER_MCP_ISSUER_URL", ISSUER);
    h.set("LOOKER_MCP_RESOURCE_URI", RESOURCE);
}

pub(crate) async fn public_server(h: &mut Harness, jwks: &Jwks) -> crate::http::HttpServer {
    set_public_posture(h, &jwks.url);
    start(h, "identity").await
}

#[tokio::test]
async fn public_mode_accepts_valid_tokens_and_refuses_attacks() {
    let jwks = Jwks::start().await;
    let mut h = Harness::new().await;
    let server = public_server(&mut h, &jwks).await;
    let base = &server.base;

    for kid in ["rsa-1", "ec-1"] {
        let (status, _, body) = initialize(base, Some(&sign(kid, &claims())), "").await;
        assert_eq!(status, 200, "{kid}: {body}");
    }
    assert_eq!(
        jwks.fetches.load(Ordering::SeqCst),
        1,
        "the key set is cached"
    );

    let public_pem = fixture("rsa-1.pub.pem");
    let hs256_with_public_key = {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("rsa-1".into());
        jsonwebtoken::encode(
            &header,
            &claims(),
            &EncodingKey::from_secret(public_pem.as_bytes()),
        )
        .unwrap()
    };
    let alg_none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "kid": "rsa-1", "typ": "JWT"})),
        b64(&claims())
    );
    let with = |patch: Value| {
        let mut c = claims();
        c.as_object_mut()
            .unwrap()
            .extend(patch.as_object().unwrap().clone());
        sign("rsa-1", &c)
    };
    let attacks: Vec<(&str, String, &str)> = vec![
        ("alg none", alg_none, "malformed"),
        (
            "HS256 signed with the public key",
            hs256_with_public_key,
            "HS256",
        ),
        (
            "wrong iss",
            with(json!({"iss": "https://evil.example.com"})),
            "wrong issuer",
        ),
        (
            "wrong aud",
            with(json!({"aud": "https://other.example.com"})),
            "wrong audience",
        ),
        ("expired", with(json!({"exp": now() - 3600})), "expired"),
        (
            "not yet valid",
            with(json!({"nbf": now() + 3600})),
            "not yet valid",
        ),
        ("malformed", "not.a.jwt".to_string(), "malformed"),
        (
            "tampered signature",
            format!("{}x", sign("rsa-1", &claims())),
            "invalid",
        ),
    ];
    for (attack, token, reason) in &attacks {
        let (status, challenge, body) = initialize(base, Some(token), "").await;
        assert_eq!(status, 401, "{attack}: {body}");
        assert!(
            challenge.contains("realm=\"looker-mcp\"")
                && challenge.contains(&format!("resource_metadata=\"{PRM_URL}\"")),
            "{attack}: {challenge}"
        );
        assert!(
            challenge.contains("error=\"invalid_token\""),
            "{attack}: {challenge}"
        );
        assert!(
            challenge.to_lowercase().contains(&reason.to_lowercase())
                || body.to_lowercase().contains(&reason.to_lowercase()),
            "{attack}: {challenge} {body}"
        );
    }

    let (status, challenge, _) = initialize(base, None, "").await;
    assert_eq!(status, 401, "missing token");
    assert!(
        challenge.starts_with("Bearer realm=\"looker-mcp\"") && !challenge.contains("error="),
        "{challenge}"
    );

    for query in ["?access_token=abc", "?authorization=Bearer%20abc"] {
        let (status, _, body) = initialize(base, Some(&sign("rsa-1", &claims())), query).await;
        assert_eq!(status, 400, "{query}");
        assert!(body.contains("invalid_request"), "{body}");
    }

    // Key rotation: an unknown kid forces one refresh, then the new key works…
    let fetches = jwks.fetches.load(Ordering::SeqCst);
    let (status, _, _) = initialize(base, Some(&sign("rsa-2", &claims())), "").await;
    assert_eq!(status, 401, "rsa-2 is not published yet");
    assert_eq!(
        jwks.fetches.load(Ordering::SeqCst),
        fetches + 1,
        "one forced refresh"
    );
    jwks.rotated.store(true, Ordering::SeqCst);
    let (status, _, _) = initialize(base, Some(&sign("rsa-2", &claims())), "").await;
    assert_eq!(
        status, 401,
        "a second forced refresh within 5 minutes is not allowed"
    );
    assert_eq!(
        jwks.fetches.load(Ordering::SeqCst),
        fetches + 1,
        "no refresh storm"
    );
    drop(server);

    // …and a fresh server (no refresh yet) picks the rotated key up.
    let server = public_server(&mut h, &jwks).await;
    let (status, _, body) = initialize(&server.base, Some(&sign("rsa-2", &claims())), "").await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn public_mode_metadata_and_anonymous_routes() {
    let jwks = Jwks::start().await;
    let mut h = Harness::new().await;
    let server = public_server(&mut h, &jwks).await;
    let expected = json!({
        "resource": RESOURCE,
        "authorization_servers": [ISSUER],
        "bearer_methods_supported": ["header"],
        "resource_name": "looker-mcp",
    });
    for path in [
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ] {
        let response = reqwest::get(format!("{}{path}", server.base))
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.json::<Value>().await.unwrap(), expected, "{path}");
    }
    for path in ["/healthz", "/readyz"] {
        assert_eq!(
            reqwest::get(format!("{}{path}", server.base))
                .await
                .unwrap()
                .status(),
            200,
            "{path} is anonymous"
        );
    }
}

#[tokio::test]
async fn unsafe_postures_stop_the_server_at_startup() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("LOOKER_MCP_MODE", "public")],
            "LOOKER_MCP_JWKS_URI is required",
        ),
        (
            &[
                ("LOOKER_MCP_MODE", "public"),
                ("LOOKER_MCP_JWKS_URI", "https://a.example.com/j"),
                ("LOOKER_MCP_ISSUER_URL", "https://a.example.com"),
            ],
            "LOOKER_MCP_RESOURCE_URI is required",
        ),
        (
            &[
                ("LOOKER_MCP_MODE", "public"),
                ("LOOKER_MCP_JWKS_URI", "http://a.example.com/j"),
                ("LOOKER_MCP_ISSUER_URL", "https://a.example.com"),
                ("LOOKER_MCP_RESOURCE_URI", RESOURCE),
            ],
            "must be an absolute https:// URL",
        ),
        (
            &[
                ("LOOKER_MCP_MODE", "public"),
                ("LOOKER_MCP_JWKS_URI", "https://a.example.com/j"),
                ("LOOKER_MCP_ISSUER_URL", "https://a.example.com"),
                (
                    "LOOKER_MCP_RESOURCE_URI",
                    "https://mcp.example.com/mcp#frag",
                ),
            ],
            "fragment",
        ),
        (
            &[
                ("LOOKER_MCP_MODE", "public"),
                ("LOOKER_MCP_JWKS_URI", "https://a.example.com/j"),
                ("LOOKER_MCP_ISSUER_URL", "https://a.example.com"),
                ("LOOKER_MCP_RESOURCE_URI", RESOURCE),
                ("LOOKER_MCP_AUTH_TOKEN", "s3cret"),
            ],
            "cannot be combined",
        ),
        (
            &[
                ("LOOKER_MCP_MODE", "looker_oauth"),
                ("LOOKER_MCP_RESOURCE_URI", RESOURCE),
            ],
            "LOOKER_BASE_URL must be an absolute https:// URL",
        ),
    ];
    for (settings, message) in cases {
        let mut h = Harness::new().await;
        h.set("LOOKER_TRANSPORT", "streamable-http");
        h.set("LOOKER_PORT", "0");
        h.set("LOOKER_HOST", "127.0.0.1");
        for (k, v) in *settings {
            h.set(k, v);
        }
        if settings.iter().any(|(_, v)| *v == "looker_oauth") {
            h.set("LOOKER_BASE_URL", "http://looker.example.com");
        }
        let out = h.command(&[]).output().await.unwrap();
        assert!(!out.status.success(), "{settings:?} must not start");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(message),
            "{settings:?}: expected {message:?} in {stderr}"
        );
        assert!(!stderr.contains("s3cret"), "secrets never reach the log");
    }
}

#[tokio::test]
async fn static_bearer_still_works_in_dev_mode() {
    let mut h = Harness::new().await;
    h.set("LOOKER_MCP_AUTH_TOKEN", "s3cret-token");
    let server = start(&h, "identity").await;
    assert_eq!(initialize(&server.base, None, "").await.0, 401);
    assert_eq!(initialize(&server.base, Some("wrong"), "").await.0, 401);
    let (status, _, body) = initialize(&server.base, Some("s3cret-token"), "").await;
    assert_eq!(status, 200, "{body}");
}

/// Logs in to the simulator as alice (not an admin) and returns her Looker token.
pub(crate) async fn alice_token(h: &Harness) -> String {
    let login: Value = reqwest::Client::new()
        .post(format!("{}/api/4.0/login", h.sim.base_url()))
        .form(&[
            ("client_id", looker_sim::ALICE_CLIENT_ID),
            ("client_secret", looker_sim::ALICE_CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    login["access_token"].as_str().unwrap().to_string()
}

/// An MCP client over HTTP with a bearer and extra headers.
pub(crate) async fn client_with(
    base: &str,
    bearer: Option<String>,
    headers: &[(&'static str, String)],
) -> rmcp::service::RunningService<rmcp::RoleClient, ()> {
    use rmcp::ServiceExt;
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
    let mut config = StreamableHttpClientTransportConfig::with_uri(format!("{base}/mcp"));
    if let Some(token) = bearer {
        config = config.auth_header(token);
    }
    let custom = headers
        .iter()
        .map(|(k, v)| {
            (
                http::HeaderName::from_static(k),
                http::HeaderValue::from_str(v).unwrap(),
            )
        })
        .collect();
    config = config.custom_headers(custom);
    ().serve(StreamableHttpClientTransport::from_config(config))
        .await
        .expect("MCP initialize over HTTP")
}

#[tokio::test]
async fn looker_oauth_forwards_the_users_own_token() {
    let mut h = Harness::new().await;
    h.set("LOOKER_MCP_MODE", "looker_oauth");
    h.set("LOOKER_MCP_RESOURCE_URI", "https://mcp.example.com");
    let server = start(&h, "identity").await;

    let prm: Value = reqwest::get(format!(
        "{}/.well-known/oauth-protected-resource",
        server.base
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(
        prm,
        json!({"resource": "https://mcp.example.com", "authorization_servers": [h.sim.base_url()],
               "bearer_methods_supported": ["header"], "scopes_supported": ["cors_api"], "resource_name": "looker-mcp"})
    );
    let (status, challenge, _) = initialize(&server.base, Some("not-a-looker-token"), "").await;
    assert_eq!(status, 401);
    assert!(
        challenge.contains(
            "resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource\""
        ),
        "{challenge}"
    );

    let token = alice_token(&h).await;
    let client = client_with(&server.base, Some(token.clone()), &[]).await;
    h.sim.take_requests();
    for _ in 0..3 {
        let me = crate::support::json(&crate::support::call(&client, "whoami", json!({})).await);
        assert_eq!(
            me["email"], "alice@example.com",
            "the user's own token: {me}"
        );
    }
    let requests = h.sim.take_requests();
    assert!(
        requests.iter().all(|r| r.user_id.as_deref() == Some("2")),
        "{requests:#?}"
    );
    assert!(
        !requests
            .iter()
            .any(|r| r.path == "/login" || r.path.starts_with("/login/")),
        "no login: the token is forwarded"
    );
    let verifications = requests
        .iter()
        .filter(|r| r.path == "/user" && r.query.iter().any(|(k, v)| k == "fields" && v == "id"))
        .count();
    assert!(
        verifications <= 1,
        "a verified token is cached, not re-checked on every request: {verifications}"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
    let logs = server.logs.lock().unwrap().join("\n");
    assert!(
        logs.contains("Looker accepted the bearer token"),
        "debug logging is on"
    );
    assert!(
        !logs.contains(&token),
        "the user's token never reaches the log"
    );
    assert!(
        !logs.contains("demo-client-secret"),
        "the client secret never reaches the log"
    );
    assert!(
        !logs.to_lowercase().contains("authorization: "),
        "no Authorization header in the log"
    );
}

#[tokio::test]
async fn identity_headers_select_sudo_or_pass_through() {
    // Self-hosted: the email header makes the service account act as that user (admin sudo).
    let h = Harness::new().await;
    let server = start(&h, "identity").await;
    let client = client_with(
        &server.base,
        None,
        &[("x-user-email", "Alice@Example.com".into())],
    )
    .await;
    let me = crate::support::json(&crate::support::call(&client, "whoami", json!({})).await);
    assert_eq!(me["email"], "alice@example.com", "{me}");
    let requests = h.sim.take_requests();
    assert!(
        requests
            .iter()
            .any(|r| r.method == "GET" && r.path == "/users/search"),
        "{requests:#?}"
    );
    assert!(
        requests.iter().any(|r| r.path == "/login/2"),
        "sudo login as alice: {requests:#?}"
    );
    // The sudo session is cached: a second call costs one request.
    crate::support::call(&client, "whoami", json!({})).await;
    assert_eq!(h.sim.take_requests().len(), 1);
    client.cancel().await.unwrap();
    drop(server);

    // No header: the service account.
    let server = start(&h, "identity").await;
    let client = client_with(&server.base, None, &[]).await;
    let me = crate::support::json(&crate::support::call(&client, "whoami", json!({})).await);
    assert_eq!(me["email"], "admin@example.com");
    client.cancel().await.unwrap();
    drop(server);

    // Google Cloud core: the token header is forwarded as the user's session.
    let mut h2 = Harness::new().await;
    h2.set("LOOKER_DEPLOYMENT_TYPE", "google_cloud_core");
    let token = alice_token(&h2).await;
    let server = start(&h2, "identity").await;
    let client = client_with(&server.base, None, &[("x-user-token", token)]).await;
    let me = crate::support::json(&crate::support::call(&client, "whoami", json!({})).await);
    assert_eq!(me["email"], "alice@example.com");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn foreign_origins_are_refused() {
    let h = Harness::new().await;
    let server = start(&h, "identity").await;
    let answer = reqwest::Client::new()
        .post(format!("{}/mcp", server.base))
        .header("Origin", "https://evil.example.com")
        .header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .body(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 403);
}

#[tokio::test]
async fn act_as_user_paths() {
    let h = Harness::new().await;
    let (client, logs) = h.stdio_client_with_logs(&["--groups", "git"]).await;
    let branch = |user: &str| json!({"project_id": "ecommerce", "act_as_user": user});
    let text = |r: &rmcp::model::CallToolResult| crate::support::text(r);

    // Neither digits nor an email: refused before any Looker call.
    let result = crate::support::call(&client, "get_git_branch", branch("ci bot")).await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("numeric Looker user id or an email"),
        "{}",
        text(&result)
    );
    assert!(h.api_requests().is_empty(), "nothing reached Looker");

    // An email nobody has: a validation error after the exact-match lookup, not a fallback.
    let result =
        crate::support::call(&client, "get_git_branch", branch("nobody@example.com")).await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("no Looker user has the email"),
        "{}",
        text(&result)
    );
    let requests = h.api_requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    assert_eq!(
        (requests[0].path.as_str(), requests[0].query[0].0.as_str()),
        ("/users/search", "email")
    );

    // An email resolves exactly (case-insensitive) and the call runs as that user.
    let result =
        crate::support::call(&client, "get_git_branch", branch("CI-Bot@Example.com")).await;
    assert_ne!(result.is_error, Some(true), "{}", text(&result));
    let requests = h.sim.take_requests();
    assert!(
        requests.iter().any(|r| r.path == "/login/77"),
        "sudo as ci-bot: {requests:#?}"
    );
    assert!(
        requests
            .iter()
            .filter(|r| r.path.starts_with("/projects/"))
            .all(|r| r.user_id.as_deref() == Some("77"))
    );
    client.cancel().await.unwrap();
    let logs = logs.text();
    let audit = logs
        .lines()
        .find(|l| l.contains("looker.audit.act_as_user"))
        .expect("an audit line");
    let audit: Value = serde_json::from_str(audit).unwrap();
    let fields = &audit["fields"];
    assert_eq!(fields["tool"], "get_git_branch");
    assert_eq!(fields["target_user_id"], "77");
    assert_eq!(fields["target_user_email"], "CI-Bot@Example.com");
    assert_eq!(fields["triggered_by"], "argument");
    assert_eq!(fields["configured_user"], "demo-client-id");
    assert_eq!(audit["level"], "INFO");

    // Sudo switched off: a clear validation error instead of running as the wrong user.
    let mut off = Harness::new().await;
    off.set("LOOKER_SUDO_AS_USER", "false");
    let client = off.stdio_client(&["--groups", "git"]).await;
    let result = crate::support::call(&client, "get_git_branch", branch("77")).await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("LOOKER_SUDO_AS_USER=true"),
        "{}",
        text(&result)
    );
    assert!(off.api_requests().is_empty());
    client.cancel().await.unwrap();

    // Credentials without sudo rights: Looker's 403 in the seed's words.
    let mut alice = Harness::new().await;
    alice.set("LOOKER_CLIENT_ID", looker_sim::ALICE_CLIENT_ID);
    alice.set("LOOKER_CLIENT_SECRET", looker_sim::ALICE_CLIENT_SECRET);
    let client = alice.stdio_client(&["--groups", "git"]).await;
    let result = crate::support::call(&client, "get_git_branch", branch("3")).await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("Permission denied — the current user lacks access."),
        "{}",
        text(&result)
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

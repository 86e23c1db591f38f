//! The identity rule, tried as an attacker would: in every posture a call runs as its
//! principal's Looker user or is refused, never as someone else (the service account above all).
//! Each test asserts whose token made the Looker requests (the simulator records it).

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};

use crate::auth::{Jwks, alice_token, claims, client_with, public_server, sign};
use crate::http::{rpc_answer, start, start_on};
use crate::support::{Harness, call, json as result_json, text};

type Client = rmcp::service::RunningService<rmcp::RoleClient, ()>;

/// Raw header (name, bytes) pairs.
type Headers<'a> = Vec<(&'a str, &'a [u8])>;

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#;

/// POSTs `body` to `/mcp` with raw header bytes; returns status, session id and body.
async fn post(base: &str, headers: &[(&str, &[u8])], body: &str) -> (u16, Option<String>, String) {
    let mut map = HeaderMap::new();
    map.insert(
        "accept",
        HeaderValue::from_static("application/json, text/event-stream"),
    );
    map.insert("content-type", HeaderValue::from_static("application/json"));
    map.insert(
        "mcp-protocol-version",
        HeaderValue::from_static("2025-11-25"),
    );
    for (name, value) in headers {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_bytes(value).unwrap(),
        );
    }
    let response = reqwest::Client::new()
        .post(format!("{base}/mcp"))
        .headers(map)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let session = response
        .headers()
        .get("mcp-session-id")
        .map(|v| v.to_str().unwrap().to_string());
    (status, session, response.text().await.unwrap_or_default())
}

/// Sends `initialize` with `headers` and checks it is refused with `status`, saying `why`.
async fn initialize_is_refused(base: &str, headers: &[(&str, &[u8])], status: u16, why: &str) {
    let (answered, _, body) = post(base, headers, INIT).await;
    assert_eq!(answered, status, "{body}");
    assert!(body.contains(why), "{body}");
}

/// Looker user ids the simulator saw requests from (logins and lookups aside).
fn callers(h: &Harness) -> Vec<String> {
    h.api_requests()
        .into_iter()
        .filter(|r| r.path != "/users/search")
        .filter_map(|r| r.user_id)
        .collect()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn has_act_as(tools: &[rmcp::model::Tool]) -> bool {
    tools.iter().any(|t| {
        t.input_schema
            .get("properties")
            .is_some_and(|p| p.get("act_as_user").is_some())
    })
}

/// Asks `get_git_branch` to act as `user` and checks the refusal says `why`.
async fn act_as_is_refused(client: &Client, user: &str, why: &str) {
    let args = json!({"project_id": "ecommerce", "act_as_user": user});
    let result = call(client, "get_git_branch", args).await;
    assert_eq!(result.is_error, Some(true));
    assert!(text(&result).contains(why), "{}", text(&result));
}

// --- dev, untrusted: bound to a non-loopback address with no bearer ---------------------------

#[tokio::test]
async fn untrusted_dev_refuses_identity_headers() {
    let h = Harness::new().await;
    let server = start_on(&h, "0.0.0.0", "identity").await;
    initialize_is_refused(
        &server.base,
        &[("x-user-email", b"alice@example.com")],
        403,
        "trusted gateway",
    )
    .await;
    assert!(h.api_requests().is_empty(), "nothing reached Looker");
}

#[tokio::test]
async fn untrusted_dev_refuses_act_as_user_and_does_not_offer_it() {
    let h = Harness::new().await;
    let server = start_on(&h, "0.0.0.0", "git").await;
    let client = client_with(&server.base, None, &[]).await;
    assert!(!has_act_as(&client.list_all_tools().await.unwrap()));
    act_as_is_refused(&client, "1", "unauthenticated callers").await;
    assert!(h.api_requests().is_empty(), "nothing reached Looker");
    client.cancel().await.unwrap();
}

/// `call_tool` (progressive mode) runs a tool through the direct-call path: it cannot be used to
/// smuggle `act_as_user` past the principal's entitlement.
#[tokio::test]
async fn call_tool_cannot_act_as_a_user_the_principal_may_not() {
    let mut h = Harness::new().await;
    h.set("LOOKER_TOOL_MODE", "progressive");
    let server = start_on(&h, "0.0.0.0", "git").await;
    let client = client_with(&server.base, None, &[]).await;
    let arguments = json!({"project_id": "ecommerce", "act_as_user": "1"});
    let result = call(
        &client,
        "call_tool",
        json!({"name": "get_git_branch", "arguments": arguments}),
    )
    .await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("unauthenticated callers"),
        "{}",
        text(&result)
    );
    assert!(h.api_requests().is_empty(), "nothing reached Looker");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn untrusted_dev_says_loudly_who_callers_run_as() {
    let h = Harness::new().await;
    let server = start_on(&h, "0.0.0.0", "identity").await;
    let logs = server.log_text();
    let line = logs
        .lines()
        .find(|l| l.contains("UNAUTHENTICATED"))
        .expect("a start-up warning");
    assert!(
        line.contains("service account") && line.contains("WARN"),
        "{line}"
    );
    // What it warns about: a caller sending nothing is the service account.
    let client = client_with(&server.base, None, &[]).await;
    let me = result_json(&call(&client, "whoami", json!({})).await);
    assert_eq!(me["email"], "admin@example.com");
    client.cancel().await.unwrap();
}

// --- dev, trusted gateway: loopback bind, the static bearer, or the explicit setting ----------

#[tokio::test]
async fn gateway_email_runs_the_call_as_that_user_with_an_audit_line() {
    let h = Harness::new().await;
    let server = start(&h, "identity").await;
    let client = client_with(
        &server.base,
        None,
        &[("x-user-email", "alice@example.com".into())],
    )
    .await;
    let me = result_json(&call(&client, "whoami", json!({})).await);
    assert_eq!(me["email"], "alice@example.com", "{me}");
    assert_eq!(callers(&h), ["2"]);
    client.cancel().await.unwrap();
    let logs = server.log_text();
    let audit: Value = serde_json::from_str(
        logs.lines()
            .find(|l| l.contains("looker.audit.sudo"))
            .expect("an audit line for the header-driven sudo"),
    )
    .unwrap();
    assert_eq!(audit["level"], "INFO");
    assert_eq!(audit["fields"]["triggered_by"], "header");
    assert_eq!(audit["fields"]["target_user_id"], "2");
    assert_eq!(
        audit["fields"]["principal"],
        "gateway-user:alice@example.com"
    );
}

#[tokio::test]
async fn a_gateway_user_cannot_act_as_another_user() {
    let h = Harness::new().await;
    let server = start(&h, "git").await;
    let client = client_with(
        &server.base,
        None,
        &[("x-user-email", "alice@example.com".into())],
    )
    .await;
    act_as_is_refused(&client, "1", "already runs as the user your gateway named").await;
    let requests = h.sim.take_requests();
    assert!(
        !requests
            .iter()
            .any(|r| r.user_id.as_deref() == Some("1") && r.path.starts_with("/projects")),
        "nothing ran as user 1: {requests:#?}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn malformed_identity_headers_are_refused_not_run_as_the_service_account() {
    let h = Harness::new().await;
    let server = start(&h, "identity").await;
    let cases: [(&str, Headers, &str); 5] = [
        ("empty", vec![("x-user-email", b"")], "empty"),
        ("blank", vec![("x-user-email", b"   ")], "empty"),
        (
            "non-ASCII",
            vec![("x-user-email", b"al\xefce@example.com")],
            "visible ASCII",
        ),
        (
            "repeated",
            vec![
                ("x-user-email", b"alice@example.com"),
                ("x-user-email", b"bob@example.com"),
            ],
            "repeated",
        ),
        (
            "not an email",
            vec![("x-user-email", b"alice")],
            "not an email",
        ),
    ];
    for (case, headers, why) in cases {
        let (status, _, body) = post(&server.base, &headers, INIT).await;
        assert_eq!(status, 400, "{case}: {body}");
        assert!(body.contains(why), "{case}: {body}");
    }
    assert!(h.api_requests().is_empty(), "nothing reached Looker");
}

#[tokio::test]
async fn an_unknown_gateway_email_is_refused_and_the_answer_cached() {
    let h = Harness::new().await;
    let server = start(&h, "identity").await;
    let client = client_with(
        &server.base,
        None,
        &[("x-user-email", "nobody@example.com".into())],
    )
    .await;
    for _ in 0..3 {
        let result = call(&client, "whoami", json!({})).await;
        assert_eq!(result.is_error, Some(true));
        assert!(
            text(&result).contains("no Looker user has the email"),
            "{}",
            text(&result)
        );
    }
    let requests = h.api_requests();
    assert_eq!(
        requests.len(),
        1,
        "one lookup for three calls: {requests:#?}"
    );
    assert_eq!(requests[0].path, "/users/search");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn gateway_headers_with_sudo_off_are_refused() {
    let mut h = Harness::new().await;
    h.set("LOOKER_SUDO_AS_USER", "false");
    let server = start(&h, "identity").await;
    initialize_is_refused(
        &server.base,
        &[("x-user-email", b"alice@example.com")],
        403,
        "LOOKER_SUDO_AS_USER=false",
    )
    .await;
    assert!(h.api_requests().is_empty());
}

#[tokio::test]
async fn the_static_bearer_makes_a_gateway_trusted_off_loopback() {
    let mut h = Harness::new().await;
    h.set("LOOKER_MCP_AUTH_TOKEN", "gateway-secret");
    let server = start_on(&h, "0.0.0.0", "identity").await;
    let client = client_with(
        &server.base,
        Some("gateway-secret".into()),
        &[("x-user-email", "alice@example.com".into())],
    )
    .await;
    let me = result_json(&call(&client, "whoami", json!({})).await);
    assert_eq!(me["email"], "alice@example.com");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_explicit_trust_setting_makes_a_gateway_trusted_off_loopback() {
    let mut h = Harness::new().await;
    h.set("LOOKER_MCP_TRUST_GATEWAY", "true");
    let server = start_on(&h, "0.0.0.0", "identity").await;
    assert!(!server.log_text().contains("UNAUTHENTICATED"));
    let client = client_with(
        &server.base,
        None,
        &[("x-user-email", "bob@example.com".into())],
    )
    .await;
    let me = result_json(&call(&client, "whoami", json!({})).await);
    assert_eq!(me["email"], "bob@example.com");
    assert_eq!(callers(&h), ["3"]);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_gateway_naming_no_user_may_act_as_one() {
    let h = Harness::new().await;
    let server = start(&h, "git").await;
    let client = client_with(&server.base, None, &[]).await;
    let result = call(
        &client,
        "get_git_branch",
        json!({"project_id": "ecommerce", "act_as_user": "77"}),
    )
    .await;
    assert_ne!(result.is_error, Some(true), "{}", text(&result));
    assert_eq!(callers(&h), ["77"]);
    client.cancel().await.unwrap();
    assert!(server.log_text().contains("looker.audit.act_as_user"));
}

// --- public: the verified JWT names the user ---------------------------------------------------

fn token_with(patch: Value) -> String {
    let mut c = claims();
    for (k, v) in patch.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    sign("rsa-1", &c)
}

#[tokio::test]
async fn a_public_token_runs_as_the_user_its_email_claim_names() {
    let jwks = Jwks::start().await;
    let mut h = Harness::new().await;
    let server = public_server(&mut h, &jwks).await;
    let client = client_with(&server.base, Some(sign("rsa-1", &claims())), &[]).await;
    let me = result_json(&call(&client, "whoami", json!({})).await);
    assert_eq!(me["email"], "alice@example.com", "{me}");
    assert_eq!(callers(&h), ["2"]);
    client.cancel().await.unwrap();
    let logs = server.log_text();
    let audit = logs
        .lines()
        .find(|l| l.contains("looker.audit.sudo"))
        .expect("audit line");
    assert!(
        audit.contains("token_claim") && audit.contains("jwt:user-1"),
        "{audit}"
    );
}

#[tokio::test]
async fn a_public_token_without_the_identity_claim_is_refused() {
    let jwks = Jwks::start().await;
    let mut h = Harness::new().await;
    let server = public_server(&mut h, &jwks).await;
    let token = token_with(json!({"email": null}));
    let (status, _, body) = post(
        &server.base,
        &[("authorization", bearer(&token).as_bytes())],
        INIT,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("no \\\"email\\\" claim") || body.contains("no \"email\" claim"),
        "{body}"
    );
    assert!(h.api_requests().is_empty());
}

#[tokio::test]
async fn a_public_token_for_an_unknown_user_is_refused() {
    let jwks = Jwks::start().await;
    let mut h = Harness::new().await;
    let server = public_server(&mut h, &jwks).await;
    let token = token_with(json!({"email": "mallory@example.com"}));
    let client = client_with(&server.base, Some(token), &[]).await;
    let result = call(&client, "whoami", json!({})).await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("no Looker user has the email"),
        "{}",
        text(&result)
    );
    assert!(callers(&h).is_empty(), "nothing ran as anyone");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn public_refuses_identity_headers() {
    let jwks = Jwks::start().await;
    let mut h = Harness::new().await;
    let server = public_server(&mut h, &jwks).await;
    let token = sign("rsa-1", &claims());
    initialize_is_refused(
        &server.base,
        &[
            ("authorization", bearer(&token).as_bytes()),
            ("x-user-email", b"bob@example.com"),
        ],
        403,
        "LOOKER_MCP_MODE=public",
    )
    .await;
}

#[tokio::test]
async fn public_act_as_user_is_refused_without_the_operators_scope() {
    let jwks = Jwks::start().await;
    let mut h = Harness::new().await;
    h.set("LOOKER_MCP_ACT_AS_SCOPE", "looker:act_as");
    crate::auth::set_public_posture(&mut h, &jwks.url);
    let server = start(&h, "git").await;
    let args = json!({"project_id": "ecommerce", "act_as_user": "1"});
    let plain = client_with(&server.base, Some(sign("rsa-1", &claims())), &[]).await;
    let result = call(&plain, "get_git_branch", args.clone()).await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("lacks the \"looker:act_as\" scope"),
        "{}",
        text(&result)
    );
    assert!(callers(&h).is_empty());
    plain.cancel().await.unwrap();

    let scoped = client_with(
        &server.base,
        Some(token_with(json!({"scope": "openid looker:act_as"}))),
        &[],
    )
    .await;
    assert!(has_act_as(&scoped.list_all_tools().await.unwrap()));
    let result = call(
        &scoped,
        "get_git_branch",
        json!({"project_id": "ecommerce", "act_as_user": "77"}),
    )
    .await;
    assert_ne!(result.is_error, Some(true), "{}", text(&result));
    assert_eq!(callers(&h), ["77"]);
    scoped.cancel().await.unwrap();
}

#[tokio::test]
async fn public_without_an_act_as_scope_offers_no_act_as_user() {
    let jwks = Jwks::start().await;
    let mut h = Harness::new().await;
    crate::auth::set_public_posture(&mut h, &jwks.url);
    let server = start(&h, "git,query").await;
    let client = client_with(&server.base, Some(sign("rsa-1", &claims())), &[]).await;
    assert!(!has_act_as(&client.list_all_tools().await.unwrap()));
    act_as_is_refused(&client, "1", "LOOKER_MCP_ACT_AS_SCOPE is unset").await;
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn public_unmapped_tokens_run_as_the_service_account_only_by_opt_in() {
    let jwks = Jwks::start().await;
    let mut h = Harness::new().await;
    h.set("LOOKER_MCP_UNMAPPED_AS_SERVICE_ACCOUNT", "true");
    let server = public_server(&mut h, &jwks).await;
    let client = client_with(&server.base, Some(token_with(json!({"email": null}))), &[]).await;
    let me = result_json(&call(&client, "whoami", json!({})).await);
    assert_eq!(me["email"], "admin@example.com");
    client.cancel().await.unwrap();
}

// --- looker_oauth: the user's own token, never sudo ---------------------------------------------

pub(crate) async fn looker_oauth_server(h: &mut Harness, groups: &str) -> crate::http::HttpServer {
    h.set("LOOKER_MCP_MODE", "looker_oauth");
    h.set("LOOKER_MCP_RESOURCE_URI", "https://mcp.example.com");
    start(h, groups).await
}

#[tokio::test]
async fn looker_oauth_refuses_act_as_user_and_does_not_offer_it() {
    let mut h = Harness::new().await;
    let server = looker_oauth_server(&mut h, "git").await;
    let token = alice_token(&h).await;
    let client = client_with(&server.base, Some(token), &[]).await;
    assert!(!has_act_as(&client.list_all_tools().await.unwrap()));
    h.sim.take_requests();
    act_as_is_refused(&client, "1", "LOOKER_MCP_MODE=looker_oauth").await;
    let requests = h.sim.take_requests();
    assert!(
        !requests.iter().any(|r| r.path.starts_with("/login")),
        "no sudo login: {requests:#?}"
    );
    assert!(
        requests.iter().all(|r| r.user_id.as_deref() == Some("2")),
        "{requests:#?}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn looker_oauth_refuses_identity_headers() {
    let mut h = Harness::new().await;
    let server = looker_oauth_server(&mut h, "identity").await;
    let token = alice_token(&h).await;
    initialize_is_refused(
        &server.base,
        &[
            ("authorization", bearer(&token).as_bytes()),
            ("x-user-email", b"admin@example.com"),
        ],
        403,
        "looker_oauth",
    )
    .await;
}

// --- sessions belong to whoever opened them -----------------------------------------------------

/// Opens a session with `headers`; returns its id.
async fn open_session(base: &str, headers: &[(&str, &[u8])]) -> String {
    let (status, session, body) = post(base, headers, INIT).await;
    assert_eq!(status, 200, "{body}");
    let session = session.expect("a session id");
    let mut with_session: Vec<(&str, &[u8])> = headers.to_vec();
    with_session.push(("mcp-session-id", session.as_bytes()));
    let (status, _, _) = post(
        base,
        &with_session,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    )
    .await;
    assert_eq!(status, 202);
    session
}

const WHOAMI: &str =
    r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami","arguments":{}}}"#;

#[tokio::test]
async fn another_principal_cannot_use_delete_or_resume_a_session() {
    let jwks = Jwks::start().await;
    let mut h = Harness::new().await;
    let server = public_server(&mut h, &jwks).await;
    let alice = bearer(&sign("rsa-1", &claims()));
    let bob = bearer(&token_with(
        json!({"sub": "user-3", "email": "bob@example.com"}),
    ));
    let session = open_session(&server.base, &[("authorization", alice.as_bytes())]).await;
    let as_bob: Vec<(&str, &[u8])> = vec![
        ("authorization", bob.as_bytes()),
        ("mcp-session-id", session.as_bytes()),
    ];

    let (status, _, body) = post(&server.base, &as_bob, WHOAMI).await;
    assert_eq!(status, 404, "a call in alice's session: {body}");
    let (status, _, body) = post(&server.base, &as_bob, INIT).await;
    assert_eq!(status, 404, "re-initializing alice's session: {body}");
    let http = reqwest::Client::new();
    let stream = http
        .get(format!("{}/mcp", server.base))
        .header("authorization", &bob)
        .header("mcp-session-id", &session)
        .header("accept", "text/event-stream")
        .header("last-event-id", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 404, "resuming alice's stream");
    let delete = http
        .delete(format!("{}/mcp", server.base))
        .header("authorization", &bob)
        .header("mcp-session-id", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 404, "deleting alice's session");
    assert!(callers(&h).is_empty(), "bob ran nothing");

    // Alice's session is untouched.
    let as_alice: Vec<(&str, &[u8])> = vec![
        ("authorization", alice.as_bytes()),
        ("mcp-session-id", session.as_bytes()),
    ];
    let (status, _, body) = post(&server.base, &as_alice, WHOAMI).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        rpc_answer(&body)["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("alice@example.com")
    );
}

#[tokio::test]
async fn a_gateway_users_session_does_not_answer_another_asserted_user() {
    let h = Harness::new().await;
    let server = start(&h, "identity").await;
    let session = open_session(&server.base, &[("x-user-email", b"alice@example.com")]).await;
    let (status, _, _) = post(
        &server.base,
        &[
            ("x-user-email", b"bob@example.com"),
            ("mcp-session-id", session.as_bytes()),
        ],
        WHOAMI,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, _) = post(
        &server.base,
        &[("mcp-session-id", session.as_bytes())],
        WHOAMI,
    )
    .await;
    assert_eq!(status, 404, "nor the gateway's own traffic");
    assert!(callers(&h).is_empty());
}

// --- the JWKS and readiness under failure ---------------------------------------------------------

#[tokio::test]
async fn a_hanging_jwks_does_not_hold_up_tokens_with_known_keys() {
    use axum::routing::get;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    // Serves the key set once, then hangs on every later fetch.
    let fetches = Arc::new(AtomicUsize::new(0));
    let counter = fetches.clone();
    let app = axum::Router::new().route(
        "/jwks.json",
        get(move || {
            let counter = counter.clone();
            async move {
                if counter.fetch_add(1, Ordering::SeqCst) > 0 {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
                axum::Json(json!({"keys": [crate::auth::jwk("rsa-1")]}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut h = Harness::new().await;
    crate::auth::set_public_posture(&mut h, &url);
    let server = start(&h, "identity").await;
    let good = bearer(&sign("rsa-1", &claims()));
    assert_eq!(
        post(&server.base, &[("authorization", good.as_bytes())], INIT)
            .await
            .0,
        200
    );

    // A junk token with a made-up key id forces a fetch, which hangs…
    let junk = {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some("made-up".into());
        let key =
            jsonwebtoken::EncodingKey::from_rsa_pem(crate::auth::fixture("rsa-1.pem").as_bytes())
                .unwrap();
        bearer(&jsonwebtoken::encode(&header, &claims(), &key).unwrap())
    };
    let base = server.base.clone();
    let junk_call = tokio::spawn(async move {
        post(&base, &[("authorization", junk.as_bytes())], INIT)
            .await
            .0
    });
    while fetches.load(Ordering::SeqCst) < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // …while a valid token is answered without waiting for it.
    assert_eq!(
        post(&server.base, &[("authorization", good.as_bytes())], INIT)
            .await
            .0,
        200
    );
    assert!(
        !junk_call.is_finished(),
        "the valid token did not queue behind the junk one"
    );
    // The hanging fetch costs a bounded wait: the junk token is refused, not left hanging.
    let status = tokio::time::timeout(Duration::from_secs(30), junk_call)
        .await
        .expect("the JWKS fetch is bounded")
        .unwrap();
    assert_eq!(status, 401);
}

#[tokio::test]
async fn failing_readiness_costs_one_login_per_interval() {
    let mut h = Harness::new().await;
    h.set("LOOKER_CLIENT_SECRET", "wrong");
    let server = start(&h, "identity").await;
    for _ in 0..10 {
        let ready = reqwest::get(format!("{}/readyz", server.base))
            .await
            .unwrap();
        assert_eq!(ready.status(), 503);
    }
    let logins = h
        .sim
        .take_requests()
        .iter()
        .filter(|r| r.path == "/login")
        .count();
    assert_eq!(logins, 1, "ten probes, one login attempt");
}

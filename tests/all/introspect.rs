//! Gateway discovery at `/_introspect`: the discovery slice of MCP without a user token, in every
//! posture and both protocol eras; its `tools/list` is the one `/mcp` gives; anything else is
//! refused; the optional bearer; the switch; and not one request reaches Looker.

use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::auth::{Jwks, alice_token, claims, public_server, sign};
use crate::http::{HttpServer, rpc_answer, start};
use crate::principals::looker_oauth_server;
use crate::protocol::stateless_meta;
use crate::support::Harness;

/// Tool groups served in these tests (7 tools, some with output schemas).
const GROUPS: &str = "explore,identity";

const BEARER: &str = "gateway-s3cret";

/// An HTTP answer: status, headers and body.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

/// POSTs `body` to `base` + `path` with `headers`, as an MCP client would.
async fn post_to(base: &str, path: &str, headers: &[(&str, &str)], body: String) -> Answer {
    let mut request = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

/// POSTs `body` to `/_introspect`.
async fn introspect(server: &HttpServer, headers: &[(&str, &str)], body: String) -> Answer {
    post_to(&server.base, "/_introspect", headers, body).await
}

fn rpc(method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string()
}

fn initialize(version: &str) -> String {
    rpc(
        "initialize",
        json!({"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "gateway", "version": "0"}}),
    )
}

fn initialized() -> String {
    json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string()
}

/// A 2026-07-28 request's params: `_meta` naming the revision, plus `extra`.
fn stateless(extra: Value) -> Value {
    let mut params = json!({"_meta": stateless_meta()});
    params
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    params
}

/// The headers of a 2026-07-28 request for `method`.
fn stateless_headers(method: &'static str) -> [(&'static str, &'static str); 2] {
    [
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", method),
    ]
}

/// `tools/list` from `/_introspect` in the handshake era, without any token.
async fn discovered_tools(server: &HttpServer) -> Value {
    let listed = introspect(server, &[], rpc("tools/list", json!({}))).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    listed.json()["result"]["tools"].clone()
}

/// `tools/list` from an authenticated `/mcp` session (initialize, initialized, list).
async fn mcp_tools(server: &HttpServer, authorization: Option<&str>) -> Value {
    let auth: Vec<(&str, &str)> = authorization
        .map(|a| ("authorization", a))
        .into_iter()
        .collect();
    let opened = post_to(&server.base, "/mcp", &auth, initialize("2025-11-25")).await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    let session = opened
        .header("mcp-session-id")
        .expect("a session")
        .to_string();
    let mut in_session = auth.clone();
    in_session.push(("mcp-session-id", session.as_str()));
    in_session.push(("mcp-protocol-version", "2025-11-25"));
    let acknowledged = post_to(&server.base, "/mcp", &in_session, initialized()).await;
    assert_eq!(acknowledged.status, 202);
    let listed = post_to(
        &server.base,
        "/mcp",
        &in_session,
        rpc("tools/list", json!({})),
    )
    .await;
    rpc_answer(&listed.body)["result"]["tools"].clone()
}

/// Each tool's name, input schema and output schema.
fn signatures(tools: &Value) -> Vec<Value> {
    tools
        .as_array()
        .unwrap_or_else(|| panic!("no tools: {tools}"))
        .iter()
        .map(|t| json!([t["name"], t["inputSchema"], t["outputSchema"]]))
        .collect()
}

fn assert_same_tools(discovered: &Value, listed: &Value) {
    assert_eq!(signatures(discovered).len(), 8, "{discovered}");
    assert_eq!(signatures(discovered), signatures(listed));
    assert_eq!(discovered, listed, "the whole listing is the same");
}

fn assert_json_rpc_error(answer: &Answer, status: u16, code: i64) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(answer.json()["error"]["code"], code, "{}", answer.body);
}

/// Starts a server with the introspect bearer set.
async fn bearer_server(h: &mut Harness) -> HttpServer {
    h.set("LOOKER_MCP_INTROSPECT_BEARER", BEARER);
    start(h, GROUPS).await
}

fn assert_unauthorized(answer: &Answer) {
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert_eq!(answer.json(), json!({"error": "unauthorized"}));
    assert_eq!(
        answer.header("www-authenticate"),
        Some("Bearer realm=\"introspect\"")
    );
}

// --- discovery in each posture ---------------------------------------------------------------------

#[tokio::test]
async fn dev_discovery_lists_what_mcp_lists() {
    let h = Harness::new().await;
    let server = start(&h, GROUPS).await;
    assert_same_tools(
        &discovered_tools(&server).await,
        &mcp_tools(&server, None).await,
    );
}

#[tokio::test]
async fn public_discovery_needs_no_token_and_lists_what_mcp_lists() {
    let jwks = Jwks::start().await;
    let mut h = Harness::new().await;
    crate::auth::set_public_posture(&mut h, &jwks.url);
    let server = start(&h, GROUPS).await;
    let token = format!("Bearer {}", sign("rsa-1", &claims()));
    assert_same_tools(
        &discovered_tools(&server).await,
        &mcp_tools(&server, Some(&token)).await,
    );
}

#[tokio::test]
async fn only_the_exact_path_skips_the_auth_gate() {
    let jwks = Jwks::start().await;
    let mut h = Harness::new().await;
    let server = public_server(&mut h, &jwks).await;
    for path in ["/_introspect/", "/_introspect/mcp", "/mcp"] {
        let refused = post_to(&server.base, path, &[], initialize("2025-11-25")).await;
        assert_eq!(refused.status, 401, "{path}: {}", refused.body);
    }
}

#[tokio::test]
async fn looker_oauth_discovery_needs_no_token_and_lists_what_mcp_lists() {
    let mut h = Harness::new().await;
    let server = looker_oauth_server(&mut h, GROUPS).await;
    let token = format!("Bearer {}", alice_token(&h).await);
    assert_same_tools(
        &discovered_tools(&server).await,
        &mcp_tools(&server, Some(&token)).await,
    );
}

#[tokio::test]
async fn static_bearer_dev_serves_discovery_without_that_bearer() {
    let mut h = Harness::new().await;
    h.set("LOOKER_MCP_AUTH_TOKEN", "mcp-s3cret");
    let server = start(&h, GROUPS).await;
    assert_same_tools(
        &discovered_tools(&server).await,
        &mcp_tools(&server, Some("Bearer mcp-s3cret")).await,
    );
}

// --- the handshake era -------------------------------------------------------------------------------

#[tokio::test]
async fn initialize_answers_like_mcp_in_both_handshake_revisions() {
    let h = Harness::new().await;
    let server = start(&h, GROUPS).await;
    for version in ["2025-06-18", "2025-11-25"] {
        let discovered = introspect(&server, &[], initialize(version)).await;
        assert_eq!(discovered.status, 200, "{}", discovered.body);
        let opened = post_to(&server.base, "/mcp", &[], initialize(version)).await;
        assert_eq!(discovered.json(), rpc_answer(&opened.body), "{version}");
        assert_eq!(discovered.json()["result"]["protocolVersion"], version);
    }
}

#[tokio::test]
async fn initialized_notification_is_accepted_with_202() {
    let h = Harness::new().await;
    let server = start(&h, GROUPS).await;
    let acknowledged = introspect(&server, &[], initialized()).await;
    assert_eq!(acknowledged.status, 202, "{}", acknowledged.body);
    assert!(acknowledged.body.is_empty());
}

#[tokio::test]
async fn answers_are_plain_json_without_a_session() {
    let h = Harness::new().await;
    let server = start(&h, GROUPS).await;
    for body in [initialize("2025-11-25"), rpc("tools/list", json!({}))] {
        let answer = introspect(&server, &[], body).await;
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert_eq!(answer.header("mcp-session-id"), None);
    }
}

#[tokio::test]
async fn tools_call_is_refused_with_405() {
    let h = Harness::new().await;
    let server = start(&h, GROUPS).await;
    let call = rpc("tools/call", json!({"name": "whoami", "arguments": {}}));
    assert_json_rpc_error(&introspect(&server, &[], call).await, 405, -32601);
}

// --- 2026-07-28 ----------------------------------------------------------------------------------------

#[tokio::test]
async fn server_discover_answers_like_mcp_on_2026_07_28() {
    let h = Harness::new().await;
    let server = start(&h, GROUPS).await;
    let headers = stateless_headers("server/discover");
    let request = || rpc("server/discover", stateless(json!({})));
    let discovered = introspect(&server, &headers, request()).await;
    assert_eq!(discovered.status, 200, "{}", discovered.body);
    let from_mcp = post_to(&server.base, "/mcp", &headers, request()).await;
    assert_eq!(discovered.json(), rpc_answer(&from_mcp.body));
    let info = &discovered.json()["result"]["_meta"]["io.modelcontextprotocol/serverInfo"];
    assert_eq!(info["name"], "looker-mcp-server");
}

#[tokio::test]
async fn tools_list_answers_like_mcp_on_2026_07_28() {
    let h = Harness::new().await;
    let server = start(&h, GROUPS).await;
    let headers = stateless_headers("tools/list");
    let request = || rpc("tools/list", stateless(json!({})));
    let discovered = introspect(&server, &headers, request()).await;
    assert_eq!(discovered.status, 200, "{}", discovered.body);
    assert_eq!(discovered.header("mcp-session-id"), None);
    let from_mcp = post_to(&server.base, "/mcp", &headers, request()).await;
    assert_eq!(discovered.json(), rpc_answer(&from_mcp.body));
    assert_eq!(discovered.json()["result"]["resultType"], "complete");
}

#[tokio::test]
async fn the_2026_07_28_revision_is_read_from_meta_alone() {
    let h = Harness::new().await;
    let server = start(&h, GROUPS).await;
    let listed = introspect(&server, &[], rpc("tools/list", stateless(json!({})))).await;
    assert_eq!(
        listed.json()["result"]["cacheScope"],
        "private",
        "{}",
        listed.body
    );
}

#[tokio::test]
async fn tools_call_is_refused_with_404_on_2026_07_28() {
    let h = Harness::new().await;
    let server = start(&h, GROUPS).await;
    let headers = stateless_headers("tools/call");
    let call = rpc(
        "tools/call",
        stateless(json!({"name": "whoami", "arguments": {}})),
    );
    let refused = introspect(&server, &headers, call).await;
    assert_json_rpc_error(&refused, 404, -32601);
}

// --- malformed requests and the other HTTP methods ---------------------------------------------------

#[tokio::test]
async fn an_unparseable_body_is_a_400_parse_error() {
    let h = Harness::new().await;
    let server = start(&h, GROUPS).await;
    let refused = introspect(&server, &[], "{not json".into()).await;
    assert_json_rpc_error(&refused, 400, -32700);
    assert_eq!(refused.json()["id"], Value::Null);
}

#[tokio::test]
async fn a_body_over_the_mcp_limit_is_refused() {
    let h = Harness::new().await;
    let server = start(&h, GROUPS).await;
    let padding = "x".repeat(looker_mcp::transport::http::MAX_BODY_BYTES);
    let body = rpc("tools/list", json!({"padding": padding}));
    assert_eq!(introspect(&server, &[], body).await.status, 413);
}

#[tokio::test]
async fn get_answers_204() {
    let h = Harness::new().await;
    let server = start(&h, GROUPS).await;
    let url = format!("{}/_introspect", server.base);
    assert_eq!(reqwest::get(url).await.unwrap().status(), 204);
}

#[tokio::test]
async fn delete_answers_200() {
    let h = Harness::new().await;
    let server = start(&h, GROUPS).await;
    let url = format!("{}/_introspect", server.base);
    let answer = reqwest::Client::new().delete(url).send().await.unwrap();
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn tokens_in_the_query_string_are_refused() {
    let h = Harness::new().await;
    let server = start(&h, GROUPS).await;
    let path = "/_introspect?access_token=abc";
    let refused = post_to(&server.base, path, &[], rpc("tools/list", json!({}))).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(refused.json()["error"], "invalid_request");
}

// --- the bearer ----------------------------------------------------------------------------------------

#[tokio::test]
async fn a_missing_bearer_is_refused_when_one_is_set() {
    let mut h = Harness::new().await;
    let server = bearer_server(&mut h).await;
    assert_unauthorized(&introspect(&server, &[], initialize("2025-11-25")).await);
}

#[tokio::test]
async fn a_wrong_bearer_is_refused() {
    let mut h = Harness::new().await;
    let server = bearer_server(&mut h).await;
    let wrong = [("authorization", "Bearer gateway-s3cre7")];
    assert_unauthorized(&introspect(&server, &wrong, initialize("2025-11-25")).await);
}

#[tokio::test]
async fn the_bearer_guards_get_and_delete_too() {
    let mut h = Harness::new().await;
    let server = bearer_server(&mut h).await;
    let url = format!("{}/_introspect", server.base);
    let http = reqwest::Client::new();
    assert_eq!(http.get(&url).send().await.unwrap().status(), 401);
    assert_eq!(http.delete(&url).send().await.unwrap().status(), 401);
}

#[tokio::test]
async fn the_right_bearer_is_accepted() {
    let mut h = Harness::new().await;
    let server = bearer_server(&mut h).await;
    let right = [("authorization", "Bearer gateway-s3cret")];
    let answer = introspect(&server, &right, rpc("tools/list", json!({}))).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(
        !server.log_text().contains(BEARER),
        "the bearer never reaches the log"
    );
}

// --- turned off ------------------------------------------------------------------------------------------

#[tokio::test]
async fn turned_off_the_route_is_not_served() {
    let mut h = Harness::new().await;
    h.set("LOOKER_MCP_INTROSPECT", "false");
    let server = start(&h, GROUPS).await;
    let answer = introspect(&server, &[], initialize("2025-11-25")).await;
    assert_eq!(answer.status, 404, "{}", answer.body);
}

#[tokio::test]
async fn turned_off_the_path_stays_behind_the_auth_gate() {
    let jwks = Jwks::start().await;
    let mut h = Harness::new().await;
    h.set("LOOKER_MCP_INTROSPECT", "false");
    let server = public_server(&mut h, &jwks).await;
    let answer = introspect(&server, &[], initialize("2025-11-25")).await;
    assert_eq!(answer.status, 401, "like any other path: {}", answer.body);
    assert!(
        answer
            .header("www-authenticate")
            .unwrap()
            .contains("looker-mcp")
    );
}

// --- Looker is never asked -------------------------------------------------------------------------------

#[tokio::test]
async fn discovery_makes_no_looker_request() {
    let mut h = Harness::new().await;
    let server = looker_oauth_server(&mut h, GROUPS).await;
    h.sim.take_requests();
    let stateless_list = stateless_headers("tools/list");
    let stateless_discover = stateless_headers("server/discover");
    let some_token = [("authorization", "Bearer not-a-looker-token")];
    introspect(&server, &some_token, initialize("2025-11-25")).await;
    introspect(&server, &[], initialized()).await;
    introspect(&server, &some_token, rpc("tools/list", json!({}))).await;
    let discover = rpc("server/discover", stateless(json!({})));
    introspect(&server, &stateless_discover, discover).await;
    let list = rpc("tools/list", stateless(json!({})));
    introspect(&server, &stateless_list, list).await;
    let call = rpc("tools/call", json!({"name": "whoami", "arguments": {}}));
    introspect(&server, &[], call).await;
    let requests = h.sim.take_requests();
    assert!(requests.is_empty(), "{requests:#?}");
}

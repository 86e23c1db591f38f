//! MCP protocol versions over stdio: the two handshake revisions and the stateless 2026-07-28 one.

use serde_json::{Value, json};

use crate::support::{Harness, RawStdio};

async fn handshake(version: &str) {
    let h = Harness::new().await;
    let mut server = RawStdio::spawn(h.command(&["--groups", "explore,identity"]));
    let init = server
        .request(
            1,
            "initialize",
            json!({"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}),
        )
        .await;
    let result = &init["result"];
    assert_eq!(result["protocolVersion"], version, "{init}");
    assert_eq!(result["serverInfo"]["name"], "looker-mcp-server");
    assert_eq!(result["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(result["capabilities"]["tools"].is_object(), "{init}");
    server
        .send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await;
    let list = server.request(2, "tools/list", json!({})).await;
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.first(), Some(&"list_models"));
    assert_eq!(names.last(), Some(&"whoami"));
    let call = server
        .request(3, "tools/call", json!({"name": "whoami", "arguments": {}}))
        .await;
    assert_eq!(call["result"]["isError"], false, "{call}");
    h.assert_no_violations();
}

#[tokio::test]
async fn handshake_2025_06_18() {
    handshake("2025-06-18").await;
}

#[tokio::test]
async fn handshake_2025_11_25() {
    handshake("2025-11-25").await;
}

pub(crate) fn stateless_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"}
    })
}

#[tokio::test]
async fn stateless_2026_07_28_without_initialize() {
    let h = Harness::new().await;
    let mut server = RawStdio::spawn(h.command(&["--groups", "explore,identity"]));
    let discover = server
        .request(1, "server/discover", json!({"_meta": stateless_meta()}))
        .await;
    let result = &discover["result"];
    let versions: Vec<&str> = result["supportedVersions"]
        .as_array()
        .unwrap_or_else(|| panic!("{discover}"))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for v in ["2025-06-18", "2025-11-25", "2026-07-28"] {
        assert!(versions.contains(&v), "{v} missing from {versions:?}");
    }
    // 2026-07-28 carries the server's identity in `_meta`.
    let info = &result["_meta"]["io.modelcontextprotocol/serverInfo"];
    assert_eq!(info["name"], "looker-mcp-server", "{discover}");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"), "{discover}");
    assert!(result["capabilities"]["tools"].is_object(), "{discover}");
    let list = server
        .request(2, "tools/list", json!({"_meta": stateless_meta()}))
        .await;
    assert_eq!(
        list["result"]["tools"].as_array().map(Vec::len),
        Some(8),
        "{list}"
    );
    let call = server
        .request(
            3,
            "tools/call",
            json!({"_meta": stateless_meta(), "name": "list_models", "arguments": {}}),
        )
        .await;
    assert_eq!(call["result"]["isError"], false, "{call}");
    assert!(
        call["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("ecommerce"),
        "{call}"
    );
    h.assert_no_violations();
}

#[tokio::test]
async fn unknown_tool_is_a_protocol_error() {
    let h = Harness::new().await;
    let mut server = RawStdio::spawn(h.command(&["--groups", "identity"]));
    server
        .request(1, "initialize", json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}))
        .await;
    server
        .send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await;
    let answer = server
        .request(
            2,
            "tools/call",
            json!({"name": "no_such_tool", "arguments": {}}),
        )
        .await;
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no_such_tool")
    );
}

/// A line that is not JSON gets a JSON-RPC Parse error (id null), before and after the
/// handshake, and the server keeps serving.
#[tokio::test]
async fn a_line_that_is_not_json_gets_a_parse_error() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let h = Harness::new().await;
    let mut child = h
        .command(&["--groups", "identity"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    type Lines = tokio::io::Lines<BufReader<tokio::process::ChildStdout>>;
    async fn exchange(
        stdin: &mut tokio::process::ChildStdin,
        stdout: &mut Lines,
        line: &str,
    ) -> Value {
        stdin.write_all(line.as_bytes()).await.unwrap();
        stdin.write_all(b"\n").await.unwrap();
        stdin.flush().await.unwrap();
        let answer = tokio::time::timeout(std::time::Duration::from_secs(60), stdout.next_line())
            .await
            .expect("an answer within 60 s")
            .unwrap()
            .expect("stdout still open");
        serde_json::from_str(&answer).unwrap_or_else(|e| panic!("{e}: {answer}"))
    }
    let parse_error = |answer: &Value| {
        assert_eq!(answer["jsonrpc"], "2.0", "{answer}");
        assert!(answer.get("id").is_some_and(Value::is_null), "{answer}");
        assert_eq!(answer["error"]["code"], -32700, "{answer}");
        assert_eq!(answer["error"]["message"], "Parse error", "{answer}");
    };

    parse_error(&exchange(&mut stdin, &mut stdout, "this is not json").await);
    parse_error(
        &exchange(
            &mut stdin,
            &mut stdout,
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize""#,
        )
        .await,
    );
    let init = exchange(
        &mut stdin,
        &mut stdout,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}).to_string(),
    )
    .await;
    assert_eq!(init["id"], 1, "{init}");
    assert_eq!(init["result"]["serverInfo"]["name"], "looker-mcp-server");
    stdin
        .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
        .await
        .unwrap();
    parse_error(&exchange(&mut stdin, &mut stdout, "{]").await);
    let call = exchange(
        &mut stdin,
        &mut stdout,
        &json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "whoami", "arguments": {}}}).to_string(),
    )
    .await;
    assert_eq!(call["id"], 2, "{call}");
    assert_eq!(call["result"]["isError"], false, "{call}");
    drop(stdin);
    let status = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "a clean exit when stdin closes");
}

//! Irreversible steps confirmed through MCP elicitation: a client that supports form elicitation
//! is asked before a `confirm`-gated tool runs; yes runs it, no runs nothing; a client without
//! elicitation gets the tool's dry-run plan.

use serde_json::{Value, json};

use crate::support::{Harness, RawStdio, shape};

/// A raw stdio session whose client declares form elicitation.
async fn eliciting_client(h: &Harness) -> RawStdio {
    let mut raw = RawStdio::spawn(h.command(&["--groups", "workflows"]));
    let init = raw
        .request(
            1,
            "initialize",
            json!({"protocolVersion": "2025-11-25", "capabilities": {"elicitation": {"form": {}}},
                   "clientInfo": {"name": "t", "version": "0"}}),
        )
        .await;
    assert!(init.get("result").is_some(), "{init}");
    raw.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await;
    raw
}

/// Calls `rollback_to_production` without `confirm`, answers the server's elicitation with
/// `answer`, and returns (the elicitation request, the tool result).
async fn rollback_answering(raw: &mut RawStdio, id: u64, answer: Value) -> (Value, Value) {
    raw.send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                    "params": {"name": "rollback_to_production", "arguments": {"project_id": "ecommerce"}}}))
        .await;
    let asked = loop {
        let message = raw.recv().await;
        if message["method"] == "elicitation/create" {
            break message;
        }
        assert_ne!(message["id"], id, "answered without asking: {message}");
    };
    raw.send(json!({"jsonrpc": "2.0", "id": asked["id"], "result": answer}))
        .await;
    loop {
        let message = raw.recv().await;
        if message["id"] == id {
            return (asked, message["result"].clone());
        }
    }
}

#[tokio::test]
async fn confirm_gated_tools_ask_the_user_first() {
    let h = Harness::new().await;
    let mut raw = eliciting_client(&h).await;

    let (asked, result) = rollback_answering(
        &mut raw,
        2,
        json!({"action": "accept", "content": {"confirm": true}}),
    )
    .await;
    let message = asked["params"]["message"].as_str().unwrap();
    assert!(
        message.contains("rollback_to_production") && message.contains("ecommerce"),
        "{message}"
    );
    assert_eq!(
        asked["params"]["requestedSchema"]["properties"]["confirm"]["type"],
        "boolean"
    );
    assert_eq!(result["structuredContent"]["reset"], true, "{result}");
    assert_eq!(
        shape(&h.api_requests()),
        ["POST /projects/ecommerce/reset_to_production"]
    );

    for (id, answer) in [
        (3, json!({"action": "decline"})),
        (4, json!({"action": "cancel"})),
        (
            5,
            json!({"action": "accept", "content": {"confirm": false}}),
        ),
    ] {
        let (_, result) = rollback_answering(&mut raw, id, answer.clone()).await;
        assert_eq!(result["isError"], false, "{answer}: {result}");
        assert_eq!(result["structuredContent"]["confirmed"], false, "{result}");
        assert!(h.api_requests().is_empty(), "{answer}: nothing runs");
    }

    // `confirm: true` in the arguments is the caller's own confirmation: no question.
    let done = raw
        .request(
            6,
            "tools/call",
            json!({"name": "rollback_to_production", "arguments": {"project_id": "ecommerce", "confirm": true}}),
        )
        .await;
    assert_eq!(done["result"]["structuredContent"]["reset"], true, "{done}");
    h.assert_no_violations();
}

#[tokio::test]
async fn clients_without_elicitation_get_the_dry_run() {
    let h = Harness::new().await;
    let mut raw = RawStdio::spawn(h.command(&["--groups", "workflows"]));
    raw.request(
        1,
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}),
    )
    .await;
    raw.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await;
    let plan = raw
        .request(
            2,
            "tools/call",
            json!({"name": "rollback_to_production", "arguments": {"project_id": "ecommerce"}}),
        )
        .await;
    assert_eq!(
        plan["result"]["structuredContent"]["dry_run"], true,
        "{plan}"
    );
    assert!(h.api_requests().is_empty());
}

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

/// A 2026-07-28 request's `_meta`, from a client that can (or cannot) ask its user.
fn stateless_meta(elicits: bool) -> Value {
    let capabilities = if elicits {
        json!({"elicitation": {"form": {}}})
    } else {
        json!({})
    };
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": capabilities,
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "0"}
    })
}

#[tokio::test]
async fn stateless_clients_are_asked_through_an_input_request_and_retry_with_the_answer() {
    let h = Harness::new().await;
    let mut raw = RawStdio::spawn(h.command(&["--groups", "workflows"]));
    let call = |extra: Value| {
        let mut params = json!({"_meta": stateless_meta(true), "name": "rollback_to_production",
                                "arguments": {"project_id": "ecommerce"}});
        params
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        params
    };
    let asked = raw.request(1, "tools/call", call(json!({}))).await;
    let result = &asked["result"];
    assert_eq!(result["resultType"], "input_required", "{asked}");
    let question = &result["inputRequests"]["confirm"];
    assert_eq!(question["method"], "elicitation/create", "{asked}");
    assert!(
        question["params"]["message"]
            .as_str()
            .unwrap()
            .contains("rollback_to_production"),
        "{asked}"
    );
    assert_eq!(
        question["params"]["requestedSchema"]["properties"]["confirm"]["type"],
        "boolean"
    );
    assert!(
        h.api_requests().is_empty(),
        "nothing runs before the answer"
    );

    for (id, answer) in [
        (2, json!({"action": "decline"})),
        (
            3,
            json!({"action": "accept", "content": {"confirm": false}}),
        ),
    ] {
        let declined = raw
            .request(
                id,
                "tools/call",
                call(json!({"inputResponses": {"confirm": answer}})),
            )
            .await;
        assert_eq!(declined["result"]["isError"], false, "{declined}");
        assert_eq!(
            declined["result"]["structuredContent"]["confirmed"], false,
            "{declined}"
        );
        assert!(h.api_requests().is_empty(), "{answer}: nothing runs");
    }

    let accepted = raw
        .request(
            4,
            "tools/call",
            call(json!({"inputResponses": {"confirm": {"action": "accept", "content": {"confirm": true}}}})),
        )
        .await;
    assert_eq!(
        accepted["result"]["structuredContent"]["reset"], true,
        "{accepted}"
    );
    assert_eq!(
        shape(&h.api_requests()),
        ["POST /projects/ecommerce/reset_to_production"]
    );

    // A stateless client that cannot ask its user gets the dry run, as before.
    let mut params = call(json!({}));
    params["_meta"] = stateless_meta(false);
    let plan = raw.request(5, "tools/call", params).await;
    assert_eq!(
        plan["result"]["structuredContent"]["dry_run"], true,
        "{plan}"
    );
    assert!(h.api_requests().is_empty());
    h.assert_no_violations();
}

/// The three confirm-gated tools with arguments that would run their irreversible step.
const GATED: [(&str, &str); 3] = [
    ("rollback_to_production", r#"{"project_id": "ecommerce"}"#),
    (
        "reset_git_branch_to_remote",
        r#"{"project_id": "ecommerce"}"#,
    ),
    (
        "update_git_branch",
        r#"{"project_id": "ecommerce", "branch_name": "main", "ref": "abc1234"}"#,
    ),
];

#[tokio::test]
async fn the_three_confirm_gated_tools_agree_when_unconfirmed_and_when_declined() {
    let h = Harness::new().await;
    // No way to ask: every one answers a dry-run plan, not an error, and sends nothing.
    let client = h.stdio_client(&["--groups", "git,workflows"]).await;
    for (tool, arguments) in GATED {
        let arguments: Value = serde_json::from_str(arguments).unwrap();
        let plan = crate::support::call(&client, tool, arguments).await;
        assert_eq!(
            plan.is_error,
            Some(false),
            "{tool}: {}",
            crate::support::text(&plan)
        );
        let plan = plan.structured_content.unwrap();
        assert_eq!(plan["dry_run"], true, "{tool}: {plan}");
        assert_eq!(plan["confirmed"], false, "{tool}: {plan}");
        assert!(
            plan["message"]
                .as_str()
                .unwrap()
                .contains("\"confirm\": true"),
            "{tool}: {plan}"
        );
    }
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();

    // A client that can ask: every one asks, and a no sends nothing.
    let mut raw = RawStdio::spawn(h.command(&["--groups", "git,workflows"]));
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
    for (id, (tool, arguments)) in (2..).zip(GATED) {
        let arguments: Value = serde_json::from_str(arguments).unwrap();
        raw.send(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                        "params": {"name": tool, "arguments": arguments}}))
            .await;
        let asked = loop {
            let message = raw.recv().await;
            if message["method"] == "elicitation/create" {
                break message;
            }
            assert_ne!(
                message["id"], id,
                "{tool} answered without asking: {message}"
            );
        };
        assert!(
            asked["params"]["message"].as_str().unwrap().contains(tool),
            "{asked}"
        );
        raw.send(json!({"jsonrpc": "2.0", "id": asked["id"], "result": {"action": "decline"}}))
            .await;
        let answer = loop {
            let message = raw.recv().await;
            if message["id"] == id {
                break message;
            }
        };
        assert_eq!(answer["result"]["isError"], false, "{tool}: {answer}");
        assert_eq!(
            answer["result"]["structuredContent"]["confirmed"], false,
            "{tool}"
        );
        assert_eq!(
            answer["result"]["structuredContent"]["dry_run"], true,
            "{tool}"
        );
    }
    assert!(h.api_requests().is_empty(), "declined: nothing sent");
    h.assert_no_violations();
}

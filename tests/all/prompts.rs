//! Prompts through a real client: offered only when their tools are served, messages that name
//! real tools, arguments checked by name.

use rmcp::model::GetPromptRequestParams;
use serde_json::json;

use crate::support::Harness;

fn arguments(value: serde_json::Value) -> rmcp::model::JsonObject {
    value.as_object().cloned().unwrap()
}

#[tokio::test]
async fn prompts_follow_the_served_tools_and_name_them() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "all"]).await;
    let prompts = client.list_all_prompts().await.unwrap();
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "explore_model",
            "answer_question",
            "validate_lookml_branch",
            "find_stale_content"
        ]
    );
    let tools = crate::support::tool_names(&client).await;
    let filled = [
        ("explore_model", json!({"model": "ecommerce"})),
        (
            "answer_question",
            json!({"question": "Which region sells most?", "model": "ecommerce", "explore": "orders",
                   "field": "orders.status", "value": "complete"}),
        ),
        (
            "validate_lookml_branch",
            json!({"project": "ecommerce", "branch": "dev-alice"}),
        ),
        ("find_stale_content", json!({"days": "180"})),
    ];
    for (name, args) in filled {
        let prompt = client
            .get_prompt(GetPromptRequestParams::new(name).with_arguments(arguments(args)))
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let [message] = prompt.messages.as_slice() else {
            panic!("{name}: one message: {prompt:?}");
        };
        let text = &message
            .content
            .as_text()
            .unwrap_or_else(|| panic!("{name}: text: {message:?}"))
            .text;
        let named: Vec<&str> = text.split('`').skip(1).step_by(2).collect();
        assert!(!named.is_empty(), "{name} names tools: {text}");
        for tool in named {
            assert!(
                tools.iter().any(|t| t == tool),
                "{name} names `{tool}`, which is not served"
            );
        }
        if name == "answer_question" {
            assert!(
                text.contains("Which region sells most?")
                    && text.contains("orders.status")
                    && text.contains("\"complete\""),
                "{text}"
            );
        }
    }
    assert!(
        h.api_requests().is_empty(),
        "prompts read nothing from Looker"
    );
    client.cancel().await.unwrap();

    let client = h.stdio_client(&["--groups", "explore,query"]).await;
    let names: Vec<String> = client
        .list_all_prompts()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(
        names,
        ["explore_model", "answer_question"],
        "only prompts whose tools are served"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn prompt_arguments_are_checked_by_name() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "explore,query"]).await;
    let cases = [
        (
            "answer_question",
            json!({"model": "ecommerce", "explore": "orders"}),
            "needs the argument \"question\"",
        ),
        (
            "explore_model",
            json!({"model": "ecommerce", "colour": "red"}),
            "has no argument \"colour\"",
        ),
        (
            "find_stale_content",
            json!({}),
            "unknown prompt \"find_stale_content\"",
        ),
    ];
    for (name, args, needle) in cases {
        let error = client
            .get_prompt(GetPromptRequestParams::new(name).with_arguments(arguments(args)))
            .await
            .expect_err(needle)
            .to_string();
        assert!(error.contains(needle), "{error} should say {needle}");
    }
    client.cancel().await.unwrap();
}

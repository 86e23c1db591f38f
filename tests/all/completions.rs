//! `completion/complete` through a real client: model, explore, view and field names for the
//! resource templates and the prompts' arguments, cached per caller, refused for what does
//! not exist.

use std::collections::HashMap;

use rmcp::model::CompletionContext;

use crate::support::{Harness, shape};

fn context(pairs: &[(&str, &str)]) -> Option<CompletionContext> {
    let arguments: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Some(CompletionContext::with_arguments(arguments))
}

#[tokio::test]
async fn completes_models_explores_views_and_fields_and_caches_them() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "explore,query"]).await;
    let template = "looker://models/{model}/explores/{explore}";

    let models = client
        .complete_resource_argument(template, "model", "eco", None)
        .await
        .unwrap();
    assert_eq!(models.values, ["ecommerce"]);
    assert_eq!((models.total, models.has_more), (Some(1), Some(false)));
    let explores = client
        .complete_resource_argument(template, "explore", "", context(&[("model", "ecommerce")]))
        .await
        .unwrap();
    assert!(
        explores.values.contains(&"orders".to_owned()),
        "{explores:?}"
    );
    assert!(
        !explores.values.contains(&"campaigns".to_owned()),
        "only the model's explores: {explores:?}"
    );
    assert_eq!(
        shape(&h.api_requests()),
        ["GET /lookml_models"],
        "one listing, cached"
    );

    let in_orders = context(&[("model", "ecommerce"), ("explore", "orders")]);
    let fields = client
        .complete_prompt_argument("answer_question", "field", "cou", in_orders.clone())
        .await
        .unwrap();
    assert_eq!(
        fields.values.first().map(String::as_str),
        Some("orders.count"),
        "{fields:?}"
    );
    assert!(
        fields
            .values
            .iter()
            .all(|v| v.to_lowercase().contains("cou")),
        "{fields:?}"
    );
    let views = client
        .complete_prompt_argument("answer_question", "view", "", in_orders.clone())
        .await
        .unwrap();
    assert_eq!(
        views.values,
        ["orders"],
        "the explore's views with visible fields"
    );
    let users_fields = client
        .complete_prompt_argument(
            "answer_question",
            "field",
            "",
            context(&[
                ("model", "ecommerce"),
                ("explore", "orders"),
                ("view", "orders"),
            ]),
        )
        .await
        .unwrap();
    assert!(
        users_fields.values.len() >= 4
            && users_fields.values.iter().all(|f| f.starts_with("orders.")),
        "the fields of one view, never the hidden users.email: {users_fields:?}"
    );
    let again = client
        .complete_prompt_argument("answer_question", "field", "orders.st", in_orders)
        .await
        .unwrap();
    assert!(
        again.values.contains(&"orders.status".to_owned()),
        "{again:?}"
    );
    assert_eq!(
        shape(&h.api_requests()),
        ["GET /lookml_models/ecommerce/explores/orders"],
        "the explore is read once for both field completions"
    );

    let kinds = client
        .complete_prompt_argument("find_stale_content", "content_type", "d", None)
        .await;
    assert!(
        kinds.is_err(),
        "find_stale_content is not served with these groups"
    );
    let free = client
        .complete_prompt_argument("answer_question", "question", "how many", None)
        .await
        .unwrap();
    assert!(free.values.is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn field_values_complete_through_the_suggestions_endpoint_per_caller() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "explore,query"]).await;
    let status = context(&[
        ("model", "ecommerce"),
        ("explore", "orders"),
        ("field", "orders.status"),
    ]);
    let values = client
        .complete_prompt_argument("answer_question", "value", "comp", status.clone())
        .await
        .unwrap();
    assert_eq!(values.values, ["complete"], "{values:?}");
    let requests = h.api_requests();
    assert_eq!(
        shape(&requests),
        ["GET /models/ecommerce/views/orders/fields/orders.status/suggestions"],
        "one suggestions request, the explore in its view segment"
    );
    assert_eq!(crate::support::query(&requests[0], "term"), Some("comp"));
    let again = client
        .complete_prompt_argument("answer_question", "value", "comp", status)
        .await
        .unwrap();
    assert_eq!(again.values, values.values);
    assert!(
        h.api_requests().is_empty(),
        "the same caller's same question is answered from the cache"
    );
    // No field in the context: nothing to suggest, and nothing asked of Looker.
    let none = client
        .complete_prompt_argument(
            "answer_question",
            "value",
            "c",
            context(&[("model", "ecommerce"), ("explore", "orders")]),
        )
        .await
        .unwrap();
    assert!(none.values.is_empty());
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn completion_is_refused_for_unknown_templates_prompts_and_arguments() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "explore,query"]).await;
    let cases = [
        (
            client
                .complete_resource_argument("looker://dashboards/{id}", "id", "", None)
                .await,
            "no resource template",
        ),
        (
            client
                .complete_resource_argument("looker://models/{model}", "explore", "", None)
                .await,
            "has no argument \"explore\"",
        ),
        (
            client
                .complete_prompt_argument("no_such_prompt", "model", "", None)
                .await,
            "no prompt",
        ),
        (
            client
                .complete_prompt_argument("explore_model", "colour", "", None)
                .await,
            "has no argument \"colour\"",
        ),
    ];
    for (answer, needle) in cases {
        let error = answer.expect_err(needle).to_string();
        assert!(error.contains(needle), "{error} should say {needle}");
    }
    assert!(h.api_requests().is_empty(), "nothing reached Looker");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_model_allow_list_limits_completions() {
    let mut h = Harness::new().await;
    h.set("LOOKER_ALLOWED_MODELS", "marketing");
    let client = h.stdio_client(&["--groups", "explore,query"]).await;
    let models = client
        .complete_prompt_argument("explore_model", "model", "", None)
        .await
        .unwrap();
    assert_eq!(models.values, ["marketing"]);
    let fields = client
        .complete_prompt_argument(
            "answer_question",
            "field",
            "",
            context(&[("model", "ecommerce"), ("explore", "orders")]),
        )
        .await
        .unwrap();
    assert!(
        fields.values.is_empty(),
        "a forbidden explore offers nothing: {fields:?}"
    );
    client.cancel().await.unwrap();
}

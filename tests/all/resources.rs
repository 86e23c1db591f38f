//! MCP resources through a real client: `looker://models`, each explore's fields, the templates,
//! and that a resource read runs as the caller's Looker identity under the same model
//! allow-list as tools.

use rmcp::model::{ReadResourceRequestParams, ResourceContents};
use serde_json::Value;

use crate::auth::{alice_token, client_with};
use crate::principals::looker_oauth_server;
use crate::support::{Harness, shape};

type Client = rmcp::service::RunningService<rmcp::RoleClient, ()>;

/// The JSON of a read resource (one text content).
async fn read_json(client: &Client, uri: &str) -> Value {
    let read = client
        .read_resource(ReadResourceRequestParams::new(uri))
        .await
        .unwrap_or_else(|e| panic!("read {uri}: {e}"));
    let [
        ResourceContents::TextResourceContents {
            text, mime_type, ..
        },
    ] = read.contents.as_slice()
    else {
        panic!("one text content: {read:?}");
    };
    assert_eq!(mime_type.as_deref(), Some("application/json"));
    serde_json::from_str(text).unwrap()
}

async fn read_error(client: &Client, uri: &str) -> String {
    client
        .read_resource(ReadResourceRequestParams::new(uri))
        .await
        .expect_err(uri)
        .to_string()
}

async fn uris(client: &Client) -> Vec<String> {
    let listed = client.list_all_resources().await.unwrap();
    listed.into_iter().map(|r| r.uri).collect()
}

#[tokio::test]
async fn lists_models_and_explores_and_reads_an_explores_fields() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "explore"]).await;

    let page = client.list_resources(None).await.unwrap();
    assert_eq!(page.ttl_ms, Some(30_000), "2026-07-28 cache hint");
    let listed = uris(&client).await;
    for uri in [
        "looker://models",
        "looker://models/ecommerce",
        "looker://models/ecommerce/explores/orders",
        "looker://models/marketing",
    ] {
        assert!(listed.iter().any(|u| u == uri), "{uri} in {listed:?}");
    }
    assert!(
        !listed.iter().any(|u| u.starts_with("ui://")),
        "the result view is for MCP Apps clients only: {listed:?}"
    );
    let templates: Vec<String> = client
        .list_all_resource_templates()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.uri_template)
        .collect();
    assert_eq!(
        templates,
        [
            "looker://models/{model}",
            "looker://models/{model}/explores/{explore}"
        ]
    );
    h.api_requests();

    let explore = read_json(&client, "looker://models/ecommerce/explores/orders").await;
    assert_eq!(explore["model"], "ecommerce");
    assert_eq!(explore["explore"], "orders");
    let fields = explore["fields"].as_array().unwrap();
    let count = fields
        .iter()
        .find(|f| f["name"] == "orders.count")
        .unwrap_or_else(|| panic!("orders.count in {explore}"));
    assert_eq!(count["kind"], "measure");
    assert_eq!(count["type"], "count");
    assert!(
        fields
            .iter()
            .all(|f| f.get("sql").is_none() && f.get("view").is_none()),
        "compact: {explore}"
    );
    assert_eq!(
        shape(&h.api_requests()),
        ["GET /lookml_models/ecommerce/explores/orders"]
    );

    let models = read_json(&client, "looker://models").await;
    let names: Vec<&str> = models["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"ecommerce") && names.contains(&"marketing"),
        "{models}"
    );
    let model = read_json(&client, "looker://models/marketing").await;
    assert_eq!(model["name"], "marketing");

    let missing = read_error(&client, "looker://models/ecommerce/views/orders").await;
    assert!(
        missing.contains("no resource") && missing.contains("{explore}"),
        "{missing}"
    );
    let cursor = client
        .list_resources(Some(
            rmcp::model::PaginatedRequestParams::default().with_cursor(Some("x".into())),
        ))
        .await
        .expect_err("a cursor this server never gave")
        .to_string();
    assert!(cursor.contains("invalid cursor"), "{cursor}");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn the_model_allow_list_hides_and_refuses_forbidden_models() {
    let mut h = Harness::new().await;
    h.set("LOOKER_ALLOWED_MODELS", "marketing");
    let client = h.stdio_client(&["--groups", "explore"]).await;

    let listed = uris(&client).await;
    assert!(
        listed.iter().any(|u| u == "looker://models/marketing"),
        "{listed:?}"
    );
    assert!(
        !listed.iter().any(|u| u.contains("ecommerce")),
        "a forbidden model is not listed: {listed:?}"
    );
    let models = read_json(&client, "looker://models").await;
    assert!(!models.to_string().contains("ecommerce"), "{models}");
    h.api_requests();

    let refused = read_error(&client, "looker://models/ecommerce/explores/orders").await;
    assert!(refused.contains("LOOKER_ALLOWED_MODELS"), "{refused}");
    let refused = read_error(&client, "looker://models/ecommerce").await;
    assert!(refused.contains("LOOKER_ALLOWED_MODELS"), "{refused}");
    assert!(
        h.api_requests().is_empty(),
        "refused before Looker is asked"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_resource_read_under_looker_oauth_forwards_the_users_own_token() {
    let mut h = Harness::new().await;
    let server = looker_oauth_server(&mut h, "explore").await;
    let token = alice_token(&h).await;
    let client = client_with(&server.base, Some(token), &[]).await;
    h.sim.take_requests();

    let explore = read_json(&client, "looker://models/ecommerce/explores/orders").await;
    assert_eq!(explore["explore"], "orders");
    assert!(!uris(&client).await.is_empty());
    let requests = h.sim.take_requests();
    assert!(
        requests
            .iter()
            .any(|r| r.path == "/lookml_models/ecommerce/explores/orders"),
        "{requests:#?}"
    );
    assert!(
        requests.iter().all(|r| r.user_id.as_deref() == Some("2")),
        "every request as alice (user 2), with her own token: {requests:#?}"
    );
    assert!(
        !requests.iter().any(|r| r.path.starts_with("/login")),
        "no service-account or sudo login: {requests:#?}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn without_the_explore_group_there_are_no_looker_resources() {
    let h = Harness::new().await;
    let client = h.stdio_client(&["--groups", "query"]).await;
    assert!(uris(&client).await.is_empty());
    let refused = read_error(&client, "looker://models").await;
    assert!(refused.contains("list_models"), "{refused}");
    client.cancel().await.unwrap();
}

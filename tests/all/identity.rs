//! `whoami`, and the Looker session behaviour every tool relies on: one login, cached tokens,
//! one round trip per simple call, and a single transparent re-login when a token expires.

use serde_json::json;

use crate::support::{Harness, call, json};

#[tokio::test]
async fn whoami_returns_the_service_account_user() {
    let h = Harness::new().await;
    let client = h.client("identity").await;
    let me = json(&call(&client, "whoami", json!({})).await);
    assert_eq!(me["email"], "admin@example.com", "{me}");
    assert_eq!(me["id"].to_string().trim_matches('"'), "1", "{me}");
    let requests = h.api_requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("GET", "/user")
    );
    let fields = requests[0]
        .query
        .iter()
        .find(|(k, _)| k == "fields")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    assert!(
        fields.contains("email") && fields.contains("id"),
        "asks only for what it shows: {fields}"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn one_login_then_one_round_trip_per_call() {
    let h = Harness::new().await;
    let client = h.client("identity").await;
    call(&client, "whoami", json!({})).await;
    let first = h.sim.take_requests();
    assert_eq!(
        first.iter().filter(|r| r.path == "/login").count(),
        1,
        "{first:#?}"
    );
    for _ in 0..3 {
        call(&client, "whoami", json!({})).await;
    }
    let later = h.sim.take_requests();
    assert_eq!(
        later.len(),
        3,
        "exactly one Looker request per call once logged in: {later:#?}"
    );
    assert!(
        later
            .iter()
            .all(|r| r.path == "/user" && r.user_id.as_deref() == Some("1"))
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn an_expired_token_costs_one_relogin() {
    let h = Harness::new().await;
    let client = h.client("identity").await;
    call(&client, "whoami", json!({})).await;
    h.sim.take_requests();
    h.sim.expire_tokens();
    let me = json(&call(&client, "whoami", json!({})).await);
    assert_eq!(me["email"], "admin@example.com");
    let requests = h.sim.take_requests();
    let shape: Vec<(String, u16)> = requests
        .iter()
        .map(|r| (format!("{} {}", r.method, r.path), r.status))
        .collect();
    assert_eq!(
        shape,
        [
            ("GET /user".to_string(), 401),
            ("POST /login".to_string(), 200),
            ("GET /user".to_string(), 200)
        ],
        "401, one re-login, one retry"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn bad_credentials_are_a_clear_tool_error() {
    let mut h = Harness::new().await;
    h.set("LOOKER_CLIENT_SECRET", "not-the-secret");
    let client = h.client("identity").await;
    let result = call(&client, "whoami", json!({})).await;
    assert_eq!(result.is_error, Some(true));
    let text = crate::support::text(&result);
    assert!(text.contains("API3 login was refused (HTTP 404)"), "{text}");
    assert!(!text.contains("not-the-secret"));
    client.cancel().await.unwrap();
}

use std::time::Duration;

use serde_json::json;

use super::{Send, admin, alice, call, get, send_json, sim};
use crate::{SimConfig, Simulator};

#[tokio::test]
async fn login_returns_a_bearer_token() {
    let sim = sim().await;
    let got = call(
        &sim,
        "POST",
        "/login",
        None,
        Send::Form("client_id=demo-client-id&client_secret=demo-client-secret"),
    )
    .await;
    assert_eq!(got.status, 200);
    let body = got.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["access_token"].as_str().map(str::len), Some(40));
}

#[tokio::test]
async fn login_with_wrong_credentials_is_404_like_looker() {
    let sim = sim().await;
    let got = call(
        &sim,
        "POST",
        "/login",
        None,
        Send::Form("client_id=demo-client-id&client_secret=nope"),
    )
    .await;
    assert_eq!(got.status, 404);
    assert_eq!(got.json()["message"], "Not found");
    assert!(got.json()["documentation_url"].is_string());
    let missing = call(&sim, "POST", "/login", None, Send::None).await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn requests_without_or_with_unknown_token_get_401() {
    let sim = sim().await;
    let none = call(&sim, "GET", "/user", None, Send::None).await;
    assert_eq!(none.status, 401);
    assert_eq!(
        none.json(),
        json!({ "message": "Requires authentication.", "documentation_url": "https://cloud.google.com/looker/docs/" })
    );
    assert_eq!(get(&sim, "/user", "not-a-token").await.status, 401);
    assert!(
        sim.violations().is_empty(),
        "401s are not contract violations"
    );
}

#[tokio::test]
async fn bearer_scheme_is_accepted_too() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let req = axum::http::Request::get("/api/4.0/user")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .expect("request");
    let resp = tower::ServiceExt::oneshot(sim.router(), req)
        .await
        .expect("infallible");
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn expired_tokens_get_401() {
    let sim = sim().await;
    let token = admin(&sim).await;
    assert_eq!(get(&sim, "/user", &token).await.status, 200);
    sim.expire_tokens();
    assert_eq!(get(&sim, "/user", &token).await.status, 401);
    // A fresh login works again.
    let token = admin(&sim).await;
    assert_eq!(get(&sim, "/user", &token).await.status, 200);
}

#[tokio::test]
async fn token_ttl_is_configurable() {
    let config = SimConfig {
        token_ttl: Duration::from_millis(50),
        ..SimConfig::default()
    };
    let sim = Simulator::start(config).await.expect("starts");
    let token = admin(&sim).await;
    assert_eq!(get(&sim, "/user", &token).await.status, 200);
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert_eq!(get(&sim, "/user", &token).await.status, 401);
}

#[tokio::test]
async fn current_user_follows_the_token() {
    let sim = sim().await;
    let admin_token = admin(&sim).await;
    assert_eq!(
        get(&sim, "/user", &admin_token).await.json()["email"],
        "admin@example.com"
    );
    let alice_token = alice(&sim).await;
    let me = get(&sim, "/user", &alice_token).await.json();
    assert_eq!(
        (me["id"].as_str(), me["email"].as_str()),
        (Some("2"), Some("alice@example.com"))
    );
    assert!(me["credentials_api3"][0].get("client_secret").is_none());
}

#[tokio::test]
async fn sudo_login_needs_an_admin_and_a_real_user() {
    let sim = sim().await;
    let admin_token = admin(&sim).await;
    let got = call(&sim, "POST", "/login/77", Some(&admin_token), Send::None).await;
    assert_eq!(got.status, 200, "{}", got.text);
    let sudo = got.json()["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    assert_eq!(
        get(&sim, "/user", &sudo).await.json()["email"],
        "ci-bot@example.com"
    );
    assert_eq!(
        get(&sim, "/session", &sudo).await.json()["sudo_user_id"],
        "77"
    );

    assert_eq!(
        call(&sim, "POST", "/login/999", Some(&admin_token), Send::None)
            .await
            .status,
        404
    );
    let alice_token = alice(&sim).await;
    assert_eq!(
        call(&sim, "POST", "/login/3", Some(&alice_token), Send::None)
            .await
            .status,
        403
    );
    assert_eq!(
        call(&sim, "POST", "/login/3", None, Send::None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn logout_revokes_the_token() {
    let sim = sim().await;
    let token = admin(&sim).await;
    assert_eq!(
        call(&sim, "DELETE", "/logout", Some(&token), Send::None)
            .await
            .status,
        204
    );
    assert_eq!(get(&sim, "/user", &token).await.status, 401);
}

#[tokio::test]
async fn each_token_has_its_own_workspace() {
    let sim = sim().await;
    let a = admin(&sim).await;
    let b = admin(&sim).await;
    assert_eq!(
        get(&sim, "/session", &a).await.json()["workspace_id"],
        "production"
    );
    let got = send_json(
        &sim,
        "PATCH",
        "/session",
        &a,
        json!({ "workspace_id": "dev" }),
    )
    .await;
    assert_eq!(got.json()["workspace_id"], "dev");
    assert_eq!(
        get(&sim, "/session", &a).await.json()["workspace_id"],
        "dev"
    );
    assert_eq!(
        get(&sim, "/session", &b).await.json()["workspace_id"],
        "production"
    );
    let bad = send_json(
        &sim,
        "PATCH",
        "/session",
        &a,
        json!({ "workspace_id": "staging" }),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["errors"][0]["field"], "workspace_id");
}

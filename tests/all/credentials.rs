//! The `credentials` group: every tool through a real MCP client against the simulator,
//! checking results, the Looker requests they make, Looker's refusals (404/409 → `isError` with
//! Looker's message), arguments refused before any Looker call, and that a new API key's secret
//! comes back exactly once and never reaches the log.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{
    Harness, Logs, assert_tool_error_with as failed, call, json, only_request_to as only, text,
};

/// The client type of [`Harness::client`].
type Client = rmcp::service::RunningService<rmcp::RoleClient, ()>;

/// Whether Looker accepts the key pair (a direct `POST /login`).
async fn logs_in(h: &Harness, client_id: &str, client_secret: &str) -> bool {
    let response = reqwest::Client::new()
        .post(format!("{}/api/4.0/login", h.sim.base_url()))
        .form(&[("client_id", client_id), ("client_secret", client_secret)])
        .send()
        .await
        .expect("login request");
    response.status().is_success()
}

/// Arguments refused before anything reaches Looker.
async fn refused_locally(
    h: &Harness,
    client: &rmcp::service::RunningService<rmcp::RoleClient, ()>,
    cases: &[(&str, Value, &str)],
) {
    for (tool, args, needle) in cases {
        let result = call(client, tool, args.clone()).await;
        failed(&result, &[needle]);
        let t = text(&result).to_lowercase();
        assert!(t.contains("invalid arguments"), "{tool} {args}: {t}");
    }
    assert!(
        h.api_requests().is_empty(),
        "invalid arguments never reach Looker"
    );
}

/// A key [`with_new_key`] made for alice (user 2), and the id of the one she already had.
struct NewKey {
    old_id: String,
    id: String,
    client_id: String,
    secret: String,
}

/// A harness and a `credentials` client whose server's log is collected, with a new API key
/// made for alice (the requests taken).
async fn with_new_key() -> (Harness, Client, Logs, NewKey) {
    let h = Harness::new().await;
    let (client, logs) = h.stdio_client_with_logs(&["--groups", "credentials"]).await;
    let alice = json(&call(&client, "list_credentials_api3", json!({"user_id": "2"})).await);
    let old_id = alice["credentials"][0]["id"].as_str().unwrap().to_string();
    let new = json(&call(&client, "create_credentials_api3", json!({"user_id": "2"})).await);
    let field = |k: &str| new[k].as_str().unwrap().to_string();
    let key = NewKey {
        old_id,
        id: field("id"),
        client_id: field("client_id"),
        secret: field("client_secret"),
    };
    h.api_requests();
    (h, client, logs, key)
}

/// Ends the server, then asserts it logged at DEBUG but neither `secret` nor alice's seeded one.
async fn assert_secrets_not_logged(client: Client, logs: &Logs, secret: &str) {
    client.cancel().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = logs.text();
    assert!(
        log.contains("create_credentials_api3") && log.contains("DEBUG"),
        "the server logged at DEBUG: {log}"
    );
    assert!(!log.contains(secret), "the new secret was logged: {log}");
    assert!(!log.contains(looker_sim::ALICE_CLIENT_SECRET), "{log}");
}

/// `list_credentials_api3`: a user's keys, without `can`; an unknown user is 404.
#[tokio::test]
async fn api3_keys_are_listed_without_can() {
    let h = Harness::new().await;
    let admin_client_id = h
        .env
        .iter()
        .find(|(k, _)| k == "LOOKER_CLIENT_ID")
        .map(|(_, v)| v.clone())
        .unwrap();
    let client = h.client("credentials").await;
    // list_credentials_api3
    let admin = json(&call(&client, "list_credentials_api3", json!({"user_id": "1"})).await);
    assert_eq!(admin["count"], 1, "{admin}");
    assert_eq!(
        admin["credentials"][0]["client_id"],
        admin_client_id.as_str()
    );
    assert!(admin["credentials"][0].get("can").is_none());
    only(&h, "GET", "/users/1/credentials_api3");
    let alice = json(&call(&client, "list_credentials_api3", json!({"user_id": "2"})).await);
    assert_eq!(alice["count"], 1, "{alice}");
    let _old_id = alice["credentials"][0]["id"].as_str().unwrap().to_string();
    h.api_requests();
    failed(
        &call(&client, "list_credentials_api3", json!({"user_id": "999"})).await,
        &["HTTP 404", "Not found"],
    );
    only(&h, "GET", "/users/999/credentials_api3");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `create_credentials_api3`: the secret comes back exactly once, in the text only; the key
/// logs in; the secret never reaches the log.
#[tokio::test]
async fn a_new_api3_keys_secret_comes_back_exactly_once_and_is_never_logged() {
    let h = Harness::new().await;
    // The harness runs the server at DEBUG; collect everything it logs.
    let (client, logs) = h.stdio_client_with_logs(&["--groups", "credentials"]).await;
    // create_credentials_api3: the secret comes back exactly once, in the text only.
    let created = call(&client, "create_credentials_api3", json!({"user_id": "2"})).await;
    assert!(
        created.structured_content.is_none(),
        "no structured copy of the secret"
    );
    let new = json(&created);
    let secret = new["client_secret"].as_str().unwrap().to_string();
    let new_client_id = new["client_id"].as_str().unwrap().to_string();
    let _new_id = new["id"].as_str().unwrap().to_string();
    assert!(secret.len() >= 16, "{new}");
    assert_eq!(new["user_id"], "2");
    assert!(
        new["note"]
            .as_str()
            .unwrap()
            .contains("never shows it again")
    );
    let whole = serde_json::to_string(&created).unwrap();
    assert_eq!(whole.matches(&secret).count(), 1, "{whole}");
    let r = only(&h, "POST", "/users/2/credentials_api3");
    assert!(r.body.is_none(), "{r:?}");
    // The new key logs in as alice.
    assert!(logs_in(&h, &new_client_id, &secret).await);
    failed(
        &call(
            &client,
            "create_credentials_api3",
            json!({"user_id": "999"}),
        )
        .await,
        &["HTTP 404", "Not found"],
    );
    h.api_requests();
    assert_secrets_not_logged(client, &logs, &secret).await;
    h.assert_no_violations();
}

/// `get_credentials_api3` never shows the secret again (nor logs it).
#[tokio::test]
async fn get_credentials_api3_never_shows_the_secret_again() {
    let (
        h,
        client,
        logs,
        NewKey {
            id: new_id,
            client_id: new_client_id,
            secret,
            ..
        },
    ) = with_new_key().await;
    // get_credentials_api3 never shows the secret again.
    let got = json(
        &call(
            &client,
            "get_credentials_api3",
            json!({"user_id": "2", "credentials_api3_id": new_id}),
        )
        .await,
    );
    assert_eq!(got["client_id"], new_client_id.as_str());
    assert!(!got.to_string().contains(&secret), "{got}");
    only(&h, "GET", &format!("/users/2/credentials_api3/{new_id}"));
    failed(
        &call(
            &client,
            "get_credentials_api3",
            json!({"user_id": "2", "credentials_api3_id": "999"}),
        )
        .await,
        &["HTTP 404", "Not found"],
    );
    h.api_requests();
    assert_secrets_not_logged(client, &logs, &secret).await;
    h.assert_no_violations();
}

/// `update_credentials_api3` labels the key; the list shows the label, not the secret.
#[tokio::test]
async fn update_credentials_api3_labels_the_key() {
    let (
        h,
        client,
        logs,
        NewKey {
            id: new_id, secret, ..
        },
    ) = with_new_key().await;
    // update_credentials_api3 labels the key.
    let labelled = json(
        &call(
            &client,
            "update_credentials_api3",
            json!({"user_id": "2", "credentials_api3_id": new_id, "purpose": "dbt docs sync"}),
        )
        .await,
    );
    assert_eq!(labelled["purpose"], "dbt docs sync");
    assert_eq!(labelled["updated"], true);
    let r = only(&h, "PATCH", &format!("/users/2/credentials_api3/{new_id}"));
    assert_eq!(r.body, Some(json!({"purpose": "dbt docs sync"})));
    let listed = json(&call(&client, "list_credentials_api3", json!({"user_id": "2"})).await);
    assert_eq!(listed["count"], 2);
    assert!(listed.to_string().contains("dbt docs sync"));
    assert!(!listed.to_string().contains(&secret));
    h.api_requests();
    failed(
        &call(
            &client,
            "update_credentials_api3",
            json!({"user_id": "2", "credentials_api3_id": "999", "purpose": "x"}),
        )
        .await,
        &["HTTP 404", "Not found"],
    );
    h.api_requests();
    assert_secrets_not_logged(client, &logs, &secret).await;
    h.assert_no_violations();
}

/// `delete_credentials_api3` finishes the rotation: the old key stops working, the new one works.
#[tokio::test]
async fn deleting_the_old_key_finishes_the_rotation() {
    let (
        h,
        client,
        logs,
        NewKey {
            old_id,
            client_id: new_client_id,
            secret,
            ..
        },
    ) = with_new_key().await;
    // delete_credentials_api3 finishes the rotation: the old key stops working.
    assert!(
        logs_in(
            &h,
            looker_sim::ALICE_CLIENT_ID,
            looker_sim::ALICE_CLIENT_SECRET
        )
        .await
    );
    let deleted = json(
        &call(
            &client,
            "delete_credentials_api3",
            json!({"user_id": "2", "credentials_api3_id": old_id}),
        )
        .await,
    );
    assert_eq!(
        deleted,
        json!({"deleted": true, "user_id": "2", "credentials_api3_id": old_id})
    );
    only(&h, "DELETE", &format!("/users/2/credentials_api3/{old_id}"));
    assert!(
        !logs_in(
            &h,
            looker_sim::ALICE_CLIENT_ID,
            looker_sim::ALICE_CLIENT_SECRET
        )
        .await
    );
    assert!(logs_in(&h, &new_client_id, &secret).await);
    failed(
        &call(
            &client,
            "delete_credentials_api3",
            json!({"user_id": "2", "credentials_api3_id": old_id}),
        )
        .await,
        &["HTTP 404", "Not found"],
    );
    h.api_requests();
    assert_secrets_not_logged(client, &logs, &secret).await;
    h.assert_no_violations();
}

/// API key arguments refused before anything reaches Looker.
#[tokio::test]
async fn invalid_api3_key_arguments_never_reach_looker() {
    let (
        h,
        client,
        logs,
        NewKey {
            id: new_id, secret, ..
        },
    ) = with_new_key().await;
    refused_locally(
        &h,
        &client,
        &[
            ("list_credentials_api3", json!({}), "user_id"),
            (
                "create_credentials_api3",
                json!({"user_id": true}),
                "user_id",
            ),
            (
                "create_credentials_api3",
                json!({"user_id": "2", "purpose": "x"}),
                "purpose",
            ),
            (
                "get_credentials_api3",
                json!({"user_id": "2"}),
                "credentials_api3_id",
            ),
            (
                "get_credentials_api3",
                json!({"user_id": "..", "credentials_api3_id": "1"}),
                "not allowed",
            ),
            (
                "update_credentials_api3",
                json!({"user_id": "2", "credentials_api3_id": new_id}),
                "no fields to update",
            ),
            (
                "update_credentials_api3",
                json!({"user_id": "2", "credentials_api3_id": new_id, "purpose": true}),
                "purpose",
            ),
            (
                "delete_credentials_api3",
                json!({"user_id": "2", "credentials_api3_id": ""}),
                "must not be empty",
            ),
        ],
    )
    .await;

    assert_secrets_not_logged(client, &logs, &secret).await;
    h.assert_no_violations();
}

/// `get_credentials_totp`: bob (user 3) has verified two-factor, alice none; creating it again
/// is Looker's 409.
#[tokio::test]
async fn two_factor_is_read_and_not_made_twice() {
    let h = Harness::new().await;
    let client = h.client("credentials").await;
    // get/delete/create_credentials_totp: bob (user 3) has verified two-factor.
    let totp = json(&call(&client, "get_credentials_totp", json!({"user_id": "3"})).await);
    assert_eq!(totp["verified"], true, "{totp}");
    assert_eq!(totp["type"], "twofactor");
    assert_eq!(totp["user_id"], "3");
    only(&h, "GET", "/users/3/credentials_totp");
    failed(
        &call(&client, "get_credentials_totp", json!({"user_id": "2"})).await,
        &["HTTP 404", "Not found"],
    );
    h.api_requests();
    failed(
        &call(&client, "create_credentials_totp", json!({"user_id": "3"})).await,
        &["HTTP 409", "already has two-factor"],
    );
    only(&h, "POST", "/users/3/credentials_totp");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `delete_credentials_totp` removes bob's two-factor (a second delete is 404);
/// `create_credentials_totp` then makes it again, unverified.
#[tokio::test]
async fn deleted_two_factor_is_made_again_unverified() {
    let h = Harness::new().await;
    let client = h.client("credentials").await;
    let deleted = json(&call(&client, "delete_credentials_totp", json!({"user_id": "3"})).await);
    assert_eq!(
        deleted,
        json!({"deleted": true, "user_id": "3", "credentials": "credentials_totp"})
    );
    only(&h, "DELETE", "/users/3/credentials_totp");
    failed(
        &call(&client, "delete_credentials_totp", json!({"user_id": "3"})).await,
        &["HTTP 404", "Not found"],
    );
    h.api_requests();
    let fresh = json(&call(&client, "create_credentials_totp", json!({"user_id": "3"})).await);
    assert_eq!(fresh["verified"], false, "{fresh}");
    assert_eq!(fresh["user_id"], "3");
    let r = only(&h, "POST", "/users/3/credentials_totp");
    assert!(r.body.is_none(), "{r:?}");
    failed(
        &call(
            &client,
            "create_credentials_totp",
            json!({"user_id": "999"}),
        )
        .await,
        &["HTTP 404", "Not found"],
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// The SSO links: read, unlink, then gone.
#[tokio::test]
async fn sso_links_are_read_and_unlinked() {
    let h = Harness::new().await;
    let client = h.client("credentials").await;
    // The SSO links: read, unlink, then gone.
    for (kind, field, expected) in [
        ("ldap", "ldap_dn", "uid=bob,ou=people,dc=example,dc=com"),
        ("saml", "saml_user_id", "bob@example.com"),
        ("oidc", "oidc_user_id", "00u1bob"),
        ("google", "google_user_id", "104857600000000000001"),
    ] {
        let path = format!("/users/3/credentials_{kind}");
        let got = json(
            &call(
                &client,
                &format!("get_credentials_{kind}"),
                json!({"user_id": "3"}),
            )
            .await,
        );
        assert_eq!(got[field], expected, "{kind}: {got}");
        assert_eq!(got["email"], "bob@example.com");
        assert_eq!(got["user_id"], "3");
        assert!(got.get("can").is_none());
        only(&h, "GET", &path);
        failed(
            &call(
                &client,
                &format!("get_credentials_{kind}"),
                json!({"user_id": "2"}),
            )
            .await,
            &["HTTP 404", "Not found"],
        );
        only(&h, "GET", &format!("/users/2/credentials_{kind}"));
        let deleted = json(
            &call(
                &client,
                &format!("delete_credentials_{kind}"),
                json!({"user_id": "3"}),
            )
            .await,
        );
        assert_eq!(deleted["deleted"], true);
        assert_eq!(deleted["credentials"], format!("credentials_{kind}"));
        only(&h, "DELETE", &path);
        failed(
            &call(
                &client,
                &format!("get_credentials_{kind}"),
                json!({"user_id": "3"}),
            )
            .await,
            &["HTTP 404", "Not found"],
        );
        failed(
            &call(
                &client,
                &format!("delete_credentials_{kind}"),
                json!({"user_id": "3"}),
            )
            .await,
            &["HTTP 404", "Not found"],
        );
        h.api_requests();
    }
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// User ids are path-encoded.
#[tokio::test]
async fn credential_user_ids_are_path_encoded() {
    let h = Harness::new().await;
    let client = h.client("credentials").await;
    // User ids are path-encoded.
    failed(
        &call(&client, "get_credentials_google", json!({"user_id": "3/x"})).await,
        &["HTTP 404"],
    );
    only(&h, "GET", "/users/3%2Fx/credentials_google");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Two-factor and SSO arguments refused before anything reaches Looker.
#[tokio::test]
async fn invalid_credential_arguments_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("credentials").await;
    let mut cases = Vec::new();
    for kind in ["totp", "ldap", "saml", "oidc", "google"] {
        cases.push((format!("get_credentials_{kind}"), json!({}), "user_id"));
        cases.push((
            format!("delete_credentials_{kind}"),
            json!({"user_id": ".."}),
            "not allowed",
        ));
    }
    cases.push((
        "create_credentials_totp".into(),
        json!({"user_id": "3", "verified": true}),
        "verified",
    ));
    let cases: Vec<(&str, Value, &str)> = cases
        .iter()
        .map(|(t, a, n)| (t.as_str(), a.clone(), *n))
        .collect();
    refused_locally(&h, &client, &cases).await;
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

//! The `admin` group: every tool through a real MCP client against the simulator, checking
//! results, the Looker requests they make (method, path, key query and body fields), Looker's
//! refusals (404/409/422 → `isError` with Looker's message), arguments refused before any Looker
//! call, and that secrets never come back nor reach the log.

use std::process::Stdio;
use std::time::Duration;

use looker_sim::RecordedRequest;
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

use crate::support::{
    Harness, assert_tool_error_with as failed, call, json, only_request_to as only, query, shape,
    text,
};

/// The recorded body's top-level keys, sorted.
fn body_keys(r: &RecordedRequest) -> Vec<String> {
    let mut keys: Vec<String> = r
        .body
        .as_ref()
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

/// The client type of [`Harness::client`].
type Client = RunningService<RoleClient, ()>;

/// A harness, an `admin` client and a new user, Grace (email credentials, role 3), with the
/// requests that made her already taken.
async fn with_grace() -> (Harness, Client, String) {
    let h = Harness::new().await;
    let client = h.client("admin").await;
    let created = json(
        &call(
            &client,
            "create_user",
            json!({"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
                   "role_ids": [3]}),
        )
        .await,
    );
    let id = created["id"].as_str().expect("a user id").to_string();
    h.api_requests();
    (h, client, id)
}

/// `list_users`: no filter, an exact email (a LIKE wildcard is not a match), a pattern, a name, a limit.
#[tokio::test]
async fn list_users_filters_by_exact_email_name_and_limit() {
    let h = Harness::new().await;
    let client = h.client("admin").await;

    // list_users: no filter, exact email, name, limit.
    let all = json(&call(&client, "list_users", json!({})).await);
    assert_eq!(all["count"], 4, "{all}");
    assert!(all["users"][0].get("can").is_none(), "{all}");
    let r = only(&h, "GET", "/users/search");
    assert_eq!(query(&r, "limit"), Some("100"));
    assert!(query(&r, "email").is_none() && query(&r, "full_name").is_none());
    assert!(query(&r, "fields").is_some_and(|f| f.contains("email")));

    let bot = json(
        &call(
            &client,
            "list_users",
            json!({"email": "CI-BOT@example.com"}),
        )
        .await,
    );
    assert_eq!(bot["users"][0]["id"], "77", "{bot}");
    assert_eq!(bot["count"], 1);
    let r = only(&h, "GET", "/users/search");
    assert_eq!(query(&r, "email"), Some("CI-BOT@example.com"));
    // `_` is a LIKE wildcard in Looker's search: the exact-match check drops ci-bot.
    let none = json(
        &call(
            &client,
            "list_users",
            json!({"email": "ci_bot@example.com"}),
        )
        .await,
    );
    assert_eq!(none["count"], 0, "{none}");
    h.api_requests();
    let pattern = json(&call(&client, "list_users", json!({"email": "%@example.com"})).await);
    assert_eq!(pattern["count"], 4, "{pattern}");
    h.api_requests();

    let alice = json(&call(&client, "list_users", json!({"name": "alice", "limit": 5})).await);
    assert_eq!(
        alice["users"],
        json!([{"id": "2", "email": "alice@example.com", "first_name": "Alice",
        "last_name": "Analyst", "display_name": "Alice Analyst", "is_disabled": false,
        "role_ids": ["3"], "group_ids": ["1"], "is_service_account": false}])
    );
    let r = only(&h, "GET", "/users/search");
    assert_eq!(query(&r, "full_name"), Some("%alice%"));
    assert_eq!(query(&r, "limit"), Some("5"));

    let two = json(
        &call(
            &client,
            "list_users",
            json!({"limit": 2, "email": null, "name": null}),
        )
        .await,
    );
    assert_eq!(two["count"], 2);
    assert_eq!(two["more_available"], true, "{two}");
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `get_user` answers the profile without `can` maps or credentials.
#[tokio::test]
async fn get_user_leaves_out_can_and_credentials() {
    let h = Harness::new().await;
    let client = h.client("admin").await;

    // get_user.
    let user = json(&call(&client, "get_user", json!({"user_id": "2"})).await);
    assert_eq!(user["email"], "alice@example.com");
    assert!(
        user.get("can").is_none() && user.get("credentials_google").is_none(),
        "{user}"
    );
    only(&h, "GET", "/users/2");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `create_user` with every argument: the profile is posted, then email, roles and groups through their own routes; no setup URL comes back.
#[tokio::test]
async fn create_user_sends_email_roles_and_groups_through_their_own_routes() {
    let h = Harness::new().await;
    let client = h.client("admin").await;

    // create_user with every argument: email, roles and groups go through their own routes.
    let created = json(
        &call(
            &client,
            "create_user",
            json!({"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
                   "role_ids": [3], "group_ids": [2], "is_disabled": false, "home_folder_id": "1",
                   "locale": "de", "ui_state": {"homepage": "boards"}, "models_dir_validated": true,
                   "can_manage_api3_creds": false}),
        )
        .await,
    );
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["email"], "grace@example.com", "{created}");
    assert_eq!(created["role_ids"], json!(["3"]));
    assert_eq!(created["group_ids"], json!(["2"]));
    assert!(
        !created.to_string().contains("/account/setup/"),
        "{created}"
    );
    let requests = h.api_requests();
    assert_eq!(
        shape(&requests),
        [
            "POST /users".to_string(),
            format!("POST /users/{id}/credentials_email"),
            format!("PUT /users/{id}/roles"),
            "POST /groups/2/users".to_string()
        ]
    );
    assert_eq!(
        body_keys(&requests[0]),
        [
            "can_manage_api3_creds",
            "first_name",
            "home_folder_id",
            "is_disabled",
            "last_name",
            "locale",
            "models_dir_validated",
            "ui_state"
        ]
    );
    assert_eq!(requests[0].body.as_ref().unwrap()["locale"], "de");
    assert_eq!(
        requests[1].body,
        Some(json!({"email": "grace@example.com"}))
    );
    assert_eq!(requests[2].body, Some(json!(["3"])));
    assert_eq!(requests[3].body, Some(json!({"user_id": id})));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `update_user` with every argument patches the profile and replaces the roles; roles alone skip the PATCH.
#[tokio::test]
async fn update_user_patches_the_profile_and_replaces_roles() {
    let (h, client, id) = with_grace().await;

    // update_user with every argument: the profile is patched, roles replaced.
    let updated = json(
        &call(
            &client,
            "update_user",
            json!({"user_id": id, "first_name": "Amazing", "last_name": "Grace", "is_disabled": true,
                   "role_ids": [4], "home_folder_id": "6", "locale": "en", "ui_state": {},
                   "models_dir_validated": false, "can_manage_api3_creds": true}),
        )
        .await,
    );
    assert_eq!(
        updated["user"]["display_name"], "Amazing Grace",
        "{updated}"
    );
    assert_eq!(updated["user"]["is_disabled"], true);
    assert_eq!(updated["roles"][0]["name"], "Viewer");
    assert_eq!(
        updated["fields_changed"],
        json!([
            "can_manage_api3_creds",
            "first_name",
            "home_folder_id",
            "is_disabled",
            "last_name",
            "locale",
            "models_dir_validated",
            "role_ids",
            "ui_state"
        ])
    );
    let requests = h.api_requests();
    assert_eq!(
        shape(&requests),
        [
            format!("PATCH /users/{id}"),
            format!("PUT /users/{id}/roles")
        ]
    );
    assert_eq!(requests[0].body.as_ref().unwrap()["is_disabled"], true);
    assert_eq!(requests[1].body, Some(json!(["4"])));
    // Roles alone skip the PATCH.
    json(
        &call(
            &client,
            "update_user",
            json!({"user_id": id, "role_ids": [4]}),
        )
        .await,
    );
    only(&h, "PUT", &format!("/users/{id}/roles"));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `set_user_roles` replaces the roles; `get_user_roles` names each role's permission and model set.
#[tokio::test]
async fn set_user_roles_replaces_them_and_get_user_roles_names_them() {
    let (h, client, id) = with_grace().await;

    // set_user_roles / get_user_roles.
    let set = json(
        &call(
            &client,
            "set_user_roles",
            json!({"user_id": id, "role_ids": [3, 4]}),
        )
        .await,
    );
    let names: Vec<&str> = set["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Developer", "Viewer"], "{set}");
    let r = only(&h, "PUT", &format!("/users/{id}/roles"));
    assert_eq!(r.body, Some(json!(["3", "4"])));
    let roles = json(&call(&client, "get_user_roles", json!({"user_id": id})).await);
    assert_eq!(
        roles["roles"][1],
        json!({"id": "4", "name": "Viewer", "permission_set_id": "4",
        "permission_set_name": "Viewer", "model_set_id": "1", "model_set_name": "All"})
    );
    only(&h, "GET", &format!("/users/{id}/roles"));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Email credentials: get, update, password reset (no reset URL comes back), delete, create.
#[tokio::test]
async fn email_credentials_are_read_updated_reset_deleted_and_created() {
    let (h, client, id) = with_grace().await;

    // Email credentials: get, update, reset, delete, create.
    let creds = json(&call(&client, "get_credentials_email", json!({"user_id": id})).await);
    assert_eq!(creds["email"], "grace@example.com", "{creds}");
    assert_eq!(creds["account_setup_url_expired"], false);
    assert!(!creds.to_string().contains("/account/setup/"), "{creds}");
    only(&h, "GET", &format!("/users/{id}/credentials_email"));

    let changed = json(
        &call(
            &client,
            "update_credentials_email",
            json!({"user_id": id, "email": "grace.hopper@example.com", "forced_password_reset_at_next_login": true}),
        )
        .await,
    );
    assert_eq!(changed["email"], "grace.hopper@example.com");
    assert_eq!(changed["forced_password_reset_at_next_login"], true);
    let r = only(&h, "PATCH", &format!("/users/{id}/credentials_email"));
    assert_eq!(
        r.body,
        Some(
            json!({"email": "grace.hopper@example.com", "forced_password_reset_at_next_login": true})
        )
    );

    let reset = call(&client, "send_password_reset", json!({"user_id": id})).await;
    let reset_json = json(&reset);
    assert_eq!(reset_json["password_reset_sent"], true);
    assert_eq!(
        reset_json["password_reset_url_expired"], false,
        "{reset_json}"
    );
    assert!(
        !text(&reset).contains("/password/reset/"),
        "{}",
        text(&reset)
    );
    let r = only(
        &h,
        "POST",
        &format!("/users/{id}/credentials_email/send_password_reset"),
    );
    assert!(r.body.is_none());

    let deleted = json(&call(&client, "delete_credentials_email", json!({"user_id": id})).await);
    assert_eq!(deleted["deleted"], true);
    only(&h, "DELETE", &format!("/users/{id}/credentials_email"));
    failed(
        &call(&client, "get_credentials_email", json!({"user_id": id})).await,
        &["HTTP 404", "Not found"],
    );
    h.api_requests();

    let attached = json(
        &call(
            &client,
            "create_credentials_email",
            json!({"user_id": id, "email": "grace@example.com", "forced_password_reset_at_next_login": true}),
        )
        .await,
    );
    assert_eq!(attached["created"], true);
    assert_eq!(attached["user_id"], id.as_str());
    let r = only(&h, "POST", &format!("/users/{id}/credentials_email"));
    assert_eq!(
        r.body,
        Some(json!({"email": "grace@example.com", "forced_password_reset_at_next_login": true}))
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Looker's refusals (409, 422, 404, a group that fails after the user exists) come back as tool errors with Looker's words.
#[tokio::test]
async fn looker_refusals_on_users_come_back_with_lookers_words() {
    let (h, client, id) = with_grace().await;

    // Looker's refusals come back as tool errors with Looker's words.
    failed(
        &call(
            &client,
            "create_credentials_email",
            json!({"user_id": id, "email": "grace2@example.com"}),
        )
        .await,
        &["HTTP 409", "already has email credentials"],
    );
    failed(
        &call(
            &client,
            "create_credentials_email",
            json!({"user_id": "77", "email": "alice@example.com"}),
        )
        .await,
        &["HTTP 422", "already been taken"],
    );
    failed(
        &call(
            &client,
            "update_credentials_email",
            json!({"user_id": "77", "email": "x@example.com"}),
        )
        .await,
        &["HTTP 404"],
    );
    failed(
        &call(
            &client,
            "set_user_roles",
            json!({"user_id": id, "role_ids": [999]}),
        )
        .await,
        &["HTTP 422", "Role 999 does not exist"],
    );
    failed(
        &call(
            &client,
            "create_user",
            json!({"first_name": "A", "last_name": "B", "group_ids": [999]}),
        )
        .await,
        &["was created, but adding it to group 999 failed", "HTTP 404"],
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `delete_user`, then the user is gone; unknown ids are 404 for every user tool.
#[tokio::test]
async fn delete_user_removes_the_user_and_unknown_ids_are_404() {
    let (h, client, id) = with_grace().await;

    // delete_user, then it is gone.
    let gone = json(&call(&client, "delete_user", json!({"user_id": id})).await);
    assert_eq!(gone, json!({"deleted": true, "user_id": id}));
    only(&h, "DELETE", &format!("/users/{id}"));
    failed(
        &call(&client, "get_user", json!({"user_id": id})).await,
        &["HTTP 404", "Not found"],
    );
    failed(
        &call(&client, "delete_user", json!({"user_id": id})).await,
        &["HTTP 404"],
    );
    failed(
        &call(&client, "send_password_reset", json!({"user_id": "77"})).await,
        &["HTTP 404"],
    );
    failed(
        &call(&client, "get_user_roles", json!({"user_id": "999"})).await,
        &["HTTP 404"],
    );
    failed(
        &call(
            &client,
            "delete_credentials_email",
            json!({"user_id": "77"}),
        )
        .await,
        &["HTTP 404"],
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Arguments refused before anything reaches Looker, each naming what is wrong.
#[tokio::test]
async fn invalid_user_arguments_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("admin").await;

    // Arguments refused before anything reaches Looker.
    for (tool, args, needle) in [
        ("list_users", json!({"limit": 0}), "limit"),
        ("list_users", json!({"emial": "x"}), "emial"),
        ("get_user", json!({}), "user_id"),
        ("get_user", json!({"user_id": ".."}), "not allowed"),
        ("create_user", json!({"first_name": "A"}), "last_name"),
        (
            "create_user",
            json!({"first_name": "A", "last_name": "B", "role_ids": ["admin"]}),
            "role_ids",
        ),
        (
            "create_user",
            json!({"first_name": "A", "last_name": "B", "email": "nobody"}),
            "not an email",
        ),
        (
            "create_user",
            json!({"first_name": " ", "last_name": "B"}),
            "first_name",
        ),
        (
            "update_user",
            json!({"user_id": "2"}),
            "no fields to update",
        ),
        (
            "update_credentials_email",
            json!({"user_id": "2"}),
            "no fields to update",
        ),
        ("create_credentials_email", json!({"user_id": "2"}), "email"),
        ("set_user_roles", json!({"user_id": "2"}), "role_ids"),
    ] {
        let result = call(&client, tool, args.clone()).await;
        failed(&result, &[needle]);
        let t = text(&result).to_lowercase();
        assert!(t.contains("invalid arguments"), "{tool} {args}: {t}");
    }
    assert!(
        h.api_requests().is_empty(),
        "invalid arguments never reach Looker"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `list_permissions` names each permission's parent; `list_permission_sets` starts with the built-in Admin.
#[tokio::test]
async fn permissions_and_permission_sets_are_listed() {
    let h = Harness::new().await;
    let client = h.client("admin").await;

    let permissions = json(&call(&client, "list_permissions", json!({})).await);
    assert!(permissions["count"].as_u64().unwrap() > 10, "{permissions}");
    assert!(
        permissions["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["permission"] == "explore" && p["parent"] == "see_user_dashboards")
    );
    only(&h, "GET", "/permissions");

    let sets = json(&call(&client, "list_permission_sets", json!({})).await);
    assert_eq!(sets["permission_sets"][0]["name"], "Admin", "{sets}");
    assert_eq!(sets["permission_sets"][0]["built_in"], true);
    only(&h, "GET", "/permission_sets");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// A permission set (`Explorers`: access_data, see_looks, explore) and a model set (`Shop`:
/// ecommerce, marketing), with the requests that made them already taken: their ids.
async fn role_parts(h: &Harness, client: &Client) -> (String, String) {
    let pset = json(
        &call(
            client,
            "create_permission_set",
            json!({"name": "Explorers", "permissions": ["access_data", "see_looks", "explore"]}),
        )
        .await,
    );
    let mset = json(
        &call(
            client,
            "create_model_set",
            json!({"name": "Shop", "models": ["ecommerce", "marketing"]}),
        )
        .await,
    );
    h.api_requests();
    let id = |v: &Value| v["id"].as_str().expect("an id").to_string();
    (id(&pset), id(&mset))
}

/// A harness, an `admin` client and a new role named `name` on [`role_parts`], with the
/// requests that made them already taken: the role's, the permission set's and the model set's
/// ids.
async fn with_role(name: &str) -> (Harness, Client, String, String, String) {
    let h = Harness::new().await;
    let client = h.client("admin").await;
    let (pset_id, mset_id) = role_parts(&h, &client).await;
    let role = json(
        &call(
            &client,
            "create_role",
            json!({"name": name, "permission_set_id": pset_id.parse::<i64>().unwrap(),
                   "model_set_id": mset_id.parse::<i64>().unwrap()}),
        )
        .await,
    );
    let role_id = role["id"].as_str().expect("a role id").to_string();
    h.api_requests();
    (h, client, role_id, pset_id, mset_id)
}

/// Permission sets are created and updated (name and permissions).
#[tokio::test]
async fn permission_sets_are_created_and_updated() {
    let h = Harness::new().await;
    let client = h.client("admin").await;
    let pset = json(
        &call(
            &client,
            "create_permission_set",
            json!({"name": "Explorer", "permissions": ["access_data", "see_looks"]}),
        )
        .await,
    );
    let pset_id = pset["id"].as_str().unwrap().to_string();
    assert_eq!(pset["permissions"], json!(["access_data", "see_looks"]));
    let r = only(&h, "POST", "/permission_sets");
    assert_eq!(
        r.body,
        Some(json!({"name": "Explorer", "permissions": ["access_data", "see_looks"]}))
    );
    let pset = json(
        &call(&client, "update_permission_set", json!({"permission_set_id": pset_id, "name": "Explorers", "permissions": ["access_data", "see_looks", "explore"]})).await,
    );
    assert_eq!(pset["name"], "Explorers");
    assert_eq!(pset["fields_changed"], json!(["name", "permissions"]));
    let r = only(&h, "PATCH", &format!("/permission_sets/{pset_id}"));
    assert_eq!(
        r.body.as_ref().unwrap()["permissions"],
        json!(["access_data", "see_looks", "explore"])
    );
    h.assert_no_violations();
}

/// Model sets are listed with their models, created and updated.
#[tokio::test]
async fn model_sets_are_listed_created_and_updated() {
    let h = Harness::new().await;
    let client = h.client("admin").await;
    let msets = json(&call(&client, "list_model_sets", json!({})).await);
    assert_eq!(
        msets["model_sets"][0]["models"],
        json!(["ecommerce", "marketing"]),
        "{msets}"
    );
    only(&h, "GET", "/model_sets");
    let mset = json(
        &call(
            &client,
            "create_model_set",
            json!({"name": "Ecommerce only", "models": ["ecommerce"]}),
        )
        .await,
    );
    let mset_id = mset["id"].as_str().unwrap().to_string();
    let r = only(&h, "POST", "/model_sets");
    assert_eq!(
        r.body,
        Some(json!({"name": "Ecommerce only", "models": ["ecommerce"]}))
    );
    let mset = json(
        &call(
            &client,
            "update_model_set",
            json!({"model_set_id": mset_id, "name": "Shop", "models": ["ecommerce", "marketing"]}),
        )
        .await,
    );
    assert_eq!(mset["models"], json!(["ecommerce", "marketing"]));
    assert_eq!(mset["fields_changed"], json!(["models", "name"]));
    only(&h, "PATCH", &format!("/model_sets/{mset_id}"));
    h.assert_no_violations();
}

/// Roles are created on a permission set and a model set, read with both, updated (name,
/// sets, one set alone) and listed.
#[tokio::test]
async fn roles_are_created_read_updated_and_listed() {
    let h = Harness::new().await;
    let client = h.client("admin").await;
    let (pset_id, mset_id) = role_parts(&h, &client).await;
    let role = json(
        &call(&client, "create_role", json!({"name": "Shop explorer", "permission_set_id": pset_id.parse::<i64>().unwrap(), "model_set_id": mset_id.parse::<i64>().unwrap()})).await,
    );
    let role_id = role["id"].as_str().unwrap().to_string();
    assert_eq!(role["permission_set_name"], "Explorers", "{role}");
    assert_eq!(role["model_set_name"], "Shop");
    let r = only(&h, "POST", "/roles");
    assert_eq!(
        r.body,
        Some(
            json!({"name": "Shop explorer", "permission_set_id": pset_id, "model_set_id": mset_id})
        )
    );
    let full = json(&call(&client, "get_role", json!({"role_id": role_id})).await);
    assert_eq!(
        full["permission_set"]["permissions"],
        json!(["access_data", "see_looks", "explore"]),
        "{full}"
    );
    only(&h, "GET", &format!("/roles/{role_id}"));
    let renamed = json(
        &call(&client, "update_role", json!({"role_id": role_id, "name": "Shop viewer", "permission_set_id": 4, "model_set_id": 2})).await,
    );
    assert_eq!(renamed["permission_set_name"], "Viewer", "{renamed}");
    assert_eq!(renamed["model_set_name"], "Marketing");
    let r = only(&h, "PATCH", &format!("/roles/{role_id}"));
    assert_eq!(
        r.body,
        Some(json!({"name": "Shop viewer", "permission_set_id": "4", "model_set_id": "2"}))
    );
    json(
        &call(
            &client,
            "update_role",
            json!({"role_id": role_id, "model_set_id": mset_id.parse::<i64>().unwrap()}),
        )
        .await,
    );
    let r = only(&h, "PATCH", &format!("/roles/{role_id}"));
    assert_eq!(r.body, Some(json!({"model_set_id": mset_id})));
    let roles = json(&call(&client, "list_roles", json!({})).await);
    assert!(
        roles["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "Shop viewer"),
        "{roles}"
    );
    only(&h, "GET", "/roles");
    h.assert_no_violations();
}

/// Who holds a role, users and groups, is replaced as a whole and read back.
#[tokio::test]
async fn role_users_and_groups_are_replaced_as_a_whole() {
    let (h, client, role_id, _, _) = with_role("Shop explorer").await;
    let users = json(
        &call(
            &client,
            "set_role_users",
            json!({"role_id": role_id, "user_ids": [2, 3]}),
        )
        .await,
    );
    let emails: Vec<&str> = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["alice@example.com", "bob@example.com"]);
    let r = only(&h, "PUT", &format!("/roles/{role_id}/users"));
    assert_eq!(r.body, Some(json!(["2", "3"])));
    json(
        &call(
            &client,
            "set_role_users",
            json!({"role_id": role_id, "user_ids": [3]}),
        )
        .await,
    );
    h.api_requests();
    let holders = json(&call(&client, "get_role_users", json!({"role_id": role_id})).await);
    assert_eq!(holders["users"].as_array().unwrap().len(), 1, "{holders}");
    assert_eq!(holders["users"][0]["id"], "3");
    only(&h, "GET", &format!("/roles/{role_id}/users"));

    let groups = json(
        &call(
            &client,
            "set_role_groups",
            json!({"role_id": role_id, "group_ids": [1, 2]}),
        )
        .await,
    );
    assert_eq!(
        groups["groups"],
        json!([{"id": "1", "name": "All Users"}, {"id": "2", "name": "Analysts"}])
    );
    let r = only(&h, "PUT", &format!("/roles/{role_id}/groups"));
    assert_eq!(r.body, Some(json!(["1", "2"])));
    json(
        &call(
            &client,
            "set_role_groups",
            json!({"role_id": role_id, "group_ids": [2]}),
        )
        .await,
    );
    h.api_requests();
    let held = json(&call(&client, "get_role_groups", json!({"role_id": role_id})).await);
    assert_eq!(held["groups"].as_array().unwrap().len(), 1, "{held}");
    assert_eq!(held["groups"][0]["name"], "Analysts");
    only(&h, "GET", &format!("/roles/{role_id}/groups"));
    h.assert_no_violations();
}

/// Looker's refusals on roles, permission sets and model sets (a set in use, built-in sets, a
/// taken name, unknown ids) come back as tool errors with Looker's words.
#[tokio::test]
async fn looker_refusals_on_roles_and_sets_come_back_with_lookers_words() {
    let (h, client, role_id, _, mset_id) = with_role("Shop viewer").await;
    failed(
        &call(
            &client,
            "create_permission_set",
            json!({"name": "Bad", "permissions": ["fly"]}),
        )
        .await,
        &["HTTP 422", "Unknown permission"],
    );
    failed(
        &call(
            &client,
            "update_permission_set",
            json!({"permission_set_id": "2", "name": "Root"}),
        )
        .await,
        &["HTTP 422", "Built-in"],
    );
    failed(
        &call(
            &client,
            "delete_model_set",
            json!({"model_set_id": mset_id}),
        )
        .await,
        &["HTTP 422", "used by role"],
    );
    failed(
        &call(
            &client,
            "delete_permission_set",
            json!({"permission_set_id": "4"}),
        )
        .await,
        &["HTTP 422", "Built-in"],
    );
    failed(
        &call(
            &client,
            "create_role",
            json!({"name": "Shop viewer", "permission_set_id": 4, "model_set_id": 1}),
        )
        .await,
        &["HTTP 422", "already been taken"],
    );
    failed(
        &call(
            &client,
            "create_role",
            json!({"name": "Ghost", "permission_set_id": 999, "model_set_id": 1}),
        )
        .await,
        &["HTTP 422", "does not exist"],
    );
    failed(
        &call(&client, "get_role", json!({"role_id": "999"})).await,
        &["HTTP 404", "Not found"],
    );
    failed(
        &call(&client, "delete_role", json!({"role_id": "2"})).await,
        &["HTTP 403", "Admin role"],
    );
    failed(
        &call(
            &client,
            "set_role_groups",
            json!({"role_id": role_id, "group_ids": [999]}),
        )
        .await,
        &["HTTP 422", "Group 999 does not exist"],
    );
    failed(
        &call(&client, "get_role_users", json!({"role_id": "999"})).await,
        &["HTTP 404"],
    );
    failed(
        &call(&client, "get_role_groups", json!({"role_id": "999"})).await,
        &["HTTP 404"],
    );
    failed(
        &call(
            &client,
            "set_role_users",
            json!({"role_id": "999", "user_ids": []}),
        )
        .await,
        &["HTTP 404"],
    );
    failed(
        &call(
            &client,
            "update_model_set",
            json!({"model_set_id": "999", "name": "x"}),
        )
        .await,
        &["HTTP 404"],
    );
    h.assert_no_violations();
}

/// A role is deleted before its sets; its holders keep their other roles; a deleted set is
/// gone (404).
#[tokio::test]
async fn roles_and_sets_are_deleted_in_dependency_order() {
    let (h, client, role_id, pset_id, mset_id) = with_role("Shop viewer").await;
    json(
        &call(
            &client,
            "set_role_users",
            json!({"role_id": role_id, "user_ids": [3]}),
        )
        .await,
    );
    h.api_requests();
    assert_eq!(
        json(&call(&client, "delete_role", json!({"role_id": role_id})).await)["deleted"],
        true
    );
    only(&h, "DELETE", &format!("/roles/{role_id}"));
    let holder = json(&call(&client, "get_user", json!({"user_id": "3"})).await);
    assert_eq!(
        holder["role_ids"],
        json!(["4"]),
        "a deleted role leaves its users"
    );
    h.api_requests();
    assert_eq!(
        json(
            &call(
                &client,
                "delete_permission_set",
                json!({"permission_set_id": pset_id})
            )
            .await
        )["deleted"],
        true
    );
    only(&h, "DELETE", &format!("/permission_sets/{pset_id}"));
    assert_eq!(
        json(
            &call(
                &client,
                "delete_model_set",
                json!({"model_set_id": mset_id})
            )
            .await
        )["deleted"],
        true
    );
    only(&h, "DELETE", &format!("/model_sets/{mset_id}"));
    failed(
        &call(
            &client,
            "delete_model_set",
            json!({"model_set_id": mset_id}),
        )
        .await,
        &["HTTP 404"],
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Role, permission-set and model-set arguments refused before anything reaches Looker.
#[tokio::test]
async fn invalid_role_arguments_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("admin").await;

    // Refused before Looker.
    for (tool, args) in [
        (
            "create_role",
            json!({"name": "x", "permission_set_id": "four", "model_set_id": 1}),
        ),
        ("create_role", json!({"name": "x", "permission_set_id": 4})),
        ("update_role", json!({"role_id": "3"})),
        ("update_permission_set", json!({"permission_set_id": "3"})),
        ("update_model_set", json!({"model_set_id": "2"})),
        (
            "create_permission_set",
            json!({"name": "x", "permissions": true}),
        ),
        ("create_model_set", json!({"name": "", "models": []})),
        (
            "set_role_groups",
            json!({"role_id": "3", "group_ids": ["one"]}),
        ),
        ("set_role_users", json!({"role_id": "3"})),
        ("list_roles", json!({"extra": 1})),
        ("delete_role", json!({"role_id": ""})),
    ] {
        let result = call(&client, tool, args.clone()).await;
        assert_eq!(result.is_error, Some(true), "{tool} {args}");
        assert!(
            text(&result).to_lowercase().contains("invalid arguments"),
            "{tool} {args}: {}",
            text(&result)
        );
    }
    assert!(
        h.api_requests().is_empty(),
        "invalid arguments never reach Looker"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// A harness, an `admin` client and two new groups, `Data Team` and `Platform`, with the
/// requests that made them already taken: their ids.
async fn with_groups() -> (Harness, Client, String, String) {
    let h = Harness::new().await;
    let client = h.client("admin").await;
    let mut ids = Vec::new();
    for name in ["Data Team", "Platform"] {
        let group = json(&call(&client, "create_group", json!({"name": name})).await);
        ids.push(group["id"].as_str().expect("a group id").to_string());
    }
    h.api_requests();
    let platform_id = ids.pop().unwrap();
    (h, client, ids.pop().unwrap(), platform_id)
}

/// Groups are listed (with a limit), created (with and without options) and updated.
#[tokio::test]
async fn groups_are_listed_created_and_updated() {
    let h = Harness::new().await;
    let client = h.client("admin").await;

    let groups = json(&call(&client, "list_groups", json!({})).await);
    assert_eq!(groups["count"], 2, "{groups}");
    assert_eq!(groups["groups"][0]["name"], "All Users");
    let r = only(&h, "GET", "/groups");
    assert_eq!(query(&r, "limit"), Some("100"));
    json(&call(&client, "list_groups", json!({"limit": 1})).await);
    assert_eq!(query(&only(&h, "GET", "/groups"), "limit"), Some("1"));

    let team = json(
        &call(
            &client,
            "create_group",
            json!({"name": "Data Team", "can_add_to_content_metadata": false}),
        )
        .await,
    );
    let team_id = team["id"].as_str().unwrap().to_string();
    assert_eq!(team["can_add_to_content_metadata"], false, "{team}");
    let r = only(&h, "POST", "/groups");
    assert_eq!(
        r.body,
        Some(json!({"name": "Data Team", "can_add_to_content_metadata": false}))
    );
    let plain = json(&call(&client, "create_group", json!({"name": "Platform"})).await);
    assert!(plain["id"].is_string(), "{plain}");
    assert_eq!(
        only(&h, "POST", "/groups").body,
        Some(json!({"name": "Platform"}))
    );

    let renamed = json(
        &call(
            &client,
            "update_group",
            json!({"group_id": team_id, "name": "Data", "can_add_to_content_metadata": true}),
        )
        .await,
    );
    assert_eq!(renamed["name"], "Data");
    assert_eq!(
        renamed["fields_changed"],
        json!(["can_add_to_content_metadata", "name"])
    );
    let r = only(&h, "PATCH", &format!("/groups/{team_id}"));
    assert_eq!(
        r.body,
        Some(json!({"name": "Data", "can_add_to_content_metadata": true}))
    );
    h.assert_no_violations();
}

/// Members are added (twice changes nothing), listed (with a limit and a count) and removed.
#[tokio::test]
async fn group_members_are_added_once_listed_and_removed() {
    let (h, client, team_id, _) = with_groups().await;
    let added = json(
        &call(
            &client,
            "add_group_user",
            json!({"group_id": team_id, "user_id": "2"}),
        )
        .await,
    );
    assert_eq!(added["added"], true);
    assert_eq!(added["user"]["group_ids"], json!(["1", team_id]), "{added}");
    let r = only(&h, "POST", &format!("/groups/{team_id}/users"));
    assert_eq!(r.body, Some(json!({"user_id": "2"})));
    json(
        &call(
            &client,
            "add_group_user",
            json!({"group_id": team_id, "user_id": "3"}),
        )
        .await,
    );
    json(
        &call(
            &client,
            "add_group_user",
            json!({"group_id": team_id, "user_id": "3"}),
        )
        .await,
    );
    h.api_requests();
    let members = json(&call(&client, "list_group_users", json!({"group_id": team_id})).await);
    assert_eq!(
        members["count"], 2,
        "adding twice changes nothing: {members}"
    );
    let r = only(&h, "GET", &format!("/groups/{team_id}/users"));
    assert_eq!(query(&r, "limit"), Some("100"));
    let first = json(
        &call(
            &client,
            "list_group_users",
            json!({"group_id": team_id, "limit": 1}),
        )
        .await,
    );
    assert_eq!(first["users"].as_array().unwrap().len(), 1);
    assert_eq!(
        query(
            &only(&h, "GET", &format!("/groups/{team_id}/users")),
            "limit"
        ),
        Some("1")
    );
    let listed = json(&call(&client, "list_groups", json!({})).await);
    let count = listed["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == team_id.as_str())
        .unwrap()["user_count"]
        .clone();
    assert_eq!(count, 2, "{listed}");
    h.api_requests();

    let removed = json(
        &call(
            &client,
            "remove_group_user",
            json!({"group_id": team_id, "user_id": "3"}),
        )
        .await,
    );
    assert_eq!(removed["removed"], true);
    only(&h, "DELETE", &format!("/groups/{team_id}/users/3"));
    h.assert_no_violations();
}

/// A group is nested in another, listed there, refused where it would make a cycle, and
/// taken out again.
#[tokio::test]
async fn groups_nest_without_cycles_and_unnest() {
    let (h, client, team_id, platform_id) = with_groups().await;
    let nested = json(
        &call(
            &client,
            "add_group_to_group",
            json!({"parent_group_id": team_id, "child_group_id": platform_id}),
        )
        .await,
    );
    assert_eq!(nested["child"]["name"], "Platform", "{nested}");
    let r = only(&h, "POST", &format!("/groups/{team_id}/groups"));
    assert_eq!(r.body, Some(json!({"group_id": platform_id})));
    let children = json(&call(&client, "list_group_groups", json!({"group_id": team_id})).await);
    assert_eq!(
        children["groups"][0]["id"],
        platform_id.as_str(),
        "{children}"
    );
    only(&h, "GET", &format!("/groups/{team_id}/groups"));
    failed(
        &call(
            &client,
            "add_group_to_group",
            json!({"parent_group_id": platform_id, "child_group_id": team_id}),
        )
        .await,
        &["HTTP 422", "cycle"],
    );
    h.api_requests();
    let unnested = json(
        &call(
            &client,
            "remove_group_from_group",
            json!({"parent_group_id": team_id, "child_group_id": platform_id}),
        )
        .await,
    );
    assert_eq!(unnested["removed"], true);
    only(
        &h,
        "DELETE",
        &format!("/groups/{team_id}/groups/{platform_id}"),
    );
    let none = json(&call(&client, "list_group_groups", json!({"group_id": team_id})).await);
    assert_eq!(none["groups"], json!([]));
    h.assert_no_violations();
}

/// `delete_group`, then the group is gone (404); Looker's refusals on groups come back as tool
/// errors with Looker's words.
#[tokio::test]
async fn groups_are_deleted_and_lookers_refusals_come_back() {
    let (h, client, team_id, platform_id) = with_groups().await;
    assert_eq!(
        json(&call(&client, "delete_group", json!({"group_id": platform_id})).await)["deleted"],
        true
    );
    only(&h, "DELETE", &format!("/groups/{platform_id}"));
    failed(
        &call(&client, "delete_group", json!({"group_id": platform_id})).await,
        &["HTTP 404", "Not found"],
    );
    failed(
        &call(&client, "list_group_users", json!({"group_id": "999"})).await,
        &["HTTP 404"],
    );
    failed(
        &call(
            &client,
            "add_group_user",
            json!({"group_id": team_id, "user_id": "999"}),
        )
        .await,
        &["HTTP 422", "User 999 does not exist"],
    );
    failed(
        &call(
            &client,
            "remove_group_user",
            json!({"group_id": "999", "user_id": "2"}),
        )
        .await,
        &["HTTP 404"],
    );
    failed(
        &call(&client, "create_group", json!({"name": "All Users"})).await,
        &["HTTP 409", "already taken"],
    );
    failed(
        &call(
            &client,
            "update_group",
            json!({"group_id": "999", "name": "x"}),
        )
        .await,
        &["HTTP 404"],
    );
    failed(
        &call(&client, "list_group_groups", json!({"group_id": "999"})).await,
        &["HTTP 404"],
    );
    failed(
        &call(
            &client,
            "remove_group_from_group",
            json!({"parent_group_id": team_id, "child_group_id": "1"}),
        )
        .await,
        &["HTTP 404"],
    );
    h.assert_no_violations();
}

/// Group arguments refused before anything reaches Looker.
#[tokio::test]
async fn invalid_group_arguments_never_reach_looker() {
    let (h, client, team_id, _) = with_groups().await;
    for (tool, args) in [
        ("list_groups", json!({"limit": -5})),
        ("list_groups", json!({"limit": "ten"})),
        ("create_group", json!({"name": "  "})),
        ("update_group", json!({"group_id": team_id})),
        ("add_group_user", json!({"group_id": team_id})),
        (
            "add_group_to_group",
            json!({"parent_group_id": "1", "child_group_id": "1"}),
        ),
        ("list_group_users", json!({"group_id": "1", "limit": 0})),
        ("remove_group_from_group", json!({"parent_group_id": "1"})),
    ] {
        let result = call(&client, tool, args.clone()).await;
        assert_eq!(result.is_error, Some(true), "{tool} {args}");
        assert!(
            text(&result).to_lowercase().contains("invalid arguments"),
            "{tool} {args}: {}",
            text(&result)
        );
    }
    assert!(
        h.api_requests().is_empty(),
        "invalid arguments never reach Looker"
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Every `create_schedule`/`update_schedule` argument but the targets, triggers and
/// destinations, with the value each sends.
fn plan_options() -> Value {
    json!({
        "user_id": "2", "run_as_recipient": true, "enabled": false, "run_once": false,
        "timezone": "Europe/Paris", "require_results": true, "require_no_results": false,
        "require_change": true, "send_all_results": false, "filters_string": "?Region=West",
        "include_links": true, "pdf_paper_size": "a4", "pdf_landscape": true, "long_tables": true,
        "inline_table_width": 640, "color_theme": "dark", "embed": false, "show_custom_url": true,
        "custom_url_base": "https://intranet.example.com", "custom_url_params": "/sales?x=1",
        "custom_url_label": "Open in intranet"
    })
}

/// The secret of the S3 destination the schedule tests create: sent to Looker, never shown
/// back nor logged.
const S3_SECRET: &str = "s3-secret-key-do-not-leak";

/// A harness, an `admin` client and a new schedule (look 1, weekly, two email recipients), with
/// the requests that made it already taken.
async fn with_weekly_plan() -> (Harness, Client, String) {
    let h = Harness::new().await;
    let client = h.client("admin").await;
    let created = json(&call(&client, "create_schedule", weekly_plan()).await);
    let plan_id = created["id"].as_str().expect("a schedule id").to_string();
    h.api_requests();
    (h, client, plan_id)
}

/// `create_schedule`'s arguments for the weekly plan: every option, the recipients shorthand.
fn weekly_plan() -> Value {
    let mut args = plan_options();
    args["name"] = json!("Weekly orders");
    args["look_id"] = json!("1");
    args["crontab"] = json!("0 9 * * 1");
    args["recipients"] = json!(["alice@example.com", "boss@example.com"]);
    args["email_format"] = json!("csv");
    args
}

/// `list_schedules`: every user's by default, one user's, a limit; never an undeclared `limit`.
#[tokio::test]
async fn list_schedules_shows_every_users_or_one_users_and_says_when_cut() {
    let h = Harness::new().await;
    let client = h.client("admin").await;
    let all = json(&call(&client, "list_schedules", json!({})).await);
    assert_eq!(all["count"], 2, "{all}");
    assert_eq!(
        all["schedules"][0]["scheduled_plan_destination"][0]["address"],
        "team@example.com"
    );
    let r = only(&h, "GET", "/scheduled_plans");
    assert_eq!(query(&r, "all_users"), Some("true"));
    assert!(
        query(&r, "limit").is_none() && query(&r, "user_id").is_none(),
        "{r:?}"
    );
    let alices = json(
        &call(
            &client,
            "list_schedules",
            json!({"user_id": "2", "limit": 10}),
        )
        .await,
    );
    assert_eq!(alices["count"], 1);
    assert_eq!(alices["schedules"][0]["name"], "Daily orders by region");
    let r = only(&h, "GET", "/scheduled_plans");
    assert_eq!(query(&r, "user_id"), Some("2"));
    assert!(query(&r, "all_users").is_none() && query(&r, "limit").is_none());
    let one = json(&call(&client, "list_schedules", json!({"limit": 1})).await);
    assert_eq!(
        (
            one["count"].clone(),
            one["total"].clone(),
            one["truncated"].clone()
        ),
        (json!(1), json!(2), json!(true))
    );
    h.assert_no_violations();
}

/// `create_schedule` with the recipients shorthand and every option, then on a dashboard and a
/// LookML dashboard (PDF by default).
#[tokio::test]
async fn create_schedule_sends_every_option_and_each_target() {
    let h = Harness::new().await;
    let client = h.client("admin").await;
    let created = json(&call(&client, "create_schedule", weekly_plan()).await);
    assert_eq!(created["title"], "Orders by status", "{created}");
    assert_eq!(created["user_id"], "2");
    assert_eq!(
        created["scheduled_plan_destination"][1]["address"],
        "boss@example.com"
    );
    let r = only(&h, "POST", "/scheduled_plans");
    let body = r.body.clone().unwrap();
    for (k, v) in plan_options().as_object().unwrap() {
        assert_eq!(&body[k], v, "{k}");
    }
    assert_eq!(body["name"], "Weekly orders");
    assert_eq!(body["look_id"], "1");
    assert_eq!(body["crontab"], "0 9 * * 1");
    assert_eq!(
        body["scheduled_plan_destination"],
        json!([{"type": "email", "address": "alice@example.com", "format": "csv"},
               {"type": "email", "address": "boss@example.com", "format": "csv"}])
    );

    for (target, id) in [
        ("dashboard_id", "1"),
        ("lookml_dashboard_id", "ecommerce::overview"),
    ] {
        let made = json(
            &call(&client, "create_schedule", json!({"name": format!("By {target}"), (target): id, "crontab": "0 6 * * *", "recipients": ["team@example.com"]})).await,
        );
        assert_eq!(made["created"], true);
        let r = only(&h, "POST", "/scheduled_plans");
        assert_eq!(r.body.as_ref().unwrap()[target], id);
        assert_eq!(
            r.body.as_ref().unwrap()["scheduled_plan_destination"][0]["format"],
            "wysiwyg_pdf"
        );
    }
    h.assert_no_violations();
}

/// `update_schedule` with every option, retargeting and new destinations; recipients alone
/// become email destinations; each other target is sent alone.
#[tokio::test]
async fn update_schedule_sends_every_option_retargets_and_replaces_destinations() {
    let (h, client, plan_id) = with_weekly_plan().await;
    let mut args = plan_options();
    args["schedule_id"] = json!(plan_id);
    args["name"] = json!("Monthly orders");
    args["dashboard_id"] = json!("2");
    args["crontab"] = json!("0 8 1 * *");
    args["destinations"] = json!([{"type": "webhook", "address": "https://hooks.example.com/x", "format": "json_detail"}]);
    let updated = json(&call(&client, "update_schedule", args).await);
    assert_eq!(updated["title"], "Marketing spend", "{updated}");
    assert!(updated.get("look_id").is_none(), "retargeted: {updated}");
    assert_eq!(
        updated["scheduled_plan_destination"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let changed = updated["fields_changed"].as_array().unwrap();
    assert!(
        changed.contains(&json!("scheduled_plan_destination"))
            && changed.contains(&json!("custom_url_label"))
    );
    let r = only(&h, "PATCH", &format!("/scheduled_plans/{plan_id}"));
    let body = r.body.unwrap();
    for (k, v) in plan_options().as_object().unwrap() {
        assert_eq!(&body[k], v, "{k}");
    }
    assert_eq!(body["dashboard_id"], "2");
    let retimed = json(
        &call(&client, "update_schedule", json!({"schedule_id": plan_id, "recipients": ["team@example.com"], "email_format": "xlsx", "look_id": "2", "datagroup": "nightly"})).await,
    );
    assert_eq!(retimed["datagroup"], "nightly", "{retimed}");
    let r = only(&h, "PATCH", &format!("/scheduled_plans/{plan_id}"));
    assert_eq!(
        r.body.as_ref().unwrap()["scheduled_plan_destination"],
        json!([{"type": "email", "address": "team@example.com", "format": "xlsx"}])
    );
    for (target, id) in [
        ("query_id", "1"),
        ("lookml_dashboard_id", "ecommerce::overview"),
    ] {
        json(
            &call(
                &client,
                "update_schedule",
                json!({"schedule_id": plan_id, (target): id}),
            )
            .await,
        );
        assert_eq!(
            only(&h, "PATCH", &format!("/scheduled_plans/{plan_id}")).body,
            Some(json!({(target): id}))
        );
    }
    h.assert_no_violations();
}

/// `run_schedule_once` triggers one run and sends no body.
#[tokio::test]
async fn run_schedule_once_triggers_a_run() {
    let (h, client, plan_id) = with_weekly_plan().await;
    let run = json(
        &call(
            &client,
            "run_schedule_once",
            json!({"schedule_id": plan_id}),
        )
        .await,
    );
    assert_eq!(run["triggered"], true);
    assert_eq!(run["run"]["run_once"], true, "{run}");
    let r = only(&h, "POST", &format!("/scheduled_plans/{plan_id}/run_once"));
    assert!(r.body.is_none());
    h.assert_no_violations();
}

/// Looker's refusals of schedule calls (422, 404) come back as tool errors with Looker's words.
#[tokio::test]
async fn looker_refusals_on_schedules_come_back_with_lookers_words() {
    let h = Harness::new().await;
    let client = h.client("admin").await;
    failed(
        &call(&client, "create_schedule", json!({"name": "x", "look_id": "999", "crontab": "0 9 * * *", "recipients": ["a@example.com"]})).await,
        &["HTTP 422", "look_id 999 does not exist"],
    );
    failed(
        &call(&client, "run_schedule_once", json!({"schedule_id": "999"})).await,
        &["HTTP 404"],
    );
    failed(
        &call(
            &client,
            "update_schedule",
            json!({"schedule_id": "999", "name": "x"}),
        )
        .await,
        &["HTTP 404"],
    );
    h.assert_no_violations();
}

/// `delete_schedule`, then the schedule is gone (404).
#[tokio::test]
async fn delete_schedule_removes_it_then_404() {
    let (h, client, plan_id) = with_weekly_plan().await;
    assert_eq!(
        json(&call(&client, "delete_schedule", json!({"schedule_id": plan_id})).await)["deleted"],
        true
    );
    only(&h, "DELETE", &format!("/scheduled_plans/{plan_id}"));
    failed(
        &call(&client, "delete_schedule", json!({"schedule_id": plan_id})).await,
        &["HTTP 404", "Not found"],
    );
    h.assert_no_violations();
}

/// Schedule arguments refused before any Looker call, each with a message naming the problem.
#[tokio::test]
async fn invalid_schedule_arguments_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("admin").await;
    let base = json!({"name": "x", "look_id": "1", "crontab": "0 9 * * *", "recipients": ["a@example.com"]});
    let with = |extra: Value| {
        let mut v = base.clone();
        for (k, val) in extra.as_object().unwrap() {
            if val.is_null() {
                v.as_object_mut().unwrap().remove(k);
            } else {
                v[k] = val.clone();
            }
        }
        v
    };
    for (tool, args, needle) in [
        (
            "create_schedule",
            with(json!({"dashboard_id": "1"})),
            "only one target",
        ),
        (
            "create_schedule",
            with(json!({"look_id": null})),
            "no target",
        ),
        (
            "create_schedule",
            with(json!({"crontab": null})),
            "no trigger",
        ),
        (
            "create_schedule",
            with(json!({"datagroup": "nightly"})),
            "mutually exclusive",
        ),
        (
            "create_schedule",
            with(json!({"recipients": null})),
            "no destination",
        ),
        (
            "create_schedule",
            with(json!({"recipients": []})),
            "at least one destination",
        ),
        (
            "create_schedule",
            with(json!({"recipients": ["nobody"]})),
            "not an email",
        ),
        (
            "create_schedule",
            with(json!({"destinations": [{"type": "email", "format": "csv"}]})),
            "not both",
        ),
        (
            "create_schedule",
            with(json!({"recipients": null, "destinations": [{"type": "email", "adress": "x"}]})),
            "unknown key `adress`",
        ),
        (
            "create_schedule",
            with(
                json!({"recipients": null, "destinations": [{"type": "email", "address": "a@b.c"}]}),
            ),
            "needs `format`",
        ),
        (
            "create_schedule",
            with(json!({"inline_table_width": "wide"})),
            "inline_table_width",
        ),
        ("create_schedule", with(json!({"name": null})), "name"),
        (
            "update_schedule",
            json!({"schedule_id": "1"}),
            "no fields to update",
        ),
        (
            "update_schedule",
            json!({"schedule_id": "1", "email_format": "csv"}),
            "no fields to update",
        ),
        (
            "update_schedule",
            json!({"schedule_id": "1", "destinations": []}),
            "at least one destination",
        ),
        (
            "update_schedule",
            json!({"schedule_id": "1", "look_id": "1", "query_id": "2"}),
            "only one target",
        ),
        ("list_schedules", json!({"limit": 0}), "limit"),
        (
            "delete_schedule",
            json!({"schedule_id": ".."}),
            "not allowed",
        ),
    ] {
        let result = call(&client, tool, args.clone()).await;
        failed(&result, &[needle]);
        assert!(
            text(&result).to_lowercase().contains("invalid arguments"),
            "{tool} {args}: {}",
            text(&result)
        );
        assert!(!text(&result).contains(S3_SECRET));
    }
    assert!(
        h.api_requests().is_empty(),
        "invalid arguments never reach Looker"
    );
    h.assert_no_violations();
}

/// Secrets: an S3 destination's secret is sent to Looker but never shown back, the credentials
/// tools' one-time links never come back, and none of them (nor the API client secret) reaches
/// the server's log, kept at DEBUG (a child process, for its stderr).
#[tokio::test]
async fn secrets_never_come_back_nor_reach_the_log() {
    let h = Harness::new().await;
    // This server's stderr (the log, at DEBUG) is kept to check no secret reaches it.
    let (transport, stderr) = TokioChildProcess::builder(h.command(&["--groups", "admin"]))
        .stderr(Stdio::piped())
        .spawn()
        .expect("server spawns");
    let client = ().serve(transport).await.expect("MCP initialize");
    let mut stderr = stderr.expect("stderr is piped");
    let log = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });

    // create_schedule with a full destination whose secret is write-only: sent to Looker,
    // never shown back.
    let s3 = json(
        &call(
            &client,
            "create_schedule",
            json!({"name": "Nightly export", "query_id": "1", "datagroup": "nightly",
                   "destinations": [{"type": "s3", "format": "csv", "address": "s3://bucket/path",
                                     "parameters": {"region": "eu-west-1", "access_key_id": "AKIA"},
                                     "secret_parameters": {"secret_access_key": S3_SECRET},
                                     "apply_formatting": false, "apply_vis": false, "message": "hi"}]}),
        )
        .await,
    );
    let s3_id = s3["id"].as_str().unwrap().to_string();
    assert!(!s3.to_string().contains(S3_SECRET), "{s3}");
    let r = only(&h, "POST", "/scheduled_plans");
    let dest = &r.body.as_ref().unwrap()["scheduled_plan_destination"][0];
    let parameters: Value = serde_json::from_str(dest["parameters"].as_str().unwrap()).unwrap();
    assert_eq!(
        parameters,
        json!({"region": "eu-west-1", "access_key_id": "AKIA"})
    );
    assert!(
        dest["secret_parameters"]
            .as_str()
            .unwrap()
            .contains(S3_SECRET),
        "sent to Looker"
    );
    assert_eq!(r.body.as_ref().unwrap()["datagroup"], "nightly");
    json(&call(&client, "run_schedule_once", json!({"schedule_id": s3_id})).await);
    h.api_requests();

    // The credentials tools' one-time links never come back.
    let creds = call(
        &client,
        "create_credentials_email",
        json!({"user_id": "77", "email": "ci-bot@example.com"}),
    )
    .await;
    assert!(
        !text(&creds).contains("/account/setup/"),
        "{}",
        text(&creds)
    );
    let reset = call(&client, "send_password_reset", json!({"user_id": "77"})).await;
    assert!(
        !text(&reset).contains("/password/reset/"),
        "{}",
        text(&reset)
    );
    h.api_requests();

    client.cancel().await.unwrap();
    let log = tokio::time::timeout(Duration::from_secs(30), log)
        .await
        .expect("the server exits")
        .unwrap();
    assert!(
        log.contains("looker request"),
        "the log was captured at DEBUG: {log}"
    );
    for secret_text in [
        S3_SECRET,
        "/password/reset/",
        "/account/setup/",
        "demo-client-secret",
    ] {
        assert!(!log.contains(secret_text), "{secret_text} reached the log");
    }
    h.assert_no_violations();
}

#[tokio::test]
async fn tool_list_and_annotations() {
    let h = Harness::new().await;
    let client = h.client("admin").await;
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 45);
    let hints = |name: &str| {
        let t = tools
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("{name}"));
        let a = t.annotations.clone().unwrap();
        (
            a.read_only_hint.unwrap(),
            a.destructive_hint.unwrap(),
            a.idempotent_hint.unwrap(),
        )
    };
    assert_eq!(hints("list_users"), (true, false, true));
    assert_eq!(hints("get_role_users"), (true, false, true));
    assert_eq!(hints("create_user"), (false, false, false));
    assert_eq!(hints("create_schedule"), (false, false, false));
    assert_eq!(hints("run_schedule_once"), (false, false, false));
    assert_eq!(hints("send_password_reset"), (false, false, false));
    assert_eq!(hints("add_group_user"), (false, false, true));
    assert_eq!(hints("set_role_groups"), (false, true, true));
    assert_eq!(hints("set_user_roles"), (false, true, true));
    assert_eq!(hints("update_schedule"), (false, true, true));
    assert_eq!(hints("delete_user"), (false, true, true));
    assert_eq!(hints("remove_group_user"), (false, true, true));
    client.cancel().await.unwrap();
}

use serde_json::json;

use super::{Send, admin, alice, call, dev_mode, get, send_json, sim};

#[tokio::test]
async fn production_sessions_see_the_production_branch_and_cannot_switch() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let branch = get(&sim, "/projects/ecommerce/git_branch", &token)
        .await
        .json();
    assert_eq!(
        (branch["name"].as_str(), branch["is_production"].as_bool()),
        (Some("main"), Some(true))
    );
    let put = send_json(
        &sim,
        "PUT",
        "/projects/ecommerce/git_branch",
        &token,
        json!({ "name": "feature/new-dashboard" }),
    )
    .await;
    assert_eq!(put.status, 400);
    assert!(
        put.json()["message"]
            .as_str()
            .expect("message")
            .contains("development mode")
    );
    assert_eq!(
        get(&sim, "/projects/nope/git_branch", &token).await.status,
        404
    );
}

#[tokio::test]
async fn checked_out_branch_is_per_user_and_project_in_dev() {
    let sim = sim().await;
    let admin_dev = admin(&sim).await;
    dev_mode(&sim, &admin_dev).await;
    let alice_dev = alice(&sim).await;
    dev_mode(&sim, &alice_dev).await;

    // Everyone starts on their personal branch.
    let mine = get(&sim, "/projects/ecommerce/git_branch", &admin_dev)
        .await
        .json();
    assert!(
        mine["name"]
            .as_str()
            .expect("name")
            .starts_with("dev-ada-admin-")
    );
    assert_eq!(mine["personal"], true);

    let put = send_json(
        &sim,
        "PUT",
        "/projects/ecommerce/git_branch",
        &admin_dev,
        json!({ "name": "feature/new-dashboard" }),
    )
    .await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(
        get(&sim, "/projects/ecommerce/git_branch", &admin_dev)
            .await
            .json()["name"],
        "feature/new-dashboard"
    );

    // Same user, another dev session: same checkout (the state is per user, not per token).
    let admin_dev2 = admin(&sim).await;
    dev_mode(&sim, &admin_dev2).await;
    assert_eq!(
        get(&sim, "/projects/ecommerce/git_branch", &admin_dev2)
            .await
            .json()["name"],
        "feature/new-dashboard"
    );
    // Another project, or another user: untouched.
    assert!(
        get(&sim, "/projects/marketing/git_branch", &admin_dev)
            .await
            .json()["name"]
            .as_str()
            .expect("name")
            .starts_with("dev-")
    );
    assert!(
        get(&sim, "/projects/ecommerce/git_branch", &alice_dev)
            .await
            .json()["name"]
            .as_str()
            .expect("name")
            .starts_with("dev-alice-")
    );
    // A production session of the same user still sees production.
    let admin_prod = admin(&sim).await;
    assert_eq!(
        get(&sim, "/projects/ecommerce/git_branch", &admin_prod)
            .await
            .json()["name"],
        "main"
    );

    let unknown = send_json(
        &sim,
        "PUT",
        "/projects/ecommerce/git_branch",
        &admin_dev,
        json!({ "name": "nope" }),
    )
    .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn branches_can_be_listed_created_and_deleted() {
    let sim = sim().await;
    let token = admin(&sim).await;
    dev_mode(&sim, &token).await;
    let list = get(&sim, "/projects/ecommerce/git_branches", &token)
        .await
        .json();
    let names: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|b| b["name"].as_str())
        .collect();
    assert_eq!(&names[..2], ["main", "feature/new-dashboard"]);
    assert_eq!(names.len(), 3);

    let created = send_json(
        &sim,
        "POST",
        "/projects/ecommerce/git_branch",
        &token,
        json!({ "name": "fix/typo" }),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(
        get(&sim, "/projects/ecommerce/git_branch/fix%2Ftypo", &token)
            .await
            .status,
        200
    );
    let dup = send_json(
        &sim,
        "POST",
        "/projects/ecommerce/git_branch",
        &token,
        json!({ "name": "fix/typo" }),
    )
    .await;
    assert_eq!(dup.status, 409);
    // The checked-out branch cannot be deleted; after switching away it can.
    let del = call(
        &sim,
        "DELETE",
        "/projects/ecommerce/git_branch/fix%2Ftypo",
        Some(&token),
        Send::None,
    )
    .await;
    assert_eq!(del.status, 400);
    send_json(
        &sim,
        "PUT",
        "/projects/ecommerce/git_branch",
        &token,
        json!({ "name": "main" }),
    )
    .await;
    let del = call(
        &sim,
        "DELETE",
        "/projects/ecommerce/git_branch/fix%2Ftypo",
        Some(&token),
        Send::None,
    )
    .await;
    assert_eq!(del.status, 204);
    assert_eq!(
        get(&sim, "/projects/ecommerce/git_branch/fix%2Ftypo", &token)
            .await
            .status,
        404
    );
}

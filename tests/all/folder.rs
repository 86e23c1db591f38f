//! The `folder` group: every tool through a real MCP client against the simulator, checking
//! results, the Looker requests they make, and failures.

use rmcp::RoleClient;
use rmcp::service::RunningService;
use serde_json::{Value, json};

use crate::support::{Harness, call, json, only_request, query, text};

/// The client type of [`Harness::client`].
type Client = RunningService<RoleClient, ()>;

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|f| f["name"].as_str().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn browse_folders_and_their_content() {
    let h = Harness::new().await;
    let client = h.client("folder").await;

    let all = json(&call(&client, "list_folders", json!({})).await);
    assert!(names(&all["folders"]).contains(&"Sales"), "{all}");
    assert!(all["folders"][0].get("can").is_none(), "{all}");
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/folders/search")
    );
    assert_eq!(query(&r, "limit"), Some("50"));
    assert!(query(&r, "fields").unwrap().contains("child_count"));

    let found = json(
        &call(
            &client,
            "list_folders",
            json!({"name": "ALE", "parent_id": "1", "limit": 1}),
        )
        .await,
    );
    assert_eq!(names(&found["folders"]), ["Sales"], "{found}");
    assert_eq!(found["limit_reached"], true, "{found}");
    let r = only_request(&h);
    assert_eq!(query(&r, "name"), Some("%ALE%"));
    assert_eq!(query(&r, "parent_id"), Some("1"));
    assert_eq!(query(&r, "limit"), Some("1"));

    let sales = json(&call(&client, "get_folder", json!({"folder_id": "6"})).await);
    assert_eq!(sales["name"], "Sales", "{sales}");
    assert_eq!(sales["look_count"], 1, "{sales}");
    assert_eq!(sales["looks"][0]["title"], "Orders by status", "{sales}");
    assert_eq!(sales["dashboards"][0]["title"], "Sales overview", "{sales}");
    let r = only_request(&h);
    assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", "/folders/6"));
    assert!(
        query(&r, "fields").unwrap().contains("looks(id,title"),
        "{r:?}"
    );

    let children = json(&call(&client, "get_folder_children", json!({"folder_id": "2"})).await);
    assert_eq!(
        names(&children["children"]),
        ["Ada Admin", "Alice Analyst", "Bob Builder", "CI Bot"],
        "sorted by name: {children}"
    );
    let r = only_request(&h);
    assert_eq!(r.path, "/folders/2/children");
    assert_eq!(
        (query(&r, "sorts"), query(&r, "limit")),
        (Some("name"), Some("50"))
    );
    let first = json(
        &call(
            &client,
            "get_folder_children",
            json!({"folder_id": "2", "limit": 2}),
        )
        .await,
    );
    assert_eq!(names(&first["children"]), ["Ada Admin", "Alice Analyst"]);
    assert_eq!(first["limit_reached"], true);
    assert_eq!(query(&only_request(&h), "limit"), Some("2"));

    let ancestors = json(&call(&client, "get_folder_ancestors", json!({"folder_id": "4"})).await);
    assert_eq!(names(&ancestors["ancestors"]), ["Users"], "{ancestors}");
    assert_eq!(ancestors["path"], "Users");
    assert_eq!(only_request(&h).path, "/folders/4/ancestors");

    let looks = json(&call(&client, "get_folder_looks", json!({"folder_id": "4"})).await);
    assert_eq!(looks["looks"][0]["title"], "Orders by region", "{looks}");
    assert!(
        looks["looks"][0].get("query").is_none(),
        "only the asked fields: {looks}"
    );
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/folders/4/looks")
    );

    let dashboards = json(&call(&client, "get_folder_dashboards", json!({"folder_id": "1"})).await);
    assert_eq!(
        dashboards["dashboards"][0]["title"], "Marketing spend",
        "{dashboards}"
    );
    assert_eq!(only_request(&h).path, "/folders/1/dashboards");

    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// A harness and a `folder` client with Q3 reviews made in Sales (folder 6) and Drafts in it,
/// requests taken: the two folders' ids.
async fn with_folders() -> (Harness, Client, String, String) {
    let h = Harness::new().await;
    let client = h.client("folder").await;
    let q3 = json(
        &call(
            &client,
            "create_folder",
            json!({"name": "Q3 reviews", "parent_id": "6"}),
        )
        .await,
    );
    let id = q3["id"].as_str().unwrap().to_owned();
    let nested = json(
        &call(
            &client,
            "create_folder",
            json!({"name": "Drafts", "parent_id": id}),
        )
        .await,
    );
    let nested_id = nested["id"].as_str().unwrap().to_owned();
    h.api_requests();
    (h, client, id, nested_id)
}

/// `create_folder` sends the name and parent; a nested folder's ancestors name its path and its
/// parent counts it.
#[tokio::test]
async fn folders_are_created_and_nested_under_a_parent() {
    let h = Harness::new().await;
    let client = h.client("folder").await;
    let q3 = json(
        &call(
            &client,
            "create_folder",
            json!({"name": "Q3 reviews", "parent_id": "6"}),
        )
        .await,
    );
    let id = q3["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (q3["name"].as_str(), q3["parent_id"].as_str()),
        (Some("Q3 reviews"), Some("6"))
    );
    let r = only_request(&h);
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/folders"));
    assert_eq!(
        r.body,
        Some(json!({"name": "Q3 reviews", "parent_id": "6"}))
    );

    let nested = json(
        &call(
            &client,
            "create_folder",
            json!({"name": "Drafts", "parent_id": id}),
        )
        .await,
    );
    let nested_id = nested["id"].as_str().unwrap().to_owned();
    h.api_requests();
    let ancestors = json(
        &call(
            &client,
            "get_folder_ancestors",
            json!({"folder_id": nested_id}),
        )
        .await,
    );
    assert_eq!(
        ancestors["path"], "Shared / Sales / Q3 reviews",
        "{ancestors}"
    );
    let sales = json(&call(&client, "get_folder", json!({"folder_id": "6"})).await);
    assert_eq!(sales["child_count"], 1, "{sales}");
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Looker refuses a duplicate name (case-insensitive) and an unknown parent.
#[tokio::test]
async fn looker_refuses_a_duplicate_folder_name_and_an_unknown_parent() {
    let (h, client, _, _) = with_folders().await;
    // Looker refuses a duplicate name and an unknown parent.
    let duplicate = call(
        &client,
        "create_folder",
        json!({"name": "q3 reviews", "parent_id": "6"}),
    )
    .await;
    assert_eq!(duplicate.is_error, Some(true));
    assert!(
        text(&duplicate).contains("HTTP 409") && text(&duplicate).contains("already exists"),
        "{}",
        text(&duplicate)
    );
    let orphan = call(
        &client,
        "create_folder",
        json!({"name": "X", "parent_id": "999"}),
    )
    .await;
    assert_eq!(orphan.is_error, Some(true));
    assert!(
        text(&orphan).contains("HTTP 404") && text(&orphan).contains("Not found"),
        "{}",
        text(&orphan)
    );
    assert_eq!(h.api_requests().len(), 2);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `update_folder` renames and moves a folder, or only renames it.
#[tokio::test]
async fn update_folder_renames_and_moves_a_folder() {
    let (h, client, id, _) = with_folders().await;
    let renamed = json(
        &call(
            &client,
            "update_folder",
            json!({"folder_id": id, "name": "Q3 2024", "parent_id": "1"}),
        )
        .await,
    );
    assert_eq!(
        (renamed["name"].as_str(), renamed["parent_id"].as_str()),
        (Some("Q3 2024"), Some("1"))
    );
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PATCH", format!("/folders/{id}").as_str())
    );
    assert_eq!(r.body, Some(json!({"name": "Q3 2024", "parent_id": "1"})));
    let renamed_only = json(
        &call(
            &client,
            "update_folder",
            json!({"folder_id": id, "name": "Q3"}),
        )
        .await,
    );
    assert_eq!(renamed_only["name"], "Q3");
    assert_eq!(only_request(&h).body, Some(json!({"name": "Q3"})));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Moving a folder into its own subfolder, and renaming a root folder, are Looker's 422s.
#[tokio::test]
async fn looker_refuses_moving_a_folder_into_itself_and_renaming_a_root() {
    let (h, client, id, nested_id) = with_folders().await;
    // Moving a folder into its own subfolder, and renaming a root folder, are Looker's 422s.
    let cycle = call(
        &client,
        "update_folder",
        json!({"folder_id": id, "parent_id": nested_id}),
    )
    .await;
    assert!(
        cycle.is_error == Some(true)
            && text(&cycle).contains("HTTP 422")
            && text(&cycle).contains("cannot move into itself"),
        "{}",
        text(&cycle)
    );
    let root = call(
        &client,
        "update_folder",
        json!({"folder_id": "1", "name": "Everything"}),
    )
    .await;
    assert!(
        root.is_error == Some(true) && text(&root).contains("HTTP 422"),
        "{}",
        text(&root)
    );
    assert_eq!(h.api_requests().len(), 2);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Nothing to change, or a folder as its own parent: refused before any Looker call.
#[tokio::test]
async fn update_folder_refuses_nothing_to_change_and_its_own_parent() {
    let (h, client, id, _) = with_folders().await;
    // Nothing to change, or a folder as its own parent: refused before any Looker call.
    for bad in [
        json!({"folder_id": id}),
        json!({"folder_id": id, "parent_id": id}),
    ] {
        let result = call(&client, "update_folder", bad.clone()).await;
        assert_eq!(result.is_error, Some(true), "{bad}");
    }
    assert!(h.api_requests().is_empty());
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `delete_folder` removes a folder and its subfolders; a second delete is 404; a root folder
/// cannot be deleted.
#[tokio::test]
async fn delete_folder_takes_its_subfolders_and_root_folders_stay() {
    let (h, client, id, nested_id) = with_folders().await;
    let deleted = json(&call(&client, "delete_folder", json!({"folder_id": id})).await);
    assert_eq!(deleted, json!({"deleted": true, "folder_id": id}));
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("DELETE", format!("/folders/{id}").as_str())
    );
    for gone in [&id, &nested_id] {
        let missing = call(&client, "get_folder", json!({"folder_id": gone})).await;
        assert!(
            missing.is_error == Some(true) && text(&missing).contains("HTTP 404"),
            "{}",
            text(&missing)
        );
    }
    let again = call(&client, "delete_folder", json!({"folder_id": id})).await;
    assert!(
        again.is_error == Some(true) && text(&again).contains("Not found"),
        "{}",
        text(&again)
    );
    let shared = call(&client, "delete_folder", json!({"folder_id": "1"})).await;
    assert!(
        shared.is_error == Some(true) && text(&shared).contains("cannot be deleted"),
        "{}",
        text(&shared)
    );

    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn folder_failures_are_tool_errors() {
    let h = Harness::new().await;
    let client = h.client("folder").await;

    for tool in [
        "get_folder",
        "get_folder_children",
        "get_folder_ancestors",
        "get_folder_looks",
        "get_folder_dashboards",
    ] {
        let missing = call(&client, tool, json!({"folder_id": "999"})).await;
        assert_eq!(missing.is_error, Some(true), "{tool}");
        assert!(
            text(&missing).contains("HTTP 404") && text(&missing).contains("Not found"),
            "{tool}: {}",
            text(&missing)
        );
    }
    assert_eq!(h.api_requests().len(), 5);

    // An id with a slash stays one encoded path segment; one that would walk up the tree if
    // something between the host and Looker decoded the slashes never leaves the host.
    call(&client, "get_folder", json!({"folder_id": "6/7"})).await;
    assert_eq!(only_request(&h).path, "/folders/6%2F7");
    let walked = call(&client, "get_folder", json!({"folder_id": "6/../1"})).await;
    assert_eq!(walked.is_error, Some(true));
    assert!(text(&walked).contains("'..'"), "{}", text(&walked));
    assert!(h.api_requests().is_empty());

    for (tool, bad) in [
        ("get_folder", json!({})),
        ("get_folder", json!({"folder_id": [6]})),
        ("get_folder", json!({"folder_id": ""})),
        ("list_folders", json!({"limit": 0})),
        ("list_folders", json!({"surprise": true})),
        (
            "get_folder_children",
            json!({"folder_id": "1", "limit": "ten"}),
        ),
        ("create_folder", json!({"name": "X"})),
        ("create_folder", json!({"name": "", "parent_id": "1"})),
        ("create_folder", json!({"name": "   ", "parent_id": "1"})),
        ("delete_folder", json!({"id": "7"})),
    ] {
        let result = call(&client, tool, bad.clone()).await;
        assert_eq!(result.is_error, Some(true), "{tool} {bad}");
        assert!(
            text(&result).to_lowercase().contains("invalid arguments"),
            "{tool} {bad}: {}",
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

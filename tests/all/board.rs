//! The `board` group: boards, sections and items through a real MCP client against the
//! simulator, checking results, the Looker requests (method, path, body) and failures.

use rmcp::RoleClient;
use rmcp::service::RunningService;
use serde_json::{Value, json};

use crate::support::{Harness, call, json, only_request, query, text};

/// The client type of [`Harness::client`].
type Client = RunningService<RoleClient, ()>;

fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id: {v}"))
        .to_owned()
}

/// `list_boards`: summaries sorted by title; a title pattern and a limit.
#[tokio::test]
async fn boards_are_listed_as_summaries_and_searched_by_title() {
    let h = Harness::new().await;
    let client = h.client("board").await;
    let listed = json(&call(&client, "list_boards", json!({})).await);
    assert_eq!(listed["boards"][0]["title"], "Sales home", "{listed}");
    assert!(
        listed["boards"][0].get("board_sections").is_none(),
        "summary only: {listed}"
    );
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/boards/search")
    );
    assert_eq!(
        (query(&r, "limit"), query(&r, "sorts")),
        (Some("50"), Some("title"))
    );
    assert_eq!(query(&r, "title"), None);

    let found = json(
        &call(
            &client,
            "list_boards",
            json!({"title": "sales", "limit": 1}),
        )
        .await,
    );
    assert_eq!(found["boards"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["limit_reached"], true);
    let r = only_request(&h);
    assert_eq!(
        (query(&r, "title"), query(&r, "limit")),
        (Some("%sales%"), Some("1"))
    );
    let none = json(&call(&client, "list_boards", json!({"title": "marketing"})).await);
    assert_eq!(none, json!({"boards": []}));
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `get_board`, `get_board_section` and `get_board_item` on the seeded board, without `can`.
#[tokio::test]
async fn the_seeded_board_its_sections_and_items_are_read() {
    let h = Harness::new().await;
    let client = h.client("board").await;
    let board = json(&call(&client, "get_board", json!({"board_id": "1"})).await);
    assert_eq!(board["section_order"], json!(["1", "2"]), "{board}");
    let daily = &board["board_sections"][0];
    assert_eq!(daily["title"], "Daily", "{board}");
    assert_eq!(
        daily["board_items"][0]["title"], "Sales overview",
        "{board}"
    );
    assert_eq!(daily["board_items"][0]["location"], "Sales", "{board}");
    assert_eq!(
        daily["board_items"][1]["title"], "Order statuses",
        "custom title: {board}"
    );
    assert!(
        board.get("can").is_none() && !board.to_string().contains("\"can\""),
        "{board}"
    );
    assert_eq!(only_request(&h).path, "/boards/1");

    let section = json(
        &call(
            &client,
            "get_board_section",
            json!({"board_section_id": "2"}),
        )
        .await,
    );
    assert_eq!(
        section["board_items"][0]["url"], "https://wiki.example.com/sales",
        "{section}"
    );
    assert_eq!(only_request(&h).path, "/board_sections/2");

    let item = json(&call(&client, "get_board_item", json!({"board_item_id": "2"})).await);
    assert_eq!(
        (item["look_id"].as_str(), item["url"].as_str()),
        (Some("1"), Some("/looks/1")),
        "{item}"
    );
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/board_items/2")
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Unknown boards, sections and items are Looker's 404.
#[tokio::test]
async fn unknown_boards_sections_and_items_are_404() {
    let h = Harness::new().await;
    let client = h.client("board").await;
    for (tool, arg) in [
        ("get_board", "board_id"),
        ("get_board_section", "board_section_id"),
        ("get_board_item", "board_item_id"),
    ] {
        let missing = call(&client, tool, json!({arg: "404"})).await;
        assert_eq!(missing.is_error, Some(true), "{tool}");
        assert!(
            text(&missing).contains("HTTP 404") && text(&missing).contains("Not found"),
            "{tool}: {}",
            text(&missing)
        );
    }
    assert_eq!(h.api_requests().len(), 3);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// A harness, a `board` client and a new board, Ops, with the request that made it taken.
async fn with_board() -> (Harness, Client, String) {
    let h = Harness::new().await;
    let client = h.client("board").await;
    let board = json(
        &call(
            &client,
            "create_board",
            json!({"title": "Ops", "description": "For on-call"}),
        )
        .await,
    );
    h.api_requests();
    (h, client, id(&board))
}

/// [`with_board`] with two sections on the board, Incidents and an untitled one: the board's,
/// the first section's and the other section's ids.
async fn with_sections() -> (Harness, Client, String, String, String) {
    let (h, client, board_id) = with_board().await;
    let section = json(
        &call(
            &client,
            "create_board_section",
            json!({"board_id": board_id, "title": "Incidents", "description": "Live"}),
        )
        .await,
    );
    let other = json(
        &call(
            &client,
            "create_board_section",
            json!({"board_id": board_id}),
        )
        .await,
    );
    h.api_requests();
    (h, client, board_id, id(&section), id(&other))
}

/// [`with_sections`] with three items in the first section: a dashboard, a look and a link (the
/// last id returned).
async fn with_items() -> (Harness, Client, String, String, String, String) {
    let (h, client, board_id, section_id, other_id) = with_sections().await;
    for item in [
        json!({"board_section_id": section_id, "dashboard_id": "1"}),
        json!({"board_section_id": section_id, "look_id": "2", "title": "Regions", "description": "By region"}),
    ] {
        json(&call(&client, "create_board_item", item).await);
    }
    let link = json(&call(&client, "create_board_item", json!({"board_section_id": section_id, "url": "https://status.example.com", "title": "Status"})).await);
    h.api_requests();
    (h, client, board_id, section_id, other_id, id(&link))
}

/// `create_board` sends the title and, when given, the description.
#[tokio::test]
async fn boards_are_created_with_or_without_a_description() {
    let h = Harness::new().await;
    let client = h.client("board").await;
    // Board.
    let board = json(
        &call(
            &client,
            "create_board",
            json!({"title": "Ops", "description": "For on-call"}),
        )
        .await,
    );
    let _board_id = id(&board);
    assert_eq!(
        (board["title"].as_str(), board["description"].as_str()),
        (Some("Ops"), Some("For on-call"))
    );
    let r = only_request(&h);
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/boards"));
    assert_eq!(
        r.body,
        Some(json!({"title": "Ops", "description": "For on-call"}))
    );
    json(&call(&client, "create_board", json!({"title": "Bare"})).await);
    assert_eq!(only_request(&h).body, Some(json!({"title": "Bare"})));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `update_board` patches the title and description, or only what was given.
#[tokio::test]
async fn update_board_patches_only_what_was_given() {
    let (h, client, board_id) = with_board().await;
    let renamed = json(
        &call(
            &client,
            "update_board",
            json!({"board_id": board_id, "title": "Operations", "description": "On-call home"}),
        )
        .await,
    );
    assert_eq!(renamed["title"], "Operations");
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PATCH", format!("/boards/{board_id}").as_str())
    );
    assert_eq!(
        r.body,
        Some(json!({"title": "Operations", "description": "On-call home"}))
    );
    call(
        &client,
        "update_board",
        json!({"board_id": board_id, "description": "Pager duty"}),
    )
    .await;
    assert_eq!(
        only_request(&h).body,
        Some(json!({"description": "Pager duty"}))
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `create_board_section` with and without a title; `update_board_section` patches it.
#[tokio::test]
async fn sections_are_created_and_updated() {
    let (h, client, board_id) = with_board().await;
    // Sections.
    let section = json(
        &call(
            &client,
            "create_board_section",
            json!({"board_id": board_id, "title": "Incidents", "description": "Live"}),
        )
        .await,
    );
    let _section_id = id(&section);
    assert_eq!(
        section["board_id"].as_str(),
        Some(board_id.as_str()),
        "{section}"
    );
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/board_sections")
    );
    assert_eq!(
        r.body,
        Some(json!({"board_id": board_id, "title": "Incidents", "description": "Live"}))
    );
    let other = json(
        &call(
            &client,
            "create_board_section",
            json!({"board_id": board_id}),
        )
        .await,
    );
    let other_id = id(&other);
    assert_eq!(only_request(&h).body, Some(json!({"board_id": board_id})));

    let updated = json(
        &call(
            &client,
            "update_board_section",
            json!({"board_section_id": other_id, "title": "Later", "description": "Backlog"}),
        )
        .await,
    );
    assert_eq!(updated["title"], "Later");
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PATCH", format!("/board_sections/{other_id}").as_str())
    );
    assert_eq!(
        r.body,
        Some(json!({"title": "Later", "description": "Backlog"}))
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `create_board_item`: a dashboard, a look with custom text, a link, each with Looker's
/// `use_custom_*` flags.
#[tokio::test]
async fn items_are_made_from_a_dashboard_a_look_with_custom_text_and_a_link() {
    let (h, client, _, section_id, _) = with_sections().await;
    // Items: a dashboard, a look with custom text, a link.
    let dash = json(
        &call(
            &client,
            "create_board_item",
            json!({"board_section_id": section_id, "dashboard_id": "1"}),
        )
        .await,
    );
    assert_eq!(
        (dash["title"].as_str(), dash["dashboard_id"].as_str()),
        (Some("Sales overview"), Some("1")),
        "{dash}"
    );
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/board_items")
    );
    assert_eq!(
        r.body,
        Some(json!({"board_section_id": section_id, "dashboard_id": "1"}))
    );
    let look = json(
        &call(&client, "create_board_item", json!({"board_section_id": section_id, "look_id": "2", "title": "Regions", "description": "By region"})).await,
    );
    assert_eq!(
        (look["title"].as_str(), look["description"].as_str()),
        (Some("Regions"), Some("By region")),
        "{look}"
    );
    assert_eq!(
        only_request(&h).body,
        Some(
            json!({"board_section_id": section_id, "look_id": "2", "custom_title": "Regions", "use_custom_title": true,
                    "custom_description": "By region", "use_custom_description": true})
        )
    );
    let link = json(&call(&client, "create_board_item", json!({"board_section_id": section_id, "url": "https://status.example.com", "title": "Status"})).await);
    let _link_id = id(&link);
    assert_eq!(
        (link["url"].as_str(), link["title"].as_str()),
        (Some("https://status.example.com"), Some("Status")),
        "{link}"
    );
    assert_eq!(
        only_request(&h).body,
        Some(
            json!({"board_section_id": section_id, "custom_url": "https://status.example.com", "use_custom_url": true,
                    "custom_title": "Status", "use_custom_title": true})
        )
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `update_board_item` moves an item to another section and retitles it.
#[tokio::test]
async fn an_item_moves_to_another_section_and_is_retitled() {
    let (h, client, board_id, _, other_id, link_id) = with_items().await;
    // Move the link to the other section and retitle it.
    let moved = json(
        &call(&client, "update_board_item", json!({"board_item_id": link_id, "board_section_id": other_id, "title": "Status page", "description": "Public"})).await,
    );
    assert_eq!(
        (moved["board_section_id"].as_str(), moved["title"].as_str()),
        (Some(other_id.as_str()), Some("Status page")),
        "{moved}"
    );
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("PATCH", format!("/board_items/{link_id}").as_str())
    );
    assert_eq!(
        r.body,
        Some(
            json!({"board_section_id": other_id, "custom_title": "Status page", "use_custom_title": true,
                    "custom_description": "Public", "use_custom_description": true})
        )
    );
    let whole = json(&call(&client, "get_board", json!({"board_id": board_id})).await);
    let sections = whole["board_sections"].as_array().unwrap();
    assert_eq!(sections.len(), 2, "{whole}");
    assert_eq!(
        sections[0]["board_items"].as_array().unwrap().len(),
        2,
        "{whole}"
    );
    assert_eq!(
        sections[1]["board_items"][0]["title"], "Status page",
        "{whole}"
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Looker's validation: an unknown look, an unknown board (422).
#[tokio::test]
async fn looker_refuses_items_for_unknown_looks_and_sections_for_unknown_boards() {
    let (h, client, _, section_id, _) = with_sections().await;
    // Looker's validation: unknown look, unknown section.
    let bad_look = call(
        &client,
        "create_board_item",
        json!({"board_section_id": section_id, "look_id": "999"}),
    )
    .await;
    assert_eq!(bad_look.is_error, Some(true));
    assert!(
        text(&bad_look).contains("HTTP 422") && text(&bad_look).contains("Look 999 does not exist"),
        "{}",
        text(&bad_look)
    );
    let bad_section = call(&client, "create_board_section", json!({"board_id": "999"})).await;
    assert!(
        bad_section.is_error == Some(true) && text(&bad_section).contains("HTTP 422"),
        "{}",
        text(&bad_section)
    );
    assert_eq!(h.api_requests().len(), 2);
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Items, sections and boards are deleted; a board's sections go with it; a second delete and
/// updates of unknown ids are Looker's 404.
#[tokio::test]
async fn deletes_take_items_sections_and_boards_and_unknown_ids_are_404() {
    let (h, client, board_id, section_id, other_id, link_id) = with_items().await;
    // Deletes.
    let gone = json(
        &call(
            &client,
            "delete_board_item",
            json!({"board_item_id": link_id}),
        )
        .await,
    );
    assert_eq!(gone, json!({"deleted": true, "board_item_id": link_id}));
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("DELETE", format!("/board_items/{link_id}").as_str())
    );
    let gone = json(
        &call(
            &client,
            "delete_board_section",
            json!({"board_section_id": other_id}),
        )
        .await,
    );
    assert_eq!(gone, json!({"deleted": true, "board_section_id": other_id}));
    assert_eq!(only_request(&h).path, format!("/board_sections/{other_id}"));
    let gone = json(&call(&client, "delete_board", json!({"board_id": board_id})).await);
    assert_eq!(gone, json!({"deleted": true, "board_id": board_id}));
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("DELETE", format!("/boards/{board_id}").as_str())
    );
    // The board's sections went with it; deleting again is Looker's 404.
    let section_gone = call(
        &client,
        "get_board_section",
        json!({"board_section_id": section_id}),
    )
    .await;
    assert!(
        text(&section_gone).contains("HTTP 404"),
        "{}",
        text(&section_gone)
    );
    for (tool, args) in [
        ("delete_board", json!({"board_id": board_id})),
        (
            "delete_board_section",
            json!({"board_section_id": other_id}),
        ),
        ("delete_board_item", json!({"board_item_id": link_id})),
        ("update_board", json!({"board_id": "404", "title": "X"})),
        (
            "update_board_section",
            json!({"board_section_id": "404", "title": "X"}),
        ),
        (
            "update_board_item",
            json!({"board_item_id": "404", "title": "X"}),
        ),
    ] {
        let result = call(&client, tool, args).await;
        assert!(
            result.is_error == Some(true) && text(&result).contains("HTTP 404"),
            "{tool}: {}",
            text(&result)
        );
    }
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn invalid_board_arguments_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("board").await;
    for (tool, bad) in [
        ("list_boards", json!({"limit": 0})),
        ("list_boards", json!({"title": true})),
        ("get_board", json!({})),
        ("create_board", json!({"description": "no title"})),
        ("create_board", json!({"title": ""})),
        ("update_board", json!({"board_id": "1"})),
        ("create_board_section", json!({"title": "no board"})),
        ("update_board_section", json!({"board_section_id": "1"})),
        ("create_board_item", json!({"board_section_id": "1"})),
        (
            "create_board_item",
            json!({"board_section_id": "1", "dashboard_id": "1", "url": "https://x"}),
        ),
        ("update_board_item", json!({"board_item_id": "1"})),
        (
            "delete_board_item",
            json!({"board_item_id": "1", "force": true}),
        ),
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
    // Ids are encoded as one path segment.
    call(&client, "get_board_item", json!({"board_item_id": "1/2"})).await;
    assert_eq!(only_request(&h).path, "/board_items/1%2F2");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

//! The `user_attributes` group: every tool through a real MCP client against the simulator,
//! checking results, the Looker requests they make (method, path, body fields), Looker's
//! refusals (404/409/422 → `isError` with Looker's message), and arguments refused before any
//! Looker call.

use rmcp::RoleClient;
use rmcp::service::RunningService;
use serde_json::{Value, json};

use crate::support::{
    Harness, assert_tool_error_with as failed, call, json, only_request_to as only, query, text,
};

/// The client type of [`Harness::client`].
type Client = RunningService<RoleClient, ()>;

/// The entry of a `values` list for attribute `name`.
fn value_of<'a>(values: &'a Value, name: &str) -> &'a Value {
    values["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {values}"))
}

/// A harness, a `user_attributes` client and a new attribute, cost_center, created with every
/// optional argument, with the request that made it already taken.
async fn with_cost_center() -> (Harness, Client, String) {
    let h = Harness::new().await;
    let client = h.client("user_attributes").await;
    let created = json(
        &call(
            &client,
            "create_user_attribute",
            json!({
                "name": "cost_center", "label": "Cost Center", "type": "number",
                "default_value": "100", "value_is_hidden": false, "user_can_view": true,
                "user_can_edit": true, "hidden_value_domain_whitelist": "https://api.example.com/*",
            }),
        )
        .await,
    );
    let id = created["id"].as_str().unwrap().to_string();
    h.api_requests();
    (h, client, id)
}

/// `list_user_attributes`: sorted by name, without Looker's `can`.
#[tokio::test]
async fn user_attributes_are_listed_by_name_without_can() {
    let h = Harness::new().await;
    let client = h.client("user_attributes").await;
    // list_user_attributes
    let all = json(&call(&client, "list_user_attributes", json!({})).await);
    assert_eq!(all["count"], 2, "{all}");
    let names: Vec<&str> = all["user_attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["email", "region"]);
    assert!(all["user_attributes"][0].get("can").is_none(), "{all}");
    let r = only(&h, "GET", "/user_attributes");
    assert_eq!(query(&r, "sorts"), Some("name"));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `get_user_attribute`: nulls dropped, unknown ids 404, ids path-encoded.
#[tokio::test]
async fn get_user_attribute_drops_nulls_and_path_encodes_ids() {
    let h = Harness::new().await;
    let client = h.client("user_attributes").await;
    // get_user_attribute
    let region = json(
        &call(
            &client,
            "get_user_attribute",
            json!({"user_attribute_id": "2"}),
        )
        .await,
    );
    assert_eq!(region["name"], "region");
    assert_eq!(region["type"], "string");
    assert!(
        region.get("default_value").is_none(),
        "nulls are dropped: {region}"
    );
    only(&h, "GET", "/user_attributes/2");
    failed(
        &call(
            &client,
            "get_user_attribute",
            json!({"user_attribute_id": "999"}),
        )
        .await,
        &["HTTP 404", "Not found"],
    );
    only(&h, "GET", "/user_attributes/999");
    // Ids are path-encoded.
    failed(
        &call(
            &client,
            "get_user_attribute",
            json!({"user_attribute_id": "2/group_values"}),
        )
        .await,
        &["HTTP 404"],
    );
    only(&h, "GET", "/user_attributes/2%2Fgroup_values");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `create_user_attribute` with every optional argument and with only the required ones; Looker
/// refuses a taken name (409).
#[tokio::test]
async fn create_user_attribute_sends_what_was_given_and_looker_refuses_a_taken_name() {
    let h = Harness::new().await;
    let client = h.client("user_attributes").await;
    // create_user_attribute with every optional argument.
    let created = json(
        &call(
            &client,
            "create_user_attribute",
            json!({
                "name": "cost_center", "label": "Cost Center", "type": "number",
                "default_value": "100", "value_is_hidden": false, "user_can_view": true,
                "user_can_edit": true, "hidden_value_domain_whitelist": "https://api.example.com/*",
            }),
        )
        .await,
    );
    assert_eq!(created["name"], "cost_center");
    assert_eq!(created["default_value"], "100");
    assert_eq!(created["user_can_edit"], true);
    let _id = created["id"].as_str().unwrap().to_string();
    let r = only(&h, "POST", "/user_attributes");
    assert_eq!(
        r.body,
        Some(json!({
            "name": "cost_center", "label": "Cost Center", "type": "number",
            "default_value": "100", "value_is_hidden": false, "user_can_view": true,
            "user_can_edit": true, "hidden_value_domain_whitelist": "https://api.example.com/*",
        }))
    );
    // Only the required fields.
    let _minimal = json(
        &call(
            &client,
            "create_user_attribute",
            json!({"name": "team", "label": "Team", "type": "string"}),
        )
        .await,
    );
    let r = only(&h, "POST", "/user_attributes");
    assert_eq!(
        r.body,
        Some(json!({"name": "team", "label": "Team", "type": "string"}))
    );
    // Looker refuses a taken name (409).
    failed(
        &call(
            &client,
            "create_user_attribute",
            json!({"name": "region", "label": "Region 2", "type": "string"}),
        )
        .await,
        &["HTTP 409", "already taken"],
    );
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `update_user_attribute` with every optional argument names the fields it changed.
#[tokio::test]
async fn update_user_attribute_patches_every_field_and_404s_unknown_ids() {
    let (h, client, id) = with_cost_center().await;
    // update_user_attribute with every optional argument.
    let updated = json(
        &call(
            &client,
            "update_user_attribute",
            json!({
                "user_attribute_id": id, "label": "Cost centre", "default_value": "200",
                "value_is_hidden": true, "user_can_view": false, "user_can_edit": false,
                "hidden_value_domain_whitelist": "https://hr.example.com/*",
            }),
        )
        .await,
    );
    assert_eq!(updated["updated"], true);
    assert_eq!(updated["label"], "Cost centre");
    assert_eq!(updated["value_is_hidden"], true);
    assert_eq!(
        updated["fields_changed"],
        json!([
            "default_value",
            "hidden_value_domain_whitelist",
            "label",
            "user_can_edit",
            "user_can_view",
            "value_is_hidden"
        ])
    );
    let r = only(&h, "PATCH", &format!("/user_attributes/{id}"));
    assert_eq!(
        r.body,
        Some(json!({
            "label": "Cost centre", "default_value": "200", "value_is_hidden": true,
            "user_can_view": false, "user_can_edit": false,
            "hidden_value_domain_whitelist": "https://hr.example.com/*",
        }))
    );
    failed(
        &call(
            &client,
            "update_user_attribute",
            json!({"user_attribute_id": "999", "label": "X"}),
        )
        .await,
        &["HTTP 404", "Not found"],
    );
    only(&h, "PATCH", "/user_attributes/999");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `delete_user_attribute` removes it (a second delete is 404) and leaves the others.
#[tokio::test]
async fn delete_user_attribute_removes_it_once() {
    let (h, client, id) = with_cost_center().await;
    // A second attribute, team, which the delete leaves.
    let minimal = json(
        &call(
            &client,
            "create_user_attribute",
            json!({"name": "team", "label": "Team", "type": "string"}),
        )
        .await,
    );
    h.api_requests();
    // delete_user_attribute
    let deleted = json(
        &call(
            &client,
            "delete_user_attribute",
            json!({"user_attribute_id": id}),
        )
        .await,
    );
    assert_eq!(deleted, json!({"deleted": true, "user_attribute_id": id}));
    only(&h, "DELETE", &format!("/user_attributes/{id}"));
    failed(
        &call(
            &client,
            "delete_user_attribute",
            json!({"user_attribute_id": id}),
        )
        .await,
        &["HTTP 404", "Not found"],
    );
    only(&h, "DELETE", &format!("/user_attributes/{id}"));
    let after = json(&call(&client, "list_user_attributes", json!({})).await);
    assert_eq!(after["count"], 3, "{after}");
    assert!(after.to_string().contains(minimal["id"].as_str().unwrap()));
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Attribute arguments refused before anything reaches Looker.
#[tokio::test]
async fn invalid_user_attribute_arguments_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("user_attributes").await;
    // Arguments refused before anything reaches Looker.
    for (tool, args, needle) in [
        ("get_user_attribute", json!({}), "user_attribute_id"),
        (
            "get_user_attribute",
            json!({"user_attribute_id": false}),
            "user_attribute_id",
        ),
        ("list_user_attributes", json!({"limit": 5}), "limit"),
        (
            "create_user_attribute",
            json!({"name": "x", "type": "string"}),
            "label",
        ),
        (
            "create_user_attribute",
            json!({"name": "Cost Center", "label": "C", "type": "string"}),
            "lowercase",
        ),
        (
            "create_user_attribute",
            json!({"name": "c", "label": "C", "type": "text"}),
            "`type` must be one of",
        ),
        (
            "create_user_attribute",
            json!({"name": "c", "label": " ", "type": "string"}),
            "label",
        ),
        (
            "create_user_attribute",
            json!({"name": "c", "label": "C", "type": "string", "user_can_edit": "yes"}),
            "user_can_edit",
        ),
        (
            "update_user_attribute",
            json!({"user_attribute_id": "2"}),
            "no fields to update",
        ),
        (
            "update_user_attribute",
            json!({"user_attribute_id": "2", "name": "renamed"}),
            "name",
        ),
        (
            "delete_user_attribute",
            json!({"user_attribute_id": ".."}),
            "not allowed",
        ),
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

/// A harness and a `user_attributes` client, with `region` (attribute 2) set for All Users
/// (group 1, US) and Analysts (group 2, APAC), in that order, and the request taken.
async fn with_group_values() -> (Harness, Client) {
    let h = Harness::new().await;
    let client = h.client("user_attributes").await;
    json(
        &call(
            &client,
            "set_user_attribute_group_values",
            json!({"user_attribute_id": "2", "values": [
                {"group_id": "1", "value": "US"}, {"group_id": 2, "value": "APAC"}
            ]}),
        )
        .await,
    );
    h.api_requests();
    (h, client)
}

/// [`with_group_values`], and bob (user 3) with his own region, LATAM.
async fn with_bobs_own_value() -> (Harness, Client) {
    let (h, client) = with_group_values().await;
    json(
        &call(
            &client,
            "set_user_attribute_user_value",
            json!({"user_id": "3", "user_attribute_id": "2", "value": "LATAM"}),
        )
        .await,
    );
    h.api_requests();
    (h, client)
}

/// `list_user_attribute_group_values`: the seed's value, without `can`; an unknown attribute is 404.
#[tokio::test]
async fn seeded_group_values_are_listed_without_can() {
    let h = Harness::new().await;
    let client = h.client("user_attributes").await;
    // list_user_attribute_group_values: the seed gives Analysts (group 2) region EMEA.
    let seeded = json(
        &call(
            &client,
            "list_user_attribute_group_values",
            json!({"user_attribute_id": "2"}),
        )
        .await,
    );
    assert_eq!(seeded["count"], 1, "{seeded}");
    assert_eq!(seeded["group_values"][0]["group_id"], "2");
    assert_eq!(seeded["group_values"][0]["value"], "EMEA");
    assert!(seeded["group_values"][0].get("can").is_none());
    only(&h, "GET", "/user_attributes/2/group_values");
    failed(
        &call(
            &client,
            "list_user_attribute_group_values",
            json!({"user_attribute_id": "999"}),
        )
        .await,
        &["HTTP 404", "Not found"],
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `set_user_attribute_group_values`: order is priority, ids may be numbers; Looker refuses
/// unknown groups and attributes.
#[tokio::test]
async fn group_values_are_set_in_priority_order_and_unknown_ids_refused() {
    let h = Harness::new().await;
    let client = h.client("user_attributes").await;
    // set_user_attribute_group_values: order is priority; ids may be numbers.
    let set = json(
        &call(
            &client,
            "set_user_attribute_group_values",
            json!({"user_attribute_id": "2", "values": [
                {"group_id": "1", "value": "US"}, {"group_id": 2, "value": "APAC"}
            ]}),
        )
        .await,
    );
    assert_eq!(set["count"], 2, "{set}");
    assert_eq!(set["group_values"][0]["group_id"], "1");
    assert_eq!(set["group_values"][0]["rank"], 1);
    assert_eq!(set["group_values"][1]["value"], "APAC");
    assert_eq!(set["group_values"][1]["rank"], 2);
    let r = only(&h, "POST", "/user_attributes/2/group_values");
    assert_eq!(
        r.body,
        Some(json!([{"group_id": "1", "value": "US"}, {"group_id": "2", "value": "APAC"}]))
    );
    // Looker's refusals: an unknown group (422), an unknown attribute (404), a system one (422).
    failed(
        &call(
            &client,
            "set_user_attribute_group_values",
            json!({"user_attribute_id": "2", "values": [{"group_id": "99", "value": "X"}]}),
        )
        .await,
        &["HTTP 422", "Group 99 does not exist"],
    );
    failed(
        &call(
            &client,
            "set_user_attribute_group_values",
            json!({"user_attribute_id": "999", "values": []}),
        )
        .await,
        &["HTTP 404", "Not found"],
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `list_user_attribute_values_for_user`: a group's value or the user's own; unknown users 404.
#[tokio::test]
async fn user_values_come_from_their_groups_or_their_own() {
    let (h, client) = with_group_values().await;
    // list_user_attribute_values_for_user: bob (in All Users) gets the group value, alice her own.
    let bob = json(
        &call(
            &client,
            "list_user_attribute_values_for_user",
            json!({"user_id": "3"}),
        )
        .await,
    );
    assert_eq!(bob["user_id"], "3");
    assert_eq!(value_of(&bob, "region")["value"], "US");
    assert_eq!(value_of(&bob, "region")["source"], "group");
    assert_eq!(value_of(&bob, "email")["value"], "bob@example.com");
    only(&h, "GET", "/users/3/attribute_values");
    let alice = json(
        &call(
            &client,
            "list_user_attribute_values_for_user",
            json!({"user_id": "2"}),
        )
        .await,
    );
    assert_eq!(value_of(&alice, "region")["value"], "US-West");
    assert_eq!(value_of(&alice, "region")["source"], "user");
    h.api_requests();
    failed(
        &call(
            &client,
            "list_user_attribute_values_for_user",
            json!({"user_id": "999"}),
        )
        .await,
        &["HTTP 404", "Not found"],
    );
    only(&h, "GET", "/users/999/attribute_values");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `set_user_attribute_user_value` overrides the group value; system attributes and unknown
/// users are refused.
#[tokio::test]
async fn a_user_value_overrides_the_group_value() {
    let (h, client) = with_group_values().await;
    // set_user_attribute_user_value overrides the group value.
    let own = json(
        &call(
            &client,
            "set_user_attribute_user_value",
            json!({"user_id": "3", "user_attribute_id": "2", "value": "LATAM"}),
        )
        .await,
    );
    assert_eq!(own["value"], "LATAM");
    assert_eq!(own["source"], "user");
    assert_eq!(own["user_id"], "3");
    let r = only(&h, "PATCH", "/users/3/attribute_values/2");
    assert_eq!(r.body, Some(json!({"value": "LATAM"})));
    failed(
        &call(
            &client,
            "set_user_attribute_user_value",
            json!({"user_id": "3", "user_attribute_id": "1", "value": "x@example.com"}),
        )
        .await,
        &["HTTP 422", "system user attribute"],
    );
    failed(
        &call(
            &client,
            "set_user_attribute_user_value",
            json!({"user_id": "999", "user_attribute_id": "2", "value": "x"}),
        )
        .await,
        &["HTTP 404", "Not found"],
    );
    h.api_requests();
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `delete_user_attribute_user_value`: the user falls back to the group value.
#[tokio::test]
async fn deleting_a_user_value_falls_back_to_the_group_value() {
    let (h, client) = with_bobs_own_value().await;
    // delete_user_attribute_user_value: bob falls back to the group value.
    let removed = json(
        &call(
            &client,
            "delete_user_attribute_user_value",
            json!({"user_id": "3", "user_attribute_id": "2"}),
        )
        .await,
    );
    assert_eq!(
        removed,
        json!({"deleted": true, "user_id": "3", "user_attribute_id": "2"})
    );
    only(&h, "DELETE", "/users/3/attribute_values/2");
    let bob = json(
        &call(
            &client,
            "list_user_attribute_values_for_user",
            json!({"user_id": "3"}),
        )
        .await,
    );
    assert_eq!(value_of(&bob, "region")["source"], "group");
    h.api_requests();
    failed(
        &call(
            &client,
            "delete_user_attribute_user_value",
            json!({"user_id": "3", "user_attribute_id": "999"}),
        )
        .await,
        &["HTTP 404", "Not found"],
    );
    only(&h, "DELETE", "/users/3/attribute_values/999");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `delete_user_attribute_group_value`: the group loses its value, its members with it.
#[tokio::test]
async fn deleting_a_group_value_removes_it_from_its_members() {
    let (h, client) = with_group_values().await;
    // delete_user_attribute_group_value: All Users loses its value, bob has none left.
    let removed = json(
        &call(
            &client,
            "delete_user_attribute_group_value",
            json!({"group_id": "1", "user_attribute_id": "2"}),
        )
        .await,
    );
    assert_eq!(
        removed,
        json!({"deleted": true, "group_id": "1", "user_attribute_id": "2"})
    );
    only(&h, "DELETE", "/groups/1/attribute_values/2");
    let left = json(
        &call(
            &client,
            "list_user_attribute_group_values",
            json!({"user_attribute_id": "2"}),
        )
        .await,
    );
    assert_eq!(left["count"], 1, "{left}");
    assert_eq!(left["group_values"][0]["group_id"], "2");
    let bob = json(
        &call(
            &client,
            "list_user_attribute_values_for_user",
            json!({"user_id": "3"}),
        )
        .await,
    );
    assert!(
        bob["values"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["name"] != "region"),
        "{bob}"
    );
    h.api_requests();
    failed(
        &call(
            &client,
            "delete_user_attribute_group_value",
            json!({"group_id": "99", "user_attribute_id": "2"}),
        )
        .await,
        &["HTTP 404", "Not found"],
    );
    only(&h, "DELETE", "/groups/99/attribute_values/2");
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// `set_user_attribute_group_values` with `[]` removes every group value.
#[tokio::test]
async fn an_empty_list_removes_every_group_value() {
    let (h, client) = with_group_values().await;
    // `[]` removes every group value.
    let cleared = json(
        &call(
            &client,
            "set_user_attribute_group_values",
            json!({"user_attribute_id": "2", "values": []}),
        )
        .await,
    );
    assert_eq!(cleared["count"], 0);
    let r = only(&h, "POST", "/user_attributes/2/group_values");
    assert_eq!(r.body, Some(json!([])));
    client.cancel().await.unwrap();
    h.assert_no_violations();
}

/// Group- and user-value arguments refused before anything reaches Looker.
#[tokio::test]
async fn invalid_value_arguments_never_reach_looker() {
    let h = Harness::new().await;
    let client = h.client("user_attributes").await;
    // Arguments refused before anything reaches Looker.
    for (tool, args, needle) in [
        (
            "set_user_attribute_group_values",
            json!({"user_attribute_id": "2", "values": {"group_id": "1"}}),
            "values",
        ),
        (
            "set_user_attribute_group_values",
            json!({"user_attribute_id": "2", "values": [{"group_id": "1"}]}),
            "`value` is required",
        ),
        (
            "set_user_attribute_group_values",
            json!({"user_attribute_id": "2", "values": [{"group_id": "1", "value": "a", "rank": 1}]}),
            "unknown key `rank`",
        ),
        (
            "set_user_attribute_group_values",
            json!({"user_attribute_id": "2", "values": [
                {"group_id": "1", "value": "a"}, {"group_id": 1, "value": "b"}
            ]}),
            "listed twice",
        ),
        (
            "set_user_attribute_group_values",
            json!({"user_attribute_id": "2", "values": [{"group_id": " ", "value": "a"}]}),
            "group_id",
        ),
        (
            "set_user_attribute_group_values",
            json!({"user_attribute_id": "2"}),
            "values",
        ),
        (
            "delete_user_attribute_group_value",
            json!({"user_attribute_id": "2"}),
            "group_id",
        ),
        ("list_user_attribute_values_for_user", json!({}), "user_id"),
        (
            "set_user_attribute_user_value",
            json!({"user_id": "3", "user_attribute_id": "2"}),
            "value",
        ),
        (
            "set_user_attribute_user_value",
            json!({"user_id": "3", "user_attribute_id": "2", "value": true}),
            "value",
        ),
        (
            "delete_user_attribute_user_value",
            json!({"user_id": "3"}),
            "user_attribute_id",
        ),
        (
            "delete_user_attribute_user_value",
            json!({"user_id": "", "user_attribute_id": "2"}),
            "empty",
        ),
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

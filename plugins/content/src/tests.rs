use looker_mcp_plugin_sdk::looker::{Method, Response};
use looker_mcp_plugin_sdk::testing::mock_looker;
use looker_mcp_plugin_sdk::{Context, refusals};
use serde_json::{Value, json};

use super::group;

#[test]
fn declaration_is_valid_with_derived_annotations() {
    group().validate().unwrap();
    let g = group();
    let a = |name: &str| {
        let a = g.find(name).unwrap().annotations();
        (a.read_only, a.destructive, a.idempotent)
    };
    for read in [
        "list_looks",
        "list_dashboards",
        "list_lookml_dashboards",
        "validate_content",
        "get_dashboard_layout",
    ] {
        assert_eq!(a(read), (true, false, true), "{read}");
    }
    for create in [
        "create_look",
        "create_dashboard",
        "add_dashboard_element",
        "add_dashboard_filter",
        "generate_embed_url",
    ] {
        assert_eq!(a(create), (false, false, false), "{create}");
    }
    for overwrite in [
        "update_look",
        "update_dashboard",
        "delete_look",
        "delete_dashboard",
        "update_dashboard_layout_component",
    ] {
        assert_eq!(a(overwrite), (false, true, true), "{overwrite}");
    }
    assert_eq!(g.tools().count(), 15);
}

#[test]
fn create_look_creates_the_query_first() {
    let seen = mock_looker(|req| {
        Ok(Response::json_ok(&match req.path().as_str() {
            "/queries" => json!({"id": "9"}),
            _ => json!({"id": "5", "title": "T", "folder_id": "6", "url": "/looks/5"}),
        }))
    });
    let out = group()
        .call(
            "create_look",
            r#"{"title":"T","model":"ecommerce","view":"orders","fields":["orders.count"],"folder_id":"6","limit":10}"#,
            &Context::default(),
        )
        .unwrap();
    assert_eq!(out.structured.unwrap()["query_id"], "9");
    let requests = seen.requests();
    assert_eq!(requests.len(), 2);
    let query: Value = serde_json::from_str(requests[0].body_json_text().unwrap()).unwrap();
    assert_eq!(query["limit"], "10");
    let look: Value = serde_json::from_str(requests[1].body_json_text().unwrap()).unwrap();
    assert_eq!(
        look,
        json!({"title": "T", "folder_id": "6", "query_id": "9"})
    );
    assert_eq!(requests[1].method(), Method::Post);
}

#[test]
fn bad_combinations_never_reach_looker() {
    refusals::assert_refused_before_looker(
        &group(),
        [
            (
                "add_dashboard_filter",
                r#"{"dashboard_id":"1","title":"Region"}"#,
            ),
            (
                "add_dashboard_element",
                r#"{"dashboard_id":"1","title":"T","query_model":"ecommerce"}"#,
            ),
            (
                "add_dashboard_element",
                r#"{"dashboard_id":"1","title":"T","look_id":"1","query_model":"m","query_view":"v","query_fields":["a.b"]}"#,
            ),
            ("update_look", r#"{"look_id":"1"}"#),
            ("update_dashboard", r#"{"dashboard_id":"1","title":" "}"#),
            ("list_looks", r#"{"limit":0}"#),
            (
                "generate_embed_url",
                r#"{"target_url":"/dashboards/1","session_length":0}"#,
            ),
        ],
    );
}

#[test]
fn embed_paths_are_completed_with_the_web_address() {
    let seen = mock_looker(|req| {
        Ok(Response::json_ok(&match req.path().as_str() {
            "/versions" => json!({"web_server_url": "https://looker.example.com/"}),
            _ => json!({"url": "https://looker.example.com/login/embed/abc"}),
        }))
    });
    let out = group()
        .call(
            "generate_embed_url",
            r#"{"target_url":"/embed/dashboards/3"}"#,
            &Context::default(),
        )
        .unwrap();
    assert_eq!(
        out.structured.unwrap()["target_url"],
        "https://looker.example.com/dashboards/3"
    );
    let body: Value = serde_json::from_str(seen.requests()[1].body_json_text().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"target_url": "https://looker.example.com/dashboards/3", "session_length": 3600, "force_logout_login": false})
    );
}

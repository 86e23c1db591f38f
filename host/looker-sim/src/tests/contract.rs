use serde_json::json;

use super::{Send, admin, call, get, send_json, sim};
use crate::spec::{RouteError, table};

#[test]
fn table_has_every_spec_operation_plus_the_extra_routes() {
    let tsv = include_str!("../../spec/operations.tsv");
    let spec_ops: Vec<(String, String)> = tsv
        .lines()
        .skip(1)
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols[2].to_string(), cols[3].to_string())
        })
        .collect();
    assert_eq!(spec_ops.len(), 483);
    let ops = table().operations();
    assert_eq!(ops.len(), 483 + 10);
    for (method, path) in &spec_ops {
        assert!(
            ops.iter()
                .any(|o| &o.method == method && &o.template == path),
            "{method} {path}"
        );
    }
}

#[test]
fn every_handler_is_for_an_operation_in_the_table() {
    for route in crate::routes::all() {
        let found = table()
            .operations()
            .iter()
            .any(|o| o.method == route.method && o.template == route.path);
        assert!(
            found,
            "handler for {} {} has no operation",
            route.method, route.path
        );
    }
}

#[test]
fn literal_segments_beat_templates() {
    let t = table();
    let m = t.match_route("GET", "/users/search").expect("match");
    assert_eq!(m.op.template, "/users/search");
    let m = t.match_route("GET", "/users/42").expect("match");
    assert_eq!(m.op.template, "/users/{user_id}");
    assert_eq!(m.params, vec![("user_id".to_string(), "42".to_string())]);
    // Only operations with the request's method compete.
    let m = t.match_route("DELETE", "/users/search").expect("match");
    assert_eq!(m.op.template, "/users/{user_id}");
    let m = t.match_route("GET", "/queries/slug/abc").expect("match");
    assert_eq!(m.op.template, "/queries/slug/{slug}");
    let m = t
        .match_route("GET", "/lookml_models/ecommerce/explores/orders")
        .expect("match");
    assert_eq!(
        m.op.template,
        "/lookml_models/{lookml_model_name}/explores/{explore_name}"
    );
}

#[test]
fn path_parameters_are_decoded_and_must_be_non_empty() {
    let t = table();
    let m = t
        .match_route("GET", "/projects/eco%20merce/git_branch/feature%2Fx")
        .expect("match");
    assert_eq!(
        m.params[1],
        ("branch_name".to_string(), "feature/x".to_string())
    );
    assert!(matches!(
        t.match_route("GET", "/users/"),
        Err(RouteError::NotFound)
    ));
    assert!(matches!(
        t.match_route("PUT", "/users/search"),
        Err(RouteError::MethodNotAllowed { .. })
    ));
}

#[tokio::test]
async fn unknown_route_is_404_and_a_violation() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let got = get(&sim, "/lookml_validation", &token).await;
    assert_eq!(got.status, 404);
    assert_eq!(got.json()["message"], "Not found");
    let v = sim.violations();
    assert_eq!(v.len(), 1);
    assert_eq!(
        (v[0].method.as_str(), v[0].path.as_str()),
        ("GET", "/lookml_validation")
    );
    assert!(v[0].reason.contains("no operation"), "{}", v[0].reason);
}

#[tokio::test]
async fn wrong_method_is_405_and_a_violation() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let got = call(
        &sim,
        "DELETE",
        "/projects/ecommerce",
        Some(&token),
        Send::None,
    )
    .await;
    assert_eq!(got.status, 405);
    assert_eq!(got.headers["allow"], "GET, PATCH");
    assert!(sim.violations()[0].reason.contains("DELETE"));
}

#[tokio::test]
async fn unknown_query_parameter_is_400_and_a_violation() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let got = get(&sim, "/scheduled_plans?limit=10", &token).await;
    assert_eq!(got.status, 400);
    let v = sim.violations();
    assert_eq!(v.len(), 1);
    assert!(v[0].reason.contains("`limit`"), "{}", v[0].reason);
    // Declared parameters are fine.
    assert_eq!(
        get(&sim, "/lookml_models?limit=1&fields=name", &token)
            .await
            .status,
        200
    );
    assert_eq!(sim.violations().len(), 1);
}

#[tokio::test]
async fn unknown_body_field_is_422_and_a_violation() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let body = json!({ "model": "ecommerce", "view": "orders", "fields": ["orders.count"], "colour": "red" });
    let got = send_json(&sim, "POST", "/queries", &token, body).await;
    assert_eq!(got.status, 422);
    assert!(got.json()["errors"].is_array());
    let v = sim.violations();
    assert_eq!(v.len(), 1);
    assert!(
        v[0].reason.contains("`colour`") && v[0].reason.contains("Query"),
        "{}",
        v[0].reason
    );
}

#[tokio::test]
async fn login_form_fields_are_checked_and_json_is_refused() {
    let sim = sim().await;
    let got = call(
        &sim,
        "POST",
        "/login",
        None,
        Send::Form("client_id=a&client_secret=b&grant_type=x"),
    )
    .await;
    assert_eq!(got.status, 422);
    assert!(sim.violations()[0].reason.contains("`grant_type`"));
    let got = call(
        &sim,
        "POST",
        "/login",
        None,
        Send::Json(json!({ "client_id": "a" })),
    )
    .await;
    assert_eq!(got.status, 415);
    assert_eq!(sim.violations().len(), 2);
}

#[tokio::test]
async fn violations_are_recorded_even_without_a_token() {
    let sim = sim().await;
    let got = call(&sim, "GET", "/lookml_models?bogus=1", None, Send::None).await;
    assert_eq!(got.status, 401);
    assert_eq!(sim.violations().len(), 1);
}

#[tokio::test]
async fn body_on_an_operation_without_one_is_a_violation() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let got = send_json(&sim, "DELETE", "/looks/1", &token, json!({ "force": true })).await;
    assert_eq!(got.status, 422);
    assert_eq!(sim.violations().len(), 1);
}

#[tokio::test]
async fn extra_routes_are_known_and_unimplemented_ones_are_501() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let body = json!({ "query": { "model": "ecommerce", "view": "orders", "fields": ["orders.count"] },
                       "render_options": { "format": "json" } });
    let got = send_json(&sim, "POST", "/queries/run_inline", &token, body).await;
    assert_eq!(got.status, 200, "{}", got.text);
    let got = get(
        &sim,
        "/projects/ecommerce/file/content?file_path=views%2Forders.view.lkml",
        &token,
    )
    .await;
    assert_eq!(got.status, 200);
    assert!(got.text.contains("view: orders"), "{}", got.text);
    let got = get(&sim, "/projects/ecommerce/directories", &token).await;
    assert_eq!(got.status, 501);
    assert_eq!(
        got.json()["message"],
        "looker-sim: not implemented: GET /projects/{project_id}/directories"
    );
    assert_eq!(get(&sim, "/alerts/search", &token).await.status, 501);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

#[tokio::test]
async fn paths_outside_the_api_are_violations() {
    let sim = sim().await;
    let req = axum::http::Request::get("/api/3.1/user")
        .body(axum::body::Body::empty())
        .expect("request");
    let resp = tower::ServiceExt::oneshot(sim.router(), req)
        .await
        .expect("infallible");
    assert_eq!(resp.status(), 404);
    assert_eq!(sim.violations().len(), 1);
}

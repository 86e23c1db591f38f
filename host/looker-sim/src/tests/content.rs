use serde_json::{Value, json};

use super::{Send, admin, call, get, send_json, sim};

fn ids(v: &Value) -> Vec<&str> {
    v.as_array()
        .expect("array")
        .iter()
        .filter_map(|u| u["id"].as_str())
        .collect()
}

#[tokio::test]
async fn users_search_by_email_is_case_insensitive_and_like() {
    let sim = sim().await;
    let token = admin(&sim).await;
    assert_eq!(
        ids(
            &get(&sim, "/users/search?email=Alice%40Example.com", &token)
                .await
                .json()
        ),
        ["2"]
    );
    assert_eq!(
        ids(
            &get(&sim, "/users/search?email=nobody%40example.com", &token)
                .await
                .json()
        ),
        Vec::<&str>::new()
    );
    // `_` is a LIKE wildcard in Looker searches: callers must check for an exact match.
    assert_eq!(
        ids(
            &get(&sim, "/users/search?email=ci_bot%40example.com", &token)
                .await
                .json()
        ),
        ["77"]
    );
    let one = get(&sim, "/users/3?fields=id,email", &token).await.json();
    assert_eq!(one, json!({ "id": "3", "email": "bob@example.com" }));
    assert_eq!(get(&sim, "/users/999", &token).await.status, 404);
}

#[tokio::test]
async fn users_list_supports_ids_sorts_and_paging() {
    let sim = sim().await;
    let token = admin(&sim).await;
    assert_eq!(
        ids(&get(&sim, "/users", &token).await.json()),
        ["1", "2", "3", "77"]
    );
    assert_eq!(
        ids(&get(&sim, "/users?ids=77,2", &token).await.json()),
        ["2", "77"]
    );
    assert_eq!(
        ids(&get(&sim, "/users?sorts=id%20desc", &token).await.json()),
        ["77", "3", "2", "1"]
    );
    assert_eq!(
        ids(&get(&sim, "/users?page=2&per_page=3", &token).await.json()),
        ["77"]
    );
    assert_eq!(
        ids(&get(&sim, "/users?limit=2&offset=1", &token).await.json()),
        ["2", "3"]
    );
    let names = get(&sim, "/users?fields=first_name&sorts=first_name", &token)
        .await
        .json();
    assert_eq!(names[0], json!({ "first_name": "Ada" }));
    assert_eq!(get(&sim, "/users?limit=x", &token).await.status, 400);
}

#[tokio::test]
async fn queries_are_created_and_run_deterministically() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let body = json!({ "model": "ecommerce", "view": "orders", "fields": ["orders.status", "orders.count"],
                       "sorts": ["orders.status"], "limit": "3" });
    let q = send_json(&sim, "POST", "/queries", &token, body.clone())
        .await
        .json();
    let id = q["id"].as_str().expect("id");
    assert!(q["slug"].is_string() && q["client_id"].is_string());
    assert_eq!(
        get(&sim, &format!("/queries/{id}"), &token).await.json()["fields"],
        body["fields"]
    );

    let rows = get(&sim, &format!("/queries/{id}/run/json"), &token)
        .await
        .json();
    let rows = rows.as_array().expect("rows");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["orders.status"], "cancelled");
    assert!(rows[0]["orders.count"].is_u64());
    let again = get(&sim, &format!("/queries/{id}/run/json"), &token)
        .await
        .json();
    assert_eq!(&again, &Value::Array(rows.clone()), "same query, same rows");

    let limited = get(&sim, &format!("/queries/{id}/run/json?limit=1"), &token)
        .await
        .json();
    assert_eq!(limited.as_array().map(Vec::len), Some(1));
    let csv = get(&sim, &format!("/queries/{id}/run/csv"), &token).await;
    assert_eq!(csv.headers["content-type"], "text/csv");
    assert!(
        csv.text.starts_with("Orders Status,Orders Count\n"),
        "{}",
        csv.text
    );
    let sql = get(&sim, &format!("/queries/{id}/run/sql"), &token)
        .await
        .text;
    assert!(
        sql.contains("GROUP BY 1") && sql.contains("LIMIT 3"),
        "{sql}"
    );
}

#[tokio::test]
async fn inline_runs_honour_filters_limits_and_report_unknown_fields() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let run = |body: Value| send_json(&sim, "POST", "/queries/run/json", &token, body);
    let all = run(
        json!({ "model": "ecommerce", "view": "orders", "fields": ["orders.id"], "limit": "-1" }),
    )
    .await;
    assert_eq!(all.json().as_array().map(Vec::len), Some(60));

    let pending = run(
        json!({ "model": "ecommerce", "view": "orders", "fields": ["orders.status", "orders.count"],
                              "filters": { "orders.status": "pending,returned" } }),
    )
    .await
    .json();
    let statuses: Vec<&str> = pending
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["orders.status"].as_str())
        .collect();
    assert_eq!(statuses.len(), 2);
    assert!(statuses.iter().all(|s| *s == "pending" || *s == "returned"));

    // An escaped comma is part of the value, not an alternative.
    let none = run(
        json!({ "model": "ecommerce", "view": "orders", "fields": ["orders.status"],
                           "filters": { "orders.status": "pending^,returned" } }),
    )
    .await;
    assert_eq!(none.json(), json!([]));

    let bad =
        run(json!({ "model": "ecommerce", "view": "orders", "fields": ["orders.bogus"] })).await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["message"]
            .as_str()
            .expect("message")
            .contains("orders.bogus")
    );
    let unescaped = run(
        json!({ "model": "ecommerce", "view": "orders", "fields": ["orders.count"],
                                "filters": { "orders.attribution_model": "first_touch" } }),
    )
    .await;
    assert_eq!(unescaped.status, 400);
    let escaped = run(
        json!({ "model": "ecommerce", "view": "orders", "fields": ["orders.count"],
                              "filters": { "orders.attribution_model": "first^_touch" } }),
    )
    .await;
    assert_eq!(escaped.status, 200);
    let missing =
        run(json!({ "model": "nope", "view": "orders", "fields": ["orders.count"] })).await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn looks_crud_and_run() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let look = get(&sim, "/looks/1", &token).await.json();
    assert_eq!(look["query"]["id"], "1");
    assert_eq!(look["folder"]["name"], "Sales");
    let rows = get(&sim, "/looks/1/run/json", &token).await.json();
    assert!(rows[0].get("orders.status").is_some());

    let body = json!({ "title": "Revenue", "folder_id": "6",
                       "query": { "model": "ecommerce", "view": "orders", "fields": ["orders.total_revenue"] } });
    let created = send_json(&sim, "POST", "/looks", &token, body.clone()).await;
    assert_eq!(created.status, 200, "{}", created.text);
    let id = created.json()["id"].as_str().expect("id").to_string();
    assert_eq!(
        send_json(&sim, "POST", "/looks", &token, body).await.status,
        409
    );
    let patched = send_json(
        &sim,
        "PATCH",
        &format!("/looks/{id}"),
        &token,
        json!({ "title": "Revenue 2" }),
    )
    .await;
    assert_eq!(patched.json()["title"], "Revenue 2");
    let found = get(&sim, "/looks/search?title=revenue%25", &token)
        .await
        .json();
    assert_eq!(ids(&found), [id.as_str()]);
    assert_eq!(
        call(
            &sim,
            "DELETE",
            &format!("/looks/{id}"),
            Some(&token),
            Send::None
        )
        .await
        .status,
        204
    );
    assert_eq!(get(&sim, &format!("/looks/{id}"), &token).await.status, 404);
    assert_eq!(ids(&get(&sim, "/looks", &token).await.json()), ["1", "2"]);
}

#[tokio::test]
async fn dashboards_hold_every_kind_of_element() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let list = get(&sim, "/dashboards", &token).await.json();
    assert_eq!(ids(&list), ["1", "2"]);
    assert!(
        list[0].get("dashboard_elements").is_none(),
        "DashboardBase has no elements"
    );

    let d = get(&sim, "/dashboards/1", &token).await.json();
    let elements = d["dashboard_elements"].as_array().expect("elements");
    assert_eq!(elements[0]["query"]["id"], "2");
    assert_eq!(elements[1]["query"], Value::Null);
    assert_eq!(elements[1]["result_maker"]["query_id"], "3");
    assert_eq!(elements[1]["result_maker"]["query"]["id"], "3");
    assert_eq!(elements[2]["result_maker"]["sql_query_id"], "SqlRun1");
    assert_eq!(elements[3]["look"]["query"]["id"], "1");
    assert_eq!(elements[4]["type"], "text");
    assert_eq!(d["dashboard_filters"][0]["dimension"], "orders.region");

    let sql = call(
        &sim,
        "POST",
        "/sql_queries/SqlRun1/run/json",
        Some(&token),
        Send::None,
    )
    .await;
    assert_eq!(sql.json().as_array().map(Vec::len), Some(10));

    let created = send_json(
        &sim,
        "POST",
        "/dashboards",
        &token,
        json!({ "title": "New", "folder_id": "1" }),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let id = created.json()["id"].as_str().expect("id").to_string();
    let patched = send_json(
        &sim,
        "PATCH",
        &format!("/dashboards/{id}"),
        &token,
        json!({ "hidden": true }),
    )
    .await;
    assert_eq!(patched.json()["hidden"], true);
    assert_eq!(
        call(
            &sim,
            "DELETE",
            &format!("/dashboards/{id}"),
            Some(&token),
            Send::None
        )
        .await
        .status,
        204
    );
    assert_eq!(
        get(&sim, &format!("/dashboards/{id}"), &token).await.status,
        404
    );
}

#[tokio::test]
async fn folders_and_projects_list() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let folders = get(&sim, "/folders", &token).await.json();
    assert_eq!(folders[0]["name"], "Shared");
    let sales = get(&sim, "/folders/6", &token).await.json();
    assert_eq!(ids(&sales["looks"]), ["1"]);
    assert_eq!(ids(&sales["dashboards"]), ["1"]);
    assert_eq!(
        ids(&get(&sim, "/folders/6/ancestors", &token).await.json()),
        ["1"]
    );
    let projects = get(&sim, "/projects?fields=id", &token).await.json();
    assert_eq!(
        projects,
        json!([{ "id": "ecommerce" }, { "id": "marketing" }])
    );
    assert_eq!(
        get(&sim, "/projects/ecommerce", &token).await.json()["git_production_branch_name"],
        "main"
    );
}

#[tokio::test]
async fn generic_crud_resources() {
    let sim = sim().await;
    let token = admin(&sim).await;
    assert_eq!(ids(&get(&sim, "/groups", &token).await.json()), ["1", "2"]);
    let created = send_json(
        &sim,
        "POST",
        "/groups",
        &token,
        json!({ "name": "Finance" }),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.text);
    assert_eq!(created.json()["id"], "3");
    assert_eq!(
        send_json(
            &sim,
            "POST",
            "/groups",
            &token,
            json!({ "name": "Finance" })
        )
        .await
        .status,
        409
    );
    assert_eq!(
        send_json(&sim, "POST", "/groups", &token, json!({}))
            .await
            .status,
        422
    );
    let renamed = send_json(
        &sim,
        "PATCH",
        "/groups/3",
        &token,
        json!({ "name": "Money" }),
    )
    .await;
    assert_eq!(renamed.json()["name"], "Money");
    assert_eq!(
        ids(&get(&sim, "/groups/search?name=mon%25", &token).await.json()),
        ["3"]
    );
    assert_eq!(
        call(&sim, "DELETE", "/groups/3", Some(&token), Send::None)
            .await
            .status,
        204
    );
    assert_eq!(get(&sim, "/groups/3", &token).await.status, 404);
    let attrs = get(&sim, "/user_attributes?fields=name", &token)
        .await
        .json();
    assert_eq!(attrs, json!([{ "name": "email" }, { "name": "region" }]));
}

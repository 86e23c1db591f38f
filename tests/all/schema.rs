//! The `schema` group: the raw warehouse behind a connection, through a real MCP client, checking
//! results and the Looker requests they produce.

use serde_json::{Value, json};

use crate::support::{Harness, call, json, only_request, query, text};

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["name"].as_str().or(v.as_str()))
        .collect()
}

#[tokio::test]
async fn databases_schemas_tables_and_columns() {
    let h = Harness::new().await;
    let client = h.client("schema").await;

    // A single-database dialect answers an empty list; BigQuery lists its projects.
    let single = json(
        &call(
            &client,
            "list_databases",
            json!({"connection_name": "thelook"}),
        )
        .await,
    );
    assert_eq!(single, json!({"connection": "thelook", "databases": []}));
    let r = only_request(&h);
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("GET", "/connections/thelook/databases")
    );
    let multi = json(
        &call(
            &client,
            "list_databases",
            json!({"connection_name": "bigquery_marketing"}),
        )
        .await,
    );
    assert_eq!(
        multi["databases"],
        json!(["marketing-project", "marketing-shared"])
    );
    h.api_requests();

    let schemas = json(
        &call(
            &client,
            "list_schemas",
            json!({"connection_name": "thelook"}),
        )
        .await,
    );
    assert_eq!(
        schemas["schemas"],
        json!([{"name": "thelook", "is_default": true}, {"name": "looker_scratch", "is_default": false}])
    );
    let r = only_request(&h);
    assert_eq!(r.path, "/connections/thelook/schemas");
    assert_eq!(query(&r, "database"), None);
    assert_eq!(query(&r, "fields"), Some("name,is_default"));
    let shared = json(
        &call(
            &client,
            "list_schemas",
            json!({"connection_name": "bigquery_marketing", "database": "marketing-shared"}),
        )
        .await,
    );
    assert_eq!(names(&shared["schemas"]), ["reference"]);
    assert_eq!(shared["database"], "marketing-shared");
    let r = only_request(&h);
    assert_eq!(query(&r, "database"), Some("marketing-shared"));

    let tables = json(
        &call(
            &client,
            "list_tables",
            json!({"connection_name": "thelook", "schema_name": "thelook"}),
        )
        .await,
    );
    assert_eq!(names(&tables["schemas"]), ["thelook"]);
    assert_eq!(
        names(&tables["schemas"][0]["tables"]),
        ["orders", "users", "order_items"]
    );
    assert_eq!(tables["schemas"][0]["tables"][0]["rows"], 120_000);
    assert_eq!(tables["schemas"][0]["table_limit_hit"], false);
    let r = only_request(&h);
    assert_eq!(r.path, "/connections/thelook/tables");
    assert_eq!(query(&r, "schema_name"), Some("thelook"));
    assert_eq!(
        query(&r, "fields"),
        Some("name,is_default,table_limit_hit,tables(name,rows)")
    );
    let bq = json(
        &call(
            &client,
            "list_tables",
            json!({"connection_name": "bigquery_marketing", "database": "marketing-project", "schema_name": null}),
        )
        .await,
    );
    assert_eq!(
        names(&bq["schemas"][0]["tables"]),
        ["campaigns", "ad_events"]
    );
    let r = only_request(&h);
    assert_eq!(query(&r, "database"), Some("marketing-project"));
    assert_eq!(query(&r, "schema_name"), None, "null means not given");

    let columns = json(
        &call(
            &client,
            "list_columns",
            json!({"connection_name": "thelook", "schema_name": "thelook", "table_name": "orders"}),
        )
        .await,
    );
    assert_eq!(names(&columns["tables"]), ["orders"]);
    assert_eq!(columns["tables"][0]["schema"], "thelook");
    assert_eq!(
        columns["tables"][0]["columns"][2],
        json!({"name": "status", "type": "varchar(32)", "looker_type": "string"})
    );
    let r = only_request(&h);
    assert_eq!(r.path, "/connections/thelook/columns");
    assert_eq!(query(&r, "table_names"), Some("orders"));
    assert_eq!(query(&r, "schema_name"), Some("thelook"));
    let all = json(
        &call(
            &client,
            "list_columns",
            json!({"connection_name": "bigquery_marketing", "database": "marketing-project", "schema_name": "marketing"}),
        )
        .await,
    );
    assert_eq!(names(&all["tables"]), ["campaigns", "ad_events"]);
    let r = only_request(&h);
    assert_eq!(query(&r, "database"), Some("marketing-project"));
    assert_eq!(query(&r, "table_names"), None);

    client.cancel().await.unwrap();
    h.assert_no_violations();
}

#[tokio::test]
async fn looker_errors_and_bad_arguments() {
    let h = Harness::new().await;
    let client = h.client("schema").await;

    let missing = call(&client, "list_tables", json!({"connection_name": "nope"})).await;
    assert_eq!(missing.is_error, Some(true));
    assert!(
        text(&missing).contains("HTTP 404") && text(&missing).contains("Not found"),
        "{}",
        text(&missing)
    );
    assert_eq!(only_request(&h).path, "/connections/nope/tables");

    let no_db = call(
        &client,
        "list_schemas",
        json!({"connection_name": "bigquery_marketing", "database": "elsewhere"}),
    )
    .await;
    assert_eq!(no_db.is_error, Some(true));
    assert!(
        text(&no_db).contains("Database \"elsewhere\" not found"),
        "{}",
        text(&no_db)
    );
    h.api_requests();

    // A connection name with a slash stays one path segment.
    call(&client, "list_databases", json!({"connection_name": "a/b"})).await;
    assert_eq!(only_request(&h).path, "/connections/a%2Fb/databases");

    for (tool, bad) in [
        ("list_databases", json!({})),
        (
            "list_schemas",
            json!({"connection_name": "thelook", "database": true}),
        ),
        (
            "list_tables",
            json!({"connection_name": "thelook", "schema": "x"}),
        ),
        ("list_columns", json!({"connection_name": ["thelook"]})),
    ] {
        let result = call(&client, tool, bad.clone()).await;
        assert_eq!(result.is_error, Some(true), "{tool} {bad}");
        assert!(
            text(&result).contains(&format!("invalid arguments for {tool}")),
            "{}",
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

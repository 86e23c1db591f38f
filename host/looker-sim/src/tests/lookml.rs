use serde_json::{Value, json};

use super::{admin, get, sim};
use crate::listing::{FieldSel, parse_fields};

#[test]
fn fields_syntax_parses_nested_selections() {
    let sel = parse_fields("name, explores(name,label),fields(dimensions(name,type))");
    assert_eq!(sel.len(), 3);
    assert_eq!(
        sel[0],
        FieldSel {
            name: "name".into(),
            children: None
        }
    );
    assert_eq!(sel[1].children.as_ref().map(Vec::len), Some(2));
    let dims = &sel[2].children.as_ref().expect("children")[0];
    assert_eq!(dims.name, "dimensions");
    assert_eq!(dims.children.as_ref().map(Vec::len), Some(2));
}

#[tokio::test]
async fn models_list_supports_fields_limit_and_offset() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let all = get(&sim, "/lookml_models", &token).await.json();
    let names: Vec<&str> = all
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert_eq!(names, ["ecommerce", "marketing"]);
    assert_eq!(all[0]["project_name"], "ecommerce");
    assert_eq!(all[0]["allowed_db_connection_names"], json!(["thelook"]));

    let got = get(&sim, "/lookml_models?fields=name,explores(name)", &token)
        .await
        .json();
    assert_eq!(
        got[0],
        json!({ "name": "ecommerce", "explores": [{ "name": "orders" }, { "name": "users" }] })
    );

    let page = get(&sim, "/lookml_models?fields=name&limit=1&offset=1", &token)
        .await
        .json();
    assert_eq!(page, json!([{ "name": "marketing" }]));
}

#[tokio::test]
async fn model_and_explore_lookups() {
    let sim = sim().await;
    let token = admin(&sim).await;
    assert_eq!(
        get(&sim, "/lookml_models/ecommerce", &token).await.json()["label"],
        "Ecommerce"
    );
    let missing = get(&sim, "/lookml_models/nope", &token).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["message"], "Not found");
    assert_eq!(
        get(&sim, "/lookml_models/ecommerce/explores/nope", &token)
            .await
            .status,
        404
    );

    let explore = get(&sim, "/lookml_models/ecommerce/explores/orders", &token)
        .await
        .json();
    assert_eq!(explore["connection_name"], "thelook");
    let dims = explore["fields"]["dimensions"]
        .as_array()
        .expect("dimensions");
    let names: Vec<&str> = dims.iter().filter_map(|d| d["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "orders.id",
            "orders.created_date",
            "orders.status",
            "orders.region",
            "users.email"
        ]
    );
    let email = &dims[4];
    assert_eq!(
        (email["hidden"].as_bool(), email["view"].as_str()),
        (Some(true), Some("users"))
    );
    let revenue = &explore["fields"]["measures"][1];
    for key in [
        "label",
        "description",
        "type",
        "sql",
        "hidden",
        "view",
        "view_label",
    ] {
        assert!(revenue.get(key).is_some(), "measure lacks {key}");
    }
    assert_eq!(revenue["type"], "sum");
    assert_eq!(
        get(&sim, "/lookml_models/marketing/explores/campaigns", &token)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn explore_fields_selector_is_applied_recursively() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let uri = "/lookml_models/ecommerce/explores/orders?fields=name,fields(measures(name,type))";
    let got = get(&sim, uri, &token).await.json();
    assert_eq!(
        got,
        json!({ "name": "orders", "fields": { "measures": [
            { "name": "orders.count", "type": "count" },
            { "name": "orders.total_revenue", "type": "sum" },
        ] } })
    );
}

#[tokio::test]
async fn connections() {
    let sim = sim().await;
    let token = admin(&sim).await;
    let list = get(&sim, "/connections?fields=name,dialect_name", &token)
        .await
        .json();
    assert_eq!(
        list[0],
        json!({ "name": "thelook", "dialect_name": "mysql" })
    );
    let one = get(&sim, "/connections/bigquery_marketing", &token)
        .await
        .json();
    assert_eq!(one["dialect"]["name"], "bigquery_standard_sql");
    assert_eq!(one["password"], Value::Null);
    assert_eq!(get(&sim, "/connections/nope", &token).await.status, 404);
}

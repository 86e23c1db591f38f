//! Merged results (`/merge_queries`): Looker stores a merge of two or more saved queries and the
//! fields they join on; the merge itself runs in the client, from the source queries' results.

use serde_json::{Map, Value, json};

use super::{Route, found};
use crate::http::{Req, Resp};
use crate::state::{Collection, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new("POST", "/merge_queries", create_merge_query),
    Route::new("GET", "/merge_queries/{merge_query_id}", merge_query),
];

/// The stored merge queries (none at start).
pub(crate) fn merge_queries(world: &mut World) -> &mut Collection {
    world.collection("merge_queries", "id", Vec::new)
}

fn create_merge_query(world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    let sources = body
        .get("source_queries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if sources.is_empty() {
        return Resp::validation(
            "Validation Failed",
            &[(
                "source_queries",
                "missing",
                "source_queries is required".into(),
            )],
        );
    }
    for (i, source) in sources.iter().enumerate() {
        let id = source["query_id"].as_str().unwrap_or_default();
        if world.queries.get(id).is_none() {
            return Resp::validation(
                "Validation Failed",
                &[(
                    "source_queries",
                    "invalid",
                    format!("source_queries[{i}]: query {id:?} does not exist"),
                )],
            );
        }
        let unmapped = source["merge_fields"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|m| {
                m["field_name"].as_str().is_none() || m["source_field_name"].as_str().is_none()
            });
        if unmapped {
            return Resp::validation(
                "Validation Failed",
                &[(
                    "merge_fields",
                    "invalid",
                    "every merge field needs field_name and source_field_name".into(),
                )],
            );
        }
    }
    let keep = [
        "source_queries",
        "pivots",
        "sorts",
        "total",
        "limit",
        "column_limit",
        "dynamic_fields",
        "vis_config",
    ];
    let mut stored: Map<String, Value> = keep
        .iter()
        .map(|k| (k.to_string(), body.get(*k).cloned().unwrap_or(Value::Null)))
        .collect();
    stored.insert(
        "total".into(),
        json!(body.get("total") == Some(&json!(true))),
    );
    stored.insert("can".into(), json!({"show": true}));
    let collection = merge_queries(world);
    let created = collection.insert(stored);
    let id = created["id"].as_str().unwrap_or_default().to_string();
    let mut with_maker = Map::new();
    with_maker.insert("result_maker_id".into(), format!("rm-{id}").into());
    found(collection.patch(&id, &with_maker))
}

fn merge_query(world: &mut World, req: &Req) -> Resp {
    found(
        merge_queries(world)
            .get(req.param("merge_query_id"))
            .cloned(),
    )
}

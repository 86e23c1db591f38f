//! Queries running right now (`GET /running_queries`): a long dashboard query on the marketing
//! warehouse and a short explore query, as Looker's query queue would show them.

use serde_json::{Value, json};

use super::{Route, now_timestamp};
use crate::http::{Req, Resp};
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[Route::new("GET", "/running_queries", running_queries)];

fn running_queries(world: &mut World, _req: &Req) -> Resp {
    let now = now_timestamp();
    let killed: Vec<Value> = super::audit::killed(world)
        .list()
        .iter()
        .map(|k| k["query_task_id"].clone())
        .collect();
    let user = |id: &str| {
        world.users.get(id).map_or(Value::Null, |u| {
            json!({"id": u["id"], "first_name": u["first_name"], "last_name": u["last_name"],
                   "display_name": u["display_name"], "avatar_url": u["avatar_url"], "url": u["url"], "can": {}})
        })
    };
    let running = [
        (
            "1",
            "qt-7f3a9c1e2b",
            "2",
            "dashboard",
            "marketing",
            "campaigns",
            "bigquery_marketing",
            "bigquery_standard_sql",
            412.5,
        ),
        (
            "2",
            "qt-0b8d44e6a1",
            "1",
            "explore",
            "ecommerce",
            "orders",
            "thelook",
            "mysql",
            3.2,
        ),
    ];
    let running: Vec<_> = running
        .into_iter()
        .filter(|r| !killed.iter().any(|k| k == r.1))
        .collect();
    let list: Vec<Value> = running
        .iter()
        .map(
            |(id, task, user_id, source, model, view, connection, dialect, runtime)| {
                json!({
                    "id": id, "query_task_id": task, "user": user(user_id), "source": source,
                    "query": {"model": model, "view": view, "fields": [format!("{view}.count")]},
                    "query_id": null, "sql_query": null, "look": null, "created_at": now,
                    "completed_at": null, "node_id": "looker-node-1", "slug": null,
                    "cache_key": format!("ck-{task}"), "connection_name": connection,
                    "connection_id": connection, "dialect": dialect, "message": null,
                    "status": "running", "runtime": runtime,
                    "sql": format!("SELECT COUNT(*) FROM {view}"), "sql_interface_sql": null,
                    "can": {"kill": true},
                })
            },
        )
        .collect();
    Resp::json(Value::Array(list))
}

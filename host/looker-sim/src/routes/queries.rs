//! Queries: create, read, run (saved, inline, `run_inline`), and SQL Runner queries.

use serde_json::{Map, Value, json};

use super::{Route, found};
use crate::data::{sql_query, store_query};
use crate::engine::{self, FieldInfo, QueryResult};
use crate::http::{Req, Resp};
use crate::render::render;
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[
    Route::new("POST", "/queries", create_query),
    Route::new("GET", "/queries/{query_id}", query),
    Route::new("GET", "/queries/slug/{slug}", query_for_slug),
    Route::new("POST", "/queries/run/{result_format}", run_inline_query),
    Route::new("GET", "/queries/{query_id}/run/{result_format}", run_query),
    Route::new("POST", "/queries/run_inline", run_inline_v2),
    Route::new("POST", "/sql_queries", create_sql_query),
    Route::new("GET", "/sql_queries/{slug}", sql_query_by_slug),
    Route::new(
        "POST",
        "/sql_queries/{slug}/run/{result_format}",
        run_sql_query,
    ),
];

fn create_query(world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    if let Err(resp) = check_explore(world, &body) {
        return resp;
    }
    Resp::json(store_query(world, &body))
}

/// Looker answers 404 for a query on a model or explore it does not know.
fn check_explore(world: &World, body: &Map<String, Value>) -> Result<(), Resp> {
    let s = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    if world.explores.contains_key(&(s("model"), s("view"))) {
        Ok(())
    } else {
        Err(Resp::not_found())
    }
}

fn query(world: &mut World, req: &Req) -> Resp {
    found(world.queries.get(req.param("query_id")).cloned())
}

fn query_for_slug(world: &mut World, req: &Req) -> Resp {
    let slug = req.param("slug");
    found(
        world
            .queries
            .list()
            .iter()
            .find(|q| q["slug"] == slug)
            .cloned(),
    )
}

/// Runs a query object and renders it in the path's `result_format`.
pub(crate) fn run_and_render(world: &World, query: &Value, format: &str, req: &Req) -> Resp {
    match engine::run(world, query, req.query("limit")) {
        Ok(result) => {
            let pivoted = (format == "json_detail")
                .then(|| engine::pivot::json_detail(&result, query))
                .flatten();
            match pivoted {
                Some(answer) => Resp::json(answer),
                None => render(&result, format, &req.method, req.template),
            }
        }
        Err(resp) => resp,
    }
}

fn run_inline_query(world: &mut World, req: &Req) -> Resp {
    let body = req.body.clone().unwrap_or(Value::Null);
    run_and_render(world, &body, req.param("result_format"), req)
}

fn run_query(world: &mut World, req: &Req) -> Resp {
    let Some(query) = world.queries.get(req.param("query_id")).cloned() else {
        return Resp::not_found();
    };
    run_and_render(world, &query, req.param("result_format"), req)
}

/// `POST /queries/run_inline` (not in the public spec): `{query, render_options: {format}}`.
fn run_inline_v2(world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    let query = body.get("query").cloned().unwrap_or(Value::Null);
    let format = body
        .get("render_options")
        .and_then(|r| r.get("format"))
        .and_then(Value::as_str)
        .unwrap_or("json")
        .to_string();
    run_and_render(world, &query, &format, req)
}

fn create_sql_query(world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    let Some(sql) = body.get("sql").and_then(Value::as_str) else {
        return Resp::validation(
            "Validation Failed",
            &[("sql", "missing", "sql is required".into())],
        );
    };
    let connection = body
        .get("connection_name")
        .or_else(|| body.get("connection_id"))
        .and_then(Value::as_str)
        .unwrap_or("thelook");
    if world.connections.get(connection).is_none() {
        return Resp::not_found();
    }
    let slug = world.slugs.alnum(10);
    let stored = world
        .sql_queries
        .insert(sql_query(&slug, connection, sql, None));
    Resp::json(stored)
}

fn sql_query_by_slug(world: &mut World, req: &Req) -> Resp {
    found(world.sql_queries.get(req.param("slug")).cloned())
}

/// SQL Runner results are canned: ten `(email, orders)` rows whatever the SQL says.
fn run_sql_query(world: &mut World, req: &Req) -> Resp {
    let Some(stored) = world.sql_queries.get(req.param("slug")) else {
        return Resp::not_found();
    };
    let column = |name: &str, ty: &str| FieldInfo {
        name: name.into(),
        label: name.into(),
        ty: ty.into(),
        measure: false,
        sql: String::new(),
        view: String::new(),
        dynamic: false,
    };
    let result = QueryResult {
        fields: vec![column("email", "string"), column("orders", "number")],
        rows: (0..10)
            .map(|i| {
                vec![
                    json!(format!("user{}@example.com", i + 1)),
                    json!(40 - i * 3),
                ]
            })
            .collect(),
        sql: stored["sql"].as_str().unwrap_or_default().to_string(),
    };
    render(
        &result,
        req.param("result_format"),
        &req.method,
        req.template,
    )
}

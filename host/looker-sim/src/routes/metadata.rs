//! Connection metadata: the databases, schemas, tables and columns of the warehouse behind a
//! connection (connection tests live in `connection_admin.rs`).

use serde_json::{Value, json};

use super::{Route, csv_param};
use crate::http::{Req, Resp};
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/connections/{connection_name}/databases", databases),
    Route::new("GET", "/connections/{connection_name}/schemas", schemas),
    Route::new("GET", "/connections/{connection_name}/tables", tables),
    Route::new("GET", "/connections/{connection_name}/columns", columns),
];

/// `(column, database type, Looker type)`.
type Column = (&'static str, &'static str, &'static str);
/// `(table, rows, columns)`.
type Table = (&'static str, i64, &'static [Column]);
/// `(database, schema, is default, tables)`.
type SchemaSeed = (&'static str, &'static str, bool, &'static [Table]);

const THELOOK: &[SchemaSeed] = &[
    (
        "thelook",
        "thelook",
        true,
        &[
            (
                "orders",
                120_000,
                &[
                    ("id", "int", "number"),
                    ("user_id", "int", "number"),
                    ("status", "varchar(32)", "string"),
                    ("region", "varchar(32)", "string"),
                    ("amount", "decimal(12,2)", "number"),
                    ("created_at", "datetime", "time"),
                ],
            ),
            (
                "users",
                18_000,
                &[
                    ("id", "int", "number"),
                    ("email", "varchar(255)", "string"),
                    ("first_name", "varchar(64)", "string"),
                    ("country", "varchar(64)", "string"),
                    ("created_at", "datetime", "time"),
                ],
            ),
            (
                "order_items",
                410_000,
                &[
                    ("id", "int", "number"),
                    ("order_id", "int", "number"),
                    ("sale_price", "decimal(12,2)", "number"),
                ],
            ),
        ],
    ),
    (
        "thelook",
        "looker_scratch",
        false,
        &[(
            "LR$5ZK1P1700000000_orders_rollup",
            365,
            &[
                ("created_date", "date", "date"),
                ("order_count", "bigint", "number"),
            ],
        )],
    ),
];

const MARKETING: &[SchemaSeed] = &[
    (
        "marketing-project",
        "marketing",
        true,
        &[
            (
                "campaigns",
                240,
                &[
                    ("id", "INT64", "number"),
                    ("name", "STRING", "string"),
                    ("channel", "STRING", "string"),
                    ("spend", "NUMERIC", "number"),
                    ("start_date", "DATE", "date"),
                ],
            ),
            (
                "ad_events",
                9_800_000,
                &[
                    ("event_id", "STRING", "string"),
                    ("campaign_id", "INT64", "number"),
                    ("event_time", "TIMESTAMP", "time"),
                ],
            ),
        ],
    ),
    (
        "marketing-shared",
        "reference",
        false,
        &[(
            "channels",
            5,
            &[
                ("channel", "STRING", "string"),
                ("owner", "STRING", "string"),
            ],
        )],
    ),
];

/// The warehouse behind a connection, or Looker's 404.
fn catalog(world: &World, req: &Req) -> Result<(&'static [SchemaSeed], bool), Resp> {
    let name = req.param("connection_name");
    let Some(conn) = world.connections.get(name) else {
        return Err(Resp::not_found());
    };
    let multi = conn["dialect_name"]
        .as_str()
        .is_some_and(|d| d.starts_with("bigquery"));
    Ok((if multi { MARKETING } else { THELOOK }, multi))
}

/// The schemas of the requested (or default) database.
fn selected(world: &World, req: &Req) -> Result<Vec<&'static SchemaSeed>, Resp> {
    let (catalog, multi) = catalog(world, req)?;
    let database = match req.query("database").filter(|d| !d.is_empty()) {
        Some(d) if catalog.iter().any(|s| s.0 == d) => d.to_string(),
        Some(d) => {
            return Err(Resp::error(
                axum::http::StatusCode::NOT_FOUND,
                format!("Database \"{d}\" not found for this connection"),
            ));
        }
        None => catalog[0].0.to_string(),
    };
    Ok(catalog
        .iter()
        .filter(|s| !multi || s.0 == database)
        .collect())
}

fn databases(world: &mut World, req: &Req) -> Resp {
    match catalog(world, req) {
        // Single-database dialects answer an empty list, as Looker does.
        Ok((_, false)) => Resp::json(json!([])),
        Ok((catalog, true)) => {
            let mut names: Vec<&str> = catalog.iter().map(|s| s.0).collect();
            names.dedup();
            Resp::json(json!(names))
        }
        Err(resp) => resp,
    }
}

fn schemas(world: &mut World, req: &Req) -> Resp {
    match selected(world, req) {
        Ok(list) => Resp::json(Value::Array(
            list.iter()
                .map(|s| json!({"name": s.1, "is_default": s.2}))
                .collect(),
        )),
        Err(resp) => resp,
    }
}

fn in_schema<'a>(list: Vec<&'a SchemaSeed>, req: &Req) -> Vec<&'a SchemaSeed> {
    match req.query("schema_name").filter(|s| !s.is_empty()) {
        Some(name) => list.into_iter().filter(|s| s.1 == name).collect(),
        None => list,
    }
}

fn limit(req: &Req, name: &str) -> Option<usize> {
    req.query(name).and_then(|v| v.trim().parse().ok())
}

fn tables(world: &mut World, req: &Req) -> Resp {
    let list = match selected(world, req) {
        Ok(list) => in_schema(list, req),
        Err(resp) => return resp,
    };
    let filter = req.query("table_filter").map(str::to_lowercase);
    let table_limit = limit(req, "table_limit");
    let out: Vec<Value> = list
        .iter()
        .map(|s| {
            let matching: Vec<&Table> =
                s.3.iter()
                    .filter(|t| {
                        filter
                            .as_ref()
                            .is_none_or(|f| t.0.to_lowercase().contains(f))
                    })
                    .collect();
            let hit = table_limit.is_some_and(|l| matching.len() > l);
            let tables: Vec<Value> = matching
                .iter()
                .take(table_limit.unwrap_or(usize::MAX))
                .map(|t| {
                    json!({"name": t.0, "sql_escaped_name": format!("{}.{}", s.1, t.0),
                           "schema_name": s.1, "rows": t.1, "external": null, "snippets": []})
                })
                .collect();
            json!({"name": s.1, "is_default": s.2, "tables": tables, "table_limit_hit": hit})
        })
        .collect();
    Resp::json(Value::Array(out))
}

fn columns(world: &mut World, req: &Req) -> Resp {
    let list = match selected(world, req) {
        Ok(list) => in_schema(list, req),
        Err(resp) => return resp,
    };
    let names = csv_param(req, "table_names");
    let table_limit = limit(req, "table_limit");
    let mut out = Vec::new();
    for s in list {
        let tables =
            s.3.iter()
                .filter(|t| names.as_ref().is_none_or(|n| n.iter().any(|x| x == t.0)))
                .take(table_limit.unwrap_or(usize::MAX));
        for t in tables {
            let columns: Vec<Value> =
                t.2.iter()
                    .map(|c| {
                        json!({"name": c.0, "sql_escaped_name": c.0, "schema_name": s.1,
                           "data_type_database": c.1, "data_type": c.1, "data_type_looker": c.2,
                           "description": c.1, "column_size": null, "snippets": []})
                    })
                    .collect();
            out.push(
                json!({"name": t.0, "sql_escaped_name": format!("{}.{}", s.1, t.0),
                            "schema_name": s.1, "columns": columns}),
            );
        }
    }
    Resp::json(Value::Array(out))
}

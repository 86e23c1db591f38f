//! Which Looker requests change Looker. Every method but `GET` does, except the operations that
//! only run a query, a render or a check (they create throw-away query, task and render objects,
//! or test what exists: validating a project, testing a connection); of the `GET`s, starting
//! and stopping a PDT build do.

use crate::looker::Method;

/// Non-`GET` operations that only run a query, a render or a check (Looker API 4.0 operation ids).
const RUN_ONLY: &[(Method, &str, &str)] = &[
    (Method::Post, "/queries", "create_query"),
    (Method::Post, "/queries/run/*", "run_inline_query"),
    (Method::Post, "/query_tasks", "create_query_task"),
    (Method::Post, "/merge_queries", "create_merge_query"),
    (Method::Post, "/sql_queries", "create_sql_query"),
    (Method::Post, "/sql_queries/*/run/*", "run_sql_query"),
    (
        Method::Post,
        "/sql_interface_queries",
        "create_sql_interface_query",
    ),
    (
        Method::Post,
        "/render_tasks/queries/*/*",
        "create_query_render_task",
    ),
    (
        Method::Post,
        "/render_tasks/looks/*/*",
        "create_look_render_task",
    ),
    (
        Method::Post,
        "/render_tasks/dashboards/*/*",
        "create_dashboard_render_task",
    ),
    (
        Method::Post,
        "/render_tasks/dashboard_elements/*/*",
        "create_dashboard_element_render_task",
    ),
    (Method::Post, "/projects/*/validate", "validate_project"),
    (Method::Put, "/connections/*/test", "test_connection"),
    (Method::Put, "/connections/test", "test_connection_config"),
];

/// `GET`s that start or stop work in Looker.
const CHANGING_GETS: &[&str] = &["/derived_table/*/*/start", "/derived_table/*/stop"];

/// Whether `method path` changes Looker.
pub fn changes_looker(method: Method, path: &str) -> bool {
    match method {
        Method::Get => CHANGING_GETS.iter().any(|p| same_shape(p, path)),
        _ => !RUN_ONLY
            .iter()
            .any(|(m, p, _)| *m == method && same_shape(p, path)),
    }
}

/// `pattern`'s segments against `path`'s: `*` is any one segment, anything else itself.
fn same_shape(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    pattern.len() == path.len() && pattern.iter().zip(&path).all(|(p, s)| *p == "*" || p == s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_runs_do_not_change_looker() {
        for (method, path) in [
            (Method::Get, "/users/1"),
            (Method::Get, "/queries/5/run/json"),
            (Method::Post, "/queries"),
            (Method::Post, "/queries/run/json_detail"),
            (Method::Post, "/render_tasks/looks/7/png"),
            (Method::Post, "/sql_queries/AbC/run/json"),
        ] {
            assert!(!changes_looker(method, path), "{method:?} {path}");
        }
    }

    #[test]
    fn writes_and_side_effects_change_looker() {
        for (method, path) in [
            (Method::Post, "/users"),
            (Method::Post, "/queries/5"),
            (Method::Post, "/render_tasks/looks/7"),
            (Method::Post, "/scheduled_plans/run_once"),
            (Method::Patch, "/looks/7"),
            (Method::Put, "/projects/p/git_branch"),
            (Method::Delete, "/running_queries/abc"),
            (Method::Get, "/derived_table/m/v/start"),
            (Method::Get, "/derived_table/abc/stop"),
        ] {
            assert!(changes_looker(method, path), "{method:?} {path}");
        }
    }
}

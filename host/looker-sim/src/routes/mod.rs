//! Route handlers, one module per Looker resource. Each module lists its routes in a `ROUTES`
//! table keyed by the spec's method and path template; operations without a handler answer 501.

mod admin;
mod audit;
mod boards;
mod certification;
mod connection_admin;
mod connections;
mod content_search;
mod content_tools;
mod credentials_email;
pub(crate) mod crud;
mod dashboard_layouts;
mod dashboards;
mod folder_admin;
mod folders;
mod group_members;
mod lookml;
mod looks;
mod merge_queries;
mod metadata;
mod modeling;
mod pdts;
mod projects;
mod queries;
mod rbac;
mod render_tasks;
mod running_queries;
mod scheduled_plans;
mod suggestions;
mod user_attribute_values;
mod user_credentials;
mod users;

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::http::{Req, Resp};
use crate::listing;
use crate::state::World;

/// The collection of placed dashboard tiles (see `dashboard_layouts`).
pub(crate) const LAYOUT_POSITIONS: &str = dashboard_layouts::POSITIONS;

/// A route handler: runs with the world locked.
pub(crate) type Handler = fn(&mut World, &Req) -> Resp;

/// A handler for one operation, named by the spec's method and path template.
pub(crate) struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub handler: Handler,
}

impl Route {
    pub(crate) const fn new(method: &'static str, path: &'static str, handler: Handler) -> Route {
        Route {
            method,
            path,
            handler,
        }
    }
}

/// Every route table.
pub(crate) fn all() -> impl Iterator<Item = &'static Route> {
    [
        crate::auth::ROUTES,
        admin::ROUTES,
        audit::ROUTES,
        credentials_email::ROUTES,
        group_members::ROUTES,
        rbac::ROUTES,
        scheduled_plans::ROUTES,
        boards::ROUTES,
        connection_admin::ROUTES,
        connections::ROUTES,
        content_search::ROUTES,
        dashboards::ROUTES,
        folder_admin::ROUTES,
        folders::ROUTES,
        lookml::ROUTES,
        looks::ROUTES,
        content_tools::ROUTES,
        metadata::ROUTES,
        modeling::ROUTES,
        pdts::ROUTES,
        projects::ROUTES,
        queries::ROUTES,
        render_tasks::ROUTES,
        running_queries::ROUTES,
        users::ROUTES,
        user_attribute_values::ROUTES,
        user_credentials::ROUTES,
        certification::ROUTES,
        dashboard_layouts::ROUTES,
        merge_queries::ROUTES,
        suggestions::ROUTES,
    ]
    .into_iter()
    .flatten()
}

/// The handler for an operation, if one is implemented.
pub(crate) fn handler(method: &str, template: &str) -> Option<Handler> {
    static TABLE: OnceLock<HashMap<(&'static str, &'static str), Handler>> = OnceLock::new();
    TABLE
        .get_or_init(|| all().map(|r| ((r.method, r.path), r.handler)).collect())
        .get(&(method, template))
        .copied()
}

/// Sorted (`sorts`) and paged (`limit`/`offset`, `page`/`per_page`) list response.
pub(crate) fn list_response(mut items: Vec<Value>, req: &Req) -> Resp {
    if let Some(sorts) = req.query("sorts") {
        listing::sort_items(&mut items, sorts);
    }
    match listing::paginate(items, req) {
        Ok(items) => Resp::json(Value::Array(items)),
        Err(resp) => resp,
    }
}

/// A stored object or Looker's 404.
pub(crate) fn found(value: Option<Value>) -> Resp {
    value.map_or_else(Resp::not_found, Resp::json)
}

/// Values of a comma-separated query parameter (`ids=1,2,3`).
pub(crate) fn csv_param(req: &Req, name: &str) -> Option<Vec<String>> {
    req.query(name).map(|v| {
        v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
}

/// Current timestamp in Looker's format.
pub(crate) fn now_timestamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = secs / 86_400;
    let (h, m, s) = (secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.000+00:00")
}

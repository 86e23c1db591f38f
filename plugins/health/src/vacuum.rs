//! `health_vacuum`: cleanup candidates — unused explores and fields, or unused content.

use std::collections::{BTreeMap, BTreeSet};

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path, progress};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::activity::{Activity, USAGE_WINDOW, count};
use crate::analyze::{explore_usage, lookml_models};

/// `health_vacuum`, declared beside its handler.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader("health_vacuum", "Find cleanup candidates", HEALTH_VACUUM)
            .schema(schema::object().with_default(
                "scope",
                Ty::Enum(&["explores", "content"]),
                DEFAULT_SCOPE,
                "`explores`: explores not queried in 90 days and unused fields of the queried \
                 ones (the default). `content`: Looks and dashboards never viewed or not \
                 queried in 90 days.",
            ))
            .handler(health_vacuum),
    ]
}

const HEALTH_VACUUM: &str = "\
Finds cleanup candidates and returns them with the reason. `explores` (default): explores \
nobody queried in 90 days, and for the most used explores the visible fields no query used or \
filtered on. `content`: Looks and dashboards never viewed or with no queries in 90 days (up to \
500 of each are scanned; `partial` says when there are more). It deletes nothing: review the \
candidates, then use the delete tools. Example: {\"scope\": \"content\"}.";

/// What `health_vacuum` looks for unless told otherwise.
const DEFAULT_SCOPE: &str = "explores";

/// `health_vacuum` arguments.
#[derive(Deserialize)]
pub struct VacuumArgs {
    #[serde(default = "default_scope")]
    scope: String,
}

fn default_scope() -> String {
    DEFAULT_SCOPE.to_owned()
}

/// At most this many used explores are checked field by field (two requests each).
const FIELD_CHECK_LIMIT: usize = 15;

/// How many Looks and dashboards the content scan reads.
const CONTENT_SCAN: u32 = 500;

pub fn health_vacuum(args: VacuumArgs, _ctx: &Context) -> Result<Value, ToolError> {
    match args.scope.as_str() {
        "explores" => explores(),
        "content" => content(),
        other => Err(ToolError::invalid_arguments(format!(
            "`scope` must be `explores` or `content`, not `{other}`"
        ))),
    }
}

/// Explores nobody queried in 90 days, and unused fields of the explores people do query.
fn explores() -> Result<Value, ToolError> {
    let models = lookml_models()?;
    let usage = explore_usage()?;
    let mut unused = Vec::new();
    let mut used = Vec::new();
    for m in &models {
        let model = m["name"].as_str().unwrap_or_default();
        for e in m["explores"].as_array().into_iter().flatten() {
            let explore = e["name"].as_str().unwrap_or_default();
            let hidden = e["hidden"].as_bool().unwrap_or(false);
            let runs = usage
                .get(&(model.to_owned(), explore.to_owned()))
                .map_or(0, |u| u.0);
            if runs == 0 {
                unused.push(json!({
                    "model": model, "explore": explore, "hidden": hidden,
                    "model_has_content": m["has_content"],
                    "reason": if hidden { "hidden and not queried in 90 days" } else { "not queried in 90 days" },
                }));
            } else {
                used.push((model.to_owned(), explore.to_owned(), runs));
            }
        }
    }
    used.sort_by_key(|u| std::cmp::Reverse(u.2));
    let total = used.len().min(FIELD_CHECK_LIMIT) as f64;
    let mut field_report = Vec::new();
    for (i, (model, explore, runs)) in used.iter().take(FIELD_CHECK_LIMIT).enumerate() {
        progress::report(
            i as f64,
            Some(total),
            Some(&format!("checking fields of {model}::{explore}")),
        );
        let unused_fields = unused_fields(model, explore)?;
        field_report.push(json!({
            "model": model, "explore": explore, "queries_last_90_days": runs,
            "unused_field_count": unused_fields.len(), "unused_fields": unused_fields,
        }));
    }
    let not_examined: Vec<String> = used
        .iter()
        .skip(FIELD_CHECK_LIMIT)
        .map(|(m, e, _)| format!("{m}::{e}"))
        .collect();
    Ok(json!({
        "scope": "explores",
        "window": USAGE_WINDOW,
        "unused_explore_count": unused.len(),
        "unused_explores": unused,
        "unused_fields": field_report,
        "explores_not_checked_for_fields": not_examined,
    }))
}

/// The visible fields of an explore that no production query used or filtered on in 90 days.
fn unused_fields(model: &str, explore: &str) -> Result<Vec<String>, ToolError> {
    let detail: Value = Request::get(path!("/lookml_models/{}/explores/{}", model, explore))
        .fields(&["fields(dimensions(name,hidden),measures(name,hidden))"])
        .send()?
        .json()?;
    let rows = Activity::new(
        "history",
        &[
            "query.formatted_fields",
            "query.filters",
            "history.query_run_count",
        ],
        5000,
    )
    .filter("history.created_date", USAGE_WINDOW)
    .equals("query.model", model)
    .equals("query.view", explore)
    .filter("history.workspace_id", "production")
    .rows()?;
    let mut referenced: BTreeSet<String> = BTreeSet::new();
    for r in &rows {
        for key in ["query.formatted_fields", "query.filters"] {
            if let Some(text) = r[key].as_str() {
                referenced.extend(field_names(text));
            }
        }
    }
    let mut out = Vec::new();
    for kind in ["dimensions", "measures"] {
        for f in detail["fields"][kind].as_array().into_iter().flatten() {
            let Some(name) = f["name"].as_str() else {
                continue;
            };
            if !f["hidden"].as_bool().unwrap_or(false) && !referenced.contains(name) {
                out.push(name.to_owned());
            }
        }
    }
    Ok(out)
}

/// Every `view.field` name mentioned in a text (a JSON list of fields, a filters map, …).
fn field_names(text: &str) -> BTreeSet<String> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = BTreeSet::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if word(chars[i]) && (i == 0 || !word(chars[i - 1]) && chars[i - 1] != '.') {
            let start = i;
            while i < chars.len() && word(chars[i]) {
                i += 1;
            }
            if i + 1 < chars.len() && chars[i] == '.' && word(chars[i + 1]) {
                i += 1;
                while i < chars.len() && word(chars[i]) {
                    i += 1;
                }
                out.insert(chars[start..i].iter().collect());
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Looks and dashboards never viewed, or not queried in 90 days.
fn content() -> Result<Value, ToolError> {
    let scan = |path: &'static str| -> Result<Vec<Value>, ToolError> {
        let found: Value = Request::get(path)
            .query("limit", CONTENT_SCAN)
            .query("sorts", "view_count")
            .fields(&[
                "id",
                "title",
                "view_count",
                "last_viewed_at",
                "folder(name)",
                "user_id",
            ])
            .send()?
            .json()?;
        Ok(found.as_array().cloned().unwrap_or_default())
    };
    let looks = scan("/looks/search")?;
    let dashboards = scan("/dashboards/search")?;
    let runs_by = |id_field: &'static str| -> Result<BTreeMap<String, u64>, ToolError> {
        let rows = Activity::new("history", &[id_field, "history.query_run_count"], 5000)
            .filter("history.created_date", USAGE_WINDOW)
            .filter(id_field, "-NULL")
            .rows()?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                let id = match &r[id_field] {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return None,
                };
                Some((id, count(r, "history.query_run_count")))
            })
            .collect())
    };
    let look_runs = runs_by("look.id")?;
    let dashboard_runs = runs_by("dashboard.id")?;
    let mut unused = Vec::new();
    for (kind, items, runs) in [
        ("look", &looks, &look_runs),
        ("dashboard", &dashboards, &dashboard_runs),
    ] {
        for c in items {
            let id = match &c["id"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let views = c["view_count"].as_u64().unwrap_or(0);
            let queries = runs.get(&id).copied().unwrap_or(0);
            let mut reasons = Vec::new();
            if views == 0 {
                reasons.push("never viewed");
            }
            if queries == 0 {
                reasons.push("no queries in 90 days");
            }
            if !reasons.is_empty() {
                unused.push(json!({
                    "type": kind, "id": id, "title": c["title"], "folder": c["folder"]["name"],
                    "owner_user_id": c["user_id"], "view_count": views,
                    "queries_last_90_days": queries, "last_viewed_at": c["last_viewed_at"],
                    "reasons": reasons,
                }));
            }
        }
    }
    let partial = looks.len() as u32 == CONTENT_SCAN || dashboards.len() as u32 == CONTENT_SCAN;
    Ok(json!({
        "scope": "content",
        "window": USAGE_WINDOW,
        "looks_scanned": looks.len(),
        "dashboards_scanned": dashboards.len(),
        "partial": partial,
        "unused_count": unused.len(),
        "unused": unused,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_field_names_in_lists_and_filter_maps() {
        let names = field_names(r#"["orders.status", "orders.count"] {"users.country":"a.b"}"#);
        assert!(names.contains("orders.status") && names.contains("users.country"));
        assert!(names.contains("a.b"));
        assert!(!names.iter().any(|n| n.starts_with('.')));
    }
}

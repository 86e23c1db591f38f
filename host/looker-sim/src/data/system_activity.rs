//! The `system__activity` model: Looker's record of its own use, queried like any model with
//! `POST /queries/run/{format}`. Two explores are served:
//!
//! - `history`: one row per query run, derived from the world's seeded content (every tile of
//!   the seeded dashboards, the seeded looks and some ad-hoc explore runs), with statuses,
//!   runtimes, sources and connections. Content created later has no history, like new content.
//! - `scheduled_plan`: schedule runs (`scheduled_job`), some of them failures.
//! - `pdt_event_log`: persistent derived table build events (`audit_activity.rs`).
//! - `event`: user events such as logins and content changes (`audit_activity.rs`).
//! - `content_usage`: per-content views and days since last access (`content_usage.rs`).
//!
//! Queries are grouped by their dimensions, measures aggregated, Looker filter expressions on
//! strings and numbers applied (date filters are accepted: every row is recent), then sorted and
//! limited, so health checks get plausible, filterable answers.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::SEED_TIME;
use crate::engine::{FieldInfo, QueryResult};
use crate::http::Resp;
use crate::listing::{compare_values, display};
use crate::state::World;

/// The model name.
pub(crate) const MODEL: &str = "system__activity";

/// How a field is computed: a stored dimension, or an aggregate over the group's rows.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    Dim(&'static str),
    Count,
    Avg(&'static str),
    Sum(&'static str),
    Max(&'static str),
    CountDistinct(&'static str),
}

/// `(field name, type, kind)`.
pub(super) type Def = (&'static str, &'static str, Kind);

/// A stored row.
type Row = Map<String, Value>;

/// Rows grouped by their dimension values.
type Groups<'a> = Vec<(Vec<Value>, Vec<&'a Row>)>;

/// `(plan id, name, content type, content id, destination, jobs as (status, detail))`.
type PlanSeed = (
    u64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const HISTORY: &[Def] = &[
    ("history.id", "number", Kind::Dim("number")),
    ("history.created_date", "date_date", Kind::Dim("date")),
    ("history.created_time", "date_time", Kind::Dim("date")),
    ("history.completed_time", "date_time", Kind::Dim("date")),
    ("history.status", "string", Kind::Dim("string")),
    ("history.runtime", "number", Kind::Dim("number")),
    ("history.source", "string", Kind::Dim("string")),
    ("history.connection_name", "string", Kind::Dim("string")),
    ("history.dialect", "string", Kind::Dim("string")),
    ("history.dashboard_session", "string", Kind::Dim("string")),
    ("history.real_dash_id", "string", Kind::Dim("string")),
    ("history.workspace_id", "string", Kind::Dim("string")),
    ("history.result_source", "string", Kind::Dim("string")),
    ("history.message", "string", Kind::Dim("string")),
    ("query.id", "number", Kind::Dim("number")),
    ("query.model", "string", Kind::Dim("string")),
    ("query.view", "string", Kind::Dim("string")),
    ("query.formatted_fields", "string", Kind::Dim("string")),
    ("query.filters", "string", Kind::Dim("string")),
    ("dashboard.id", "string", Kind::Dim("string")),
    ("dashboard.title", "string", Kind::Dim("string")),
    ("look.id", "string", Kind::Dim("string")),
    ("look.title", "string", Kind::Dim("string")),
    ("user.id", "number", Kind::Dim("number")),
    ("user.name", "string", Kind::Dim("string")),
    ("user.email", "string", Kind::Dim("string")),
    ("user.dev_branch_name", "string", Kind::Dim("string")),
    ("history.query_run_count", "count", Kind::Count),
    (
        "history.average_runtime",
        "average",
        Kind::Avg("history.runtime"),
    ),
    ("history.total_runtime", "sum", Kind::Sum("history.runtime")),
    ("history.max_runtime", "max", Kind::Max("history.runtime")),
    (
        "query.count",
        "count_distinct",
        Kind::CountDistinct("query.id"),
    ),
    (
        "history.dashboard_run_count",
        "count_distinct",
        Kind::CountDistinct("history.dashboard_session"),
    ),
    (
        "dashboard.count",
        "count_distinct",
        Kind::CountDistinct("dashboard.id"),
    ),
    (
        "user.count",
        "count_distinct",
        Kind::CountDistinct("user.id"),
    ),
];

const SCHEDULED_PLAN: &[Def] = &[
    ("scheduled_plan.id", "number", Kind::Dim("number")),
    ("scheduled_plan.name", "string", Kind::Dim("string")),
    ("scheduled_plan.enabled", "yesno", Kind::Dim("string")),
    ("scheduled_plan.content_type", "string", Kind::Dim("string")),
    ("scheduled_plan.content_id", "string", Kind::Dim("string")),
    ("scheduled_job.id", "number", Kind::Dim("number")),
    ("scheduled_job.name", "string", Kind::Dim("string")),
    ("scheduled_job.status", "string", Kind::Dim("string")),
    ("scheduled_job.status_detail", "string", Kind::Dim("string")),
    ("scheduled_job.created_date", "date_date", Kind::Dim("date")),
    ("scheduled_job.created_time", "date_time", Kind::Dim("date")),
    (
        "scheduled_plan_destination.type",
        "string",
        Kind::Dim("string"),
    ),
    ("scheduled_job.count", "count", Kind::Count),
];

/// Runs a query when it is on `system__activity`; `None` for any other model.
pub(crate) fn run(
    world: &World,
    query: &Value,
    limit_override: Option<&str>,
) -> Option<Result<QueryResult, Resp>> {
    if query.get("model").and_then(Value::as_str) != Some(MODEL) {
        return None;
    }
    let view = query
        .get("view")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let (defs, rows) = match view {
        "history" => (HISTORY, history_rows(world)),
        "scheduled_plan" => (SCHEDULED_PLAN, schedule_rows(world)),
        "pdt_event_log" => (
            super::audit_activity::PDT_EVENT_LOG,
            super::audit_activity::pdt_rows(),
        ),
        "event" => (
            super::audit_activity::EVENT,
            super::audit_activity::event_rows(world),
        ),
        "content_usage" => (
            super::content_usage::CONTENT_USAGE,
            super::content_usage::content_usage_rows(world),
        ),
        _ => return Some(Err(Resp::not_found())),
    };
    Some(execute(view, defs, &rows, query, limit_override))
}

fn execute(
    view: &str,
    defs: &[Def],
    rows: &[Map<String, Value>],
    query: &Value,
    limit_override: Option<&str>,
) -> Result<QueryResult, Resp> {
    let def = |name: &str| defs.iter().find(|d| d.0 == name).copied();
    let names: Vec<String> = strings(query.get("fields"));
    if names.is_empty() {
        return Err(Resp::bad_request(
            "Must query at least one dimension or measure.",
        ));
    }
    let mut unknown: Vec<String> = names.iter().filter(|n| def(n).is_none()).cloned().collect();
    let mut filters: Vec<(Def, String)> = Vec::new();
    if let Some(Value::Object(map)) = query.get("filters") {
        for (name, expr) in map {
            match def(name) {
                Some(d) => filters.push((d, display(expr))),
                None => unknown.push(name.clone()),
            }
        }
    }
    let sorts: Vec<(String, bool)> = strings(query.get("sorts"))
        .iter()
        .filter_map(|s| {
            let mut parts = s.split_whitespace();
            let name = parts.next()?.to_string();
            let desc = parts.next().is_some_and(|d| d.eq_ignore_ascii_case("desc"));
            Some((name, desc))
        })
        .collect();
    unknown.extend(
        sorts
            .iter()
            .filter(|(n, _)| def(n).is_none())
            .map(|(n, _)| n.clone()),
    );
    if !unknown.is_empty() {
        let list: Vec<String> = unknown.iter().map(|u| format!("\"{u}\"")).collect();
        return Err(Resp::bad_request(format!(
            "Unknown field(s) {} in query on explore \"{MODEL}::{view}\". \
             Check the spelling and that the field exists in the explore.",
            list.join(", ")
        )));
    }
    let fields: Vec<Def> = names.iter().filter_map(|n| def(n)).collect();

    // Dimension filters select rows; measure filters act on groups.
    let kept: Vec<&Map<String, Value>> = rows
        .iter()
        .filter(|row| {
            filters.iter().all(|(d, expr)| match d.2 {
                Kind::Dim(ty) => matches(ty, row.get(d.0).unwrap_or(&Value::Null), expr),
                _ => true,
            })
        })
        .collect();
    let dims: Vec<&Def> = fields
        .iter()
        .filter(|d| matches!(d.2, Kind::Dim(_)))
        .collect();
    let mut groups: Groups = Vec::new();
    for row in kept {
        let key: Vec<Value> = dims
            .iter()
            .map(|d| row.get(d.0).cloned().unwrap_or(Value::Null))
            .collect();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(row),
            None => groups.push((key, vec![row])),
        }
    }
    if dims.is_empty() && groups.is_empty() {
        groups.push((Vec::new(), Vec::new()));
    }
    let value_of = |d: &Def, members: &[&Map<String, Value>]| -> Value {
        let numbers = |col: &str| -> Vec<f64> {
            members
                .iter()
                .filter_map(|r| r.get(col).and_then(Value::as_f64))
                .collect()
        };
        match d.2 {
            Kind::Dim(_) => members
                .first()
                .and_then(|r| r.get(d.0))
                .cloned()
                .unwrap_or(Value::Null),
            Kind::Count => json!(members.len()),
            Kind::Avg(col) => {
                let n = numbers(col);
                if n.is_empty() {
                    Value::Null
                } else {
                    json!(round(n.iter().sum::<f64>() / n.len() as f64))
                }
            }
            Kind::Sum(col) => json!(round(numbers(col).iter().sum::<f64>())),
            Kind::Max(col) => numbers(col)
                .into_iter()
                .reduce(f64::max)
                .map_or(Value::Null, |m| json!(m)),
            Kind::CountDistinct(col) => {
                let distinct: BTreeSet<String> = members
                    .iter()
                    .filter_map(|r| r.get(col))
                    .filter(|v| !v.is_null())
                    .map(display)
                    .collect();
                json!(distinct.len())
            }
        }
    };
    let mut out: Vec<Vec<Value>> = groups
        .iter()
        .map(|(_, members)| fields.iter().map(|d| value_of(d, members)).collect())
        .collect();
    for (d, expr) in filters.iter().filter(|(d, _)| !matches!(d.2, Kind::Dim(_))) {
        if let Some(col) = fields.iter().position(|f| f.0 == d.0) {
            out.retain(|r| matches("number", &r[col], expr));
        }
    }
    let sorts = if sorts.is_empty() {
        fields
            .iter()
            .find(|d| !matches!(d.2, Kind::Dim(_)))
            .map(|d| vec![(d.0.to_string(), true)])
            .unwrap_or_default()
    } else {
        sorts
    };
    let sort_cols: Vec<(usize, bool)> = sorts
        .iter()
        .filter_map(|(n, desc)| {
            fields
                .iter()
                .position(|f| f.0 == n.as_str())
                .map(|c| (c, *desc))
        })
        .collect();
    out.sort_by(|a, b| {
        for &(c, desc) in &sort_cols {
            let ord = compare_values(Some(&a[c]), Some(&b[c]));
            let ord = if desc { ord.reverse() } else { ord };
            if ord.is_ne() {
                return ord;
            }
        }
        std::cmp::Ordering::Equal
    });
    let limit_text = limit_override
        .map(str::to_string)
        .or_else(|| query.get("limit").map(display))
        .filter(|s| !s.is_empty());
    match limit_text.as_deref().map(|t| t.trim().parse::<i64>()) {
        None => out.truncate(500),
        Some(Ok(n)) if n >= 0 => out.truncate(n as usize),
        Some(Ok(_)) => {}
        Some(Err(_)) => {
            return Err(Resp::bad_request(format!(
                "Invalid limit: {:?}",
                limit_text.unwrap_or_default()
            )));
        }
    }
    let infos: Vec<FieldInfo> = fields
        .iter()
        .map(|d| FieldInfo {
            name: d.0.to_string(),
            label: label(d.0),
            ty: d.1.to_string(),
            measure: !matches!(d.2, Kind::Dim(_)),
            sql: String::new(),
            view: d.0.split('.').next().unwrap_or_default().to_string(),
            dynamic: false,
        })
        .collect();
    let sql = format!(
        "SELECT {} FROM looker.{view} -- system__activity (simulated)",
        names.join(", ")
    );
    Ok(QueryResult {
        fields: infos,
        rows: out,
        sql,
    })
}

/// `history.query_run_count` → `History Query Run Count`.
fn label(name: &str) -> String {
    name.split(['.', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `value` passes a Looker filter expression for a field of type `ty` (`string`,
/// `number` or `date`). Alternatives are separated by unescaped commas; `-x` (strings) and
/// `NOT x` negate; `NULL`, `EMPTY`, `%`/`_` wildcards and `^` escapes work; numbers take
/// `>`, `>=`, `<`, `<=`, `=`. Date expressions are accepted and match every (recent) row.
fn matches(ty: &str, value: &Value, expr: &str) -> bool {
    if ty == "date" || expr.trim().is_empty() {
        return true;
    }
    let mut positives = Vec::new();
    let mut negatives = Vec::new();
    for term in split_unescaped(expr) {
        let t = term.trim().to_string();
        if let Some(rest) = t.strip_prefix("NOT ") {
            negatives.push(rest.trim().to_string());
        } else if let Some(rest) = t
            .strip_prefix('-')
            .filter(|r| ty != "number" || r.starts_with('N'))
        {
            negatives.push(rest.to_string());
        } else {
            positives.push(t);
        }
    }
    let term_matches = |t: &str| -> bool {
        if t == "NULL" {
            return value.is_null();
        }
        if value.is_null() {
            return false;
        }
        if t == "EMPTY" {
            return display(value).is_empty();
        }
        if ty == "number" {
            number_term(value, t)
        } else {
            string_term(value, t)
        }
    };
    (positives.is_empty() || positives.iter().any(|t| term_matches(t)))
        && !negatives.iter().any(|t| term_matches(t))
}

fn split_unescaped(expr: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = expr.chars();
    while let Some(c) = chars.next() {
        let last = out.last_mut().expect("never empty");
        match c {
            '^' => {
                last.push('^');
                if let Some(n) = chars.next() {
                    last.push(n);
                }
            }
            ',' => out.push(String::new()),
            c => last.push(c),
        }
    }
    out
}

fn string_term(value: &Value, term: &str) -> bool {
    let text: Vec<char> = display(value).to_lowercase().chars().collect();
    let mut pattern: Vec<(char, bool)> = Vec::new();
    let mut chars = term.chars();
    while let Some(c) = chars.next() {
        match c {
            '^' => pattern.extend(chars.next().map(|n| (n.to_ascii_lowercase(), true))),
            c => pattern.push((c.to_ascii_lowercase(), false)),
        }
    }
    like(&text, &pattern)
}

fn like(text: &[char], pattern: &[(char, bool)]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((('%', false), rest)) => (0..=text.len()).any(|k| like(&text[k..], rest)),
        Some((('_', false), rest)) => !text.is_empty() && like(&text[1..], rest),
        Some(((c, _), rest)) => text.first() == Some(c) && like(&text[1..], rest),
    }
}

fn number_term(value: &Value, term: &str) -> bool {
    let Some(v) = value
        .as_f64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
    else {
        return false;
    };
    let (op, rest) = [">=", "<=", "!=", ">", "<", "="]
        .iter()
        .find_map(|op| term.strip_prefix(op).map(|r| (*op, r)))
        .unwrap_or(("=", term));
    match rest.trim().parse::<f64>() {
        Ok(x) => match op {
            ">=" => v >= x,
            "<=" => v <= x,
            ">" => v > x,
            "<" => v < x,
            "!=" => v != x,
            _ => v == x,
        },
        Err(_) => false,
    }
}

/// Today's date, `YYYY-MM-DD`.
pub(super) fn today() -> String {
    crate::routes::now_timestamp()[..10].to_string()
}

/// One row per query run. Only content seeded with the world has history.
fn history_rows(world: &World) -> Vec<Map<String, Value>> {
    let date = today();
    let mut rows: Vec<Map<String, Value>> = Vec::new();
    let seeded = |v: &Value| v["created_at"] == SEED_TIME && v["deleted"] != true;
    let mut push = |query_id: &str,
                    source: &str,
                    dashboard: Option<&Value>,
                    look: Option<&Value>,
                    runtime: f64,
                    error: Option<&str>| {
        let Some(q) = world.queries.get(query_id) else {
            return;
        };
        let model = q["model"].as_str().unwrap_or_default();
        let connection = world
            .models
            .get(model)
            .and_then(|m| m["allowed_db_connection_names"][0].as_str())
            .unwrap_or("thelook")
            .to_string();
        let dialect = world
            .connections
            .get(&connection)
            .and_then(|c| c["dialect_name"].as_str())
            .unwrap_or("mysql")
            .to_string();
        let formatted: Vec<String> = strings(q.get("fields"));
        let filters = match &q["filters"] {
            Value::Object(m) if !m.is_empty() => Value::from(Value::Object(m.clone()).to_string()),
            _ => Value::Null,
        };
        let id = rows.len() + 1;
        let user = if id.is_multiple_of(3) {
            ("2", "Alice Analyst")
        } else {
            ("1", "Ada Admin")
        };
        let mut row = Map::new();
        let mut set = |k: &str, v: Value| {
            row.insert(k.to_string(), v);
        };
        set("history.id", json!(id));
        set("history.created_date", json!(date));
        set(
            "history.created_time",
            json!(format!("{date} 0{}:{:02}:00", id % 10, id % 60)),
        );
        set(
            "history.completed_time",
            json!(format!("{date} 0{}:{:02}:30", id % 10, id % 60)),
        );
        set(
            "history.status",
            json!(if error.is_some() { "error" } else { "complete" }),
        );
        set("history.runtime", json!(runtime));
        set("history.source", json!(source));
        set("history.connection_name", json!(connection));
        set("history.dialect", json!(dialect));
        set(
            "history.dashboard_session",
            dashboard.map_or(Value::Null, |d| {
                json!(format!(
                    "sess-{}-{}",
                    d["id"].as_str().unwrap_or(""),
                    id % 4
                ))
            }),
        );
        set(
            "history.real_dash_id",
            dashboard.map_or(Value::Null, |d| d["id"].clone()),
        );
        set("history.workspace_id", json!("production"));
        set(
            "history.result_source",
            json!(if id.is_multiple_of(4) {
                "cache"
            } else {
                "query"
            }),
        );
        set("history.message", error.map_or(Value::Null, Value::from));
        set("query.id", json!(query_id.parse::<u64>().unwrap_or(0)));
        set("query.model", json!(model));
        set("query.view", q["view"].clone());
        set(
            "query.formatted_fields",
            json!(Value::from(formatted).to_string()),
        );
        set("query.filters", filters);
        set(
            "dashboard.id",
            dashboard.map_or(Value::Null, |d| d["id"].clone()),
        );
        set(
            "dashboard.title",
            dashboard.map_or(Value::Null, |d| d["title"].clone()),
        );
        set("look.id", look.map_or(Value::Null, |l| l["id"].clone()));
        set(
            "look.title",
            look.map_or(Value::Null, |l| l["title"].clone()),
        );
        set("user.id", json!(user.0.parse::<u64>().unwrap_or(1)));
        set("user.name", json!(user.1));
        set(
            "user.email",
            world
                .users
                .get(user.0)
                .map_or(Value::Null, |u| u["email"].clone()),
        );
        set("user.dev_branch_name", Value::Null);
        rows.push(row);
    };

    // Dashboards: every tile with a Looker query runs on each of a few dashboard loads.
    // Marketing (BigQuery) tiles are slow; the first load of a region tile times out.
    for d in world.dashboards.list().iter().filter(|d| seeded(d)) {
        let id = d["id"].as_str().unwrap_or_default();
        for e in world
            .dashboard_elements
            .list()
            .iter()
            .filter(|e| e["dashboard_id"] == id)
        {
            let look = e["look_id"].as_str().and_then(|l| world.looks.get(l));
            let query_id = e["query_id"]
                .as_str()
                .or_else(|| e["result_maker"]["query_id"].as_str())
                .or_else(|| look.and_then(|l| l["query_id"].as_str()));
            let Some(query_id) = query_id else { continue };
            let model = world
                .queries
                .get(query_id)
                .and_then(|q| q["model"].as_str())
                .unwrap_or_default()
                .to_string();
            let regional = world
                .queries
                .get(query_id)
                .is_some_and(|q| q["fields"].to_string().contains(".region"));
            for load in 0..4 {
                let runtime = if model == "marketing" {
                    38.5 + f64::from(load)
                } else {
                    1.5 + f64::from(load) * 0.5
                };
                let error = (regional && load == 0)
                    .then_some("Query timed out after 300 seconds (connection thelook)");
                push(query_id, "dashboard", Some(d), look, runtime, error);
            }
        }
    }
    // Looks opened on their own.
    for l in world.looks.list().iter().filter(|l| seeded(l)) {
        if let Some(query_id) = l["query_id"].as_str() {
            for run in 0..3 {
                push(
                    query_id,
                    "look",
                    None,
                    Some(l),
                    0.8 + f64::from(run) * 0.3,
                    None,
                );
            }
        }
    }
    // Ad-hoc explore runs of the seeded queries (ids 1–4).
    for query_id in ["1", "2", "3", "4"] {
        for run in 0..2 {
            push(query_id, "explore", None, None, 2.0 + f64::from(run), None);
        }
    }
    rows
}

/// Schedule runs of the simulator's two seeded plans (`scheduled_plans.rs`) over the last week:
/// the weekly dashboard delivery worked; the daily look delivery failed three times.
fn schedule_rows(world: &World) -> Vec<Map<String, Value>> {
    const SMTP: &str =
        "SMTP server smtp.example.com refused the message: 552 message size exceeds limit";
    let date = today();
    let plans: [PlanSeed; 2] = [
        (
            1,
            "Weekly sales overview",
            "dashboard",
            "1",
            "email",
            &[("success", "")],
        ),
        (
            2,
            "Daily orders by region",
            "look",
            "2",
            "email",
            &[
                ("success", ""),
                ("success", ""),
                ("failure", SMTP),
                ("success", ""),
                ("failure", SMTP),
                ("success", ""),
                ("failure", SMTP),
            ],
        ),
    ];
    let mut rows = Vec::new();
    for (plan_id, name, content_type, content_id, destination, jobs) in plans {
        let exists = match content_type {
            "dashboard" => world.dashboards.get(content_id).is_some(),
            _ => world.looks.get(content_id).is_some(),
        };
        for (status, detail) in jobs {
            let job_id = rows.len() + 1;
            let mut row = Map::new();
            for (k, v) in [
                ("scheduled_plan.id", json!(plan_id)),
                ("scheduled_plan.name", json!(name)),
                (
                    "scheduled_plan.enabled",
                    json!(if exists { "Yes" } else { "No" }),
                ),
                ("scheduled_plan.content_type", json!(content_type)),
                ("scheduled_plan.content_id", json!(content_id)),
                ("scheduled_job.id", json!(job_id)),
                ("scheduled_job.name", json!(name)),
                ("scheduled_job.status", json!(status)),
                (
                    "scheduled_job.status_detail",
                    if detail.is_empty() {
                        Value::Null
                    } else {
                        json!(detail)
                    },
                ),
                ("scheduled_job.created_date", json!(date)),
                (
                    "scheduled_job.created_time",
                    json!(format!("{date} 06:00:0{}", job_id % 10)),
                ),
                ("scheduled_plan_destination.type", json!(destination)),
            ] {
                row.insert(k.to_string(), v);
            }
            rows.push(row);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimConfig;

    fn run_rows(query: Value) -> Vec<Vec<Value>> {
        let world = super::super::seed_world(&SimConfig::default());
        run(&world, &query, None)
            .expect("system__activity")
            .map_err(|r| format!("{:?}", r.body))
            .unwrap()
            .rows
    }

    #[test]
    fn history_groups_filters_and_aggregates() {
        let rows = run_rows(json!({"model": MODEL, "view": "history",
            "fields": ["query.model", "query.view", "history.query_run_count"],
            "filters": {"history.created_date": "90 days", "query.model": "-system^_^_activity"},
            "sorts": ["history.query_run_count desc"], "limit": "10"}));
        assert!(
            rows.iter().any(|r| r[0] == "ecommerce" && r[1] == "orders"),
            "{rows:?}"
        );
        assert!(
            !rows.iter().any(|r| r[1] == "users"),
            "users is never queried: {rows:?}"
        );
        let slow = run_rows(json!({"model": MODEL, "view": "history",
            "fields": ["dashboard.title", "history.average_runtime"],
            "filters": {"history.runtime": ">30", "history.real_dash_id": "-NULL"}, "limit": "20"}));
        assert_eq!(slow.len(), 1, "{slow:?}");
        assert_eq!(slow[0][0], "Marketing spend");
        let errors = run_rows(json!({"model": MODEL, "view": "history",
            "fields": ["history.status", "history.query_run_count"], "filters": {"history.status": "error"}}));
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn schedules_and_unknown_fields() {
        let failed = run_rows(json!({"model": MODEL, "view": "scheduled_plan",
            "fields": ["scheduled_plan.name", "scheduled_job.count"],
            "filters": {"scheduled_job.status": "failure"}, "limit": "50"}));
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert_eq!(failed[0][0], "Daily orders by region");
        assert_eq!(failed[0][1], 3);
        let world = super::super::seed_world(&SimConfig::default());
        let bad = run(
            &world,
            &json!({"model": MODEL, "view": "history", "fields": ["history.nope"]}),
            None,
        );
        assert!(matches!(bad, Some(Err(_))));
        assert!(
            run(
                &world,
                &json!({"model": "ecommerce", "view": "orders"}),
                None
            )
            .is_none()
        );
    }
}

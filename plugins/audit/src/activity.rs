//! History tools: queries on Looker's `system__activity` model (its record of its own use), run
//! inline with `POST /queries/run/json`, always with an explicit row limit and filter values
//! encoded with the SDK's [`filters`] module (so `_`, `%` and `,` in an email or an id are
//! literal, and a date range never splits into a list).

use looker_mcp_plugin_sdk::args::{default, given};
pub use looker_mcp_plugin_sdk::queries::Activity;
use looker_mcp_plugin_sdk::rows::capped_limit;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, filters};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// Defaults shared by the schemas and the argument types: the date range of most tools, of
/// `get_content_usage`, the row limits and the content type.
const WEEK: &str = "7 days";
const MONTH: &str = "30 days";
const LIMIT: i64 = 500;
const USAGE_LIMIT: i64 = 100;
const ALL: &str = "all";

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "get_query_history",
            "Query history",
            "Lists queries Looker ran (from the system__activity `history` explore), \
            newest first: when, status, runtime in seconds, source (dashboard, look, \
            explore, api, …), whether the result came from cache, the error message, the \
            model and explore, the dashboard or Look it ran for and the user. Use it to \
            find slow or failing queries, or what a user or a dashboard ran. `date_range` \
            is a Looker date filter (`7 days`, `last 30 days`, `today`, `2024-01-01 to \
            2024-02-01`). Example: {\"date_range\": \"24 hours\", \
            \"min_runtime_seconds\": 30, \"errors_only\": true}. `limit` is capped by the \
            server's row limit; `truncated: true` means the limit was reached and there \
            may be more.",
        )
        .schema(
            schema::object()
                .with_default(
                    "date_range",
                    Ty::Str.min_len(1),
                    WEEK,
                    "How far back, as a Looker date filter: \"7 days\", \"24 hours\", \
                    \"last 30 days\", \"today\", \"2024-01-01 to 2024-02-01\".",
                )
                .optional(
                    "user_email",
                    Ty::Str,
                    "Only queries run by the user with this exact email.",
                )
                .optional(
                    "dashboard_id",
                    Ty::Str,
                    "Only queries run for this dashboard (its id).",
                )
                .optional(
                    "min_runtime_seconds",
                    Ty::Num.min(0),
                    "Only queries that ran at least this many seconds.",
                )
                .with_default(
                    "errors_only",
                    Ty::Bool,
                    false,
                    "Only queries that ended in an error.",
                )
                .with_default(
                    "limit",
                    Ty::Int.min(1),
                    LIMIT,
                    "The most rows to return (capped by the server's row limit).",
                ),
        )
        .handler(get_query_history),
        Tool::reader(
            "get_content_usage",
            "Content usage",
            "Ranks dashboards and Looks by views over a date range (from system__activity \
            `history`): for dashboards the number of dashboard loads (`views`), the \
            queries their tiles ran and distinct viewers; for Looks the runs and distinct \
            viewers. Use it to find the most used content or, with `min_views`, content \
            above a usage threshold. `content_type` is `all` (both lists), `dashboard` or \
            `look`; `limit` applies to each list. Example: {\"date_range\": \"90 days\", \
            \"content_type\": \"dashboard\", \"min_views\": 5}.",
        )
        .schema(
            schema::object()
                .with_default(
                    "date_range",
                    Ty::Str.min_len(1),
                    MONTH,
                    "How far back, as a Looker date filter (\"30 days\", \"last 90 days\", \
                    …).",
                )
                .with_default(
                    "content_type",
                    Ty::Enum(&["all", "dashboard", "look"]),
                    ALL,
                    "Which content to rank: dashboards, Looks, or both (two lists).",
                )
                .with_default(
                    "min_views",
                    Ty::Int.min(0),
                    0,
                    "Only content viewed at least this many times.",
                )
                .with_default(
                    "limit",
                    Ty::Int.min(1),
                    USAGE_LIMIT,
                    "The most items per list (capped by the server's row limit).",
                ),
        )
        .handler(get_content_usage),
        Tool::reader(
            "get_pdt_build_log",
            "PDT build log",
            "Lists persistent derived table events (from system__activity \
            `pdt_event_log`), newest first: builds starting, completing or failing, with \
            the model, view, connection, database table and Looker's detail (the error \
            text for failures). Use it to see why a PDT is stale or failing, or how often \
            it rebuilds. Filter by `model` and `view` (exact names), and `failed_only` \
            for build errors. Example: {\"model\": \"ecommerce\", \"view\": \
            \"user_facts\", \"failed_only\": true}.",
        )
        .schema(
            schema::object()
                .with_default(
                    "date_range",
                    Ty::Str.min_len(1),
                    WEEK,
                    "How far back, as a Looker date filter (\"7 days\", \"yesterday\", …).",
                )
                .optional(
                    "model",
                    Ty::Str,
                    "Only this model's PDTs (exact model name).",
                )
                .optional("view", Ty::Str, "Only this PDT (exact view name).")
                .with_default("failed_only", Ty::Bool, false, "Only build errors.")
                .with_default(
                    "limit",
                    Ty::Int.min(1),
                    LIMIT,
                    "The most events to return (capped by the server's row limit).",
                ),
        )
        .handler(get_pdt_build_log),
        Tool::reader(
            "get_schedule_history",
            "Schedule run history",
            "Lists runs of scheduled deliveries (from system__activity `scheduled_plan`), \
            newest first: when, status (success/failure), Looker's status detail (e.g. \
            the SMTP or destination error), the schedule's id and name, what it delivers \
            and where. Use it to find failing schedules; `schedule_id` (a number, see \
            list_schedules) narrows to one schedule. Example: {\"date_range\": \"30 \
            days\", \"failed_only\": true}.",
        )
        .schema(
            schema::object()
                .with_default(
                    "date_range",
                    Ty::Str.min_len(1),
                    WEEK,
                    "How far back, as a Looker date filter (\"7 days\", \"last 30 days\", \
                    …).",
                )
                .optional(
                    "schedule_id",
                    Ty::Str.pattern("^[0-9]+$"),
                    "Only this scheduled plan's runs (its numeric id, see list_schedules).",
                )
                .with_default("failed_only", Ty::Bool, false, "Only failed runs.")
                .with_default(
                    "limit",
                    Ty::Int.min(1),
                    LIMIT,
                    "The most runs to return (capped by the server's row limit).",
                ),
        )
        .handler(get_schedule_history),
        Tool::reader(
            "get_user_activity_log",
            "User activity log",
            "Lists user events Looker recorded (from system__activity `event`), newest \
            first: logins, content created, changed or deleted, schedules, and so on, \
            with the event name and category, whether it came from the API, and the user. \
            Use it to audit what a user did. `event_types` is a comma-separated list of \
            event names (e.g. \"login,delete_dashboard\"); `user_email` is an exact \
            email. Example: {\"user_email\": \"alice@example.com\", \"event_types\": \
            \"login\", \"date_range\": \"30 days\"}.",
        )
        .schema(
            schema::object()
                .with_default(
                    "date_range",
                    Ty::Str.min_len(1),
                    WEEK,
                    "How far back, as a Looker date filter (\"7 days\", \"last 30 days\", \
                    …).",
                )
                .optional(
                    "user_email",
                    Ty::Str,
                    "Only this user's events (exact email).",
                )
                .optional(
                    "event_types",
                    Ty::Str,
                    "Comma-separated event names to keep, e.g. \
                    \"login,create_dashboard,delete_look\".",
                )
                .with_default(
                    "limit",
                    Ty::Int.min(1),
                    LIMIT,
                    "The most events to return (capped by the server's row limit).",
                ),
        )
        .handler(get_user_activity_log),
    ]
}

/// Renames each row's Looker field names to short keys, in the given order.
fn rename(rows: Vec<Value>, keys: &[(&str, &str)]) -> Vec<Value> {
    rows.into_iter()
        .map(|row| {
            let mut out = Map::new();
            for (field, key) in keys {
                out.insert(
                    (*key).to_owned(),
                    row.get(*field).cloned().unwrap_or(Value::Null),
                );
            }
            Value::Object(out)
        })
        .collect()
}

/// A date range in Looker's filter syntax (`7 days`, `last 30 days`, `2024-01-01 to 2024-02-01`),
/// kept as written except that commas never make a list.
fn date_range(range: &str) -> Result<String, ToolError> {
    let range = range.trim();
    if range.is_empty() {
        return Err(ToolError::invalid_arguments(
            "`date_range`: must not be empty; use Looker's date filter syntax, e.g. \"7 days\"",
        ));
    }
    Ok(filters::expression(range))
}

/// The common answer: the rows with how they were asked for.
fn answer(key: &str, rows: Vec<Value>, range: &str, limit: u32) -> Value {
    let count = rows.len();
    let mut out = json!({
        "date_range": range,
        "count": count,
        "limit": limit,
        "truncated": count >= limit as usize,
    });
    out[key] = Value::Array(rows);
    out
}

fn default_week() -> String {
    WEEK.into()
}

fn default_month() -> String {
    MONTH.into()
}

fn default_content_type() -> String {
    ALL.into()
}

/// `get_query_history` arguments.
#[derive(Deserialize)]
pub struct QueryHistoryArgs {
    #[serde(default = "default_week")]
    date_range: String,
    #[serde(default)]
    user_email: Option<String>,
    #[serde(default)]
    dashboard_id: Option<String>,
    #[serde(default)]
    min_runtime_seconds: Option<f64>,
    #[serde(default)]
    errors_only: bool,
    #[serde(default = "default::int::<LIMIT>")]
    limit: i64,
}

const QUERY_HISTORY_FIELDS: &[(&str, &str)] = &[
    ("history.id", "history_id"),
    ("history.created_time", "created_at"),
    ("history.status", "status"),
    ("history.runtime", "runtime_seconds"),
    ("history.source", "source"),
    ("history.result_source", "result_source"),
    ("history.message", "message"),
    ("query.id", "query_id"),
    ("query.model", "model"),
    ("query.view", "explore"),
    ("dashboard.id", "dashboard_id"),
    ("dashboard.title", "dashboard_title"),
    ("look.id", "look_id"),
    ("look.title", "look_title"),
    ("user.id", "user_id"),
    ("user.email", "user_email"),
    ("user.name", "user_name"),
];

fn field_names(pairs: &[(&'static str, &str)]) -> Vec<&'static str> {
    pairs.iter().map(|(f, _)| *f).collect()
}

/// `get_query_history`: query runs from `system__activity` `history`, newest first.
pub fn get_query_history(args: QueryHistoryArgs, ctx: &Context) -> Result<Value, ToolError> {
    let limit = capped_limit(args.limit, ctx)?;
    let range = date_range(&args.date_range)?;
    let mut q = Activity::new("history", &field_names(QUERY_HISTORY_FIELDS), limit)
        .filter("history.created_date", range.clone());
    if let Some(email) = given(&args.user_email) {
        q = q.equals("user.email", email);
    }
    if let Some(id) = given(&args.dashboard_id) {
        q = q.equals("dashboard.id", id);
    }
    if let Some(min) = args.min_runtime_seconds {
        if !min.is_finite() || min < 0.0 {
            return Err(ToolError::invalid_arguments(
                "`min_runtime_seconds`: must be a number of seconds, 0 or more",
            ));
        }
        q = q.filter("history.runtime", format!(">={min}"));
    }
    if args.errors_only {
        q = q.filter("history.status", "error");
    }
    let rows = q.sort_desc("history.created_time").rows()?;
    Ok(answer(
        "queries",
        rename(rows, QUERY_HISTORY_FIELDS),
        &range,
        limit,
    ))
}

/// `get_content_usage` arguments.
#[derive(Deserialize)]
pub struct ContentUsageArgs {
    #[serde(default = "default_month")]
    date_range: String,
    #[serde(default = "default_content_type")]
    content_type: String,
    #[serde(default)]
    min_views: i64,
    #[serde(default = "default::int::<USAGE_LIMIT>")]
    limit: i64,
}

const DASHBOARD_USAGE: &[(&str, &str)] = &[
    ("dashboard.id", "id"),
    ("dashboard.title", "title"),
    ("history.dashboard_run_count", "views"),
    ("history.query_run_count", "query_runs"),
    ("user.count", "viewers"),
];

const LOOK_USAGE: &[(&str, &str)] = &[
    ("look.id", "id"),
    ("look.title", "title"),
    ("history.query_run_count", "views"),
    ("user.count", "viewers"),
];

/// `get_content_usage`: the most viewed dashboards and/or Looks in the date range.
pub fn get_content_usage(args: ContentUsageArgs, ctx: &Context) -> Result<Value, ToolError> {
    let limit = capped_limit(args.limit, ctx)?;
    let range = date_range(&args.date_range)?;
    if args.min_views < 0 {
        return Err(ToolError::invalid_arguments(
            "`min_views`: must be 0 or more",
        ));
    }
    let (dashboards, looks) = match args.content_type.as_str() {
        "all" => (true, true),
        "dashboard" => (true, false),
        "look" => (false, true),
        other => {
            return Err(ToolError::invalid_arguments(format!(
                "`content_type`: {other:?} is not one of \"all\", \"dashboard\", \"look\""
            )));
        }
    };
    let mut out = json!({
        "date_range": range,
        "content_type": args.content_type,
        "min_views": args.min_views,
        "limit": limit,
    });
    if dashboards {
        let mut q = Activity::new("history", &field_names(DASHBOARD_USAGE), limit)
            .filter("history.created_date", range.clone())
            .filter("history.source", "dashboard")
            .filter("dashboard.id", "-NULL");
        if args.min_views > 0 {
            q = q.filter(
                "history.dashboard_run_count",
                format!(">={}", args.min_views),
            );
        }
        let rows = q.sort_desc("history.dashboard_run_count").rows()?;
        out["dashboards"] = Value::Array(rename(rows, DASHBOARD_USAGE));
    }
    if looks {
        let mut q = Activity::new("history", &field_names(LOOK_USAGE), limit)
            .filter("history.created_date", range.clone())
            .filter("history.source", "look")
            .filter("look.id", "-NULL");
        if args.min_views > 0 {
            q = q.filter("history.query_run_count", format!(">={}", args.min_views));
        }
        let rows = q.sort_desc("history.query_run_count").rows()?;
        out["looks"] = Value::Array(rename(rows, LOOK_USAGE));
    }
    Ok(out)
}

/// `get_pdt_build_log` arguments.
#[derive(Deserialize)]
pub struct PdtLogArgs {
    #[serde(default = "default_week")]
    date_range: String,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    view: Option<String>,
    #[serde(default)]
    failed_only: bool,
    #[serde(default = "default::int::<LIMIT>")]
    limit: i64,
}

const PDT_FIELDS: &[(&str, &str)] = &[
    ("pdt_event_log.id", "id"),
    ("pdt_event_log.created_time", "created_at"),
    ("pdt_event_log.model_name", "model"),
    ("pdt_event_log.view_name", "view"),
    ("pdt_event_log.action", "action"),
    ("pdt_event_log.action_data", "action_data"),
    ("pdt_event_log.connection", "connection"),
    ("pdt_event_log.tablename", "table_name"),
    ("pdt_event_log.hash", "hash"),
];

/// `get_pdt_build_log`: persistent derived table events from `pdt_event_log`, newest first.
pub fn get_pdt_build_log(args: PdtLogArgs, ctx: &Context) -> Result<Value, ToolError> {
    let limit = capped_limit(args.limit, ctx)?;
    let range = date_range(&args.date_range)?;
    let mut q = Activity::new("pdt_event_log", &field_names(PDT_FIELDS), limit)
        .filter("pdt_event_log.created_date", range.clone());
    if let Some(model) = given(&args.model) {
        q = q.equals("pdt_event_log.model_name", model);
    }
    if let Some(view) = given(&args.view) {
        q = q.equals("pdt_event_log.view_name", view);
    }
    if args.failed_only {
        q = q.filter("pdt_event_log.action", "%error%");
    }
    let rows = q.sort_desc("pdt_event_log.created_time").rows()?;
    Ok(answer("events", rename(rows, PDT_FIELDS), &range, limit))
}

/// `get_schedule_history` arguments.
#[derive(Deserialize)]
pub struct ScheduleHistoryArgs {
    #[serde(default = "default_week")]
    date_range: String,
    #[serde(default)]
    schedule_id: Option<String>,
    #[serde(default)]
    failed_only: bool,
    #[serde(default = "default::int::<LIMIT>")]
    limit: i64,
}

const SCHEDULE_FIELDS: &[(&str, &str)] = &[
    ("scheduled_job.id", "job_id"),
    ("scheduled_job.created_time", "run_at"),
    ("scheduled_job.status", "status"),
    ("scheduled_job.status_detail", "status_detail"),
    ("scheduled_plan.id", "schedule_id"),
    ("scheduled_plan.name", "schedule_name"),
    ("scheduled_plan.content_type", "content_type"),
    ("scheduled_plan.content_id", "content_id"),
    ("scheduled_plan_destination.type", "destination_type"),
];

/// `get_schedule_history`: scheduled deliveries' runs from `scheduled_plan`, newest first.
pub fn get_schedule_history(args: ScheduleHistoryArgs, ctx: &Context) -> Result<Value, ToolError> {
    let limit = capped_limit(args.limit, ctx)?;
    let range = date_range(&args.date_range)?;
    let mut q = Activity::new("scheduled_plan", &field_names(SCHEDULE_FIELDS), limit)
        .filter("scheduled_job.created_date", range.clone());
    if let Some(id) = given(&args.schedule_id) {
        if !id.chars().all(|c| c.is_ascii_digit()) {
            return Err(ToolError::invalid_arguments(format!(
                "`schedule_id`: {id:?} is not a schedule id (a number, as list_schedules shows)"
            )));
        }
        q = q.filter("scheduled_plan.id", id);
    }
    if args.failed_only {
        q = q.filter("scheduled_job.status", "failure");
    }
    let rows = q.sort_desc("scheduled_job.created_time").rows()?;
    Ok(answer("runs", rename(rows, SCHEDULE_FIELDS), &range, limit))
}

/// `get_user_activity_log` arguments.
#[derive(Deserialize)]
pub struct UserActivityArgs {
    #[serde(default = "default_week")]
    date_range: String,
    #[serde(default)]
    user_email: Option<String>,
    #[serde(default)]
    event_types: Option<String>,
    #[serde(default = "default::int::<LIMIT>")]
    limit: i64,
}

const EVENT_FIELDS: &[(&str, &str)] = &[
    ("event.id", "id"),
    ("event.created_time", "created_at"),
    ("event.name", "event"),
    ("event.category", "category"),
    ("event.is_api_call", "is_api_call"),
    ("user.id", "user_id"),
    ("user.email", "user_email"),
    ("user.name", "user_name"),
];

/// `get_user_activity_log`: user events (logins, content changes, …) from `event`, newest first.
pub fn get_user_activity_log(args: UserActivityArgs, ctx: &Context) -> Result<Value, ToolError> {
    let limit = capped_limit(args.limit, ctx)?;
    let range = date_range(&args.date_range)?;
    let mut q = Activity::new("event", &field_names(EVENT_FIELDS), limit)
        .filter("event.created_date", range.clone());
    if let Some(email) = given(&args.user_email) {
        q = q.equals("user.email", email);
    }
    if let Some(types) = given(&args.event_types) {
        let names: Vec<&str> = types
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect();
        if !names.is_empty() {
            q = q.filter("event.name", filters::any_of(names));
        }
    }
    let rows = q.sort_desc("event.created_time").rows()?;
    Ok(answer("events", rename(rows, EVENT_FIELDS), &range, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_have_explicit_limits_and_escaped_values() {
        let body = Activity::new("history", &["history.id"], 50)
            .filter("history.created_date", date_range("last 7 days").unwrap())
            .equals("user.email", "a_b@x.com")
            .sort_desc("history.created_time")
            .body();
        assert_eq!(body["limit"], "50");
        assert_eq!(body["model"], "system__activity");
        assert_eq!(body["filters"]["user.email"], "a^_b@x.com");
        assert_eq!(body["filters"]["history.created_date"], "last 7 days");
        assert_eq!(body["sorts"], json!(["history.created_time desc"]));
    }

    #[test]
    fn limits_are_capped_and_ranges_never_split() {
        let ctx = Context::from_settings([("max_rows", "100")]);
        assert_eq!(capped_limit(500, &ctx).unwrap(), 100);
        assert_eq!(capped_limit(5, &ctx).unwrap(), 5);
        assert!(capped_limit(0, &ctx).is_err());
        assert_eq!(
            date_range("2024-01-01, 2024-02-01").unwrap(),
            "2024-01-01^, 2024-02-01"
        );
        assert!(date_range("  ").is_err());
    }
}

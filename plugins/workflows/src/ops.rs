//! Operations and audit workflows: query activity, instance health, runaway queries, stale
//! content and stale sessions. System activity is read with `POST /queries/run/json` on the
//! `system__activity` model.

use looker_mcp_plugin_sdk::args::default;
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::rows::capped_limit;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::{self, pick, redact};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, filters, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::report::Report;

/// Defaults shared by the schemas and the argument types.
const LIMIT: i64 = 100;
const DAYS: i64 = 90;
const THRESHOLD_SECONDS: u32 = 300;
const WEEK: &str = "7 days";
const DAY: &str = "24 hours";
const REPORT: &str = "report";
const ALL: &str = "all";

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "audit_query_activity",
            "Audit query activity",
            "Audits query activity from System Activity with a preset: `slow` (longest \
            runs first), `errors` (runs that did not complete), `frequent` (most-run \
            queries by user and explore), `by_user` (one user's runs; needs `user_email`) \
            or `by_content` (runs from one dashboard or Look; needs exactly one of \
            `dashboard_id`, `look_id`). `date_range` is a Looker date filter such as `7 \
            days` or `2024-01-01 to 2024-02-01`. Example: {\"scope\": \"by_user\", \
            \"user_email\": \"ada@example.com\", \"date_range\": \"30 days\"}. Read only. \
            Returns a report with `rows` and `row_count`.",
        )
        .schema(
            schema::object()
                .required(
                    "scope",
                    Ty::Enum(&["slow", "errors", "frequent", "by_user", "by_content"]),
                    "Which audit to run.",
                )
                .with_default(
                    "date_range",
                    Ty::Str,
                    WEEK,
                    "Looker date filter, e.g. `7 days`, `this month`.",
                )
                .optional(
                    "user_email",
                    Ty::Str,
                    "The user's email; required for `by_user`.",
                )
                .optional(
                    "dashboard_id",
                    Ty::Str,
                    "Dashboard id for `by_content` (or `look_id`).",
                )
                .optional(
                    "look_id",
                    Ty::Str,
                    "Look id for `by_content` (or `dashboard_id`).",
                )
                .with_default(
                    "limit",
                    Ty::Int.min(1),
                    LIMIT,
                    "Maximum rows (capped by the server's row limit).",
                ),
        )
        .handler(audit_query_activity),
        Tool::reader(
            "audit_instance_health",
            "Instance health report",
            "A health check of the instance over `date_range` (a Looker date filter, \
            default `24 hours`): failed PDT builds, failed schedule runs (samples of up \
            to 10 rows each, `truncated` when capped) and the content validator's error \
            count. A section whose query fails is reported and makes `healthy` false with \
            `partial_failure` true, so a failed check never looks healthy. Read only. \
            Returns a report with `healthy`, `sample_issue_count` and `sections`.",
        )
        .schema(schema::object().with_default(
            "date_range",
            Ty::Str,
            DAY,
            "Looker date filter for the window, e.g. `24 hours`, `7 days`.",
        ))
        .handler(audit_instance_health),
        Tool::new(
            "investigate_runaway_queries",
            "Find (and kill) runaway queries",
            "Lists queries running now for at least `threshold_seconds` (default 300). \
            With the default \"action\": \"report\" nothing changes: the report lists \
            each runaway with the kill it would make (status `planned`). With \"action\": \
            \"kill\" each one is killed; a failed kill is reported and the others still \
            run. Use when the database is saturated. Returns a report with `runaways` and \
            `killed`.",
        )
        .schema(
            schema::object()
                .with_default(
                    "threshold_seconds",
                    Ty::Num.above(0),
                    THRESHOLD_SECONDS,
                    "Minimum runtime in seconds for a query to count as runaway.",
                )
                .with_default(
                    "action",
                    Ty::Enum(&["report", "kill"]),
                    REPORT,
                    "`report` (changes nothing) or `kill`.",
                ),
        )
        .handler(investigate_runaway_queries),
        Tool::reader(
            "find_stale_content",
            "Find unused content",
            "Finds dashboards and Looks nobody has opened for at least `min_days_unused` \
            days (default 90), oldest first, from System Activity content usage: \
            candidates for deletion or archiving. `content_type` is `dashboard`, `look` \
            or `all`. Read only. Example: {\"min_days_unused\": 180, \"content_type\": \
            \"dashboard\"}. Returns a report with `rows` (type, id, title, last access, \
            days unused, views) and `stale_count`.",
        )
        .schema(
            schema::object()
                .with_default(
                    "min_days_unused",
                    Ty::Int.min(0),
                    DAYS,
                    "Minimum days since the content was last opened.",
                )
                .with_default(
                    "content_type",
                    Ty::Enum(&["dashboard", "look", "all"]),
                    ALL,
                    "Which content to look at.",
                )
                .with_default(
                    "limit",
                    Ty::Int.min(1),
                    LIMIT,
                    "Maximum rows (capped by the server's row limit).",
                ),
        )
        .handler(find_stale_content),
        Tool::new(
            "disable_stale_sessions",
            "Find (and end) old login sessions",
            "Finds users' login sessions created more than `max_age_days` ago (default 90) \
            by reading every user's sessions. With the default \"action\": \"report\" \
            nothing changes (each session that would end is listed as `planned`); with \
            \"action\": \"terminate\" each is ended, failures reported without stopping \
            the others. Returns a report with `stale_sessions` and `terminated`.",
        )
        .schema(
            schema::object()
                .with_default(
                    "max_age_days",
                    Ty::Int.min(0),
                    DAYS,
                    "Sessions created more than this many days ago are stale.",
                )
                .with_default(
                    "action",
                    Ty::Enum(&["report", "terminate"]),
                    REPORT,
                    "`report` (changes nothing) or `terminate`.",
                ),
        )
        .handler(disable_stale_sessions),
    ]
}

/// Runs a `system__activity` query as step `step`; its rows, or `None` (recorded as failed).
fn activity(
    report: &mut Report,
    step: &str,
    view: &str,
    fields: &[&str],
    filters: &[(&str, String)],
    sorts: &[&str],
    limit: u32,
) -> Option<Vec<Value>> {
    let mut f = Map::new();
    for (k, v) in filters {
        f.insert((*k).to_owned(), json!(v));
    }
    let body = json!({
        "model": "system__activity", "view": view, "fields": fields, "filters": f,
        "sorts": sorts, "limit": limit.to_string(),
    });
    let answer = report
        .json(step, Request::post("/queries/run/json").body(&body))
        .ok()?;
    match answer {
        Value::Array(rows) => {
            report.note("rows", rows.len());
            Some(rows)
        }
        other => {
            let message = other["looker_error"]
                .as_str()
                .map_or_else(|| format!("not rows: {other}"), str::to_owned);
            report.record_failure(
                step,
                "POST /queries/run/json",
                &ToolError::internal(format!("system__activity query failed: {message}")),
            );
            None
        }
    }
}

fn date_range(value: &str) -> Result<String, ToolError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ToolError::invalid_arguments(
            "`date_range`: must not be empty; use a Looker date filter such as `7 days`",
        ));
    }
    Ok(filters::expression(v))
}

fn week() -> String {
    WEEK.into()
}

fn day() -> String {
    DAY.into()
}

#[derive(Deserialize)]
pub struct AuditActivity {
    scope: String,
    #[serde(default = "week")]
    date_range: String,
    #[serde(default)]
    user_email: Option<String>,
    #[serde(default)]
    dashboard_id: Option<String>,
    #[serde(default)]
    look_id: Option<String>,
    #[serde(default = "default::int::<LIMIT>")]
    limit: i64,
}

const RUN_FIELDS: &[&str] = &[
    "history.created_time",
    "user.email",
    "query.model",
    "query.view",
    "history.runtime",
    "history.status",
    "history.source",
    "history.result_source",
    "dashboard.id",
    "look.id",
];

/// One `system__activity` `history` query shaped by `scope`.
pub fn audit_query_activity(a: AuditActivity, ctx: &Context) -> Result<Value, ToolError> {
    let limit = capped_limit(a.limit, ctx)?;
    let range = date_range(&a.date_range)?;
    let mut filters: Vec<(&str, String)> = vec![("history.created_date", range.clone())];
    let mut fields: &[&str] = RUN_FIELDS;
    let mut sorts: &[&str] = &["history.created_time desc"];
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    match a.scope.as_str() {
        "slow" => sorts = &["history.runtime desc"],
        "errors" => filters.push(("history.status", "-complete".into())),
        "frequent" => {
            fields = &[
                "user.email",
                "query.model",
                "query.view",
                "history.query_run_count",
            ];
            sorts = &["history.query_run_count desc"];
        }
        "by_user" => {
            if blank(&a.user_email) {
                return Err(ToolError::invalid_arguments(
                    "`user_email`: required when scope is \"by_user\"",
                ));
            }
            let email = a.user_email.as_deref().unwrap_or_default().trim();
            filters.push(("user.email", filters::literal(email)));
        }
        "by_content" => match (blank(&a.dashboard_id), blank(&a.look_id)) {
            (false, true) => filters.push((
                "dashboard.id",
                filters::literal(a.dashboard_id.as_deref().unwrap_or_default().trim()),
            )),
            (true, false) => filters.push((
                "look.id",
                filters::literal(a.look_id.as_deref().unwrap_or_default().trim()),
            )),
            (true, true) => {
                return Err(ToolError::invalid_arguments(
                    "scope \"by_content\" needs `dashboard_id` or `look_id`",
                ));
            }
            (false, false) => {
                return Err(ToolError::invalid_arguments(
                    "scope \"by_content\" takes one of `dashboard_id` or `look_id`, not both \
                     (a query comes from one or the other)",
                ));
            }
        },
        other => {
            return Err(ToolError::invalid_arguments(format!(
                "`scope`: {other:?} is not one of slow, errors, frequent, by_user, by_content"
            )));
        }
    }
    let mut report = Report::new();
    let rows = activity(
        &mut report,
        "query_history",
        "history",
        fields,
        &filters,
        sorts,
        limit,
    );
    let filters_sent: Map<String, Value> = filters
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    let count = rows.as_ref().map_or(0, Vec::len);
    Ok(report.finish(
        "nothing changed (read only)",
        json!({
            "scope": a.scope, "date_range": range, "filters": filters_sent, "limit": limit,
            "row_count": count, "truncated": count >= limit as usize,
            "rows": rows,
        }),
    ))
}

#[derive(Deserialize)]
pub struct Health {
    #[serde(default = "day")]
    date_range: String,
}

const SAMPLE: u32 = 10;

/// Three independent sections (failed PDT builds, failed schedule runs, content validation);
/// a failed section is reported and never counts as healthy.
pub fn audit_instance_health(a: Health, _ctx: &Context) -> Result<Value, ToolError> {
    let range = date_range(&a.date_range)?;
    let mut report = Report::new();
    let mut sections = Map::new();
    let sample = |rows: Option<Vec<Value>>| match rows {
        Some(rows) => json!({
            "sample_count": rows.len(), "truncated": rows.len() >= SAMPLE as usize,
            "sample": rows,
        }),
        None => json!({"error": "the query failed (see steps)"}),
    };
    let pdt = activity(
        &mut report,
        "failed_pdt_builds",
        "pdt_event_log",
        &[
            "pdt_event_log.created_time",
            "pdt_event_log.model_name",
            "pdt_event_log.view_name",
            "pdt_event_log.action",
            "pdt_event_log.action_data",
        ],
        &[
            ("pdt_event_log.created_date", range.clone()),
            ("pdt_event_log.action", "%error%,%fail%".into()),
        ],
        &["pdt_event_log.created_time desc"],
        SAMPLE,
    );
    sections.insert("failed_pdt_builds".into(), sample(pdt));
    let schedules = activity(
        &mut report,
        "failed_schedule_runs",
        "scheduled_plan",
        &[
            "scheduled_job.created_time",
            "scheduled_plan.id",
            "scheduled_plan.name",
            "scheduled_job.status",
            "scheduled_job.status_detail",
        ],
        &[
            ("scheduled_job.created_date", range.clone()),
            ("scheduled_job.status", "-success".into()),
        ],
        &["scheduled_job.created_time desc"],
        SAMPLE,
    );
    sections.insert("failed_schedule_runs".into(), sample(schedules));
    let content = match report.json(
        "content_validation",
        Request::get("/content_validation").fields(&[
            "content_with_errors",
            "total_looks_validated",
            "total_dashboard_elements_validated",
            "total_dashboard_filters_validated",
            "total_scheduled_plans_validated",
            "total_alerts_validated",
            "total_explores_validated",
        ]),
    ) {
        Ok(v) => {
            let broken = v["content_with_errors"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let errors: usize = broken
                .iter()
                .map(|c| c["errors"].as_array().map_or(1, Vec::len))
                .sum();
            report.note("total_errors", errors);
            let mut out = redact(pick(
                &v,
                &[
                    "total_looks_validated",
                    "total_dashboard_elements_validated",
                    "total_dashboard_filters_validated",
                    "total_scheduled_plans_validated",
                    "total_alerts_validated",
                    "total_explores_validated",
                ],
            ));
            out["total_errors"] = json!(errors);
            out["content_with_errors_count"] = json!(broken.len());
            out["truncated"] = json!(broken.len() > SAMPLE as usize);
            out["sample"] = broken
                .iter()
                .take(SAMPLE as usize)
                .map(broken_content)
                .collect();
            out
        }
        Err(_) => json!({"error": "content validation failed (see steps)"}),
    };
    sections.insert("content_validation".into(), content);
    let failed = report.has_failed();
    let truncated = sections.values().any(|s| s["truncated"] == true);
    let issues = sections["failed_pdt_builds"]["sample_count"]
        .as_u64()
        .unwrap_or(0)
        + sections["failed_schedule_runs"]["sample_count"]
            .as_u64()
            .unwrap_or(0)
        + sections["content_validation"]["total_errors"]
            .as_u64()
            .unwrap_or(0);
    Ok(report.finish(
        "nothing changed (read only)",
        json!({
            "date_range": range,
            "healthy": issues == 0 && !failed && !truncated,
            "partial_failure": failed,
            "sample_issue_count": issues,
            "any_section_truncated": truncated,
            "sections": sections,
        }),
    ))
}

/// One broken item of the content validator: what it is and its error messages.
fn broken_content(c: &Value) -> Value {
    let (kind, item) = [
        "look",
        "dashboard_element",
        "dashboard_filter",
        "scheduled_plan",
        "alert",
        "lookml_dashboard_element",
        "lookml_dashboard",
        "dashboard",
    ]
    .iter()
    .find_map(|k| c.get(*k).filter(|v| v.is_object()).map(|v| (*k, v)))
    .unwrap_or(("content", &Value::Null));
    let mut out = json!({"type": kind, "id": item["id"], "title": item["title"]});
    if let Some(d) = c
        .get("dashboard")
        .filter(|d| d.is_object() && kind != "dashboard")
    {
        out["dashboard"] = redact(pick(d, &["id", "title"]));
    }
    out["errors"] = c["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            redact(pick(
                e,
                &["message", "field_name", "model_name", "explore_name"],
            ))
        })
        .collect();
    out
}

fn threshold() -> f64 {
    f64::from(THRESHOLD_SECONDS)
}

fn report_action() -> String {
    REPORT.into()
}

#[derive(Deserialize)]
pub struct Runaway {
    #[serde(default = "threshold")]
    threshold_seconds: f64,
    #[serde(default = "report_action")]
    action: String,
}

/// `GET /running_queries`, and with `action: "kill"` `DELETE /running_queries/{task}` for each
/// query over the threshold (each reported; a failed kill does not stop the others).
pub fn investigate_runaway_queries(a: Runaway, _ctx: &Context) -> Result<Value, ToolError> {
    let kill = match a.action.as_str() {
        "report" => false,
        "kill" => true,
        other => {
            return Err(ToolError::invalid_arguments(format!(
                "`action`: {other:?} is not \"report\" or \"kill\""
            )));
        }
    };
    if a.threshold_seconds.is_nan()
        || a.threshold_seconds <= 0.0
        || a.threshold_seconds.is_infinite()
    {
        return Err(ToolError::invalid_arguments(
            "`threshold_seconds`: must be a positive number (0 would match every query)",
        ));
    }
    let mut report = Report::new();
    let Ok(running) = report.json("list_running_queries", Request::get("/running_queries")) else {
        return Ok(report.finish(
            "nothing changed",
            json!({"threshold_seconds": a.threshold_seconds, "action": a.action}),
        ));
    };
    let runaways: Vec<Value> = running
        .as_array()
        .into_iter()
        .flatten()
        .filter(|q| q["runtime"].as_f64().unwrap_or(0.0) >= a.threshold_seconds)
        .map(|q| {
            let mut out = redact(pick(
                q,
                &[
                    "query_task_id",
                    "query_id",
                    "source",
                    "runtime",
                    "connection_name",
                    "status",
                    "created_at",
                ],
            ));
            if let Some(email) = q["user"]["email"].as_str() {
                out["user"] = json!(email);
            }
            if let Some(id) = shape::id(&q["user"]["id"]) {
                out["user_id"] = json!(id);
            }
            out
        })
        .collect();
    report.note("runaway_count", runaways.len());
    let mut killed = Vec::new();
    for q in &runaways {
        let Some(task) = shape::id(&q["query_task_id"]) else {
            continue;
        };
        let looker = format!("DELETE {}", path!("/running_queries/{}", task));
        if kill {
            let ok = report
                .send(
                    &format!("kill_query {task}"),
                    Request::delete(path!("/running_queries/{}", task)),
                )
                .is_ok();
            killed.push(json!({"query_task_id": task, "ok": ok}));
        } else {
            report.plan(
                &format!("kill_query {task}"),
                &looker,
                "would be killed with action=\"kill\"",
            );
        }
    }
    let left = if !kill {
        "nothing changed (report only)".to_owned()
    } else {
        let ok = killed.iter().filter(|k| k["ok"] == true).count();
        format!(
            "{ok} of {} runaway quer{} killed",
            killed.len(),
            if killed.len() == 1 { "y" } else { "ies" }
        )
    };
    Ok(report.finish(
        &left,
        json!({
            "threshold_seconds": a.threshold_seconds, "action": a.action,
            "runaway_count": runaways.len(), "runaways": runaways,
            "killed": if kill { json!(killed) } else { Value::Null },
        }),
    ))
}

fn all() -> String {
    ALL.into()
}

#[derive(Deserialize)]
pub struct StaleContent {
    #[serde(default = "default::int::<DAYS>")]
    min_days_unused: i64,
    #[serde(default = "all")]
    content_type: String,
    #[serde(default = "default::int::<LIMIT>")]
    limit: i64,
}

/// One `system__activity` `content_usage` query: content not accessed for `min_days_unused`.
pub fn find_stale_content(a: StaleContent, ctx: &Context) -> Result<Value, ToolError> {
    let limit = capped_limit(a.limit, ctx)?;
    if a.min_days_unused < 0 {
        return Err(ToolError::invalid_arguments(
            "`min_days_unused`: must be 0 or more",
        ));
    }
    let mut filters: Vec<(&str, String)> = vec![(
        "content_usage.days_since_last_accessed",
        format!(">={}", a.min_days_unused),
    )];
    match a.content_type.as_str() {
        "all" => {}
        "dashboard" | "look" => {
            filters.push(("content_usage.content_type", a.content_type.clone()))
        }
        other => {
            return Err(ToolError::invalid_arguments(format!(
                "`content_type`: {other:?} is not one of \"all\", \"dashboard\", \"look\""
            )));
        }
    }
    let mut report = Report::new();
    let rows = activity(
        &mut report,
        "content_usage",
        "content_usage",
        &[
            "content_usage.content_type",
            "content_usage.content_id",
            "content_usage.content_title",
            "content_usage.last_accessed_date",
            "content_usage.days_since_last_accessed",
            "content_usage.view_count",
        ],
        &filters,
        &["content_usage.days_since_last_accessed desc"],
        limit,
    );
    let count = rows.as_ref().map_or(0, Vec::len);
    Ok(report.finish(
        "nothing changed (read only): review the list, then delete or move content with the \
         content tools",
        json!({
            "min_days_unused": a.min_days_unused, "content_type": a.content_type,
            "limit": limit, "stale_count": count, "truncated": count >= limit as usize,
            "rows": rows,
        }),
    ))
}

#[derive(Deserialize)]
pub struct StaleSessions {
    #[serde(default = "default::int::<DAYS>")]
    max_age_days: i64,
    #[serde(default = "report_action")]
    action: String,
}

/// Users read per page, and the most pages read.
const PAGE: usize = 100;
const MAX_PAGES: usize = 20;

/// `GET /users` (paged), `GET /users/{id}/sessions` for each, and with `action: "terminate"`
/// `DELETE /users/{id}/sessions/{sid}` for each session created before the cutoff.
pub fn disable_stale_sessions(a: StaleSessions, _ctx: &Context) -> Result<Value, ToolError> {
    let terminate = match a.action.as_str() {
        "report" => false,
        "terminate" => true,
        other => {
            return Err(ToolError::invalid_arguments(format!(
                "`action`: {other:?} is not \"report\" or \"terminate\""
            )));
        }
    };
    if a.max_age_days < 0 {
        return Err(ToolError::invalid_arguments(
            "`max_age_days`: must be 0 or more",
        ));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let cutoff = now - a.max_age_days * 86_400;
    let mut report = Report::new();
    let mut users: Vec<Value> = Vec::new();
    for page in 0..MAX_PAGES {
        let Ok(batch) = report.json(
            &format!("list_users page {}", page + 1),
            Request::get("/users")
                .fields(&["id", "email", "is_disabled"])
                .query("limit", PAGE)
                .query("offset", page * PAGE),
        ) else {
            break;
        };
        let batch = batch.as_array().cloned().unwrap_or_default();
        let n = batch.len();
        users.extend(batch);
        if n < PAGE {
            break;
        }
    }
    let mut stale: Vec<Value> = Vec::new();
    let mut scanned = 0;
    for user in &users {
        let Some(uid) = shape::id(&user["id"]) else {
            continue;
        };
        let step = format!("list_sessions user {uid}");
        let Ok(sessions) = report.json(
            &step,
            Request::get(path!("/users/{}/sessions", uid)).fields(&[
                "id",
                "created_at",
                "expires_at",
                "ip_address",
                "credentials_type",
            ]),
        ) else {
            continue;
        };
        scanned += 1;
        for s in sessions.as_array().into_iter().flatten() {
            let Some(created) = s["created_at"].as_str().and_then(parse_time) else {
                continue;
            };
            if created < cutoff {
                let mut row = redact(pick(
                    s,
                    &[
                        "id",
                        "created_at",
                        "expires_at",
                        "ip_address",
                        "credentials_type",
                    ],
                ));
                row["user_id"] = json!(uid);
                if let Some(email) = user["email"].as_str() {
                    row["email"] = json!(email);
                }
                stale.push(row);
            }
        }
    }
    let mut terminated = Vec::new();
    for s in &stale {
        let (Some(uid), Some(sid)) = (shape::id(&s["user_id"]), shape::id(&s["id"])) else {
            continue;
        };
        let step = format!("terminate_session {uid}:{sid}");
        if terminate {
            let ok = report
                .send(
                    &step,
                    Request::delete(path!("/users/{}/sessions/{}", uid, sid)),
                )
                .is_ok();
            terminated.push(json!({"user_id": uid, "id": sid, "ok": ok}));
        } else {
            let looker = format!("DELETE {}", path!("/users/{}/sessions/{}", uid, sid));
            report.plan(&step, &looker, "would be ended with action=\"terminate\"");
        }
    }
    let left = if terminate {
        let ok = terminated.iter().filter(|t| t["ok"] == true).count();
        format!("{ok} of {} stale session(s) ended", terminated.len())
    } else {
        "nothing changed (report only)".to_owned()
    };
    Ok(report.finish(
        &left,
        json!({
            "max_age_days": a.max_age_days, "action": a.action,
            "users_scanned": scanned, "stale_count": stale.len(), "stale_sessions": stale,
            "terminated": if terminate { json!(terminated) } else { Value::Null },
        }),
    ))
}

/// Seconds since the epoch of a Looker timestamp (`2026-01-02T03:04:05.000+00:00`, `...Z`, or
/// `2026-01-02 03:04:05`, taken as UTC); `None` when it is not one.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if s.get(4..5)? != "-" || s.get(7..8)? != "-" {
        return None;
    }
    let (h, mi, sec) = if s.len() >= 19 {
        (num(11..13)?, num(14..16)?, num(17..19)?)
    } else {
        (0, 0, 0)
    };
    let mut offset = 0;
    let rest = s.get(19..).unwrap_or("");
    let rest = rest.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    if let Some(sign) = rest.chars().next().filter(|c| *c == '+' || *c == '-') {
        let digits: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
        let oh = digits.get(0..2)?.parse::<i64>().ok()?;
        let om = digits
            .get(2..4)
            .and_then(|m| m.parse::<i64>().ok())
            .unwrap_or(0);
        offset = (oh * 3600 + om * 60) * if sign == '-' { -1 } else { 1 };
    }
    // Days from civil (Howard Hinnant).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn timestamps() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_time("2026-11-24T14:00:00.000+00:00"),
            Some(1_795_528_800)
        );
        assert_eq!(parse_time("2026-11-24T15:00:00+01:00"), Some(1_795_528_800));
        assert_eq!(parse_time("2026-11-24 14:00:00"), Some(1_795_528_800));
        assert_eq!(parse_time("yesterday"), None);
    }
}

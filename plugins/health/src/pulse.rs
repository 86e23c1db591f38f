//! `health_pulse`: connection, query, dashboard and schedule health in one call.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema;
use looker_mcp_plugin_sdk::{Context, NoArgs, Tool, ToolError, path, progress};
use serde_json::{Value, json};

use crate::activity::{Activity, MODEL, RECENT_WINDOW, USAGE_WINDOW, count, number, seconds};
use crate::section;

/// `health_pulse`, declared beside its handler.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader("health_pulse", "Check the instance's health", HEALTH_PULSE)
            .schema(schema::object())
            .handler(health_pulse),
    ]
}

const HEALTH_PULSE: &str = "\
Checks the Looker instance's health and returns `status` (`healthy` or `needs_attention`), \
plain-language `findings`, and four sections: connections (each tested with Looker's \
connection tests, plus its query count over 90 days), queries (runs, errors and error rate over \
7 days, slowest explores), running queries (those running over 5 minutes), dashboards (with \
queries slower than 30 s, or failing, over 7 days), schedules (failed deliveries over 7 days, \
with the error) and datagroups (failing trigger checks). Use it to spot instance-wide problems. Needs access to the `system__activity` model; a check that fails is reported in its \
section and the others still run.";

/// Connections Looker keeps for itself; they are not the customer's warehouse.
const INTERNAL_CONNECTIONS: [&str; 4] = [
    "looker",
    "looker__internal__analytics",
    "looker__internal__analytics__replica",
    "looker__ilooker",
];

/// A query slower than this many seconds counts as slow.
const SLOW_SECONDS: u32 = 30;

/// A query still running after this many seconds is reported.
const LONG_RUNNING_SECONDS: f64 = 300.0;

/// Runs every check; a check that fails (e.g. no permission on `system__activity`) is reported
/// in its section and in `findings`, and the others still run.
pub fn health_pulse(_: NoArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let mut findings: Vec<String> = Vec::new();
    let total = Some(6.0);
    progress::report(0.0, total, Some("testing connections"));
    let connections = section("connections", connections(&mut findings), &mut findings)?;
    progress::report(1.0, total, Some("checking query history"));
    let queries = section("queries", queries(&mut findings), &mut findings)?;
    progress::report(2.0, total, Some("checking running queries"));
    let running = section(
        "running queries",
        running_queries(&mut findings),
        &mut findings,
    )?;
    progress::report(3.0, total, Some("checking dashboards"));
    let dashboards = section("dashboards", dashboards(&mut findings), &mut findings)?;
    progress::report(4.0, total, Some("checking schedules"));
    let schedules = section("schedules", schedules(&mut findings), &mut findings)?;
    progress::report(5.0, total, Some("checking datagroups"));
    let datagroups = section("datagroups", datagroups(&mut findings), &mut findings)?;
    progress::report(6.0, total, None);
    Ok(json!({
        "status": if findings.is_empty() { "healthy" } else { "needs_attention" },
        "findings": findings,
        "connections": connections,
        "queries": queries,
        "running_queries": running,
        "dashboards": dashboards,
        "schedules": schedules,
        "datagroups": datagroups,
    }))
}

/// Tests every customer connection (`PUT /connections/{name}/test`) and counts its queries.
fn connections(findings: &mut Vec<String>) -> Result<Value, ToolError> {
    let all: Value = Request::get("/connections")
        .fields(&["name", "dialect_name", "host"])
        .send()?
        .json()?;
    let names: Vec<(String, Value)> = all
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| Some((c["name"].as_str()?.to_owned(), c["dialect_name"].clone())))
        .filter(|(n, _)| !INTERNAL_CONNECTIONS.contains(&n.as_str()))
        .collect();
    // Query counts per connection are a bonus: without system__activity access they are absent.
    let usage = Activity::new(
        "history",
        &["history.connection_name", "history.query_run_count"],
        500,
    )
    .filter("history.created_date", USAGE_WINDOW)
    .rows();
    let mut results = Vec::new();
    let mut failing = 0;
    for (name, dialect) in &names {
        let (tests, ok) = match Request::put(path!("/connections/{}/test", name)).send() {
            Ok(answer) => {
                let tests: Vec<Value> = answer
                    .json::<Value>()?
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|t| json!({"name": t["name"], "status": t["status"], "message": t["message"]}))
                    .collect();
                let failed: Vec<&Value> = tests
                    .iter()
                    .filter(|t| t["status"].as_str().is_some_and(|s| s != "success"))
                    .collect();
                for t in &failed {
                    findings.push(format!(
                        "Connection {name} failed its {} test: {}",
                        t["name"].as_str().unwrap_or("?"),
                        t["message"].as_str().unwrap_or("no message")
                    ));
                }
                let ok = failed.is_empty();
                (Value::Array(tests), ok)
            }
            Err(ToolError::Cancelled) => return Err(ToolError::Cancelled),
            Err(e) => {
                findings.push(format!("Connection {name} could not be tested: {e}"));
                (json!({"error": e.to_string()}), false)
            }
        };
        if !ok {
            failing += 1;
        }
        let queries = usage.as_ref().ok().map(|rows| {
            rows.iter()
                .filter(|r| r["history.connection_name"] == name.as_str())
                .map(|r| count(r, "history.query_run_count"))
                .sum::<u64>()
        });
        results.push(json!({
            "name": name, "dialect": dialect, "ok": ok, "tests": tests,
            "queries_last_90_days": queries,
        }));
    }
    Ok(json!({"checked": results.len(), "failing": failing, "results": results}))
}

/// Query runs and errors over the last 7 days, and the slowest explores.
fn queries(findings: &mut Vec<String>) -> Result<Value, ToolError> {
    let by_status = Activity::new(
        "history",
        &["history.status", "history.query_run_count"],
        50,
    )
    .filter("history.created_date", RECENT_WINDOW)
    .rows()?;
    let runs: u64 = by_status
        .iter()
        .map(|r| count(r, "history.query_run_count"))
        .sum();
    let errors: u64 = by_status
        .iter()
        .filter(|r| r["history.status"] == "error")
        .map(|r| count(r, "history.query_run_count"))
        .sum();
    let error_rate = if runs == 0 {
        0.0
    } else {
        seconds(errors as f64 / runs as f64)
    };
    if errors > 0 {
        findings.push(format!(
            "{errors} of {runs} queries failed in the last 7 days ({:.1} %)",
            error_rate * 100.0
        ));
    }
    let slowest: Vec<Value> = Activity::new(
        "history",
        &[
            "query.model",
            "query.view",
            "history.average_runtime",
            "history.query_run_count",
        ],
        10,
    )
    .filter("history.created_date", RECENT_WINDOW)
    .filter(
        "query.model",
        format!("-{}", looker_mcp_plugin_sdk::filters::literal(MODEL)),
    )
    .sort_desc("history.average_runtime")
    .rows()?
    .iter()
    .map(|r| {
        json!({
            "model": r["query.model"], "explore": r["query.view"],
            "average_runtime_seconds": seconds(number(r, "history.average_runtime")),
            "runs": count(r, "history.query_run_count"),
        })
    })
    .collect();
    for e in &slowest {
        let avg = e["average_runtime_seconds"].as_f64().unwrap_or(0.0);
        if avg > f64::from(SLOW_SECONDS) {
            findings.push(format!(
                "Explore {}::{} averages {avg:.1} s per query",
                e["model"].as_str().unwrap_or("?"),
                e["explore"].as_str().unwrap_or("?")
            ));
        }
    }
    Ok(json!({
        "window": RECENT_WINDOW, "runs": runs, "errors": errors, "error_rate": error_rate,
        "slowest_explores": slowest,
    }))
}

/// Dashboards with slow or failing queries over the last 7 days.
fn dashboards(findings: &mut Vec<String>) -> Result<Value, ToolError> {
    let slow: Vec<Value> = Activity::new(
        "history",
        &[
            "dashboard.id",
            "dashboard.title",
            "history.query_run_count",
            "history.average_runtime",
        ],
        20,
    )
    .filter("history.created_date", RECENT_WINDOW)
    .filter("history.real_dash_id", "-NULL")
    .filter("history.runtime", format!(">{SLOW_SECONDS}"))
    .filter("history.status", "complete")
    .sort_desc("history.query_run_count")
    .rows()?
    .iter()
    .map(|r| {
        json!({
            "id": r["dashboard.id"], "title": r["dashboard.title"],
            "slow_queries": count(r, "history.query_run_count"),
            "average_runtime_seconds": seconds(number(r, "history.average_runtime")),
        })
    })
    .collect();
    for d in &slow {
        findings.push(format!(
            "Dashboard \"{}\" (id {}) ran {} slower than {SLOW_SECONDS} s (average {} s)",
            d["title"].as_str().unwrap_or("?"),
            d["id"].as_str().unwrap_or("?"),
            queries_text(&d["slow_queries"]),
            d["average_runtime_seconds"]
        ));
    }
    let erroring: Vec<Value> = Activity::new(
        "history",
        &[
            "dashboard.id",
            "dashboard.title",
            "history.message",
            "history.query_run_count",
        ],
        20,
    )
    .filter("history.created_date", RECENT_WINDOW)
    .filter("dashboard.title", "-NULL")
    .filter("history.status", "error")
    .sort_desc("history.query_run_count")
    .rows()?
    .iter()
    .map(|r| {
        json!({
            "id": r["dashboard.id"], "title": r["dashboard.title"],
            "failed_queries": count(r, "history.query_run_count"), "error": r["history.message"],
        })
    })
    .collect();
    for d in &erroring {
        findings.push(format!(
            "Dashboard \"{}\" (id {}) had {} failing: {}",
            d["title"].as_str().unwrap_or("?"),
            d["id"].as_str().unwrap_or("?"),
            queries_text(&d["failed_queries"]),
            d["error"].as_str().unwrap_or("no message")
        ));
    }
    Ok(
        json!({"window": RECENT_WINDOW, "slow_threshold_seconds": SLOW_SECONDS, "slow": slow, "erroring": erroring}),
    )
}

/// Schedule runs and failures over the last 7 days.
fn schedules(findings: &mut Vec<String>) -> Result<Value, ToolError> {
    let by_status = Activity::new(
        "scheduled_plan",
        &["scheduled_job.status", "scheduled_job.count"],
        20,
    )
    .filter("scheduled_job.created_date", RECENT_WINDOW)
    .rows()?;
    let runs: u64 = by_status
        .iter()
        .map(|r| count(r, "scheduled_job.count"))
        .sum();
    let failing: Vec<Value> = Activity::new(
        "scheduled_plan",
        &[
            "scheduled_plan.id",
            "scheduled_plan.name",
            "scheduled_job.status_detail",
            "scheduled_job.count",
        ],
        50,
    )
    .filter("scheduled_job.created_date", RECENT_WINDOW)
    .filter("scheduled_job.status", "failure")
    .sort_desc("scheduled_job.count")
    .rows()?
    .iter()
    .map(|r| {
        json!({
            "plan_id": r["scheduled_plan.id"], "name": r["scheduled_plan.name"],
            "failures": count(r, "scheduled_job.count"), "error": r["scheduled_job.status_detail"],
        })
    })
    .collect();
    for s in &failing {
        findings.push(format!(
            "Schedule \"{}\" (plan {}) failed {}: {}",
            s["name"].as_str().unwrap_or("?"),
            s["plan_id"],
            match s["failures"].as_u64().unwrap_or(0) {
                1 => "once".to_owned(),
                n => format!("{n} times"),
            },
            s["error"].as_str().unwrap_or("no detail")
        ));
    }
    let failures: u64 = failing
        .iter()
        .map(|s| s["failures"].as_u64().unwrap_or(0))
        .sum();
    Ok(json!({"window": RECENT_WINDOW, "runs": runs, "failures": failures, "failing": failing}))
}

/// Queries running now (`GET /running_queries`); those running for over five minutes are
/// findings.
fn running_queries(findings: &mut Vec<String>) -> Result<Value, ToolError> {
    let running: Value = Request::get("/running_queries").send()?.json()?;
    let all: Vec<&Value> = running.as_array().into_iter().flatten().collect();
    let long: Vec<Value> = all
        .iter()
        .filter(|q| number(q, "runtime") > LONG_RUNNING_SECONDS)
        .map(|q| {
            json!({
                "query_task_id": q["query_task_id"], "source": q["source"],
                "model": q["query"]["model"], "explore": q["query"]["view"],
                "connection": q["connection_name"], "user": q["user"]["display_name"],
                "runtime_seconds": seconds(number(q, "runtime")),
            })
        })
        .collect();
    for q in &long {
        findings.push(format!(
            "Query task {} ({}::{}, from a {}, by {}) has been running for {:.0} s on {}",
            q["query_task_id"].as_str().unwrap_or("?"),
            q["model"].as_str().unwrap_or("?"),
            q["explore"].as_str().unwrap_or("?"),
            q["source"].as_str().unwrap_or("?"),
            q["user"].as_str().unwrap_or("?"),
            q["runtime_seconds"].as_f64().unwrap_or(0.0),
            q["connection"].as_str().unwrap_or("?")
        ));
    }
    Ok(
        json!({"count": all.len(), "long_running_threshold_seconds": LONG_RUNNING_SECONDS, "long_running": long}),
    )
}

/// Datagroups (caching and PDT triggers): a failing trigger check is a finding.
fn datagroups(findings: &mut Vec<String>) -> Result<Value, ToolError> {
    let all: Value = Request::get("/datagroups").send()?.json()?;
    let all: Vec<&Value> = all.as_array().into_iter().flatten().collect();
    let failing: Vec<Value> = all
        .iter()
        .filter(|d| d["trigger_error"].as_str().is_some_and(|e| !e.is_empty()))
        .map(|d| json!({"model": d["model_name"], "name": d["name"], "error": d["trigger_error"]}))
        .collect();
    for d in &failing {
        findings.push(format!(
            "Datagroup {}::{} cannot check its trigger: {}",
            d["model"].as_str().unwrap_or("?"),
            d["name"].as_str().unwrap_or("?"),
            d["error"].as_str().unwrap_or("?")
        ));
    }
    let triggered = all
        .iter()
        .filter(|d| d["triggered_at"].as_u64().is_some_and(|t| t > 0))
        .count();
    let stale_marked = all
        .iter()
        .filter(|d| d["stale_before"].as_u64().is_some_and(|t| t > 0))
        .count();
    Ok(json!({
        "count": all.len(), "triggered": triggered, "marked_stale": stale_marked,
        "trigger_errors": failing,
    }))
}

/// `1 query` / `4 queries`.
fn queries_text(n: &Value) -> String {
    match n.as_u64().unwrap_or(0) {
        1 => "1 query".to_owned(),
        n => format!("{n} queries"),
    }
}

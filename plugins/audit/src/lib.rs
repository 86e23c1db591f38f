//! The `audit` tool group: what happened on the instance (query history, content usage, PDT
//! builds, schedule runs and user events, all from Looker's `system__activity` model) and live
//! operations (queries running now, users' login sessions, LookML projects' CI runs).
//!
//! The history tools read `system__activity` with `POST /queries/run/json`, always with an
//! explicit row limit (capped by `LOOKER_MAX_ROWS`) and filter values encoded by the SDK's
//! `filters` module. They need a user who may see System Activity (an admin, or `see_system_activity`).

mod activity;
mod ci;
mod live;

use looker_mcp_plugin_sdk::{Group, Tool, export_group};

export_group!(group);

/// A tool that only reads, even when it POSTs a query.
fn reader(name: &'static str, title: &'static str, description: &'static str) -> Tool {
    Tool::new(name, title, description).read_only().idempotent()
}

/// The `audit` group's tool table, in the reference server's order.
pub fn group() -> Group {
    Group::new("audit", env!("CARGO_PKG_VERSION"))
        .tool(
            reader("get_query_history", "Query history", GET_QUERY_HISTORY)
                .schema(QUERY_HISTORY_SCHEMA)
                .handler(activity::get_query_history),
        )
        .tool(
            reader("get_content_usage", "Content usage", GET_CONTENT_USAGE)
                .schema(CONTENT_USAGE_SCHEMA)
                .handler(activity::get_content_usage),
        )
        .tool(
            reader("get_pdt_build_log", "PDT build log", GET_PDT_BUILD_LOG)
                .schema(PDT_LOG_SCHEMA)
                .handler(activity::get_pdt_build_log),
        )
        .tool(
            reader(
                "get_schedule_history",
                "Schedule run history",
                GET_SCHEDULE_HISTORY,
            )
            .schema(SCHEDULE_HISTORY_SCHEMA)
            .handler(activity::get_schedule_history),
        )
        .tool(
            reader(
                "get_user_activity_log",
                "User activity log",
                GET_USER_ACTIVITY_LOG,
            )
            .schema(USER_ACTIVITY_SCHEMA)
            .handler(activity::get_user_activity_log),
        )
        .tool(
            reader(
                "list_running_queries",
                "List running queries",
                LIST_RUNNING_QUERIES,
            )
            .schema(NO_ARGUMENTS_SCHEMA)
            .handler(live::list_running_queries),
        )
        .tool(
            Tool::new("kill_query", "Kill a running query", KILL_QUERY)
                .idempotent()
                .schema(KILL_QUERY_SCHEMA)
                .handler(live::kill_query),
        )
        .tool(
            reader(
                "list_active_sessions",
                "List users' login sessions",
                LIST_ACTIVE_SESSIONS,
            )
            .schema(NO_ARGUMENTS_SCHEMA)
            .handler(live::list_active_sessions),
        )
        .tool(
            reader("get_session", "Get a login session", GET_SESSION)
                .schema(SESSION_SCHEMA)
                .handler(live::get_session),
        )
        .tool(
            Tool::new(
                "terminate_session",
                "End a user's login session",
                TERMINATE_SESSION,
            )
            .idempotent()
            .schema(SESSION_SCHEMA)
            .handler(live::terminate_session),
        )
        .tool(
            reader(
                "list_project_ci_runs",
                "List a project's CI runs",
                LIST_PROJECT_CI_RUNS,
            )
            .schema(PROJECT_SCHEMA)
            .handler(ci::list_project_ci_runs),
        )
        .tool(
            reader("get_project_ci_run", "Get a CI run", GET_PROJECT_CI_RUN)
                .schema(CI_RUN_SCHEMA)
                .handler(ci::get_project_ci_run),
        )
        .tool(
            Tool::new(
                "trigger_project_ci_run",
                "Start a CI run",
                TRIGGER_PROJECT_CI_RUN,
            )
            .non_destructive()
            .schema(TRIGGER_SCHEMA)
            .handler(ci::trigger_project_ci_run),
        )
}

const GET_QUERY_HISTORY: &str = "Lists queries Looker ran (from the system__activity `history` \
explore), newest first: when, status, runtime in seconds, source (dashboard, look, explore, api, \
…), whether the result came from cache, the error message, the model and explore, the dashboard \
or Look it ran for and the user. Use it to find slow or failing queries, or what a user or a \
dashboard ran. `date_range` is a Looker date filter (`7 days`, `last 30 days`, `today`, \
`2024-01-01 to 2024-02-01`). Example: {\"date_range\": \"24 hours\", \"min_runtime_seconds\": 30, \
\"errors_only\": true}. `limit` is capped by the server's row limit; `truncated: true` means \
the limit was reached and there may be more.";

const GET_CONTENT_USAGE: &str = "Ranks dashboards and Looks by views over a date range (from \
system__activity `history`): for dashboards the number of dashboard loads (`views`), the queries \
their tiles ran and distinct viewers; for Looks the runs and distinct viewers. Use it to find the \
most used content or, with `min_views`, content above a usage threshold. `content_type` is `all` \
(both lists), `dashboard` or `look`; `limit` applies to each list. Example: \
{\"date_range\": \"90 days\", \"content_type\": \"dashboard\", \"min_views\": 5}.";

const GET_PDT_BUILD_LOG: &str = "Lists persistent derived table events (from system__activity \
`pdt_event_log`), newest first: builds starting, completing or failing, with the model, view, \
connection, database table and Looker's detail (the error text for failures). Use it to see why a \
PDT is stale or failing, or how often it rebuilds. Filter by `model` and `view` (exact names), \
and `failed_only` for build errors. Example: {\"model\": \"ecommerce\", \"view\": \"user_facts\", \
\"failed_only\": true}.";

const GET_SCHEDULE_HISTORY: &str = "Lists runs of scheduled deliveries (from system__activity \
`scheduled_plan`), newest first: when, status (success/failure), Looker's status detail (e.g. the \
SMTP or destination error), the schedule's id and name, what it delivers and where. Use it to \
find failing schedules; `schedule_id` (a number, see list_schedules) narrows to one schedule. \
Example: {\"date_range\": \"30 days\", \"failed_only\": true}.";

const GET_USER_ACTIVITY_LOG: &str = "Lists user events Looker recorded (from system__activity \
`event`), newest first: logins, content created, changed or deleted, schedules, and so on, with \
the event name and category, whether it came from the API, and the user. Use it to audit what a \
user did. `event_types` is a comma-separated list of event names (e.g. \"login,delete_dashboard\"); \
`user_email` is an exact email. Example: {\"user_email\": \"alice@example.com\", \
\"event_types\": \"login\", \"date_range\": \"30 days\"}.";

const LIST_RUNNING_QUERIES: &str = "Lists the queries running on the instance right now \
(GET /running_queries): each one's query_task_id (what kill_query takes), status, runtime so far \
in seconds, source, user, model and explore, connection, dialect and SQL. Use it to find runaway \
or stuck queries.";

const KILL_QUERY: &str = "Stops a running query (DELETE /running_queries/{query_task_id}). The \
query's results are lost and whoever ran it sees it cancelled. `query_task_id` comes from \
list_running_queries (e.g. \"qt-7f3a9c1e2b\"), not a query id.";

const LIST_ACTIVE_SESSIONS: &str = "Lists the web login sessions of every enabled user (Looker \
keeps sessions per user: GET /users/{user_id}/sessions for each user), with the user's id, email \
and name, IP address, browser, location, credentials type, and when the session started, was \
last extended and expires. Each session's `session_id` (\"<user_id>:<session id>\") is what \
get_session and terminate_session take. Lists at most the server's row limit; on large \
instances this makes one request per user.";

const GET_SESSION: &str = "Gets one user's web login session (GET \
/users/{user_id}/sessions/{session_id}): IP address, browser, location, credentials type, start, \
last extension and expiry. `session_id` is the \"<user_id>:<session id>\" value list_active_sessions \
returns (e.g. \"2:201\"); a bare Looker session id is also accepted and is then looked for among \
all users' sessions.";

const TERMINATE_SESSION: &str = "Ends a user's web login session (DELETE \
/users/{user_id}/sessions/{session_id}): the user is logged out of that browser and must log in \
again. `session_id` is the \"<user_id>:<session id>\" value list_active_sessions returns (e.g. \
\"2:201\"); a bare Looker session id is also accepted and is then looked for among all users' \
sessions.";

const LIST_PROJECT_CI_RUNS: &str = "Would list a LookML project's Continuous Integration runs, \
but Looker's API has no operation that lists them: this checks that the project exists, then \
explains how to see its runs (the Looker UI, or get_project_ci_run with a run id that \
trigger_project_ci_run returned).";

const GET_PROJECT_CI_RUN: &str = "Gets one Continuous Integration run of a LookML project (GET \
/projects/{project_id}/continuous_integration/runs/{run_id}): status (queued, running, passed, \
failed, errored, …), branch and commit validated, who triggered it, when it started and finished, \
and the validators' results (SQL, assert, content, LookML). Example: {\"project_id\": \
\"ecommerce\", \"run_id\": \"1\"}.";

const TRIGGER_PROJECT_CI_RUN: &str = "Starts a Continuous Integration run of a LookML project \
(POST /projects/{project_id}/continuous_integration/runs) on the project's CI suite: it validates \
`branch` when given, production otherwise, and returns the queued run, whose `id` \
get_project_ci_run takes to follow it. Example: {\"project_id\": \"ecommerce\", \"branch\": \
\"dev-alice\"}.";

const NO_ARGUMENTS_SCHEMA: &str =
    r#"{"type": "object", "properties": {}, "additionalProperties": false}"#;

const QUERY_HISTORY_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "date_range": {"type": "string", "minLength": 1, "default": "7 days", "description": "How far back, as a Looker date filter: \"7 days\", \"24 hours\", \"last 30 days\", \"today\", \"2024-01-01 to 2024-02-01\"."},
    "user_email": {"type": ["string", "null"], "default": null, "description": "Only queries run by the user with this exact email."},
    "dashboard_id": {"type": ["string", "null"], "default": null, "description": "Only queries run for this dashboard (its id)."},
    "min_runtime_seconds": {"type": ["number", "null"], "minimum": 0, "default": null, "description": "Only queries that ran at least this many seconds."},
    "errors_only": {"type": "boolean", "default": false, "description": "Only queries that ended in an error."},
    "limit": {"type": "integer", "minimum": 1, "default": 500, "description": "The most rows to return (capped by the server's row limit)."}
  },
  "additionalProperties": false
}"#;

const CONTENT_USAGE_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "date_range": {"type": "string", "minLength": 1, "default": "30 days", "description": "How far back, as a Looker date filter (\"30 days\", \"last 90 days\", …)."},
    "content_type": {"type": "string", "enum": ["all", "dashboard", "look"], "default": "all", "description": "Which content to rank: dashboards, Looks, or both (two lists)."},
    "min_views": {"type": "integer", "minimum": 0, "default": 0, "description": "Only content viewed at least this many times."},
    "limit": {"type": "integer", "minimum": 1, "default": 100, "description": "The most items per list (capped by the server's row limit)."}
  },
  "additionalProperties": false
}"#;

const PDT_LOG_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "date_range": {"type": "string", "minLength": 1, "default": "7 days", "description": "How far back, as a Looker date filter (\"7 days\", \"yesterday\", …)."},
    "model": {"type": ["string", "null"], "default": null, "description": "Only this model's PDTs (exact model name)."},
    "view": {"type": ["string", "null"], "default": null, "description": "Only this PDT (exact view name)."},
    "failed_only": {"type": "boolean", "default": false, "description": "Only build errors."},
    "limit": {"type": "integer", "minimum": 1, "default": 500, "description": "The most events to return (capped by the server's row limit)."}
  },
  "additionalProperties": false
}"#;

const SCHEDULE_HISTORY_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "date_range": {"type": "string", "minLength": 1, "default": "7 days", "description": "How far back, as a Looker date filter (\"7 days\", \"last 30 days\", …)."},
    "schedule_id": {"type": ["string", "null"], "pattern": "^[0-9]+$", "default": null, "description": "Only this scheduled plan's runs (its numeric id, see list_schedules)."},
    "failed_only": {"type": "boolean", "default": false, "description": "Only failed runs."},
    "limit": {"type": "integer", "minimum": 1, "default": 500, "description": "The most runs to return (capped by the server's row limit)."}
  },
  "additionalProperties": false
}"#;

const USER_ACTIVITY_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "date_range": {"type": "string", "minLength": 1, "default": "7 days", "description": "How far back, as a Looker date filter (\"7 days\", \"last 30 days\", …)."},
    "user_email": {"type": ["string", "null"], "default": null, "description": "Only this user's events (exact email)."},
    "event_types": {"type": ["string", "null"], "default": null, "description": "Comma-separated event names to keep, e.g. \"login,create_dashboard,delete_look\"."},
    "limit": {"type": "integer", "minimum": 1, "default": 500, "description": "The most events to return (capped by the server's row limit)."}
  },
  "additionalProperties": false
}"#;

const KILL_QUERY_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "query_task_id": {"type": "string", "minLength": 1, "description": "The running query's query_task_id, from list_running_queries."}
  },
  "required": ["query_task_id"],
  "additionalProperties": false
}"#;

const SESSION_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "session_id": {"type": "string", "minLength": 1, "description": "\"<user_id>:<session id>\" as list_active_sessions returns it (e.g. \"2:201\"), or a bare Looker session id."}
  },
  "required": ["session_id"],
  "additionalProperties": false
}"#;

const PROJECT_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "project_id": {"type": "string", "minLength": 1, "description": "The LookML project's id (its name)."}
  },
  "required": ["project_id"],
  "additionalProperties": false
}"#;

const CI_RUN_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "project_id": {"type": "string", "minLength": 1, "description": "The LookML project's id (its name)."},
    "run_id": {"type": "string", "minLength": 1, "description": "The CI run's id, as trigger_project_ci_run returned it."}
  },
  "required": ["project_id", "run_id"],
  "additionalProperties": false
}"#;

const TRIGGER_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "project_id": {"type": "string", "minLength": 1, "description": "The LookML project's id (its name)."},
    "branch": {"type": ["string", "null"], "default": null, "description": "The git branch to validate; omit to validate production."}
  },
  "required": ["project_id"],
  "additionalProperties": false
}"#;

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::Context;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;
    use serde_json::{Value, json};

    #[test]
    fn the_table_is_valid_and_complete() {
        let g = group();
        g.validate().unwrap();
        assert_eq!(g.tools().count(), 13);
        let kill = g.find("kill_query").unwrap().annotations();
        assert!(kill.destructive && !kill.read_only);
        let end = g.find("terminate_session").unwrap().annotations();
        assert!(end.destructive && !end.read_only);
    }

    #[test]
    fn query_history_sends_one_limited_system_activity_query() {
        let mock = mock_looker(|_| Ok(Response::json_ok(&json!([]))));
        let ctx = Context::from_settings([("max_rows", "50")]);
        let out = group()
            .call(
                "get_query_history",
                r#"{"user_email": "a_b@x.com", "errors_only": true}"#,
                &ctx,
            )
            .unwrap();
        drop(out);
        let requests = mock.requests();
        assert_eq!(requests.len(), 1);
        let body: Value = serde_json::from_str(requests[0].body_json_text().unwrap()).unwrap();
        assert_eq!(body["limit"], "50");
        assert_eq!(body["view"], "history");
        assert_eq!(body["filters"]["user.email"], "a^_b@x.com");
        assert_eq!(body["filters"]["history.status"], "error");
    }
}

//! Day-1/Day-2 data-layer workflows: a connection with its test run, a git-backed LookML
//! project, deploying LookML edits, and rolling a dev workspace back to production.

use looker_mcp_plugin_sdk::args::non_blank;
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Prop, Ty};
use looker_mcp_plugin_sdk::shape::{self, pick, redact};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::report::Report;

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::creator(
            "provision_connection",
            "Create and test a database connection",
            "Creates a database connection and runs Looker's connection tests on it in one \
            call (replaces `create_connection` + `test_connection`). If the create fails \
            nothing exists; if a test check fails the connection is kept (LookML can \
            reference it) and `test.checks` says which check failed (connect, query, \
            tmp_table, cdt, pdt) so you can fix it with `update_connection`. The password \
            is sent to Looker only and never returned. Example: {\"name\": \"warehouse\", \
            \"dialect_name\": \"snowflake\", \"host\": \"acme.snowflakecomputing.com\", \
            \"database\": \"ANALYTICS\", \"username\": \"looker\", \"password\": \"...\", \
            \"tmp_db_name\": \"LOOKER_SCRATCH\"}. The result is a step-by-step report \
            with `completed`, `steps`, `left_behind`, `connection` and `test`.",
        )
        .schema(
            schema::object()
                .required("name", Ty::Str.min_len(1), "Unique connection name, e.g. `warehouse`.")
                .required("dialect_name", Ty::Str.min_len(1), "Database dialect, e.g. `snowflake`, `bigquery_standard_sql`, \
                    `postgres`, `mysql`.")
                .optional("host", Ty::Str, "Database host.")
                .optional("port", Ty::Int.min(1).max(65535), "Database port.")
                .optional("database", Ty::Str, "Default database name.")
                .optional("username", Ty::Str, "Database username.")
                .optional("password", Ty::Str, "Database password (sent to Looker only, never returned).")
                .optional("schema", Ty::Str, "Default schema.")
                .optional("tmp_db_name", Ty::Str, "Scratch schema for PDTs.")
                .optional("ssl", Ty::Bool, "Use SSL/TLS.")
                .optional("pdts_enabled", Ty::Bool, "Enable persistent derived tables.")
        )
        .handler(provision_connection),
        Tool::creator(
            "bootstrap_lookml_project",
            "Create a git-backed LookML project",
            "Stands up a LookML project wired to a git remote: creates the project (dev \
            workspace), saves its git settings and generates an SSH deploy key, stopping \
            at the first failure (later steps are reported as skipped). Returns \
            `deploy_key_public`: install it on the git remote (e.g. a GitHub deploy key \
            with write access) before pushing. Example: {\"name\": \"ecommerce\", \
            \"git_remote_url\": \"git@github.com:acme/ecommerce-lookml.git\"}. The result \
            is a step-by-step report with `completed`, `steps` and `left_behind`.",
        )
        .schema(
            schema::object()
                .required("name", Ty::Str.min_len(1), "Project name (becomes its id).")
                .required("git_remote_url", Ty::Str.min_len(1), "Git remote to clone from and push to, e.g. \
                    `git@github.com:acme/lookml.git`.")
                .with_default("git_service_name", Ty::Str, "github", "Git host: `github`, `gitlab`, `bitbucket` or `custom`.")
                .optional("git_production_branch_name", Ty::Str, "Production branch (Looker's default when omitted).")
                .with_default("pull_request_mode", Ty::Enum(&["off", "links", "recommended", "required"]), "links", "Pull request mode.")
        )
        .handler(bootstrap_lookml_project),
        Tool::new(
            "deploy_lookml_changes",
            "Write, validate and deploy LookML",
            "Writes LookML files in your dev workspace in path order (each updated, or \
            created when new), validates the project and deploys to production only if \
            every write succeeded and validation found no errors (warnings do not block). \
            Stops at the first failed write; on validation errors nothing is deployed and \
            the edits stay in the dev workspace (discard them with \
            `rollback_to_production`). Example: {\"project_id\": \"ecommerce\", \
            \"files\": {\"views/orders.view.lkml\": \"view: orders { sql_table_name: \
            public.orders ;; }\"}}. The result is a step-by-step report with `files`, \
            `validation`, `deployed`, `completed`, `steps` and `left_behind`.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str.min_len(1), "LookML project id.")
                .required("files", Prop::json(json!({"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1})), "File path (relative to the project root) → new full content, e.g. \
                    {\"views/orders.view.lkml\": \"view: orders { ... }\"}. Written in \
                    path order.")
                .with_default("validate", Ty::Bool, true, "Validate before deploying and skip the deploy on errors.")
        )
        .handler(deploy_lookml_changes),
        Tool::overwriter(
            "rollback_to_production",
            "Reset a dev workspace to production",
            "Discards every change in your dev workspace of a LookML project and resets it \
            to production. This cannot be undone, so it runs only with \"confirm\": true; \
            without it the result is a dry-run plan and nothing is sent to Looker. Use \
            when LookML edits are stuck or a `deploy_lookml_changes` left invalid edits \
            behind. The result is a step-by-step report with `reset`, `completed`, \
            `steps` and `left_behind`.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str.min_len(1), "LookML project id.")
                .with_default("confirm", Ty::Bool, false, "Must be true to reset; false returns a dry-run plan.")
        )
        .handler(rollback_to_production),
    ]
}

#[derive(Deserialize)]
pub struct ProvisionConnection {
    name: String,
    dialect_name: String,
    #[serde(default)]
    host: Option<String>,
    #[serde(default)]
    port: Option<i64>,
    #[serde(default)]
    database: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    tmp_db_name: Option<String>,
    #[serde(default)]
    ssl: Option<bool>,
    #[serde(default)]
    pdts_enabled: Option<bool>,
}

/// `POST /connections`, then `PUT /connections/{name}/test`. A failed test leaves the
/// connection in place (reported); a failed create stops.
pub fn provision_connection(a: ProvisionConnection, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("name", &a.name)?;
    non_blank("dialect_name", &a.dialect_name)?;
    let mut body = Map::new();
    body.insert("name".into(), json!(a.name));
    body.insert("dialect_name".into(), json!(a.dialect_name));
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            body.insert(k.into(), v);
        }
    };
    put("host", a.host.map(Value::from));
    // `DBConnection.port` is a string in Looker's API.
    put("port", a.port.map(|p| Value::from(p.to_string())));
    put("database", a.database.map(Value::from));
    put("username", a.username.map(Value::from));
    put("password", a.password.map(Value::from));
    put("schema", a.schema.map(Value::from));
    put("tmp_db_name", a.tmp_db_name.map(Value::from));
    put("ssl", a.ssl.map(Value::from));
    put("pdts_enabled", a.pdts_enabled.map(Value::from));

    let mut report = Report::new();
    let Ok(created) = report.json(
        "create_connection",
        Request::post("/connections").body(&Value::Object(body)),
    ) else {
        return Ok(report.finish(
            "nothing: the connection was not created",
            json!({"created": false, "name": a.name}),
        ));
    };
    let connection = redact(pick(
        &created,
        &[
            "name",
            "dialect_name",
            "host",
            "port",
            "database",
            "schema",
            "tmp_db_name",
            "ssl",
            "pdts_enabled",
        ],
    ));
    let test = match report.json(
        "test_connection",
        Request::put(path!("/connections/{}/test", a.name)),
    ) {
        Ok(results) => {
            let checks: Vec<Value> = results
                .as_array()
                .into_iter()
                .flatten()
                .map(
                    |r| json!({"check": r["name"], "status": r["status"], "message": r["message"]}),
                )
                .collect();
            let healthy = !checks.is_empty() && checks.iter().all(|c| c["status"] == "success");
            report.note("healthy", healthy);
            json!({"ran": true, "healthy": healthy, "checks": checks})
        }
        Err(_) => json!({"ran": false}),
    };
    let healthy = test["healthy"] == true;
    let left = if healthy {
        "the connection exists and passed every test"
    } else {
        "the connection exists (it is kept whatever the test says): fix the failing setting with \
         `update_connection` and re-run `test_connection`, or remove it with `delete_connection`"
    };
    Ok(report.finish(
        left,
        json!({"created": true, "name": a.name, "connection": connection, "test": test}),
    ))
}

fn default_github() -> String {
    "github".into()
}

fn default_links() -> String {
    "links".into()
}

#[derive(Deserialize)]
pub struct BootstrapProject {
    name: String,
    git_remote_url: String,
    #[serde(default = "default_github")]
    git_service_name: String,
    #[serde(default)]
    git_production_branch_name: Option<String>,
    #[serde(default = "default_links")]
    pull_request_mode: String,
}

/// `POST /projects`, `PATCH /projects/{id}` (git settings), `POST
/// /projects/{id}/git/deploy_key`, all in the dev workspace; stops at the first failure.
pub fn bootstrap_lookml_project(a: BootstrapProject, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("name", &a.name)?;
    non_blank("git_remote_url", &a.git_remote_url)?;
    let mut report = Report::new();
    let Ok(project) = report.json(
        "create_project",
        Request::post("/projects")
            .body(&json!({"name": a.name}))
            .dev_mode(true),
    ) else {
        report.skip(
            "configure_git",
            "PATCH /projects/{project_id}",
            "the project was not created",
        );
        report.skip(
            "create_deploy_key",
            "POST /projects/{project_id}/git/deploy_key",
            "the project was not created",
        );
        return Ok(report.finish(
            "nothing: the project was not created",
            json!({"created": false, "name": a.name}),
        ));
    };
    let project_id = shape::id(&project["id"]).unwrap_or_else(|| a.name.clone());
    let mut git = json!({
        "git_remote_url": a.git_remote_url,
        "git_service_name": a.git_service_name,
        "pull_request_mode": a.pull_request_mode,
    });
    if let Some(branch) = &a.git_production_branch_name {
        git["git_production_branch_name"] = json!(branch);
    }
    if report
        .json(
            "configure_git",
            Request::patch(path!("/projects/{}", project_id))
                .body(&git)
                .dev_mode(true),
        )
        .is_err()
    {
        report.skip(
            "create_deploy_key",
            "POST /projects/{project_id}/git/deploy_key",
            "the git settings were not saved",
        );
        return Ok(report.finish(
            "the project exists without git settings: call `update_project` with the git \
             settings, then `create_project_deploy_key`",
            json!({"created": true, "project_id": project_id}),
        ));
    }
    let key = match report.send(
        "create_deploy_key",
        Request::post(path!("/projects/{}/git/deploy_key", project_id)).dev_mode(true),
    ) {
        Ok(response) => Some(response.text().trim().to_owned()),
        Err(_) => None,
    };
    let left = if key.is_some() {
        "the project exists with its git settings and a deploy key: install the public key on \
         the git remote (write access) before pushing"
    } else {
        "the project exists with its git settings but no deploy key: call \
         `create_project_deploy_key`"
    };
    Ok(report.finish(
        left,
        json!({
            "created": true,
            "project_id": project_id,
            "git_remote_url": a.git_remote_url,
            "git_service_name": a.git_service_name,
            "pull_request_mode": a.pull_request_mode,
            "git_production_branch_name": a.git_production_branch_name,
            "deploy_key_public": key,
        }),
    ))
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
pub struct DeployChanges {
    project_id: String,
    files: Map<String, Value>,
    #[serde(default = "yes")]
    validate: bool,
}

/// Writes each file in the dev workspace (`PUT /projects/{id}/files`, or `POST` when Looker
/// answers 404 because the file is new), validates (`POST /projects/{id}/validate`) and deploys
/// (`POST /projects/{id}/deploy_to_production`) only when every write succeeded and validation
/// found no errors.
pub fn deploy_lookml_changes(a: DeployChanges, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("project_id", &a.project_id)?;
    if a.files.is_empty() {
        return Err(ToolError::invalid_arguments(
            "`files`: give at least one file, e.g. {\"views/orders.view.lkml\": \"view: orders { ... }\"}",
        ));
    }
    let mut files: Vec<(String, String)> = Vec::new();
    for (path, content) in &a.files {
        check_file_path(path)?;
        let Some(content) = content.as_str() else {
            return Err(ToolError::invalid_arguments(format!(
                "`files`: the content of {path:?} must be a string"
            )));
        };
        files.push((path.clone(), content.to_owned()));
    }
    let mut report = Report::new();
    let mut written: Vec<Value> = Vec::new();
    for (path, content) in &files {
        let body = json!({"path": path, "content": content});
        let step = format!("update_file {path}");
        let update = Request::put(path!("/projects/{}/files", a.project_id))
            .body(&body)
            .dev_mode(true);
        let looker = format!("PUT {}", update.path());
        let action = match update.send() {
            Ok(_) => {
                report_ok(&mut report, &step, &looker);
                Ok("updated")
            }
            Err(e) if e.looker_status() == Some(404) => {
                let create = Request::post(path!("/projects/{}/files", a.project_id))
                    .body(&body)
                    .dev_mode(true);
                report
                    .send(&format!("create_file {path}"), create)
                    .map(|_| "created")
            }
            Err(e) => {
                report_failed(&mut report, &step, &looker, &e);
                Err(e)
            }
        };
        match action {
            Ok(action) => written.push(json!({"path": path, "action": action})),
            Err(_) => {
                report.skip(
                    "validate",
                    "POST /projects/{project_id}/validate",
                    "a file write failed",
                );
                report.skip(
                    "deploy_to_production",
                    "POST /projects/{project_id}/deploy_to_production",
                    "a file write failed",
                );
                let left = format!(
                    "{} of {} file(s) written in the dev workspace, nothing deployed: fix the \
                     failing file and call again, or discard the edits with \
                     `rollback_to_production`",
                    written.len(),
                    files.len()
                );
                return Ok(report.finish(
                    &left,
                    json!({"project_id": a.project_id, "files": written, "deployed": false}),
                ));
            }
        }
    }
    let mut validation = Value::Null;
    if a.validate {
        let result = report.json(
            "validate",
            Request::post(path!("/projects/{}/validate", a.project_id)).dev_mode(true),
        );
        let Ok(result) = result else {
            report.skip(
                "deploy_to_production",
                "POST /projects/{project_id}/deploy_to_production",
                "validation could not run",
            );
            return Ok(report.finish(
                "the files are written in the dev workspace, nothing deployed (validation \
                 could not run)",
                json!({"project_id": a.project_id, "files": written, "deployed": false}),
            ));
        };
        let all: Vec<Value> = result["errors"].as_array().cloned().unwrap_or_default();
        let (errors, warnings): (Vec<Value>, Vec<Value>) = all
            .into_iter()
            .partition(|e| matches!(e["severity"].as_str(), Some("error" | "fatal") | None));
        let errors: Vec<Value> = errors.into_iter().map(problem).collect();
        validation = json!({
            "valid": errors.is_empty(),
            "error_count": errors.len(),
            "warning_count": warnings.len(),
            "errors": errors,
        });
        report.note("valid", errors.is_empty());
        if !errors.is_empty() {
            report.skip(
                "deploy_to_production",
                "POST /projects/{project_id}/deploy_to_production",
                "LookML validation found errors",
            );
            let mut out = report.finish(
                "the files are written in the dev workspace, nothing deployed: fix the \
                 validation errors and call again, or discard with `rollback_to_production`",
                json!({
                    "project_id": a.project_id, "files": written,
                    "validation": validation, "deployed": false,
                }),
            );
            out["completed"] = json!(false);
            out["failed_step"] = json!("validate");
            return Ok(out);
        }
    } else {
        report.skip(
            "validate",
            "POST /projects/{project_id}/validate",
            "validate=false",
        );
    }
    let deployed = report
        .send(
            "deploy_to_production",
            Request::post(path!("/projects/{}/deploy_to_production", a.project_id)).dev_mode(true),
        )
        .is_ok();
    let left = if deployed {
        "the files are written and deployed to production"
    } else {
        "the files are written (and valid) in the dev workspace but not deployed: retry the \
         deploy with `deploy_to_production`"
    };
    Ok(report.finish(
        left,
        json!({
            "project_id": a.project_id, "files": written,
            "validation": validation, "deployed": deployed,
        }),
    ))
}

fn problem(e: Value) -> Value {
    redact(pick(
        &e,
        &[
            "severity",
            "kind",
            "message",
            "file_path",
            "line_number",
            "model_id",
            "explore",
            "field_name",
        ],
    ))
}

fn report_ok(report: &mut Report, step: &str, looker: &str) {
    report.record(json!({"step": step, "status": "ok", "looker": looker}));
}

fn report_failed(report: &mut Report, step: &str, looker: &str, e: &ToolError) {
    report.record_failure(step, looker, e);
}

/// A relative LookML path: no `.`/`..` or empty segments, no backslash or control characters.
fn check_file_path(path: &str) -> Result<(), ToolError> {
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains('\\')
        || path.chars().any(char::is_control)
        || path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..");
    if bad {
        Err(ToolError::invalid_arguments(format!(
            "`files`: {path:?} is not a path relative to the project root, e.g. \
             `views/orders.view.lkml`"
        )))
    } else {
        Ok(())
    }
}

#[derive(Deserialize)]
pub struct Rollback {
    project_id: String,
    #[serde(default)]
    confirm: bool,
}

/// `POST /projects/{id}/reset_to_production` in the dev workspace, only with `confirm: true`;
/// otherwise a dry-run plan and no request.
pub fn rollback_to_production(a: Rollback, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("project_id", &a.project_id)?;
    let mut report = Report::new();
    let looker = format!(
        "POST {}",
        looker_mcp_plugin_sdk::path!("/projects/{}/reset_to_production", a.project_id)
    );
    if !a.confirm {
        report.plan(
            "reset_to_production",
            &looker,
            "discards every uncommitted change and unpushed commit in your dev workspace of \
             this project; it then matches production",
        );
        let mut out = report.finish(
            "nothing changed (dry run): call again with \"confirm\": true to reset",
            json!({"project_id": a.project_id, "dry_run": true, "reset": false}),
        );
        out["completed"] = json!(false);
        out["confirmed"] = json!(false);
        out["message"] = out["left_behind"].clone();
        return Ok(out);
    }
    let reset = report
        .send(
            "reset_to_production",
            Request::post(path!("/projects/{}/reset_to_production", a.project_id)).dev_mode(true),
        )
        .is_ok();
    let left = if reset {
        "the dev workspace now matches production"
    } else {
        "nothing changed: the dev workspace still holds its edits"
    };
    Ok(report.finish(
        left,
        json!({"project_id": a.project_id, "workspace": "dev", "reset": reset}),
    ))
}

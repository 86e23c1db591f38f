//! LookML validation and data tests, optionally on a branch (PR validation).

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path, progress};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::common::{
    ACT_AS_USER, BRANCH, DEV_MODE_CHECKS, PROJECT_ID, enter_workspace, without_can,
};

/// How long `run_lookml_tests` waits unless told otherwise (schema and serde default).
const TIMEOUT_SECONDS: f64 = 1800.0;

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "validate_project",
            "Validate a LookML project",
            "Runs LookML validation of a project (Looker's syntax and reference checks) \
            and returns `valid`, error and warning counts and each problem (message, \
            severity, file, line). Validates production by default; set `dev_mode` for \
            your uncommitted work, or `branch` to validate a PR branch for this call \
            only, e.g. {\"project_id\": \"ecommerce\", \"branch\": \"feature/x\"}. Large \
            projects can take minutes.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .optional("act_as_user", Ty::Str, ACT_AS_USER)
                .optional("branch", Ty::Str, BRANCH)
                .with_default("dev_mode", Ty::Bool, false, DEV_MODE_CHECKS),
        )
        .handler(validate_project),
        Tool::reader(
            "list_lookml_tests",
            "List LookML data tests",
            "Lists a project's LookML data tests (name, model, explore, file and line). \
            Optionally only one file's tests; `dev_mode`/`branch` choose which version of \
            the project.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .optional("act_as_user", Ty::Str, ACT_AS_USER)
                .optional("branch", Ty::Str, BRANCH)
                .with_default("dev_mode", Ty::Bool, false, DEV_MODE_CHECKS)
                .optional(
                    "file_id",
                    Ty::Str,
                    "Only tests defined in this file, e.g. `tests/orders.lkml`.",
                ),
        )
        .handler(list_lookml_tests),
        Tool::reader(
            "run_lookml_tests",
            "Run LookML data tests",
            "Runs LookML data tests (their queries run against the warehouse) and returns \
            `passed`, counts and each test's result with assertion errors. Filter by \
            `model`, `test` or `file_id`; use `branch` to check a PR branch for data \
            regressions, e.g. {\"project_id\": \"ecommerce\", \"branch\": \"feature/x\", \
            \"act_as_user\": \"ci-bot@example.com\"}. May take long (`timeout`, default \
            1800 s); progress is reported.",
        )
        .schema(
            schema::object()
                .required("project_id", Ty::Str, PROJECT_ID)
                .optional("act_as_user", Ty::Str, ACT_AS_USER)
                .optional("branch", Ty::Str, BRANCH)
                .with_default("dev_mode", Ty::Bool, false, DEV_MODE_CHECKS)
                .optional("file_id", Ty::Str, "Only tests defined in this file.")
                .optional(
                    "model",
                    Ty::Str,
                    "Only tests of this model, e.g. `ecommerce`.",
                )
                .optional("test", Ty::Str, "Only the test with this name.")
                .with_default(
                    "timeout",
                    Ty::Num,
                    TIMEOUT_SECONDS,
                    "Seconds to wait for the tests (they run real warehouse queries); \
                    capped by the server's LOOKER_CALL_TIMEOUT.",
                ),
        )
        .handler(run_lookml_tests),
    ]
}

/// How long a project validation may take before the request gives up (large projects are slow).
const VALIDATE_TIMEOUT_MS: u32 = 600_000;

/// Arguments of `validate_project`.
#[derive(Debug, Deserialize)]
pub struct Validate {
    project_id: String,
    #[serde(default)]
    dev_mode: bool,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    act_as_user: Option<String>,
}

/// Arguments of `list_lookml_tests`.
#[derive(Debug, Deserialize)]
pub struct ListTests {
    project_id: String,
    #[serde(default)]
    file_id: Option<String>,
    #[serde(default)]
    dev_mode: bool,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    act_as_user: Option<String>,
}

fn default_timeout() -> f64 {
    TIMEOUT_SECONDS
}

/// Arguments of `run_lookml_tests`.
#[derive(Debug, Deserialize)]
pub struct RunTests {
    project_id: String,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    test: Option<String>,
    #[serde(default)]
    file_id: Option<String>,
    #[serde(default)]
    dev_mode: bool,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    act_as_user: Option<String>,
    #[serde(default = "default_timeout")]
    timeout: f64,
}

fn target(project_id: &str, dev: bool, branch: Option<&str>) -> String {
    match (branch, dev) {
        (Some(b), _) => format!("project {project_id} on branch {b}"),
        (None, true) => format!("project {project_id} (dev workspace)"),
        (None, false) => format!("project {project_id} (production)"),
    }
}

/// `POST /projects/{project_id}/validate` → `{valid, error_count, warning_count, errors, ...}`.
pub fn validate_project(args: Validate, _ctx: &Context) -> Result<Value, ToolError> {
    let dev = enter_workspace(
        &args.project_id,
        args.dev_mode,
        args.branch.as_deref(),
        args.act_as_user.as_deref(),
    )?;
    let what = target(&args.project_id, dev, args.branch.as_deref());
    progress::report(0.0, Some(1.0), Some(&format!("Validating {what}")));
    let result: Value = Request::post(path!("/projects/{}/validate", args.project_id))
        .dev_mode(dev)
        .timeout_ms(VALIDATE_TIMEOUT_MS)
        .send()?
        .json()?;
    progress::report(1.0, Some(1.0), Some(&format!("Validated {what}")));
    Ok(summarize_validation(
        &args.project_id,
        dev,
        args.branch,
        result,
    ))
}

/// Counts errors and warnings; `valid` means no error-severity problem.
pub fn summarize_validation(
    project_id: &str,
    dev: bool,
    branch: Option<String>,
    result: Value,
) -> Value {
    let result = without_can(result);
    let errors: Vec<Value> = result["errors"].as_array().cloned().unwrap_or_default();
    let severity = |e: &Value| e["severity"].as_str().unwrap_or("error").to_owned();
    let error_count = errors
        .iter()
        .filter(|e| matches!(severity(e).as_str(), "error" | "fatal"))
        .count();
    let warning_count = errors.len() - error_count;
    json!({
        "project_id": project_id,
        "workspace": if dev { "dev" } else { "production" },
        "branch": branch,
        "valid": error_count == 0,
        "error_count": error_count,
        "warning_count": warning_count,
        "errors": errors,
        "models_not_validated": result["models_not_validated"],
        "project_digest": result["project_digest"],
        "computation_time": result["computation_time"],
    })
}

/// `GET /projects/{project_id}/lookml_tests?file_id=` → `{"tests": [...]}`.
pub fn list_lookml_tests(args: ListTests, _ctx: &Context) -> Result<Value, ToolError> {
    let dev = enter_workspace(
        &args.project_id,
        args.dev_mode,
        args.branch.as_deref(),
        args.act_as_user.as_deref(),
    )?;
    let tests: Value = Request::get(path!("/projects/{}/lookml_tests", args.project_id))
        .query_opt("file_id", args.file_id.as_deref())
        .dev_mode(dev)
        .send()?
        .json()?;
    let tests = without_can(tests);
    Ok(json!({
        "project_id": args.project_id,
        "workspace": if dev { "dev" } else { "production" },
        "branch": args.branch,
        "count": tests.as_array().map_or(0, Vec::len),
        "tests": tests,
    }))
}

/// `GET /projects/{project_id}/lookml_tests/run?model=&test=&file_id=` →
/// `{passed, tests_run, tests_failed, results}`.
pub fn run_lookml_tests(args: RunTests, _ctx: &Context) -> Result<Value, ToolError> {
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return Err(ToolError::invalid_arguments(
            "`timeout`: must be a positive number of seconds",
        ));
    }
    let dev = enter_workspace(
        &args.project_id,
        args.dev_mode,
        args.branch.as_deref(),
        args.act_as_user.as_deref(),
    )?;
    let what = target(&args.project_id, dev, args.branch.as_deref());
    progress::report(
        0.0,
        Some(1.0),
        Some(&format!("Running LookML tests of {what}")),
    );
    // Seconds → milliseconds, capped at what the contract carries (the host caps it further).
    let timeout_ms = (args.timeout * 1000.0).min(f64::from(u32::MAX)) as u32;
    let results: Value = Request::get(path!("/projects/{}/lookml_tests/run", args.project_id))
        .query_opt("file_id", args.file_id.as_deref())
        .query_opt("test", args.test.as_deref())
        .query_opt("model", args.model.as_deref())
        .dev_mode(dev)
        .timeout_ms(timeout_ms.max(1))
        .send()?
        .json()?;
    let results = without_can(results);
    let list = results.as_array().cloned().unwrap_or_default();
    let failed = list
        .iter()
        .filter(|r| r["success"] != Value::Bool(true))
        .count();
    progress::report(
        1.0,
        Some(1.0),
        Some(&format!("Ran {} LookML tests of {what}", list.len())),
    );
    Ok(json!({
        "project_id": args.project_id,
        "workspace": if dev { "dev" } else { "production" },
        "branch": args.branch,
        "passed": failed == 0,
        "tests_run": list.len(),
        "tests_failed": failed,
        "results": list,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::{Method, Response};
    use looker_mcp_plugin_sdk::testing::mock_looker;

    #[test]
    fn validation_uses_the_spec_route_and_counts() {
        let seen = mock_looker(|_| {
            Ok(Response::json_ok(&json!({
                "errors": [{"severity": "error", "message": "x"}, {"severity": "warning", "message": "y"}],
                "project_digest": "d", "models_not_validated": [], "computation_time": 0.1
            })))
        });
        let args: Validate = serde_json::from_value(json!({"project_id": "p"})).unwrap();
        let out = validate_project(args, &Context::default()).unwrap();
        assert_eq!(out["valid"], false);
        assert_eq!(out["error_count"], 1);
        assert_eq!(out["warning_count"], 1);
        let req = &seen.requests()[0];
        assert_eq!(
            (req.method(), req.path().as_str()),
            (Method::Post, "/projects/p/validate")
        );
        assert!(!req.is_dev_mode());
    }

    #[test]
    fn tests_pass_the_timeout_and_filters() {
        let seen = mock_looker(|_| {
            Ok(Response::json_ok(
                &json!([{"test_name": "a", "success": true}, {"test_name": "b", "success": false}]),
            ))
        });
        let args: RunTests = serde_json::from_value(
            json!({"project_id": "p", "model": "m", "test": "t", "file_id": "f", "timeout": 2.5}),
        )
        .unwrap();
        let out = run_lookml_tests(args, &Context::default()).unwrap();
        assert_eq!(out["passed"], false);
        assert_eq!(out["tests_failed"], 1);
        let req = &seen.requests()[0];
        assert_eq!(req.timeout(), Some(2500));
        assert_eq!(req.query_value("model"), Some("m"));
        assert_eq!(req.query_value("test"), Some("t"));
        assert_eq!(req.query_value("file_id"), Some("f"));
    }
}

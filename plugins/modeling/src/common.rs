//! Helpers shared by the modeling tools: argument descriptions, the dev-workspace set-up every
//! workspace-scoped tool does, LookML path checks and result shaping.

use looker_mcp_plugin_sdk::{ToolError, session};
use serde_json::Value;

/// Description of `project_id`.
pub const PROJECT_ID: &str =
    "LookML project id, e.g. `ecommerce` (from `list_projects`; usually the project name).";
/// Description of `act_as_user`.
pub const ACT_AS_USER: &str = "Run as this Looker user instead of the server's own identity (admin \
sudo): a numeric user id or an exact email, e.g. `ci-bot@example.com`. Dev workspaces are per \
user, so this picks whose workspace the call reads or changes. Needs LOOKER_SUDO_AS_USER=true.";
/// Description of `branch` on workspace-scoped tools.
pub const BRANCH: &str = "Run against this git branch: the server checks it out in the dev \
workspace for this call only and restores the previously checked-out branch afterwards (even on \
failure), so concurrent calls for the same user and project wait for each other. Implies dev mode.";

/// Description of a shared argument.
pub const FILE_ID: &str = "Path of the file inside the project, e.g. `views/orders.view.lkml` \
(relative, no `..`; from `list_project_files`).";
/// Description of a shared argument.
pub const DEV_MODE_FILES: &str =
    "Read your dev workspace (default) instead of what is deployed to production.";
/// Description of a shared argument.
pub const DEV_MODE_CHECKS: &str = "Run against your dev workspace (its checked-out branch and \
uncommitted changes) instead of production.";
/// Description of a shared argument.
pub const DATAGROUP_ID: &str = "Datagroup id (from `list_datagroups`).";
/// Description of a shared argument.
pub const MATERIALIZATION_ID: &str = "Build id returned by `start_pdt_build`.";
/// Description of a shared argument.
pub const WORKSPACE: &str = "`production` (default) or `dev`.";
/// Description of a shared argument.
pub const SOURCE: &str = "Who asks, for Looker's logs, e.g. `mcp`.";

/// Switches identity and workspace for a workspace-scoped call: `act_as_user` first (the branch
/// checkout is per user), then the atomic branch swap. Returns whether requests run in dev mode.
pub fn enter_workspace(
    project_id: &str,
    dev_mode: bool,
    branch: Option<&str>,
    act_as_user: Option<&str>,
) -> Result<bool, ToolError> {
    if let Some(user) = act_as_user {
        session::act_as_user(user)?;
    }
    match branch {
        Some(branch) => {
            if branch.trim().is_empty() {
                return Err(ToolError::invalid_arguments(
                    "`branch`: must not be empty (omit it to stay on the checked-out branch)",
                ));
            }
            session::use_branch(project_id, branch)?;
            Ok(true)
        }
        None => Ok(dev_mode),
    }
}

/// Checks a LookML file path before anything reaches Looker: relative, no `.`/`..` segments,
/// no empty segments, no backslashes or control characters.
pub fn check_file_path(argument: &str, path: &str) -> Result<(), ToolError> {
    let bad = |why: &str| {
        Err(ToolError::invalid_arguments(format!(
            "`{argument}`: {why} (got {path:?}); use a path relative to the project root, e.g. `views/orders.view.lkml`"
        )))
    };
    if path.trim().is_empty() {
        return bad("must not be empty");
    }
    if path.starts_with('/') || path.contains(':') {
        return bad("must be a relative path, not an absolute one");
    }
    if path.contains('\\') || path.chars().any(char::is_control) {
        return bad("must not contain backslashes or control characters");
    }
    if path
        .split('/')
        .any(|segment| segment.is_empty() || segment == "." || segment == "..")
    {
        return bad("must not contain `..`, `.` or empty segments");
    }
    Ok(())
}

/// Drops Looker's `can` permission maps, which say nothing useful to an assistant.
pub fn without_can(mut value: Value) -> Value {
    match &mut value {
        Value::Object(map) => {
            map.remove("can");
            for v in map.values_mut() {
                *v = without_can(v.take());
            }
        }
        Value::Array(items) => {
            for v in items.iter_mut() {
                *v = without_can(v.take());
            }
        }
        _ => {}
    }
    value
}

/// Seconds since the Unix epoch (Looker's datagroup timestamps).
pub fn now_epoch() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn file_paths() {
        for ok in ["views/orders.view.lkml", "a.model.lkml", "x/y z/w.lkml"] {
            assert!(check_file_path("file_id", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../secrets",
            "views/../../x",
            "views//x",
            "./x",
            "C:x",
            "a\\b",
            "a\nb",
        ] {
            assert!(
                matches!(
                    check_file_path("file_id", bad),
                    Err(ToolError::InvalidArguments(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn strips_can() {
        let v = without_can(json!({"id": "1", "can": {}, "items": [{"can": {}, "a": 1}]}));
        assert_eq!(v, json!({"id": "1", "items": [{"a": 1}]}));
    }
}

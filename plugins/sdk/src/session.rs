//! Per-call session choices: whose identity and which LookML branch the rest of the call uses.
//!
//! Both last until the current call returns; the host undoes them whatever the outcome.
//! Natively (in unit tests) they do nothing: `act_as_user` returns its argument unchanged.

use crate::ToolError;
use serde::Deserialize;

/// Runs the rest of this call as another Looker user (admin sudo). `user` is a numeric user id
/// or an exact email address. Returns the resolved user id.
///
/// Fails with [`ToolError::InvalidArguments`] when sudo is disabled on this server (check
/// [`Context::sudo_enabled`](crate::Context::sudo_enabled) first to give a clearer message),
/// when `user` is neither digits nor an email, or when no user has that email; with
/// [`ToolError::Request`] when the host could not ask Looker.
pub fn act_as_user(user: &str) -> Result<String, ToolError> {
    crate::bindings::act_as_user(user)
}

/// Checks out `branch` of LookML project `project_id` in the caller's dev workspace for the rest
/// of this call, and implies dev mode for every request. The host saves the branch that was
/// checked out, serializes this call with others for the same user and project, and restores the
/// saved branch when the call ends (success, error, trap or timeout).
///
/// A branch or project the host refuses is [`ToolError::InvalidArguments`].
pub fn use_branch(project_id: &str, branch: &str) -> Result<(), ToolError> {
    crate::bindings::use_branch(project_id, branch)
}

/// Whose identity and which LookML the call runs against.
#[derive(Debug, Default, Deserialize)]
pub struct SessionArgs {
    /// Run in the caller's dev workspace.
    #[serde(default)]
    pub dev_mode: bool,
    /// Check out this branch of `project_id` for the call (implies dev mode).
    #[serde(default)]
    pub branch: Option<String>,
    /// The LookML project `branch` belongs to.
    #[serde(default)]
    pub project_id: Option<String>,
    /// Run as this Looker user (id or email).
    #[serde(default)]
    pub act_as_user: Option<String>,
}

fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

impl SessionArgs {
    /// Checks the combination, then impersonates (first, before any other Looker call) and
    /// swaps the branch. Returns whether requests must run in the dev workspace.
    pub fn apply(&self) -> Result<bool, ToolError> {
        let branch = given(self.branch.as_deref());
        let project = given(self.project_id.as_deref());
        if branch.is_some() && project.is_none() {
            return Err(ToolError::invalid_arguments(
                "`branch` needs `project_id`, the LookML project the branch belongs to, e.g. \
                 {\"branch\": \"feature/new-aggregation\", \"project_id\": \"ecommerce\"}",
            ));
        }
        if let Some(user) = given(self.act_as_user.as_deref()) {
            act_as_user(user)?;
        }
        match (branch, project) {
            (Some(branch), Some(project)) => {
                use_branch(project, branch)?;
                Ok(true)
            }
            _ => Ok(self.dev_mode),
        }
    }
}

//! Per-call session choices: whose identity and which LookML branch the rest of the call uses.
//!
//! Both last until the current call returns; the host undoes them whatever the outcome.
//! Natively (in unit tests) they do nothing: `act_as_user` returns its argument unchanged.

use crate::ToolError;

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

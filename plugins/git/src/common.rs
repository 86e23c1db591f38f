//! Argument descriptions the git tools share.

/// Description of `project_id`.
pub const PROJECT_ID: &str =
    "LookML project id, e.g. `ecommerce` (from `list_projects` in the modeling group).";
/// Description of `act_as_user`.
pub const ACT_AS_USER: &str = "Act in this Looker user's dev workspace instead of the server's \
(admin sudo): a numeric user id or an exact email, e.g. `ci-bot@example.com`. Needs \
LOOKER_SUDO_AS_USER=true.";
/// Description of `branch_name`.
pub const BRANCH_NAME: &str = "Git branch name, e.g. `feature/new-dashboard`.";
/// Description of `confirm`.
pub const CONFIRM: &str = "Must be true to run: this discards work that cannot be recovered; false returns a dry-run plan.";

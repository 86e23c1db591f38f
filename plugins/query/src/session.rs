//! The per-call session arguments of the query tools: `act_as_user`, `dev_mode`, `branch` and
//! `project_id`, and building the `Query` body Looker runs.

use looker_mcp_plugin_sdk::{ToolError, filters, session};
use serde::Deserialize;
use serde_json::{Map, Value, json};

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
            session::act_as_user(user)?;
        }
        match (branch, project) {
            (Some(branch), Some(project)) => {
                session::use_branch(project, branch)?;
                Ok(true)
            }
            _ => Ok(self.dev_mode),
        }
    }
}

/// The semantic-layer query an assistant describes: model, explore, fields, filters, sorts.
#[derive(Debug, Deserialize)]
pub struct QuerySpec {
    /// LookML model.
    pub model: String,
    /// Explore.
    pub view: String,
    /// `view.field` names.
    pub fields: Vec<String>,
    /// `{"view.field": expression or [values]}`.
    #[serde(default)]
    pub filters: Option<Map<String, Value>>,
    /// `["view.field desc", ...]`.
    #[serde(default)]
    pub sorts: Option<Vec<String>>,
}

impl QuerySpec {
    /// The `Query` body for `POST /queries`, with filter values encoded by the SDK and `limit`
    /// as the string Looker expects.
    pub fn body(&self, limit: Option<i64>) -> Result<Value, ToolError> {
        for (what, value) in [("model", &self.model), ("view", &self.view)] {
            if value.trim().is_empty() {
                return Err(ToolError::invalid_arguments(format!(
                    "`{what}` must not be empty"
                )));
            }
        }
        if self.fields.iter().all(|f| f.trim().is_empty()) {
            return Err(ToolError::invalid_arguments(
                "`fields` must name at least one `view.field`, e.g. [\"orders.status\", \"orders.count\"]",
            ));
        }
        let mut body = json!({"model": self.model, "view": self.view, "fields": self.fields});
        if let Some(filters) = self.filters.as_ref().filter(|f| !f.is_empty()) {
            body["filters"] = Value::Object(filters::encode_filters(filters)?);
        }
        if let Some(sorts) = self.sorts.as_ref().filter(|s| !s.is_empty()) {
            body["sorts"] = json!(sorts);
        }
        if let Some(limit) = limit {
            body["limit"] = Value::String(limit.to_string());
        }
        Ok(body)
    }
}

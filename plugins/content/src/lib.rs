//! The `content` tool group: find, create, change and delete Looks and dashboards, add tiles and
//! filters to dashboards, make embed URLs and run the content validator.

mod dashboards;
mod layouts;
mod looks;
mod other;
mod query;

use looker_mcp_plugin_sdk::args::default;
use looker_mcp_plugin_sdk::schema::{self, ObjectSchema, Ty};
use looker_mcp_plugin_sdk::{Group, ToolError, export_group};
use serde::Deserialize;
use serde_json::{Map, Value};

export_group!(group);

/// The `content` group's tools: Looks, dashboards, layouts, then embed URLs and validation.
pub fn group() -> Group {
    Group::new("content", env!("CARGO_PKG_VERSION"))
        .with_tools(looks::tools())
        .with_tools(dashboards::tools())
        .with_tools(layouts::tools())
        .with_tools(other::tools())
}

/// Results the search tools return unless told otherwise.
const SEARCH_LIMIT: i64 = 50;

/// The arguments of the three search tools (see [`search_args`]).
#[derive(Deserialize)]
pub struct SearchArgs {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    folder_id: Option<String>,
    #[serde(default = "default::int::<SEARCH_LIMIT>")]
    limit: i64,
}

/// The schema of [`SearchArgs`].
pub(crate) fn search_args() -> ObjectSchema {
    schema::object()
        .optional(
            "title",
            Ty::Str,
            "Title to match, case-insensitive; `%` is a wildcard: `%revenue%` matches any title \
             containing revenue. Default: any title.",
        )
        .optional(
            "folder_id",
            Ty::Str,
            "Only items in this folder (a folder id, e.g. `6`). Default: every folder.",
        )
        .with_default(
            "limit",
            Ty::Int.min(1).max(1000),
            SEARCH_LIMIT,
            "Most results to return. Default 50.",
        )
}

impl SearchArgs {
    /// The result limit, checked: Looker wants a positive number.
    fn limit(&self) -> Result<i64, ToolError> {
        if (1..=1000).contains(&self.limit) {
            Ok(self.limit)
        } else {
            Err(ToolError::invalid_arguments(
                "`limit` must be between 1 and 1000",
            ))
        }
    }
}

/// Looker's `certification_metadata` of a look or dashboard, compact: `null` when it has none.
pub(crate) fn certification(meta: &Value) -> Value {
    match meta {
        Value::Object(m) if m.get("certification_status").is_some_and(|s| !s.is_null()) => {
            serde_json::json!({
                "status": m["certification_status"],
                "notes": m.get("notes"),
                "by": m.get("user_name"),
                "updated_at": m.get("updated_at"),
            })
        }
        _ => Value::Null,
    }
}

/// A non-empty optional text argument (an empty string means "not given").
pub(crate) fn nonempty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.trim().is_empty())
}

/// The arguments of [`changes`]: what an update of a `what` (a Look, a dashboard) may change.
pub(crate) fn changes_args(what: &str) -> ObjectSchema {
    schema::object()
        .optional("title", Ty::Str, "New title. Default: unchanged.")
        .optional(
            "description",
            Ty::Str,
            "New description (empty clears it). Default: unchanged.",
        )
        .optional(
            "folder_id",
            Ty::Str,
            &format!("Folder to move the {what} to. Default: unchanged."),
        )
}

/// The PATCH body of an update: only the arguments given. Nothing to change is an error, so an
/// empty update never reaches Looker. An empty `description` clears it; an empty title or folder
/// is refused.
pub(crate) fn changes(
    title: &Option<String>,
    description: &Option<String>,
    folder_id: &Option<String>,
) -> Result<Value, ToolError> {
    let mut body = Map::new();
    if let Some(t) = title {
        if t.trim().is_empty() {
            return Err(ToolError::invalid_arguments("`title` must not be empty"));
        }
        body.insert("title".into(), t.clone().into());
    }
    if let Some(d) = description {
        body.insert("description".into(), d.clone().into());
    }
    if let Some(f) = folder_id {
        if f.trim().is_empty() {
            return Err(ToolError::invalid_arguments(
                "`folder_id` must not be empty",
            ));
        }
        body.insert("folder_id".into(), f.clone().into());
    }
    if body.is_empty() {
        return Err(ToolError::invalid_arguments(
            "nothing to change: give `title`, `description` or `folder_id`",
        ));
    }
    Ok(Value::Object(body))
}

#[cfg(test)]
mod tests;

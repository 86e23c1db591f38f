//! Fitting every MCP client and every context window, in the host so that no tool group can
//! forget: what an assistant sees (tool list, schemas, results, errors) is shaped here.
//!
//! - [`coerce`]: lenient, documented argument coercion before schema validation (`"10"` → 10
//!   where an integer is expected, and so on).
//! - [`portable`]: tool schemas rewritten to a form every client accepts (no `type` arrays).
//! - [`errors`]: validation messages that list every allowed value of an enum.
//! - [`budget`]: every result bounded by a character budget (`LOOKER_MAX_RESULT_CHARS`).
//! - [`instructions`]: `initialize` instructions generated from the loaded groups.
//! - [`progressive`]: the progressive tool mode (a small core plus search/describe/call).
//! - [`not_found`]: Looker 404/422 answers that name the argument and the tool listing values.

pub mod budget;
pub mod coerce;
pub mod errors;
pub mod instructions;
pub mod not_found;
pub mod portable;
pub mod progressive;

use rmcp::model::{CallToolResult, Tool};

use crate::runtime::{Registry, ToolEntry};

/// The default of `LOOKER_MAX_RESULT_CHARS`; see [`budget`] for why.
pub const DEFAULT_MAX_RESULT_CHARS: usize = 100_000;

/// How results and the tool list are fitted to the client.
#[derive(Clone, Debug)]
pub struct Fit {
    /// Most characters of a result's text, and of its structured content (0: no budget).
    pub max_result_chars: usize,
    /// Which tools `tools/list` shows (`LOOKER_TOOL_MODE`).
    pub tool_mode: progressive::ToolMode,
}

impl Default for Fit {
    fn default() -> Self {
        Self {
            max_result_chars: DEFAULT_MAX_RESULT_CHARS,
            tool_mode: progressive::ToolMode::default(),
        }
    }
}

impl Fit {
    /// A fit with this result budget.
    pub fn new(max_result_chars: usize) -> Self {
        Self {
            max_result_chars,
            tool_mode: progressive::ToolMode::default(),
        }
    }

    /// This fit listing tools in `mode`.
    pub fn with_tool_mode(mut self, mode: progressive::ToolMode) -> Self {
        self.tool_mode = mode;
        self
    }

    /// `tool` as listed: portable schemas, the budget's output-schema fields and the
    /// `anthropic/maxResultSizeChars` hint.
    pub fn tool(&self, tool: Tool) -> Tool {
        budget::declare(portable::tool(tool), self.max_result_chars)
    }

    /// `arguments` with the unambiguous coercions of [`coerce`] applied against `entry`'s
    /// input schema.
    pub fn arguments(&self, entry: &ToolEntry, arguments: serde_json::Value) -> serde_json::Value {
        coerce::arguments(&entry.input_schema, arguments)
    }

    /// A successful `result` of `entry`, within the budget. A tool with only the generic output
    /// schema (`{"type": "object"}`, no properties) loses structured content over the budget
    /// like a tool without one, but keeps a small object saying so, as its schema promises.
    pub fn result(&self, entry: &ToolEntry, result: CallToolResult) -> CallToolResult {
        let generic = entry
            .output_schema
            .as_ref()
            .is_some_and(|s| !s.contains_key("properties"));
        let had_structured = result.structured_content.is_some();
        let precise = entry.output_schema.is_some() && !generic;
        let mut result = budget::bound(result, self.max_result_chars, precise);
        if generic && had_structured && result.structured_content.is_none() {
            result.structured_content = Some(serde_json::json!({
                "truncated": true,
                "message": "Over the server's LOOKER_MAX_RESULT_CHARS budget: the text content carries the (cut) result.",
            }));
        }
        result
    }

    /// The `initialize` instructions for the tools of `registry` that are `served`.
    pub fn instructions(&self, registry: &Registry, served: impl Fn(&ToolEntry) -> bool) -> String {
        instructions::for_registry(registry, served, self.max_result_chars)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use crate::config::Config;

    #[test]
    fn the_budget_setting_defaults_to_100000_and_reads_the_variable() {
        let default = Config::from_env(&HashMap::new()).unwrap();
        assert_eq!(default.max_result_chars, super::DEFAULT_MAX_RESULT_CHARS);
        let env = HashMap::from([("LOOKER_MAX_RESULT_CHARS".to_owned(), "2000".to_owned())]);
        assert_eq!(Config::from_env(&env).unwrap().max_result_chars, 2000);
        let env = HashMap::from([("LOOKER_MAX_RESULT_CHARS".to_owned(), "lots".to_owned())]);
        let error = Config::from_env(&env).unwrap_err().to_string();
        assert!(error.contains("LOOKER_MAX_RESULT_CHARS"), "{error}");
    }
}

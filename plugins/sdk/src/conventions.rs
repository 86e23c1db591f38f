//! Conventions between a tool's name and its annotations, for a group's unit tests to check:
//! a `list_*` or `get_*` tool only reads, an `update_*` tool overwrites, and so on.
//!
//! ```
//! use looker_mcp_plugin_sdk::{Group, Tool, conventions};
//!
//! let good = Group::new("demo", "1")
//!     .tool(Tool::reader("list_things", "List", "d"))
//!     .tool(Tool::creator("create_thing", "Create", "d"))
//!     .tool(Tool::deleter("delete_thing", "Delete", "d"));
//! assert_eq!(conventions::annotations_follow_names(&good), Ok(()));
//!
//! let bad = Group::new("demo", "1").tool(Tool::creator("get_thing", "Get", "d"));
//! assert!(conventions::annotations_follow_names(&bad).is_err());
//! ```

use crate::{Group, Tool};

/// Prefixes of tools that only read.
const READS: &[&str] = &["list_", "get_"];

/// Prefixes of tools that overwrite or remove something, to the same end when repeated.
const OVERWRITES: &[&str] = &["delete_", "remove_", "set_", "update_"];

/// Prefix of tools that add something new on every call.
const CREATES: &str = "create_";

/// Checks that every tool's annotations say what its name says:
///
/// - `list_*`, `get_*`: read-only, idempotent, non-destructive ([`Tool::reader`]); every other
///   tool is not read-only;
/// - `delete_*`, `remove_*`, `set_*`, `update_*`: destructive and idempotent
///   ([`Tool::overwriter`], [`Tool::deleter`]);
/// - `create_*`: non-destructive and not idempotent ([`Tool::creator`]).
///
/// Other names (`add_*`, `run_*`, …) are only checked not to be read-only. The error lists
/// every tool that breaks a rule, one line each.
pub fn annotations_follow_names(group: &Group) -> Result<(), String> {
    let problems: Vec<String> = group.tools().filter_map(problem).collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// What is wrong with `tool`'s annotations, if anything.
fn problem(tool: &Tool) -> Option<String> {
    let name = tool.name();
    let a = tool.annotations();
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| name.starts_with(p));
    let reads = starts(READS);
    let wrong = if a.read_only != reads {
        Some(if reads {
            "reads, so it must be read-only"
        } else {
            "must not be read-only: only `list_*` and `get_*` tools are"
        })
    } else if reads && (a.destructive || !a.idempotent) {
        Some("reads, so it must be idempotent and non-destructive")
    } else if starts(OVERWRITES) && !(a.destructive && a.idempotent) {
        Some("overwrites or removes, so it must be destructive and idempotent")
    } else if name.starts_with(CREATES) && (a.destructive || a.idempotent) {
        Some("creates, so it must be non-destructive and not idempotent")
    } else {
        None
    };
    wrong.map(|why| format!("tool `{name}` {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_broken_rule_is_named() {
        let g = Group::new("demo", "1")
            .tool(Tool::reader("get_a", "A", "d"))
            .tool(Tool::new("list_b", "B", "d"))
            .tool(Tool::reader("run_c", "C", "d"))
            .tool(Tool::creator("update_d", "D", "d"))
            .tool(Tool::overwriter("create_e", "E", "d"))
            .tool(Tool::new("add_f", "F", "d"))
            .tool(Tool::new("get_g", "G", "d").read_only());
        let problems = annotations_follow_names(&g).unwrap_err();
        let named: Vec<&str> = problems
            .lines()
            .map(|l| l.split('`').nth(1).unwrap())
            .collect();
        assert_eq!(named, ["list_b", "run_c", "update_d", "create_e", "get_g"]);
    }
}

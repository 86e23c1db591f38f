//! The `modeling` tool group: LookML projects and their files, validation and data tests,
//! datagroups and persistent derived tables (PDTs).
//!
//! File tools work in the caller's dev workspace, as Looker requires; validation and tests run
//! in production unless `dev_mode` or `branch` says otherwise. `branch` checks a branch out for
//! the call only (the host saves, swaps and restores it, serialized per user and project).

mod common;
mod files;
mod pdt;
mod projects;
mod validation;

use looker_mcp_plugin_sdk::{Group, export_group};

export_group!(group);

/// The `modeling` group's tools, in the reference server's order (hence two lists from
/// `projects`).
pub fn group() -> Group {
    Group::new("modeling", env!("CARGO_PKG_VERSION"))
        .with_tools(projects::list_tools())
        .with_tools(files::tools())
        .with_tools(projects::tools())
        .with_tools(validation::tools())
        .with_tools(pdt::tools())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declaration_matches_the_reference_server() {
        looker_mcp_plugin_sdk::testing::assert_matches_reference(&group(), &[]);
        for tool in group().tools().filter(|t| t.name().starts_with("delete_")) {
            assert!(tool.annotations().destructive, "{}", tool.name());
        }
    }
}

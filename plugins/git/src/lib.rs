//! The `git` tool group: a LookML project's git branches in a user's dev workspace, deploys to
//! production, resets, deploy keys and git connection diagnostics.
//!
//! Looker keeps one dev workspace per user with one checked-out branch per project. The
//! branch tools run in that dev workspace, of the server's identity or of `act_as_user` (admin
//! sudo), e.g. to clean up a CI user's stuck workspace.

mod branches;
mod common;
mod remote;

use looker_mcp_plugin_sdk::{Group, export_group};

export_group!(group);

/// The `git` group's tools, in the reference server's order.
pub fn group() -> Group {
    Group::new("git", env!("CARGO_PKG_VERSION"))
        .with_tools(branches::tools())
        .with_tools(remote::tools())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declaration_matches_the_reference_server() {
        looker_mcp_plugin_sdk::testing::assert_matches_reference(&group(), &[]);
    }
}

//! The `identity` tool group: `whoami`, the Looker user this server acts as for the caller.

use looker_mcp_plugin_sdk::{Group, export_group};

mod whoami;

export_group!(group);

/// The `identity` group's tool table.
pub fn group() -> Group {
    Group::new("identity", env!("CARGO_PKG_VERSION")).with_tools(whoami::tools())
}

#[cfg(test)]
mod tests {
    use looker_mcp_plugin_sdk::testing::assert_matches_reference;

    #[test]
    fn declaration_matches_the_reference() {
        assert_matches_reference(&super::group(), &[]);
    }
}

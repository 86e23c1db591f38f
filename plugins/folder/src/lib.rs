//! The `folder` tool group: navigate and manage Looker's folder hierarchy (the folders that hold
//! looks and dashboards).

mod folders;

use looker_mcp_plugin_sdk::{Group, export_group};

export_group!(group);

/// The `folder` group's tool table.
pub fn group() -> Group {
    Group::new("folder", env!("CARGO_PKG_VERSION")).with_tools(folders::tools())
}

#[cfg(test)]
mod tests {
    use looker_mcp_plugin_sdk::testing::assert_matches_reference;

    #[test]
    fn declaration_matches_the_reference() {
        // Our bounds (`minimum`, `minLength`) are additions to the reference's schemas.
        assert_matches_reference(&super::group(), &["minimum", "minLength"]);
    }
}

//! The `board` tool group: boards, Looker's curated collections of content. A board holds
//! sections, and each section holds items that point at a dashboard, a look or a URL.

mod boards;
mod items;
mod sections;

use looker_mcp_plugin_sdk::{Group, export_group};

export_group!(group);

/// The `board` group's tool table.
pub fn group() -> Group {
    Group::new("board", env!("CARGO_PKG_VERSION"))
        .with_tools(boards::tools())
        .with_tools(sections::tools())
        .with_tools(items::tools())
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

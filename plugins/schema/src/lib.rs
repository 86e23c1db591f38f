//! The `schema` tool group: the raw database behind a Looker connection — its databases,
//! schemas, tables and columns — as Looker's connection metadata endpoints report them.
//!
//! All four tools only read. They answer "what is in the warehouse", not "what does the data
//! say": for numbers, the query tools go through the LookML model instead.

mod warehouse;

use looker_mcp_plugin_sdk::{Group, export_group};

export_group!(group);

/// The `schema` group's tool table.
pub fn group() -> Group {
    Group::new("schema", env!("CARGO_PKG_VERSION")).with_tools(warehouse::tools())
}

#[cfg(test)]
mod tests {
    use looker_mcp_plugin_sdk::testing::assert_matches_reference;

    #[test]
    fn declaration_matches_the_reference() {
        assert_matches_reference(&super::group(), &[]);
    }
}

//! The `connection` tool group: Looker's database connections — read, create, change, delete
//! and test them, and list the SQL dialects this Looker supports. Secrets given to
//! `create_connection` and `update_connection` only ever travel to Looker.

mod connections;
mod fields;

use looker_mcp_plugin_sdk::{Group, export_group};

export_group!(group);

/// The `connection` group's tools.
pub fn group() -> Group {
    Group::new("connection", env!("CARGO_PKG_VERSION")).with_tools(connections::tools())
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::Context;
    use looker_mcp_plugin_sdk::testing::assert_arguments_match_reference;

    #[test]
    fn declaration_is_valid() {
        group().validate().unwrap();
        let names: Vec<_> = group().tools().map(|t| t.name().to_owned()).collect();
        assert_eq!(
            names,
            [
                "get_connection",
                "list_connection_dialects",
                "create_connection",
                "update_connection",
                "delete_connection",
                "test_connection"
            ]
        );
        let ann = |n: &str| group().find(n).unwrap().annotations();
        assert!(ann("test_connection").read_only);
        assert!(ann("delete_connection").destructive);
        assert!(!ann("create_connection").destructive && !ann("create_connection").read_only);
        assert!(ann("update_connection").idempotent && !ann("update_connection").read_only);
    }

    /// The argument names and required arguments of looker-mcp-server 0.25.0's tools.
    #[test]
    fn arguments_match_the_reference() {
        assert_arguments_match_reference(&group(), &Context::default());
    }
}

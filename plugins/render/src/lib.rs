//! The `render` tool group: render a query, a look, a dashboard or one dashboard tile as a PNG
//! or JPG image (or a dashboard as a PDF) with Looker's render tasks.
//!
//! A render task is created, polled (with MCP progress notifications, stopping promptly when
//! the client cancels) and downloaded. Images come back as MCP image content, PDFs as an
//! embedded resource. Sizes are capped at 4000×4000 pixels and 10 MiB. Nothing in Looker
//! changes: a render task is a transient job.

mod renders;
mod task;

use looker_mcp_plugin_sdk::{Group, export_group};

export_group!(group);

/// The `render` group's tool table.
pub fn group() -> Group {
    Group::new("render", env!("CARGO_PKG_VERSION")).with_tools(renders::tools())
}

#[cfg(test)]
mod tests {
    use looker_mcp_plugin_sdk::Context;
    use looker_mcp_plugin_sdk::testing::assert_arguments_match_reference;

    #[test]
    fn arguments_match_the_reference() {
        // Our filter maps also take lists of values, so only names and requirements compare.
        assert_arguments_match_reference(&super::group(), &Context::default());
    }
}

//! A test-only group built against `looker:mcp@9.0.0`, a contract version this host does not
//! implement: the host must refuse it with an error naming the file and the version problem.

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({ path: "wit", world: "plugin" });

    use exports::looker::mcp::tool_group::Guest;
    use looker::mcp::types::{CallContext, GroupInfo, ToolError, ToolOutput};

    struct Component;

    impl Guest for Component {
        fn describe(_context: CallContext) -> GroupInfo {
            GroupInfo {
                name: "wrong_version".into(),
                version: "9.0.0".into(),
                tools: Vec::new(),
            }
        }

        fn call(
            _tool: String,
            _arguments: String,
            _context: CallContext,
        ) -> Result<ToolOutput, ToolError> {
            Err(ToolError::Internal("never loaded".into()))
        }
    }

    export!(Component);
}

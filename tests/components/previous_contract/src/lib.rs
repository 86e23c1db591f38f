//! A test-only group built against `looker:mcp@0.1.0` (`wit/` here is that release, frozen):
//! a host implementing 0.1.1 must load it and serve its calls, its imports resolved to the newer
//! patch. Its one tool, `previous_whoami`, sends `GET /user` with 0.1.0's `send` and returns the
//! body as text.

#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({ path: "wit", world: "plugin" });

    use exports::looker::mcp::tool_group::Guest;
    use looker::mcp::looker::{Method, Request, RequestOptions, send};
    use looker::mcp::types::{
        Annotations, CallContext, Content, GroupInfo, Tool, ToolError, ToolOutput,
    };

    struct Component;

    impl Guest for Component {
        fn describe(_context: CallContext) -> GroupInfo {
            GroupInfo {
                name: "previous_contract".into(),
                version: "0.1.0".into(),
                tools: vec![Tool {
                    name: "previous_whoami".into(),
                    title: "Who am I (a 0.1.0 plugin)".into(),
                    description: "Returns GET /user as text.".into(),
                    input_schema: r#"{"type":"object","properties":{}}"#.into(),
                    output_schema: None,
                    annotations: Annotations {
                        read_only: true,
                        destructive: false,
                        idempotent: true,
                    },
                }],
            }
        }

        fn call(
            _tool: String,
            _arguments: String,
            _context: CallContext,
        ) -> Result<ToolOutput, ToolError> {
            let request = Request {
                method: Method::Get,
                path: "/user".into(),
                query: Vec::new(),
                body: None,
                options: RequestOptions {
                    dev_mode: false,
                    timeout_ms: None,
                },
            };
            let answer = send(&request).map_err(|e| ToolError::Request(format!("{e:?}")))?;
            Ok(ToolOutput {
                content: vec![Content::Text(String::from_utf8_lossy(&answer.body).into())],
                structured: None,
            })
        }
    }

    export!(Component);
}

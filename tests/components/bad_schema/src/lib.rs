//! A test-only group whose one tool declares an input schema that passes the JSON Schema
//! meta-schema but cannot be compiled (`"pattern": "("`): the host must refuse it at load,
//! naming the file, the tool and the reason, instead of panicking on the first call.

use looker_mcp_plugin_sdk::{Context, Group, Tool, ToolError, export_group};
use serde_json::Value;

export_group!(group);

/// The `bad_schema` group's tool table.
pub fn group() -> Group {
    Group::new("bad_schema", env!("CARGO_PKG_VERSION")).tool(
        Tool::new(
            "bad_pattern",
            "Bad pattern",
            "Declares an uncompilable regex.",
        )
        .schema(r#"{"type":"object","properties":{"name":{"type":"string","pattern":"("}}}"#)
        .read_only()
        .handler(echo),
    )
}

fn echo(args: Value, _: &Context) -> Result<Value, ToolError> {
    Ok(args)
}

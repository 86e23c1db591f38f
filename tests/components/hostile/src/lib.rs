//! A test-only tool group that misbehaves on purpose, so host tests can prove they contain it:
//! a trap, an endless loop, unbounded memory growth, a flood of stdout/stderr, and a harmless
//! `echo` to show the host still works afterwards.

use looker_mcp_plugin_sdk::{Context, Group, NoArgs, Tool, ToolError, export_group};
use serde_json::Value;

export_group!(group);

/// The `hostile` group's tool table.
pub fn group() -> Group {
    Group::new("hostile", env!("CARGO_PKG_VERSION"))
        .tool(Tool::new("trap", "Trap", "Panics, which aborts (traps) the instance.").handler(trap))
        .tool(Tool::new("spin", "Spin", "Loops forever without calling the host.").handler(spin))
        .tool(Tool::new("grow", "Grow", "Allocates memory until allocation fails.").handler(grow))
        .tool(
            Tool::new(
                "print",
                "Print",
                "Writes 1 MiB to stdout and to stderr, then returns `printed`.",
            )
            .handler(print),
        )
        .tool(
            Tool::new("echo", "Echo", "Returns its arguments.")
                .schema(r#"{"type":"object"}"#)
                .read_only()
                .idempotent()
                .handler(echo),
        )
}

fn trap(_: NoArgs, _: &Context) -> Result<Value, ToolError> {
    panic!("hostile: trap on purpose");
}

fn spin(_: NoArgs, _: &Context) -> Result<Value, ToolError> {
    let mut n: u64 = 0;
    loop {
        n = std::hint::black_box(n.wrapping_add(1));
    }
}

fn grow(_: NoArgs, _: &Context) -> Result<Value, ToolError> {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        // Touch every chunk so no optimizer can drop it; allocation failure aborts (traps).
        hoard.push(std::hint::black_box(vec![0xA5; 1 << 20]));
    }
}

fn print(_: NoArgs, _: &Context) -> Result<String, ToolError> {
    let line = "x".repeat(1023);
    for _ in 0..1024 {
        println!("{line}");
        eprintln!("{line}");
    }
    Ok("printed".to_owned())
}

fn echo(args: Value, _: &Context) -> Result<Value, ToolError> {
    Ok(args)
}

//! A test-only tool group that misbehaves on purpose, so host tests can prove they contain it:
//! a trap, an endless loop, unbounded memory growth, a flood of stdout/stderr, and a harmless
//! `echo` to show the host still works afterwards; and requests that break the rules (outside
//! the plugin's policy, `../` and absolute URLs through the raw WIT import, dev mode and
//! impersonation without the grant) and an oversized (50 MiB) result.

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
            Tool::new(
                "outside",
                "Outside",
                "GETs /users, outside a /lookml_models/** policy.",
            )
            .handler(outside),
        )
        .tool(
            Tool::new(
                "traverse",
                "Traverse",
                "Sends /lookml_models/../users through the raw import.",
            )
            .handler(traverse),
        )
        .tool(
            Tool::new(
                "absolute",
                "Absolute",
                "Sends an absolute URL through the raw import.",
            )
            .handler(absolute),
        )
        .tool(
            Tool::new(
                "dev",
                "Dev",
                "Asks for the dev workspace without the grant.",
            )
            .handler(dev),
        )
        .tool(Tool::new("sudo", "Sudo", "Asks to act as user 2 without the grant.").handler(sudo))
        .tool(Tool::new("huge", "Huge", "Returns a 50 MiB text result.").handler(huge))
        .tool(
            Tool::new(
                "hoard",
                "Hoard",
                "Sends streamed GETs of /lookml_models and keeps every body unread.",
            )
            .handler(hoard),
        )
        .tool(
            Tool::new(
                "allowed",
                "Allowed",
                "GETs /lookml_models, inside its policy.",
            )
            .handler(allowed),
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

fn outside(_: NoArgs, _: &Context) -> Result<Value, ToolError> {
    looker_mcp_plugin_sdk::looker::get("/users")
}

fn allowed(_: NoArgs, _: &Context) -> Result<Value, ToolError> {
    looker_mcp_plugin_sdk::looker::get("/lookml_models")
}

/// Bypasses the SDK's path builder: only the host stands between this path and Looker.
#[cfg(target_arch = "wasm32")]
fn raw(path: &str) -> Result<Value, ToolError> {
    use looker_mcp_plugin_sdk::__wit::looker::mcp::looker::{
        Method, Request, RequestOptions, send,
    };
    let request = Request {
        method: Method::Get,
        path: path.to_owned(),
        query: Vec::new(),
        body: None,
        options: RequestOptions {
            dev_mode: false,
            timeout_ms: None,
        },
    };
    match send(&request) {
        Ok(response) => Ok(Value::from(format!("HTTP {}", response.status))),
        Err(error) => Err(ToolError::Request(format!("{error:?}"))),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn raw(_: &str) -> Result<Value, ToolError> {
    Err(ToolError::Internal("wasm only".into()))
}

fn traverse(_: NoArgs, _: &Context) -> Result<Value, ToolError> {
    raw("/lookml_models/../users")
}

fn absolute(_: NoArgs, _: &Context) -> Result<Value, ToolError> {
    raw("//evil.example.com/api/4.0/user")
}

fn dev(_: NoArgs, _: &Context) -> Result<Value, ToolError> {
    looker_mcp_plugin_sdk::looker::Request::get("/lookml_models")
        .dev_mode(true)
        .send()?
        .json()
}

fn sudo(_: NoArgs, _: &Context) -> Result<String, ToolError> {
    looker_mcp_plugin_sdk::session::act_as_user("2")
}

/// Holds up to 10 unread streamed bodies (each an open Looker connection); returns how many
/// it got before the host refused one, and the refusal.
#[cfg(target_arch = "wasm32")]
fn hoard(_: NoArgs, _: &Context) -> Result<String, ToolError> {
    use looker_mcp_plugin_sdk::__wit::looker::mcp::looker::{
        Method, Request, RequestOptions, send_streaming,
    };
    let request = Request {
        method: Method::Get,
        path: "/lookml_models".to_owned(),
        query: Vec::new(),
        body: None,
        options: RequestOptions {
            dev_mode: false,
            timeout_ms: None,
        },
    };
    let mut held = Vec::new();
    for _ in 0..10 {
        match send_streaming(&request) {
            Ok(response) => held.push(response.body),
            Err(error) => {
                return Err(ToolError::Request(format!(
                    "held {}, then: {error:?}",
                    held.len()
                )));
            }
        }
    }
    Ok(format!("held {}", held.len()))
}

#[cfg(not(target_arch = "wasm32"))]
fn hoard(_: NoArgs, _: &Context) -> Result<String, ToolError> {
    Err(ToolError::Internal("wasm only".into()))
}

fn huge(_: NoArgs, _: &Context) -> Result<String, ToolError> {
    Ok("x".repeat(50 << 20))
}

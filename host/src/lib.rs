//! looker-mcp: an MCP server for the Looker API, built as a WebAssembly plugin host.
//!
//! The host owns the transports (stdio, streamable HTTP), identity and the only HTTP path to
//! Looker; each tool group is a `wasm32-wasip2` component (see `wit/looker-mcp.wit`) that
//! declares its tools and calls back into the host for Looker requests.

pub mod app;
pub mod auth;
pub mod bindings;
pub mod capability;
pub mod cli;
pub mod client_log;
pub mod config;
pub mod confirm;
pub mod coordination;
pub mod fit;
pub mod governance;
pub mod identity;
pub mod logging;
pub mod looker;
pub mod plugins;
pub mod server;
pub mod telemetry;
pub mod transport;

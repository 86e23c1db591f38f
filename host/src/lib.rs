//! looker-mcp: an MCP server for the Looker API, built as a WebAssembly plugin host.
//!
//! The host owns the transports (stdio, streamable HTTP), identity and the only HTTP path to
//! Looker; each tool group is a `wasm32-wasip2` component (see `wit/looker-mcp.wit`) that
//! declares its tools and calls back into the host for Looker requests.

// The embedder API: settings, identity rules, the wired handler and its transports.
pub mod app;
pub mod config;
pub mod identity;
pub mod reload;
pub mod transport;

// Used by the binary and the tests, not an API.
#[doc(hidden)]
pub mod auth;
#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod fit;
#[doc(hidden)]
pub mod governance;
#[doc(hidden)]
pub mod logging;
#[doc(hidden)]
pub mod looker;
#[doc(hidden)]
pub mod plugin_cmd;
#[doc(hidden)]
pub mod runtime;
#[doc(hidden)]
pub mod scaffold;
#[doc(hidden)]
pub mod semantic;
#[doc(hidden)]
pub mod server;
#[doc(hidden)]
pub mod telemetry;

pub(crate) mod bindings;
pub(crate) mod capability;
pub(crate) mod client_log;
pub(crate) mod confirm;
pub(crate) mod coordination;

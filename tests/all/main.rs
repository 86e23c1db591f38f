//! End-to-end tests: the real `looker-mcp-server` binary, driven by an MCP client over stdio and
//! streamable HTTP, against the Looker simulator. One test binary (each extra one relinks wasmtime).

mod support;

mod auth;
mod catalog;
mod cli;
mod containment;
mod explore;
mod http;
mod identity;
mod plugins;
mod protocol;

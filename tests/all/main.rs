//! End-to-end tests: the real `looker-mcp-server` binary, driven by an MCP client over stdio and
//! streamable HTTP, against the Looker simulator. One test binary (each extra one relinks wasmtime).

mod support;

mod admin;
mod audit;
mod auth;
mod bad_input;
mod board;
mod catalog;
mod cli;
mod confirm;
mod connection;
mod containment;
mod content;
mod credentials;
mod explore;
mod faults;
mod first_start;
mod fit;
mod folder;
mod git;
mod governance;
mod health;
mod http;
mod identity;
mod introspect;
mod jsonrpc;
mod load;
mod modeling;
mod plugins;
mod principals;
mod progressive;
mod protocol;
mod query;
mod render;
mod replicas;
mod schema;
mod service;
mod telemetry;
mod user_attributes;
mod workflows;

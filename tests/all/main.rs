//! End-to-end tests against the Looker simulator: a real MCP client drives the server built in
//! process (the group modules, through `Harness::client`) or the real `looker-mcp-server` binary
//! over stdio and streamable HTTP (CLI, transports, containment, faults, service, replicas). One
//! test binary (each extra one relinks wasmtime).

mod support;

mod admin;
mod api;
mod audit;
mod auth;
mod bad_input;
mod board;
mod catalog;
mod cli;
mod completions;
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
mod oci;
mod oci_registry;
mod plugin_trust;
mod plugins;
mod principals;
mod progressive;
mod prompts;
mod protocol;
mod query;
mod reload;
mod render;
mod replicas;
mod resources;
mod result_view;
mod schema;
mod semantic_query;
mod service;
mod telemetry;
mod user_attributes;
mod workflows;

/// Every tool group under `plugins/` has a test module of its name: the build fails otherwise.
macro_rules! assert_group_tested {
    ($group:ident) => {
        #[allow(unused_imports)] // the import is the check
        use $group as _;
    };
}
looker_mcp::foreach_group!(assert_group_tested);

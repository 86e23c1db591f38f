//! The two ways MCP clients reach the server. Both carry the same [`crate::server::LookerMcp`].

mod endpoint;
pub mod http;
pub mod introspect;
pub mod jsonrpc;
mod session_owners;
pub mod stdio;

//! The two ways MCP clients reach the server. Both carry the same [`crate::server::LookerMcp`].

mod answering;
mod connections;
mod endpoint;
pub mod http;
pub mod introspect;
pub mod jsonrpc;
mod read_body;
mod session_owners;
pub mod shutdown;
pub mod stdio;

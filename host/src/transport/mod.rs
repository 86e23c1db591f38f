//! The two ways MCP clients reach the server. Both carry the same [`crate::server::LookerMcp`].

pub mod http;
pub mod introspect;
mod session_owners;
pub mod stdio;

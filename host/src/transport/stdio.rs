//! MCP over stdin/stdout. stdout carries JSON-RPC only: logs go to stderr and plugins' own
//! stdout is a sink.

use rmcp::ServiceExt;

use crate::server::LookerMcp;

/// Serves until the client closes stdin.
pub async fn serve(handler: LookerMcp) -> anyhow::Result<()> {
    let service = handler.serve(rmcp::transport::io::stdio_pipes()).await?;
    service.waiting().await?;
    Ok(())
}

//! `progress`: MCP progress notifications and cancellable waits.

use std::time::Duration;

use super::HostState;
use crate::bindings::wit_progress::Host;

impl Host for HostState {
    async fn report(
        &mut self,
        progress: f64,
        total: Option<f64>,
        message: Option<String>,
    ) -> wasmtime::Result<()> {
        if let Some(sink) = &self.scope.progress {
            sink(progress, total, message);
        }
        Ok(())
    }

    async fn wait(&mut self, millis: u32) -> wasmtime::Result<bool> {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(u64::from(millis))) => Ok(true),
            () = self.scope.cancel.cancelled() => Ok(false),
        }
    }
}

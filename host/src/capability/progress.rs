//! `progress`: MCP progress notifications and cancellable waits.

use std::time::Duration;

use crate::bindings::wit_progress::Host;
use crate::plugins::call::CallState;

impl Host for CallState {
    async fn report(
        &mut self,
        progress: f64,
        total: Option<f64>,
        message: Option<String>,
    ) -> wasmtime::Result<()> {
        if let Some(sink) = &self.env.progress {
            sink(progress, total, message);
        }
        Ok(())
    }

    async fn wait(&mut self, millis: u32) -> wasmtime::Result<bool> {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(u64::from(millis))) => Ok(true),
            () = self.env.cancel.cancelled() => Ok(false),
        }
    }
}

//! `log`: plugin diagnostics go to the host's tracing (stderr), tagged with the group.

use super::HostState;
use crate::bindings::wit_log::{Host, Level};

/// Longest message kept from one plugin log line.
const MAX_MESSAGE: usize = 4096;

impl Host for HostState {
    async fn write(&mut self, level: Level, message: String) -> wasmtime::Result<()> {
        let mut message = message;
        if message.len() > MAX_MESSAGE {
            let cut = (0..=MAX_MESSAGE)
                .rev()
                .find(|&i| message.is_char_boundary(i))
                .unwrap_or(0);
            message.truncate(cut);
            message.push('…');
        }
        let group = &*self.group;
        let tool = &*self.scope.tool;
        match level {
            Level::Trace => tracing::trace!(target: "plugin", group, tool, "{message}"),
            Level::Debug => tracing::debug!(target: "plugin", group, tool, "{message}"),
            Level::Info => tracing::info!(target: "plugin", group, tool, "{message}"),
            Level::Warn => tracing::warn!(target: "plugin", group, tool, "{message}"),
            Level::Error => tracing::error!(target: "plugin", group, tool, "{message}"),
        }
        if let Some(sink) = &self.scope.log {
            sink(level, group, &message).await;
        }
        Ok(())
    }
}

/// `types` declares no functions; the linker still asks for its (empty) host side.
impl crate::bindings::types::Host for HostState {}

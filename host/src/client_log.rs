//! MCP logging for clients: `logging/setLevel` and `notifications/message`. A session that sets a
//! level receives the plugins' log lines at or above it, with the group as the logger name; a
//! session that never asks receives none. (The Python server declares the capability too; the
//! 2026 protocol revision deprecates it, SEP-2577, so it is kept to exactly this.)
#![allow(deprecated)]

use std::sync::{Arc, Mutex};

use rmcp::model::{LoggingLevel, LoggingMessageNotificationParam};
use rmcp::{Peer, RoleServer};

use crate::bindings::wit_log::Level;
use crate::capability::LogSink;

/// The level one MCP session asked for, if any.
#[derive(Clone, Default)]
pub struct SessionLogLevel(Arc<Mutex<Option<LoggingLevel>>>);

impl SessionLogLevel {
    pub fn set(&self, level: LoggingLevel) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(level);
    }

    /// A sink forwarding plugin log lines at or above the session's level to `peer`, or `None`
    /// when the session never set a level.
    pub fn sink(&self, peer: &Peer<RoleServer>) -> Option<LogSink> {
        let threshold = rank(*self.0.lock().unwrap_or_else(|e| e.into_inner()).as_ref()?);
        let peer = peer.clone();
        Some(Arc::new(
            move |level: Level, logger: &str, message: &str| {
                let level = to_mcp(level);
                let mut param = LoggingMessageNotificationParam::new(level, message.into());
                param.logger = Some(logger.to_owned());
                let peer = peer.clone();
                Box::pin(async move {
                    if rank(level) < threshold {
                        return;
                    }
                    if let Err(error) = peer.notify_logging_message(param).await {
                        tracing::debug!(%error, "could not send a log notification");
                    }
                })
            },
        ))
    }
}

/// A plugin's level in MCP's (syslog) scale; trace has no MCP equivalent and counts as debug.
fn to_mcp(level: Level) -> LoggingLevel {
    match level {
        Level::Trace | Level::Debug => LoggingLevel::Debug,
        Level::Info => LoggingLevel::Info,
        Level::Warn => LoggingLevel::Warning,
        Level::Error => LoggingLevel::Error,
    }
}

fn rank(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_levels_keep_their_order_on_the_mcp_scale() {
        let ranks: Vec<u8> = [
            Level::Trace,
            Level::Debug,
            Level::Info,
            Level::Warn,
            Level::Error,
        ]
        .into_iter()
        .map(|l| rank(to_mcp(l)))
        .collect();
        assert_eq!(ranks, [0, 0, 1, 3, 4]);
    }
}

//! Diagnostics to the host's log (stderr, tagged with the group name), and to MCP clients that
//! asked for log messages (`logging/setLevel`) at that level or below, so write nothing a user
//! must not see. Natively (in unit tests) lines go to stderr.
//!
//! ```
//! use looker_mcp_plugin_sdk::log;
//!
//! let model = "thelook";
//! log::info!("loading model {model}");
//! log::warn!("explore {} has {} hidden fields", "orders", 3);
//! ```
//!
//! `println!` in a plugin does not reach the MCP client either (the host discards plugin
//! stdout, which on stdio would corrupt the protocol), but it is not logged: use these.

/// Severity of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Very detailed tracing.
    Trace,
    /// Debugging detail.
    Debug,
    /// Normal operation.
    Info,
    /// Something unexpected that the plugin handled.
    Warn,
    /// Something failed.
    Error,
}

/// Writes one log line at `level`.
pub fn write(level: Level, message: &str) {
    crate::bindings::log(level, message);
}

#[doc(hidden)]
#[macro_export]
macro_rules! __log_at {
    ($level:ident, $($arg:tt)+) => {
        $crate::log::write($crate::log::Level::$level, &::std::format!($($arg)+))
    };
}

/// Logs a `format!`-style line at trace level.
#[doc(hidden)]
#[macro_export]
macro_rules! __log_trace { ($($arg:tt)+) => { $crate::__log_at!(Trace, $($arg)+) }; }
/// Logs a `format!`-style line at debug level.
#[doc(hidden)]
#[macro_export]
macro_rules! __log_debug { ($($arg:tt)+) => { $crate::__log_at!(Debug, $($arg)+) }; }
/// Logs a `format!`-style line at info level.
#[doc(hidden)]
#[macro_export]
macro_rules! __log_info { ($($arg:tt)+) => { $crate::__log_at!(Info, $($arg)+) }; }
/// Logs a `format!`-style line at warn level.
#[doc(hidden)]
#[macro_export]
macro_rules! __log_warn { ($($arg:tt)+) => { $crate::__log_at!(Warn, $($arg)+) }; }
/// Logs a `format!`-style line at error level.
#[doc(hidden)]
#[macro_export]
macro_rules! __log_error { ($($arg:tt)+) => { $crate::__log_at!(Error, $($arg)+) }; }

#[doc(inline)]
pub use crate::{
    __log_debug as debug, __log_error as error, __log_info as info, __log_trace as trace,
    __log_warn as warn,
};

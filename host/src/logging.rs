//! Logging: JSON lines on stderr, level from `LOOKER_LOG_LEVEL` (Python names accepted).
//! Never stdout: over stdio it carries the protocol.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber.
pub fn init(level: &str) {
    let level = match level.to_ascii_uppercase().as_str() {
        "TRACE" => "trace",
        "DEBUG" => "debug",
        "WARNING" | "WARN" => "warn",
        "ERROR" | "CRITICAL" | "FATAL" => "error",
        _ => "info",
    };
    // Our own crates at the chosen level; dependencies one notch quieter unless asked.
    let filter = EnvFilter::try_from_env("LOOKER_LOG_FILTER").unwrap_or_else(|_| {
        EnvFilter::new(format!(
            "warn,looker_mcp={level},plugin={level},looker_sim={level}"
        ))
    });
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_current_span(false)
        .with_env_filter(filter)
        .init();
}

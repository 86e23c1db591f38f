//! Looker's semantic layer as MCP offers it besides tools: resources (models and explores),
//! completions (model, explore, view, field names and values), prompts (analyst workflows), and
//! the result view (an MCP App for query results).
//!
//! Nothing here talks to Looker. Every Looker read runs a served read-only tool through
//! [`Tools`], which the server implements with the same path `tools/call` takes: the request's
//! principal, its one Looker identity, governance (tool lists, model allow-list), the audit.
//! So a resource read or a completion can never see more than a tool call by the same caller.

pub mod app_view;
pub mod completions;
pub mod prompts;
pub mod resources;

use std::future::Future;

use serde_json::Value;

/// The served tools, run for the caller of the current request.
pub trait Tools {
    /// Whether the tool `name` is served here (loaded and left by the tool lists).
    fn serves(&self, name: &str) -> bool;

    /// The structured result of the read-only tool `name` with `arguments`, or why it failed
    /// (not served, refused, or Looker's error), as the caller would read it.
    fn run(
        &self,
        name: &str,
        arguments: Value,
    ) -> impl Future<Output = Result<Value, String>> + Send;

    /// A key naming the caller and so its Looker identity (the identity is derived from the
    /// principal alone), for caches that must never serve one caller's answer to another.
    fn caller_key(&self) -> Result<String, String>;
}

/// `text` cut to at most `max` characters, with `…` when cut.
pub(crate) fn trimmed(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", text[..at].trim_end()),
        None => text.to_owned(),
    }
}

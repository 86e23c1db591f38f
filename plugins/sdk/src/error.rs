//! Why a tool call failed.
//!
//! Every [`ToolError`] reaches the MCP client as a tool result with `isError: true`, worded so
//! that an AI assistant can read it and correct its next call. Pick the case by *who* has to act:
//! the caller ([`ToolError::InvalidArguments`]), Looker ([`ToolError::Looker`]), the host
//! ([`ToolError::Request`]) or nobody in particular ([`ToolError::Internal`]).

use std::fmt;

use serde_json::Value;

/// Why a tool call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolError {
    /// The arguments are well-formed JSON but make no sense; the message says which argument and
    /// why, e.g. ``"`model_name`: must not be empty"``.
    InvalidArguments(String),
    /// Looker answered with an HTTP error (4xx/5xx).
    Looker(LookerError),
    /// The host refused or could not complete a Looker request (denied, timed out, unreachable,
    /// too large, not authenticated). The message comes from the host.
    Request(String),
    /// The client cancelled the call (see [`progress::wait`](crate::progress::wait)).
    Cancelled,
    /// Anything else, e.g. Looker returned something the plugin could not understand.
    Internal(String),
}

/// An error Looker answered with, as Looker worded it.
#[derive(Debug, Clone, PartialEq)]
pub struct LookerError {
    /// HTTP status code.
    pub status: u16,
    /// Looker's `message`, or the response text when Looker sent no JSON.
    pub message: String,
    /// Looker's `documentation_url`, when present.
    pub documentation_url: Option<String>,
    /// Looker's per-field validation `errors[]` (sent with 422), when present.
    pub details: Option<Value>,
}

impl ToolError {
    /// A [`ToolError::InvalidArguments`] with the given message.
    pub fn invalid_arguments(message: impl Into<String>) -> Self {
        Self::InvalidArguments(message.into())
    }

    /// A [`ToolError::Internal`] with the given message.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into())
    }

    /// The HTTP status when this is a [`ToolError::Looker`], e.g. to treat a 404 as "absent".
    pub fn looker_status(&self) -> Option<u16> {
        match self {
            Self::Looker(e) => Some(e.status),
            _ => None,
        }
    }
}

impl LookerError {
    /// Builds the error for an HTTP error `status` from Looker's response `body`.
    ///
    /// Looker's error bodies are `{"message": .., "documentation_url": .., "errors": [..]}`;
    /// anything else (an HTML proxy page, plain text, nothing) becomes the message as is,
    /// shortened to 2,000 characters, or the status line when the body is empty.
    pub fn from_response(status: u16, body: &[u8]) -> Self {
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
            let message = map
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let documentation_url = map
                .get("documentation_url")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned);
            let details = map
                .get("errors")
                .filter(|v| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
                .cloned();
            if message.is_some() || details.is_some() || map.is_empty() {
                return Self {
                    status,
                    message: message.unwrap_or_else(|| status_line(status)),
                    documentation_url,
                    details,
                };
            }
        }
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        let message = if text.is_empty() {
            status_line(status)
        } else {
            truncate(text, 2000)
        };
        Self {
            status,
            message,
            documentation_url: None,
            details: None,
        }
    }
}

/// `"HTTP 404 Not Found"`, or just `"HTTP 599"` for codes without a well-known reason.
fn status_line(status: u16) -> String {
    let reason = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return format!("HTTP {status}"),
    };
    format!("HTTP {status} {reason}")
}

/// Cuts `text` to at most `max` characters, marking the cut.
fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidArguments(m) => write!(f, "invalid arguments: {m}"),
            Self::Looker(e) => write!(f, "{e}"),
            Self::Request(m) => write!(f, "Looker request failed: {m}"),
            Self::Cancelled => f.write_str("cancelled"),
            Self::Internal(m) => write!(f, "internal error: {m}"),
        }
    }
}

impl fmt::Display for LookerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Looker returned HTTP {}: {}", self.status, self.message)
    }
}

impl std::error::Error for ToolError {}

impl From<LookerError> for ToolError {
    fn from(e: LookerError) -> Self {
        Self::Looker(e)
    }
}

impl From<serde_json::Error> for ToolError {
    /// A JSON (de)serialization failure inside the plugin is an [`ToolError::Internal`]: the
    /// arguments were already parsed, so it is Looker's answer that was not understood.
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(format!("unexpected JSON: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_looker_json_errors() {
        let body = json!({
            "message": "Validation Failed",
            "documentation_url": "https://docs.example/422",
            "errors": [{"field": "title", "code": "missing"}]
        });
        let e = LookerError::from_response(422, body.to_string().as_bytes());
        assert_eq!(e.status, 422);
        assert_eq!(e.message, "Validation Failed");
        assert_eq!(
            e.documentation_url.as_deref(),
            Some("https://docs.example/422")
        );
        assert_eq!(
            e.details,
            Some(json!([{"field": "title", "code": "missing"}]))
        );
    }

    #[test]
    fn falls_back_to_text_and_status() {
        let e = LookerError::from_response(502, b"  <html>bad gateway</html>\n");
        assert_eq!(e.message, "<html>bad gateway</html>");
        assert_eq!(e.details, None);
        assert_eq!(
            LookerError::from_response(404, b"").message,
            "HTTP 404 Not Found"
        );
        assert_eq!(LookerError::from_response(418, b"{}").message, "HTTP 418");
        let long = "x".repeat(3000);
        assert_eq!(
            LookerError::from_response(500, long.as_bytes())
                .message
                .chars()
                .count(),
            2001
        );
    }

    #[test]
    fn empty_errors_array_is_dropped() {
        let e = LookerError::from_response(404, br#"{"message":"Not found","errors":[]}"#);
        assert_eq!(e.details, None);
        assert_eq!(e.documentation_url, None);
    }
}

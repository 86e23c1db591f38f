//! Requests to the Looker API, sent by the host as the caller's identity.
//!
//! The host owns the instance URL, the `/api/4.0` prefix, credentials, retries and limits; a
//! plugin names a method, a [`Path`], query pairs and a JSON body. For the common case there are
//! one-line helpers that return the parsed JSON of a 2xx answer:
//!
//! ```no_run
//! use looker_mcp_plugin_sdk::{looker, path, ToolError};
//!
//! fn model_names() -> Result<Vec<String>, ToolError> {
//!     let models = looker::Request::get("/lookml_models").fields(&["name"]).send()?.json::<serde_json::Value>()?;
//!     let names = models.as_array().into_iter().flatten();
//!     Ok(names.filter_map(|m| m["name"].as_str().map(str::to_owned)).collect())
//! }
//!
//! fn explore(model: &str, explore: &str) -> Result<serde_json::Value, ToolError> {
//!     looker::get(path!("/lookml_models/{}/explores/{}", model, explore))
//! }
//! ```
//!
//! Any HTTP status outside 2xx becomes [`ToolError::Looker`] with Looker's own message; a request
//! the host could not complete becomes [`ToolError::Request`]. Use [`Request::send_any`] to see
//! error statuses as ordinary responses (e.g. to treat 404 as "absent").

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{LookerError, Path, ToolError};

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        })
    }
}

/// One request to the Looker API, built step by step and sent with [`Request::send`].
///
/// ```
/// use looker_mcp_plugin_sdk::looker::{Method, Request};
/// use looker_mcp_plugin_sdk::path;
///
/// let req = Request::get(path!("/lookml_models/{}", "thelook"))
///     .fields(&["name", "explores"])
///     .query("limit", 10)
///     .dev_mode(true);
/// assert_eq!(req.method(), Method::Get);
/// assert_eq!(req.path().as_str(), "/lookml_models/thelook");
/// assert_eq!(req.query_value("fields"), Some("name,explores"));
/// assert_eq!(req.query_value("limit"), Some("10"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    method: Method,
    path: Path,
    query: Vec<(String, String)>,
    body: Option<String>,
    dev_mode: bool,
    timeout_ms: Option<u32>,
    error: Option<ToolError>,
}

impl Request {
    /// A request with `method` to `path` (a [`Path`], or a `&'static str` such as `"/user"`).
    pub fn new(method: Method, path: impl Into<Path>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            dev_mode: false,
            timeout_ms: None,
            error: None,
        }
    }

    /// A `GET` request.
    pub fn get(path: impl Into<Path>) -> Self {
        Self::new(Method::Get, path)
    }

    /// A `POST` request; add a body with [`Request::body`].
    pub fn post(path: impl Into<Path>) -> Self {
        Self::new(Method::Post, path)
    }

    /// A `PUT` request; add a body with [`Request::body`].
    pub fn put(path: impl Into<Path>) -> Self {
        Self::new(Method::Put, path)
    }

    /// A `PATCH` request; add a body with [`Request::body`].
    pub fn patch(path: impl Into<Path>) -> Self {
        Self::new(Method::Patch, path)
    }

    /// A `DELETE` request.
    pub fn delete(path: impl Into<Path>) -> Self {
        Self::new(Method::Delete, path)
    }

    /// Adds a query-string pair; the host encodes it. Repeating a key sends it twice.
    pub fn query(mut self, key: impl Into<String>, value: impl fmt::Display) -> Self {
        self.query.push((key.into(), value.to_string()));
        self
    }

    /// Adds a query-string pair only when `value` is `Some`.
    pub fn query_opt(self, key: impl Into<String>, value: Option<impl fmt::Display>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    /// Asks Looker for these response fields only (`fields=a,b,c`), which makes answers smaller
    /// and faster. Nested selections use Looker's syntax, e.g. `"explores(name,hidden)"`.
    pub fn fields(self, fields: &[&str]) -> Self {
        self.query("fields", fields.join(","))
    }

    /// Sets the JSON body to `body`, serialized.
    pub fn body(mut self, body: &impl Serialize) -> Self {
        match serde_json::to_string(body) {
            Ok(text) => self.body = Some(text),
            Err(e) => {
                self.error
                    .get_or_insert(ToolError::Internal(format!("request body: {e}")));
            }
        }
        self
    }

    /// Sets the body to JSON text that is already serialized.
    pub fn body_text(mut self, json: impl Into<String>) -> Self {
        self.body = Some(json.into());
        self
    }

    /// Runs the request in the caller's dev workspace instead of production.
    pub fn dev_mode(mut self, dev_mode: bool) -> Self {
        self.dev_mode = dev_mode;
        self
    }

    /// Gives up after `millis` milliseconds instead of the host's configured timeout (the host
    /// caps it at its own per-call deadline).
    pub fn timeout_ms(mut self, millis: u32) -> Self {
        self.timeout_ms = Some(millis);
        self
    }

    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The query pairs, in the order they were added.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// The first value of query key `key`, if any.
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The JSON body text, if any.
    pub fn body_json_text(&self) -> Option<&str> {
        self.body.as_deref()
    }

    /// Whether the request runs in dev mode.
    pub fn is_dev_mode(&self) -> bool {
        self.dev_mode
    }

    /// The per-request timeout, if one was set.
    pub fn timeout(&self) -> Option<u32> {
        self.timeout_ms
    }

    /// Sends the request. A 2xx answer is `Ok`; any other status is [`ToolError::Looker`].
    pub fn send(self) -> Result<Response, ToolError> {
        self.send_any()?.error_for_status()
    }

    /// Sends the request and returns Looker's answer whatever its HTTP status. Only a request
    /// the host could not complete (or an invalid path) is an error.
    pub fn send_any(self) -> Result<Response, ToolError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        self.path.check()?;
        crate::bindings::send(&self)
    }
}

/// Looker's answer to a [`Request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// The `Content-Type` header, if Looker sent one.
    pub content_type: Option<String>,
    /// The response body: JSON text for most routes, text or image bytes for some.
    pub body: Vec<u8>,
}

impl Response {
    /// A `200` response with a JSON body (handy in tests).
    pub fn json_ok(value: &Value) -> Self {
        Self {
            status: 200,
            content_type: Some("application/json".to_owned()),
            body: value.to_string().into_bytes(),
        }
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `Ok(self)` for 2xx, else the [`ToolError::Looker`] built from Looker's error body.
    pub fn error_for_status(self) -> Result<Self, ToolError> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(LookerError::from_response(self.status, &self.body).into())
        }
    }

    /// The media type without parameters, lower-cased, e.g. `application/json`.
    pub fn mime_type(&self) -> Option<String> {
        let ct = self.content_type.as_deref()?;
        let mime = ct.split(';').next().unwrap_or(ct).trim();
        Some(mime.to_ascii_lowercase())
    }

    /// Parses the body as JSON into `T`. An empty body (e.g. `204`) parses as JSON `null`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ToolError> {
        let body = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"null".as_slice()
        } else {
            &self.body
        };
        serde_json::from_slice(body)
            .map_err(|e| ToolError::Internal(format!("Looker answered with unexpected JSON: {e}")))
    }

    /// The body as text (invalid UTF-8 is replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `GET path` and parse the 2xx answer as JSON.
pub fn get(path: impl Into<Path>) -> Result<Value, ToolError> {
    Request::get(path).send()?.json()
}

/// `POST path` with a JSON `body` and parse the 2xx answer as JSON.
pub fn post(path: impl Into<Path>, body: &impl Serialize) -> Result<Value, ToolError> {
    Request::post(path).body(body).send()?.json()
}

/// `PUT path` with a JSON `body` and parse the 2xx answer as JSON.
pub fn put(path: impl Into<Path>, body: &impl Serialize) -> Result<Value, ToolError> {
    Request::put(path).body(body).send()?.json()
}

/// `PATCH path` with a JSON `body` and parse the 2xx answer as JSON.
pub fn patch(path: impl Into<Path>, body: &impl Serialize) -> Result<Value, ToolError> {
    Request::patch(path).body(body).send()?.json()
}

/// `DELETE path` and parse the 2xx answer as JSON (`null` when Looker sends no body).
pub fn delete(path: impl Into<Path>) -> Result<Value, ToolError> {
    Request::delete(path).send()?.json()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builder_collects_everything() {
        let req = Request::post(crate::path!("/queries/{}/run/{}", 5, "json"))
            .query_opt("limit", Some(10))
            .query_opt("cache", None::<bool>)
            .body(&json!({"a": 1}))
            .timeout_ms(500);
        assert_eq!(req.path().as_str(), "/queries/5/run/json");
        assert_eq!(req.query_pairs(), [("limit".to_owned(), "10".to_owned())]);
        assert_eq!(req.body_json_text(), Some(r#"{"a":1}"#));
        assert_eq!(req.timeout(), Some(500));
        assert!(!req.is_dev_mode());
    }

    #[test]
    fn invalid_path_is_refused_before_sending() {
        let err = Request::get(crate::path!("/lookml_models/{}", "..")).send();
        assert!(matches!(err, Err(ToolError::InvalidArguments(_))));
    }

    #[test]
    fn response_helpers() {
        let ok = Response {
            status: 204,
            content_type: Some("application/json; charset=utf-8".into()),
            body: vec![],
        };
        assert_eq!(ok.json::<Value>(), Ok(Value::Null));
        assert_eq!(ok.mime_type().as_deref(), Some("application/json"));
        let bad = Response {
            status: 404,
            content_type: None,
            body: br#"{"message":"Not found","documentation_url":"https://x"}"#.to_vec(),
        };
        let err = bad.error_for_status().unwrap_err();
        assert_eq!(err.looker_status(), Some(404));
        assert!(err.to_string().contains("Not found"));
        let garbage = Response {
            status: 200,
            content_type: None,
            body: b"<html>".to_vec(),
        };
        assert!(matches!(
            garbage.json::<Value>(),
            Err(ToolError::Internal(_))
        ));
    }
}

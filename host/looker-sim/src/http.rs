//! Request and response types shared by the route handlers, and Looker-shaped errors.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::state::Workspace;

/// Where Looker error bodies point.
pub(crate) const DOC_URL: &str = "https://cloud.google.com/looker/docs/";

/// The caller behind a valid token.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub token: String,
    pub user_id: String,
    pub workspace: Workspace,
}

/// A request as route handlers see it.
#[derive(Debug)]
pub(crate) struct Req {
    pub method: String,
    /// The matched operation's path template.
    pub template: &'static str,
    /// Decoded path parameters, named as in the spec.
    pub params: Vec<(String, String)>,
    /// Decoded query pairs in the order received.
    pub query: Vec<(String, String)>,
    /// JSON body, form body as an object of strings, or text body as a string.
    pub body: Option<Value>,
    pub caller: Option<Caller>,
}

impl Req {
    /// A path parameter (decoded); empty if absent.
    pub(crate) fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The last value of a query parameter.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as a JSON object (empty if there is none or it is not an object).
    pub(crate) fn body_object(&self) -> Map<String, Value> {
        match &self.body {
            Some(Value::Object(map)) => map.clone(),
            _ => Map::new(),
        }
    }

    /// The caller; route handlers only run for authenticated requests.
    pub(crate) fn caller(&self) -> &Caller {
        self.caller
            .as_ref()
            .expect("handlers only run for authenticated requests")
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Body {
    Json(Value),
    Text {
        content_type: &'static str,
        text: String,
    },
    /// Binary data, e.g. a rendered PNG or PDF.
    Bytes {
        content_type: &'static str,
        data: Vec<u8>,
    },
    Empty,
}

/// A handler's answer.
#[derive(Debug, Clone)]
pub(crate) struct Resp {
    pub status: StatusCode,
    pub body: Body,
    pub headers: Vec<(HeaderName, String)>,
}

impl Resp {
    pub(crate) fn json(value: Value) -> Resp {
        Resp::with_status(StatusCode::OK, value)
    }

    pub(crate) fn with_status(status: StatusCode, value: Value) -> Resp {
        Resp {
            status,
            body: Body::Json(value),
            headers: Vec::new(),
        }
    }

    pub(crate) fn text(content_type: &'static str, text: String) -> Resp {
        Resp {
            status: StatusCode::OK,
            body: Body::Text { content_type, text },
            headers: Vec::new(),
        }
    }

    pub(crate) fn no_content() -> Resp {
        Resp {
            status: StatusCode::NO_CONTENT,
            body: Body::Empty,
            headers: Vec::new(),
        }
    }

    /// A Looker error body: `{message, documentation_url}`.
    pub(crate) fn error(status: StatusCode, message: impl Into<String>) -> Resp {
        Resp::with_status(
            status,
            json!({ "message": message.into(), "documentation_url": DOC_URL }),
        )
    }

    pub(crate) fn not_found() -> Resp {
        Resp::error(StatusCode::NOT_FOUND, "Not found")
    }

    pub(crate) fn unauthorized() -> Resp {
        Resp::error(StatusCode::UNAUTHORIZED, "Requires authentication.")
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Resp {
        Resp::error(StatusCode::BAD_REQUEST, message)
    }

    /// A 422 with Looker's `errors[]` list: `(field, code, message)` triples.
    pub(crate) fn validation(message: &str, errors: &[(&str, &str, String)]) -> Resp {
        let errors: Vec<Value> = errors
            .iter()
            .map(|(field, code, msg)| {
                json!({ "field": field, "code": code, "message": msg, "documentation_url": DOC_URL })
            })
            .collect();
        Resp::with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "message": message, "errors": errors, "documentation_url": DOC_URL }),
        )
    }

    pub(crate) fn not_implemented(method: &str, template: &str) -> Resp {
        Resp::with_status(
            StatusCode::NOT_IMPLEMENTED,
            json!({ "message": format!("looker-sim: not implemented: {method} {template}") }),
        )
    }

    pub(crate) fn header(mut self, name: HeaderName, value: impl Into<String>) -> Resp {
        self.headers.push((name, value.into()));
        self
    }

    /// The body as bytes, with its content type.
    pub(crate) fn body_bytes(&self) -> (Option<&'static str>, Vec<u8>) {
        match &self.body {
            Body::Json(v) => (
                Some("application/json"),
                serde_json::to_vec(v).unwrap_or_default(),
            ),
            Body::Text { content_type, text } => (Some(content_type), text.clone().into_bytes()),
            Body::Bytes { content_type, data } => (Some(content_type), data.clone()),
            Body::Empty => (None, Vec::new()),
        }
    }
}

impl IntoResponse for Resp {
    fn into_response(self) -> Response {
        let (content_type, bytes) = self.body_bytes();
        let mut response = (self.status, bytes).into_response();
        let headers = response.headers_mut();
        if let Some(ct) = content_type {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        response
    }
}

/// Parses a request body by its content type: form → object of strings, JSON → value,
/// text → string. `Err` carries a message for a 400 (malformed JSON).
pub(crate) fn parse_body(
    content_type: Option<&str>,
    bytes: &[u8],
) -> Result<Option<Value>, String> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let base = content_type.map(media_type).unwrap_or_default();
    match base.as_str() {
        "application/x-www-form-urlencoded" => {
            let mut map = Map::new();
            for (k, v) in form_urlencoded::parse(bytes) {
                map.insert(k.into_owned(), Value::String(v.into_owned()));
            }
            Ok(Some(Value::Object(map)))
        }
        "" | "application/json" => serde_json::from_slice(bytes)
            .map(Some)
            .map_err(|e| format!("Could not parse JSON body: {e}")),
        _ => Ok(Some(Value::String(
            String::from_utf8_lossy(bytes).into_owned(),
        ))),
    }
}

/// `"application/json; charset=utf-8"` → `"application/json"`.
pub(crate) fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Decoded query pairs of a raw query string.
pub(crate) fn parse_query(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    })
    .unwrap_or_default()
}

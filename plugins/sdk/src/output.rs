//! What a successful tool call returns.
//!
//! Most tools return JSON: `Ok(json!({...}))` in a handler becomes [`Output::json`]. How a JSON
//! value is shown, decided once here for every group:
//!
//! - **content** is one text block holding the value as *compact* JSON. Assistants read compact
//!   JSON as well as pretty JSON, and a large explore costs far fewer tokens without the
//!   indentation.
//! - **structured** (MCP `structuredContent`, which must be a JSON object) is the value itself
//!   when it is an object, and `{"result": value}` otherwise (a list, a string, a number).
//!   Tools therefore prefer returning objects such as `{"models": [...]}`, which read the same
//!   in both places.

use serde_json::{Map, Value};

/// A successful tool result: what clients display, plus an optional JSON value for clients that
/// read structured results.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Output {
    /// What clients display, in order. If empty, the host shows `structured` as JSON text.
    pub content: Vec<Content>,
    /// A JSON object for clients that read structured results.
    pub structured: Option<Map<String, Value>>,
    /// The structured result already written as JSON text (a JSON object), sent as is in place
    /// of `structured`: a large result is written once instead of built as a `Value` tree first.
    pub structured_json: Option<String>,
}

/// One piece of a tool's displayed result.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// Plain or Markdown text.
    Text(String),
    /// An image, e.g. a rendered dashboard.
    Image {
        /// MIME type, e.g. `image/png`.
        mime_type: String,
        /// The bytes.
        data: Vec<u8>,
    },
    /// A document, returned as an MCP embedded resource.
    Resource {
        /// A URI that names the document, e.g. `looker://dashboards/42.pdf`.
        uri: String,
        /// MIME type, e.g. `application/pdf`.
        mime_type: String,
        /// The bytes.
        data: Vec<u8>,
    },
}

impl Output {
    /// A JSON result: compact JSON text plus the value as structured content (see the module
    /// docs for how non-objects are wrapped).
    pub fn json(value: Value) -> Self {
        let text = value.to_string();
        let structured = match value {
            Value::Object(map) => map,
            other => Map::from_iter([("result".to_owned(), other)]),
        };
        Self {
            content: vec![Content::Text(text)],
            structured: Some(structured),
            structured_json: None,
        }
    }

    /// A text-only result (Markdown is fine), without structured content.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            content: vec![Content::Text(text.into())],
            structured: None,
            structured_json: None,
        }
    }

    /// An image result.
    pub fn image(mime_type: impl Into<String>, data: Vec<u8>) -> Self {
        Self {
            content: vec![Content::Image {
                mime_type: mime_type.into(),
                data,
            }],
            structured: None,
            structured_json: None,
        }
    }

    /// A document returned as an embedded resource named `uri`.
    pub fn resource(uri: impl Into<String>, mime_type: impl Into<String>, data: Vec<u8>) -> Self {
        Self {
            content: vec![Content::Resource {
                uri: uri.into(),
                mime_type: mime_type.into(),
                data,
            }],
            structured: None,
            structured_json: None,
        }
    }

    /// The structured result as a JSON object, whichever way it was given (`structured`, or
    /// `structured_json` parsed); `None` when there is none or the text is not a JSON object.
    pub fn structured_value(&self) -> Option<Map<String, Value>> {
        match (&self.structured, &self.structured_json) {
            (Some(map), _) => Some(map.clone()),
            (None, Some(text)) => serde_json::from_str(text).ok(),
            (None, None) => None,
        }
    }

    /// Appends another piece of content, e.g. a text summary after an image.
    pub fn with(mut self, content: Content) -> Self {
        self.content.push(content);
        self
    }
}

impl From<Value> for Output {
    fn from(value: Value) -> Self {
        Self::json(value)
    }
}

impl From<String> for Output {
    fn from(text: String) -> Self {
        Self::text(text)
    }
}

impl From<&str> for Output {
    fn from(text: &str) -> Self {
        Self::text(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_are_structured_as_is() {
        let out = Output::json(json!({"a": [1, 2]}));
        assert_eq!(
            out.content,
            vec![Content::Text(r#"{"a":[1,2]}"#.to_owned())]
        );
        assert_eq!(Value::Object(out.structured.unwrap()), json!({"a": [1, 2]}));
    }

    #[test]
    fn other_values_are_wrapped() {
        let out = Output::from(json!(["x"]));
        assert_eq!(out.content, vec![Content::Text(r#"["x"]"#.to_owned())]);
        assert_eq!(
            Value::Object(out.structured.unwrap()),
            json!({"result": ["x"]})
        );
    }

    #[test]
    fn structured_json_text_reads_as_the_same_object() {
        let out = Output {
            structured_json: Some(r#"{"rows":[1]}"#.to_owned()),
            ..Output::default()
        };
        assert_eq!(
            Value::Object(out.structured_value().unwrap()),
            json!({"rows": [1]})
        );
        assert_eq!(
            Output::json(json!({"a": 1})).structured_value().unwrap()["a"],
            1
        );
    }

    #[test]
    fn text_has_no_structured() {
        let out = Output::from("done").with(Content::Text("more".into()));
        assert_eq!(out.content.len(), 2);
        assert!(out.structured.is_none());
    }
}

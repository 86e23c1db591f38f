//! Helpers for tool arguments: blank-text checks, serde defaults that share one constant with
//! the schema, and request bodies built from optional fields.
//!
//! ```
//! use looker_mcp_plugin_sdk::args::{self, default};
//! use looker_mcp_plugin_sdk::schema::{self, Ty};
//! use serde::Deserialize;
//!
//! /// One number, used by the schema and by serde.
//! const LIMIT: u32 = 100;
//!
//! #[derive(Deserialize)]
//! struct ListUsers {
//!     name: String,
//!     #[serde(default = "default::count::<LIMIT>")]
//!     limit: u32,
//!     #[serde(default = "default::yes")]
//!     active: bool,
//! }
//!
//! let _schema = schema::object()
//!     .required("name", Ty::Str, "Part of the name.")
//!     .with_default("limit", Ty::Int, LIMIT, "Most users to return.")
//!     .with_default("active", Ty::Bool, true, "Only active users.");
//! let a: ListUsers = serde_json::from_str(r#"{"name": " "}"#).unwrap();
//! assert_eq!((a.limit, a.active), (100, true));
//! assert!(args::non_blank("name", &a.name).is_err());
//! ```

use serde_json::{Map, Value};

use crate::ToolError;

/// `value`, unless it is empty or only whitespace: then an [`ToolError::InvalidArguments`]
/// naming the argument (``"`name`: must not be empty"``), before anything reaches Looker.
pub fn non_blank<'a>(name: &str, value: &'a str) -> Result<&'a str, ToolError> {
    if value.trim().is_empty() {
        Err(ToolError::invalid_arguments(format!(
            "`{name}`: must not be empty"
        )))
    } else {
        Ok(value)
    }
}

/// An optional text argument that was really given: `None` when absent, empty or only
/// whitespace; otherwise the text without surrounding whitespace.
pub fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Serde default functions, for `#[serde(default = "…")]`. Pass the same constant the schema's
/// [`with_default`](crate::schema::ObjectSchema::with_default) uses, so the number lives in one
/// place: `#[serde(default = "default::count::<LIMIT>")]`.
pub mod default {
    /// `true` (for `false`, plain `#[serde(default)]` does it).
    pub fn yes() -> bool {
        true
    }

    /// The signed integer `N`.
    pub fn int<const N: i64>() -> i64 {
        N
    }

    /// The count `N` (limits, sizes).
    pub fn count<const N: u32>() -> u32 {
        N
    }
}

/// A Looker request body built from optional fields: only the ones the caller gave are sent
/// (Looker treats a `null` member as "clear this field").
///
/// ```
/// use looker_mcp_plugin_sdk::args::Body;
/// let b = Body::new().set("name", "x").opt("a", None::<bool>).opt("b", Some(true));
/// assert_eq!(b.keys(), ["b", "name"]);
/// assert_eq!(b.into_value(), serde_json::json!({"name": "x", "b": true}));
/// ```
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Body(Map<String, Value>);

impl Body {
    /// An empty body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value`.
    pub fn set(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_owned(), value.into());
        self
    }

    /// Sets `key` when `value` is `Some`.
    pub fn opt<T: Into<Value>>(self, key: &str, value: Option<T>) -> Self {
        match value {
            Some(v) => self.set(key, v),
            None => self,
        }
    }

    /// Whether nothing was set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The names of the fields set, sorted.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.0.keys().cloned().collect();
        keys.sort();
        keys
    }

    /// The body as a JSON object.
    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text_is_refused_with_the_argument_name() {
        assert_eq!(non_blank("name", "ab"), Ok("ab"));
        assert_eq!(
            non_blank("name", " \t"),
            Err(ToolError::InvalidArguments(
                "`name`: must not be empty".into()
            ))
        );
        assert_eq!(given(&Some("  x ".into())), Some("x"));
        assert_eq!(given(&Some(" ".into())), None);
        assert_eq!(given(&None), None);
    }

    #[test]
    fn defaults_are_the_constants() {
        const LIMIT: u32 = 7;
        assert!(default::yes());
        assert_eq!(default::int::<-3>(), -3);
        assert_eq!(default::count::<LIMIT>(), 7);
    }
}

//! Looker API paths with every dynamic segment percent-encoded.
//!
//! A path is relative to the API root (`/api/4.0` is the host's business) and starts with `/`.
//! Any part of it that comes from tool arguments must go through this module, so a model name
//! like `a/../../users` stays one harmless segment (`a%2F..%2F..%2Fusers`) instead of walking the
//! API tree. Segments that are empty, `.` or `..` cannot be encoded safely and are refused with
//! [`ToolError::InvalidArguments`] when the request is sent.
//!
//! ```
//! use looker_mcp_plugin_sdk::{path, Path};
//!
//! let model = "thelook";
//! let explore = "order items";
//! let p = path!("/lookml_models/{}/explores/{}", model, explore);
//! assert_eq!(p.as_str(), "/lookml_models/thelook/explores/order%20items");
//!
//! // The same, step by step:
//! let q = Path::root().lit("lookml_models").seg(model).lit("explores").seg(explore);
//! assert_eq!(p, q);
//!
//! // Static paths need no encoding:
//! assert_eq!(Path::from("/connections").as_str(), "/connections");
//! ```

use std::fmt;

use crate::ToolError;

/// A Looker API path, built from literal parts and percent-encoded dynamic segments.
///
/// An invalid dynamic segment does not panic and does not interrupt the builder chain: the path
/// remembers the problem and [`Path::check`] (called by [`Request::send`](crate::looker::Request::send))
/// reports it as [`ToolError::InvalidArguments`].
#[derive(Clone, PartialEq)]
pub struct Path {
    text: String,
    error: Option<ToolError>,
}

impl Path {
    /// The API root, `/`, to append segments to.
    pub fn root() -> Self {
        Self {
            text: String::new(),
            error: None,
        }
    }

    /// Appends a literal segment (or several, `"a/b"`), written by the plugin author, unencoded.
    ///
    /// Only for text in the plugin's source code; anything that comes from arguments or from
    /// Looker's answers goes through [`Path::seg`].
    pub fn lit(mut self, literal: &str) -> Self {
        for part in literal.split('/').filter(|p| !p.is_empty()) {
            self.text.push('/');
            self.text.push_str(part);
        }
        self
    }

    /// Appends one dynamic segment, percent-encoding everything but `A-Z a-z 0-9 - . _ ~`.
    pub fn seg(mut self, segment: impl fmt::Display) -> Self {
        let segment = segment.to_string();
        if let Err(why) = check_segment(&segment) {
            self.error.get_or_insert(ToolError::InvalidArguments(why));
        }
        self.text.push('/');
        encode_into(&segment, &mut self.text);
        self
    }

    /// Fills a template's `{}` placeholders with encoded segments, in order (what [`path!`](crate::path!)
    /// expands to). Placeholders must be whole segments, e.g. `"/looks/{}/run/{}"`.
    pub fn format(template: &'static str, segments: &[String]) -> Self {
        let mut path = Self::root();
        let mut segments = segments.iter();
        for part in template.split('/').filter(|p| !p.is_empty()) {
            if part == "{}" {
                match segments.next() {
                    Some(s) => path = path.seg(s),
                    None => {
                        path.error.get_or_insert(ToolError::Internal(format!(
                            "path template `{template}` has more `{{}}` than values"
                        )));
                    }
                }
            } else {
                path = path.lit(part);
            }
        }
        if segments.next().is_some() {
            path.error.get_or_insert(ToolError::Internal(format!(
                "path template `{template}` has fewer `{{}}` than values"
            )));
        }
        path
    }

    /// The encoded path text, e.g. `/lookml_models/thelook`; `/` for the root.
    pub fn as_str(&self) -> &str {
        if self.text.is_empty() {
            "/"
        } else {
            &self.text
        }
    }

    /// The path text, or [`ToolError::InvalidArguments`] when a segment was empty, `.` or `..`
    /// ([`ToolError::Internal`] when a [`path!`](crate::path!) template and its values do not match).
    pub fn check(&self) -> Result<&str, ToolError> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(self.as_str()),
        }
    }
}

/// Builds a [`Path`] from a template whose `{}` placeholders are filled with percent-encoded
/// values (anything that implements `Display`).
///
/// ```
/// use looker_mcp_plugin_sdk::path;
///
/// let p = path!("/users/{}/roles", 42);
/// assert_eq!(p.as_str(), "/users/42/roles");
/// assert!(path!("/lookml_models/{}", "..").check().is_err());
/// ```
#[macro_export]
macro_rules! path {
    ($template:literal $(, $segment:expr)* $(,)?) => {
        $crate::Path::format($template, &[$(::std::string::ToString::to_string(&$segment)),*])
    };
}

impl From<&'static str> for Path {
    /// A static path written in the plugin's source, e.g. `"/connections"`; not encoded.
    fn from(literal: &'static str) -> Self {
        Self::root().lit(literal)
    }
}

impl fmt::Debug for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why `segment` cannot be one path segment, if it cannot.
fn check_segment(segment: &str) -> Result<(), String> {
    match segment {
        "" => Err("a path segment must not be empty".to_owned()),
        "." | ".." => Err(format!("`{segment}` is not allowed as a name")),
        _ => Ok(()),
    }
}

/// Appends `segment` to `out`, percent-encoding every byte outside RFC 3986's unreserved set.
fn encode_into(segment: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in segment.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_dangerous() {
        let p = Path::root().lit("x").seg("a/b?c#d%e f&g=h+i:j@k");
        assert_eq!(p.as_str(), "/x/a%2Fb%3Fc%23d%25e%20f%26g%3Dh%2Bi%3Aj%40k");
        assert!(p.check().is_ok());
    }

    #[test]
    fn keeps_unreserved_and_encodes_utf8() {
        assert_eq!(Path::root().seg("Az09-._~").as_str(), "/Az09-._~");
        assert_eq!(Path::root().seg("é").as_str(), "/%C3%A9");
        assert_eq!(Path::root().seg("a..b").check(), Ok("/a..b"));
    }

    #[test]
    fn traversal_cannot_be_produced() {
        for bad in ["", ".", ".."] {
            let p = Path::root().lit("lookml_models").seg(bad).lit("explores");
            assert!(
                matches!(p.check(), Err(ToolError::InvalidArguments(_))),
                "{bad:?}"
            );
        }
        // Dots inside a segment with a slash stay inside the segment.
        let p = Path::root().seg("../../users");
        assert_eq!(p.check(), Ok("/..%2F..%2Fusers"));
    }

    #[test]
    fn macro_matches_builder() {
        let (m, e) = ("thelook", "order items");
        let p = path!("/lookml_models/{}/explores/{}", m, e);
        assert_eq!(
            p.check(),
            Ok("/lookml_models/thelook/explores/order%20items")
        );
        assert_eq!(
            p,
            Path::root()
                .lit("lookml_models")
                .seg(m)
                .lit("/explores/")
                .seg(e)
        );
        assert_eq!(path!("/user").as_str(), "/user");
        assert_eq!(path!("/users/{}/roles", 7u32).as_str(), "/users/7/roles");
    }

    #[test]
    fn template_count_mismatch_is_an_error() {
        let few = Path::format("/a/{}/{}", &["x".to_owned()]);
        assert!(matches!(few.check(), Err(ToolError::Internal(_))));
        let many = Path::format("/a/{}", &["x".to_owned(), "y".to_owned()]);
        assert!(matches!(many.check(), Err(ToolError::Internal(_))));
    }

    /// Reads an encoded segment back, byte for byte.
    fn decode(encoded: &str) -> Vec<u8> {
        let bytes = encoded.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        out
    }

    proptest::proptest! {
        /// Whatever a tool argument holds, it becomes exactly one segment, made only of
        /// unreserved characters and `%XX`, that decodes back to the argument; or, for the three
        /// names that cannot be one segment, a specific error.
        #[test]
        fn any_argument_stays_one_escaped_segment(segment in "(\\PC|[/?#%.:@ ]){0,24}") {
            let path = Path::root().lit("lookml_models").seg(&segment).lit("explores");
            match path.check() {
                Err(ToolError::InvalidArguments(why)) => {
                    proptest::prop_assert!(matches!(segment.as_str(), "" | "." | ".."));
                    proptest::prop_assert!(why.contains("segment") || why.contains("not allowed"));
                }
                Err(other) => proptest::prop_assert!(false, "unexpected error {other}"),
                Ok(text) => {
                    let parts: Vec<&str> = text.split('/').collect();
                    proptest::prop_assert_eq!(parts.len(), 4, "{}", text);
                    proptest::prop_assert_eq!(parts[1], "lookml_models");
                    proptest::prop_assert_eq!(parts[3], "explores");
                    proptest::prop_assert!(parts[2].bytes().all(|b| b.is_ascii_alphanumeric()
                        || matches!(b, b'-' | b'.' | b'_' | b'~' | b'%')));
                    proptest::prop_assert_eq!(decode(parts[2]), segment.as_bytes());
                }
            }
        }

        #[test]
        fn templates_and_builders_agree(a in "\\PC{1,12}", b in "\\PC{1,12}") {
            let built = Path::root().lit("folders").seg(&a).lit("children").seg(&b);
            proptest::prop_assert_eq!(path!("/folders/{}/children/{}", a, b), built);
        }
    }

    #[test]
    fn root_and_static() {
        assert_eq!(Path::root().as_str(), "/");
        assert_eq!(Path::from("/lookml_models/").as_str(), "/lookml_models");
    }
}

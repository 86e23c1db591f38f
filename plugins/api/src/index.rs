//! The API index built by `build.rs`: every operation of the vendored Looker spec and every
//! component schema, parsed once per instance from text embedded in the component.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

static OPS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/ops.json"));
static SCHEMAS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/schemas.json"));

/// One operation of the Looker API.
#[derive(Debug, Deserialize)]
pub struct Operation {
    /// The operation id, e.g. `dashboard`.
    pub id: &'static str,
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: &'static str,
    /// The path template relative to the API root, e.g. `/dashboards/{dashboard_id}`.
    pub path: &'static str,
    pub summary: &'static str,
    #[serde(default)]
    pub tag: &'static str,
    #[serde(default)]
    pub description: String,
    pub params: Vec<Param>,
    /// The request body's schema (compact form, see `build.rs`).
    #[serde(default)]
    pub body: Option<Value>,
    #[serde(default)]
    pub body_type: Option<&'static str>,
    #[serde(default)]
    pub body_required: bool,
    /// The success answer's schema.
    #[serde(default)]
    pub response: Option<Value>,
    #[serde(default)]
    pub deprecated: bool,
}

/// One parameter: `[name, in, type, required]`.
#[derive(Debug, Deserialize)]
pub struct Param(
    pub &'static str,
    pub &'static str,
    pub &'static str,
    pub bool,
);

impl Param {
    pub fn name(&self) -> &'static str {
        self.0
    }
    /// `path` or `query`.
    pub fn location(&self) -> &'static str {
        self.1
    }
    pub fn type_name(&self) -> &'static str {
        self.2
    }
    pub fn required(&self) -> bool {
        self.3
    }
}

impl Operation {
    /// The parameters that sit in `location` (`path` or `query`).
    pub fn params_in(&self, location: &str) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(move |p| p.location() == location)
    }
}

/// Every operation, in spec order.
pub fn operations() -> &'static [Operation] {
    static OPS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPS.get_or_init(|| serde_json::from_str(OPS_JSON).expect("build.rs writes a valid index"))
}

/// Path parameters a concrete path filled: (name, value).
pub type Filled = Vec<(String, String)>;

/// The operation with id `id`.
pub fn by_id(id: &str) -> Option<&'static Operation> {
    operations().iter().find(|op| op.id == id)
}

/// The operation whose method is `method` and whose template matches `path`, with the path
/// parameters the concrete segments fill (`/dashboards/12` → `dashboard_id` = `12`). A literal
/// template segment wins over a parameter (`/users/me` before `/users/{user_id}`).
pub fn by_route(method: &str, path: &str) -> Option<(&'static Operation, Filled)> {
    let wanted: Vec<&str> = segments(path).collect();
    let mut best: Option<(&Operation, Filled, usize)> = None;
    for op in operations()
        .iter()
        .filter(|op| op.method.eq_ignore_ascii_case(method))
    {
        let template: Vec<&str> = segments(op.path).collect();
        if template.len() != wanted.len() {
            continue;
        }
        let mut filled = Vec::new();
        let mut literals = 0;
        let matched = template.iter().zip(&wanted).all(|(t, w)| {
            if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                if w.starts_with('{') && w.ends_with('}') {
                    return true; // a template given back as is; values come from path_params
                }
                filled.push((name.to_owned(), (*w).to_owned()));
                true
            } else {
                literals += 1;
                t == w
            }
        });
        if matched && best.as_ref().is_none_or(|(_, _, l)| literals > *l) {
            best = Some((op, filled, literals));
        }
    }
    best.map(|(op, filled, _)| (op, filled))
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// Component schema `name` (compact form).
pub fn schema(name: &str) -> Option<Value> {
    static SCHEMAS: OnceLock<HashMap<&'static str, &'static RawValue>> = OnceLock::new();
    let raw = SCHEMAS
        .get_or_init(|| serde_json::from_str(SCHEMAS_JSON).expect("build.rs writes valid schemas"))
        .get(name)?;
    serde_json::from_str(raw.get()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_holds_the_whole_spec() {
        assert!(operations().len() > 450, "{}", operations().len());
        let op = by_id("dashboard").unwrap();
        assert_eq!((op.method, op.path), ("GET", "/dashboards/{dashboard_id}"));
        assert!(schema("Dashboard").unwrap()["properties"]["title"].is_object());
    }

    #[test]
    fn routes_prefer_literal_segments() {
        let (op, filled) = by_route("get", "/dashboards/12").unwrap();
        assert_eq!(op.id, "dashboard");
        assert_eq!(filled, [("dashboard_id".to_owned(), "12".to_owned())]);
        assert_eq!(by_route("GET", "/user").unwrap().0.id, "me");
        assert!(by_route("GET", "/nowhere/at/all").is_none());
    }
}

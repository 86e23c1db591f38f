//! Input schemas built in one vocabulary: an [`object`] with `required`, `optional` and
//! defaulted arguments, each of a [`Ty`] (refined into a [`Prop`] with bounds when needed).
//!
//! The shapes are the ones the reference server (looker-mcp-server 0.25.0) uses, so a schema
//! built here equals the reference's once our `description`s (and bounds) are removed:
//!
//! ```
//! use looker_mcp_plugin_sdk::schema::{self, Ty};
//! use serde_json::json;
//!
//! const LIMIT: u32 = 100;
//! let s = schema::object()
//!     .required("user_id", Ty::Str, "Looker user id.")
//!     .optional("email", Ty::Str, "Exact email.")
//!     .with_default("limit", Ty::Int.min(1), LIMIT, "Most users to return.")
//!     .into_value();
//! assert_eq!(s, json!({
//!     "type": "object",
//!     "properties": {
//!         "user_id": {"type": "string", "description": "Looker user id."},
//!         "email": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null,
//!                   "description": "Exact email."},
//!         "limit": {"type": "integer", "minimum": 1, "default": 100,
//!                   "description": "Most users to return."}
//!     },
//!     "required": ["user_id"],
//!     "additionalProperties": false
//! }));
//! ```
//!
//! Static JSON text ([`Schema::Text`]) stays possible for a shape this vocabulary lacks.

use serde_json::{Map, Value, json};

use crate::Schema;

/// The JSON type of one argument value, in the shapes the reference server uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// `{"type": "string"}`.
    Str,
    /// `{"type": "boolean"}`.
    Bool,
    /// `{"type": "integer"}`.
    Int,
    /// `{"type": "number"}`.
    Num,
    /// An array of strings.
    StrList,
    /// An array of integers.
    IntList,
    /// An object whose values are strings (`additionalProperties: {"type": "string"}`).
    StrMap,
    /// Any JSON object (`additionalProperties: true`).
    Object,
    /// An array of any JSON objects.
    ObjectList,
    /// One of these strings.
    Enum(&'static [&'static str]),
    /// An array of these strings.
    EnumList(&'static [&'static str]),
}

impl Ty {
    /// The JSON Schema of a value of this type.
    pub fn to_value(self) -> Value {
        let any_object = || json!({"type": "object", "additionalProperties": true});
        match self {
            Self::Str => json!({"type": "string"}),
            Self::Bool => json!({"type": "boolean"}),
            Self::Int => json!({"type": "integer"}),
            Self::Num => json!({"type": "number"}),
            Self::StrList => json!({"type": "array", "items": {"type": "string"}}),
            Self::IntList => json!({"type": "array", "items": {"type": "integer"}}),
            Self::StrMap => json!({"type": "object", "additionalProperties": {"type": "string"}}),
            Self::Object => any_object(),
            Self::ObjectList => json!({"type": "array", "items": any_object()}),
            Self::Enum(values) => json!({"type": "string", "enum": values}),
            Self::EnumList(values) => {
                json!({"type": "array", "items": {"type": "string", "enum": values}})
            }
        }
    }

    /// With an inclusive lower bound (`minimum`), e.g. `Ty::Int.min(1)`.
    pub fn min(self, n: impl Into<Value>) -> Prop {
        Prop::from(self).min(n)
    }

    /// With an inclusive upper bound (`maximum`).
    pub fn max(self, n: impl Into<Value>) -> Prop {
        Prop::from(self).max(n)
    }

    /// With an exclusive lower bound (`exclusiveMinimum`), e.g. `Ty::Num.above(0)`.
    pub fn above(self, n: impl Into<Value>) -> Prop {
        Prop::from(self).above(n)
    }

    /// A string of at least `n` characters (`minLength`), e.g. `Ty::Str.min_len(1)`.
    pub fn min_len(self, n: u32) -> Prop {
        Prop::from(self).min_len(n)
    }

    /// A string matching `regex` (`pattern`).
    pub fn pattern(self, regex: &str) -> Prop {
        Prop::from(self).pattern(regex)
    }

    /// An array of at least `n` items (`minItems`).
    pub fn min_items(self, n: u32) -> Prop {
        Prop::from(self).min_items(n)
    }
}

/// The schema of one argument value: a [`Ty`] with bounds, or any JSON Schema ([`Prop::json`])
/// for a shape [`Ty`] lacks. [`ObjectSchema`] adds the description, default and nullability.
#[derive(Debug, Clone, PartialEq)]
pub struct Prop(Map<String, Value>);

impl Prop {
    /// Any JSON Schema object, e.g. `Prop::json(json!({"type": "array", "items": …}))`.
    /// Anything but an object is a programming error and panics when the group is built.
    pub fn json(schema: Value) -> Self {
        match schema {
            Value::Object(map) => Self(map),
            other => panic!("a property schema must be a JSON object, got {other}"),
        }
    }

    /// With an inclusive lower bound (`minimum`).
    pub fn min(self, n: impl Into<Value>) -> Self {
        self.with("minimum", n.into())
    }

    /// With an inclusive upper bound (`maximum`).
    pub fn max(self, n: impl Into<Value>) -> Self {
        self.with("maximum", n.into())
    }

    /// With an exclusive lower bound (`exclusiveMinimum`).
    pub fn above(self, n: impl Into<Value>) -> Self {
        self.with("exclusiveMinimum", n.into())
    }

    /// A string of at least `n` characters (`minLength`).
    pub fn min_len(self, n: u32) -> Self {
        self.with("minLength", n.into())
    }

    /// A string matching `regex` (`pattern`).
    pub fn pattern(self, regex: &str) -> Self {
        self.with("pattern", regex.into())
    }

    /// An array of at least `n` items (`minItems`).
    pub fn min_items(self, n: u32) -> Self {
        self.with("minItems", n.into())
    }

    /// With any other JSON Schema keyword.
    pub fn with(mut self, keyword: &str, value: Value) -> Self {
        self.0.insert(keyword.to_owned(), value);
        self
    }

    /// The schema as a JSON value.
    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

impl From<Ty> for Prop {
    fn from(ty: Ty) -> Self {
        Self::json(ty.to_value())
    }
}

/// An object schema with no properties yet: `{"type": "object", "properties": {},
/// "additionalProperties": false}`. Add arguments with [`ObjectSchema::required`],
/// [`ObjectSchema::optional`] and [`ObjectSchema::with_default`]; `required` is listed only
/// when an argument is required (as the reference server does).
pub fn object() -> ObjectSchema {
    ObjectSchema {
        properties: Map::new(),
        required: Vec::new(),
    }
}

/// An argument object's schema under construction (see [`object`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectSchema {
    properties: Map<String, Value>,
    required: Vec<String>,
}

impl ObjectSchema {
    /// A required argument: `{<ty>, "description": …}`, listed in `required`.
    pub fn required(mut self, name: &str, ty: impl Into<Prop>, description: &str) -> Self {
        self.required.push(name.to_owned());
        self.property(name, ty.into(), description)
    }

    /// An optional argument that may be absent or `null`:
    /// `{"anyOf": [<ty>, {"type": "null"}], "default": null, "description": …}`.
    pub fn optional(self, name: &str, ty: impl Into<Prop>, description: &str) -> Self {
        let prop = Prop::json(json!({
            "anyOf": [ty.into().into_value(), {"type": "null"}],
            "default": null,
        }));
        self.property(name, prop, description)
    }

    /// An optional argument with a default: `{<ty>, "default": value, "description": …}`. Keep
    /// the value in one constant that the argument type's serde default also uses.
    pub fn with_default(
        self,
        name: &str,
        ty: impl Into<Prop>,
        value: impl Into<Value>,
        description: &str,
    ) -> Self {
        let prop = ty.into().with("default", value.into());
        self.property(name, prop, description)
    }

    /// The same arguments as `other` (e.g. a shared set such as a project and a user), after
    /// these; `other`'s required ones stay required.
    pub fn extend(mut self, other: ObjectSchema) -> Self {
        self.properties.extend(other.properties);
        self.required.extend(other.required);
        self
    }

    /// The schema as a JSON value.
    pub fn into_value(self) -> Value {
        let mut schema = json!({
            "type": "object",
            "properties": self.properties,
            "additionalProperties": false,
        });
        if !self.required.is_empty() {
            schema["required"] = json!(self.required);
        }
        schema
    }

    fn property(mut self, name: &str, prop: Prop, description: &str) -> Self {
        let prop = prop.with("description", description.into());
        self.properties.insert(name.to_owned(), prop.into_value());
        self
    }
}

impl From<ObjectSchema> for Schema {
    fn from(schema: ObjectSchema) -> Self {
        Schema::Value(schema.into_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_arguments_is_an_empty_closed_object() {
        assert_eq!(
            object().into_value(),
            json!({"type": "object", "properties": {}, "additionalProperties": false})
        );
    }

    #[test]
    fn optional_wraps_the_type_and_its_bounds_in_any_of() {
        let s = object()
            .optional("ids", Ty::IntList, "d")
            .optional("title", Ty::Str.min_len(1), "t")
            .into_value();
        assert_eq!(
            s["properties"]["ids"],
            json!({"anyOf": [{"type": "array", "items": {"type": "integer"}}, {"type": "null"}],
                   "default": null, "description": "d"})
        );
        assert_eq!(
            s["properties"]["title"]["anyOf"][0],
            json!({"type": "string", "minLength": 1})
        );
        assert!(s.get("required").is_none());
    }

    #[test]
    fn every_type_has_the_reference_shape() {
        let s = object()
            .with_default("format", Ty::Enum(&["png", "jpg"]), "png", "f")
            .optional("kinds", Ty::EnumList(&["look"]), "k")
            .optional("attrs", Ty::StrMap, "a")
            .optional("body", Ty::Object, "b")
            .required("rows", Ty::ObjectList, "r")
            .with_default("wait", Ty::Num.above(0), 30.0, "w")
            .into_value();
        let p = &s["properties"];
        assert_eq!(p["format"]["enum"], json!(["png", "jpg"]));
        assert_eq!(p["format"]["default"], "png");
        assert_eq!(
            p["kinds"]["anyOf"][0]["items"],
            json!({"type": "string", "enum": ["look"]})
        );
        assert_eq!(
            p["attrs"]["anyOf"][0]["additionalProperties"],
            json!({"type": "string"})
        );
        assert_eq!(p["body"]["anyOf"][0]["additionalProperties"], true);
        assert_eq!(p["rows"]["items"]["additionalProperties"], true);
        assert_eq!(p["wait"]["exclusiveMinimum"], 0);
        assert_eq!(s["required"], json!(["rows"]));
    }

    #[test]
    fn extend_keeps_shared_arguments_and_their_requirements() {
        let project = object().required("project_id", Ty::Str, "p");
        let s = object()
            .required("name", Ty::Str, "n")
            .extend(project)
            .into_value();
        assert_eq!(s["required"], json!(["name", "project_id"]));
    }
}

//! Looker filter values: one encoder for every tool that sends `filters` to Looker.
//!
//! A Looker filter value is a small expression language: `,` separates alternatives (an `IN`
//! list), `%` and `_` are wildcards, `-` negates, `>5`, `NULL`, `EMPTY`, date phrases… and `^`
//! escapes the next character, so `^,` is a literal comma, `^_` a literal underscore and `^^` a
//! literal caret. Building filter values by string concatenation gets this wrong in both
//! directions: `"Smith, John"` silently becomes the list `Smith` or ` John`, and a value with an
//! underscore matches more than it should. This module is the one place that encodes them.
//!
//! - [`literal`]: an exact value; every special character (`^ _ % ,`) is escaped.
//! - [`any_of`]: an `IN` list of exact values.
//! - [`expression`]: one filter condition written in Looker's syntax (`>100`, `-Cancelled`,
//!   `%shoes%`, `NULL`, `last 7 days`) whose commas stay literal, so it never turns into a list.
//! - [`encode`] / [`encode_filters`]: what tools do with a `filters` argument: a string is an
//!   [`expression`], a list of strings is [`any_of`] its items, numbers and booleans are their
//!   text.
//!
//! ```
//! use looker_mcp_plugin_sdk::filters;
//! use serde_json::json;
//!
//! assert_eq!(filters::literal("50%_off, today"), "50^%^_off^, today");
//! assert_eq!(filters::any_of(["Smith, John", "Doe"]), "Smith^, John,Doe");
//! assert_eq!(filters::expression(">100"), ">100");
//! assert_eq!(filters::expression("Smith, John"), "Smith^, John");
//! assert_eq!(filters::encode(&json!(["Complete", "Pending"])).unwrap(), "Complete,Pending");
//! ```

use serde_json::{Map, Value};

use crate::ToolError;

/// The characters Looker's filter syntax gives a meaning to that `^` can escape.
const SPECIAL: [char; 4] = ['^', '_', '%', ','];

/// An exact value: `^` before each of `^ _ % ,`. The result matches `value` and nothing else
/// (for string fields), whatever characters it contains.
///
/// ```
/// use looker_mcp_plugin_sdk::filters::literal;
/// assert_eq!(literal("a_b%c,d^e"), "a^_b^%c^,d^^e");
/// assert_eq!(literal("plain"), "plain");
/// ```
pub fn literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        if SPECIAL.contains(&c) {
            out.push('^');
        }
        out.push(c);
    }
    out
}

/// An `IN` list of exact values: each one [`literal`]-escaped, joined with `,`. An empty list
/// gives an empty string (Looker then applies no filter).
///
/// ```
/// use looker_mcp_plugin_sdk::filters::any_of;
/// assert_eq!(any_of(["a,b", "c"]), "a^,b,c");
/// assert_eq!(any_of(Vec::<String>::new()), "");
/// ```
pub fn any_of<I, S>(values: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    values
        .into_iter()
        .map(|v| literal(v.as_ref()))
        .collect::<Vec<_>>()
        .join(",")
}

/// One filter condition in Looker's syntax, kept as written except that a comma that is not
/// already escaped becomes `^,`: the condition never splits into a list. Escapes the caller
/// wrote (`^_`, `^,`, `^^`, …) are left alone; a trailing lone `^` is escaped.
///
/// ```
/// use looker_mcp_plugin_sdk::filters::expression;
/// assert_eq!(expression("-Cancelled"), "-Cancelled");
/// assert_eq!(expression("%shoes%"), "%shoes%");
/// assert_eq!(expression("Acme, Inc."), "Acme^, Inc.");
/// assert_eq!(expression("Acme^, Inc."), "Acme^, Inc.");
/// assert_eq!(expression("up^"), "up^^");
/// ```
pub fn expression(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '^' => match chars.next() {
                Some(next) => {
                    out.push('^');
                    out.push(next);
                }
                None => out.push_str("^^"),
            },
            ',' => out.push_str("^,"),
            c => out.push(c),
        }
    }
    out
}

/// Encodes one filter value given as JSON: a string is an [`expression`], an array of strings
/// is [`any_of`] its items, a number or boolean is its text. Anything else (null, an object, an
/// array holding non-strings) is an error message naming what was wrong.
///
/// ```
/// use looker_mcp_plugin_sdk::filters::encode;
/// use serde_json::json;
/// assert_eq!(encode(&json!("a,b")).unwrap(), "a^,b");
/// assert_eq!(encode(&json!(["a,b", "c"])).unwrap(), "a^,b,c");
/// assert_eq!(encode(&json!(42)).unwrap(), "42");
/// assert!(encode(&json!(null)).is_err());
/// ```
pub fn encode(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(expression(s)),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Array(items) => {
            let texts: Option<Vec<String>> = items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                })
                .collect();
            texts
                .map(any_of)
                .ok_or_else(|| "a list of filter values must hold strings only".to_owned())
        }
        Value::Null => Err("a filter value must be a string or a list of strings, not null".into()),
        Value::Object(_) => {
            Err("a filter value must be a string or a list of strings, not an object".into())
        }
    }
}

/// Encodes a whole `filters` argument (`{"view.field": value}`) into the string map Looker's
/// `Query.filters` expects, with [`encode`] applied to each value. An error is
/// [`ToolError::InvalidArguments`] naming the field.
///
/// ```
/// use looker_mcp_plugin_sdk::filters::encode_filters;
/// use serde_json::json;
/// let given = json!({"users.name": "Smith, John", "orders.status": ["complete", "in_progress"]});
/// let encoded = encode_filters(given.as_object().unwrap()).unwrap();
/// assert_eq!(encoded["users.name"], "Smith^, John");
/// assert_eq!(encoded["orders.status"], "complete,in^_progress");
/// ```
pub fn encode_filters(filters: &Map<String, Value>) -> Result<Map<String, Value>, ToolError> {
    filters
        .iter()
        .map(|(field, value)| {
            encode(value)
                .map(|text| (field.clone(), Value::String(text)))
                .map_err(|why| ToolError::InvalidArguments(format!("`filters.{field}`: {why}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// How Looker reads a filter value back: the alternatives, with escapes resolved.
    fn decode(encoded: &str) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut chars = encoded.chars();
        while let Some(c) = chars.next() {
            match c {
                '^' => out.last_mut().unwrap().extend(chars.next()),
                ',' => out.push(String::new()),
                c => out.last_mut().unwrap().push(c),
            }
        }
        out
    }

    #[test]
    fn literal_round_trips_every_special_character() {
        for value in [
            "",
            "plain",
            "a,b",
            "50%",
            "snake_case",
            "^",
            "^^,",
            "x^,y",
            "é, ü_%",
        ] {
            assert_eq!(decode(&literal(value)), [value], "{value:?}");
        }
    }

    #[test]
    fn a_comma_never_makes_a_list_unless_given_as_a_list() {
        assert_eq!(decode(&expression("Smith, John")), ["Smith, John"]);
        assert_eq!(decode(&encode(&json!("a,b,c")).unwrap()), ["a,b,c"]);
        assert_eq!(decode(&encode(&json!(["a,b", "c"])).unwrap()), ["a,b", "c"]);
    }

    #[test]
    fn expressions_keep_their_syntax_and_escapes() {
        for kept in [
            ">100",
            "-Cancelled",
            "%shoes%",
            "NULL",
            "last 7 days",
            "a^_b",
            "a^,b",
        ] {
            assert_eq!(expression(kept), kept);
        }
        assert_eq!(expression("a,b^"), "a^,b^^");
        assert_eq!(expression(""), "");
    }

    #[test]
    fn list_items_are_exact_values() {
        assert_eq!(any_of(["in_progress", "100%"]), "in^_progress,100^%");
        assert_eq!(encode(&json!([1, true])).unwrap(), "1,true");
        assert!(encode(&json!([{"a": 1}])).is_err());
        assert!(encode(&json!({"a": 1})).is_err());
    }

    /// Scalars and small nested values, any JSON a model might send as a filter.
    fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map("[a-z.]{1,6}", inner, 0..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn a_literal_matches_itself_and_nothing_more(value in "(\\PC|[\\^_%,])*") {
            proptest::prop_assert_eq!(decode(&literal(&value)), [value]);
        }

        #[test]
        fn a_list_keeps_its_items(values in proptest::collection::vec("(\\PC|[\\^_%,])*", 1..6)) {
            proptest::prop_assert_eq!(decode(&any_of(&values)), values);
        }

        /// An expression is one condition, however many commas or carets it holds, and
        /// encoding it twice changes nothing.
        #[test]
        fn an_expression_is_never_a_list(text in "(\\PC|[\\^_%,])*") {
            let once = expression(&text);
            proptest::prop_assert_eq!(decode(&once).len(), 1, "{}", once);
            proptest::prop_assert_eq!(expression(&once), once);
        }

        /// Any JSON value either encodes or gets an error naming what it was; a `filters` map
        /// with a bad value names the field.
        #[test]
        fn any_json_encodes_or_says_why(value in any_json()) {
            let scalar = |v: &Value| v.is_string() || v.is_number() || v.is_boolean();
            let encodable = scalar(&value)
                || value.as_array().is_some_and(|items| items.iter().all(scalar));
            match encode(&value) {
                Ok(_) => proptest::prop_assert!(encodable, "{}", value),
                Err(why) => {
                    proptest::prop_assert!(!encodable, "{}", value);
                    proptest::prop_assert!(why.starts_with("a "), "{}", why);
                    let map: Map<String, Value> = [("v.f".to_owned(), value)].into_iter().collect();
                    let err = encode_filters(&map).unwrap_err();
                    proptest::prop_assert!(
                        matches!(&err, ToolError::InvalidArguments(m) if m.starts_with("`filters.v.f`: ")),
                        "{}", err
                    );
                }
            }
        }
    }

    #[test]
    fn whole_maps_name_the_bad_field() {
        let bad = json!({"orders.status": null});
        let err = encode_filters(bad.as_object().unwrap()).unwrap_err();
        assert!(
            matches!(&err, ToolError::InvalidArguments(m) if m.contains("filters.orders.status")),
            "{err}"
        );
        let empty = encode_filters(&Map::new()).unwrap();
        assert!(empty.is_empty());
    }
}

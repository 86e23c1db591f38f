//! Validation messages an assistant can act on in one go.
//!
//! jsonschema's own messages are mostly right, with two exceptions this module fixes:
//!
//! - an `enum` failure names three allowed values and "N other candidates"; here it lists every
//!   allowed value, so the assistant can pick one without another round trip;
//! - a value refused by `anyOf: [{…}, {"type": "null"}]` (an optional argument) reads "is not
//!   valid under any of the schemas listed in the 'anyOf' keyword"; here it reads as the
//!   non-null branch's own problem (e.g. `"x" is not of type "integer"`), with "or null" where
//!   the type is named.

use jsonschema::ValidationError;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::Value;

/// The message for one validation error, without its location.
pub fn describe(error: &ValidationError<'_>) -> String {
    match error.kind() {
        ValidationErrorKind::Enum { options } => not_one_of(error.instance(), options),
        ValidationErrorKind::AnyOf { context } => {
            let mut real = context.iter().filter(|branch| !only_null_refusal(branch));
            match (real.next(), real.next()) {
                (Some(branch), None) if context.len() > 1 && !branch.is_empty() => branch
                    .iter()
                    .map(|e| {
                        let message = describe(e);
                        match e.kind() {
                            ValidationErrorKind::Type { .. } => format!("{message} or null"),
                            _ => message,
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                _ => error.to_string(),
            }
        }
        _ => error.to_string(),
    }
}

/// `"x" is not one of "a", "b", "c", "d" or "e"`: every allowed value.
pub fn not_one_of(instance: &Value, options: &Value) -> String {
    let options: Vec<String> = options
        .as_array()
        .map(|o| o.iter().map(Value::to_string).collect())
        .unwrap_or_default();
    let listed = match options.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    };
    format!("{instance} is not one of {listed}")
}

/// Whether a branch's errors are just "is not of type null" (the branch admits only null).
fn only_null_refusal(branch: &[ValidationError<'static>]) -> bool {
    !branch.is_empty()
        && branch.iter().all(|e| {
            matches!(
                e.kind(),
                ValidationErrorKind::Type {
                    kind: TypeKind::Single(jsonschema::JsonType::Null)
                }
            )
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn messages(schema: Value, instance: Value) -> Vec<String> {
        let validator = jsonschema::validator_for(&schema).unwrap();
        validator
            .iter_errors(&instance)
            .map(|e| describe(&e))
            .collect()
    }

    #[test]
    fn enum_errors_list_every_allowed_value() {
        let schema = json!({"enum": ["slow", "errors", "frequent", "expensive", "by_user"]});
        assert_eq!(
            messages(schema, json!("user")),
            [r#""user" is not one of "slow", "errors", "frequent", "expensive" or "by_user""#]
        );
    }

    #[test]
    fn optional_enum_errors_list_every_allowed_value() {
        let schema = json!({"anyOf": [{"type": "string", "enum": ["a", "b", "c", "d", "e"]}, {"type": "null"}]});
        let got = messages(schema, json!("z"));
        assert_eq!(got, [r#""z" is not one of "a", "b", "c", "d" or "e""#]);
    }

    #[test]
    fn optional_type_errors_read_as_the_type_or_null() {
        let schema = json!({"anyOf": [{"type": "integer"}, {"type": "null"}]});
        let got = messages(schema, json!("ten"));
        assert_eq!(got, [r#""ten" is not of type "integer" or null"#]);
    }

    #[test]
    fn other_any_of_errors_keep_jsonschema_words() {
        let schema = json!({"anyOf": [{"type": "integer"}, {"type": "boolean"}]});
        let got = messages(schema, json!("x"));
        assert!(got[0].contains("anyOf"), "{got:?}");
    }
}

//! Looker filter expressions, as far as the simulator understands them.

use serde_json::Value;

use super::FieldInfo;
use crate::http::Resp;

/// Looker rejects unescaped `_` and `%` in values of `type: unquoted` parameters.
pub(super) fn check_parameter_value(name: &str, ty: &str, value: &str) -> Result<(), Resp> {
    if ty != "unquoted" {
        return Ok(());
    }
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '^' => {
                chars.next();
            }
            '_' | '%' => {
                return Err(Resp::bad_request(format!(
                    "The filter \"{value}\" is not allowed for parameter \"{name}\"."
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether a value passes a Looker filter expression. Strings: comma-separated alternatives,
/// `-` negates, `%` and `_` are wildcards, `^` escapes the next character, `NULL`/`EMPTY`.
/// Numbers: `5`, `>5`, `<=5`, `NOT 5`, alternatives separated by commas. Date filters are
/// accepted and not applied.
pub(super) fn filter_matches(f: &FieldInfo, value: &Value, expr: &str) -> bool {
    if f.ty.starts_with("date") || expr.trim().is_empty() {
        return true;
    }
    let numeric = matches!(f.ty.as_str(), "number" | "count" | "sum" | "average");
    let terms = split_unescaped(expr);
    let mut positives = Vec::new();
    let mut negatives = Vec::new();
    for term in terms {
        let t = term.trim().to_string();
        if let Some(rest) = t.strip_prefix('-').filter(|_| !numeric) {
            negatives.push(rest.to_string());
        } else if let Some(rest) = t.strip_prefix("NOT ").filter(|_| numeric) {
            negatives.push(rest.trim().to_string());
        } else {
            positives.push(t);
        }
    }
    let term_matches = |t: &str| {
        if numeric {
            number_term(value, t)
        } else {
            string_term(value, t)
        }
    };
    (positives.is_empty() || positives.iter().any(|t| term_matches(t)))
        && !negatives.iter().any(|t| term_matches(t))
}

fn split_unescaped(expr: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = expr.chars();
    while let Some(c) = chars.next() {
        match c {
            '^' => {
                out.last_mut().expect("non-empty").push('^');
                if let Some(n) = chars.next() {
                    out.last_mut().expect("non-empty").push(n);
                }
            }
            ',' => out.push(String::new()),
            c => out.last_mut().expect("non-empty").push(c),
        }
    }
    out
}

fn string_term(value: &Value, term: &str) -> bool {
    let text = crate::listing::display(value).to_lowercase();
    match term {
        "NULL" => value.is_null(),
        "EMPTY" => text.is_empty(),
        _ => {
            // Build a LIKE pattern where escaped characters are literal.
            let mut pattern: Vec<(char, bool)> = Vec::new();
            let mut chars = term.chars();
            while let Some(c) = chars.next() {
                match c {
                    '^' => pattern.extend(chars.next().map(|n| (n, true))),
                    c => pattern.push((c.to_ascii_lowercase(), false)),
                }
            }
            like_escaped(&text.chars().collect::<Vec<_>>(), &pattern)
        }
    }
}

fn like_escaped(text: &[char], pattern: &[(char, bool)]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((('%', false), rest)) => (0..=text.len()).any(|k| like_escaped(&text[k..], rest)),
        Some((('_', false), rest)) => !text.is_empty() && like_escaped(&text[1..], rest),
        Some(((c, _), rest)) => text.first() == Some(c) && like_escaped(&text[1..], rest),
    }
}

fn number_term(value: &Value, term: &str) -> bool {
    let Some(v) = value
        .as_f64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
    else {
        return term == "NULL";
    };
    let parse = |s: &str| s.trim().parse::<f64>().ok();
    let (op, rest) = [">=", "<=", "!=", ">", "<", "="]
        .iter()
        .find_map(|op| term.strip_prefix(op).map(|r| (*op, r)))
        .unwrap_or(("=", term));
    match parse(rest) {
        Some(x) => match op {
            ">=" => v >= x,
            "<=" => v <= x,
            ">" => v > x,
            "<" => v < x,
            "!=" => v != x,
            _ => v == x,
        },
        None => true,
    }
}

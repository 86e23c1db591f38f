//! Looker list conventions shared by many routes: the `fields` selector, `limit`/`offset` and
//! `page`/`per_page` paging, `sorts`, and `/search` parameter matching.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::http::{Req, Resp};

/// One entry of a `fields` selector: `name` or `name(child,child(...))`.
#[derive(Debug, PartialEq)]
pub(crate) struct FieldSel {
    pub name: String,
    pub children: Option<Vec<FieldSel>>,
}

/// Parses Looker's `fields` syntax, e.g. `name,explores(name,label),fields(dimensions(name))`.
pub(crate) fn parse_fields(spec: &str) -> Vec<FieldSel> {
    let chars: Vec<char> = spec.chars().collect();
    let mut pos = 0;
    parse_list(&chars, &mut pos)
}

fn parse_list(chars: &[char], pos: &mut usize) -> Vec<FieldSel> {
    let mut out = Vec::new();
    let mut name = String::new();
    while *pos < chars.len() {
        let c = chars[*pos];
        *pos += 1;
        match c {
            ',' => push_sel(&mut out, &mut name, None),
            '(' => {
                let children = parse_list(chars, pos);
                push_sel(&mut out, &mut name, Some(children));
            }
            ')' => break,
            c => name.push(c),
        }
    }
    push_sel(&mut out, &mut name, None);
    out
}

fn push_sel(out: &mut Vec<FieldSel>, name: &mut String, children: Option<Vec<FieldSel>>) {
    let trimmed = name.trim();
    if !trimmed.is_empty() {
        out.push(FieldSel {
            name: trimmed.to_string(),
            children,
        });
    }
    name.clear();
}

/// Keeps only the selected keys of an object (recursively), or of each object in an array.
pub(crate) fn apply_fields(value: &mut Value, sel: &[FieldSel]) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| apply_fields(v, sel)),
        Value::Object(obj) => {
            let old = std::mem::take(obj);
            for (k, mut v) in old {
                if let Some(s) = sel.iter().find(|s| s.name == k) {
                    if let Some(children) = &s.children {
                        apply_fields(&mut v, children);
                    }
                    obj.insert(k, v);
                }
            }
        }
        _ => {}
    }
}

/// Applies `limit`/`offset` (or the older `page`/`per_page`) to a list.
pub(crate) fn paginate(items: Vec<Value>, req: &Req) -> Result<Vec<Value>, Resp> {
    let number = |name: &str| -> Result<Option<usize>, Resp> {
        match req.query(name) {
            None | Some("") => Ok(None),
            Some(v) => v
                .trim()
                .parse::<usize>()
                .map(Some)
                .map_err(|_| Resp::bad_request(format!("Invalid value for {name}: {v:?}"))),
        }
    };
    let (offset, limit) = match (number("limit")?, number("offset")?) {
        (None, None) => match (number("page")?, number("per_page")?) {
            (page, Some(per_page)) => (
                page.unwrap_or(1).saturating_sub(1) * per_page,
                Some(per_page),
            ),
            _ => (0, None),
        },
        (limit, offset) => (offset.unwrap_or(0), limit),
    };
    let iter = items.into_iter().skip(offset);
    Ok(match limit {
        Some(limit) => iter.take(limit).collect(),
        None => iter.collect(),
    })
}

/// Sorts by a Looker `sorts` string: `"last_name desc, first_name"`.
pub(crate) fn sort_items(items: &mut [Value], sorts: &str) {
    let keys: Vec<(String, bool)> = sorts
        .split(',')
        .filter_map(|s| {
            let mut parts = s.split_whitespace();
            let field = parts.next()?.to_string();
            let desc = parts.next().is_some_and(|d| d.eq_ignore_ascii_case("desc"));
            Some((field, desc))
        })
        .collect();
    items.sort_by(|a, b| {
        for (field, desc) in &keys {
            let ord = compare_values(a.get(field), b.get(field));
            let ord = if *desc { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
}

/// Orders JSON values the way a database would: numbers (and numeric strings) numerically,
/// strings case-insensitively, nulls last.
pub(crate) fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(a), Some(b)) => match (as_number(a), as_number(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            _ => display(a).to_lowercase().cmp(&display(b).to_lowercase()),
        },
    }
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// A scalar as text (`"x"` → `x`, `1` → `1`, `true` → `true`).
pub(crate) fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Filters a list by `/search` query parameters. `searchable` maps each accepted parameter to
/// the object key it compares (`("group_id", "group_ids")`; `full_name` joins first and last
/// name). Strings match case-insensitively with SQL `LIKE` wildcards (`%` any run, `_` one
/// character), as Looker documents it: `email=ci_bot@example.com` also matches
/// `ci-bot@example.com`, so callers that need an exact match must check the results.
/// `filter_or=true` makes any criterion sufficient.
pub(crate) fn search(items: Vec<Value>, req: &Req, searchable: &[(&str, &str)]) -> Vec<Value> {
    let criteria: Vec<(&str, &str)> = req
        .query
        .iter()
        .filter_map(|(k, v)| {
            let (_, key) = searchable.iter().find(|(param, _)| param == k)?;
            Some((*key, v.as_str()))
        })
        .collect();
    if criteria.is_empty() {
        return items;
    }
    let any = req.query("filter_or") == Some("true");
    items
        .into_iter()
        .filter(|item| {
            let mut results = criteria.iter().map(|(k, pattern)| {
                let field = if *k == "full_name" {
                    full_name(item)
                } else {
                    item.get(*k).cloned()
                };
                value_matches(field.as_ref(), pattern)
            });
            if any {
                results.any(|m| m)
            } else {
                results.all(|m| m)
            }
        })
        .collect()
}

fn full_name(item: &Value) -> Option<Value> {
    let first = item.get("first_name").map(display).unwrap_or_default();
    let last = item.get("last_name").map(display).unwrap_or_default();
    Some(Value::String(format!("{first} {last}")))
}

fn value_matches(value: Option<&Value>, pattern: &str) -> bool {
    match value {
        None | Some(Value::Null) => pattern.eq_ignore_ascii_case("null"),
        Some(Value::Array(items)) => items.iter().any(|v| value_matches(Some(v), pattern)),
        Some(Value::Bool(b)) => pattern.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        Some(v) => like(&display(v).to_lowercase(), &pattern.to_lowercase()),
    }
}

/// SQL `LIKE` with `%` and `_`.
pub(crate) fn like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    let (mut ti, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '_' || p[pi] == t[ti]) {
            ti += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '%' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '%')
}

/// Copies the listed keys of an object (for summary shapes such as `DashboardBase`).
pub(crate) fn pick(value: &Value, keys: &[&str]) -> Value {
    let mut out = Map::new();
    for k in keys {
        if let Some(v) = value.get(*k) {
            out.insert((*k).to_string(), v.clone());
        }
    }
    Value::Object(out)
}

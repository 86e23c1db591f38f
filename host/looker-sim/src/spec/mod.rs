//! The contract table: every operation of the vendored Looker 4.0 spec (plus a few known extra
//! routes), reduced to what a request can be checked against: method, path template, declared
//! query parameters and declared top-level body properties.
//!
//! The 2 MB spec is embedded and parsed once per process (`OnceLock`). It is deserialized into
//! small typed structs that skip everything but the needed keys, so the parsed document never
//! exists as a whole and nothing but the compact table stays in memory.

mod load;

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use percent_encoding::percent_decode_str;

const SPEC_JSON: &str = include_str!("../../spec/Looker.4.0.oas.json");

/// One segment of a path template.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    Lit(String),
    Param(String),
}

/// What a request body may contain.
#[derive(Debug)]
pub(crate) enum BodyRule {
    /// A JSON object whose top-level keys must be among `props` (of schema `schema`).
    Object {
        schema: String,
        props: HashSet<String>,
    },
    /// Form fields whose names must be among the set.
    Form(HashSet<String>),
    /// Not checked: an array, a free-form object or a text body.
    Any,
}

/// A declared request body: accepted content types and the rule for its content.
#[derive(Debug)]
pub(crate) struct BodySpec {
    pub content_types: Vec<String>,
    pub rule: BodyRule,
}

/// One operation of the contract.
#[derive(Debug)]
pub(crate) struct Operation {
    pub method: String,
    pub template: String,
    pub segs: Vec<Seg>,
    pub query: HashSet<String>,
    pub body: Option<BodySpec>,
}

/// A request path matched to an operation, with its decoded path parameters.
pub(crate) struct RouteMatch {
    pub op: &'static Operation,
    pub params: Vec<(String, String)>,
}

/// Why a request path did not match an operation.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RouteError {
    NotFound,
    MethodNotAllowed { allowed: Vec<String> },
}

pub(crate) struct ContractTable {
    ops: Vec<Operation>,
    by_len: HashMap<usize, Vec<usize>>,
}

/// The process-wide contract table, built on first use.
pub(crate) fn table() -> &'static ContractTable {
    static TABLE: OnceLock<ContractTable> = OnceLock::new();
    TABLE.get_or_init(|| load::build(SPEC_JSON).expect("vendored Looker spec parses"))
}

impl ContractTable {
    /// Finds the operation for a method and a raw (still percent-encoded) path relative to
    /// `/api/4.0`. A template segment matches any single non-empty segment; when several
    /// templates match, the one with a literal at the first differing segment wins, the way
    /// `/users/search` beats `/users/{user_id}`. Only operations with the request's method
    /// compete, so `DELETE /users/search` still reaches `DELETE /users/{user_id}`.
    pub(crate) fn match_route(
        &'static self,
        method: &str,
        raw_path: &str,
    ) -> Result<RouteMatch, RouteError> {
        let Some(rest) = raw_path.strip_prefix('/') else {
            return Err(RouteError::NotFound);
        };
        let segs: Vec<&str> = rest.split('/').collect();
        let Some(candidates) = self.by_len.get(&segs.len()) else {
            return Err(RouteError::NotFound);
        };
        let mut best: Option<&Operation> = None;
        let mut allowed: Vec<String> = Vec::new();
        for &i in candidates {
            let op = &self.ops[i];
            if !segments_match(&op.segs, &segs) {
                continue;
            }
            if op.method != method {
                if !allowed.contains(&op.method) {
                    allowed.push(op.method.clone());
                }
                continue;
            }
            best = match best {
                Some(current) if !more_specific(&op.segs, &current.segs) => Some(current),
                _ => Some(op),
            };
        }
        match best {
            Some(op) => {
                let params = op
                    .segs
                    .iter()
                    .zip(&segs)
                    .filter_map(|(seg, raw)| match seg {
                        Seg::Param(name) => Some((name.clone(), decode(raw))),
                        Seg::Lit(_) => None,
                    })
                    .collect();
                Ok(RouteMatch { op, params })
            }
            None if allowed.is_empty() => Err(RouteError::NotFound),
            None => {
                allowed.sort();
                Err(RouteError::MethodNotAllowed { allowed })
            }
        }
    }

    /// All operations (spec operations, then the extra routes).
    #[cfg(test)]
    pub(crate) fn operations(&self) -> &[Operation] {
        &self.ops
    }
}

fn segments_match(template: &[Seg], segs: &[&str]) -> bool {
    template.iter().zip(segs).all(|(t, s)| match t {
        Seg::Lit(lit) => lit == s,
        Seg::Param(_) => !s.is_empty(),
    })
}

/// `true` if `a` has a literal where `b` has a parameter at the first segment where they differ.
fn more_specific(a: &[Seg], b: &[Seg]) -> bool {
    for (x, y) in a.iter().zip(b) {
        match (x, y) {
            (Seg::Lit(_), Seg::Param(_)) => return true,
            (Seg::Param(_), Seg::Lit(_)) => return false,
            _ => {}
        }
    }
    false
}

fn parse_template(path: &str) -> Vec<Seg> {
    path.trim_start_matches('/')
        .split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Seg::Param(name.to_string()),
                None => Seg::Lit(s.to_string()),
            },
        )
        .collect()
}

pub(crate) fn decode(raw: &str) -> String {
    percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

//! The route template of a Looker API path (`/looks/42` → `/looks/{look_id}`), from the
//! operations of the vendored Looker 4.0 spec, so spans and metric labels name the route and
//! never an id or other value from the path.

use std::sync::OnceLock;

/// `method<TAB>path` lines of the spec's operations (tag, operationId, method, path, status).
const OPERATIONS: &str = include_str!("../../looker-sim/spec/operations.tsv");

/// What a path that matches no spec route is reported as.
pub const UNKNOWN_ROUTE: &str = "/{unknown}";

/// A template and its segments (`None` for a `{parameter}`).
type Template = (&'static str, Vec<Option<&'static str>>);

/// Every spec template, split into segments.
fn templates() -> &'static [Template] {
    static TEMPLATES: OnceLock<Vec<Template>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let mut templates: Vec<_> = OPERATIONS
            .lines()
            .skip(1)
            .filter_map(|line| line.split('\t').nth(3))
            .map(|path| {
                let segments = path
                    .trim_start_matches('/')
                    .split('/')
                    .map(|s| (!s.starts_with('{')).then_some(s))
                    .collect();
                (path, segments)
            })
            .collect();
        templates.sort_by(|a, b| a.0.cmp(b.0));
        templates.dedup_by(|a, b| a.0 == b.0);
        templates
    })
}

/// The spec route `path` (relative to the API root, no query) is an instance of; where several
/// match, the one with the most literal segments (`/queries/slug/{slug}` over
/// `/queries/{query_id}/{x}`). [`UNKNOWN_ROUTE`] when none does.
pub fn template(path: &str) -> &'static str {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    templates()
        .iter()
        .filter(|(_, parts)| {
            parts.len() == segments.len()
                && parts
                    .iter()
                    .zip(&segments)
                    .all(|(part, segment)| part.is_none_or(|literal| literal == *segment))
        })
        .max_by_key(|(_, parts)| parts.iter().filter(|p| p.is_some()).count())
        .map_or(UNKNOWN_ROUTE, |(template, _)| template)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_their_spec_route_and_nothing_else_leaks() {
        assert_eq!(template("/looks/42"), "/looks/{look_id}");
        assert_eq!(template("/queries/slug/abc"), "/queries/slug/{slug}");
        assert_eq!(template("/queries/7"), "/queries/{query_id}");
        assert_eq!(template("/user"), "/user");
        assert_eq!(
            template("/queries/7/run/json"),
            "/queries/{query_id}/run/{result_format}"
        );
        assert_eq!(template("/no/such/route/s3cr3t"), UNKNOWN_ROUTE);
    }
}

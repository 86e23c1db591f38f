//! What a plugin may do: which Looker requests, how much memory, CPU time and response data, and
//! whether it may use dev mode or `act_as_user`. Built-in groups get [`Policy::builtin`];
//! third-party groups get what their `plugins.lock` entry grants, and nothing by default.

use serde::{Deserialize, Serialize};

use crate::looker::Method;

/// The grants of one plugin (a `plugins.lock` entry's `policy`).
///
/// Path patterns (`paths`, and the second half of each `also` pair) are relative to the API
/// root and matched segment by segment against the request path (which the host has already
/// checked with [`crate::looker::path::validate`]):
///
/// - a literal segment matches exactly that segment (byte for byte, no decoding or case folding);
/// - `*` matches exactly one segment;
/// - `**` matches any number of segments, including none, and is allowed **only as the last
///   segment** (`/lookml_models/**`); a pattern with `**` anywhere else (`/folders/**/looks`), a
///   `*` inside a segment (`/users/1*`) or an empty segment is refused when `plugins.lock` is
///   loaded, naming the pattern;
/// - an encoded `/` (`%2F`) inside a request segment counts as a separator, so a pattern
///   cannot be widened by encoding (`/users/*` does not match `/users/1%2Fcredentials_api3`),
///   while `/**` still matches it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// HTTP methods it may use, e.g. `["GET"]`.
    #[serde(default)]
    pub methods: Vec<String>,
    /// Path patterns it may call, relative to the API root: `*` matches one segment, a final
    /// `**` matches any rest, e.g. `["/lookml_models/**", "/queries/run/*"]` (see [`Policy`]).
    #[serde(default)]
    pub paths: Vec<String>,
    /// Extra (method, path pattern) pairs, e.g. `[["POST", "/queries/run/*"]]` for read-only
    /// plugins that run queries.
    #[serde(default)]
    pub also: Vec<(String, String)>,
    /// Linear memory limit, MiB.
    #[serde(default = "default_memory_mb")]
    pub memory_mb: u32,
    /// CPU time per call, milliseconds.
    #[serde(default = "default_cpu_ms")]
    pub cpu_ms: u32,
    /// Largest Looker response handed to the plugin, MiB.
    #[serde(default = "default_response_mb")]
    pub max_response_mb: u32,
    /// Largest result the plugin may return, MiB.
    #[serde(default = "default_result_mb")]
    pub max_result_mb: u32,
    /// May use the dev workspace (`dev-mode`, `use-branch`).
    #[serde(default)]
    pub dev_mode: bool,
    /// May impersonate users (`act-as-user`).
    #[serde(default)]
    pub act_as_user: bool,
}

fn default_memory_mb() -> u32 {
    64
}
fn default_cpu_ms() -> u32 {
    5_000
}
fn default_response_mb() -> u32 {
    16
}
fn default_result_mb() -> u32 {
    16
}

impl Policy {
    /// Built-in groups: every request, dev mode and impersonation; limits from the settings.
    pub fn builtin() -> Self {
        Self {
            methods: ["GET", "POST", "PUT", "PATCH", "DELETE"]
                .map(String::from)
                .to_vec(),
            paths: vec!["/**".into()],
            also: Vec::new(),
            memory_mb: default_memory_mb(),
            cpu_ms: default_cpu_ms(),
            max_response_mb: default_response_mb(),
            max_result_mb: 64,
            dev_mode: true,
            act_as_user: true,
        }
    }

    /// Nothing at all (what a lock entry grants by default, and `describe` at load time).
    pub fn nothing() -> Self {
        serde_json::from_str("{}").expect("an empty policy parses")
    }

    /// What `plugin add` grants unless told otherwise: read-only (GET anything, run queries).
    pub fn read_only() -> Self {
        Self {
            methods: vec!["GET".into()],
            paths: vec!["/**".into()],
            also: vec![
                ("POST".into(), "/queries/run/*".into()),
                ("POST".into(), "/queries".into()),
            ],
            memory_mb: default_memory_mb(),
            cpu_ms: default_cpu_ms(),
            max_response_mb: default_response_mb(),
            max_result_mb: default_result_mb(),
            dev_mode: false,
            act_as_user: false,
        }
    }

    /// Checks every path pattern against the rules in [`Policy`]; the error names the first
    /// pattern that breaks them and why.
    pub fn check_patterns(&self) -> Result<(), String> {
        for pattern in self.paths.iter().chain(self.also.iter().map(|(_, p)| p)) {
            check_pattern(pattern).map_err(|why| format!("path pattern {pattern:?}: {why}"))?;
        }
        Ok(())
    }

    /// Whether a request is granted; the error says why not.
    pub fn check(&self, method: Method, path: &str) -> Result<(), String> {
        let name = method.name();
        let by_method = self.methods.iter().any(|m| m.eq_ignore_ascii_case(name))
            && self.paths.iter().any(|p| matches(p, path));
        let by_pair = self
            .also
            .iter()
            .any(|(m, p)| m.eq_ignore_ascii_case(name) && matches(p, path));
        if by_method || by_pair {
            Ok(())
        } else {
            Err(format!("{name} {path} is outside this plugin's policy"))
        }
    }
}

/// Why `pattern` is not a valid path pattern, if it is not.
fn check_pattern(pattern: &str) -> Result<(), &'static str> {
    let Some(rest) = pattern.strip_prefix('/') else {
        return Err("must start with '/'");
    };
    let segments: Vec<&str> = rest.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "" if rest.is_empty() => return Err("names no path (use \"/**\" for every path)"),
            "" => return Err("has an empty segment ('//' or a trailing '/')"),
            "**" if i + 1 < segments.len() => {
                return Err("'**' is only allowed as the last segment (e.g. \"/folders/**\")");
            }
            "*" | "**" => {}
            s if s.contains('*') => {
                return Err("'*' must be a whole segment ('*' or a final '**')");
            }
            _ => {}
        }
    }
    Ok(())
}

/// The segments a request path is matched by: split at `/` and at an encoded `/` (`%2F`).
fn request_segments(path: &str) -> Vec<&str> {
    let mut segments = Vec::new();
    for segment in path.trim_start_matches('/').split('/') {
        let mut rest = segment;
        while let Some(at) = find_encoded_slash(rest) {
            segments.push(&rest[..at]);
            rest = &rest[at + 3..];
        }
        segments.push(rest);
    }
    segments
}

fn find_encoded_slash(text: &str) -> Option<usize> {
    text.as_bytes()
        .windows(3)
        .position(|w| w[0] == b'%' && w[1] == b'2' && w[2].eq_ignore_ascii_case(&b'f'))
}

/// Whether `path` matches `pattern` (rules in [`Policy`]). A pattern that breaks the rules
/// (which `plugins.lock` refuses to load) matches nothing.
fn matches(pattern: &str, path: &str) -> bool {
    if check_pattern(pattern).is_err() {
        return false;
    }
    let pattern: Vec<&str> = pattern[1..].split('/').collect();
    let path = request_segments(path);
    match pattern.split_last() {
        Some((&"**", prefix)) => {
            path.len() >= prefix.len() && prefix.iter().zip(&path).all(|(p, s)| *p == "*" || p == s)
        }
        _ => {
            path.len() == pattern.len()
                && pattern.iter().zip(&path).all(|(p, s)| *p == "*" || p == s)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(matches("/**", "/anything/at/all"));
        assert!(matches("/lookml_models/**", "/lookml_models"));
        assert!(matches("/lookml_models/**", "/lookml_models/a/explores/b"));
        assert!(matches("/queries/run/*", "/queries/run/json"));
        assert!(!matches("/queries/run/*", "/queries/run/json/extra"));
        assert!(!matches("/queries/run/*", "/queries/1"));
        assert!(!matches("/user", "/users"));
        assert!(matches("/users/*", "/users/1"));
        assert!(!matches("/users/*", "/users"));
        assert!(matches("/users/*/roles", "/users/1/roles"));
    }

    /// The review's finding: a `**` in the middle granted everything after it.
    #[test]
    fn a_double_star_in_the_middle_matches_nothing_and_is_refused() {
        assert!(!matches("/folders/**/looks", "/folders/search"));
        assert!(!matches("/folders/**/looks", "/folders/1/looks"));
        let policy = Policy {
            paths: vec!["/lookml_models/**".into(), "/folders/**/looks".into()],
            ..Policy::nothing()
        };
        let err = policy.check_patterns().unwrap_err();
        assert!(
            err.contains("\"/folders/**/looks\"") && err.contains("last segment"),
            "{err}"
        );
        let also = Policy {
            also: vec![("POST".into(), "/**/run".into())],
            ..Policy::nothing()
        };
        assert!(also.check_patterns().unwrap_err().contains("/**/run"));
    }

    #[test]
    fn malformed_patterns_are_refused_by_name() {
        for (bad, why) in [
            ("users", "start with '/'"),
            ("/", "names no path"),
            ("/users/", "empty segment"),
            ("/a//b", "empty segment"),
            ("/users/1*", "whole segment"),
            ("/users/***", "whole segment"),
            ("/**/x", "last segment"),
        ] {
            let policy = Policy {
                paths: vec![bad.into()],
                ..Policy::nothing()
            };
            let err = policy.check_patterns().unwrap_err();
            assert!(err.contains(why) && err.contains(bad), "{bad}: {err}");
            assert!(!matches(bad, "/users/1"), "{bad}");
        }
        for good in ["/**", "/users/*", "/users/*/roles", "/lookml_models/**"] {
            check_pattern(good).unwrap();
        }
        Policy::builtin().check_patterns().unwrap();
        Policy::read_only().check_patterns().unwrap();
    }

    #[test]
    fn an_encoded_slash_counts_as_a_separator() {
        assert!(!matches("/users/*", "/users/1%2Fcredentials_api3"));
        assert!(!matches("/users/*", "/users/1%2fcredentials_api3"));
        assert!(matches("/users/*/*", "/users/1%2Fcredentials_api3"));
        assert!(matches("/**", "/projects/p/git_branch/feature%2Fx"));
        assert!(matches(
            "/projects/*/git_branch/**",
            "/projects/p/git_branch/feature%2Fx"
        ));
        assert!(!matches(
            "/projects/*/git_branch/*",
            "/projects/p/git_branch/feature%2Fx"
        ));
    }

    /// A request path a plugin may send: what [`crate::looker::path::validate`] accepts.
    fn any_valid_path() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        proptest::collection::vec("([a-z0-9_]{1,6}|%2F|%3A|\\*|\\.|~)+", 1..6)
            .prop_map(|segments| format!("/{}", segments.join("/")))
            .prop_filter("accepted by the path check", |p| {
                crate::looker::path::validate(p).is_ok()
            })
    }

    proptest::proptest! {
        /// Any path the checker accepts is granted by `/**`.
        #[test]
        fn double_star_grants_every_valid_path(path in any_valid_path()) {
            proptest::prop_assert!(matches("/**", &path));
        }

        /// `/a/*` matches exactly the paths of two segments starting with `a`; never one with
        /// more or fewer.
        #[test]
        fn a_star_is_exactly_one_segment(path in any_valid_path(), a in "[a-z]{1,3}") {
            let segments = request_segments(&path);
            let expected = segments.len() == 2 && segments[0] == a;
            proptest::prop_assert_eq!(matches(&format!("/{a}/*"), &path), expected);
            proptest::prop_assert_eq!(
                matches(&format!("/{a}/*/*"), &path),
                segments.len() == 3 && segments[0] == a
            );
        }

        /// A pattern of literal segments matches only the path made of the same segments.
        #[test]
        fn literal_patterns_match_only_themselves(path in any_valid_path(), other in any_valid_path()) {
            let literal = !path.contains(['*', '%']);
            if literal {
                proptest::prop_assert!(matches(&path, &path));
                proptest::prop_assert_eq!(matches(&path, &other), path == other);
            }
        }

        /// `/p/**` matches a path iff the path starts with the prefix's segments.
        #[test]
        fn a_final_double_star_is_a_prefix(path in any_valid_path(), cut in 0usize..6) {
            let segments = request_segments(&path);
            let cut = cut.min(segments.len());
            let prefix = &segments[..cut];
            proptest::prop_assume!(prefix.iter().all(|s| !s.contains('*')));
            let pattern = if prefix.is_empty() {
                "/**".to_owned()
            } else {
                format!("/{}/**", prefix.join("/"))
            };
            proptest::prop_assert!(matches(&pattern, &path), "{} {}", pattern, path);
            // A literal the generator never produces: the pattern no longer matches.
            let mut longer = prefix.to_vec();
            longer.push("NOT_THERE");
            let pattern = format!("/{}/**", longer.join("/"));
            proptest::prop_assert!(!matches(&pattern, &path), "{} {}", pattern, path);
        }

        /// A pattern with `**` before its last segment matches nothing and is refused.
        #[test]
        fn inner_double_stars_are_refused(path in any_valid_path(), a in "[a-z]{1,3}", b in "[a-z*]{1,3}") {
            let pattern = format!("/{a}/**/{b}");
            proptest::prop_assert!(!matches(&pattern, &path));
            proptest::prop_assert!(check_pattern(&pattern).is_err());
        }
    }

    #[test]
    fn read_only_policy() {
        let p = Policy::read_only();
        assert!(p.check(Method::Get, "/users/1").is_ok());
        assert!(p.check(Method::Post, "/queries/run/json").is_ok());
        let err = p.check(Method::Delete, "/users/1").unwrap_err();
        assert!(err.contains("DELETE /users/1"), "{err}");
        assert!(p.check(Method::Post, "/users").is_err());
    }

    #[test]
    fn lock_entries_default_to_nothing_granted() {
        let p: Policy = serde_json::from_str("{}").unwrap();
        assert!(p.check(Method::Get, "/user").is_err());
        assert!(!p.dev_mode && !p.act_as_user);
        assert!(
            serde_json::from_str::<Policy>(r#"{"network": true}"#).is_err(),
            "unknown grants are refused"
        );
    }
}

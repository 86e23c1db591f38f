//! What a plugin may do: which Looker requests, how much memory, CPU time and response data, and
//! whether it may use dev mode or `act_as_user`. Built-in groups get [`Policy::builtin`];
//! third-party groups get what their `plugins.lock` entry grants, and nothing by default.

use serde::{Deserialize, Serialize};

use crate::looker::Method;

/// The grants of one plugin (a `plugins.lock` entry's `policy`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// HTTP methods it may use, e.g. `["GET"]`.
    #[serde(default)]
    pub methods: Vec<String>,
    /// Path patterns it may call, relative to the API root: `*` matches one segment, a final
    /// `**` matches any rest, e.g. `["/lookml_models/**", "/queries/run/*"]`.
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

    /// Whether a request is granted; the error says why not.
    pub fn check(&self, method: Method, path: &str) -> Result<(), String> {
        let name = method_name(method);
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

fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
    }
}

/// `*` matches one segment, a trailing `**` any number (including none).
fn matches(pattern: &str, path: &str) -> bool {
    let mut pattern = pattern.trim_start_matches('/').split('/');
    let mut path = path.trim_start_matches('/').split('/');
    loop {
        match (pattern.next(), path.next()) {
            (Some("**"), _) => return true,
            (Some(p), Some(s)) if p == "*" || p == s => {}
            (None, None) => return true,
            _ => return false,
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

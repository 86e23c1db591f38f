//! The `initialize` instructions, generated from the groups this server loaded: one line per
//! group saying what it is for, the usual paths through the loaded tools, and the conventions
//! (result budget, `confirm`, dev workspace). Short on purpose: clients put them in every
//! conversation's context.

use crate::runtime::{Registry, ToolEntry};

/// What each built-in group is for.
const PURPOSES: &[(&str, &str)] = &[
    ("explore", "LookML models, explores and their fields"),
    (
        "query",
        "run semantic-layer queries, saved queries, looks and dashboards; query_url links",
    ),
    ("render", "charts and dashboards as PNG, JPG or PDF"),
    (
        "schema",
        "the raw warehouse behind a connection: databases, schemas, tables, columns",
    ),
    (
        "content",
        "find, create, change and delete looks and dashboards; content validation",
    ),
    ("board", "boards, their sections and items"),
    ("folder", "folders and the content in them"),
    (
        "modeling",
        "LookML projects and files in your dev workspace, validation, data tests, datagroups, PDTs",
    ),
    (
        "git",
        "git branches of LookML projects and deploys to production",
    ),
    (
        "admin",
        "users, roles, groups, permission and model sets, schedules",
    ),
    ("connection", "database connections: create, change, test"),
    (
        "user_attributes",
        "user attributes and their group and user values",
    ),
    (
        "credentials",
        "a user's API keys and login credentials (2FA, LDAP, SAML, OIDC, Google)",
    ),
    (
        "audit",
        "System Activity history, running queries, sessions, CI runs",
    ),
    (
        "workflows",
        "multi-step flows in one call: provisioning, offboarding, key rotation, LookML deploy and rollback, audits",
    ),
    (
        "health",
        "instance health, usage analysis, cleanup candidates",
    ),
    ("identity", "whoami: the Looker user your calls run as"),
    (
        "api",
        "the whole Looker API: search, describe, call or change it; scripts",
    ),
];

/// Usual paths: the groups each needs, and the line.
const PATHS: &[(&[&str], &str)] = &[
    (
        &["explore", "query"],
        "Data questions: list_models → get_explore (fields, required filters) → query with those \
         view.field names; query_url for a link.",
    ),
    (
        &["modeling", "git"],
        "LookML changes: create_git_branch or switch_git_branch, edit files, validate_project \
         (and run_lookml_tests), then deploy_to_production.",
    ),
    (
        &["modeling", "workflows"],
        "deploy_lookml_changes writes, validates and deploys in one call.",
    ),
    (
        &["admin"],
        "Access: find people with list_users, read get_user_roles before set_user_roles; \
         set_* tools replace whole lists.",
    ),
    (
        &["workflows", "admin"],
        "provision_user, grant_access and offboard_user do the usual admin flows in one call.",
    ),
];

/// The instructions for the groups `registry` loaded, with a result budget of `budget`
/// characters (0: none).
pub fn for_registry(
    registry: &Registry,
    served: impl Fn(&ToolEntry) -> bool,
    budget: usize,
) -> String {
    let served: Vec<&ToolEntry> = registry.tools().iter().filter(|t| served(t)).collect();
    let groups: Vec<(&str, Vec<&str>)> = registry
        .groups
        .iter()
        .enumerate()
        .map(|(index, group)| {
            let tools: Vec<&str> = served
                .iter()
                .filter(|t| t.group == index)
                .map(|t| t.name.as_str())
                .collect();
            (&*group.name, tools)
        })
        .filter(|(_, tools)| !tools.is_empty())
        .collect();
    let has_argument = |name: &str| {
        served.iter().any(|t| {
            t.input_schema
                .get("properties")
                .and_then(|p| p.get(name))
                .is_some()
        })
    };
    build(
        &groups,
        budget,
        has_argument("confirm"),
        has_argument("dev_mode"),
    )
}

/// The instructions for `groups` (name and tool names, in listing order).
pub fn build(groups: &[(&str, Vec<&str>)], budget: usize, confirm: bool, dev_mode: bool) -> String {
    let mut out = String::from("Tools for a Looker instance, by group:\n");
    for (name, tools) in groups {
        let purpose = match PURPOSES.iter().find(|(g, _)| g == name) {
            Some((_, purpose)) => (*purpose).to_owned(),
            None => {
                let mut listed: Vec<&str> = tools.iter().take(4).copied().collect();
                if tools.len() > listed.len() {
                    listed.push("…");
                }
                format!("third-party group: {}", listed.join(", "))
            }
        };
        out.push_str(&format!("- {name}: {purpose}\n"));
    }
    let loaded = |g: &&str| groups.iter().any(|(name, _)| name == g);
    for (needs, line) in PATHS {
        if needs.iter().all(loaded) {
            out.push_str(line);
            out.push('\n');
        }
    }
    if budget > 0 {
        out.push_str(&format!(
            "Results stop at LOOKER_MAX_ROWS rows and {budget} characters; a cut result says \
             truncated: narrow fields, add filters or lower limit.\n"
        ));
    }
    if confirm {
        out.push_str(
            "Irreversible steps run only with confirm: true (the user may be asked); without it \
             the tool says what it would do.\n",
        );
    }
    if dev_mode {
        out.push_str(
            "dev_mode/branch read your dev workspace instead of production; LookML edits always \
             happen there.\n",
        );
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_loaded_group_and_only_their_paths() {
        let text = build(
            &[("explore", vec!["list_models"]), ("query", vec!["query"])],
            100_000,
            false,
            false,
        );
        assert!(
            text.contains("- explore: ") && text.contains("- query: "),
            "{text}"
        );
        assert!(text.contains("list_models → get_explore"), "{text}");
        assert!(
            !text.contains("- admin") && !text.contains("LookML changes"),
            "{text}"
        );
        assert!(!text.contains("confirm") && text.contains("100000 characters"));
    }

    #[test]
    fn third_party_groups_name_their_tools() {
        let text = build(&[("acme", vec!["a", "b", "c", "d", "e"])], 0, true, false);
        assert!(
            text.contains("- acme: third-party group: a, b, c, d, …"),
            "{text}"
        );
        assert!(text.contains("confirm: true") && !text.contains("characters"));
    }

    #[test]
    fn every_group_is_short() {
        let all: Vec<(&str, Vec<&str>)> = PURPOSES.iter().map(|(g, _)| (*g, vec![])).collect();
        let text = build(&all, 100_000, true, true);
        assert!(text.len() < 2200, "{} characters:\n{text}", text.len());
    }
}

//! Looker 404/422 answers an assistant can act on. Looker says only "Not found"; the host knows
//! which request failed and which arguments the call had, so it names the argument whose value
//! filled a segment of the failed path, and the tool that lists valid values for it (a value
//! in `/lookml_models/{value}` is a model: `list_models` lists them).
//!
//! When several arguments filled the path (`/lookml_models/{model}/explores/{explore}`), Looker
//! does not say which one it could not find, so every one is named, the deepest first.

use percent_encoding::percent_decode_str;
use serde_json::Value;

/// A path collection, what its ids are, and the tools that list them (the first one served is
/// named).
const LISTERS: &[(&str, &str, &[&str])] = &[
    ("lookml_models", "models", &["list_models"]),
    ("explores", "explores of the model", &["get_model"]),
    ("looks", "looks", &["list_looks", "search_content"]),
    (
        "dashboards",
        "dashboards",
        &["list_dashboards", "search_content"],
    ),
    ("projects", "LookML projects", &["list_projects"]),
    ("files", "project files", &["list_project_files"]),
    ("folders", "folders", &["list_folders"]),
    ("users", "users", &["list_users"]),
    ("roles", "roles", &["list_roles"]),
    ("groups", "groups", &["list_groups"]),
    ("connections", "connections", &["list_connections"]),
    ("boards", "boards", &["list_boards"]),
    ("board_sections", "board sections", &["get_board"]),
    ("board_items", "board items", &["get_board"]),
    (
        "user_attributes",
        "user attributes",
        &["list_user_attributes"],
    ),
    ("scheduled_plans", "schedules", &["list_schedules"]),
    ("git_branch", "git branches", &["list_git_branches"]),
    ("datagroups", "datagroups", &["list_datagroups"]),
    (
        "permission_sets",
        "permission sets",
        &["list_permission_sets"],
    ),
    ("model_sets", "model sets", &["list_model_sets"]),
];

/// The line to add to a Looker `status` error on `path` for a call with `arguments`, or `None`
/// when it is not a 404/422 or no argument filled the path. `served` says whether a tool is
/// served here (only those are named).
pub fn hint(
    status: u16,
    path: &str,
    arguments: &Value,
    served: impl Fn(&str) -> bool,
) -> Option<String> {
    if status != 404 && status != 422 {
        return None;
    }
    let segments: Vec<String> = path
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .split('/')
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let arguments = arguments.as_object()?;
    let mut named: Vec<(usize, String)> = Vec::new();
    for (name, value) in arguments {
        let value = match value {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => continue,
        };
        let Some(at) = segments.iter().rposition(|s| *s == value) else {
            continue;
        };
        if named.iter().any(|(i, _)| *i == at) {
            continue;
        }
        let collection = at.checked_sub(1).map(|i| segments[i].as_str());
        let lister = LISTERS.iter().find(|(c, _, _)| Some(*c) == collection);
        let listed_by = lister.and_then(|(_, what, tools)| {
            tools
                .iter()
                .find(|t| served(t))
                .map(|tool| format!(" ({tool} lists the {what})"))
        });
        named.push((
            at,
            format!("`{name}` = {value:?}{}", listed_by.unwrap_or_default()),
        ));
    }
    named.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let named: Vec<String> = named.into_iter().map(|(_, text)| text).collect();
    match named.as_slice() {
        [] => None,
        [one] => Some(format!("Not found: {one}.")),
        many => Some(format!("One of these was not found: {}.", many.join("; "))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_missing_model_names_the_argument_and_list_models() {
        let got = hint(
            404,
            "/lookml_models/nope",
            &json!({"model": "nope"}),
            |_| true,
        );
        assert_eq!(
            got.as_deref(),
            Some(r#"Not found: `model` = "nope" (list_models lists the models)."#)
        );
    }

    #[test]
    fn several_path_arguments_are_all_named_deepest_first() {
        let got = hint(
            404,
            "/lookml_models/m/explores/e%20x?fields=a",
            &json!({"model": "m", "explore": "e x", "limit": 3}),
            |_| true,
        )
        .unwrap();
        assert_eq!(
            got,
            r#"One of these was not found: `explore` = "e x" (get_model lists the explores of the model); `model` = "m" (list_models lists the models)."#
        );
    }

    #[test]
    fn only_served_listers_are_named_and_other_statuses_get_nothing() {
        let got = hint(404, "/looks/7/run/json", &json!({"look_id": 7}), |t| {
            t == "search_content"
        });
        assert_eq!(
            got.as_deref(),
            Some(r#"Not found: `look_id` = "7" (search_content lists the looks)."#)
        );
        assert_eq!(
            hint(500, "/looks/7", &json!({"look_id": 7}), |_| true),
            None
        );
        assert_eq!(hint(404, "/looks/7", &json!({"other": 8}), |_| true), None);
    }
}

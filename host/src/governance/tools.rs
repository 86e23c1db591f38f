//! Tool allow and deny lists (`LOOKER_TOOLS`, `LOOKER_EXCLUDE_TOOLS`): comma-separated names or
//! globs (`*` any run of characters, `?` one), applied after `--groups`. An entry that matches
//! no loaded tool is a start-up error naming the closest tool names.

use wildmatch::WildMatch;

/// The lists, checked against the loaded tools.
#[derive(Debug, Default)]
pub struct ToolLists {
    include: Vec<WildMatch>,
    exclude: Vec<WildMatch>,
}

impl ToolLists {
    /// The lists from the settings, each entry checked against the names of the loaded tools.
    pub fn new(include: &[String], exclude: &[String], loaded: &[&str]) -> Result<Self, String> {
        let compile = |setting: &str, entries: &[String]| -> Result<Vec<WildMatch>, String> {
            entries
                .iter()
                .map(|entry| {
                    let glob = WildMatch::new(entry);
                    if loaded.iter().any(|name| glob.matches(name)) {
                        Ok(glob)
                    } else {
                        Err(unknown(setting, entry, loaded))
                    }
                })
                .collect()
        };
        Ok(Self {
            include: compile("LOOKER_TOOLS", include)?,
            exclude: compile("LOOKER_EXCLUDE_TOOLS", exclude)?,
        })
    }

    /// Why `tool` is not served, if it is not.
    pub fn refusal(&self, tool: &str) -> Option<String> {
        if !self.include.is_empty() && !self.include.iter().any(|g| g.matches(tool)) {
            return Some(format!(
                "the tool {tool} is not enabled on this server (it is not in LOOKER_TOOLS)"
            ));
        }
        if self.exclude.iter().any(|g| g.matches(tool)) {
            return Some(format!(
                "the tool {tool} is disabled on this server (LOOKER_EXCLUDE_TOOLS)"
            ));
        }
        None
    }
}

fn unknown(setting: &str, entry: &str, loaded: &[&str]) -> String {
    let mut near: Vec<(f64, &str)> = loaded
        .iter()
        .map(|name| (strsim::jaro_winkler(entry, name), *name))
        .filter(|(score, _)| *score > 0.8)
        .collect();
    near.sort_by(|a, b| b.0.total_cmp(&a.0));
    let near: Vec<&str> = near.into_iter().take(3).map(|(_, name)| name).collect();
    let hint = if near.is_empty() {
        "check --groups: the tool's group must be loaded".to_string()
    } else {
        format!("did you mean {}?", near.join(", "))
    };
    format!("{setting}: {entry:?} matches no loaded tool; {hint}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOADED: &[&str] = &[
        "list_models",
        "get_model",
        "query",
        "query_sql",
        "delete_look",
    ];

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn include_and_exclude_by_name_and_glob() {
        let lists = ToolLists::new(
            &names(&["query*", "list_models"]),
            &names(&["*_sql"]),
            LOADED,
        )
        .unwrap();
        assert!(lists.refusal("query").is_none());
        assert!(lists.refusal("list_models").is_none());
        assert!(
            lists
                .refusal("query_sql")
                .unwrap()
                .contains("LOOKER_EXCLUDE_TOOLS")
        );
        assert!(lists.refusal("get_model").unwrap().contains("LOOKER_TOOLS"));
    }

    #[test]
    fn unknown_entries_name_near_matches() {
        let error = ToolLists::new(&names(&["list_model"]), &[], LOADED).unwrap_err();
        assert!(
            error.contains("LOOKER_TOOLS") && error.contains("did you mean list_models"),
            "{error}"
        );
        let error = ToolLists::new(&[], &names(&["render_*"]), LOADED).unwrap_err();
        assert!(
            error.contains("LOOKER_EXCLUDE_TOOLS") && error.contains("--groups"),
            "{error}"
        );
    }
}

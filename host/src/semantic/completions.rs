//! `completion/complete` for the resource templates' and the prompts' arguments: model,
//! explore, view and field names, projects and branches, and field values. Candidates come from
//! the served tools, run for the caller, and are cached per caller (and so per Looker
//! identity) for [`TTL`]; one answer carries at most 100 values, with `total` and `hasMore`.

use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;
use rmcp::ErrorData as McpError;
use rmcp::model::{CompleteRequestParams, CompleteResult, CompletionInfo, Reference};
use serde_json::{Value, json};

use super::resources::{EXPLORE_TEMPLATE, MODEL_TEMPLATE, items, str_of};
use super::{Tools, prompts};

/// How long a tool answer behind completions is reused: typing one argument sends a request
/// per keystroke, and LookML rarely changes within seconds.
pub const TTL: Duration = Duration::from_secs(30);
/// Most cached tool answers (callers × explores); least recently used go first.
const CAPACITY: u64 = 1_000;
/// Field values come from this tool (the `explore` group's); where it is not served, value
/// completion answers no values. The arguments and answer shape are read in
/// [`value_arguments`] and [`suggested_values`].
const SUGGESTIONS_TOOL: &str = "get_field_value_suggestions";
/// `content_type` of `find_stale_content`.
const CONTENT_TYPES: [&str; 3] = ["all", "dashboard", "look"];

/// The completion cache: tool answers keyed by caller, tool and arguments.
#[derive(Clone)]
pub struct Completions {
    answers: Cache<String, Arc<Value>>,
}

impl Default for Completions {
    fn default() -> Self {
        Self {
            answers: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(TTL)
                .build(),
        }
    }
}

/// What an argument names.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    Model,
    Explore,
    View,
    Field,
    Value,
    Project,
    Branch,
    ContentType,
    /// Free text (a question, a number of days): nothing to complete.
    Free,
}

impl Slot {
    fn of(argument: &str) -> Self {
        match argument {
            "model" => Self::Model,
            "explore" => Self::Explore,
            "view" => Self::View,
            "field" => Self::Field,
            "value" => Self::Value,
            "project" => Self::Project,
            "branch" => Self::Branch,
            "content_type" => Self::ContentType,
            _ => Self::Free,
        }
    }
}

impl Completions {
    /// Answers one `completion/complete`.
    pub async fn complete(
        &self,
        tools: &impl Tools,
        request: &CompleteRequestParams,
    ) -> Result<CompleteResult, McpError> {
        let argument = request.argument.name.as_str();
        check_reference(tools, &request.r#ref, argument)?;
        let context = |name: &str| -> String {
            request
                .context
                .as_ref()
                .and_then(|c| c.get_argument(name))
                .map(|v| v.trim().to_owned())
                .unwrap_or_default()
        };
        let typed = request.argument.value.as_str();
        let candidates = match Slot::of(argument) {
            Slot::Free => Vec::new(),
            Slot::ContentType => CONTENT_TYPES.iter().map(|s| (*s).to_owned()).collect(),
            slot => self.candidates(tools, slot, &context, typed).await,
        };
        Ok(CompleteResult::new(matching(&candidates, typed)))
    }

    async fn candidates(
        &self,
        tools: &impl Tools,
        slot: Slot,
        context: &(dyn Fn(&str) -> String + Sync),
        typed: &str,
    ) -> Vec<String> {
        let (model, explore) = (context("model"), context("explore"));
        match slot {
            Slot::Model | Slot::Explore | Slot::Project => {
                let Some(models) = self.answer(tools, "list_models", json!({})).await else {
                    return Vec::new();
                };
                let models = items(&models, "models");
                match slot {
                    Slot::Model => models.map(|m| str_of(m, "name").to_owned()).collect(),
                    Slot::Project => {
                        let mut projects: Vec<String> = models
                            .map(|m| str_of(m, "project_name").to_owned())
                            .filter(|p| !p.is_empty())
                            .collect();
                        projects.sort();
                        projects.dedup();
                        projects
                    }
                    _ => models
                        .filter(|m| model.is_empty() || str_of(m, "name") == model)
                        .flat_map(|m| items(m, "explores").map(|e| str_of(e, "name").to_owned()))
                        .collect(),
                }
            }
            Slot::View | Slot::Field => {
                if model.is_empty() || explore.is_empty() {
                    return Vec::new();
                }
                let arguments = json!({"model_name": model, "explore_name": explore, "include_descriptions": false});
                let Some(found) = self.answer(tools, "get_explore", arguments).await else {
                    return Vec::new();
                };
                let view = context("view");
                let fields = ["dimensions", "measures", "filters", "parameters"]
                    .into_iter()
                    .flat_map(|kind| items(&found, kind));
                if slot == Slot::View {
                    let mut views: Vec<String> = fields.map(|f| view_of(f).to_owned()).collect();
                    views.sort();
                    views.dedup();
                    return views;
                }
                fields
                    .filter(|f| view.is_empty() || view_of(f) == view)
                    .map(|f| str_of(f, "name").to_owned())
                    .collect()
            }
            Slot::Value => {
                // Looker's suggestions route names the explore in its `view` segment: the
                // explore when the context has one, else the view the field is prefixed with.
                let field = context("field");
                let view = match explore {
                    e if e.is_empty() => field
                        .split_once('.')
                        .map(|(v, _)| v.to_owned())
                        .unwrap_or_default(),
                    e => e,
                };
                if model.is_empty()
                    || field.is_empty()
                    || view.is_empty()
                    || !tools.serves(SUGGESTIONS_TOOL)
                {
                    return Vec::new();
                }
                let arguments = value_arguments(&model, &view, &field, typed);
                self.answer(tools, SUGGESTIONS_TOOL, arguments)
                    .await
                    .map(|found| suggested_values(&found))
                    .unwrap_or_default()
            }
            Slot::Branch => {
                let project = context("project");
                if project.is_empty() {
                    return Vec::new();
                }
                let Some(found) = self
                    .answer(tools, "list_git_branches", json!({"project_id": project}))
                    .await
                else {
                    return Vec::new();
                };
                items(&found, "branches")
                    .map(|b| str_of(b, "name").to_owned())
                    .collect()
            }
            Slot::ContentType | Slot::Free => Vec::new(),
        }
    }

    /// The caller's answer of `tool` with `arguments`, from the cache or run now; `None` when
    /// the tool is not served or fails (a completion offers nothing then, it does not fail).
    async fn answer(&self, tools: &impl Tools, tool: &str, arguments: Value) -> Option<Arc<Value>> {
        if !tools.serves(tool) {
            return None;
        }
        let caller = tools.caller_key().ok()?;
        let key = format!("{caller}\u{1f}{tool}\u{1f}{arguments}");
        if let Some(found) = self.answers.get(&key) {
            return Some(found);
        }
        match tools.run(tool, arguments).await {
            Ok(found) => {
                let found = Arc::new(found);
                self.answers.insert(key, found.clone());
                Some(found)
            }
            Err(why) => {
                tracing::debug!(tool, reason = %why, "no completion candidates");
                None
            }
        }
    }
}

/// The view a field belongs to.
fn view_of(field: &Value) -> &str {
    field["view"]
        .as_str()
        .or_else(|| str_of(field, "name").split_once('.').map(|(v, _)| v))
        .unwrap_or("")
}

/// The suggestions tool's arguments for `field` of `view` in `model`, values starting `typed`.
fn value_arguments(model: &str, view: &str, field: &str, typed: &str) -> Value {
    json!({"model": model, "view": view, "field": field, "term": typed})
}

/// The values of a suggestions answer: `{suggestions: [..]}` or `{values: [..]}`, each a string
/// or `{value}`.
fn suggested_values(found: &Value) -> Vec<String> {
    let list = found
        .get("suggestions")
        .or_else(|| found.get("values"))
        .unwrap_or(found);
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.clone()),
            other => other["value"].as_str().map(str::to_owned),
        })
        .collect()
}

/// Refuses a reference this server has nothing to complete for.
fn check_reference(
    tools: &impl Tools,
    reference: &Reference,
    argument: &str,
) -> Result<(), McpError> {
    let refuse = |why: String| Err(McpError::invalid_params(why, None));
    match reference {
        Reference::Resource(r) => {
            let arguments: &[&str] = match r.uri.as_str() {
                MODEL_TEMPLATE => &["model"],
                EXPLORE_TEMPLATE => &["model", "explore"],
                other => {
                    return refuse(format!(
                        "no resource template {other:?}; completions exist for {MODEL_TEMPLATE} \
                         and {EXPLORE_TEMPLATE}"
                    ));
                }
            };
            if !arguments.contains(&argument) {
                return refuse(format!(
                    "the template {} has no argument {argument:?}",
                    r.uri
                ));
            }
        }
        Reference::Prompt(p) => {
            let Some(spec) = prompts::spec(&p.name).filter(|s| prompts::offered(tools, s)) else {
                return refuse(format!("no prompt {:?}", p.name));
            };
            if !spec.arguments.iter().any(|(n, ..)| *n == argument) {
                return refuse(format!(
                    "the prompt {} has no argument {argument:?}",
                    p.name
                ));
            }
        }
        #[allow(unreachable_patterns)] // `Reference` is non-exhaustive
        _ => return refuse("unsupported completion reference".into()),
    }
    Ok(())
}

/// The candidates that match `typed`, best first: names starting with it, then names whose
/// part after the view (`orders.count` for `cou`) starts with it, then names containing it;
/// case-insensitive; at most [`CompletionInfo::MAX_VALUES`].
fn matching(candidates: &[String], typed: &str) -> CompletionInfo {
    let typed = typed.to_lowercase();
    let mut ranked: Vec<(u8, &String)> = candidates
        .iter()
        .filter_map(|c| {
            let lower = c.to_lowercase();
            let short = lower.rsplit_once('.').map_or(lower.as_str(), |(_, s)| s);
            if lower.starts_with(&typed) {
                Some((0, c))
            } else if short.starts_with(&typed) {
                Some((1, c))
            } else if lower.contains(&typed) {
                Some((2, c))
            } else {
                None
            }
        })
        .collect();
    ranked.sort_by_key(|(rank, _)| *rank);
    let mut values: Vec<String> = Vec::with_capacity(ranked.len().min(CompletionInfo::MAX_VALUES));
    let mut seen = std::collections::HashSet::new();
    let mut total = 0u32;
    for (_, value) in ranked {
        if seen.insert(value.as_str()) {
            total += 1;
            if values.len() < CompletionInfo::MAX_VALUES {
                values.push(value.clone());
            }
        }
    }
    let has_more = total as usize > values.len();
    CompletionInfo::with_pagination(values, Some(total), has_more)
        .expect("at most MAX_VALUES values")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_prefixes_first_then_field_names_then_substrings() {
        let names: Vec<String> = [
            "orders.count",
            "users.country",
            "orders.status",
            "accounts.id",
        ]
        .map(String::from)
        .to_vec();
        let found = matching(&names, "cou");
        assert_eq!(
            found.values,
            ["orders.count", "users.country", "accounts.id"]
        );
        assert_eq!(found.total, Some(3));
        assert_eq!(found.has_more, Some(false));
        assert_eq!(matching(&names, "USERS.").values, ["users.country"]);
    }

    #[test]
    fn answers_at_most_100_values_with_the_total() {
        let names: Vec<String> = (0..250).map(|i| format!("v.f{i}")).collect();
        let found = matching(&names, "");
        assert_eq!(found.values.len(), 100);
        assert_eq!(found.total, Some(250));
        assert_eq!(found.has_more, Some(true));
    }

    #[test]
    fn reads_suggestions_in_either_shape() {
        assert_eq!(
            suggested_values(&json!({"suggestions": ["a", {"value": "b"}]})),
            ["a", "b"]
        );
        assert_eq!(suggested_values(&json!({"values": ["c"]})), ["c"]);
    }
}

//! Prompts: the workflows an analyst runs, each a message naming the real tools and resources
//! to use. A prompt is listed only when the tools it names are served here. Each argument's
//! name is the kind of value it takes (`model`, `explore`, `field`, ...), which is what
//! `completion/complete` completes.

use rmcp::ErrorData as McpError;
use rmcp::model::{
    GetPromptResult, JsonObject, ListPromptsResult, Prompt, PromptArgument, PromptMessage, Role,
};

use super::Tools;

/// One argument: name, description, required.
type Argument = (&'static str, &'static str, bool);

/// One prompt.
pub struct Spec {
    pub name: &'static str,
    title: &'static str,
    description: &'static str,
    pub arguments: &'static [Argument],
    /// Tools the message tells the assistant to use; the prompt is offered only when all are served.
    needs: &'static [&'static str],
    /// The message for the given arguments (`get` finds each by name, `""` when absent).
    message: Message,
}

/// Writes a prompt's message from its arguments (`get` finds each by name).
type Message = fn(get: &dyn Fn(&str) -> String) -> String;

/// Every prompt.
pub static PROMPTS: [Spec; 4] = [
    Spec {
        name: "explore_model",
        title: "Explore a model",
        description: "Tour a LookML model: its explores, their dimensions and measures, and a first query.",
        arguments: &[
            ("model", "The LookML model", true),
            ("explore", "An explore to start from (optional)", false),
        ],
        needs: &["get_model", "get_explore", "query"],
        message: |get| {
            let model = get("model");
            let start = match get("explore").as_str() {
                "" => format!(
                    "Call `get_model` with model_name \"{model}\" (or read the resource \
                     looker://models/{model}) and pick the explores that look most useful."
                ),
                explore => format!("Start with the explore \"{explore}\"."),
            };
            format!(
                "Help me understand the Looker model \"{model}\". {start} For each explore, call \
                 `get_explore` (or read looker://models/{model}/explores/<explore>) and summarise \
                 what one row means, the main dimensions and measures, and the joins. Then run one \
                 small `query` (limit 10) that shows what the explore is good for, and suggest three \
                 questions it can answer."
            )
        },
    },
    Spec {
        name: "answer_question",
        title: "Answer a question with a query",
        description: "Answer a business question from one explore with a Looker query.",
        arguments: &[
            ("question", "The question, in plain words", true),
            ("model", "The LookML model", true),
            ("explore", "The explore to query", true),
            (
                "view",
                "A view of the explore to take fields from (optional)",
                false,
            ),
            (
                "field",
                "A field the answer hinges on, e.g. to filter by (optional)",
                false,
            ),
            (
                "value",
                "A value of that field to filter on (optional)",
                false,
            ),
        ],
        needs: &["get_explore", "query", "query_url"],
        message: |get| {
            let (model, explore) = (get("model"), get("explore"));
            let focus = match get("view").as_str() {
                "" => String::new(),
                view => format!(" Prefer fields of the view {view}."),
            };
            let filter = match (get("field").as_str(), get("value").as_str()) {
                ("", _) => String::new(),
                (field, "") => format!(" The answer hinges on the field {field}."),
                (field, value) => format!(" Filter {field} to \"{value}\"."),
            };
            format!(
                "Answer this question with Looker: \"{question}\".{focus}{filter} Use the explore \
                 \"{explore}\" of the model \"{model}\": first call `get_explore` (model_name \
                 \"{model}\", explore_name \"{explore}\") to choose the exact dimensions and measures \
                 (never guess field names), then call `query` with model \"{model}\", view \
                 \"{explore}\", those fields, filters and a sort, and a limit of at most 500. Answer \
                 in one or two sentences with the numbers, then show the table. If the result is \
                 truncated, say so, and offer `query_url` to open it in Looker.",
                question = get("question"),
            )
        },
    },
    Spec {
        name: "validate_lookml_branch",
        title: "Validate a LookML branch",
        description: "Check out a LookML project's branch in dev mode, validate it and run its data tests.",
        arguments: &[
            ("project", "The LookML project", true),
            (
                "branch",
                "The git branch (optional: the current one)",
                false,
            ),
        ],
        needs: &[
            "list_git_branches",
            "switch_git_branch",
            "validate_project",
            "run_lookml_tests",
        ],
        message: |get| {
            let project = get("project");
            let checkout = match get("branch").as_str() {
                "" => format!(
                    "Call `list_git_branches` for the project \"{project}\" and tell me which branch \
                     is checked out."
                ),
                branch => format!(
                    "Call `switch_git_branch` to check out the branch \"{branch}\" of the project \
                     \"{project}\"."
                ),
            };
            format!(
                "Validate the LookML project \"{project}\". {checkout} Then call `validate_project` \
                 and list every error and warning with its file and line, grouped by file. Then \
                 call `run_lookml_tests` and report which data tests fail and why. End with what \
                 to fix first; change nothing yourself."
            )
        },
    },
    Spec {
        name: "find_stale_content",
        title: "Find stale content",
        description: "List dashboards and Looks nobody opened for a while, to clean up.",
        arguments: &[
            (
                "days",
                "Unused for at least this many days (default 90)",
                false,
            ),
            (
                "content_type",
                "dashboard, look or all (default all)",
                false,
            ),
        ],
        needs: &["find_stale_content"],
        message: |get| {
            let days = match get("days") {
                d if d.is_empty() => "90".to_owned(),
                d => d,
            };
            let kind = match get("content_type") {
                k if k.is_empty() => "all".to_owned(),
                k => k,
            };
            format!(
                "Find stale Looker content: call `find_stale_content` with min_days_unused {days} \
                 and content_type \"{kind}\". Group what it finds by folder and owner, with the \
                 last time each was viewed, and propose which to archive. Delete nothing."
            )
        },
    },
];

/// The prompt called `name`, served or not.
pub fn spec(name: &str) -> Option<&'static Spec> {
    PROMPTS.iter().find(|p| p.name == name)
}

pub fn offered(tools: &impl Tools, spec: &Spec) -> bool {
    spec.needs.iter().all(|tool| tools.serves(tool))
}

/// `prompts/list`: the prompts whose tools are served.
pub fn list(tools: &impl Tools) -> ListPromptsResult {
    let prompts = PROMPTS
        .iter()
        .filter(|spec| offered(tools, spec))
        .map(|spec| {
            let arguments = spec
                .arguments
                .iter()
                .map(|(name, description, required)| {
                    PromptArgument::new(*name)
                        .with_description(*description)
                        .with_required(*required)
                })
                .collect();
            Prompt::new(spec.name, Some(spec.description), Some(arguments)).with_title(spec.title)
        })
        .collect();
    ListPromptsResult::with_all_items(prompts)
}

/// `prompts/get`: the message for `name` with `arguments`; an unknown prompt, a missing
/// required argument or an unknown one is refused by name.
pub fn get(
    tools: &impl Tools,
    name: &str,
    arguments: Option<&JsonObject>,
) -> Result<GetPromptResult, McpError> {
    let spec = spec(name)
        .filter(|spec| offered(tools, spec))
        .ok_or_else(|| {
            let known: Vec<&str> = PROMPTS
                .iter()
                .filter(|spec| offered(tools, spec))
                .map(|s| s.name)
                .collect();
            McpError::invalid_params(
                format!(
                    "unknown prompt {name:?}; this server offers: {}",
                    known.join(", ")
                ),
                None,
            )
        })?;
    let empty = JsonObject::new();
    let given = arguments.unwrap_or(&empty);
    if let Some(unknown) = given
        .keys()
        .find(|k| !spec.arguments.iter().any(|(n, ..)| n == k))
    {
        let names: Vec<&str> = spec.arguments.iter().map(|(n, ..)| *n).collect();
        return Err(McpError::invalid_params(
            format!(
                "the prompt {name} has no argument {unknown:?}; its arguments: {}",
                names.join(", ")
            ),
            None,
        ));
    }
    let value = |key: &str| -> String {
        match given.get(key) {
            Some(serde_json::Value::String(s)) => s.trim().to_owned(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }
    };
    if let Some((missing, ..)) = spec
        .arguments
        .iter()
        .find(|(n, _, required)| *required && value(n).is_empty())
    {
        return Err(McpError::invalid_params(
            format!("the prompt {name} needs the argument {missing:?}"),
            None,
        ));
    }
    let text = (spec.message)(&value);
    let mut result = GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)]);
    result.description = Some(spec.description.to_owned());
    Ok(result)
}

//! The progressive tool mode (`--tool-mode progressive`, `LOOKER_TOOL_MODE`): `tools/list` shows
//! a small core of the served tools plus three tools that reach every other one, so that
//! `--groups all` fits clients that cap the tool count (VS Code 128, Cursor 80) and costs a few
//! thousand tokens instead of ~50k.
//!
//! - `search_tools`: ranked matches over every served tool (name, group, one line, read/write);
//! - `describe_tool`: one served tool's full input schema, output schema and annotations;
//! - `call_tool`: runs a served tool by name through exactly the path a direct call takes.
//!
//! Only served tools are searched, described and called: a tool hidden by `LOOKER_TOOLS`,
//! `LOOKER_EXCLUDE_TOOLS` or the read-only posture stays hidden.

use std::sync::Arc;

use rmcp::model::{Tool, ToolAnnotations};
use serde_json::{Map, Value, json};

/// Which tools `tools/list` shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ToolMode {
    /// Every served tool (the default, as before).
    #[default]
    Full,
    /// The [`CORE`] tools that are served, plus `search_tools`, `describe_tool`, `call_tool`.
    Progressive,
}

impl ToolMode {
    /// Parses `full` or `progressive` (any case).
    pub fn parse(value: &str) -> Result<Self, String> {
        match value.trim().to_ascii_lowercase().as_str() {
            "full" => Ok(Self::Full),
            "progressive" => Ok(Self::Progressive),
            _ => Err("expected full or progressive".into()),
        }
    }
}

/// The tools listed in progressive mode when their group is loaded: the usual path of an
/// analyst (models → explore → fields → query → link), finding and running saved content, and
/// who the calls run as. Admin, modeling and git work starts from `search_tools`.
pub const CORE: &[&str] = &[
    "list_models",
    "get_model",
    "get_explore",
    "list_dimensions",
    "list_measures",
    "query",
    "run_query",
    "query_url",
    "search_content",
    "run_look",
    "list_dashboards",
    "run_dashboard",
    "whoami",
];

/// The names of the three tools progressive mode adds.
pub const SEARCH: &str = "search_tools";
pub const DESCRIBE: &str = "describe_tool";
pub const CALL: &str = "call_tool";

/// The line progressive mode adds to the `initialize` instructions.
pub const INSTRUCTIONS: &str = "Only the most used tools are listed: find the others with \
search_tools, read one's schema with describe_tool and run it with call_tool {name, arguments}.";

/// How many matches `search_tools` returns unless asked.
const DEFAULT_MATCHES: usize = 10;

/// What `tools/list` shows in `mode`, given the `served` tools (already fitted).
pub fn listed(mode: ToolMode, served: &[Tool]) -> Vec<Tool> {
    match mode {
        ToolMode::Full => served.to_vec(),
        ToolMode::Progressive => served
            .iter()
            .filter(|tool| CORE.contains(&tool.name.as_ref()))
            .cloned()
            .chain(meta_tools())
            .collect(),
    }
}

/// One of the three progressive tools, with its arguments checked.
pub enum MetaCall {
    Search { query: String, limit: usize },
    Describe { name: String },
    Call { name: String, arguments: Value },
}

impl MetaCall {
    /// The progressive tool `name` called with `arguments`; `None` when `name` is not one;
    /// `Some(Err)` names the argument that is missing or wrong.
    pub fn parse(name: &str, arguments: &Map<String, Value>) -> Option<Result<Self, String>> {
        let text = |key: &str| match arguments.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
            Some(other) if !other.is_null() => Err(format!("{key}: {other} is not a string")),
            _ => Err(format!("{key} is required")),
        };
        let call = match name {
            SEARCH => text("query").and_then(|query| {
                let limit = match arguments.get("limit") {
                    None | Some(Value::Null) => Ok(DEFAULT_MATCHES),
                    Some(v) => v
                        .as_u64()
                        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                        .filter(|n| (1..=50).contains(n))
                        .map(|n| n as usize)
                        .ok_or_else(|| format!("limit: {v} is not an integer from 1 to 50")),
                }?;
                Ok(Self::Search { query, limit })
            }),
            DESCRIBE => text("name").map(|name| Self::Describe { name }),
            CALL => text("name").and_then(|name| {
                let arguments = match arguments.get("arguments") {
                    None | Some(Value::Null) => Value::Object(Map::new()),
                    Some(Value::Object(map)) => Value::Object(map.clone()),
                    // Some clients send nested objects as JSON text.
                    Some(Value::String(s)) => match serde_json::from_str(s) {
                        Ok(Value::Object(map)) => Value::Object(map),
                        _ => return Err(format!("arguments: {s:?} is not a JSON object")),
                    },
                    Some(other) => return Err(format!("arguments: {other} is not an object")),
                };
                Ok(Self::Call { name, arguments })
            }),
            _ => return None,
        };
        Some(call)
    }
}

/// `search_tools`: the `served` tools that best match `query`, best first. `group` names a
/// tool's group. Every word of the query counts: in the name most, then the title, then the
/// description; a tool matching no word is left out.
pub fn search(served: &[Tool], group: impl Fn(&str) -> String, query: &str, limit: usize) -> Value {
    let words: Vec<String> = query
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_end_matches('s').to_owned())
        .filter(|w| !w.is_empty())
        .collect();
    let whole = query.trim().to_lowercase();
    let mut scored: Vec<(usize, &Tool)> = served
        .iter()
        .filter_map(|tool| {
            let name = tool.name.to_lowercase();
            let title = tool.title.as_deref().unwrap_or_default().to_lowercase();
            let description = tool
                .description
                .as_deref()
                .unwrap_or_default()
                .to_lowercase();
            let mut score: usize = words
                .iter()
                .map(|w| {
                    6 * usize::from(name.contains(w.as_str()))
                        + 3 * usize::from(title.contains(w.as_str()))
                        + usize::from(description.contains(w.as_str()))
                })
                .sum();
            if name == whole {
                score += 100;
            }
            (score > 0).then_some((score, tool))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    let total = scored.len();
    let tools: Vec<Value> = scored
        .into_iter()
        .take(limit)
        .map(|(_, tool)| {
            json!({
                "name": tool.name,
                "group": group(&tool.name),
                "description": first_sentence(tool.description.as_deref().unwrap_or_default()),
                "read_only": tool.annotations.as_ref().and_then(|a| a.read_only_hint).unwrap_or(false),
            })
        })
        .collect();
    let note = if tools.is_empty() {
        "No tool matched: try other words (e.g. a Looker object such as look, dashboard, user, project)."
    } else {
        "describe_tool gives a tool's full schema; call_tool runs it."
    };
    json!({"query": query, "matches": total, "tools": tools, "note": note})
}

/// `describe_tool`: everything a direct `tools/list` entry says about the served tool `name`.
pub fn describe(served: &[Tool], name: &str) -> Result<Value, String> {
    let tool = served
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| not_served(name))?;
    let mut value = serde_json::to_value(tool).map_err(|e| e.to_string())?;
    if let Value::Object(map) = &mut value {
        // Absent keys read the same as null in a schema: keep the answer small.
        map.retain(|_, v| !v.is_null());
    }
    Ok(json!({"tool": value}))
}

/// Why `name` cannot be described or called through `call_tool`.
pub fn not_served(name: &str) -> String {
    format!("unknown tool: {name} (search_tools finds the tools this server serves)")
}

/// The first sentence of `text` (up to the first ". " or line break), at most 200 characters.
fn first_sentence(text: &str) -> String {
    let end = [text.find(". "), text.find('\n')]
        .into_iter()
        .flatten()
        .min()
        .map_or(text.len(), |i| i + usize::from(text[i..].starts_with('.')));
    let sentence = text[..end].trim();
    match sentence.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &sentence[..i]),
        None => sentence.to_owned(),
    }
}

/// The three progressive tools as listed.
fn meta_tools() -> Vec<Tool> {
    let read_only = |title: &str| {
        ToolAnnotations::with_title(title)
            .read_only(true)
            .destructive(false)
            .idempotent(true)
            .open_world(false)
    };
    let object = |value: Value| Arc::new(value.as_object().cloned().unwrap_or_default());
    vec![
        Tool::new(
            SEARCH,
            "Finds tools of this server by what they do (words such as \"schedule a dashboard\" \
             or \"git branch\"), best match first: name, group, one line and whether it only \
             reads. Then describe_tool for a tool's arguments and call_tool to run it.",
            object(json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "minLength": 1, "description": "What you want to do, in a few words."},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": DEFAULT_MATCHES, "description": "Most matches to return."}
                },
                "required": ["query"],
                "additionalProperties": false
            })),
        )
        .with_title("Search tools")
        .with_annotations(read_only("Search tools"))
        .with_raw_output_schema(object(json!({
            "type": "object",
            "properties": {
                "query": {"type": "string"},
                "matches": {"type": "integer", "description": "Tools that matched, before the limit."},
                "tools": {"type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "group": {"type": "string"},
                        "description": {"type": "string"},
                        "read_only": {"type": "boolean"}
                    },
                    "required": ["name", "group", "description", "read_only"]
                }},
                "note": {"type": "string"}
            },
            "required": ["query", "matches", "tools"]
        }))),
        Tool::new(
            DESCRIBE,
            "Describes one tool of this server: its full input schema (arguments), output \
             schema and annotations, as tools/list would. Use before call_tool.",
            object(json!({
                "type": "object",
                "properties": {
                    "name": {"type": "string", "minLength": 1, "description": "Tool name, from search_tools."}
                },
                "required": ["name"],
                "additionalProperties": false
            })),
        )
        .with_title("Describe a tool")
        .with_annotations(read_only("Describe a tool"))
        .with_raw_output_schema(object(json!({
            "type": "object",
            "properties": {
                "tool": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "description": {"type": "string"},
                        "inputSchema": {"type": "object"},
                        "outputSchema": {"type": "object"},
                        "annotations": {"type": "object"}
                    },
                    "required": ["name", "inputSchema"]
                }
            },
            "required": ["tool"]
        }))),
        Tool::new(
            CALL,
            "Runs any tool of this server by name with its arguments, exactly as a direct call \
             would (same validation, confirmation and permissions) and returns its result. Find \
             tools with search_tools and their arguments with describe_tool.",
            object(json!({
                "type": "object",
                "properties": {
                    "name": {"type": "string", "minLength": 1, "description": "Tool name, from search_tools."},
                    "arguments": {"type": "object", "description": "The tool's arguments, as describe_tool's inputSchema describes them.", "default": {}}
                },
                "required": ["name"],
                "additionalProperties": false
            })),
        )
        .with_title("Call a tool")
        .with_annotations(
            ToolAnnotations::with_title("Call a tool")
                .read_only(false)
                .destructive(true)
                .idempotent(false)
                .open_world(false),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(name: &str, description: &str) -> Tool {
        Tool::new(
            name.to_owned(),
            description.to_owned(),
            Arc::new(Map::new()),
        )
    }

    #[test]
    fn the_mode_parses_full_and_progressive_only() {
        assert_eq!(ToolMode::parse("Progressive"), Ok(ToolMode::Progressive));
        assert_eq!(ToolMode::parse("full"), Ok(ToolMode::Full));
        assert!(ToolMode::parse("some").is_err());
    }

    #[test]
    fn search_ranks_name_matches_first_and_drops_non_matches() {
        let served = [
            tool("list_users", "Lists users."),
            tool("create_schedule", "Schedules a look for users. Sends it."),
            tool("whoami", "Who you are."),
        ];
        let found = search(&served, |_| "g".into(), "users", 10);
        let names: Vec<&str> = found["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["list_users", "create_schedule"]);
        assert_eq!(
            found["tools"][1]["description"],
            "Schedules a look for users."
        );
    }

    #[test]
    fn call_tool_arguments_are_checked_and_json_text_is_accepted() {
        let args = json!({"name": "whoami", "arguments": "{\"a\": 1}"});
        let Some(Ok(MetaCall::Call { arguments, .. })) =
            MetaCall::parse(CALL, args.as_object().unwrap())
        else {
            panic!("not parsed");
        };
        assert_eq!(arguments, json!({"a": 1}));
        let args = json!({"arguments": {}});
        let Some(Err(why)) = MetaCall::parse(CALL, args.as_object().unwrap()) else {
            panic!("accepted");
        };
        assert_eq!(why, "name is required");
        assert!(MetaCall::parse("list_users", &Map::new()).is_none());
    }
}

//! The `api` tool group ("code mode"): the whole Looker API 4.0 through five tools. Search the
//! vendored spec, describe an operation, call it (reads and writes apart, so clients can
//! auto-approve reads), or run a JavaScript script that makes several calls in one tool call.
//! Every request is checked against the spec and the operator's write setting and deny list
//! before the host sends it as the caller.

mod call;
mod describe;
mod index;
mod policy;
mod script;
mod search;
mod validate;

use looker_mcp_plugin_sdk::{Context, Group, Schema, Tool, ToolError, export_group};
use serde::Deserialize;
use serde_json::{Value, json};

export_group!(group);

/// The host setting that offers `confirm` on the tools that may write.
const CONFIRM_SETTING: &str = "api_writes_confirm";

/// The `api` group's tool table.
pub fn group() -> Group {
    Group::new("api", env!("CARGO_PKG_VERSION"))
        .tool(
            Tool::new("search_looker_api", "Search the Looker API", SEARCH)
                .schema(SEARCH_SCHEMA)
                .read_only()
                .idempotent()
                .handler(search_looker_api),
        )
        .tool(
            Tool::new(
                "describe_looker_api",
                "Describe a Looker API operation",
                DESCRIBE,
            )
            .schema(DESCRIBE_SCHEMA)
            .read_only()
            .idempotent()
            .handler(describe_looker_api),
        )
        .tool(
            Tool::new("call_looker_api", "Call the Looker API (reads)", CALL)
                .schema(Schema::Value(request_schema(false)))
                .read_only()
                .idempotent()
                .handler(call::call_looker_api),
        )
        .tool(
            Tool::new("change_looker_api", "Call the Looker API (writes)", CHANGE)
                .schema(Schema::Value(request_schema(true)))
                .gated_args(CONFIRM_SETTING, &["confirm"])
                .handler(call::change_looker_api),
        )
        .tool(
            Tool::new(
                "run_looker_script",
                "Run a JavaScript script against the Looker API",
                SCRIPT,
            )
            .schema(SCRIPT_SCHEMA)
            .gated_args(CONFIRM_SETTING, &["confirm"])
            .handler(script::run_looker_script),
        )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchArgs {
    query: String,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default = "default_limit")]
    limit: u32,
}

const DEFAULT_LIMIT: u32 = 10;
const MAX_LIMIT: u32 = 50;

fn default_limit() -> u32 {
    DEFAULT_LIMIT
}

fn search_looker_api(args: SearchArgs, _: &Context) -> Result<Value, ToolError> {
    let limit = args.limit.clamp(1, MAX_LIMIT) as usize;
    let tag = args.tag.as_deref().filter(|t| !t.trim().is_empty());
    let found = search::search(index::operations(), &args.query, tag, limit);
    if found.is_empty()
        && tag.is_some()
        && !index::operations().iter().any(|op| {
            Some(op.tag.to_ascii_lowercase()) == tag.map(|t| t.trim().to_ascii_lowercase())
        })
    {
        let mut tags: Vec<&str> = index::operations().iter().map(|op| op.tag).collect();
        tags.sort_unstable();
        tags.dedup();
        return Err(ToolError::InvalidArguments(format!(
            "unknown tag {:?} (tags: {})",
            tag.unwrap_or(""),
            tags.join(", ")
        )));
    }
    let results: Vec<Value> = found.into_iter().map(describe::brief).collect();
    Ok(json!({"results": results}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DescribeArgs {
    operation: String,
    #[serde(default = "default_depth")]
    depth: u8,
}

fn default_depth() -> u8 {
    2
}

fn describe_looker_api(args: DescribeArgs, _: &Context) -> Result<Value, ToolError> {
    let id = args.operation.trim();
    let op = index::by_id(id).ok_or_else(|| {
        let near: Vec<&str> = search::search(index::operations(), id, None, 3)
            .iter()
            .map(|op| op.id)
            .collect();
        ToolError::InvalidArguments(format!(
            "unknown operation `{id}`; did you mean {}?",
            near.join(", ")
        ))
    })?;
    Ok(describe::full(op, args.depth.min(describe::MAX_DEPTH)))
}

const SEARCH: &str = "Searches the whole Looker API 4.0 (about 480 operations) for operations matching words \
such as \"dashboard by id\" or \"schedule a look\". Returns the best matches, best first: operation id, method, \
path, summary, whether it changes anything, and its parameters (`name: type (path|query[, required])`). Use \
describe_looker_api for an operation's body and response, then call_looker_api, change_looker_api or \
run_looker_script. Prefer the named tools (list_models, query, …) when one does the job.";

const SEARCH_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "query": {"type": "string", "description": "Words describing the operation, e.g. \"dashboard by id\"."},
    "tag": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Only operations of this API tag, e.g. \"Dashboard\", \"User\", \"Folder\"."},
    "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10, "description": "Most operations to return."}
  },
  "required": ["query"],
  "additionalProperties": false
}"#;

const DESCRIBE: &str = "Describes one Looker API operation by id: parameters, request body schema and response \
schema, with referenced schemas expanded to `depth` levels (deeper ones read `Name {…}`). Fields read \
`type[|null] — description`; read-only fields are left out of bodies.";

const DESCRIBE_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "operation": {"type": "string", "description": "An operation id from search_looker_api, e.g. \"dashboard\"."},
    "depth": {"type": "integer", "minimum": 0, "maximum": 4, "default": 2, "description": "How many levels of referenced schemas to expand."}
  },
  "required": ["operation"],
  "additionalProperties": false
}"#;

const CALL: &str = "Calls one Looker API operation that only reads: a GET, or an operation that only runs a \
query or a render. Name it by `operation` id, or by `method` and `path` (a template with `path_params`, or a \
concrete path such as /dashboards/12). The request is checked against the API spec first (unknown operation, \
missing or extra parameters, a body not matching its schema: an error saying what, nothing sent), then sent as \
you. Returns Looker's JSON answer; ask for fewer `fields` in `query` to keep it small. Operations that change \
things go through change_looker_api.";

/// The arguments of `call_looker_api`, and with `confirm` those of `change_looker_api`.
fn request_schema(with_confirm: bool) -> Value {
    let optional = |ty: Value, description: &str| json!({"anyOf": [ty, {"type": "null"}], "default": null, "description": description});
    let mut schema = json!({
        "type": "object",
        "properties": {
            "operation": optional(json!({"type": "string"}), "Operation id, e.g. \"dashboard\"."),
            "method": optional(
                json!({"type": "string", "enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "get", "post", "put", "patch", "delete"]}),
                "HTTP method, with `path` instead of `operation`."
            ),
            "path": optional(json!({"type": "string"}), "Path under /api/4.0, e.g. \"/dashboards/12\" or \"/dashboards/{dashboard_id}\"."),
            "path_params": optional(json!({"type": "object"}), "Path parameters by name, e.g. {\"dashboard_id\": \"12\"}."),
            "query": optional(json!({"type": "object"}), "Query parameters by name, e.g. {\"fields\": \"id,title\"}."),
            "body": {"description": "The JSON request body (describe_looker_api shows its schema)."}
        },
        "additionalProperties": false
    });
    if with_confirm {
        schema["properties"]["confirm"] = json!({
            "type": "boolean",
            "default": false,
            "description": "Run the change. Without it nothing is sent; the server asks the user when the client can."
        });
    }
    schema
}

const CHANGE: &str = "Calls one Looker API operation that changes something (create, update, delete, run), \
named and checked like call_looker_api. Whether it runs is the operator's choice (LOOKER_API_WRITES): off \
(default: refused), confirm (runs with `confirm: true`; the server asks the user when the client can) or allow. \
Operations the operator denies (logins, credentials, user deletion, …) are always refused.";

const SCRIPT: &str = "Runs JavaScript that makes several Looker API calls in one tool call and returns JSON. \
Globals: `looker.get(path, query)`, `looker.request(method, path, {query, body})` and `looker.call(operation, \
{param: value, …, body})` (synchronous; parsed JSON back; a Looker error throws), `console.log` (captured into \
`logs`), `args` (the `args` argument). The result is the value of the last expression, or what a top-level \
`return` gives. Each request is checked and governed exactly like call_looker_api / change_looker_api. Limits: \
CPU time, memory, a number of Looker requests per script (default 50), the call's timeout; no network, files, \
credentials or state between calls. Returns {result, logs, requests}.";

const SCRIPT_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "code": {"type": "string", "description": "The script, e.g. `const models = looker.get('/lookml_models', {fields: 'name'}); models.length`."},
    "args": {"description": "Any JSON, visible to the script as `args`."},
    "confirm": {"type": "boolean", "default": false, "description": "Let the script's changing requests run. Without it they throw; the server asks the user when the client can."}
  },
  "required": ["code"],
  "additionalProperties": false
}"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_group_is_well_formed() {
        group().validate().unwrap();
    }
}

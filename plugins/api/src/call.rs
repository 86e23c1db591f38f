//! One Looker API request by operation id or by method and path: resolved against the index,
//! checked by [`crate::policy`] and [`crate::validate`], then sent through the host, which adds
//! the caller's identity. Shared by `call_looker_api`, `change_looker_api` and scripts.

use looker_mcp_plugin_sdk::looker::Response;
use looker_mcp_plugin_sdk::{Context, Output, ToolError};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::index::{self, Operation};
use crate::policy::{self, Via};
use crate::{search, validate};

/// What names a request: an operation id, or a method and a path (a template, or a concrete
/// path whose segments fill the path parameters), plus its parameters and body.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiRequest {
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub path_params: Option<Map<String, Value>>,
    #[serde(default)]
    pub query: Option<Map<String, Value>>,
    #[serde(default)]
    pub body: Option<Value>,
    /// `change_looker_api` only (the host offers it when writes need confirmation).
    #[serde(default)]
    pub confirm: bool,
}

/// `call_looker_api`.
pub fn call_looker_api(args: ApiRequest, ctx: &Context) -> Result<Output, ToolError> {
    let response = send(&args, Via::ReadTool, ctx)?;
    output(&response)
}

/// `change_looker_api`.
pub fn change_looker_api(args: ApiRequest, ctx: &Context) -> Result<Output, ToolError> {
    let via = Via::WriteTool {
        confirmed: args.confirm,
    };
    let response = send(&args, via, ctx)?;
    output(&response)
}

/// Resolves, checks and sends one request; Looker's non-2xx answers are errors.
pub fn send(args: &ApiRequest, via: Via, ctx: &Context) -> Result<Response, ToolError> {
    let (op, from_path) = resolve(args)?;
    policy::check(op, via, ctx)?;
    let mut path_params = args.path_params.clone().unwrap_or_default();
    for (name, value) in from_path {
        if path_params.contains_key(&name) {
            return Err(ToolError::InvalidArguments(format!(
                "path parameter `{name}` is given twice: in `path` and in `path_params`"
            )));
        }
        path_params.insert(name, Value::String(value));
    }
    let query = args.query.clone().unwrap_or_default();
    let request = validate::request(op, &path_params, &query, args.body.as_ref())?;
    request.send()
}

/// The operation `args` name, with the path parameters a concrete `path` filled.
fn resolve(args: &ApiRequest) -> Result<(&'static Operation, index::Filled), ToolError> {
    let bad = |why: String| Err(ToolError::InvalidArguments(why));
    match (&args.operation, &args.method, &args.path) {
        (Some(id), None, None) => match index::by_id(id.trim()) {
            Some(op) => Ok((op, Vec::new())),
            None => bad(format!("unknown operation `{id}`{}", suggestions(id))),
        },
        (None, Some(method), Some(path)) => {
            if path.contains(['?', '#']) {
                return bad(format!(
                    "`path` {path:?} holds a query string: pass query parameters in `query`"
                ));
            }
            let path = path.strip_prefix("/api/4.0").unwrap_or(path);
            match index::by_route(method.trim(), path) {
                Some(found) => Ok(found),
                None => bad(format!(
                    "no operation {} {path} in the Looker API 4.0{}",
                    method.to_ascii_uppercase(),
                    suggestions(path)
                )),
            }
        }
        (None, None, None) => bad(
            "name the request: `operation` (an id from search_looker_api), or `method` and `path`"
                .into(),
        ),
        (Some(_), _, _) => bad("give `operation` or `method` and `path`, not both".into()),
        _ => bad("`method` and `path` go together".into()),
    }
}

/// "; did you mean …" with the three best matches for `text`, if any.
fn suggestions(text: &str) -> String {
    let found = search::search(index::operations(), text, None, 3);
    if found.is_empty() {
        return " (search_looker_api finds operations)".into();
    }
    let names: Vec<String> = found
        .iter()
        .map(|op| format!("`{}` ({} {})", op.id, op.method, op.path))
        .collect();
    format!("; did you mean {}?", names.join(", "))
}

/// Looker's answer as JSON when it is JSON, else as text.
pub fn answer(response: &Response) -> Result<Value, ToolError> {
    let is_json = response.mime_type().is_none_or(|m| m.contains("json"));
    if is_json {
        response.json()
    } else {
        Ok(Value::String(response.text()))
    }
}

fn output(response: &Response) -> Result<Output, ToolError> {
    Ok(Output::json(answer(response)?))
}

//! The only place that touches the generated WIT bindings: the import calls (with native
//! stand-ins so plugin logic can be unit-tested on the build machine) and the conversions
//! between the SDK's types and the generated ones.

use crate::__wit::looker::mcp::{log as wit_log, types as wit_types};
use crate::looker::{Request, Response};
use crate::output::{Content, Output};
#[cfg(target_arch = "wasm32")]
use crate::{__wit::looker::mcp::looker as wit_looker, looker::Method};
use crate::{Annotations, Group, LookerError, ToolError};

/// The most a plugin asks the host for in one `body.read`.
#[cfg(target_arch = "wasm32")]
const READ_PIECE: u32 = 64 * 1024;

/// Sends `request` through the host (in a component) or the test mock (natively).
pub(crate) fn send(request: &Request) -> Result<Response, ToolError> {
    #[cfg(target_arch = "wasm32")]
    {
        let wire = wit_looker::Request {
            method: match request.method() {
                Method::Get => wit_looker::Method::Get,
                Method::Post => wit_looker::Method::Post,
                Method::Put => wit_looker::Method::Put,
                Method::Patch => wit_looker::Method::Patch,
                Method::Delete => wit_looker::Method::Delete,
            },
            path: request.path().as_str().to_owned(),
            query: request.query_pairs().to_vec(),
            body: request.body_json_text().map(str::to_owned),
            options: wit_looker::RequestOptions {
                dev_mode: request.is_dev_mode(),
                timeout_ms: request.timeout(),
            },
        };
        // Streamed: the host holds one piece at a time, and the body is copied once,
        // into a buffer sized by Looker's Content-Length when it sent one.
        let answer = wit_looker::send_streaming(&wire).map_err(request_error)?;
        let mut body = Vec::with_capacity(answer.length.unwrap_or(0) as usize);
        loop {
            let piece = answer.body.read(READ_PIECE).map_err(request_error)?;
            if piece.is_empty() {
                break;
            }
            body.extend_from_slice(&piece);
        }
        Ok(Response {
            status: answer.status,
            content_type: answer.content_type,
            body,
        })
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        crate::testing::mocked_send(request)
    }
}

/// The `session.act-as-user` import; natively it returns `user` unchanged.
pub(crate) fn act_as_user(user: &str) -> Result<String, ToolError> {
    #[cfg(target_arch = "wasm32")]
    {
        crate::__wit::looker::mcp::session::act_as_user(user).map_err(session_error)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Ok(user.to_owned())
    }
}

/// The `session.use-branch` import; natively it does nothing.
pub(crate) fn use_branch(project_id: &str, branch: &str) -> Result<(), ToolError> {
    #[cfg(target_arch = "wasm32")]
    {
        crate::__wit::looker::mcp::session::use_branch(project_id, branch).map_err(session_error)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (project_id, branch);
        Ok(())
    }
}

/// The `progress.report` import; natively it does nothing.
pub(crate) fn report(progress: f64, total: Option<f64>, message: Option<&str>) {
    #[cfg(target_arch = "wasm32")]
    crate::__wit::looker::mcp::progress::report(progress, total, message);
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (progress, total, message);
}

/// The `progress.wait` import; natively it returns `true` at once (never cancelled).
pub(crate) fn wait(millis: u32) -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        crate::__wit::looker::mcp::progress::wait(millis)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = millis;
        true
    }
}

/// The `log.write` import; natively it prints to stderr.
pub(crate) fn log(level: crate::log::Level, message: &str) {
    use crate::log::Level;
    let level = match level {
        Level::Trace => wit_log::Level::Trace,
        Level::Debug => wit_log::Level::Debug,
        Level::Info => wit_log::Level::Info,
        Level::Warn => wit_log::Level::Warn,
        Level::Error => wit_log::Level::Error,
    };
    #[cfg(target_arch = "wasm32")]
    wit_log::write(level, message);
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[{level:?}] {message}");
}

/// Words a host `request-error` for the assistant.
#[cfg(target_arch = "wasm32")]
fn request_error(e: wit_looker::RequestError) -> ToolError {
    use wit_looker::RequestError as E;
    ToolError::Request(match e {
        E::InvalidRequest(why) => format!("the host refused the request: {why}"),
        E::Denied(why) => format!("this request is not allowed: {why}"),
        E::Timeout(which) => format!("Looker did not answer in time ({which})"),
        E::Unreachable(why) => format!("Looker could not be reached: {why}"),
        E::TooLarge(limit) => {
            format!("Looker's answer is larger than the host allows ({limit} bytes)")
        }
        E::Unauthenticated(why) => format!("could not authenticate with Looker: {why}"),
    })
}

/// Words a host `request-error` from a session call: a refused session choice (sudo disabled,
/// not a user id or email, unknown user) is the caller's to fix, so it is an invalid argument.
#[cfg(target_arch = "wasm32")]
fn session_error(e: wit_looker::RequestError) -> ToolError {
    match e {
        wit_looker::RequestError::InvalidRequest(why) => ToolError::InvalidArguments(why),
        other => request_error(other),
    }
}

/// The group's declaration in WIT form.
pub(crate) fn group_info(group: &Group, ctx: &crate::Context) -> wit_types::GroupInfo {
    wit_types::GroupInfo {
        name: group.name().to_owned(),
        version: group.version().to_owned(),
        tools: group
            .tools()
            .map(|t| {
                let Annotations {
                    read_only,
                    destructive,
                    idempotent,
                } = t.annotations();
                wit_types::Tool {
                    name: t.name().to_owned(),
                    title: t.title().to_owned(),
                    description: t.description().to_owned(),
                    input_schema: t.effective_input_schema(ctx),
                    output_schema: t.output_schema().map(|s| s.to_json_text()),
                    annotations: wit_types::Annotations {
                        read_only,
                        destructive,
                        idempotent,
                    },
                }
            })
            .collect(),
    }
}

/// A call's result in WIT form.
pub(crate) fn call_result(
    result: Result<Output, ToolError>,
) -> Result<wit_types::ToolOutput, wit_types::ToolError> {
    result.map(tool_output).map_err(tool_error)
}

fn tool_output(output: Output) -> wit_types::ToolOutput {
    let blob = |mime_type, data| wit_types::Blob { mime_type, data };
    wit_types::ToolOutput {
        content: output
            .content
            .into_iter()
            .map(|c| match c {
                Content::Text(t) => wit_types::Content::Text(t),
                Content::Image { mime_type, data } => {
                    wit_types::Content::Image(blob(mime_type, data))
                }
                Content::Resource {
                    uri,
                    mime_type,
                    data,
                } => wit_types::Content::Resource((uri, blob(mime_type, data))),
            })
            .collect(),
        structured: output.structured_json.or_else(|| {
            output
                .structured
                .map(|m| serde_json::Value::Object(m).to_string())
        }),
    }
}

fn tool_error(error: ToolError) -> wit_types::ToolError {
    use wit_types::ToolError as W;
    match error {
        ToolError::InvalidArguments(m) => W::InvalidArguments(m),
        ToolError::Looker(LookerError {
            status,
            message,
            documentation_url,
            details,
        }) => W::Looker(wit_types::LookerError {
            status,
            message,
            documentation_url,
            details: details.map(|d| d.to_string()),
        }),
        ToolError::Request(m) => W::Request(m),
        ToolError::Cancelled => W::Cancelled,
        ToolError::Internal(m) => W::Internal(m),
    }
}

/// The call context's settings in SDK form.
pub(crate) fn context(context: wit_types::CallContext) -> crate::Context {
    crate::Context::from_settings(context.settings)
}

//! `run_looker_script`: JavaScript run by Boa, a JavaScript engine written in Rust that builds
//! for `wasm32-wasip2` with no C toolchain, inside this component. The script sees one global
//! API, `looker`, whose calls are synchronous and go through [`crate::call::send`] (the same
//! validation, identity, policy and write rules as `call_looker_api`), `console` (captured into
//! the result), `args`, and the language itself. It cannot see credentials, the base URL, the
//! network, files, or anything of other calls: the component has none of them.
//!
//! Limits: CPU time and memory are the host's (the epoch deadline and the store's memory limit
//! stop the whole component); the number of Looker requests is counted here
//! (`api_script_max_requests`) and ends the script with an error no `catch` can swallow;
//! recursion is bounded so deep recursion ends with an error instead of a stack overflow.

use std::cell::RefCell;

use boa_engine::builtins::promise::PromiseState;
use boa_engine::error::PanicError;
use boa_engine::object::ObjectInitializer;
use boa_engine::object::builtins::JsPromise;
use boa_engine::property::Attribute;
use boa_engine::{
    Context as Js, JsError, JsNativeError, JsResult, JsValue, NativeFunction, Script, Source,
    js_string,
};
use looker_mcp_plugin_sdk::{Context, ToolError, progress};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::call::{self, ApiRequest};
use crate::policy::Via;

/// Looker requests a script may make when the operator sets no limit.
pub const DEFAULT_MAX_REQUESTS: u32 = 50;
/// Characters of `console` output kept; the rest is dropped with a note.
const MAX_LOG_CHARS: usize = 20_000;
/// Nested JavaScript calls before the script is stopped.
const RECURSION_LIMIT: usize = 400;

/// `run_looker_script`'s arguments.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunScript {
    code: String,
    #[serde(default)]
    args: Value,
    #[serde(default)]
    confirm: bool,
}

/// What one script run has done so far; read by the `looker` and `console` functions.
struct Run {
    ctx: Context,
    confirmed: bool,
    max_requests: u32,
    requests: u32,
    logs: Vec<String>,
    log_chars: usize,
    /// Why the script was stopped, when a limit or a cancellation ended it.
    stopped: Option<String>,
}

thread_local! {
    static RUN: RefCell<Option<Run>> = const { RefCell::new(None) };
}

fn with_run<T>(f: impl FnOnce(&mut Run) -> T) -> T {
    RUN.with(|r| f(r.borrow_mut().as_mut().expect("a script is running")))
}

/// Runs the script and answers `{result, logs, requests}`.
pub fn run_looker_script(args: RunScript, ctx: &Context) -> Result<Value, ToolError> {
    let max_requests = ctx
        .get("api_script_max_requests")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_MAX_REQUESTS);
    RUN.with(|r| {
        *r.borrow_mut() = Some(Run {
            ctx: ctx.clone(),
            confirmed: args.confirm,
            max_requests,
            requests: 0,
            logs: Vec::new(),
            log_chars: 0,
            stopped: None,
        })
    });
    let outcome = evaluate(&args.code, &args.args);
    let run = RUN
        .with(|r| r.borrow_mut().take())
        .expect("the run was set");
    let logs = Value::from(run.logs);
    if let Some(why) = run.stopped {
        return Err(ToolError::InvalidArguments(format!(
            "the script was stopped: {why}. Console output before that: {logs}"
        )));
    }
    match outcome {
        Ok(result) => Ok(json!({"result": result, "logs": logs, "requests": run.requests})),
        Err(message) => Err(ToolError::InvalidArguments(format!(
            "the script failed: {message}. Console output before that: {logs}"
        ))),
    }
}

/// Parses and runs `code` with `args`; `Err` is the script's error, worded for the assistant.
fn evaluate(code: &str, args: &Value) -> Result<Value, String> {
    let mut js = Js::default();
    js.runtime_limits_mut().set_recursion_limit(RECURSION_LIMIT);
    install(&mut js, args).map_err(|e| e.to_string())?;
    let script = parse(code, &mut js)?;
    let value = script.evaluate(&mut js).map_err(|e| describe(e, &mut js))?;
    let value = settle(value, &mut js)?;
    match value.to_json(&mut js) {
        Ok(json) => Ok(json.unwrap_or(Value::Null)),
        Err(e) => Err(format!("its result is not JSON: {}", describe(e, &mut js))),
    }
}

/// The code as a script whose last expression is the result, or, when it uses `return` at the
/// top level, as the body of a function.
fn parse(code: &str, js: &mut Js) -> Result<Script, String> {
    match Script::parse(Source::from_bytes(code), None, js) {
        Ok(script) => Ok(script),
        Err(first) => {
            let wrapped = format!("(function () {{\n{code}\n}})()");
            Script::parse(Source::from_bytes(&wrapped), None, js)
                .map_err(|_| format!("it does not parse: {}", describe(first, js)))
        }
    }
}

/// A promise's outcome once every job has run (scripts may use `async`/`await`).
fn settle(value: JsValue, js: &mut Js) -> Result<JsValue, String> {
    let Some(promise) = value
        .as_object()
        .and_then(|o| JsPromise::from_object(o.clone()).ok())
    else {
        return Ok(value);
    };
    js.run_jobs().map_err(|e| describe(e, js))?;
    match promise.state() {
        PromiseState::Fulfilled(v) => Ok(v),
        PromiseState::Rejected(e) => Err(describe(JsError::from_opaque(e), js)),
        PromiseState::Pending => Err("its promise never settled".into()),
    }
}

/// An error as `Error: message`.
fn describe(error: JsError, js: &mut Js) -> String {
    match error.try_native(js) {
        Ok(native) => native.to_string(),
        Err(_) => error.to_string(),
    }
}

/// Defines `looker`, `console` and `args`.
fn install(js: &mut Js, args: &Value) -> JsResult<()> {
    let looker = ObjectInitializer::new(js)
        .function(
            NativeFunction::from_fn_ptr(looker_get),
            js_string!("get"),
            2,
        )
        .function(
            NativeFunction::from_fn_ptr(looker_request),
            js_string!("request"),
            3,
        )
        .function(
            NativeFunction::from_fn_ptr(looker_call),
            js_string!("call"),
            2,
        )
        .build();
    js.register_global_property(js_string!("looker"), looker, Attribute::READONLY)?;
    let console = ObjectInitializer::new(js)
        .function(
            NativeFunction::from_fn_ptr(console_log),
            js_string!("log"),
            0,
        )
        .function(
            NativeFunction::from_fn_ptr(console_log),
            js_string!("info"),
            0,
        )
        .function(
            NativeFunction::from_fn_ptr(console_log),
            js_string!("warn"),
            0,
        )
        .function(
            NativeFunction::from_fn_ptr(console_log),
            js_string!("error"),
            0,
        )
        .build();
    js.register_global_property(js_string!("console"), console, Attribute::READONLY)?;
    let args = JsValue::from_json(args, js)?;
    js.register_global_property(js_string!("args"), args, Attribute::READONLY)?;
    Ok(())
}

/// `looker.get(path, query?)`.
fn looker_get(_: &JsValue, argv: &[JsValue], js: &mut Js) -> JsResult<JsValue> {
    let path = string_arg(argv, 0, "looker.get(path, query)", "path", js)?;
    let query = object_arg(argv, 1, "query", js)?;
    let request = ApiRequest {
        method: Some("GET".into()),
        path: Some(path),
        query,
        ..ApiRequest::default()
    };
    send(&request, js)
}

/// `looker.request(method, path, {query, body})`.
fn looker_request(_: &JsValue, argv: &[JsValue], js: &mut Js) -> JsResult<JsValue> {
    let usage = "looker.request(method, path, {query, body})";
    let method = string_arg(argv, 0, usage, "method", js)?;
    let path = string_arg(argv, 1, usage, "path", js)?;
    let mut options = object_arg(argv, 2, "options", js)?.unwrap_or_default();
    let query = take_object(&mut options, "query")?;
    let body = options.remove("body");
    if let Some(extra) = options.keys().next() {
        return Err(type_error(format!(
            "{usage}: unknown option `{extra}` (only `query` and `body`)"
        )));
    }
    let request = ApiRequest {
        method: Some(method),
        path: Some(path),
        query,
        body,
        ..ApiRequest::default()
    };
    send(&request, js)
}

/// `looker.call(operation, {path_params..., query..., body})`: path and query parameters by
/// name at the top level, the body as `body`.
fn looker_call(_: &JsValue, argv: &[JsValue], js: &mut Js) -> JsResult<JsValue> {
    let operation = string_arg(argv, 0, "looker.call(operation, params)", "operation", js)?;
    let params = object_arg(argv, 1, "params", js)?.unwrap_or_default();
    let Some(op) = crate::index::by_id(operation.trim()) else {
        // Let `send` word the unknown operation with suggestions.
        return send(
            &ApiRequest {
                operation: Some(operation),
                ..ApiRequest::default()
            },
            js,
        );
    };
    let mut path_params = Map::new();
    let mut query = Map::new();
    let mut body = None;
    for (name, value) in params {
        if name == "body" {
            body = Some(value);
        } else if op.params_in("path").any(|p| p.name() == name) {
            path_params.insert(name, value);
        } else {
            query.insert(name, value);
        }
    }
    let request = ApiRequest {
        operation: Some(operation),
        path_params: Some(path_params),
        query: Some(query),
        body,
        ..ApiRequest::default()
    };
    send(&request, js)
}

/// Counts, checks and sends one request for the script; Looker's answer as a JS value.
fn send(request: &ApiRequest, js: &mut Js) -> JsResult<JsValue> {
    let (ctx, via, number) = with_run(|run| -> JsResult<_> {
        if run.requests >= run.max_requests {
            let why = format!(
                "it made more than {} Looker requests, the most a script may make (LOOKER_API_SCRIPT_MAX_REQUESTS)",
                run.max_requests
            );
            return Err(stop(run, why));
        }
        if !progress::wait(0) {
            return Err(stop(run, "the client cancelled the call".into()));
        }
        run.requests += 1;
        Ok((
            run.ctx.clone(),
            Via::Script {
                confirmed: run.confirmed,
            },
            run.requests,
        ))
    })?;
    let label = format!(
        "request {number}: {}",
        request.operation.clone().unwrap_or_else(|| format!(
            "{} {}",
            request.method.as_deref().unwrap_or(""),
            request.path.as_deref().unwrap_or("")
        ))
    );
    progress::report(f64::from(number), None, Some(&label));
    let answer = call::send(request, via, &ctx).and_then(|r| call::answer(&r));
    match answer {
        Ok(value) => JsValue::from_json(&value, js),
        Err(error) => Err(JsNativeError::error()
            .with_message(error.to_string())
            .into()),
    }
}

/// Records why the script stops and returns an error no `catch` can swallow.
fn stop(run: &mut Run, why: String) -> JsError {
    run.stopped.get_or_insert(why.clone());
    PanicError::new(why).into()
}

/// `console.log(...)`: the arguments joined by spaces, objects as JSON.
fn console_log(_: &JsValue, argv: &[JsValue], js: &mut Js) -> JsResult<JsValue> {
    let mut parts = Vec::with_capacity(argv.len());
    for value in argv {
        let text = match value.as_string() {
            Some(s) => s.to_std_string_escaped(),
            None => match value.to_json(js) {
                Ok(Some(json)) => json.to_string(),
                _ => value.display().to_string(),
            },
        };
        parts.push(text);
    }
    let line = parts.join(" ");
    with_run(|run| {
        if run.log_chars >= MAX_LOG_CHARS {
            return;
        }
        run.log_chars += line.len();
        if run.log_chars >= MAX_LOG_CHARS {
            run.logs.push(format!(
                "… console output cut at {MAX_LOG_CHARS} characters"
            ));
        } else {
            run.logs.push(line);
        }
    });
    Ok(JsValue::undefined())
}

fn string_arg(
    argv: &[JsValue],
    i: usize,
    usage: &str,
    name: &str,
    js: &mut Js,
) -> JsResult<String> {
    match argv.get(i) {
        Some(v) if v.is_string() => Ok(v.to_string(js)?.to_std_string_escaped()),
        _ => Err(type_error(format!("{usage}: `{name}` must be a string"))),
    }
}

fn object_arg(
    argv: &[JsValue],
    i: usize,
    name: &str,
    js: &mut Js,
) -> JsResult<Option<Map<String, Value>>> {
    match argv.get(i) {
        None => Ok(None),
        Some(v) if v.is_undefined() || v.is_null() => Ok(None),
        Some(v) => match v.to_json(js)? {
            Some(Value::Object(map)) => Ok(Some(map)),
            _ => Err(type_error(format!("`{name}` must be an object"))),
        },
    }
}

fn take_object(
    options: &mut Map<String, Value>,
    key: &str,
) -> JsResult<Option<Map<String, Value>>> {
    match options.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(type_error(format!("`{key}` must be an object"))),
    }
}

fn type_error(message: String) -> JsError {
    JsNativeError::typ().with_message(message).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;

    fn run(code: &str, settings: &[(&str, &str)]) -> Result<Value, ToolError> {
        let args = RunScript {
            code: code.into(),
            args: json!({"n": 2}),
            confirm: false,
        };
        run_looker_script(args, &Context::from_settings(settings.iter().copied()))
    }

    #[test]
    fn results_logs_and_args() {
        assert_eq!(run("args.n * 21", &[]).unwrap()["result"], 42);
        assert_eq!(
            run("const x = [1, 2]; return x.length", &[]).unwrap()["result"],
            2
        );
        assert_eq!(run("(async () => 7)()", &[]).unwrap()["result"], 7);
        let logged = run("console.log('a', 1, {b: true}); null", &[]).unwrap();
        assert_eq!(logged["logs"], json!(["a 1 {\"b\":true}"]));
        let thrown = run("console.log('first'); throw new TypeError('nope')", &[])
            .unwrap_err()
            .to_string();
        assert!(
            thrown.contains("TypeError: nope") && thrown.contains("first"),
            "{thrown}"
        );
        assert!(
            run("let = = 1", &[])
                .unwrap_err()
                .to_string()
                .contains("does not parse")
        );
    }

    #[test]
    fn requests_go_through_validation_and_are_counted() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({"id": "1"}))));
        let ok = run(
            "looker.get('/user', {fields: 'id'}).id + looker.call('me', {}).id",
            &[],
        )
        .unwrap();
        assert_eq!(ok["result"], "11");
        assert_eq!(ok["requests"], 2);
        let refused = run(
            "try { looker.get('/user', {nope: 1}) } catch (e) { e.message }",
            &[],
        )
        .unwrap();
        assert!(
            refused["result"]
                .as_str()
                .unwrap()
                .contains("no query parameter `nope`")
        );
        let code = "for (;;) { try { looker.get('/user') } catch (e) {} }";
        let stopped = run(code, &[("api_script_max_requests", "2")])
            .unwrap_err()
            .to_string();
        assert!(stopped.contains("more than 2 Looker requests"), "{stopped}");
        assert_eq!(seen.requests().len(), 4);
    }
}

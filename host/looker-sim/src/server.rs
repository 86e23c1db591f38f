//! The request pipeline. Every request goes through one handler:
//! route match (404/405) → token check (401) → contract checks of query and body (400/422)
//! → injected fault → route handler (or 501) → `fields` selection → recording.
//! Contract violations are recorded whatever the response turns out to be.

use std::sync::Arc;

use axum::Router;
use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::http::{Body, Caller, Req, Resp, media_type, parse_body, parse_query};
use crate::spec::{BodyRule, RouteError, table};
use crate::state::{SimState, Workspace};
use crate::{ContractViolation, FaultKind, RecordedRequest, auth, faults, listing, routes};

const API_PREFIX: &str = "/api/4.0";
const MAX_BODY: usize = 32 * 1024 * 1024;

/// The axum app: a single fallback handler over the shared state.
pub(crate) fn app(state: Arc<SimState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

async fn handle(State(state): State<Arc<SimState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_string();
    let full_path = parts.uri.path().to_string();
    let path = full_path
        .strip_prefix(API_PREFIX)
        .unwrap_or(&full_path)
        .to_string();
    let query = parse_query(parts.uri.query());
    let header_str = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header_str(header::CONTENT_TYPE);
    let authorization = header_str(header::AUTHORIZATION);
    let bytes = to_bytes(body, MAX_BODY).await.unwrap_or_default();

    let mut record = RecordedRequest {
        method: method.clone(),
        path: path.clone(),
        query: redact_query(&query),
        body: None,
        user_id: None,
        workspace: Workspace::Production.as_str().to_string(),
        status: 0,
        traceparent: parts
            .headers
            .get("traceparent")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    };
    let parsed = parse_body(content_type.as_deref(), &bytes);
    record.body = match &parsed {
        Ok(body) => body.clone().map(redact_body),
        Err(_) => Some(Value::String(String::from_utf8_lossy(&bytes).into_owned())),
    };

    let resp = if full_path.starts_with(&format!("{API_PREFIX}/")) {
        process(
            &state,
            &mut record,
            query,
            content_type.as_deref(),
            parsed,
            authorization.as_deref(),
        )
        .await
    } else {
        violation(
            &state,
            &record,
            format!("path is outside {API_PREFIX}: {full_path}"),
        );
        Resp::not_found()
    };

    let latency = *state.latency.lock();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    record.status = resp.status.as_u16();
    state.requests.lock().push(record);
    let chunked = *state.chunked.lock();
    match chunked {
        true => in_chunks(resp.into_response()).await,
        false => resp.into_response(),
    }
}

/// `response` with its body sent in 8 KiB chunks and no `Content-Length`.
async fn in_chunks(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    let pieces: Vec<Result<axum::body::Bytes, std::convert::Infallible>> = bytes
        .chunks(8 * 1024)
        .map(|piece| Ok(axum::body::Bytes::copy_from_slice(piece)))
        .collect();
    Response::from_parts(
        parts,
        axum::body::Body::from_stream(futures_util::stream::iter(pieces)),
    )
}

async fn process(
    state: &SimState,
    record: &mut RecordedRequest,
    query: Vec<(String, String)>,
    content_type: Option<&str>,
    parsed: Result<Option<Value>, String>,
    authorization: Option<&str>,
) -> Resp {
    let method = record.method.clone();
    let path = record.path.clone();
    let matched = match table().match_route(&method, &path) {
        Ok(m) => m,
        Err(RouteError::NotFound) => {
            violation(
                state,
                record,
                format!("no operation matches {method} {path}"),
            );
            return Resp::not_found();
        }
        Err(RouteError::MethodNotAllowed { allowed }) => {
            let allowed = allowed.join(", ");
            violation(
                state,
                record,
                format!("method {method} is not allowed here; the spec allows {allowed}"),
            );
            return Resp::error(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
                .header(header::ALLOW, allowed);
        }
    };
    let op = matched.op;

    let caller: Option<Caller> = auth::authenticate(&state.world.lock(), authorization);
    if let Some(c) = &caller {
        record.user_id = Some(c.user_id.clone());
        record.workspace = c.workspace.as_str().to_string();
    }

    // Contract checks: always recorded, answered after authentication.
    let unknown_query: Vec<&str> = query
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !op.query.contains(*k))
        .collect();
    for name in &unknown_query {
        violation(
            state,
            record,
            format!(
                "unknown query parameter `{name}` for {method} {}",
                op.template
            ),
        );
    }
    let body_problems = match &parsed {
        Ok(body) => check_body(op, content_type, body.as_ref()),
        Err(_) => Vec::new(),
    };
    for (_, reason) in &body_problems {
        violation(state, record, reason.clone());
    }

    if caller.is_none() && !auth::is_public(&method, &op.template) {
        return Resp::unauthorized();
    }
    let body = match parsed {
        Ok(body) => body,
        Err(message) => return Resp::bad_request(message),
    };
    if !unknown_query.is_empty() {
        return Resp::bad_request(format!(
            "Unknown query parameter(s): {}",
            unknown_query.join(", ")
        ));
    }
    if let Some((status, reason)) = body_problems.into_iter().next() {
        return match status {
            StatusCode::UNPROCESSABLE_ENTITY => {
                Resp::validation("Validation Failed", &[("body", "invalid", reason)])
            }
            status => Resp::error(status, reason),
        };
    }

    let fault = faults::take(&state.faults, &method, &path);
    if let Some(kind) = &fault {
        if let FaultKind::Delay(delay) = kind {
            tokio::time::sleep(*delay).await;
        }
        if let Some(resp) = faults::response(kind) {
            return resp;
        }
    }

    let req = Req {
        method: method.clone(),
        template: op.template.as_str(),
        params: matched.params,
        query,
        body,
        caller,
    };
    let mut resp = match routes::handler(&method, &op.template) {
        Some(handler) => handler(&mut state.world.lock(), &req),
        None => Resp::not_implemented(&method, &op.template),
    };
    // `fields` selects keys of the response wherever the operation declares it.
    if let Some(sel) = req.query("fields")
        && op.query.contains("fields")
        && resp.status.is_success()
        && let Body::Json(value) = &mut resp.body
    {
        listing::apply_fields(value, &listing::parse_fields(sel));
    }
    if matches!(fault, Some(FaultKind::MalformedJson)) {
        resp = faults::malform(resp);
    }
    resp
}

/// Body problems as `(status, reason)`: 415 for a content type the operation does not accept,
/// 422 for an undeclared body or unknown top-level fields.
fn check_body(
    op: &crate::spec::Operation,
    content_type: Option<&str>,
    body: Option<&Value>,
) -> Vec<(StatusCode, String)> {
    let Some(body) = body else {
        return Vec::new();
    };
    let what = format!("{} {}", op.method, op.template);
    let Some(spec) = &op.body else {
        return vec![(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{what} declares no request body, but one was sent"),
        )];
    };
    let media = content_type
        .map(media_type)
        .unwrap_or_else(|| "application/json".into());
    if !spec.content_types.contains(&media) {
        let declared = spec.content_types.join(", ");
        return vec![(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("{what} takes a body of type {declared}, not {media}"),
        )];
    }
    let (props, schema) = match &spec.rule {
        BodyRule::Any => return Vec::new(),
        BodyRule::Form(fields) => (fields, "form fields"),
        BodyRule::Object { schema, props } => (props, schema.as_str()),
    };
    let Value::Object(map) = body else {
        return vec![(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{what} takes a JSON object ({schema})"),
        )];
    };
    map.keys()
        .filter(|k| !props.contains(*k))
        .map(|k| {
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("unknown body field `{k}` for {what} ({schema})"),
            )
        })
        .collect()
}

fn violation(state: &SimState, record: &RecordedRequest, reason: String) {
    tracing::warn!(method = %record.method, path = %record.path, %reason, "looker-sim contract violation");
    state.violations.lock().push(ContractViolation {
        method: record.method.clone(),
        path: record.path.clone(),
        reason,
    });
}

fn redact_body(body: Value) -> Value {
    match body {
        Value::Object(mut map) => {
            if map.contains_key("client_secret") {
                map.insert("client_secret".into(), Value::String("***".into()));
            }
            Value::Object(map)
        }
        other => other,
    }
}

fn redact_query(query: &[(String, String)]) -> Vec<(String, String)> {
    query
        .iter()
        .map(|(k, v)| {
            let v = if k == "client_secret" {
                "***".to_string()
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect()
}

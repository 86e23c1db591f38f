//! Injected faults: matched after authentication and before the route handler runs.

use axum::http::{StatusCode, header};
use parking_lot::Mutex;

use crate::http::{Body, Resp};
use crate::{Fault, FaultKind};

/// Adds a fault; a fault with `times == 0` would never fire and is dropped.
pub(crate) fn inject(faults: &Mutex<Vec<Fault>>, fault: Fault) {
    if fault.times > 0 {
        faults.lock().push(fault);
    }
}

/// Consumes one firing of the first fault (in injection order) matching the request.
pub(crate) fn take(faults: &Mutex<Vec<Fault>>, method: &str, path: &str) -> Option<FaultKind> {
    let mut faults = faults.lock();
    let i = faults.iter().position(|f| {
        f.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && path.starts_with(&f.path_prefix)
    })?;
    let kind = faults[i].kind.clone();
    faults[i].times -= 1;
    if faults[i].times == 0 {
        faults.remove(i);
    }
    Some(kind)
}

/// The response for a fault that replaces the handler, or `None` if the handler still runs.
pub(crate) fn response(kind: &FaultKind) -> Option<Resp> {
    match kind {
        FaultKind::Status(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let message = match status {
                StatusCode::NOT_FOUND => "Not found".to_string(),
                StatusCode::UNAUTHORIZED => "Requires authentication.".to_string(),
                s => s.canonical_reason().unwrap_or("Error").to_string(),
            };
            Some(Resp::error(status, message))
        }
        FaultKind::RateLimit { retry_after_secs } => Some(
            Resp::error(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests")
                .header(header::RETRY_AFTER, retry_after_secs.to_string()),
        ),
        FaultKind::Delay(_) | FaultKind::MalformedJson => None,
    }
}

/// Turns a response into a 200 whose JSON body is cut in half (and so never parses).
pub(crate) fn malform(resp: Resp) -> Resp {
    let (_, bytes) = resp.body_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let mut cut = text.len() / 2;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut truncated = text[..cut].to_string();
    if truncated.is_empty() || serde_json::from_str::<serde_json::Value>(&truncated).is_ok() {
        truncated = "{\"looker-sim\": \"trunc".to_string();
    }
    Resp {
        status: StatusCode::OK,
        body: Body::Text {
            content_type: "application/json",
            text: truncated,
        },
        headers: resp.headers,
    }
}

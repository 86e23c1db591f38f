//! What both transports need to know about a JSON-RPC message before rmcp sees it, and the
//! answers they give themselves:
//!
//! - a request whose id is already in flight in the same session is refused at once (rmcp keeps
//!   one pending answer per id: the second and third callers would wait forever);
//! - a batch (a JSON array) gets the answer of the negotiated revision: revisions before
//!   2025-06-18 must accept batches (each message is served, the answers go back together); later
//!   revisions removed them, so a batch is an Invalid Request naming why.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// The first revision without JSON-RPC batches.
const BATCHES_REMOVED_IN: &str = "2025-06-18";

/// The parts of one message the transports look at; everything else is skipped unread.
#[derive(Debug, Default, Deserialize)]
pub struct Probe {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    params: Option<ProbeParams>,
}

#[derive(Debug, Default, Deserialize)]
struct ProbeParams {
    #[serde(default, rename = "protocolVersion")]
    protocol_version: Option<String>,
}

impl Probe {
    /// Reads a message's id and method; `None` for anything that is not a JSON object of the
    /// expected shape (rmcp answers those itself).
    pub fn of(message: &[u8]) -> Option<Self> {
        let first = message.iter().find(|b| !b.is_ascii_whitespace())?;
        (*first == b'{')
            .then(|| serde_json::from_slice(message).ok())
            .flatten()
    }

    /// The id of a request (a message with both a method and an id), as canonical JSON text:
    /// `7` and `"7"` are different ids.
    pub fn request_id(&self) -> Option<String> {
        match (&self.method, &self.id) {
            (Some(_), Some(id)) => Some(id.to_string()),
            _ => None,
        }
    }

    /// The revision an `initialize` request asks for.
    pub fn requested_revision(&self) -> Option<&str> {
        if self.method.as_deref() != Some("initialize") {
            return None;
        }
        self.params.as_ref()?.protocol_version.as_deref()
    }
}

/// The elements of a JSON array message, unparsed; `None` when the message is not an array.
pub fn batch_elements(message: &[u8]) -> Option<Vec<Box<RawValue>>> {
    let first = message.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'[' {
        return None;
    }
    serde_json::from_slice(message).ok()
}

/// Whether `revision` (the negotiated one; `None`: not negotiated yet) accepts batches.
pub fn batches_allowed(revision: &str) -> bool {
    revision < BATCHES_REMOVED_IN
}

/// The Invalid Request answer to a batch the revision does not accept (`id: null`).
pub fn batch_refused(revision: Option<&str>) -> Value {
    let detail = match revision {
        Some(revision) => format!(
            "JSON-RPC batches are not part of MCP {revision} (they were removed in \
             {BATCHES_REMOVED_IN}): send each message on its own"
        ),
        None => "a JSON-RPC batch cannot open a session: send `initialize` on its own".into(),
    };
    error(&Value::Null, -32600, "Invalid Request", &detail)
}

/// The answer to a request whose id is already in flight.
pub fn duplicate_id(id: &str) -> Value {
    let id: Value = serde_json::from_str(id).unwrap_or(Value::Null);
    let detail = format!(
        "request id {id} is already in use by a request still in flight in this session; \
         use a new id for each request"
    );
    error(&id, -32600, "Invalid Request", &detail)
}

fn error(id: &Value, code: i32, message: &str, detail: &str) -> Value {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"code": code, "message": message, "data": {"detail": detail}},
    })
}

/// Request ids in flight, per session (the key's first part; stdio has one session).
#[derive(Clone, Default)]
pub struct InFlight(Arc<Mutex<HashSet<(String, String)>>>);

impl InFlight {
    /// Marks `(session, id)` in flight; false when it already is.
    pub fn begin(&self, session: &str, id: &str) -> bool {
        self.0
            .lock()
            .unwrap()
            .insert((session.to_string(), id.to_string()))
    }

    /// Ends `(session, id)`.
    pub fn end(&self, session: &str, id: &str) {
        self.0
            .lock()
            .unwrap()
            .remove(&(session.to_string(), id.to_string()));
    }

    /// [`begin`](Self::begin), ended when the returned guard drops; `None` when already in flight.
    pub fn guard(&self, session: &str, id: &str) -> Option<InFlightGuard> {
        self.begin(session, id).then(|| InFlightGuard {
            set: self.clone(),
            key: (session.to_string(), id.to_string()),
        })
    }
}

/// One request in flight; ends it when dropped.
pub struct InFlightGuard {
    set: InFlight,
    key: (String, String),
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.set.end(&self.key.0, &self.key.1);
    }
}

/// The id of an answer rmcp wrote (`{"jsonrpc":"2.0","id":…,"result"|"error":…}`), read from
/// the start of the line only, so a large result is not parsed again. `None` for notifications
/// and for the server's own requests to the client.
pub fn answer_id(line: &[u8]) -> Option<String> {
    let rest = line.strip_prefix(br#"{"jsonrpc":"2.0","id":"#)?;
    let mut values = serde_json::Deserializer::from_slice(rest).into_iter::<Value>();
    let id = values.next()?.ok()?;
    let after = rest.get(values.byte_offset()..)?;
    (after.starts_with(br#","result""#) || after.starts_with(br#","error""#))
        .then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_has_an_id_a_notification_does_not() {
        let request = Probe::of(br#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#).unwrap();
        assert_eq!(request.request_id().as_deref(), Some("7"));
        let string_id = Probe::of(br#"{"jsonrpc":"2.0","id":"7","method":"ping"}"#).unwrap();
        assert_eq!(string_id.request_id().as_deref(), Some(r#""7""#));
        let notification = Probe::of(br#"{"jsonrpc":"2.0","method":"x"}"#).unwrap();
        assert_eq!(notification.request_id(), None);
        let response = Probe::of(br#"{"jsonrpc":"2.0","id":1,"result":{}}"#).unwrap();
        assert_eq!(response.request_id(), None);
        assert!(Probe::of(b"[1]").is_none());
    }

    #[test]
    fn only_initialize_names_a_revision() {
        let init = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{}}}"#;
        assert_eq!(
            Probe::of(init).unwrap().requested_revision(),
            Some("2025-03-26")
        );
        let call = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"protocolVersion":"x","name":"y"}}"#;
        assert_eq!(Probe::of(call).unwrap().requested_revision(), None);
    }

    #[test]
    fn batches_belong_to_revisions_before_2025_06_18() {
        assert!(batches_allowed("2024-11-05"));
        assert!(batches_allowed("2025-03-26"));
        assert!(!batches_allowed("2025-06-18"));
        assert!(!batches_allowed("2025-11-25"));
        assert!(!batches_allowed("2026-07-28"));
        let refused = batch_refused(Some("2025-11-25"));
        assert!(refused["id"].is_null() && refused.as_object().unwrap().contains_key("id"));
        assert_eq!(refused["error"]["code"], -32600);
        assert_eq!(batch_elements(b" [1, {\"a\":2}]").unwrap().len(), 2);
        assert!(batch_elements(b"{}").is_none());
    }

    #[test]
    fn an_id_is_in_flight_until_its_guard_drops() {
        let in_flight = InFlight::default();
        let first = in_flight.guard("s", "7").unwrap();
        assert!(in_flight.guard("s", "7").is_none());
        assert!(in_flight.begin("other", "7"));
        drop(first);
        assert!(in_flight.guard("s", "7").is_some());
        assert!(in_flight.begin("s", "8") && !in_flight.begin("s", "8"));
        in_flight.end("s", "8");
        assert!(in_flight.begin("s", "8"));
    }

    #[test]
    fn answer_ids_are_read_from_the_line_start() {
        assert_eq!(
            answer_id(br#"{"jsonrpc":"2.0","id":7,"result":{"big":[1,2,3]}}"#).as_deref(),
            Some("7")
        );
        assert_eq!(
            answer_id(br#"{"jsonrpc":"2.0","id":"a,\"b","error":{}}"#).as_deref(),
            Some(r#""a,\"b""#)
        );
        assert_eq!(
            answer_id(br#"{"jsonrpc":"2.0","id":3,"method":"elicitation/create"}"#),
            None
        );
        assert_eq!(
            answer_id(br#"{"jsonrpc":"2.0","method":"notifications/progress"}"#),
            None
        );
    }
}

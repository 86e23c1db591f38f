//! What an administrator decides an assistant may do, enforced in the host so it holds for
//! every group, third-party plugins included: the read-only posture, tool allow/deny lists, the
//! model allow-list and the audit trail.

pub mod audit;
mod models;
mod tools;
mod writes;

use serde_json::{Map, Value, json};

pub use audit::AuditLog;
pub use models::{ModelAllowList, Verdict};
pub use tools::ToolLists;
pub use writes::changes_looker;

use crate::looker::Method;

/// The request-level rules (the tool-level ones, [`ToolLists`], live with the tool list).
pub struct Governance {
    /// `--read-only` / `LOOKER_READ_ONLY`: nothing that changes Looker is sent, whoever asks.
    pub read_only: bool,
    pub models: Option<ModelAllowList>,
    pub audit: AuditLog,
}

impl Governance {
    /// No rules: everything allowed, audit events to stderr only.
    pub fn open() -> Self {
        Self {
            read_only: false,
            models: None,
            audit: AuditLog::stderr_only(),
        }
    }

    /// The verdict on a request before it is sent.
    pub fn check_request(&self, method: Method, path: &str, body: Option<&str>) -> Verdict {
        if self.read_only && changes_looker(method, path) {
            return Verdict::Refused(format!(
                "the server is read-only (LOOKER_READ_ONLY=true): {} {path} would change Looker",
                method.name()
            ));
        }
        match &self.models {
            Some(models) => models.check_request(method, path, body),
            None => Verdict::Allowed,
        }
    }
}

/// One Looker request of a call, for the audit trail.
#[derive(Clone, Debug)]
pub struct RequestRecord {
    pub method: Method,
    pub path: String,
    /// Looker's status, or `None` when it was not sent or not answered.
    pub status: Option<u16>,
    /// Why the host refused to send it.
    pub refused: Option<String>,
}

impl RequestRecord {
    fn to_json(&self) -> Value {
        let mut entry = json!({"method": self.method.name(), "path": self.path});
        if let Some(status) = self.status {
            entry["status"] = status.into();
        }
        if let Some(refused) = &self.refused {
            entry["refused"] = refused.clone().into();
        }
        entry
    }
}

/// What the audit trail says about one call.
pub struct CallAudit<'a> {
    pub tool: &'a str,
    pub principal: String,
    /// The Looker identity it ran as, in words (`service_account`, `user:2`, `user_token`).
    pub identity: String,
    pub sudo: bool,
    pub arguments: &'a Value,
    pub requests: Vec<RequestRecord>,
    pub outcome: &'a str,
}

impl CallAudit<'_> {
    /// Writes the event when the call changed Looker (or tried to) or ran by sudo.
    pub fn write(self, log: &AuditLog) {
        let changed = self
            .requests
            .iter()
            .any(|r| changes_looker(r.method, &r.path));
        if !changed && !self.sudo {
            return;
        }
        let arguments: Vec<&String> = self
            .arguments
            .as_object()
            .map(|a| a.keys().collect())
            .unwrap_or_default();
        let mut event = Map::new();
        event.insert("tool".into(), self.tool.into());
        event.insert("principal".into(), self.principal.into());
        event.insert("looker_identity".into(), self.identity.into());
        event.insert("argument_names".into(), json!(arguments));
        event.insert(
            "requests".into(),
            self.requests.iter().map(RequestRecord::to_json).collect(),
        );
        event.insert("outcome".into(), self.outcome.into());
        log.record(event);
    }
}

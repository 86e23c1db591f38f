//! The step-by-step report every workflow returns: one entry per Looker step (done, failed,
//! skipped or planned), whether the workflow completed, and what it left behind.

use looker_mcp_plugin_sdk::looker::{Request, Response};
use looker_mcp_plugin_sdk::{LookerError, ToolError};
use serde_json::{Value, json};

/// Looker's error as a report entry: HTTP status and Looker's own message.
pub fn error_json(e: &ToolError) -> Value {
    match e {
        ToolError::Looker(LookerError {
            status, message, ..
        }) => json!({"http_status": status, "message": message}),
        other => json!({"message": other.to_string()}),
    }
}

/// A workflow's report under construction.
pub struct Report {
    steps: Vec<Value>,
    failed: Option<(String, Value)>,
}

impl Report {
    pub fn new() -> Self {
        Self {
            steps: Vec::new(),
            failed: None,
        }
    }

    /// Sends `request` as step `step`. The answer on success; on failure the step is recorded
    /// as failed with Looker's message (the first failure becomes the report's `failed_step`)
    /// and the error is returned.
    pub fn send(&mut self, step: &str, request: Request) -> Result<Response, ToolError> {
        let looker = format!("{} {}", request.method(), request.path());
        match request.send() {
            Ok(response) => {
                self.steps.push(json!({
                    "step": step, "status": "ok", "looker": looker,
                    "http_status": response.status,
                }));
                Ok(response)
            }
            Err(e) => {
                if !matches!(e, ToolError::Cancelled) {
                    self.record_failure(step, &looker, &e);
                }
                Err(e)
            }
        }
    }

    /// Records a step entry as is.
    pub fn record(&mut self, entry: Value) {
        self.steps.push(entry);
    }

    /// Records a failed step with Looker's message; the first failure is the `failed_step`.
    pub fn record_failure(&mut self, step: &str, looker: &str, e: &ToolError) {
        let error = error_json(e);
        self.steps.push(json!({
            "step": step, "status": "failed", "looker": looker, "error": error,
        }));
        if self.failed.is_none() {
            self.failed = Some((step.to_owned(), error));
        }
    }

    /// [`Report::send`], parsing the answer as JSON.
    pub fn json(&mut self, step: &str, request: Request) -> Result<Value, ToolError> {
        let response = self.send(step, request)?;
        Ok(response.json().unwrap_or(Value::Null))
    }

    /// Adds detail (`key: value`) to the last recorded step.
    pub fn note(&mut self, key: &str, value: impl Into<Value>) {
        if let Some(last) = self.steps.last_mut() {
            last[key] = value.into();
        }
    }

    /// Records a step that was not run, and why.
    pub fn skip(&mut self, step: &str, looker: &str, reason: &str) {
        self.steps.push(json!({
            "step": step, "status": "skipped", "looker": looker, "reason": reason,
        }));
    }

    /// Records a step a dry run would run.
    pub fn plan(&mut self, step: &str, looker: &str, what: &str) {
        self.steps.push(json!({
            "step": step, "status": "planned", "looker": looker, "effect": what,
        }));
    }

    /// Whether a step failed.
    pub fn has_failed(&self) -> bool {
        self.failed.is_some()
    }

    /// The report: `completed` (no step failed), `failed_step` and `error` (Looker's message)
    /// when one did, `steps`, `left_behind` (the state Looker is now in), plus `extra`'s fields.
    pub fn finish(self, left_behind: &str, extra: Value) -> Value {
        let mut out = json!({
            "completed": self.failed.is_none(),
        });
        if let Some((step, error)) = self.failed {
            out["failed_step"] = json!(step);
            out["error"] = error;
        }
        out["left_behind"] = json!(left_behind);
        out["steps"] = Value::Array(self.steps);
        if let Value::Object(extra) = extra {
            for (k, v) in extra {
                out[k.as_str()] = v;
            }
        }
        out
    }
}

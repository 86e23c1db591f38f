//! Render tasks: create one, poll it with progress notifications until Looker finishes (or
//! the client cancels, or `max_wait_seconds` runs out), then download the image or PDF.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{Content, Output, ToolError, path, progress};
use serde_json::Value;

/// The largest image or PDF returned (the reference server's cap).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The largest width or height, in pixels (the reference server's cap).
pub const MAX_PIXELS: i64 = 4000;

/// Checks the requested size before anything reaches Looker.
pub fn check_size(width: i64, height: i64) -> Result<(), ToolError> {
    for (name, value) in [("width", width), ("height", height)] {
        if !(1..=MAX_PIXELS).contains(&value) {
            return Err(ToolError::invalid_arguments(format!(
                "`{name}` must be between 1 and {MAX_PIXELS} pixels (this server's render cap), got {value}"
            )));
        }
    }
    Ok(())
}

/// Checks `max_wait_seconds` and turns it into milliseconds.
pub fn wait_budget(max_wait_seconds: f64) -> Result<u64, ToolError> {
    if !(max_wait_seconds.is_finite() && max_wait_seconds > 0.0) {
        return Err(ToolError::invalid_arguments(format!(
            "`max_wait_seconds` must be a positive number of seconds, got {max_wait_seconds}"
        )));
    }
    Ok((max_wait_seconds * 1000.0).min(86_400_000.0) as u64)
}

/// What was rendered, for the result's text and the PDF's URI.
pub struct Subject {
    /// `query`, `look`, `dashboard` or `dashboard_element`.
    pub kind: &'static str,
    /// Its id.
    pub id: String,
}

/// Polls render task `task` (as Looker returned it on creation) until it succeeds, then
/// downloads the result. `budget_ms` bounds the time spent waiting between polls.
pub fn finish(
    subject: &Subject,
    task: &Value,
    format: &str,
    budget_ms: u64,
    dev_mode: bool,
) -> Result<Output, ToolError> {
    let id = match &task["id"] {
        Value::String(s) if !s.is_empty() => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => {
            return Err(ToolError::internal(
                "Looker created a render task without an id",
            ));
        }
    };
    let mut status = task["status"]
        .as_str()
        .unwrap_or("enqueued_for_query")
        .to_owned();
    let mut waited: u64 = 0;
    let mut polls: u32 = 0;
    progress::report(0.0, None, Some(&format!("render task {id}: {status}")));
    while status != "success" {
        if status == "failure" {
            return Err(ToolError::internal(format!(
                "Looker could not render {} {}: {}",
                subject.kind,
                subject.id,
                task_detail(&status, &id)
            )));
        }
        if waited >= budget_ms {
            return Err(ToolError::Request(format!(
                "Looker's render task {id} is still `{status}` after {} s (max_wait_seconds); \
                 call again with a larger max_wait_seconds, or a smaller width and height",
                budget_ms / 1000
            )));
        }
        // 250 ms, 500 ms, 1 s, then every 2 s.
        let step = (250u64 << polls.min(3)).min(2000).min(budget_ms - waited);
        if !progress::wait(step as u32) {
            return Err(ToolError::Cancelled);
        }
        waited += step;
        polls += 1;
        let current: Value = Request::get(path!("/render_tasks/{}", id))
            .fields(&["id", "status", "status_detail"])
            .dev_mode(dev_mode)
            .send()?
            .json()?;
        status = current["status"].as_str().unwrap_or_default().to_owned();
        if status == "failure"
            && let Some(detail) = current["status_detail"].as_str()
        {
            return Err(ToolError::internal(format!(
                "Looker could not render {} {}: {detail}",
                subject.kind, subject.id
            )));
        }
        progress::report(
            f64::from(polls),
            None,
            Some(&format!("render task {id}: {status}")),
        );
    }
    let result = Request::get(path!("/render_tasks/{}/results", id))
        .dev_mode(dev_mode)
        .send()?;
    if result.body.len() > MAX_BYTES {
        return Err(ToolError::invalid_arguments(format!(
            "the rendered {} is {:.1} MiB, over this server's 10 MiB cap; ask for a smaller \
             width and height",
            format.to_uppercase(),
            result.body.len() as f64 / 1_048_576.0
        )));
    }
    let size = result.body.len();
    let summary = format!(
        "Rendered {} {} as {} ({} KiB, Looker render task {id}).",
        subject.kind.replace('_', " "),
        subject.id,
        format.to_uppercase(),
        size.div_ceil(1024)
    );
    let output = match format {
        "pdf" => Output::resource(
            format!("looker://{}s/{}/render.pdf", subject.kind, subject.id),
            "application/pdf",
            result.body,
        ),
        "jpg" => Output::image("image/jpeg", result.body),
        _ => Output::image("image/png", result.body),
    };
    Ok(output.with(Content::Text(summary)))
}

fn task_detail(status: &str, id: &str) -> String {
    format!("render task {id} ended with status `{status}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_are_checked() {
        assert!(check_size(800, 600).is_ok());
        assert!(check_size(4000, 4000).is_ok());
        let err = check_size(4001, 10).unwrap_err();
        assert!(err.to_string().contains("4000"), "{err}");
        assert!(check_size(0, 10).is_err());
        assert_eq!(wait_budget(1.5).unwrap(), 1500);
        assert!(wait_budget(0.0).is_err());
        assert!(wait_budget(f64::NAN).is_err());
    }
}

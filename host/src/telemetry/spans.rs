//! The child spans (and metrics) of one MCP request: each plugin call and each Looker request.

use std::time::{Duration, Instant};

use opentelemetry::context::{FutureExt, WithContext};
use opentelemetry::trace::{SpanKind, Status, TraceContextExt};
use opentelemetry::{Context, KeyValue};

use super::{metrics, route, traces};

/// One plugin call: a `plugin {group}` span under the request's, and its time in metrics.
pub struct PluginCall {
    group: String,
    context: Option<Context>,
    started: Instant,
}

impl PluginCall {
    /// Starts timing a call of `tool` in `group`'s plugin.
    pub fn start(group: &str, tool: &str) -> Self {
        let context = traces::start_child(
            format!("plugin {group}"),
            SpanKind::Internal,
            vec![
                KeyValue::new("looker_mcp.plugin.group", group.to_owned()),
                KeyValue::new("gen_ai.tool.name", tool.to_owned()),
            ],
        );
        Self {
            group: group.to_owned(),
            context,
            started: Instant::now(),
        }
    }

    /// Runs `future` (the plugin's execution) in this span, so its Looker requests become
    /// children of it.
    pub fn within<F: std::future::Future>(&self, future: F) -> WithContext<F> {
        future.with_context(self.context.clone().unwrap_or_else(Context::current))
    }

    /// Ends the call: `cpu` is its epoch-sampled CPU time, `memory` the most linear memory it
    /// held (bytes), `error` its failure kind if it failed.
    pub fn finish(self, cpu: Duration, memory: usize, error: Option<&'static str>) {
        metrics::plugin_call(&self.group, self.started.elapsed(), cpu, memory);
        if let Some(context) = self.context {
            let span = context.span();
            span.set_attribute(KeyValue::new(
                "looker_mcp.plugin.cpu_ms",
                cpu.as_millis() as i64,
            ));
            span.set_attribute(KeyValue::new(
                "looker_mcp.plugin.memory_peak_bytes",
                memory as i64,
            ));
            if let Some(error) = error {
                span.set_attribute(KeyValue::new("error.type", error));
                span.set_status(Status::error(error));
            }
            span.end();
        }
    }
}

/// One Looker API request (one attempt): a client span named `{method} {route template}` and
/// the latency metric, from sending to the end of the body. Ended when dropped; without
/// [`LookerRequest::answered`] (or after [`LookerRequest::failed`]) it failed without a whole
/// answer (timeout, refused connection, body too large).
pub struct LookerRequest {
    method: &'static str,
    route: &'static str,
    status: Option<u16>,
    context: Option<Context>,
    started: Instant,
}

impl LookerRequest {
    /// Starts a request of `path` (relative to the API root); only its route template is kept.
    pub fn start(method: &'static str, path: &str) -> Self {
        let route = route::template(path);
        let context = traces::start_child(
            format!("{method} {route}"),
            SpanKind::Client,
            vec![
                KeyValue::new("http.request.method", method),
                KeyValue::new("url.template", route),
                KeyValue::new("http.route", route),
            ],
        );
        Self {
            method,
            route,
            status: None,
            context,
            started: Instant::now(),
        }
    }

    /// The W3C `traceparent` naming this request's span, sent to Looker so a tracing proxy or
    /// gateway in front of it joins the caller's trace; `None` when tracing is off.
    pub fn traceparent(&self) -> Option<String> {
        let context = self.context.as_ref()?;
        let span = context.span();
        let span = span.span_context();
        span.is_valid().then(|| {
            format!(
                "00-{}-{}-{:02x}",
                span.trace_id(),
                span.span_id(),
                span.trace_flags().to_u8()
            )
        })
    }

    /// Looker answered with `status`.
    pub fn answered(&mut self, status: u16) {
        self.status = Some(status);
    }

    /// Looker's answer broke off (its body failed to arrive, or exceeded the size limit).
    pub fn failed(&mut self) {
        self.status = None;
    }
}

impl Drop for LookerRequest {
    fn drop(&mut self) {
        let status = self.status.unwrap_or(0);
        metrics::looker_request(self.method, self.route, status, self.started.elapsed());
        if let Some(context) = self.context.take() {
            let span = context.span();
            match self.status {
                Some(status) => {
                    span.set_attribute(KeyValue::new(
                        "http.response.status_code",
                        i64::from(status),
                    ));
                    if status >= 400 {
                        span.set_attribute(KeyValue::new("error.type", status.to_string()));
                        span.set_status(Status::error(status.to_string()));
                    }
                }
                None => {
                    span.set_attribute(KeyValue::new("error.type", "no_answer"));
                    span.set_status(Status::error("no answer"));
                }
            }
            span.end();
        }
    }
}

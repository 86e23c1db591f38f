//! What the server tells an operator about itself: OpenTelemetry traces over OTLP when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and Prometheus metrics at `/metrics` (HTTP transport)
//! when `LOOKER_METRICS=true`. A span or label never carries a token, a secret or an argument
//! value: tools by their served name, Looker requests by their spec route template.

mod metrics;
mod route;
mod service;
mod spans;
mod traces;

pub use metrics::{branch_lock_wait, render as render_metrics};
pub use service::Traced;
pub use spans::{LookerRequest, PluginCall};

/// Turns on what the environment asks for: traces when an OTLP endpoint is set, metrics when
/// `metrics` (`LOOKER_METRICS`).
pub fn init(metrics: bool) -> anyhow::Result<()> {
    if metrics {
        metrics::enable();
    }
    traces::enable()
}

/// Sends the spans still buffered (at shutdown: SIGTERM/SIGINT, end of stdin).
pub async fn flush() {
    if traces::enabled() {
        let _ = tokio::task::spawn_blocking(traces::flush).await;
    }
}

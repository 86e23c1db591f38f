//! OpenTelemetry traces exported over OTLP (HTTP/protobuf) when `OTEL_EXPORTER_OTLP_ENDPOINT`
//! (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; the other standard `OTEL_*` variables
//! (headers, timeout, service name, resource attributes) apply as the OTLP exporter reads them.

use std::collections::HashMap;
use std::sync::OnceLock;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{SpanKind, TraceContextExt, Tracer, TracerProvider};
use opentelemetry::{Context, KeyValue};
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};

struct Traces {
    provider: SdkTracerProvider,
    tracer: SdkTracer,
}

static TRACES: OnceLock<Traces> = OnceLock::new();

/// Starts exporting when an OTLP endpoint is configured; otherwise does nothing.
pub fn enable() -> anyhow::Result<()> {
    let configured = [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
    if !configured || TRACES.get().is_some() {
        return Ok(());
    }
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .build()
        .map_err(|e| anyhow::anyhow!("OTEL_EXPORTER_OTLP_ENDPOINT: cannot export traces: {e}"))?;
    let mut resource = opentelemetry_sdk::Resource::builder();
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        resource = resource.with_service_name(crate::server::SERVER_NAME);
    }
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            resource
                .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
                .build(),
        )
        .build();
    let tracer = provider.tracer("looker-mcp");
    let _ = TRACES.set(Traces { provider, tracer });
    tracing::info!("exporting traces over OTLP (HTTP/protobuf)");
    Ok(())
}

/// Whether spans are recorded at all.
pub fn enabled() -> bool {
    TRACES.get().is_some()
}

/// Sends the spans still buffered and stops the exporter (at shutdown; blocks up to the
/// exporter's timeout).
pub fn flush() {
    if let Some(traces) = TRACES.get()
        && let Err(error) = traces.provider.shutdown()
    {
        tracing::warn!(%error, "could not flush the last spans");
    }
}

/// The parent a request's `_meta` names (W3C `traceparent`, `tracestate`); an empty context
/// (a new trace) when it names none or a malformed one.
pub fn remote_parent(traceparent: Option<&str>, tracestate: Option<&str>) -> Context {
    let mut carrier = HashMap::new();
    if let Some(value) = traceparent {
        carrier.insert("traceparent".to_owned(), value.to_owned());
    }
    if let Some(value) = tracestate {
        carrier.insert("tracestate".to_owned(), value.to_owned());
    }
    TraceContextPropagator::new().extract_with_context(&Context::new(), &carrier)
}

/// Starts a span under `parent` and returns the context it is current in; `None` when traces
/// are off.
pub fn start(
    name: String,
    kind: SpanKind,
    attributes: Vec<KeyValue>,
    parent: &Context,
) -> Option<Context> {
    let traces = TRACES.get()?;
    let span = traces
        .tracer
        .span_builder(name)
        .with_kind(kind)
        .with_attributes(attributes)
        .start_with_context(&traces.tracer, parent);
    Some(parent.with_span(span))
}

/// Starts a child of the span current on this task; `None` when traces are off or no span is
/// current (a readiness probe's login, a background refresh: no trace of their own).
pub fn start_child(name: String, kind: SpanKind, attributes: Vec<KeyValue>) -> Option<Context> {
    let current = Context::current();
    if !current.has_active_span() {
        return None;
    }
    start(name, kind, attributes, &current)
}

//! This server's own time per tool call, read from the spans it exports: a local OTLP/HTTP
//! receiver collects them, and a `tools/call` span's duration minus the Looker request spans in
//! its trace is the time the server spent not waiting on Looker — measured inside the server for
//! each call, instead of as the difference of two medians measured apart. (What it leaves out:
//! writing the answer to stdout after the handler returns.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message;

/// A local OTLP/HTTP receiver keeping every span it is sent.
pub struct Receiver {
    /// The endpoint, for `OTEL_EXPORTER_OTLP_ENDPOINT`.
    pub url: String,
    spans: Arc<Mutex<Vec<Span>>>,
}

impl Receiver {
    pub async fn start() -> Result<Self> {
        let spans: Arc<Mutex<Vec<Span>>> = Arc::default();
        let sink = spans.clone();
        let app = axum::Router::new().route(
            "/v1/traces",
            axum::routing::post(move |body: axum::body::Bytes| {
                let sink = sink.clone();
                async move {
                    if let Ok(request) = ExportTraceServiceRequest::decode(body) {
                        let mut sink = sink.lock().unwrap();
                        for resource in request.resource_spans {
                            for scope in resource.scope_spans {
                                sink.extend(scope.spans);
                            }
                        }
                    }
                    ""
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Self { url, spans })
    }

    /// For each `tools/call {tool}` span whose trace has a Looker request span named with
    /// `route`, in the order the calls started: its duration minus the durations of the
    /// Looker request spans of its trace.
    pub fn processing(&self, tool: &str, route: &str) -> Vec<Duration> {
        let spans = self.spans.lock().unwrap();
        let mut looker: HashMap<&[u8], (Duration, bool)> = HashMap::new();
        for span in spans.iter().filter(|s| s.kind == SpanKind::Client as i32) {
            let entry = looker.entry(&span.trace_id).or_default();
            entry.0 += duration(span);
            entry.1 |= span.name.contains(route);
        }
        let name = format!("tools/call {tool}");
        let mut calls: Vec<(u64, Duration)> = spans
            .iter()
            .filter(|s| s.kind == SpanKind::Server as i32 && s.name == name)
            .filter_map(|call| {
                let (waiting, matched) = looker.get(call.trace_id.as_slice())?;
                let own = duration(call).saturating_sub(*waiting);
                matched.then_some((call.start_time_unix_nano, own))
            })
            .collect();
        calls.sort_by_key(|(started, _)| *started);
        calls.into_iter().map(|(_, own)| own).collect()
    }
}

fn duration(span: &Span) -> Duration {
    Duration::from_nanos(
        span.end_time_unix_nano
            .saturating_sub(span.start_time_unix_nano),
    )
}

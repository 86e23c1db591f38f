//! Telemetry: spans exported over OTLP (HTTP/protobuf) to a receiver started by the test, and
//! Prometheus metrics scraped from `/metrics`. Neither ever carries an argument's value.

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use rmcp::ServiceExt;
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::http;
use crate::support::{Harness, call};

/// Looks like a credential; must never reach a span or a metric.
const SECRET: &str = "sk_live_9f8e7d6c5b4a3f2e1d0c";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN: &str = "00f067aa0ba902b7";

/// A local OTLP/HTTP receiver: every span of every `POST /v1/traces`.
struct Receiver {
    url: String,
    spans: Arc<Mutex<Vec<Span>>>,
}

impl Receiver {
    async fn start() -> Self {
        let spans: Arc<Mutex<Vec<Span>>> = Arc::default();
        let sink = spans.clone();
        let app = axum::Router::new().route(
            "/v1/traces",
            axum::routing::post(move |body: axum::body::Bytes| {
                let sink = sink.clone();
                async move {
                    let request = ExportTraceServiceRequest::decode(body).expect("OTLP protobuf");
                    for resource in request.resource_spans {
                        for scope in resource.scope_spans {
                            sink.lock().unwrap().extend(scope.spans);
                        }
                    }
                    ""
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url: format!("http://{address}"),
            spans,
        }
    }

    fn spans(&self) -> Vec<Span> {
        self.spans.lock().unwrap().clone()
    }
}

fn attribute(span: &Span, key: &str) -> Option<String> {
    let value = span
        .attributes
        .iter()
        .find(|kv| kv.key == key)?
        .value
        .as_ref()?;
    match value.value.as_ref()? {
        AnyValue::StringValue(s) => Some(s.clone()),
        AnyValue::IntValue(i) => Some(i.to_string()),
        AnyValue::BoolValue(b) => Some(b.to_string()),
        other => Some(format!("{other:?}")),
    }
}

fn named<'a>(spans: &'a [Span], name: &str) -> &'a Span {
    spans.iter().find(|s| s.name == name).unwrap_or_else(|| {
        let names: Vec<&str> = spans.iter().map(|s| s.name.as_str()).collect();
        panic!("no span {name:?} among {names:?}")
    })
}

/// Sends JSON-RPC lines over stdio, then closes stdin and waits for the server to exit (the
/// end of stdin is a shutdown: buffered spans are flushed before it exits).
async fn stdio_session(h: &Harness, groups: &str, requests: &[Value]) -> Vec<Value> {
    let mut child = h
        .command(&["--groups", groups])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut answers = Vec::new();
    for request in requests {
        stdin
            .write_all(format!("{request}\n").as_bytes())
            .await
            .unwrap();
        let Some(id) = request.get("id") else {
            continue;
        };
        loop {
            let line = tokio::time::timeout(Duration::from_secs(60), stdout.next_line())
                .await
                .expect("an answer within 60 s")
                .unwrap()
                .expect("stdout open");
            let message: Value = serde_json::from_str(&line).unwrap();
            if message.get("id") == Some(id) {
                answers.push(message);
                break;
            }
        }
    }
    drop(stdin);
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .expect("the server exits when stdin closes")
        .unwrap();
    assert!(status.success(), "{status}");
    answers
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn each_request_is_a_span_with_plugin_and_looker_children_under_the_callers_trace() {
    let receiver = Receiver::start().await;
    let mut h = Harness::new().await;
    h.set("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.url);
    let traceparent = format!("00-{TRACE_ID}-{PARENT_SPAN}-01");
    let answers = stdio_session(
        &h,
        "identity,explore",
        &[
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "telemetry-test", "version": "1"}}}),
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
            json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
                "name": "whoami", "arguments": {},
                "_meta": {"traceparent": traceparent}}}),
            json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {
                "name": "get_model", "arguments": {"model_name": SECRET}}}),
            json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {
                "name": SECRET, "arguments": {}}}),
        ],
    )
    .await;
    assert_eq!(answers[2]["result"]["isError"], false, "{}", answers[2]);
    assert_eq!(answers[3]["result"]["isError"], true, "{}", answers[3]);

    let spans = receiver.spans();
    named(&spans, "initialize");
    named(&spans, "tools/list");

    // The call: a server span under the caller's `traceparent`, with the MCP attributes.
    let call = named(&spans, "tools/call whoami");
    assert_eq!(hex(&call.trace_id), TRACE_ID);
    assert_eq!(hex(&call.parent_span_id), PARENT_SPAN);
    assert_eq!(call.kind, 2, "SPAN_KIND_SERVER");
    assert_eq!(
        attribute(call, "mcp.method.name").as_deref(),
        Some("tools/call")
    );
    assert_eq!(
        attribute(call, "gen_ai.tool.name").as_deref(),
        Some("whoami")
    );
    assert_eq!(attribute(call, "jsonrpc.request.id").as_deref(), Some("3"));
    assert_eq!(
        attribute(call, "mcp.protocol.version").as_deref(),
        Some("2025-06-18")
    );
    assert_eq!(attribute(call, "error.type"), None);

    // Its plugin call, and under that the Looker request, named by its route.
    let plugin = named(&spans, "plugin identity");
    assert_eq!(plugin.parent_span_id, call.span_id);
    assert_eq!(plugin.trace_id, call.trace_id);
    let looker = spans
        .iter()
        .find(|s| s.parent_span_id == plugin.span_id)
        .expect("a Looker request under the plugin span");
    assert_eq!(looker.name, "GET /user");
    assert_eq!(looker.kind, 3, "SPAN_KIND_CLIENT");
    assert_eq!(
        attribute(looker, "http.request.method").as_deref(),
        Some("GET")
    );
    assert_eq!(attribute(looker, "url.template").as_deref(), Some("/user"));
    assert_eq!(
        attribute(looker, "http.response.status_code").as_deref(),
        Some("200")
    );
    // Looker (or a tracing proxy in front of it) is told the span, so its trace joins ours.
    let sent = h
        .sim
        .requests()
        .into_iter()
        .find(|r| r.path == "/user")
        .expect("GET /user reached the simulator");
    assert_eq!(
        sent.traceparent,
        Some(format!("00-{TRACE_ID}-{}-01", hex(&looker.span_id))),
        "the Looker request carries its own span as traceparent"
    );

    // A call Looker refused: a tool error, its Looker request named by the route template.
    let failed = named(&spans, "tools/call get_model");
    assert_ne!(
        failed.trace_id, call.trace_id,
        "no traceparent: a trace of its own"
    );
    assert_eq!(
        attribute(failed, "error.type").as_deref(),
        Some("tool_error")
    );
    let refused = named(&spans, "GET /lookml_models/{lookml_model_name}");
    assert_eq!(refused.trace_id, failed.trace_id);
    assert_eq!(
        attribute(refused, "http.response.status_code").as_deref(),
        Some("404")
    );
    // An unknown tool: an MCP error; the name the client sent is not recorded.
    let unknown = named(&spans, "tools/call _unknown");
    assert_eq!(attribute(unknown, "error.type").as_deref(), Some("-32602"));

    let exported = format!("{spans:?}");
    assert!(
        !exported.contains(SECRET),
        "a span carries the secret: {exported}"
    );
}

#[tokio::test]
async fn metrics_are_scraped_from_metrics_and_carry_names_not_values() {
    let mut h = Harness::new().await;
    h.set("LOOKER_METRICS", "true");
    let server = http::start(&h, "identity,explore,modeling").await;
    let transport = StreamableHttpClientTransport::from_uri(format!("{}/mcp", server.base));
    let client = ().serve(transport).await.expect("MCP initialize over HTTP");
    call(&client, "whoami", json!({})).await;
    call(&client, "whoami", json!({})).await;
    let refused = call(&client, "get_model", json!({"model_name": SECRET})).await;
    assert_eq!(refused.is_error, Some(true));
    // A call on a branch takes the branch lock for the call.
    let on_branch = call(
        &client,
        "list_project_files",
        json!({"project_id": "ecommerce", "branch": "feature/new-dashboard"}),
    )
    .await;
    assert_ne!(on_branch.is_error, Some(true), "{on_branch:?}");

    let scrape = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap();
    assert_eq!(scrape.status(), 200);
    let text = scrape.text().await.unwrap();
    assert!(
        !text.contains(SECRET),
        "a metric carries the secret:\n{text}"
    );
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text format");
    let value = |name: &str, labels: &[(&str, &str)]| -> f64 {
        scrape
            .samples
            .iter()
            .filter(|s| s.metric == name)
            .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => v,
                prometheus_parse::Value::Histogram(ref buckets) => {
                    buckets.last().map_or(0.0, |b| b.count)
                }
                prometheus_parse::Value::Summary(_) => 0.0,
            })
            .sum()
    };
    let whoami = [
        ("mcp_method_name", "tools/call"),
        ("gen_ai_tool_name", "whoami"),
    ];
    assert_eq!(
        value("mcp_server_operation_duration_seconds", &whoami),
        2.0,
        "{text}"
    );
    assert_eq!(
        value(
            "looker_mcp_tool_calls_total",
            &[("gen_ai_tool_name", "whoami")]
        ),
        2.0
    );
    assert_eq!(
        value(
            "looker_mcp_tool_errors_total",
            &[
                ("gen_ai_tool_name", "get_model"),
                ("error_type", "tool_error")
            ]
        ),
        1.0
    );
    // Read from the text: prometheus-parse cannot read a label value holding `{…}`.
    assert!(
        text.lines().any(|line| line
            == "looker_mcp_looker_request_duration_seconds_count{http_request_method=\"GET\",\
                http_route=\"/lookml_models/{lookml_model_name}\",http_response_status_code=\"404\"} 1"),
        "{text}"
    );
    assert!(
        value(
            "looker_mcp_plugin_call_duration_seconds",
            &[("group", "identity")]
        ) >= 2.0
    );
    // Every plugin call's peak linear memory (a histogram: its count is the calls).
    assert!(
        value(
            "looker_mcp_plugin_memory_peak_bytes",
            &[("group", "identity")]
        ) >= 2.0,
        "{text}"
    );
    assert_eq!(
        value(
            "looker_mcp_branch_lock_wait_seconds",
            &[("backend", "local"), ("outcome", "taken")]
        ),
        1.0,
        "{text}"
    );
    assert_eq!(value("looker_mcp_sessions", &[]), 1.0);
    // The explicit buckets of `mcp.server.operation.duration`.
    for bound in ["0.01", "300.0"] {
        assert!(text.contains(&format!("{{le=\"{bound}\",")), "{text}");
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn metrics_are_off_unless_asked_for() {
    let h = Harness::new().await;
    let server = http::start(&h, "identity").await;
    let scrape = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap();
    assert_eq!(scrape.status(), 404);
}

#[tokio::test]
async fn probes_produce_no_traces_and_sigterm_flushes_the_rest() {
    let receiver = Receiver::start().await;
    let mut h = Harness::new().await;
    h.set("OTEL_EXPORTER_OTLP_ENDPOINT", &receiver.url);
    let mut server = http::start(&h, "identity").await;
    let http = reqwest::Client::new();
    for probe in ["/healthz", "/readyz", "/healthz", "/readyz"] {
        let answer = http
            .get(format!("{}{probe}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{probe}");
    }
    let transport = StreamableHttpClientTransport::from_uri(format!("{}/mcp", server.base));
    let client = ().serve(transport).await.expect("MCP initialize over HTTP");
    call(&client, "whoami", json!({})).await;
    // SIGTERM: the server sends what it buffered before it exits (the exporter's own schedule
    // would wait seconds more).
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(server.pid() as i32, libc::SIGTERM) };
    assert!(server.wait().await.success());
    let spans = receiver.spans();
    let call = named(&spans, "tools/call whoami");
    assert!(attribute(call, "mcp.session.id").is_some_and(|id| !id.is_empty()));
    assert_eq!(attribute(call, "network.transport").as_deref(), Some("tcp"));
    let roots: Vec<&str> = spans
        .iter()
        .filter(|s| s.parent_span_id.is_empty())
        .map(|s| s.name.as_str())
        .collect();
    assert!(
        roots
            .iter()
            .all(|name| ["initialize", "tools/call whoami"].contains(name)),
        "only MCP requests start traces: {roots:?}"
    );
    drop(client);
}

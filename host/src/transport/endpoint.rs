//! The `/mcp` endpoint: rmcp's streamable-HTTP service, with the answers the spec and common
//! clients expect where rmcp's differ:
//!
//! - a request whose id is still in flight in the same session is refused at once (HTTP 409 with
//!   a JSON-RPC error) instead of waiting forever behind the first;
//! - a batch gets its revision's answer ([`super::jsonrpc`]): before 2025-06-18 each element is
//!   served and the answers come back on one SSE stream; later, an Invalid Request;
//! - a session `DELETE` answers 204 (rmcp says 202, which the Python SDK 1.x logs as
//!   "Session termination failed: 202").

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Method, Request, Response, StatusCode, header};
use futures::StreamExt;
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;

use super::jsonrpc::{self, InFlight, InFlightGuard, Probe};

const SESSION_HEADER: &str = "mcp-session-id";
const VERSION_HEADER: &str = "mcp-protocol-version";
/// The revision rmcp assumes when a request names none.
const DEFAULT_REVISION: &str = "2025-03-26";

/// rmcp's service behind the fixes above.
#[derive(Clone)]
pub struct McpEndpoint {
    inner: BoxCloneSyncService<Request<Body>, Response<Body>, Infallible>,
    in_flight: InFlight,
    max_body_bytes: usize,
}

impl McpEndpoint {
    /// `inner` (rmcp's `StreamableHttpService`) with request bodies read up to `max_body_bytes`.
    pub fn new<S, B>(inner: S, max_body_bytes: usize) -> Self
    where
        S: tower::Service<Request<Body>, Response = Response<B>, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send,
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        Self {
            inner: BoxCloneSyncService::new(inner.map_response(|r| r.map(Body::new))),
            in_flight: InFlight::default(),
            max_body_bytes,
        }
    }
}

impl tower::Service<Request<Body>> for McpEndpoint {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let endpoint = self.clone();
        Box::pin(async move { Ok(endpoint.serve(request).await) })
    }
}

impl McpEndpoint {
    async fn serve(self, request: Request<Body>) -> Response<Body> {
        match *request.method() {
            Method::DELETE => {
                let mut response = self.pass(request).await;
                if response.status() == StatusCode::ACCEPTED {
                    *response.status_mut() = StatusCode::NO_CONTENT;
                }
                response
            }
            Method::POST => self.post(request).await,
            _ => self.pass(request).await,
        }
    }

    async fn pass(&self, request: Request<Body>) -> Response<Body> {
        let Ok(response) = self.inner.clone().oneshot(request).await;
        response
    }

    async fn post(self, request: Request<Body>) -> Response<Body> {
        let (parts, body) = request.into_parts();
        let bytes = match axum::body::to_bytes(body, self.max_body_bytes).await {
            Ok(bytes) => bytes,
            Err(_) => {
                return plain(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "a request body must be at most {} bytes",
                        self.max_body_bytes
                    ),
                );
            }
        };
        let session = header_text(&parts.headers, SESSION_HEADER);
        if let Some(elements) = jsonrpc::batch_elements(&bytes) {
            return self.batch(parts, session, elements).await;
        }
        let guard = match self.admit(session.as_deref(), &bytes) {
            Ok(guard) => guard,
            Err(answer) => return json(StatusCode::CONFLICT, &answer),
        };
        let response = self
            .pass(Request::from_parts(parts, Body::from(bytes)))
            .await;
        hold_until_sent(response, guard)
    }

    /// The in-flight mark of a request in a session, or the answer refusing a duplicate id.
    fn admit(
        &self,
        session: Option<&str>,
        message: &[u8],
    ) -> Result<Option<InFlightGuard>, serde_json::Value> {
        let (Some(session), Some(id)) = (session, Probe::of(message).and_then(|p| p.request_id()))
        else {
            return Ok(None);
        };
        match self.in_flight.guard(session, &id) {
            Some(guard) => Ok(Some(guard)),
            None => {
                tracing::warn!(id, "refused a request whose id is still in flight");
                Err(jsonrpc::duplicate_id(&id))
            }
        }
    }

    async fn batch(
        self,
        parts: axum::http::request::Parts,
        session: Option<String>,
        elements: Vec<Box<serde_json::value::RawValue>>,
    ) -> Response<Body> {
        let revision = header_text(&parts.headers, VERSION_HEADER);
        let revision = revision.as_deref().unwrap_or(DEFAULT_REVISION);
        if session.is_none() || elements.is_empty() || !jsonrpc::batches_allowed(revision) {
            let answer = jsonrpc::batch_refused(session.is_some().then_some(revision));
            return json(StatusCode::BAD_REQUEST, &answer);
        }
        let mut ready = Vec::new();
        let mut answers = Vec::new();
        for element in elements {
            let message = element.get().as_bytes();
            let guard = match self.admit(session.as_deref(), message) {
                Ok(guard) => guard,
                Err(answer) => {
                    ready.push(answer);
                    continue;
                }
            };
            let request =
                Request::from_parts(parts.clone(), Body::from(Bytes::copy_from_slice(message)));
            let response = self.pass(request).await;
            match response.status() {
                StatusCode::ACCEPTED => {}
                status if status.is_success() => answers.push(hold_until_sent(response, guard)),
                _ => return response,
            }
        }
        if ready.is_empty() && answers.is_empty() {
            return Response::builder()
                .status(StatusCode::ACCEPTED)
                .body(Body::empty())
                .expect("a valid response");
        }
        let ready = futures::stream::iter(
            ready
                .into_iter()
                .map(|answer| Ok::<_, axum::Error>(Bytes::from(format!("data: {answer}\n\n")))),
        );
        let streams = answers
            .into_iter()
            .map(|response| response.into_body().into_data_stream());
        let merged = ready.chain(futures::stream::select_all(streams));
        Response::builder()
            .header(header::CONTENT_TYPE, "text/event-stream")
            .header(header::CACHE_CONTROL, "no-cache")
            .body(Body::from_stream(merged))
            .expect("a valid response")
    }
}

/// Keeps `guard` (the request's id in flight) until the answer's body is sent or dropped.
fn hold_until_sent(response: Response<Body>, guard: Option<InFlightGuard>) -> Response<Body> {
    let Some(guard) = guard else {
        return response;
    };
    response.map(|body| {
        Body::from_stream(body.into_data_stream().map(move |chunk| {
            let _held = &guard;
            chunk
        }))
    })
}

fn header_text(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn json(status: StatusCode, answer: &serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )
        .body(Body::from(answer.to_string()))
        .expect("a valid response")
}

fn plain(status: StatusCode, text: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .body(Body::from(text))
        .expect("a valid response")
}

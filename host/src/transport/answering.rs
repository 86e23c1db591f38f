//! Requests whose answers are still being written, so a stop can wait until every call in
//! flight has its answer sent. The standalone SSE stream (`GET /mcp`) is not counted: it lasts
//! as long as its session, and a stop ends sessions last.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use futures::StreamExt;
use tokio::sync::watch;

/// The count of requests being answered.
#[derive(Clone)]
pub struct Answering(watch::Sender<usize>);

impl Default for Answering {
    fn default() -> Self {
        Self(watch::Sender::new(0))
    }
}

/// One request being answered; dropped with its response body.
struct Answer(watch::Sender<usize>);

impl Drop for Answer {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n -= 1);
    }
}

impl Answering {
    /// Resolves once no answer is being written.
    pub async fn drained(&self) {
        let _ = self.0.subscribe().wait_for(|n| *n == 0).await;
    }
}

/// Counts the request until its response body has been sent (or dropped).
pub async fn middleware(
    State(answering): State<Answering>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::GET && request.uri().path() == "/mcp" {
        return next.run(request).await;
    }
    answering.0.send_modify(|n| *n += 1);
    let answer = Answer(answering.0.clone());
    next.run(request).await.map(|body| {
        Body::from_stream(body.into_data_stream().map(move |chunk| {
            let _ = &answer;
            chunk
        }))
    })
}

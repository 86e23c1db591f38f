//! A Looker response body read as it arrives: the host holds one network chunk at a time, and
//! never hands out more than the caller's size limit.

use std::time::Duration;

use bytes::{Bytes, BytesMut};

use super::client::{RequestError, transport_error};
use crate::telemetry::LookerRequest;

/// A response body, read in pieces ([`Body::next`]) or whole ([`Body::read_all`]). Ends its
/// request's telemetry span once read to the end, or when dropped.
pub struct Body {
    source: Source,
    /// Bytes taken from the source so far.
    read: u64,
    /// The most it may hand out in all.
    max: u64,
    /// The request's timeout, for the error a stalled body reports.
    timeout: Duration,
    traced: Option<LookerRequest>,
}

enum Source {
    /// Still arriving; `pending` is the part of the last chunk not handed out yet.
    Network {
        response: reqwest::Response,
        pending: Bytes,
    },
    /// Already in memory (e.g. a listing the host filtered).
    Memory(Bytes),
}

impl Body {
    pub(super) fn network(
        response: reqwest::Response,
        max: u64,
        timeout: Duration,
        traced: LookerRequest,
    ) -> Self {
        Self {
            source: Source::Network {
                response,
                pending: Bytes::new(),
            },
            read: 0,
            max,
            timeout,
            traced: Some(traced),
        }
    }

    /// A body the host already holds.
    pub fn memory(bytes: Vec<u8>) -> Self {
        Self {
            source: Source::Memory(bytes.into()),
            read: 0,
            max: u64::MAX,
            timeout: Duration::ZERO,
            traced: None,
        }
    }

    /// The next piece of the body: `limit` bytes (fewer only at the end), gathered from as
    /// many network chunks as that takes, so a reader makes few calls; empty once the body has
    /// been read.
    pub async fn next(&mut self, limit: usize) -> Result<Bytes, RequestError> {
        let limit = limit.max(1);
        let mut gathered = BytesMut::with_capacity(limit.min(1 << 20));
        while gathered.len() < limit {
            let Some(mut bytes) = self.arrived().await? else {
                break;
            };
            let room = limit - gathered.len();
            if bytes.len() > room {
                self.unread(bytes.split_off(room));
            }
            if gathered.is_empty() && bytes.len() == limit {
                return Ok(bytes);
            }
            gathered.extend_from_slice(&bytes);
        }
        Ok(gathered.freeze())
    }

    /// The rest of the body in one buffer, sized once when `length` (Looker's `Content-Length`)
    /// is known.
    pub async fn read_all(mut self, length: Option<u64>) -> Result<Vec<u8>, RequestError> {
        let mut all = Vec::new();
        while let Some(bytes) = self.arrived().await? {
            if all.is_empty() {
                if bytes.len() as u64 == length.unwrap_or(0) {
                    return Ok(bytes.into());
                }
                all.reserve_exact(length.unwrap_or(0).min(self.max) as usize);
            }
            all.extend_from_slice(&bytes);
        }
        Ok(all)
    }

    /// The next bytes that arrived (what a reader left of the last chunk, or the next chunk);
    /// `None` at the end, which also ends the request's span.
    async fn arrived(&mut self) -> Result<Option<Bytes>, RequestError> {
        let bytes = match &mut self.source {
            Source::Memory(rest) => std::mem::take(rest),
            Source::Network { response, pending } => {
                while pending.is_empty() {
                    match response.chunk().await {
                        Ok(Some(chunk)) => *pending = chunk,
                        Ok(None) => break,
                        Err(error) => {
                            let error = transport_error(error, self.timeout);
                            return Err(failed(&mut self.traced, error));
                        }
                    }
                }
                std::mem::take(pending)
            }
        };
        if bytes.is_empty() {
            self.traced.take();
            return Ok(None);
        }
        self.read += bytes.len() as u64;
        if self.read > self.max {
            return Err(failed(&mut self.traced, RequestError::TooLarge(self.max)));
        }
        Ok(Some(bytes))
    }

    /// Puts back the part of the last arrival a reader did not take.
    fn unread(&mut self, rest: Bytes) {
        self.read -= rest.len() as u64;
        match &mut self.source {
            Source::Memory(left) | Source::Network { pending: left, .. } => *left = rest,
        }
    }
}

/// Records that the body failed (its span and metric then say so) and returns `error`.
fn failed(traced: &mut Option<LookerRequest>, error: RequestError) -> RequestError {
    if let Some(traced) = traced.as_mut() {
        traced.failed();
    }
    error
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A server on loopback that answers one request with `chunks` as a chunked body (no
    /// `Content-Length`, as a streaming Looker answer may come); returns its URL.
    async fn chunked_server(chunks: &'static [&'static str]) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).await.unwrap();
            let mut answer = String::from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            for chunk in chunks {
                answer.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
            }
            answer.push_str("0\r\n\r\n");
            socket.write_all(answer.as_bytes()).await.unwrap();
        });
        url
    }

    async fn body(chunks: &'static [&'static str], max: u64) -> Body {
        let response = reqwest::get(chunked_server(chunks).await).await.unwrap();
        let traced = LookerRequest::start("GET", "/x");
        Body::network(response, max, Duration::from_secs(5), traced)
    }

    #[tokio::test]
    async fn pieces_are_at_most_the_size_asked_and_end_empty() {
        let mut body = body(&["hello ", "world"], 1024).await;
        let mut pieces = Vec::new();
        loop {
            let piece = body.next(4).await.unwrap();
            if piece.is_empty() {
                break;
            }
            assert!(piece.len() <= 4, "{piece:?}");
            pieces.push(piece);
        }
        assert_eq!(pieces.concat(), b"hello world");
        assert!(body.next(4).await.unwrap().is_empty(), "stays at the end");
    }

    #[tokio::test]
    async fn a_body_past_the_limit_is_refused_as_it_arrives() {
        let mut body = body(&["0123456789", "0123456789"], 15).await;
        assert_eq!(&body.next(10).await.unwrap()[..], b"0123456789");
        assert_eq!(body.next(10).await, Err(RequestError::TooLarge(15)));
        let whole = super::Body::memory(b"abc".to_vec()).read_all(Some(3)).await;
        assert_eq!(whole.unwrap(), b"abc");
    }
}

//! MCP over stdin/stdout. stdout carries JSON-RPC only: logs go to stderr and plugins' own
//! stdout is a sink.
//!
//! A thin line filter sits between stdin and rmcp. rmcp drops a line that is not JSON without
//! a word, which leaves a client waiting for an answer that never comes; JSON-RPC 2.0 wants a
//! Parse error (`-32700`, `"id": null`) instead. The filter answers those lines itself (and lines
//! longer than rmcp accepts, with Invalid Request), refuses a request whose id is still in
//! flight, serves a batch by the negotiated revision's rules ([`super::jsonrpc`]), hands every
//! other line to rmcp unchanged, and the server keeps serving. rmcp's answers and the filter's
//! go to stdout through one writer, whole lines at a time, so they never interleave.
//!
//! On SIGTERM or SIGINT the filter stops reading, the calls in flight finish (or are cancelled
//! after the grace period, see [`super::shutdown`]), then rmcp's input closes: it sends the
//! answers it has and ends, and the process exits 0.

use rmcp::ServiceExt;
use rmcp::service::ServerInitializeError;
use rmcp::transport::async_rw::DEFAULT_MAX_LINE_LENGTH;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::jsonrpc::{self, InFlight, Probe};
use super::shutdown;
use crate::server::LookerMcp;

/// Stdio has one session; its in-flight ids are keyed by this.
const SESSION: &str = "";

/// Room for messages in flight between the filter, rmcp and the writer.
const PIPE_BYTES: usize = 1 << 20;

/// Serves until the client closes stdin or a signal stops the server (calls in flight get
/// `grace`). Closing stdin before the MCP handshake is a clean exit.
pub async fn serve(handler: LookerMcp, grace: Duration) -> anyhow::Result<()> {
    let (stdin, stdout) = rmcp::transport::io::stdio_pipes();
    serve_on(handler, stdin, stdout, grace).await
}

/// Serves MCP over any line-delimited byte streams (stdin/stdout in production).
pub async fn serve_on<R, W>(
    handler: LookerMcp,
    input: R,
    output: W,
    grace: Duration,
) -> anyhow::Result<()>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (to_rmcp, rmcp_input) = tokio::io::duplex(PIPE_BYTES);
    let (rmcp_output, from_rmcp) = tokio::io::duplex(PIPE_BYTES);
    let (answers, answered) = mpsc::channel(16);
    let in_flight = InFlight::default();
    let stop_reading = CancellationToken::new();
    let filter = filter_input(
        input,
        to_rmcp,
        answers,
        in_flight.clone(),
        stop_reading.clone(),
    );
    let mut filter = tokio::spawn(filter);
    let writer = tokio::spawn(write_output(from_rmcp, answered, output, in_flight));
    let slots = handler.slots();
    let traced = crate::telemetry::Traced::new(handler, "pipe");
    let result = match traced.serve((rmcp_input, rmcp_output)).await {
        Ok(service) => {
            let waiting = service.waiting();
            tokio::pin!(waiting);
            tokio::select! {
                ended = &mut waiting => ended.map(drop).map_err(anyhow::Error::from),
                signal = shutdown::signalled() => {
                    tracing::info!(signal, "stopping: no more requests are read from stdin");
                    stop_reading.cancel();
                    // rmcp's input stays open (held here) while the calls finish.
                    let held = (&mut filter).await.ok().flatten();
                    shutdown::let_calls_finish(&slots, grace, || slots.drained()).await;
                    // End of input: rmcp sends the answers it has, then ends.
                    drop(held);
                    waiting.await.map(drop).map_err(anyhow::Error::from)
                }
            }
        }
        Err(ServerInitializeError::ConnectionClosed(_)) => {
            tracing::info!("stdin closed before the MCP handshake; nothing to serve");
            Ok(())
        }
        Err(error) => Err(error.into()),
    };
    // rmcp is done and its end of the output pipe is closed: stop reading stdin, then let the
    // writer drain what is left.
    filter.abort();
    let _ = writer.await;
    result
}

/// What the filter does with one line of input.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// Blank: nothing to do (rmcp skips blank lines too).
    Skip,
    /// JSON: rmcp's business, forwarded unchanged.
    Forward,
    /// Not JSON: answered with a Parse error.
    ParseError(String),
}

fn judge(line: &[u8]) -> Verdict {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Verdict::Skip;
    }
    let Ok(text) = std::str::from_utf8(line) else {
        return Verdict::ParseError("the line is not UTF-8".into());
    };
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => Verdict::Forward,
        Err(error) if error.is_syntax() || error.is_eof() => Verdict::ParseError(error.to_string()),
        // Well-formed JSON of the wrong shape: rmcp answers it (Invalid Request).
        Err(_) => Verdict::Forward,
    }
}

fn error_line(code: i32, message: &str, detail: &str) -> Vec<u8> {
    let answer = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": code, "message": message, "data": {"detail": detail}},
    });
    line_of(&answer)
}

fn line_of(answer: &serde_json::Value) -> Vec<u8> {
    let mut line = answer.to_string().into_bytes();
    line.push(b'\n');
    line
}

/// What the filter hands the writer.
enum ToWriter {
    /// An answer of the filter's own, written as it is.
    Line(Vec<u8>),
    /// A batch was forwarded: rmcp's answers to these ids are held back and written together,
    /// as one array, with `ready` (the filter's own answers to some of its elements).
    Batch {
        waiting: Vec<String>,
        ready: Vec<Vec<u8>>,
    },
}

/// What the filter knows of the session: the revision asked for and the requests in flight.
struct Session {
    revision: Option<String>,
    in_flight: InFlight,
}

impl Session {
    /// One message forwarded to rmcp, unless the filter answers it itself (the answer).
    fn admit(&mut self, message: &[u8]) -> Result<Option<String>, serde_json::Value> {
        let Some(probe) = Probe::of(message) else {
            return Ok(None);
        };
        if let Some(revision) = probe.requested_revision() {
            self.revision = Some(revision.to_string());
        }
        let Some(id) = probe.request_id() else {
            return Ok(None);
        };
        if !self.in_flight.begin(SESSION, &id) {
            tracing::warn!(id, "refused a request whose id is still in flight");
            return Err(jsonrpc::duplicate_id(&id));
        }
        Ok(Some(id))
    }
}

/// Reads stdin line by line (at most rmcp's line limit held at once), forwards JSON to rmcp and
/// answers the rest. Ends at EOF, closing rmcp's input; or when `stop` is cancelled, returning
/// rmcp's input still open.
async fn filter_input<R: AsyncRead + Unpin>(
    input: R,
    mut to_rmcp: tokio::io::DuplexStream,
    answers: mpsc::Sender<ToWriter>,
    in_flight: InFlight,
    stop: CancellationToken,
) -> Option<tokio::io::DuplexStream> {
    let mut session = Session {
        revision: None,
        in_flight,
    };
    let mut input = BufReader::new(input);
    let mut line: Vec<u8> = Vec::new();
    let mut oversized = false;
    loop {
        let filled = tokio::select! {
            filled = input.fill_buf() => filled,
            () = stop.cancelled() => return Some(to_rmcp),
        };
        let available = match filled {
            Ok(available) => available,
            Err(error) => {
                tracing::error!(%error, "could not read stdin");
                break;
            }
        };
        let eof = available.is_empty();
        let newline = available.iter().position(|b| *b == b'\n');
        let take = newline.map_or(available.len(), |at| at + 1);
        if !oversized {
            if line.len() + take > DEFAULT_MAX_LINE_LENGTH {
                oversized = true;
                line.clear();
            } else {
                line.extend_from_slice(&available[..take]);
            }
        }
        input.consume(take);
        if newline.is_none() && !eof {
            continue;
        }
        if oversized {
            tracing::warn!(
                max_bytes = DEFAULT_MAX_LINE_LENGTH,
                "refused an over-long JSON-RPC line"
            );
            let detail = format!("a message must be at most {DEFAULT_MAX_LINE_LENGTH} bytes");
            let answer = error_line(-32600, "Invalid Request", &detail);
            if answers.send(ToWriter::Line(answer)).await.is_err() {
                break;
            }
        } else if !line.is_empty() {
            let served = match judge(&line) {
                Verdict::Skip => Ok(()),
                Verdict::Forward => match jsonrpc::batch_elements(&line) {
                    Some(elements) => {
                        forward_batch(&mut session, elements, &mut to_rmcp, &answers).await
                    }
                    None => forward(&mut session, &mut line, &mut to_rmcp, &answers).await,
                },
                Verdict::ParseError(detail) => {
                    tracing::warn!(%detail, "answered a line that is not JSON with a parse error");
                    let answer = error_line(-32700, "Parse error", &detail);
                    answers.send(ToWriter::Line(answer)).await.map_err(drop)
                }
            };
            if served.is_err() {
                break;
            }
        }
        line.clear();
        oversized = false;
        if eof {
            break;
        }
    }
    let _ = to_rmcp.shutdown().await;
    None
}

/// One message to rmcp, or the filter's answer to it. `Err`: the other side is gone.
async fn forward(
    session: &mut Session,
    line: &mut Vec<u8>,
    to_rmcp: &mut tokio::io::DuplexStream,
    answers: &mpsc::Sender<ToWriter>,
) -> Result<(), ()> {
    if let Err(answer) = session.admit(line) {
        return answers
            .send(ToWriter::Line(line_of(&answer)))
            .await
            .map_err(drop);
    }
    if line.last() != Some(&b'\n') {
        line.push(b'\n');
    }
    to_rmcp.write_all(line).await.map_err(drop)
}

/// A batch: refused as a whole by revisions without batches; otherwise each element goes to
/// rmcp as its own line and the writer gathers the answers into one array.
async fn forward_batch(
    session: &mut Session,
    elements: Vec<Box<serde_json::value::RawValue>>,
    to_rmcp: &mut tokio::io::DuplexStream,
    answers: &mpsc::Sender<ToWriter>,
) -> Result<(), ()> {
    let revision = session.revision.clone();
    if elements.is_empty() || !revision.as_deref().is_some_and(jsonrpc::batches_allowed) {
        let answer = if elements.is_empty() {
            serde_json::json!({"jsonrpc": "2.0", "id": null,
                "error": {"code": -32600, "message": "Invalid Request", "data": {"detail": "an empty batch"}}})
        } else {
            jsonrpc::batch_refused(revision.as_deref())
        };
        return answers
            .send(ToWriter::Line(line_of(&answer)))
            .await
            .map_err(drop);
    }
    let (mut waiting, mut ready, mut lines) = (Vec::new(), Vec::new(), Vec::new());
    for element in elements {
        let message = element.get().as_bytes();
        if Probe::of(message).is_none() {
            ready.push(error_line(
                -32600,
                "Invalid Request",
                "a batch element is not a JSON-RPC message",
            ));
            continue;
        }
        match session.admit(message) {
            Err(answer) => ready.push(line_of(&answer)),
            Ok(id) => {
                waiting.extend(id);
                lines.push(element);
            }
        }
    }
    answers
        .send(ToWriter::Batch { waiting, ready })
        .await
        .map_err(drop)?;
    for element in lines {
        let mut line = element.get().as_bytes().to_vec();
        line.push(b'\n');
        to_rmcp.write_all(&line).await.map_err(drop)?;
    }
    Ok(())
}

/// A batch whose answers are being gathered.
struct PendingBatch {
    waiting: Vec<String>,
    answers: Vec<Vec<u8>>,
}

impl PendingBatch {
    /// The array line, once every answer is in.
    fn complete(&self) -> Option<Vec<u8>> {
        if !self.waiting.is_empty() {
            return None;
        }
        if self.answers.is_empty() {
            return Some(Vec::new());
        }
        let mut line = vec![b'['];
        for (i, answer) in self.answers.iter().enumerate() {
            if i > 0 {
                line.push(b',');
            }
            line.extend_from_slice(answer.trim_ascii_end());
        }
        line.extend_from_slice(b"]\n");
        Some(line)
    }
}

/// Copies rmcp's output and the filter's answers to stdout, one whole line at a time, until
/// both are done; ends each answered id's time in flight and gathers batch answers.
async fn write_output<W: AsyncWrite + Unpin>(
    from_rmcp: tokio::io::DuplexStream,
    mut answered: mpsc::Receiver<ToWriter>,
    mut output: W,
    in_flight: InFlight,
) {
    let mut from_rmcp = BufReader::new(from_rmcp);
    let mut line = Vec::new();
    let mut batches: Vec<PendingBatch> = Vec::new();
    let (mut rmcp_open, mut answers_open) = (true, true);
    while rmcp_open || answers_open {
        let out = tokio::select! {
            // The filter tells of a batch before rmcp can see it, so its news comes first.
            biased;
            answer = answered.recv(), if answers_open => match answer {
                None => {
                    answers_open = false;
                    continue;
                }
                Some(ToWriter::Line(answer)) => answer,
                Some(ToWriter::Batch { waiting, ready }) => {
                    batches.push(PendingBatch { waiting, answers: ready });
                    take_complete(&mut batches)
                }
            },
            read = from_rmcp.read_until(b'\n', &mut line), if rmcp_open => match read {
                Ok(0) | Err(_) => {
                    rmcp_open = false;
                    continue;
                }
                Ok(_) => {
                    let answer = std::mem::take(&mut line);
                    let Some(id) = jsonrpc::answer_id(&answer) else {
                        if !write_line(&mut output, &answer).await {
                            return;
                        }
                        continue;
                    };
                    in_flight.end(SESSION, &id);
                    match batches.iter_mut().find(|b| b.waiting.contains(&id)) {
                        None => answer,
                        Some(batch) => {
                            batch.waiting.retain(|w| *w != id);
                            batch.answers.push(answer);
                            take_complete(&mut batches)
                        }
                    }
                }
            },
        };
        if !write_line(&mut output, &out).await {
            return;
        }
    }
    let _ = output.flush().await;
}

/// The array lines of every batch that is complete (empty when none is).
fn take_complete(batches: &mut Vec<PendingBatch>) -> Vec<u8> {
    let mut out = Vec::new();
    batches.retain(|batch| match batch.complete() {
        Some(line) => {
            out.extend(line);
            false
        }
        None => true,
    });
    out
}

/// Writes and flushes `line` (nothing when empty); false when stdout is gone.
async fn write_line<W: AsyncWrite + Unpin>(output: &mut W, line: &[u8]) -> bool {
    line.is_empty() || (output.write_all(line).await.is_ok() && output.flush().await.is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lines_that_are_not_json_are_answered() {
        for ok in [
            &b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n"[..],
            b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n",
            b"\xEF\xBB\xBF{}\n",
            b"[]\n",
            b"42",
            b"{\"not\":\"a message\"}",
        ] {
            assert_eq!(
                judge(ok),
                Verdict::Forward,
                "{}",
                String::from_utf8_lossy(ok)
            );
        }
        for blank in [&b"\n"[..], b"\r\n", b"   \t\n"] {
            assert_eq!(judge(blank), Verdict::Skip);
        }
        for bad in [
            &b"not json\n"[..],
            b"{\"jsonrpc\":\"2.0\",\"id\":1,\n",
            b"{\"a\":1} trailing\n",
            b"{\"a\":\"\xff\"}\n",
            b"\x00\n",
        ] {
            assert!(
                matches!(judge(bad), Verdict::ParseError(_)),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn a_parse_error_is_a_json_rpc_error_with_a_null_id() {
        let line = error_line(-32700, "Parse error", "expected value at line 1 column 1");
        assert_eq!(line.last(), Some(&b'\n'));
        let value: serde_json::Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(value["jsonrpc"], "2.0");
        assert!(value["id"].is_null() && value.as_object().unwrap().contains_key("id"));
        assert_eq!(value["error"]["code"], -32700);
        assert_eq!(value["error"]["message"], "Parse error");
    }
}

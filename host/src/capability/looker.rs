//! `looker`: a plugin's requests, sent by the host as the call's identity.

use std::time::Duration;

use wasmtime::component::Resource;

use super::{HostState, Services};
use crate::bindings::wit_looker::{
    Host, HostBody, Method, Request, RequestError, Response, StreamingResponse,
};
use crate::governance::{ModelAllowList, RequestRecord, Verdict};
use crate::looker::{self, ApiHead, ApiRequest, Body, Identity, Workspace};

/// Streamed response bodies one call may hold at once.
const MAX_OPEN_BODIES: usize = 4;

impl Host for HostState {
    async fn send(&mut self, request: Request) -> wasmtime::Result<Result<Response, RequestError>> {
        let answer = match self.forward(request).await {
            Ok(head) => head.read().await.map_err(to_wit_error),
            Err(refusal) => Err(refusal),
        };
        Ok(answer.map(|r| Response {
            status: r.status,
            content_type: r.content_type,
            body: r.body,
        }))
    }

    async fn send_streaming(
        &mut self,
        request: Request,
    ) -> wasmtime::Result<Result<StreamingResponse, RequestError>> {
        // Each body holds a Looker connection open until dropped: a plugin gets a few at once,
        // never an unbounded number.
        if self.open_bodies >= MAX_OPEN_BODIES {
            return Ok(Err(RequestError::InvalidRequest(format!(
                "this call already holds {MAX_OPEN_BODIES} response bodies; drop one before \
                 sending another streamed request"
            ))));
        }
        let head = match self.forward(request).await {
            Ok(head) => head,
            Err(refusal) => return Ok(Err(refusal)),
        };
        Ok(Ok(StreamingResponse {
            status: head.status,
            content_type: head.content_type,
            length: head.length,
            body: {
                let body = self.table.push(head.body)?;
                self.open_bodies += 1;
                body
            },
        }))
    }
}

impl HostBody for HostState {
    async fn read(
        &mut self,
        body: Resource<Body>,
        max_bytes: u32,
    ) -> wasmtime::Result<Result<Vec<u8>, RequestError>> {
        let body = self.table.get_mut(&body)?;
        Ok(body
            .next(max_bytes as usize)
            .await
            .map(Vec::from)
            .map_err(to_wit_error))
    }

    async fn drop(&mut self, body: Resource<Body>) -> wasmtime::Result<()> {
        self.table.delete(body)?;
        self.open_bodies -= 1;
        Ok(())
    }
}

impl HostState {
    /// Sends a plugin's request as the call's identity, once its grant and governance allow
    /// it, and journals it; returns Looker's answer with the body still to read (a model
    /// listing the allow-list filters is read and filtered first).
    async fn forward(&mut self, request: Request) -> Result<ApiHead, RequestError> {
        self.grant(&request)?;
        let workspace = if request.options.dev_mode || !self.leases.is_empty() {
            Workspace::Dev
        } else {
            Workspace::Production
        };
        let api_request = ApiRequest {
            method: to_method(request.method),
            path: request.path,
            query: request.query,
            body: request.body,
            timeout: request
                .options
                .timeout_ms
                .map(|ms| Duration::from_millis(u64::from(ms))),
        };
        let max = self.grant.limits.max_response_bytes;
        let mut record = RequestRecord {
            method: api_request.method,
            path: api_request.path.clone(),
            status: None,
            refused: None,
        };
        let services = self.services.clone();
        let identity = self.scope.identity.clone();
        if let Err(why) = govern(&services, &identity, &api_request, workspace, max).await {
            tracing::warn!(group = %self.group, tool = %self.scope.tool, reason = %why, "refused a Looker request");
            record.refused = Some(why.clone());
            self.scope.journal.push(record);
            return Err(RequestError::Denied(why));
        }
        let answer = self
            .services
            .looker
            .send_streaming(&self.scope.identity, workspace, &api_request, max)
            .await;
        tracing::debug!(
            group = %self.group,
            method = ?api_request.method,
            path = %api_request.path,
            status = answer.as_ref().map(|r| r.status).ok(),
            "looker request"
        );
        record.status = answer.as_ref().map(|r| r.status).ok();
        self.scope.journal.push(record);
        let head = answer.map_err(to_wit_error)?;
        match services.governance.models.as_ref() {
            Some(models) if ModelAllowList::is_listing(api_request.method, &api_request.path) => {
                let mut whole = head.read().await.map_err(to_wit_error)?;
                whole.body =
                    models.filter_listing(api_request.method, &api_request.path, whole.body);
                Ok(ApiHead::from(whole))
            }
            _ => Ok(head),
        }
    }

    /// Whether this plugin may send `request` ([`super::Grant::grant_request`]); refusals are
    /// logged with the plugin's name.
    fn grant(&self, request: &Request) -> Result<(), RequestError> {
        let method = to_method(request.method);
        self.grant
            .grant_request(method, &request.path, request.options.dev_mode)
            .inspect_err(|refusal| {
                tracing::warn!(group = %self.group, tool = %self.scope.tool, reason = ?refusal, "denied a plugin request");
            })
    }
}

/// The governance verdict on `request`: read-only posture and the model allow-list,
/// fetching (as the caller) the queries, looks or dashboards it refers to when needed.
async fn govern(
    services: &Services,
    identity: &Identity,
    request: &ApiRequest,
    workspace: Workspace,
    max: u64,
) -> Result<(), String> {
    let governance = &services.governance;
    let lookups =
        match governance.check_request(request.method, &request.path, request.body.as_deref()) {
            Verdict::Allowed => return Ok(()),
            Verdict::Refused(why) => return Err(why),
            Verdict::After(paths) => paths,
        };
    let models = governance
        .models
        .as_ref()
        .expect("only the allow-list asks for lookups");
    for path in lookups {
        let lookup = ApiRequest::get(path.clone());
        // What cannot be read cannot be checked: the request is refused, never sent unchecked.
        let unreadable = |why: String| {
            format!(
                "{path} could not be read to check its model against LOOKER_ALLOWED_MODELS: {why}"
            )
        };
        let object = match services
            .looker
            .send(identity, workspace, &lookup, max)
            .await
        {
            Ok(r) if (200..300).contains(&r.status) => {
                serde_json::from_slice::<serde_json::Value>(&r.body)
                    .map_err(|e| unreadable(format!("Looker's answer is not JSON ({e})")))?
            }
            Ok(r) => {
                let message = looker::looker_message(&r.body);
                return Err(unreadable(format!("HTTP {}: {message}", r.status)));
            }
            Err(error) => return Err(unreadable(error.to_string())),
        };
        if let Verdict::Refused(why) = models.check_object(&object) {
            return Err(format!("{why} (used by {path})"));
        }
    }
    Ok(())
}

fn to_method(method: Method) -> looker::Method {
    match method {
        Method::Get => looker::Method::Get,
        Method::Post => looker::Method::Post,
        Method::Put => looker::Method::Put,
        Method::Patch => looker::Method::Patch,
        Method::Delete => looker::Method::Delete,
    }
}

pub(crate) fn to_wit_error(error: looker::RequestError) -> RequestError {
    use looker::RequestError as E;
    match error {
        E::InvalidRequest(why) => RequestError::InvalidRequest(why),
        E::Timeout(why) => RequestError::Timeout(why),
        E::Unreachable(why) => RequestError::Unreachable(why),
        E::TooLarge(limit) => RequestError::TooLarge(limit),
        E::Unauthenticated(why) => RequestError::Unauthenticated(why),
    }
}

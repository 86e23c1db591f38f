//! `looker`: a plugin's requests, sent by the host as the call's identity.

use std::time::Duration;

use super::HostState;
use crate::bindings::wit_looker::{Host, Method, Request, RequestError, Response};
use crate::looker::{self, ApiRequest, Workspace};

impl Host for HostState {
    async fn send(&mut self, request: Request) -> wasmtime::Result<Result<Response, RequestError>> {
        if let Err(refusal) = self.grant(&request) {
            return Ok(Err(refusal));
        }
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
        let answer = self
            .services
            .looker
            .send(&self.identity, workspace, &api_request, max)
            .await;
        tracing::debug!(
            group = %self.group,
            method = ?api_request.method,
            path = %api_request.path,
            status = answer.as_ref().map(|r| r.status).ok(),
            "looker request"
        );
        Ok(answer
            .map(|r| Response {
                status: r.status,
                content_type: r.content_type,
                body: r.body,
            })
            .map_err(to_wit_error))
    }
}

impl HostState {
    /// Whether this plugin may send `request` ([`super::Grant::grant_request`]); refusals are
    /// logged with the plugin's name.
    fn grant(&self, request: &Request) -> Result<(), RequestError> {
        let method = to_method(request.method);
        self.grant
            .grant_request(method, &request.path, request.options.dev_mode)
            .map_err(|why| {
                tracing::warn!(group = %self.group, tool = %self.scope.tool, reason = %why, "denied a plugin request");
                if looker::path::validate(&request.path).is_err() {
                    RequestError::InvalidRequest(why)
                } else {
                    RequestError::Denied(why)
                }
            })
    }
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

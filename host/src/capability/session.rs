//! `session`: per-call impersonation (`act-as-user`) and atomic branch swaps (`use-branch`).

use super::HostState;
use super::branch::{BranchLease, put_branch};
use super::looker::to_wit_error;
use crate::bindings::wit_session::{Host, RequestError};
use crate::identity::ErrorKind;
use crate::looker::path::encode_segment;
use crate::looker::{self, ApiRequest, Identity, Workspace};

impl Host for HostState {
    async fn act_as_user(
        &mut self,
        user: String,
    ) -> wasmtime::Result<Result<String, RequestError>> {
        if let Err(why) = self.grant.grant_act_as_user() {
            tracing::warn!(group = %self.group, "denied act-as-user: {why}");
            return Ok(Err(RequestError::Denied(why)));
        }
        let services = self.services.clone();
        let acted = services
            .identities
            .act_as(
                &self.scope.principal,
                &self.scope.identity,
                &user,
                &services.looker,
                &self.scope.tool,
            )
            .await;
        Ok(match acted {
            Ok(user_id) => {
                self.scope.identity = Identity::Sudo {
                    user_id: user_id.clone(),
                };
                *self.scope.journal.acted_as.lock().unwrap() = Some(user_id.clone());
                Ok(user_id)
            }
            Err(error) if error.kind == ErrorKind::Refused => {
                tracing::warn!(group = %self.group, tool = %self.scope.tool, principal = %self.scope.principal.describe(), reason = %error, "refused act-as-user");
                Err(RequestError::InvalidRequest(error.message))
            }
            Err(error) => Err(RequestError::InvalidRequest(error.message)),
        })
    }

    async fn use_branch(
        &mut self,
        project_id: String,
        branch: String,
    ) -> wasmtime::Result<Result<(), RequestError>> {
        if let Err(why) = self.grant.grant_dev_mode() {
            tracing::warn!(group = %self.group, "denied use-branch: {why}");
            return Ok(Err(RequestError::Denied(why)));
        }
        if self.services.governance.read_only {
            let why = format!(
                "the server is read-only (LOOKER_READ_ONLY=true): checking out branch {branch:?} would change the dev workspace"
            );
            return Ok(Err(RequestError::Denied(why)));
        }
        let services = self.services.clone();
        let guard = services
            .branch_locks
            .acquire(&self.scope.identity, &project_id)
            .await;
        let max = self.grant.limits.max_response_bytes;
        let get = ApiRequest::get(format!(
            "/projects/{}/git_branch",
            encode_segment(&project_id)
        ));
        let current = match services
            .looker
            .send(&self.scope.identity, Workspace::Dev, &get, max)
            .await
        {
            Ok(r) if (200..300).contains(&r.status) => {
                serde_json::from_slice::<serde_json::Value>(&r.body)
                    .ok()
                    .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(String::from))
            }
            Ok(r) => {
                return Ok(Err(refused(
                    "reading the checked-out branch of",
                    &project_id,
                    &r,
                )));
            }
            Err(e) => return Ok(Err(to_wit_error(e))),
        };
        let restore_to = if current.as_deref() == Some(branch.as_str()) {
            None
        } else {
            let put = put_branch(&project_id, &branch);
            match services
                .looker
                .send(&self.scope.identity, Workspace::Dev, &put, max)
                .await
            {
                Ok(r) if (200..300).contains(&r.status) => current,
                Ok(r) => {
                    return Ok(Err(refused(
                        &format!("checking out branch {branch:?} of"),
                        &project_id,
                        &r,
                    )));
                }
                Err(e) => return Ok(Err(to_wit_error(e))),
            }
        };
        self.leases.push(BranchLease {
            project: project_id,
            restore_to,
            _guard: guard,
        });
        Ok(Ok(()))
    }
}

fn refused(action: &str, subject: &str, response: &looker::ApiResponse) -> RequestError {
    RequestError::InvalidRequest(format!(
        "{action} {subject:?} failed (HTTP {}): {}",
        response.status,
        looker::looker_message(&response.body)
    ))
}

//! `session`: per-call impersonation (`act-as-user`) and atomic branch swaps (`use-branch`).

use super::branch::{BranchLease, put_back, put_branch};
use super::looker::to_wit_error;
use super::{HostState, Services};
use crate::bindings::wit_session::{Host, RequestError};
use crate::coordination::BranchCell;
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
        let identity = self.scope.identity.clone();
        let max = self.grant.limits.max_response_bytes;
        let coordination = &services.coordination;
        let cell = match coordination
            .cell_of(&identity, &project_id, &services.looker)
            .await
        {
            Ok(cell) => cell,
            Err(e) => {
                return Ok(Err(RequestError::InvalidRequest(format!(
                    "cannot switch branches of {project_id:?}: finding whose dev workspace it is failed: {e}"
                ))));
            }
        };
        let lock = match coordination.lock(&cell, &self.scope.cancel).await {
            Ok(lock) => lock,
            Err(e) => return Ok(Err(RequestError::InvalidRequest(e.to_string()))),
        };
        // A swap interrupted by a crash left its branch to put back: that comes first.
        match coordination.pending_restore(&cell).await {
            Ok(None) => {}
            Ok(Some(left)) => {
                if !put_back(&services.looker, &identity, &project_id, &left, max).await {
                    lock.release().await;
                    return Ok(Err(RequestError::InvalidRequest(format!(
                        "an interrupted branch swap of {project_id:?} left branch {left:?} to restore, and Looker refused it; nothing was switched"
                    ))));
                }
                tracing::info!(project = %project_id, branch = %left, "restored the branch an interrupted swap left");
                if let Err(e) = coordination.clear_restore(&cell).await {
                    lock.release().await;
                    return Ok(Err(RequestError::InvalidRequest(e.to_string())));
                }
            }
            Err(e) => {
                lock.release().await;
                return Ok(Err(RequestError::InvalidRequest(e.to_string())));
            }
        }
        let switched = switch(&services, &cell, &identity, &branch, max).await;
        match switched {
            Ok(restore_to) => {
                self.leases.push(BranchLease {
                    cell,
                    identity,
                    restore_to,
                    lock,
                });
                Ok(Ok(()))
            }
            Err(error) => {
                lock.release().await;
                Ok(Err(error))
            }
        }
    }
}

/// Reads `cell`'s branch and, if it is not `branch`, writes it to the journal and checks
/// `branch` out; the branch to restore afterwards, if it changed.
async fn switch(
    services: &Services,
    cell: &BranchCell,
    identity: &Identity,
    branch: &str,
    max: u64,
) -> Result<Option<String>, RequestError> {
    let project_id = &cell.project;
    let get = ApiRequest::get(format!(
        "/projects/{}/git_branch",
        encode_segment(project_id)
    ));
    let current = match services
        .looker
        .send(identity, Workspace::Dev, &get, max)
        .await
    {
        Ok(r) if (200..300).contains(&r.status) => {
            serde_json::from_slice::<serde_json::Value>(&r.body)
                .ok()
                .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(String::from))
        }
        Ok(r) => return Err(refused("reading the checked-out branch of", project_id, &r)),
        Err(e) => return Err(to_wit_error(e)),
    };
    if current.as_deref() == Some(branch) {
        return Ok(None);
    }
    if let Some(current) = &current {
        services
            .coordination
            .record_restore(cell, current)
            .await
            .map_err(|e| RequestError::InvalidRequest(e.to_string()))?;
    }
    let put = put_branch(project_id, branch);
    match services
        .looker
        .send(identity, Workspace::Dev, &put, max)
        .await
    {
        Ok(r) if (200..300).contains(&r.status) => Ok(current),
        Ok(r) => {
            // Looker refused: nothing switched, nothing to restore.
            if let Err(e) = services.coordination.clear_restore(cell).await {
                tracing::warn!(project = %project_id, error = %e, "could not clear a journal entry of a refused swap");
            }
            Err(refused(
                &format!("checking out branch {branch:?} of"),
                project_id,
                &r,
            ))
        }
        // Whether it switched is unknown: the journal entry stays for the next swap.
        Err(e) => Err(to_wit_error(e)),
    }
}

fn refused(action: &str, subject: &str, response: &looker::ApiResponse) -> RequestError {
    RequestError::InvalidRequest(format!(
        "{action} {subject:?} failed (HTTP {}): {}",
        response.status,
        looker::looker_message(&response.body)
    ))
}

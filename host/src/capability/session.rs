//! `session`: per-call impersonation (`act-as-user`) and atomic branch swaps (`use-branch`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedMutexGuard;

use super::looker::to_wit_error;
use crate::bindings::wit_session::{Host, RequestError};
use crate::identity::find_user_by_email;
use crate::looker::path::encode_segment;
use crate::looker::{self, ApiRequest, Identity, LookerClient, Workspace};
use crate::plugins::call::CallState;

/// Serializes branch swaps per (Looker identity, project) inside the process: Looker keeps one
/// checked-out branch per user and project, so two swaps on the same cell must not interleave.
#[derive(Default)]
pub struct BranchLocks {
    locks: Mutex<HashMap<BranchCell, Arc<tokio::sync::Mutex<()>>>>,
}

/// One Looker user's checked-out branch of one project.
type BranchCell = (Identity, String);

impl BranchLocks {
    async fn acquire(&self, identity: &Identity, project: &str) -> OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.locks.lock().unwrap();
            locks
                .entry((identity.clone(), project.to_string()))
                .or_default()
                .clone()
        };
        lock.lock_owned().await
    }
}

/// A branch checked out for the rest of a call, with what to put back afterwards.
pub struct BranchLease {
    project: String,
    /// The branch to restore, when the swap changed it.
    restore_to: Option<String>,
    _guard: OwnedMutexGuard<()>,
}

impl BranchLease {
    /// Puts the saved branch back (logging, not failing, if Looker refuses) and releases the lock.
    pub async fn restore(self, client: &LookerClient, identity: &Identity, max_bytes: u64) {
        let Some(branch) = &self.restore_to else {
            return;
        };
        let request = put_branch(&self.project, branch);
        match client
            .send(identity, Workspace::Dev, &request, max_bytes)
            .await
        {
            Ok(r) if (200..300).contains(&r.status) => {
                tracing::debug!(project = %self.project, branch, "restored the dev-workspace branch");
            }
            Ok(r) => tracing::error!(
                project = %self.project, branch, status = r.status,
                message = %looker::looker_message(&r.body),
                "could not restore the dev-workspace branch"
            ),
            Err(error) => {
                tracing::error!(project = %self.project, branch, %error, "could not restore the dev-workspace branch")
            }
        }
    }
}

impl Host for CallState {
    async fn act_as_user(
        &mut self,
        user: String,
    ) -> wasmtime::Result<Result<String, RequestError>> {
        if !self.env.policy.act_as_user {
            tracing::warn!(group = %self.group, "denied act-as-user: not granted by the plugin's policy");
            return Ok(Err(RequestError::Denied(
                "this plugin's policy does not grant act_as_user".into(),
            )));
        }
        Ok(self.resolve_act_as(&user).await)
    }

    async fn use_branch(
        &mut self,
        project_id: String,
        branch: String,
    ) -> wasmtime::Result<Result<(), RequestError>> {
        if !self.env.policy.dev_mode {
            tracing::warn!(group = %self.group, "denied use-branch: dev mode is not granted by the plugin's policy");
            return Ok(Err(RequestError::Denied(
                "this plugin's policy does not grant dev mode".into(),
            )));
        }
        let guard = self
            .env
            .branch_locks
            .acquire(&self.identity, &project_id)
            .await;
        let max = self.env.limits.max_response_bytes;
        let path = format!("/projects/{}/git_branch", encode_segment(&project_id));
        let get = ApiRequest {
            method: looker::Method::Get,
            path,
            query: vec![],
            body: None,
            timeout: None,
        };
        let current = match self
            .env
            .looker
            .send(&self.identity, Workspace::Dev, &get, max)
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
            match self
                .env
                .looker
                .send(&self.identity, Workspace::Dev, &put, max)
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

impl CallState {
    async fn resolve_act_as(&mut self, user: &str) -> Result<String, RequestError> {
        let user = user.trim();
        if !self.env.sudo_enabled {
            return Err(RequestError::InvalidRequest(
                "act_as_user needs LOOKER_SUDO_AS_USER=true on the server; enable it or remove the argument"
                    .into(),
            ));
        }
        let user_id = if !user.is_empty() && user.bytes().all(|b| b.is_ascii_digit()) {
            user.to_string()
        } else if user.contains('@') {
            match find_user_by_email(&self.env.looker, user).await {
                Ok(Some(id)) => id,
                Ok(None) => {
                    return Err(RequestError::InvalidRequest(format!(
                        "act_as_user: no Looker user has the email {user:?}"
                    )));
                }
                Err(error) => return Err(to_wit_error(error)),
            }
        } else {
            return Err(RequestError::InvalidRequest(format!(
                "act_as_user must be a numeric Looker user id or an email address, got {user:?}"
            )));
        };
        tracing::info!(
            event = "looker.audit.act_as_user",
            tool = %self.env.tool,
            target_user_id = %user_id,
            target_user_email = user.contains('@').then_some(user),
            triggered_by = "argument",
            configured_user = %self.env.looker.client_id(),
            "looker.audit.act_as_user"
        );
        self.identity = Identity::Sudo {
            user_id: user_id.clone(),
        };
        Ok(user_id)
    }
}

fn put_branch(project: &str, branch: &str) -> ApiRequest {
    ApiRequest {
        method: looker::Method::Put,
        path: format!("/projects/{}/git_branch", encode_segment(project)),
        query: vec![],
        body: Some(serde_json::json!({ "name": branch }).to_string()),
        timeout: None,
    }
}

fn refused(action: &str, subject: &str, response: &looker::ApiResponse) -> RequestError {
    RequestError::InvalidRequest(format!(
        "{action} {subject:?} failed (HTTP {}): {}",
        response.status,
        looker::looker_message(&response.body)
    ))
}

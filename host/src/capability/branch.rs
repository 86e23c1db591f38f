//! Branch swaps: one lock per (Looker identity, project) inside the process, and the lease that
//! puts the saved branch back when a call ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedMutexGuard;

use crate::looker::path::encode_segment;
use crate::looker::{self, ApiRequest, Identity, LookerClient, Workspace};

/// Serializes branch swaps per (Looker identity, project) inside the process: Looker keeps one
/// checked-out branch per user and project, so two swaps on the same cell must not interleave.
#[derive(Default)]
pub struct BranchLocks {
    locks: Mutex<HashMap<BranchCell, Arc<tokio::sync::Mutex<()>>>>,
}

/// One Looker user's checked-out branch of one project.
type BranchCell = (Identity, String);

impl BranchLocks {
    pub(super) async fn acquire(&self, identity: &Identity, project: &str) -> OwnedMutexGuard<()> {
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
    pub(super) project: String,
    /// The branch to restore, when the swap changed it.
    pub(super) restore_to: Option<String>,
    pub(super) _guard: OwnedMutexGuard<()>,
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

/// `PUT /projects/{project}/git_branch` checking out `branch`.
pub(super) fn put_branch(project: &str, branch: &str) -> ApiRequest {
    let mut request = ApiRequest::new(
        looker::Method::Put,
        format!("/projects/{}/git_branch", encode_segment(project)),
    );
    request.body = Some(serde_json::json!({ "name": branch }).to_string());
    request
}

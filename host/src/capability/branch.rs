//! Branch swaps: the lease that puts the saved branch back when a call ends. The lock and the
//! restore journal behind it live in [`crate::coordination`].

use crate::coordination::{BranchCell, BranchLock, Coordination};
use crate::looker::path::encode_segment;
use crate::looker::{self, ApiRequest, Identity, LookerClient, Workspace};

/// A branch checked out for the rest of a call, with what to put back afterwards.
pub struct BranchLease {
    pub(super) cell: BranchCell,
    /// Who switched it, and so who switches it back.
    pub(super) identity: Identity,
    /// The branch to restore, when the swap changed it.
    pub(super) restore_to: Option<String>,
    pub(super) lock: BranchLock,
}

impl BranchLease {
    /// Puts the saved branch back and clears its journal entry, then releases the lock. If
    /// Looker refuses, the entry stays for the next swap to retry; if the lock was lost, nothing
    /// is restored over the call that may hold it now.
    pub async fn restore(self, client: &LookerClient, coordination: &Coordination, max_bytes: u64) {
        let project = &self.cell.project;
        if self.lock.lost() {
            tracing::error!(%project, "not restoring the dev-workspace branch: the lease was lost; the journal keeps it for the next swap");
            return;
        }
        if let Some(branch) = &self.restore_to
            && put_back(client, &self.identity, project, branch, max_bytes).await
            && let Err(error) = coordination.clear_restore(&self.cell).await
        {
            tracing::warn!(%project, %error, "restored the branch but could not clear its journal entry; the next swap restores it again");
        }
        self.lock.release().await;
    }
}

/// `PUT`s `branch` back, logging (not failing) if Looker refuses; whether it is back.
pub(super) async fn put_back(
    client: &LookerClient,
    identity: &Identity,
    project: &str,
    branch: &str,
    max_bytes: u64,
) -> bool {
    let request = put_branch(project, branch);
    match client
        .send(identity, Workspace::Dev, &request, max_bytes)
        .await
    {
        Ok(r) if (200..300).contains(&r.status) => {
            tracing::debug!(%project, branch, "restored the dev-workspace branch");
            true
        }
        Ok(r) => {
            tracing::error!(
                %project, branch, status = r.status,
                message = %looker::looker_message(&r.body),
                "could not restore the dev-workspace branch"
            );
            false
        }
        Err(error) => {
            tracing::error!(%project, branch, %error, "could not restore the dev-workspace branch");
            false
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

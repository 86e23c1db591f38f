//! The Looker user id behind an [`Identity`]: what per-user state (a dev workspace's branch) is
//! keyed by, so a token, a sudo and the service account that are the same user meet in one place.

use std::time::Duration;

use tokio::sync::OnceCell;

use crate::looker::{ApiRequest, Identity, LookerClient, RequestError, id_text};

/// How long a user token's `GET /user` answer is reused.
const TOKEN_TTL: Duration = Duration::from_secs(60);

/// Looker user ids by identity; the service account's is asked once per process.
#[derive(Default)]
pub struct LookerUserIds {
    service_account: OnceCell<String>,
}

impl LookerUserIds {
    /// The user id `identity` acts as: a sudo names it, a token is asked (`GET /user`, cached
    /// with the token's digest), the service account is asked once.
    pub async fn of(
        &self,
        identity: &Identity,
        looker: &LookerClient,
    ) -> Result<String, RequestError> {
        match identity {
            Identity::Sudo { user_id } => Ok(user_id.clone()),
            Identity::User { token } => looker.verify_user_token(token, TOKEN_TTL).await,
            Identity::ServiceAccount => self
                .service_account
                .get_or_try_init(|| own_user_id(looker))
                .await
                .cloned(),
        }
    }
}

/// `GET /user` as the service account.
async fn own_user_id(looker: &LookerClient) -> Result<String, RequestError> {
    let request = ApiRequest::get("/user").with_query([("fields", "id")]);
    let response = super::users::service_account_read(looker, &request).await?;
    serde_json::from_slice::<serde_json::Value>(&response.body)
        .ok()
        .filter(|_| response.status == 200)
        .and_then(|v| id_text(v.get("id")?))
        .ok_or_else(|| {
            RequestError::InvalidRequest(format!(
                "could not read the service account's own Looker user (GET /user: HTTP {})",
                response.status
            ))
        })
}

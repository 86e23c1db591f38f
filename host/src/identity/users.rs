//! Email → Looker user id, looked up as the service account with an exact match. Answers are
//! cached (found: 5 minutes, not found: 30 seconds), one lookup per email runs at a time and at
//! most four run at once, so a flood of made-up emails cannot become a flood of Looker requests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::looker::{ApiRequest, ApiResponse, Identity, LookerClient, RequestError, Workspace};

/// How long a found user id is reused.
const FOUND_TTL: Duration = Duration::from_secs(300);
/// How long "no such user" is remembered.
const NOT_FOUND_TTL: Duration = Duration::from_secs(30);
/// Lookups in flight at once, whatever the emails.
const MAX_CONCURRENT_LOOKUPS: usize = 4;
/// Entries kept before expired ones are swept.
const MAX_ENTRIES: usize = 10_000;

/// The cached directory of Looker users by email.
pub struct UserDirectory {
    entries: Mutex<HashMap<String, Arc<Entry>>>,
    lookups: Semaphore,
}

#[derive(Default)]
struct Entry {
    /// `Some(None)`: Looker has no such user.
    answer: Mutex<Option<(Option<String>, Instant)>>,
    single_flight: tokio::sync::Mutex<()>,
}

impl Entry {
    fn fresh(&self) -> Option<Option<String>> {
        let answer = self.answer.lock().unwrap();
        let (id, at) = answer.as_ref()?;
        let ttl = if id.is_some() {
            FOUND_TTL
        } else {
            NOT_FOUND_TTL
        };
        (at.elapsed() < ttl).then(|| id.clone())
    }
}

impl Default for UserDirectory {
    fn default() -> Self {
        Self {
            entries: Mutex::default(),
            lookups: Semaphore::new(MAX_CONCURRENT_LOOKUPS),
        }
    }
}

impl UserDirectory {
    /// The id of the Looker user whose email is exactly `email` (case-insensitive), if any.
    pub async fn find(
        &self,
        looker: &LookerClient,
        email: &str,
    ) -> Result<Option<String>, RequestError> {
        let entry = {
            let mut entries = self.entries.lock().unwrap();
            if entries.len() >= MAX_ENTRIES {
                entries.retain(|_, e| e.fresh().is_some());
            }
            entries.entry(email.to_lowercase()).or_default().clone()
        };
        if let Some(answer) = entry.fresh() {
            return Ok(answer);
        }
        let _one_per_email = entry.single_flight.lock().await;
        if let Some(answer) = entry.fresh() {
            return Ok(answer);
        }
        let _bounded = self
            .lookups
            .acquire()
            .await
            .expect("the lookup semaphore is never closed");
        let answer = find_user_by_email(looker, email).await?;
        *entry.answer.lock().unwrap() = Some((answer.clone(), Instant::now()));
        Ok(answer)
    }
}

/// The largest answer an identity lookup reads.
const LOOKUP_MAX_BYTES: u64 = 1 << 20;

/// A small read as the service account (identity lookups never run as the caller).
pub(super) async fn service_account_read(
    looker: &LookerClient,
    request: &ApiRequest,
) -> Result<ApiResponse, RequestError> {
    looker
        .send(
            &Identity::ServiceAccount,
            Workspace::Production,
            request,
            LOOKUP_MAX_BYTES,
        )
        .await
}

/// `GET /users/search?email=` as the service account, keeping only an exact (case-insensitive)
/// match: Looker's search treats `_` and `%` as wildcards.
async fn find_user_by_email(
    looker: &LookerClient,
    email: &str,
) -> Result<Option<String>, RequestError> {
    let request =
        ApiRequest::get("/users/search").with_query([("email", email), ("fields", "id,email")]);
    let response = service_account_read(looker, &request).await?;
    if !(200..300).contains(&response.status) {
        return Err(RequestError::InvalidRequest(format!(
            "looking up the user with email {email:?} failed (HTTP {}): {}",
            response.status,
            crate::looker::looker_message(&response.body)
        )));
    }
    let users: Vec<serde_json::Value> = serde_json::from_slice(&response.body).unwrap_or_default();
    Ok(users
        .iter()
        .find(|u| {
            u.get("email")
                .and_then(|e| e.as_str())
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
        .and_then(|u| crate::looker::id_text(u.get("id")?)))
}

//! Simulator state: the shared handle the server and the public API both hold, the mutable
//! Looker "world" behind one lock, and the generic `Collection` that CRUD routes build on.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde_json::{Map, Value};

use crate::{ContractViolation, Fault, RecordedRequest, SimConfig};

/// The API session's workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Workspace {
    Production,
    Dev,
}

impl Workspace {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Workspace::Production => "production",
            Workspace::Dev => "dev",
        }
    }
}

/// Everything the server and the `Simulator` handle share.
pub(crate) struct SimState {
    pub world: Mutex<World>,
    pub requests: Mutex<Vec<RecordedRequest>>,
    pub violations: Mutex<Vec<ContractViolation>>,
    pub faults: Mutex<Vec<Fault>>,
    pub latency: Mutex<Duration>,
    /// Send bodies in chunks without a `Content-Length` ([`crate::Simulator::set_chunked`]).
    pub chunked: Mutex<bool>,
}

impl SimState {
    pub(crate) fn new(config: &SimConfig) -> SimState {
        let world = crate::data::seed_world(config);
        SimState {
            world: Mutex::new(world),
            requests: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            latency: Mutex::new(Duration::ZERO),
            chunked: Mutex::new(false),
        }
    }
}

/// An access token and its API session.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub user_id: String,
    pub workspace: Workspace,
    pub expires_at: Instant,
    /// Set when the token came from `POST /login/{user_id}`.
    pub sudo_user_id: Option<String>,
}

/// API3 credentials: a key pair that logs in as a user.
#[derive(Clone, Debug)]
pub(crate) struct Api3Cred {
    pub client_id: String,
    pub client_secret: String,
    pub user_id: String,
}

/// The mutable Looker instance.
pub(crate) struct World {
    pub token_ttl: Duration,
    /// Fact rows every explore's queries aggregate (`Simulator::set_fact_rows`).
    pub fact_rows: usize,
    pub tokens: HashMap<String, Token>,
    pub api3: Vec<Api3Cred>,
    pub users: Collection,
    pub roles: Collection,
    pub models: Collection,
    /// Explores keyed by `(model, explore)`.
    pub explores: HashMap<(String, String), Value>,
    pub connections: Collection,
    pub projects: Collection,
    pub queries: Collection,
    pub looks: Collection,
    pub dashboards: Collection,
    pub dashboard_elements: Collection,
    pub dashboard_filters: Collection,
    pub folders: Collection,
    pub groups: Collection,
    pub user_attributes: Collection,
    /// SQL Runner queries keyed by slug.
    pub sql_queries: Collection,
    /// Shared (remote) branches per project id, besides each user's personal branch.
    pub branches: HashMap<String, Vec<String>>,
    /// The branch each `(user id, project id)` has checked out in the dev workspace.
    pub checked_out: HashMap<(String, String), String>,
    /// Time-seeded: access tokens.
    pub rng: Rng,
    /// Fixed seed: query slugs and client ids, so runs are repeatable.
    pub slugs: Rng,
    /// Further resources, by name, created on first use (see [`World::collection`]).
    #[allow(dead_code, reason = "read through World::collection by route modules")]
    pub extra: HashMap<&'static str, Collection>,
}

impl World {
    /// A named collection of further resources (boards, schedules, roles' permission sets, …),
    /// created and filled by `seed` on first use. Route modules keep their resources here, so
    /// adding one needs no change to `World` or to the seed data.
    #[allow(
        dead_code,
        reason = "the extension point for route modules being added"
    )]
    pub(crate) fn collection(
        &mut self,
        name: &'static str,
        key: &'static str,
        seed: fn() -> Vec<Map<String, Value>>,
    ) -> &mut Collection {
        self.extra.entry(name).or_insert_with(|| {
            let mut collection = Collection::keyed_by(key);
            for item in seed() {
                collection.insert(item);
            }
            collection
        })
    }

    /// A user by id.
    pub(crate) fn user(&self, id: &str) -> Option<&Value> {
        self.users.get(id)
    }

    /// Whether the user holds the Admin role (role id "2", as on a fresh Looker).
    pub(crate) fn is_admin(&self, user_id: &str) -> bool {
        self.user(user_id)
            .and_then(|u| u.get("role_ids"))
            .and_then(Value::as_array)
            .is_some_and(|ids| ids.iter().any(|id| id == "2"))
    }
}

/// A list of JSON objects keyed by a string id field (`"id"` unless told otherwise), in
/// insertion order. New objects without an id get the next number.
#[derive(Debug)]
pub(crate) struct Collection {
    key: &'static str,
    items: Vec<Value>,
    next_id: u64,
}

impl Collection {
    /// An empty collection keyed by `"id"`.
    pub(crate) fn new() -> Collection {
        Collection::keyed_by("id")
    }

    /// An empty collection keyed by another field, e.g. `"name"` for connections.
    pub(crate) fn keyed_by(key: &'static str) -> Collection {
        Collection {
            key,
            items: Vec::new(),
            next_id: 1,
        }
    }

    /// Adds an object, assigning the next id if it has none, and returns the stored copy.
    pub(crate) fn insert(&mut self, mut obj: Map<String, Value>) -> Value {
        let id = match obj.get(self.key) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                let id = self.next_id.to_string();
                self.next_id += 1;
                id
            }
        };
        if let Ok(n) = id.parse::<u64>() {
            self.next_id = self.next_id.max(n + 1);
        }
        obj.insert(self.key.into(), Value::String(id.clone()));
        let value = Value::Object(obj);
        match self.position(&id) {
            Some(i) => self.items[i] = value.clone(),
            None => self.items.push(value.clone()),
        }
        value
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Value> {
        self.position(id).map(|i| &self.items[i])
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.position(id).map(|i| &mut self.items[i])
    }

    pub(crate) fn list(&self) -> &[Value] {
        &self.items
    }

    /// Merges top-level keys into an object (the id cannot change); returns the result.
    pub(crate) fn patch(&mut self, id: &str, changes: &Map<String, Value>) -> Option<Value> {
        let key = self.key;
        let item = self.get_mut(id)?;
        if let Value::Object(obj) = item {
            for (k, v) in changes {
                if k != key {
                    obj.insert(k.clone(), v.clone());
                }
            }
        }
        Some(item.clone())
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Value> {
        self.position(id).map(|i| self.items.remove(i))
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.items
            .iter()
            .position(|v| v.get(self.key).and_then(Value::as_str) == Some(id))
    }
}

/// A small deterministic generator (SplitMix64) for tokens, slugs and client ids.
#[derive(Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `len` characters from `[A-Za-z0-9]`.
    pub(crate) fn alnum(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| CHARS[(self.next_u64() % CHARS.len() as u64) as usize] as char)
            .collect()
    }
}

//! The host's only path to Looker: API sessions per identity, path validation, and requests.
//! Nothing in here is visible to plugins; they see requests and responses only.

mod client;
pub mod path;
mod sessions;

pub use client::{
    ApiRequest, ApiResponse, LookerClient, Method, RequestError, id_text, looker_message,
};
pub use sessions::{Identity, Workspace};

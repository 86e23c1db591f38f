//! The host's only path to Looker: API sessions per identity, path validation, and requests.
//! Nothing in here is visible to plugins; they see requests and responses only.

mod body;
mod client;
pub mod path;
mod sessions;

pub use body::Body;
pub use client::{
    ApiHead, ApiRequest, ApiResponse, LookerClient, Method, RequestError, id_text, looker_message,
};
pub use sessions::{Identity, Workspace};

//! Tool-group components: loading (embedded or from files), the compile cache, the registry of
//! tools, and running one call in a fresh, bounded instance.

pub mod admission;
/// The build script's precompiler (feature `precompiled`), compiled into the unit tests so they
/// run and lint it in every build.
#[cfg(test)]
#[path = "../../build/precompile.rs"]
mod build_precompile;
mod cache;
pub mod call;
pub mod contract;
pub mod embedded;
mod engine;
pub mod lock;
pub mod oci;
pub mod registry;
pub mod signature;
pub mod slots;

pub use cache::default_dir as cache_dir;
pub use cache::digest;
pub use cache::private_dir;
pub use call::CallFailure;
pub use engine::Runtime;
pub use registry::{Registry, ToolEntry};
pub use slots::{SlotPolicy, Slots};

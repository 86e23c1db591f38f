//! Paths of the test-only components (`tests/components/<name>`) and the example plugins
//! (`plugins/examples/<name>`), built by this crate's `build.rs` for the host's tests. Nothing
//! here ships: the host depends on this crate only as a dev-dependency.

include!(concat!(env!("OUT_DIR"), "/components.rs"));

/// Path of the built component `name` (a test component or an example).
///
/// # Panics
/// When no component of that name was built.
pub fn path(name: &str) -> &'static str {
    COMPONENTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, path)| *path)
        .unwrap_or_else(|| panic!("test component {name} was not built"))
}

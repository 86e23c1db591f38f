//! Components built by `host/build.rs` (see there), and their code precompiled at build time
//! (`host/build/precompile.rs`).

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
include!(concat!(env!("OUT_DIR"), "/precompiled.rs"));

/// The build-time compiled code of the embedded component whose sha256 is `digest`, if any.
pub fn precompiled(digest: &str) -> Option<&'static [u8]> {
    PRECOMPILED
        .iter()
        .find(|(d, _)| *d == digest)
        .map(|(_, code)| *code)
}

//! Components built by `host/build.rs` (see there).

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

//! The host side of each WIT interface a plugin imports: one file per interface, each one
//! `impl Host` on the call's store data.

mod log;
mod looker;
mod progress;
pub mod session;

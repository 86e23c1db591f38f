//! Guest SDK for looker-mcp tool-group plugins.
//!
//! A plugin is a `wasm32-wasip2` component that declares a group of MCP tools and runs them. This
//! crate hides the WIT bindings (`wit/looker-mcp.wit`): a plugin writes a tool table, handlers
//! that take typed arguments, and calls [`export_group!`] once. Dispatch by tool name, argument
//! parsing, Looker error mapping and result encoding happen here.
//!
//! ```
//! use looker_mcp_plugin_sdk::schema::{self, Ty};
//! use looker_mcp_plugin_sdk::{export_group, looker, shape, Context, Group, Tool, ToolError};
//! use serde::Deserialize;
//! use serde_json::{json, Value};
//!
//! export_group!(group);
//!
//! /// The `identity` group: a short list of each resource module's `tools()`.
//! pub fn group() -> Group {
//!     Group::new("identity", env!("CARGO_PKG_VERSION")).with_tools(tools())
//! }
//!
//! // In a resource module: each tool declared beside its handler.
//! /// The fields `whoami` returns unless asked for others.
//! const FIELDS: &str = "id,email";
//!
//! fn tools() -> impl IntoIterator<Item = Tool> {
//!     [Tool::reader("whoami", "Who am I", "Returns the Looker user this server acts as.")
//!         .schema(schema::object().with_default("fields", Ty::Str, FIELDS, "Fields to return."))
//!         .handler(whoami)]
//! }
//!
//! #[derive(Deserialize)]
//! struct WhoAmI {
//!     #[serde(default = "fields")]
//!     fields: String,
//! }
//!
//! fn fields() -> String {
//!     FIELDS.to_owned()
//! }
//!
//! fn whoami(a: WhoAmI, _ctx: &Context) -> Result<Value, ToolError> {
//!     let me: Value = looker::Request::get("/user").query("fields", &a.fields).send()?.json()?;
//!     Ok(shape::redact(me))
//! }
//! # fn main() { group().validate().unwrap(); }
//! ```
//!
//! What the pieces are:
//!
//! - [`Group`] and [`Tool`]: the declarative tool table (names, descriptions, schemas,
//!   annotations, handlers). Handlers are `fn(A, &Context) -> Result<impl Into<Output>, ToolError>`
//!   with `A: Deserialize`; bad arguments become [`ToolError::InvalidArguments`] naming the field.
//!   Presets say what a tool does: [`Tool::reader`], [`Tool::creator`], [`Tool::overwriter`],
//!   [`Tool::deleter`].
//! - [`schema`]: input schemas in one vocabulary; [`args`]: blank checks, serde defaults,
//!   request bodies; [`shape`]: compact and secret-free results ([`shape::redact`]).
//! - [`looker`]: requests to the Looker API through the host ([`looker::get`],
//!   [`looker::Request`]), with paths built by [`path!`] / [`Path`], which percent-encode every
//!   dynamic segment.
//! - [`session`], [`progress`], [`log`]: the other host capabilities.
//! - [`deploy_key`]: tools more than one group offers, declared once.
//! - [`Context`]: the host's settings for this call (`max_rows`, …).
//! - [`Output`]: what a tool returns (JSON, text, image, resource).
//!
//! # Testing plugins natively
//!
//! Plugin crates build for the build machine too (`crate-type = ["cdylib", "rlib"]`) so their
//! logic can be unit-tested with `cargo test`. There the WIT imports do not exist: Looker
//! requests go to a mock from [`testing::mock_looker`], logs go to stderr, `progress::wait`
//! returns at once and the session calls do nothing. [`Group::call`] runs a tool the way the
//! host would, and [`Group::validate`] checks the declaration;
//! [`testing::assert_matches_reference`] checks it against the reference server's catalogue.
//! [`conventions::annotations_follow_names`] checks that each tool's annotations say what its
//! name says.

#![deny(missing_docs)]

pub mod args;
mod bindings;
mod context;
pub mod conventions;
pub mod deploy_key;
mod error;
pub mod filters;
mod group;
pub mod log;
pub mod looker;
mod output;
mod path;
pub mod progress;
pub mod queries;
pub mod query_args;
#[cfg(not(target_arch = "wasm32"))]
pub mod refusals;
pub mod rows;
pub mod schema;
pub mod session;
pub mod shape;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;

pub use context::Context;
pub use error::{LookerError, ToolError};
pub use group::{Annotations, Group, NoArgs, Schema, Tool, parse_arguments};
pub use output::{Content, Output};
pub use path::Path;

/// Generated WIT bindings. Not part of the API: they may change with any wit-bindgen release.
#[doc(hidden)]
#[allow(missing_docs, unsafe_op_in_unsafe_fn, clippy::all)]
pub mod __wit {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "plugin",
        // `export_group!` expands in the plugin crate and calls the export macro from there, so
        // it must be public and must find the generated types here, not in the plugin crate.
        pub_export_macro: true,
        export_macro_name: "__export_tool_group",
        default_bindings_module: "$crate::__wit",
    });
}

/// What [`export_group!`] expands to. Not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use crate::__wit::exports::looker::mcp::tool_group::Guest;
    pub use crate::__wit::looker::mcp::types::{CallContext, GroupInfo, ToolError, ToolOutput};

    /// The `describe` export.
    pub fn describe(group: &crate::Group, context: CallContext) -> GroupInfo {
        crate::bindings::group_info(group, &crate::bindings::context(context))
    }

    /// The `call` export.
    pub fn call(
        group: &crate::Group,
        tool: &str,
        arguments: &str,
        context: CallContext,
    ) -> Result<ToolOutput, ToolError> {
        let ctx = crate::bindings::context(context);
        crate::bindings::call_result(group.call(tool, arguments, &ctx))
    }
}

/// Exports a tool group as the component's `describe` and `call`. Call it once per plugin
/// crate, with the path of a `fn() -> Group`.
///
/// ```ignore
/// looker_mcp_plugin_sdk::export_group!(group);
///
/// pub fn group() -> looker_mcp_plugin_sdk::Group { /* ... */ }
/// ```
///
/// The function runs once when the host loads the component (`describe`) and once per call
/// (each call runs in a fresh instance). The exports exist only in `wasm32` builds; natively
/// the macro expands to nothing, so the same crate also builds as a plain library for tests.
#[macro_export]
macro_rules! export_group {
    ($group:path) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct Component;

            impl $crate::__private::Guest for Component {
                fn describe(
                    context: $crate::__private::CallContext,
                ) -> $crate::__private::GroupInfo {
                    $crate::__private::describe(&$group(), context)
                }

                fn call(
                    tool: ::std::string::String,
                    arguments: ::std::string::String,
                    context: $crate::__private::CallContext,
                ) -> ::core::result::Result<
                    $crate::__private::ToolOutput,
                    $crate::__private::ToolError,
                > {
                    $crate::__private::call(&$group(), &tool, &arguments, context)
                }
            }

    $crate::__wit::__export_tool_group!(Component with_types_in $crate::__wit);
        };
    };
}

//! The check every group makes of the arguments its tools refuse: each call fails with
//! [`ToolError::InvalidArguments`] and no request reaches Looker. Native tests only (it
//! installs a mock with [`testing::mock_looker`](crate::testing::mock_looker)).
//!
//! ```
//! use looker_mcp_plugin_sdk::args::non_blank;
//! use looker_mcp_plugin_sdk::{Context, Group, Tool, refusals};
//! use serde_json::{Value, json};
//!
//! let group = Group::new("demo", "1").tool(Tool::reader("get_thing", "Get", "d").handler(
//!     |a: Value, _: &Context| {
//!         non_blank("id", a["id"].as_str().unwrap_or_default())?;
//!         Ok(json!({}))
//!     },
//! ));
//! refusals::assert_refused_before_looker(&group, [("get_thing", json!({"id": " "}))]);
//! ```

use std::fmt::Display;

use serde_json::json;

use crate::looker::Response;
use crate::testing::mock_looker;
use crate::{Context, Group, ToolError};

/// Calls each `(tool, arguments)` of `group` (arguments as JSON text, or anything that displays
/// as it, e.g. a `json!` value) with default settings, and asserts that every call is refused
/// with [`ToolError::InvalidArguments`] and that none of them sent a Looker request. Looker
/// requests are answered `{}` meanwhile, so a call that reaches Looker fails the check rather
/// than a mock.
pub fn assert_refused_before_looker<'a, A: Display>(
    group: &Group,
    calls: impl IntoIterator<Item = (&'a str, A)>,
) {
    let seen = mock_looker(|_| Ok(Response::json_ok(&json!({}))));
    for (tool, arguments) in calls {
        let arguments = arguments.to_string();
        match group.call(tool, &arguments, &Context::default()) {
            Err(ToolError::InvalidArguments(_)) => {}
            other => panic!("{tool} {arguments}: expected invalid arguments, got {other:?}"),
        }
        let sent = seen.requests();
        assert!(
            sent.is_empty(),
            "{tool} {arguments}: refused arguments reached Looker: {sent:?}"
        );
    }
}

//! Native test support: a stand-in for the host's Looker capability, and checks of a group's
//! declaration against the reference server's catalogue.
//!
//! WIT imports only exist inside a component, so on the build machine
//! [`Request::send`](crate::looker::Request::send) goes to a mock installed per test thread.
//! Without one it panics with a message saying so. This module does not exist in wasm builds.
//!
//! [`assert_matches_reference`] is every group's parity test: one line,
//! `assert_matches_reference(&group(), &[])`.
//!
//! ```
//! use looker_mcp_plugin_sdk::looker::{self, Response};
//! use looker_mcp_plugin_sdk::testing;
//! use serde_json::json;
//!
//! let seen = testing::mock_looker(|req| {
//!     assert_eq!(req.path().as_str(), "/user");
//!     Ok(Response::json_ok(&json!({"id": "7"})))
//! });
//! assert_eq!(looker::get("/user").unwrap(), json!({"id": "7"}));
//! assert_eq!(seen.requests().len(), 1);
//! ```

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use serde_json::{Value, json};

use crate::looker::{Request, Response};
use crate::{Context, Group, ToolError};

type Responder = Box<dyn FnMut(&Request) -> Result<Response, ToolError>>;
type Log = Rc<RefCell<Vec<Request>>>;

thread_local! {
    static MOCK: RefCell<Option<(Responder, Log)>> = const { RefCell::new(None) };
}

/// The requests a mock received, in order (shared with the mock; read it after the call).
#[derive(Debug, Clone, Default)]
pub struct Recorded(Log);

impl Recorded {
    /// A copy of every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.0.borrow().clone()
    }
}

/// Answers every Looker request on this thread with `responder` until the next call replaces
/// it. Return `Err(ToolError::Request(..))` to simulate a request the host could not complete.
pub fn mock_looker(
    responder: impl FnMut(&Request) -> Result<Response, ToolError> + 'static,
) -> Recorded {
    let recorded = Rc::new(RefCell::new(Vec::new()));
    MOCK.with(|m| *m.borrow_mut() = Some((Box::new(responder), recorded.clone())));
    Recorded(recorded)
}

/// Removes this thread's mock.
pub fn clear_mock() {
    MOCK.with(|m| *m.borrow_mut() = None);
}

pub(crate) fn mocked_send(request: &Request) -> Result<Response, ToolError> {
    // Take the mock out while it runs so a responder may itself build requests.
    let taken = MOCK.with(|m| m.borrow_mut().take());
    let Some((mut responder, recorded)) = taken else {
        panic!(
            "Looker request {} {} sent outside a component: WIT imports only exist in wasm32. \
             Install a mock with looker_mcp_plugin_sdk::testing::mock_looker in native tests.",
            request.method(),
            request.path()
        );
    };
    recorded.borrow_mut().push(request.clone());
    let result = responder(request);
    MOCK.with(|m| {
        let mut slot = m.borrow_mut();
        if slot.is_none() {
            *slot = Some((responder, recorded));
        }
    });
    result
}

/// The tool catalogue of looker-mcp-server 0.25.0, the server this one replaces
/// (`tests/fixtures/seed-tools-0.25.0.json`: every tool's `name`, `group` and `input_schema`).
pub const REFERENCE_CATALOG: &str = include_str!("../../../tests/fixtures/seed-tools-0.25.0.json");

/// The reference server's tools of group `group`, in its order.
pub fn reference_tools(group: &str) -> Vec<Value> {
    let seed: Value = serde_json::from_str(REFERENCE_CATALOG).expect("the reference catalogue");
    seed["tools"]
        .as_array()
        .expect("`tools` in the reference catalogue")
        .iter()
        .filter(|t| t["group"] == group)
        .cloned()
        .collect()
}

/// Asserts that `group` is valid ([`Group::validate`]), declares the reference server's tools
/// of the same group in the same order (tools of ours alone may sit among them), and that each
/// input schema equals the reference's once the keywords we add are removed: `description`
/// always, plus `ignore` (e.g. `&["minimum"]`).
/// Keywords are removed wherever a schema may hold them, never from `properties` (so an
/// argument named `description` still counts).
pub fn assert_matches_reference(group: &Group, ignore: &[&str]) {
    group.validate().unwrap_or_else(|e| panic!("{e}"));
    let reference = reference_tools(group.name());
    let theirs: Vec<&str> = reference
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    // Tools beyond the reference server's (ours alone) may follow; its own must all be here.
    let ours: Vec<&str> = group
        .tools()
        .map(|t| t.name())
        .filter(|name| theirs.contains(name))
        .collect();
    assert_eq!(
        ours,
        theirs,
        "the reference tools of group `{}`",
        group.name()
    );
    let shared = group.tools().filter(|t| theirs.contains(&t.name()));
    for (tool, seed) in shared.zip(&reference) {
        let mut ours = tool.input_schema().to_value().expect("a JSON input schema");
        let mut theirs = seed["input_schema"].clone();
        without_keywords(&mut ours, ignore);
        without_keywords(&mut theirs, ignore);
        assert_eq!(ours, theirs, "the input schema of `{}`", tool.name());
    }
}

/// A looser parity check for groups whose schemas add more than keywords: every tool is a
/// reference tool of this group with the same argument names and the same required arguments,
/// with the host settings in `ctx` deciding which gated arguments are offered.
pub fn assert_arguments_match_reference(group: &Group, ctx: &Context) {
    group.validate().unwrap_or_else(|e| panic!("{e}"));
    let reference = reference_tools(group.name());
    for tool in group.tools() {
        let theirs = reference
            .iter()
            .find(|t| t["name"] == tool.name())
            .unwrap_or_else(|| {
                panic!(
                    "{} is not a reference tool of `{}`",
                    tool.name(),
                    group.name()
                )
            });
        let ours: Value =
            serde_json::from_str(&tool.effective_input_schema(ctx)).expect("a JSON input schema");
        for key in ["properties", "required"] {
            assert_eq!(
                names(&ours[key]),
                names(&theirs["input_schema"][key]),
                "{} of `{}`",
                key,
                tool.name()
            );
        }
    }
}

/// What the host learns from `describe` about every tool of `group`, as JSON: name, title,
/// description, input and output schemas, annotations. For snapshot tests.
pub fn catalog(group: &Group) -> Value {
    let tools: Vec<Value> = group
        .tools()
        .map(|t| {
            let a = t.annotations();
            json!({
                "name": t.name(),
                "title": t.title(),
                "description": t.description(),
                "input_schema": t.input_schema().to_value().ok(),
                "output_schema": t.output_schema().and_then(|s| s.to_value().ok()),
                "annotations": {"read_only": a.read_only, "destructive": a.destructive,
                                "idempotent": a.idempotent},
            })
        })
        .collect();
    json!({"group": group.name(), "tools": tools})
}

/// Removes `description` and `ignore` from a schema and its sub-schemas.
fn without_keywords(schema: &mut Value, ignore: &[&str]) {
    let Value::Object(map) = schema else { return };
    map.retain(|k, _| k != "description" && !ignore.contains(&k.as_str()));
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("properties", Value::Object(props)) => {
                props.values_mut().for_each(|p| without_keywords(p, ignore));
            }
            ("anyOf" | "oneOf" | "allOf", Value::Array(list)) => {
                list.iter_mut().for_each(|s| without_keywords(s, ignore));
            }
            ("items" | "additionalProperties", v) => without_keywords(v, ignore),
            _ => {}
        }
    }
}

/// Member names of an object, or the strings of an array.
fn names(value: &Value) -> BTreeSet<String> {
    match value {
        Value::Object(map) => map.keys().cloned().collect(),
        Value::Array(list) => list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => BTreeSet::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{self, Ty};
    use crate::{NoArgs, Tool};

    fn whoami(description_arg: bool) -> Group {
        let mut s = schema::object();
        if description_arg {
            s = s.optional("description", Ty::Str, "an argument named description");
        }
        Group::new("identity", "1").tool(
            Tool::reader("whoami", "Who am I", "d")
                .schema(s)
                .handler(|_: NoArgs, _: &Context| Ok(json!({}))),
        )
    }

    #[test]
    fn a_group_equal_to_the_reference_passes() {
        assert_matches_reference(&whoami(false), &[]);
        assert_arguments_match_reference(&whoami(false), &Context::default());
    }

    #[test]
    #[should_panic(expected = "the input schema of `whoami`")]
    fn an_argument_named_description_is_not_ignored() {
        assert_matches_reference(&whoami(true), &[]);
    }

    #[test]
    fn keywords_go_from_schemas_not_from_properties() {
        let mut s = json!({"description": "d", "minimum": 1, "properties": {
            "minimum": {"type": "integer", "minimum": 0},
            "x": {"anyOf": [{"type": "array", "items": {"type": "integer", "minimum": 1}}]}}});
        without_keywords(&mut s, &["minimum"]);
        assert_eq!(
            s,
            json!({"properties": {"minimum": {"type": "integer"},
                   "x": {"anyOf": [{"type": "array", "items": {"type": "integer"}}]}}})
        );
    }
}

//! Native test support: a stand-in for the host's Looker capability.
//!
//! WIT imports only exist inside a component, so on the build machine
//! [`Request::send`](crate::looker::Request::send) goes to a mock installed per test thread.
//! Without one it panics with a message saying so. This module does not exist in wasm builds.
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
use std::rc::Rc;

use crate::ToolError;
use crate::looker::{Request, Response};

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

//! Confirmation of irreversible steps. A tool that takes a boolean `confirm` argument (resets
//! and rollbacks that cannot be undone) runs its irreversible step only with `confirm: true`;
//! without it the tool sends nothing and answers a dry-run plan (`dry_run: true`,
//! `confirmed: false`). When the client can ask its user, the host asks first, before the
//! plugin runs: accepted means `confirm: true`; declined or cancelled means nothing runs and the
//! answer is the same kind of non-error result (`confirmed: false`). How the user is asked
//! depends on the protocol revision:
//!
//! - 2025-06-18 and 2025-11-25 (a session): an `elicitation/create` request to the client, when
//!   it declared form elicitation at `initialize`;
//! - 2026-07-28 (stateless, no server-to-client requests): the call answers an
//!   `input_required` result carrying the same elicitation (the revision's multi-round-trip
//!   request), when the request's `_meta` declares form elicitation; the client asks its user
//!   and calls again with the answer in `inputResponses`. The answer is the client's, as a
//!   `confirm: true` argument would be, so nothing needs sealing in `requestState`.

use std::time::Duration;

use rmcp::RoleServer;
use rmcp::model::{
    ElicitRequest, ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationSchema,
    InputRequest, InputRequests, InputRequiredResult, InputResponses, ProtocolVersion,
};
use rmcp::service::{ElicitationMode, RequestContext};
use serde_json::{Value, json};

use crate::runtime::ToolEntry;

/// How long the user has to answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(300);

/// The key of the confirmation in `inputRequests` / `inputResponses`.
pub const INPUT_KEY: &str = "confirm";

/// What to do with a call after asking (or not asking) the user.
pub enum Decision {
    /// Run it with these arguments.
    Run(Value),
    /// The user said no: answer with this, run nothing.
    Declined(Value),
    /// Ask the user through the client (2026-07-28): answer this and run nothing yet.
    Ask(InputRequiredResult),
}

/// Whether `tool` gates an irreversible step behind `confirm` and `arguments` do not confirm it.
fn needs_confirmation(tool: &ToolEntry, arguments: &Value) -> bool {
    tool.input_schema
        .get("properties")
        .and_then(|p| p.get("confirm"))
        .is_some_and(|c| c["type"] == "boolean")
        && arguments.get("confirm") != Some(&Value::Bool(true))
}

/// Asks the user to confirm `tool` when it needs it and the client can be asked. `responses`
/// are the `inputResponses` of a 2026-07-28 retry.
pub async fn settle(
    context: &RequestContext<RoleServer>,
    tool: &ToolEntry,
    arguments: Value,
    responses: Option<&InputResponses>,
) -> Decision {
    if !needs_confirmation(tool, &arguments) {
        return Decision::Run(arguments);
    }
    let stateless = context
        .protocol_version()
        .is_some_and(|v| v.as_str() >= ProtocolVersion::V_2026_07_28.as_str());
    if stateless {
        return match responses.and_then(|r| r.get(INPUT_KEY)) {
            Some(answer) => decide(tool, arguments, serde_json::from_value(answer.clone()).ok()),
            None if asks_forms(context) => {
                let request =
                    InputRequest::Elicitation(ElicitRequest::new(question(tool, &arguments)));
                Decision::Ask(InputRequiredResult::from_input_requests(
                    InputRequests::from([(INPUT_KEY.to_owned(), request)]),
                ))
            }
            None => Decision::Run(arguments),
        };
    }
    if !context
        .peer
        .supported_elicitation_modes()
        .contains(&ElicitationMode::Form)
    {
        return Decision::Run(arguments);
    }
    match context
        .peer
        .create_elicitation_with_timeout(question(tool, &arguments), Some(ANSWER_TIMEOUT))
        .await
    {
        Ok(answer) => decide(tool, arguments, Some(answer)),
        Err(error) => {
            // No answer: the tool's own unconfirmed answer tells the assistant what would happen.
            tracing::info!(tool = %tool.name, %error, "confirmation not obtained; running as a dry run");
            Decision::Run(arguments)
        }
    }
}

/// Whether this 2026-07-28 request's client declared form elicitation.
fn asks_forms(context: &RequestContext<RoleServer>) -> bool {
    context
        .client_capabilities()
        .and_then(|c| c.elicitation)
        .is_some_and(|e| e.form.is_some() || e.url.is_none())
}

/// The elicitation asking the user to confirm `tool` with `arguments`.
fn question(tool: &ToolEntry, arguments: &Value) -> ElicitRequestParams {
    let mut shown = arguments.clone();
    if let Some(map) = shown.as_object_mut() {
        map.remove("confirm");
    }
    let schema = json!({
        "type": "object",
        "properties": {"confirm": {"type": "boolean", "title": "Run it", "default": false}},
        "required": ["confirm"],
    });
    ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: format!(
            "{} ({}) cannot be undone. Run it with {shown}?",
            tool.title, tool.name
        ),
        requested_schema: ElicitationSchema::from_json_schema(
            schema.as_object().cloned().unwrap_or_default(),
        )
        .expect("the confirmation schema is a valid elicitation schema"),
    }
}

/// Runs `arguments` confirmed when the user accepted, declines otherwise (no answer, or one
/// that does not parse, is a no).
fn decide(tool: &ToolEntry, mut arguments: Value, answer: Option<ElicitResult>) -> Decision {
    let confirmed = answer.is_some_and(|a| {
        a.action == ElicitationAction::Accept
            && a.content.as_ref().and_then(|c| c.get("confirm")) == Some(&Value::Bool(true))
    });
    tracing::info!(tool = %tool.name, confirmed, "user confirmation");
    if !confirmed {
        return Decision::Declined(declined(&tool.name));
    }
    if let Some(map) = arguments.as_object_mut() {
        map.insert("confirm".into(), Value::Bool(true));
    }
    Decision::Run(arguments)
}

/// The answer when the user said no: the same shape as a tool's unconfirmed dry run.
fn declined(tool: &str) -> Value {
    json!({
        "tool": tool,
        "confirmed": false,
        "dry_run": true,
        "message": "The user did not confirm; nothing was run and nothing changed.",
    })
}

//! Confirmation through MCP elicitation. A tool that takes a boolean `confirm` argument (resets
//! and rollbacks that cannot be undone) runs its irreversible step only with `confirm: true`;
//! without it the tool sends nothing and says what it would do (a dry-run plan, or an error
//! asking for `confirm`). When the client supports form elicitation, the host asks the user
//! instead, before the plugin runs: accepted means `confirm: true`, declined or cancelled means
//! nothing runs. A client without elicitation (or on the stateless 2026 revision, which has no
//! server-to-client requests) gets the tool's own answer, as before.

use std::time::Duration;

use rmcp::model::{ElicitRequestParams, ElicitationAction, ElicitationSchema};
use rmcp::service::ElicitationMode;
use rmcp::{Peer, RoleServer};
use serde_json::{Value, json};

use crate::plugins::ToolEntry;

/// How long the user has to answer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(300);

/// What to do with a call after asking (or not asking) the user.
pub enum Decision {
    /// Run it with these arguments.
    Run(Value),
    /// The user said no: answer with this, run nothing.
    Declined(Value),
}

/// Whether `tool` gates an irreversible step behind `confirm` and `arguments` do not confirm it.
fn needs_confirmation(tool: &ToolEntry, arguments: &Value) -> bool {
    tool.input_schema
        .get("properties")
        .and_then(|p| p.get("confirm"))
        .is_some_and(|c| c["type"] == "boolean")
        && arguments.get("confirm") != Some(&Value::Bool(true))
}

/// Asks the user to confirm `tool` when it needs it and the client can be asked.
pub async fn settle(peer: &Peer<RoleServer>, tool: &ToolEntry, mut arguments: Value) -> Decision {
    if !needs_confirmation(tool, &arguments)
        || !peer
            .supported_elicitation_modes()
            .contains(&ElicitationMode::Form)
    {
        return Decision::Run(arguments);
    }
    let mut shown = arguments.clone();
    if let Some(map) = shown.as_object_mut() {
        map.remove("confirm");
    }
    let message = format!(
        "{} ({}) cannot be undone. Run it with {shown}?",
        tool.title, tool.name
    );
    let schema = json!({
        "type": "object",
        "properties": {"confirm": {"type": "boolean", "title": "Run it", "default": false}},
        "required": ["confirm"],
    });
    let Ok(requested_schema) =
        ElicitationSchema::from_json_schema(schema.as_object().cloned().unwrap_or_default())
    else {
        return Decision::Run(arguments);
    };
    let request = ElicitRequestParams::FormElicitationParams {
        meta: None,
        message,
        requested_schema,
    };
    let answer = match peer
        .create_elicitation_with_timeout(request, Some(ANSWER_TIMEOUT))
        .await
    {
        Ok(answer) => answer,
        Err(error) => {
            // No answer: the tool's own unconfirmed answer tells the assistant what would happen.
            tracing::info!(tool = %tool.name, %error, "confirmation not obtained; running as a dry run");
            return Decision::Run(arguments);
        }
    };
    let confirmed = answer.action == ElicitationAction::Accept
        && answer.content.as_ref().and_then(|c| c.get("confirm")) == Some(&Value::Bool(true));
    tracing::info!(tool = %tool.name, confirmed, "user confirmation");
    if !confirmed {
        return Decision::Declined(json!({
            "tool": tool.name,
            "confirmed": false,
            "message": "The user did not confirm; nothing was run and nothing changed.",
        }));
    }
    if let Some(map) = arguments.as_object_mut() {
        map.insert("confirm".into(), Value::Bool(true));
    }
    Decision::Run(arguments)
}

//! Which operations may run: reads always; writes by the operator's `api_writes` setting
//! (`off`, the default; `confirm`; `allow`); operations on the deny list never.

use looker_mcp_plugin_sdk::{Context, ToolError};

use crate::index::Operation;

/// Operations that use a non-GET method but only run queries or renders: read like a GET.
const QUERY_OPERATIONS: &[&str] = &[
    "create_query",
    "run_inline_query",
    "create_query_task",
    "create_merge_query",
    "create_sql_query",
    "run_sql_query",
    "connection_cost_estimate",
    "create_look_render_task",
    "create_query_render_task",
    "create_dashboard_render_task",
    "create_dashboard_element_render_task",
];

/// Denied whatever the settings say: logins (a new session as anyone), credentials of every
/// kind, embed secrets and sessions, password resets and user deletion. Patterns match whole
/// operation ids; `*` matches any run of characters. The operator's `LOOKER_API_DENY` adds to
/// these and can never remove one.
pub const DEFAULT_DENY: &[&str] = &[
    "login",
    "login_user",
    "logout",
    "*credentials*",
    "*embed_secret*",
    "*embed_session*",
    "*embed_cookieless*",
    "create_sso_embed_url",
    "*password*",
    "delete_user",
    "*oauth_client_app*",
    "*api_client*",
];

/// The write setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    Off,
    Confirm,
    Allow,
}

impl Writes {
    /// The host's `api_writes` setting; anything unknown is `Off`.
    pub fn from_context(ctx: &Context) -> Self {
        match ctx.get("api_writes").map(str::trim) {
            Some(v) if v.eq_ignore_ascii_case("allow") => Self::Allow,
            Some(v) if v.eq_ignore_ascii_case("confirm") => Self::Confirm,
            _ => Self::Off,
        }
    }
}

/// Whether `op` changes anything in Looker (not a GET and not a query or render).
pub fn changes(op: &Operation) -> bool {
    op.method != "GET" && !QUERY_OPERATIONS.contains(&op.id)
}

/// How the caller asked for the operation: through the read-only tool, the write tool, or a
/// script (with the script's `confirm` argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    ReadTool,
    WriteTool { confirmed: bool },
    Script { confirmed: bool },
}

/// `Ok` when `op` may be sent; else the refusal, saying why and what would make it possible.
pub fn check(op: &Operation, via: Via, ctx: &Context) -> Result<(), ToolError> {
    if let Some(pattern) = denied(op.id, ctx) {
        return Err(ToolError::InvalidArguments(format!(
            "operation `{}` is denied by the operator (deny pattern `{pattern}`); it is never sent",
            op.id
        )));
    }
    if !changes(op) {
        return Ok(());
    }
    let writes = Writes::from_context(ctx);
    let refuse = |why: String| Err(ToolError::InvalidArguments(why));
    match (via, writes) {
        (Via::ReadTool, _) => refuse(format!(
            "operation `{}` ({} {}) changes Looker; call_looker_api only reads. Use change_looker_api{}",
            op.id,
            op.method,
            op.path,
            if writes == Writes::Off {
                " (writes are off on this server: LOOKER_API_WRITES=off)"
            } else {
                ""
            }
        )),
        (_, Writes::Off) => refuse(format!(
            "operation `{}` ({} {}) changes Looker and writes are off on this server (LOOKER_API_WRITES=off); the operator can set it to confirm or allow",
            op.id, op.method, op.path
        )),
        (
            Via::WriteTool { confirmed: false } | Via::Script { confirmed: false },
            Writes::Confirm,
        ) => refuse(format!(
            "operation `{}` ({} {}) changes Looker and needs the user's confirmation on this server (LOOKER_API_WRITES=confirm): call again with `confirm: true`",
            op.id, op.method, op.path
        )),
        _ => Ok(()),
    }
}

/// The first deny pattern (defaults, then the operator's `api_deny` list) matching `id`.
fn denied(id: &str, ctx: &Context) -> Option<String> {
    let operator = ctx.get("api_deny").unwrap_or("");
    DEFAULT_DENY
        .iter()
        .copied()
        .chain(operator.split(',').map(str::trim).filter(|p| !p.is_empty()))
        .find(|pattern| glob(pattern, id))
        .map(str::to_owned)
}

/// `*`-only glob over the whole text.
fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::by_id;

    #[test]
    fn globs_match_whole_ids() {
        assert!(glob("login", "login"));
        assert!(!glob("login", "login_user"));
        assert!(glob("*credentials*", "delete_user_credentials_api3"));
        assert!(glob("delete_*", "delete_user"));
        assert!(!glob("*_user", "delete_users"));
    }

    #[test]
    fn reads_pass_writes_follow_the_setting_denials_always_refuse() {
        let off = Context::default();
        let allow = Context::from_settings([("api_writes", "allow")]);
        let confirm = Context::from_settings([("api_writes", "confirm")]);
        let read = by_id("dashboard").unwrap();
        let query = by_id("run_inline_query").unwrap();
        let write = by_id("create_dashboard").unwrap();
        let tool = Via::WriteTool { confirmed: false };
        assert!(check(read, Via::ReadTool, &off).is_ok());
        assert!(check(query, Via::ReadTool, &off).is_ok());
        assert!(check(write, tool, &off).is_err());
        assert!(check(write, Via::ReadTool, &allow).is_err());
        assert!(check(write, tool, &allow).is_ok());
        assert!(check(write, tool, &confirm).is_err());
        assert!(check(write, Via::WriteTool { confirmed: true }, &confirm).is_ok());
        for ctx in [&off, &allow, &confirm] {
            for op in ["login_user", "delete_user", "create_user_credentials_api3"] {
                let err = check(by_id(op).unwrap(), Via::Script { confirmed: true }, ctx);
                assert!(
                    err.unwrap_err()
                        .to_string()
                        .contains("denied by the operator")
                );
            }
        }
        let extra = Context::from_settings([("api_deny", "dashboard, all_*")]);
        assert!(check(read, Via::ReadTool, &extra).is_err());
    }
}

//! Live operations: queries running now (and killing one), users' web login sessions (and ending
//! one).
//!
//! Looker keeps sessions per user: `GET /users/{user_id}/sessions`,
//! `GET|DELETE /users/{user_id}/sessions/{session_id}` (there is no instance-wide `/sessions`).
//! The session tools keep the reference server's arguments (none, or one `session_id`), so they
//! address a session as `"<user_id>:<session_id>"`, the `session_id` that `list_active_sessions`
//! returns; a bare Looker session id is found by looking through the users' sessions.

use looker_mcp_plugin_sdk::looker::{self, Request};
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::clean;
use looker_mcp_plugin_sdk::{Context, NoArgs, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "list_running_queries",
            "List running queries",
            "Lists the queries running on the instance right now (GET /running_queries): \
            each one's query_task_id (what kill_query takes), status, runtime so far in \
            seconds, source, user, model and explore, connection, dialect and SQL. Use it \
            to find runaway or stuck queries.",
        )
        .schema(schema::object())
        .handler(list_running_queries),
        Tool::overwriter(
            "kill_query",
            "Kill a running query",
            "Stops a running query (DELETE /running_queries/{query_task_id}). The query's \
            results are lost and whoever ran it sees it cancelled. `query_task_id` comes \
            from list_running_queries (e.g. \"qt-7f3a9c1e2b\"), not a query id.",
        )
        .schema(schema::object().required(
            "query_task_id",
            Ty::Str.min_len(1),
            "The running query's query_task_id, from list_running_queries.",
        ))
        .handler(kill_query),
        Tool::reader(
            "list_active_sessions",
            "List users' login sessions",
            "Lists the web login sessions of every enabled user (Looker keeps sessions per \
            user: GET /users/{user_id}/sessions for each user), with the user's id, email \
            and name, IP address, browser, location, credentials type, and when the \
            session started, was last extended and expires. Each session's `session_id` \
            (\"<user_id>:<session id>\") is what get_session and terminate_session take. \
            Lists at most the server's row limit; on large instances this makes one \
            request per user.",
        )
        .schema(schema::object())
        .handler(list_active_sessions),
        Tool::reader(
            "get_session",
            "Get a login session",
            "Gets one user's web login session (GET \
            /users/{user_id}/sessions/{session_id}): IP address, browser, location, \
            credentials type, start, last extension and expiry. `session_id` is the \
            \"<user_id>:<session id>\" value list_active_sessions returns (e.g. \
            \"2:201\"); a bare Looker session id is also accepted and is then looked for \
            among all users' sessions.",
        )
        .schema(schema::object().required(
            "session_id",
            Ty::Str.min_len(1),
            "\"<user_id>:<session id>\" as list_active_sessions returns it (e.g. \
                    \"2:201\"), or a bare Looker session id.",
        ))
        .handler(get_session),
        Tool::overwriter(
            "terminate_session",
            "End a user's login session",
            "Ends a user's web login session (DELETE \
            /users/{user_id}/sessions/{session_id}): the user is logged out of that \
            browser and must log in again. `session_id` is the \"<user_id>:<session id>\" \
            value list_active_sessions returns (e.g. \"2:201\"); a bare Looker session id \
            is also accepted and is then looked for among all users' sessions.",
        )
        .schema(schema::object().required(
            "session_id",
            Ty::Str.min_len(1),
            "\"<user_id>:<session id>\" as list_active_sessions returns it (e.g. \
                    \"2:201\"), or a bare Looker session id.",
        ))
        .handler(terminate_session),
    ]
}

/// Users read per page when looking through everyone's sessions.
const USER_PAGE: usize = 100;

/// The most users looked through for sessions (20 pages).
const MAX_USERS: usize = 2000;

/// `list_running_queries`: `GET /running_queries`, compacted.
pub fn list_running_queries(_: NoArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let running = looker::get("/running_queries")?;
    let list: Vec<Value> = running
        .as_array()
        .map(|items| items.iter().map(running_query).collect())
        .unwrap_or_default();
    Ok(json!({"count": list.len(), "running_queries": list}))
}

/// What matters about one running query.
fn running_query(q: &Value) -> Value {
    let user = &q["user"];
    json!({
        "query_task_id": q["query_task_id"],
        "id": q["id"],
        "status": q["status"],
        "runtime_seconds": q["runtime"],
        "source": q["source"],
        "created_at": q["created_at"],
        "user_id": user["id"],
        "user_name": user["display_name"],
        "model": q["query"]["model"],
        "explore": q["query"]["view"],
        "query_id": q["query_id"],
        "look_id": q["look"]["id"],
        "connection_name": q["connection_name"],
        "dialect": q["dialect"],
        "message": q["message"],
        "sql": q["sql"],
    })
}

/// `kill_query` arguments.
#[derive(Deserialize)]
pub struct KillArgs {
    query_task_id: String,
}

/// `kill_query`: `DELETE /running_queries/{query_task_id}`.
pub fn kill_query(args: KillArgs, _ctx: &Context) -> Result<Value, ToolError> {
    looker::delete(path!("/running_queries/{}", args.query_task_id))?;
    Ok(json!({"killed": true, "query_task_id": args.query_task_id}))
}

/// A user whose sessions are listed.
struct Owner {
    id: String,
    email: Value,
    name: Value,
}

/// The enabled users, paged with `limit`/`offset`, at most [`MAX_USERS`]; and whether there were
/// more.
fn users() -> Result<(Vec<Owner>, bool), ToolError> {
    let mut owners = Vec::new();
    let mut offset = 0;
    loop {
        let page: Value = Request::get("/users")
            .fields(&["id", "email", "display_name", "is_disabled"])
            .query("limit", USER_PAGE)
            .query("offset", offset)
            .send()?
            .json()?;
        let items = page.as_array().cloned().unwrap_or_default();
        for u in &items {
            if u["is_disabled"] == true {
                continue;
            }
            let id = match &u["id"] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            owners.push(Owner {
                id,
                email: u["email"].clone(),
                name: u["display_name"].clone(),
            });
        }
        offset += items.len();
        if items.len() < USER_PAGE {
            return Ok((owners, false));
        }
        if offset >= MAX_USERS {
            return Ok((owners, true));
        }
    }
}

/// A session as returned by the session tools: Looker's fields (no `can`), with its owner and
/// the composite `session_id` the other session tools take.
fn session_of(owner: &Owner, session: Value) -> Value {
    let mut out = Map::new();
    let id = match &session["id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    out.insert("session_id".into(), json!(format!("{}:{id}", owner.id)));
    out.insert("user_id".into(), json!(owner.id));
    out.insert("user_email".into(), owner.email.clone());
    out.insert("user_name".into(), owner.name.clone());
    if let Value::Object(fields) = clean(&session) {
        out.extend(fields);
    }
    Value::Object(out)
}

/// One user's sessions (`GET /users/{user_id}/sessions`); none when the user is gone (a 404:
/// deleted while the users were being read).
fn sessions_of(owner: &Owner) -> Result<Vec<Value>, ToolError> {
    let list = match looker::get(path!("/users/{}/sessions", owner.id)) {
        Ok(list) => list,
        Err(e) if e.looker_status() == Some(404) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(list
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|s| session_of(owner, s))
        .collect())
}

/// `list_active_sessions`: every enabled user's web login sessions, at most `max_rows`.
pub fn list_active_sessions(_: NoArgs, ctx: &Context) -> Result<Value, ToolError> {
    let (owners, more_users) = users()?;
    let cap = ctx.max_rows() as usize;
    let mut sessions = Vec::new();
    let mut truncated = more_users;
    for owner in &owners {
        let found = sessions_of(owner)?;
        for s in found {
            if sessions.len() >= cap {
                truncated = true;
                break;
            }
            sessions.push(s);
        }
        if truncated && sessions.len() >= cap {
            break;
        }
    }
    Ok(json!({
        "count": sessions.len(),
        "users_checked": owners.len(),
        "truncated": truncated,
        "sessions": sessions,
    }))
}

/// `get_session` / `terminate_session` arguments.
#[derive(Deserialize)]
pub struct SessionArgs {
    session_id: String,
}

/// Where a session lives: its user and Looker's session id.
struct Address {
    user_id: String,
    session_id: String,
}

/// Reads `"<user_id>:<session_id>"`, or `None` for a bare session id.
fn parse(session_id: &str) -> Result<Option<Address>, ToolError> {
    let text = session_id.trim();
    if text.is_empty() {
        return Err(ToolError::invalid_arguments(
            "`session_id`: must not be empty; use the `session_id` list_active_sessions returns",
        ));
    }
    match text.split_once(':') {
        Some((user, session)) if !user.trim().is_empty() && !session.trim().is_empty() => {
            Ok(Some(Address {
                user_id: user.trim().to_owned(),
                session_id: session.trim().to_owned(),
            }))
        }
        Some(_) => Err(ToolError::invalid_arguments(format!(
            "`session_id`: {text:?} must be \"<user_id>:<session_id>\" (as list_active_sessions \
             returns) or a bare Looker session id"
        ))),
        None => Ok(None),
    }
}

/// Finds a bare session id among the users' sessions.
fn locate(session_id: &str) -> Result<(Address, Value), ToolError> {
    let (owners, _) = users()?;
    for owner in &owners {
        for s in sessions_of(owner)? {
            let id = match &s["id"] {
                Value::String(x) => x.clone(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            if id == session_id {
                let address = Address {
                    user_id: owner.id.clone(),
                    session_id: id,
                };
                return Ok((address, s));
            }
        }
    }
    Err(ToolError::invalid_arguments(format!(
        "`session_id`: no user has a session {session_id:?} (looked through {} users' sessions); \
         call list_active_sessions for the current ones",
        owners.len()
    )))
}

/// `get_session`: `GET /users/{user_id}/sessions/{session_id}`.
pub fn get_session(args: SessionArgs, _ctx: &Context) -> Result<Value, ToolError> {
    match parse(&args.session_id)? {
        Some(a) => {
            let found = looker::get(path!("/users/{}/sessions/{}", a.user_id, a.session_id))?;
            let owner = Owner {
                id: a.user_id,
                email: Value::Null,
                name: Value::Null,
            };
            let mut session = session_of(&owner, found);
            if let Value::Object(map) = &mut session {
                map.remove("user_email");
                map.remove("user_name");
            }
            Ok(session)
        }
        None => Ok(locate(args.session_id.trim())?.1),
    }
}

/// `terminate_session`: `DELETE /users/{user_id}/sessions/{session_id}`.
pub fn terminate_session(args: SessionArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let address = match parse(&args.session_id)? {
        Some(a) => a,
        None => locate(args.session_id.trim())?.0,
    };
    looker::delete(path!(
        "/users/{}/sessions/{}",
        address.user_id,
        address.session_id
    ))?;
    Ok(json!({
        "terminated": true,
        "session_id": format!("{}:{}", address.user_id, address.session_id),
        "user_id": address.user_id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_are_composite_or_bare() {
        let a = parse("12:345").unwrap().unwrap();
        assert_eq!((a.user_id.as_str(), a.session_id.as_str()), ("12", "345"));
        assert!(parse("345").unwrap().is_none());
        assert!(parse(":345").is_err());
        assert!(parse("12:").is_err());
        assert!(parse(" ").is_err());
    }
}

//! `whoami`: the Looker user this server acts as for the caller.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema;
use looker_mcp_plugin_sdk::{Context, NoArgs, Tool, ToolError};
use serde_json::{Map, Value};

/// `whoami`, declared beside its handler.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [Tool::reader("whoami", "Who am I in Looker", WHOAMI)
        .schema(schema::object())
        .handler(whoami)]
}

const WHOAMI: &str = "\
Returns the Looker user this server acts as for you: id, email, display name, first and last \
name, role and group ids, personal and home folder ids, locale, and whether the account is \
disabled or a service account. Use it to check whose permissions and content other tools will \
see, e.g. before creating content or when an action is denied.";

/// What `whoami` asks Looker for and shows of its `User`, under the same names.
const SHOWN: [&str; 13] = [
    "id",
    "email",
    "display_name",
    "first_name",
    "last_name",
    "role_ids",
    "group_ids",
    "personal_folder_id",
    "home_folder_id",
    "locale",
    "is_disabled",
    "is_service_account",
    "service_account_name",
];

/// `GET /user` → the compact user.
fn whoami(_: NoArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let me: Value = Request::get("/user").fields(&SHOWN).send()?.json()?;
    Ok(user(&me))
}

/// Keeps the fields of [`SHOWN`] that carry something; `false` flags are dropped too, since
/// "not disabled" and "not a service account" are the norm.
fn user(me: &Value) -> Value {
    let mut out = Map::new();
    for key in SHOWN {
        match me.get(key) {
            None | Some(Value::Null | Value::Bool(false)) => {}
            Some(Value::String(s)) if s.is_empty() => {}
            Some(v) => {
                out.insert(key.to_owned(), v.clone());
            }
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;
    use serde_json::json;

    #[test]
    fn whoami_is_compact() {
        let seen = mock_looker(|_| {
            Ok(Response::json_ok(&json!({
                "id": "42", "email": "ada@example.com", "display_name": "Ada Lovelace",
                "first_name": "Ada", "last_name": "Lovelace", "role_ids": ["2", "5"], "group_ids": [],
                "personal_folder_id": "7", "home_folder_id": "1", "locale": "en",
                "is_disabled": false, "is_service_account": false, "service_account_name": null,
                "avatar_url": "https://x", "can": {"show": true}
            })))
        });
        let out = group().call("whoami", "{}", &Context::default()).unwrap();
        assert_eq!(
            out.structured.map(Value::Object),
            Some(json!({
                "id": "42", "email": "ada@example.com", "display_name": "Ada Lovelace",
                "first_name": "Ada", "last_name": "Lovelace", "role_ids": ["2", "5"], "group_ids": [],
                "personal_folder_id": "7", "home_folder_id": "1", "locale": "en"
            }))
        );
        let req = &seen.requests()[0];
        assert_eq!(req.path().as_str(), "/user");
        assert_eq!(req.query_value("fields"), Some(SHOWN.join(",").as_str()));
    }

    #[test]
    fn looker_errors_pass_through() {
        mock_looker(|_| {
            Ok(Response {
                status: 401,
                content_type: None,
                body: br#"{"message":"Requires authentication."}"#.to_vec(),
            })
        });
        let err = group()
            .call("whoami", "{}", &Context::default())
            .unwrap_err();
        assert_eq!(err.looker_status(), Some(401));
    }
}

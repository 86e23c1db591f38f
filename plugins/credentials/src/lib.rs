//! The `credentials` tool group: a user's API3 key pairs (list, create/rotate, get, label,
//! revoke), two-factor (TOTP) credentials, and their LDAP, SAML, OIDC and Google SSO links.
//!
//! Secrets: a new API3 key's `client_secret` is returned once, in the `create_credentials_api3`
//! answer only, and is never logged; every other answer is stripped of secrets. Email/password
//! credentials are in the `admin` group.

mod api3;
mod single;

use looker_mcp_plugin_sdk::{Group, Tool, export_group};

use single::Kind;

export_group!(group);

/// A read-only, idempotent tool.
fn reader(name: &'static str, title: &'static str, description: &'static str) -> Tool {
    Tool::new(name, title, description).read_only().idempotent()
}

/// A delete: destructive, and repeating it changes nothing more.
fn deleter(name: &'static str, title: &'static str, description: &'static str) -> Tool {
    Tool::new(name, title, description).idempotent()
}

/// The `credentials` group's tool table, in the reference server's order.
pub fn group() -> Group {
    Group::new("credentials", env!("CARGO_PKG_VERSION"))
        .tool(
            reader("list_credentials_api3", "List a user's API keys", LIST_API3)
                .schema(USER_ID_SCHEMA)
                .handler(api3::list),
        )
        .tool(
            Tool::new(
                "create_credentials_api3",
                "Create an API key for a user",
                CREATE_API3,
            )
            .non_destructive()
            .schema(USER_ID_SCHEMA)
            .handler(api3::create),
        )
        .tool(
            reader("get_credentials_api3", "Get one API key", GET_API3)
                .schema(API3_ID_SCHEMA)
                .handler(api3::get),
        )
        .tool(
            Tool::new("update_credentials_api3", "Label an API key", UPDATE_API3)
                .idempotent()
                .schema(UPDATE_API3_SCHEMA)
                .handler(api3::update),
        )
        .tool(
            deleter("delete_credentials_api3", "Revoke an API key", DELETE_API3)
                .schema(API3_ID_SCHEMA)
                .handler(api3::delete),
        )
        .tool(
            reader(
                "get_credentials_totp",
                "Get a user's two-factor setup",
                GET_TOTP,
            )
            .schema(USER_ID_SCHEMA)
            .handler(|a, ctx| single::get(Kind::Totp, a, ctx)),
        )
        .tool(
            Tool::new(
                "create_credentials_totp",
                "Start two-factor setup for a user",
                CREATE_TOTP,
            )
            .non_destructive()
            .schema(USER_ID_SCHEMA)
            .handler(single::create_totp),
        )
        .tool(
            deleter(
                "delete_credentials_totp",
                "Reset a user's two-factor setup",
                DELETE_TOTP,
            )
            .schema(USER_ID_SCHEMA)
            .handler(|a, ctx| single::delete(Kind::Totp, a, ctx)),
        )
        .tool(
            reader("get_credentials_ldap", "Get a user's LDAP link", GET_LDAP)
                .schema(USER_ID_SCHEMA)
                .handler(|a, ctx| single::get(Kind::Ldap, a, ctx)),
        )
        .tool(
            deleter(
                "delete_credentials_ldap",
                "Unlink a user's LDAP login",
                DELETE_LDAP,
            )
            .schema(USER_ID_SCHEMA)
            .handler(|a, ctx| single::delete(Kind::Ldap, a, ctx)),
        )
        .tool(
            reader("get_credentials_saml", "Get a user's SAML link", GET_SAML)
                .schema(USER_ID_SCHEMA)
                .handler(|a, ctx| single::get(Kind::Saml, a, ctx)),
        )
        .tool(
            deleter(
                "delete_credentials_saml",
                "Unlink a user's SAML login",
                DELETE_SAML,
            )
            .schema(USER_ID_SCHEMA)
            .handler(|a, ctx| single::delete(Kind::Saml, a, ctx)),
        )
        .tool(
            reader(
                "get_credentials_oidc",
                "Get a user's OpenID Connect link",
                GET_OIDC,
            )
            .schema(USER_ID_SCHEMA)
            .handler(|a, ctx| single::get(Kind::Oidc, a, ctx)),
        )
        .tool(
            deleter(
                "delete_credentials_oidc",
                "Unlink a user's OpenID Connect login",
                DELETE_OIDC,
            )
            .schema(USER_ID_SCHEMA)
            .handler(|a, ctx| single::delete(Kind::Oidc, a, ctx)),
        )
        .tool(
            reader(
                "get_credentials_google",
                "Get a user's Google link",
                GET_GOOGLE,
            )
            .schema(USER_ID_SCHEMA)
            .handler(|a, ctx| single::get(Kind::Google, a, ctx)),
        )
        .tool(
            deleter(
                "delete_credentials_google",
                "Unlink a user's Google login",
                DELETE_GOOGLE,
            )
            .schema(USER_ID_SCHEMA)
            .handler(|a, ctx| single::delete(Kind::Google, a, ctx)),
        )
}

const USER_ID_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_id": {"type": "string", "description": "Looker user id, e.g. `42` (from `list_users`)."}
  },
  "required": ["user_id"],
  "additionalProperties": false
}"#;

const API3_ID_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_id": {"type": "string", "description": "Looker user id that owns the key."},
    "credentials_api3_id": {"type": "string", "description": "The key's id (from `list_credentials_api3`), not its client id."}
  },
  "required": ["user_id", "credentials_api3_id"],
  "additionalProperties": false
}"#;

const UPDATE_API3_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_id": {"type": "string", "description": "Looker user id that owns the key."},
    "credentials_api3_id": {"type": "string", "description": "The key's id (from `list_credentials_api3`)."},
    "purpose": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "What the key is for, e.g. `dbt docs sync` (shown in key lists)."}
  },
  "required": ["user_id", "credentials_api3_id"],
  "additionalProperties": false
}"#;

const LIST_API3: &str = "\
Lists a user's API3 key pairs: id, client id, purpose, creation time and disabled flag (never \
the secrets). Use it to audit keys or find the id to rotate or revoke. Returns `{user_id, \
count, credentials}`.";

const CREATE_API3: &str = "\
Creates a new API3 key pair (client id + client secret) that logs in as the user, e.g. to \
rotate a key: create the new one, switch the client over, then `delete_credentials_api3` the \
old one. The `client_secret` is in this answer only, once: store it now, it cannot be read \
again and is never logged.";

const GET_API3: &str = "\
Returns one of a user's API3 key pairs: id, client id, purpose, creation time and disabled flag. \
The client secret is never shown after creation.";

const UPDATE_API3: &str = "\
Sets the purpose label of a user's API3 key pair (what it is used for), so key lists say which \
system holds which key. The key itself does not change.";

const DELETE_API3: &str = "\
Revokes one of a user's API3 key pairs for good: anything logging in with that client id stops \
working. Create a replacement first when rotating. Returns `{deleted: true}`.";

const GET_TOTP: &str = "\
Returns a user's two-factor (TOTP authenticator app) credentials: whether they exist, are \
verified (set up in an app) or disabled, and when they were created.";

const CREATE_TOTP: &str = "\
Starts two-factor (TOTP) setup for a user who has none: the user then scans the code in Looker \
at next login to verify it. Returns the new, unverified credentials.";

const DELETE_TOTP: &str = "\
Removes a user's two-factor credentials, e.g. after they lost their phone; if two-factor is \
required they set it up again at next login.";

const GET_LDAP: &str = "\
Returns the LDAP identity linked to a Looker user: LDAP DN and id, email, last login and \
disabled flag. Looker returns not found when the user never logged in through LDAP.";

const DELETE_LDAP: &str = "\
Unlinks a user's LDAP identity from their Looker account; their next LDAP login links (or \
creates) an account again. The Looker user and their content stay.";

const GET_SAML: &str = "\
Returns the SAML identity linked to a Looker user: SAML user id, email, last login and disabled \
flag. Looker returns not found when the user never logged in through SAML.";

const DELETE_SAML: &str = "\
Unlinks a user's SAML identity from their Looker account, e.g. to fix a login mapped to the \
wrong account; the next SAML login links again. The Looker user and content stay.";

const GET_OIDC: &str = "\
Returns the OpenID Connect identity linked to a Looker user: OIDC user id, email, last login \
and disabled flag. Looker returns not found when the user never logged in through OIDC.";

const DELETE_OIDC: &str = "\
Unlinks a user's OpenID Connect identity from their Looker account; the next OIDC login links \
again. The Looker user and their content stay.";

const GET_GOOGLE: &str = "\
Returns the Google identity linked to a Looker user: Google user id, email, domain, last login \
and disabled flag. Looker returns not found when the user never logged in with Google.";

const DELETE_GOOGLE: &str = "\
Unlinks a user's Google identity from their Looker account; the next Google login links again. \
The Looker user and their content stay.";

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::Content;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;
    use looker_mcp_plugin_sdk::{Context, ToolError};
    use serde_json::{Value, json};

    /// Our additions to the reference schemas: descriptions.
    fn without_additions(v: &mut Value) {
        if let Value::Object(map) = v {
            map.remove("description");
            map.values_mut().for_each(without_additions);
        }
    }

    #[test]
    fn tools_match_the_reference_server() {
        group().validate().unwrap();
        let seed: Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/seed-tools-0.25.0.json"
        ))
        .unwrap();
        let reference: Vec<&Value> = seed["tools"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["group"] == "credentials")
            .collect();
        let g = group();
        let ours: Vec<&str> = g.tools().map(|t| t.name()).collect();
        let theirs: Vec<&str> = reference
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(ours, theirs);
        for (tool, seed) in g.tools().zip(reference) {
            let mut schema = tool.input_schema().to_value().unwrap();
            without_additions(&mut schema);
            assert_eq!(schema, seed["input_schema"], "{}", tool.name());
        }
    }

    #[test]
    fn annotations_follow_what_tools_do() {
        for tool in group().tools() {
            let (name, a) = (tool.name(), tool.annotations());
            let reads = name.starts_with("list_") || name.starts_with("get_");
            assert_eq!(a.read_only, reads, "{name}");
            if reads {
                assert!(a.idempotent && !a.destructive, "{name}");
            }
            if name.starts_with("delete_") || name.starts_with("update_") {
                assert!(a.destructive && a.idempotent, "{name}");
            }
            if name.starts_with("create_") {
                assert!(!a.destructive && !a.idempotent, "{name}");
            }
        }
    }

    #[test]
    fn a_new_secret_is_returned_once_and_nowhere_else() {
        let seen = mock_looker(|_| {
            Ok(Response::json_ok(&json!({
                "id": "3", "client_id": "cid", "client_secret": "S3CRET-VALUE", "can": {},
                "purpose": null, "type": "api3"
            })))
        });
        let out = group()
            .call(
                "create_credentials_api3",
                r#"{"user_id":"2"}"#,
                &Context::default(),
            )
            .unwrap();
        assert!(out.structured.is_none());
        let [Content::Text(text)] = out.content.as_slice() else {
            panic!("one text block: {out:?}");
        };
        assert_eq!(text.matches("S3CRET-VALUE").count(), 1, "{text}");
        let v: Value = serde_json::from_str(text).unwrap();
        assert_eq!(v["client_id"], "cid");
        assert!(v.get("can").is_none() && v.get("purpose").is_none());
        let reqs = seen.requests();
        assert_eq!(reqs[0].path().as_str(), "/users/2/credentials_api3");
        assert!(reqs[0].body_json_text().is_none());
    }

    #[test]
    fn reads_never_show_secrets() {
        let _seen = mock_looker(|_| {
            Ok(Response::json_ok(
                &json!([{"id": "1", "client_id": "c", "client_secret": "LEAK"}]),
            ))
        });
        let out = group()
            .call(
                "list_credentials_api3",
                r#"{"user_id":"2"}"#,
                &Context::default(),
            )
            .unwrap();
        assert!(!format!("{out:?}").contains("LEAK"));
    }

    #[test]
    fn update_without_purpose_never_reaches_looker() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({}))));
        let err = group()
            .call(
                "update_credentials_api3",
                r#"{"user_id":"2","credentials_api3_id":"1"}"#,
                &Context::default(),
            )
            .unwrap_err();
        assert!(matches!(err, ToolError::InvalidArguments(_)), "{err}");
        assert!(seen.requests().is_empty());
    }
}

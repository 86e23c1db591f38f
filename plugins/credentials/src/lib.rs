//! The `credentials` tool group: a user's API3 key pairs (list, create/rotate, get, label,
//! revoke), two-factor (TOTP) credentials, and their LDAP, SAML, OIDC and Google SSO links.
//!
//! Secrets: a new API3 key's `client_secret` is returned once, in the `create_credentials_api3`
//! answer only, and is never logged; every other answer is stripped of secrets. Email/password
//! credentials are in the `admin` group.

mod api3;
mod single;

use looker_mcp_plugin_sdk::{Group, export_group};

export_group!(group);

/// The `credentials` group's tools, in the reference server's order.
pub fn group() -> Group {
    Group::new("credentials", env!("CARGO_PKG_VERSION"))
        .with_tools(api3::tools())
        .with_tools(single::tools())
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::Content;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::{assert_matches_reference, mock_looker};
    use looker_mcp_plugin_sdk::{Context, ToolError, conventions};
    use serde_json::{Value, json};

    #[test]
    fn tools_match_the_reference_server() {
        assert_matches_reference(&group(), &[]);
    }

    #[test]
    fn annotations_follow_what_tools_do() {
        conventions::annotations_follow_names(&group()).unwrap_or_else(|e| panic!("{e}"));
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

use looker_mcp_plugin_sdk::looker::Response;
use looker_mcp_plugin_sdk::testing::{assert_matches_reference, mock_looker};
use looker_mcp_plugin_sdk::{Context, ToolError};
use serde_json::{Value, json};

use super::group;

#[test]
fn declaration_matches_the_reference() {
    assert_matches_reference(&group(), &[]);
}

fn forbidden() -> Response {
    Response {
        status: 403,
        content_type: Some("application/json".into()),
        body: br#"{"message":"You do not have access to system__activity"}"#.to_vec(),
    }
}

#[test]
fn pulse_keeps_going_when_system_activity_is_forbidden() {
    let seen = mock_looker(|req| {
        Ok(match req.path().as_str() {
            "/connections" => Response::json_ok(&json!([
                {"name": "warehouse", "dialect_name": "snowflake"},
                {"name": "looker__internal__analytics", "dialect_name": "mysql"}
            ])),
            "/connections/warehouse/test" => Response::json_ok(&json!([
                {"name": "connect", "status": "success", "message": "ok"},
                {"name": "query", "status": "error", "message": "permission denied"}
            ])),
            _ => forbidden(),
        })
    });
    let out = group()
        .call("health_pulse", "{}", &Context::default())
        .unwrap();
    let v = Value::Object(out.structured.unwrap());
    assert_eq!(v["status"], "needs_attention");
    assert_eq!(
        v["connections"]["checked"], 1,
        "internal connections are skipped"
    );
    assert_eq!(v["connections"]["failing"], 1);
    assert!(
        v["queries"]["error"]
            .as_str()
            .unwrap()
            .contains("system__activity")
    );
    let findings = v["findings"].to_string();
    assert!(
        findings.contains("warehouse failed its query test: permission denied"),
        "{findings}"
    );
    assert!(findings.contains("Could not check schedules"), "{findings}");
    // Every system__activity query carries an explicit limit.
    for req in seen
        .requests()
        .iter()
        .filter(|r| r.path().as_str() == "/queries/run/json")
    {
        let body: Value = serde_json::from_str(req.body_json_text().unwrap()).unwrap();
        assert!(body["limit"].as_str().is_some(), "{body}");
    }
}

#[test]
fn unknown_enum_values_are_refused_before_looker() {
    let seen = mock_looker(|_| panic!("no request expected"));
    let err = group()
        .call(
            "health_vacuum",
            r#"{"scope":"everything"}"#,
            &Context::default(),
        )
        .unwrap_err();
    assert!(matches!(err, ToolError::InvalidArguments(_)));
    assert!(seen.requests().is_empty());
}

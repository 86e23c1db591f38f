//! In-process tests: requests go through the real axum app with `tower::ServiceExt::oneshot`;
//! one test talks to the listening socket.

mod auth;
mod content;
mod contract;
mod faults;
mod lookml;
mod projects;

use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, header};
use serde_json::Value;
use tower::ServiceExt;

use crate::{SimConfig, Simulator};

pub(crate) async fn sim() -> Simulator {
    Simulator::start(SimConfig::default())
        .await
        .expect("simulator starts")
}

/// A response, read whole.
pub(crate) struct Got {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Got {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

/// What to send as a body.
pub(crate) enum Send<'a> {
    None,
    Json(Value),
    Form(&'a str),
}

/// Sends `method uri` (uri relative to `/api/4.0`, with any query string) to the simulator.
pub(crate) async fn call(
    sim: &Simulator,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Send<'_>,
) -> Got {
    let mut req = Request::builder()
        .method(method)
        .uri(format!("/api/4.0{uri}"));
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("token {t}"));
    }
    let body = match body {
        Send::None => Body::empty(),
        Send::Json(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        Send::Form(f) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(f.to_string())
        }
    };
    let resp = sim
        .router()
        .oneshot(req.body(body).expect("request"))
        .await
        .expect("infallible");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.expect("body");
    Got {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub(crate) async fn get(sim: &Simulator, uri: &str, token: &str) -> Got {
    call(sim, "GET", uri, Some(token), Send::None).await
}

pub(crate) async fn send_json(
    sim: &Simulator,
    method: &str,
    uri: &str,
    token: &str,
    body: Value,
) -> Got {
    call(sim, method, uri, Some(token), Send::Json(body)).await
}

/// Logs in with an API3 key pair and returns the access token.
pub(crate) async fn login_with(sim: &Simulator, id: &str, secret: &str) -> String {
    let got = call(
        sim,
        "POST",
        "/login",
        None,
        Send::Form(&format!("client_id={id}&client_secret={secret}")),
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.text);
    got.json()["access_token"]
        .as_str()
        .expect("token")
        .to_string()
}

/// Logs in as the admin (user 1).
pub(crate) async fn admin(sim: &Simulator) -> String {
    login_with(sim, "demo-client-id", "demo-client-secret").await
}

/// Logs in as alice (user 2).
pub(crate) async fn alice(sim: &Simulator) -> String {
    login_with(sim, crate::ALICE_CLIENT_ID, crate::ALICE_CLIENT_SECRET).await
}

/// Switches a token's session to the dev workspace.
pub(crate) async fn dev_mode(sim: &Simulator, token: &str) {
    let got = send_json(
        sim,
        "PATCH",
        "/session",
        token,
        serde_json::json!({ "workspace_id": "dev" }),
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.text);
}

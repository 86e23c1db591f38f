use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{Send, admin, call, dev_mode, get, sim};
use crate::{Fault, FaultKind};

fn fault(method: Option<&str>, prefix: &str, kind: FaultKind, times: u32) -> Fault {
    Fault {
        method: method.map(str::to_string),
        path_prefix: prefix.into(),
        kind,
        times,
    }
}

#[tokio::test]
async fn status_fault_fires_the_given_number_of_times() {
    let sim = sim().await;
    let token = admin(&sim).await;
    sim.inject(fault(
        Some("GET"),
        "/lookml_models",
        FaultKind::Status(503),
        2,
    ));
    for _ in 0..2 {
        let got = get(&sim, "/lookml_models/ecommerce", &token).await;
        assert_eq!(got.status, 503);
        assert_eq!(got.json()["message"], "Service Unavailable");
        assert!(got.json()["documentation_url"].is_string());
    }
    assert_eq!(
        get(&sim, "/lookml_models/ecommerce", &token).await.status,
        200
    );
}

#[tokio::test]
async fn faults_match_method_and_prefix_and_come_after_auth() {
    let sim = sim().await;
    let token = admin(&sim).await;
    sim.inject(fault(Some("POST"), "/queries", FaultKind::Status(500), 1));
    assert_eq!(
        get(&sim, "/queries/1", &token).await.status,
        200,
        "method differs"
    );
    assert_eq!(
        call(&sim, "POST", "/queries", None, Send::Json(json!({})))
            .await
            .status,
        401,
        "auth first"
    );
    let body = json!({ "model": "ecommerce", "view": "orders", "fields": ["orders.count"] });
    assert_eq!(
        call(
            &sim,
            "POST",
            "/queries",
            Some(&token),
            Send::Json(body.clone())
        )
        .await
        .status,
        500
    );
    assert_eq!(
        call(&sim, "POST", "/queries", Some(&token), Send::Json(body))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn rate_limit_fault_sets_retry_after() {
    let sim = sim().await;
    let token = admin(&sim).await;
    sim.inject(fault(
        None,
        "",
        FaultKind::RateLimit {
            retry_after_secs: 7,
        },
        1,
    ));
    let got = get(&sim, "/user", &token).await;
    assert_eq!(got.status, 429);
    assert_eq!(got.headers["retry-after"], "7");
    assert_eq!(get(&sim, "/user", &token).await.status, 200);
}

#[tokio::test]
async fn delay_fault_and_latency_slow_responses_down() {
    let sim = sim().await;
    let token = admin(&sim).await;
    sim.inject(fault(
        None,
        "/user",
        FaultKind::Delay(Duration::from_millis(120)),
        1,
    ));
    let start = Instant::now();
    assert_eq!(get(&sim, "/user", &token).await.status, 200);
    assert!(start.elapsed() >= Duration::from_millis(120));

    sim.set_latency(Duration::from_millis(60));
    let start = Instant::now();
    assert_eq!(get(&sim, "/user", &token).await.status, 200);
    assert!(start.elapsed() >= Duration::from_millis(60));
    sim.set_latency(Duration::ZERO);
}

#[tokio::test]
async fn malformed_json_fault_truncates_the_body() {
    let sim = sim().await;
    let token = admin(&sim).await;
    sim.inject(fault(
        Some("GET"),
        "/lookml_models",
        FaultKind::MalformedJson,
        1,
    ));
    let got = get(&sim, "/lookml_models", &token).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.headers["content-type"], "application/json");
    assert!(
        serde_json::from_str::<serde_json::Value>(&got.text).is_err(),
        "{}",
        got.text
    );
    assert!(got.text.starts_with("[{"));
    let next = get(&sim, "/lookml_models", &token).await;
    assert!(next.json().is_array());
}

#[tokio::test]
async fn requests_are_recorded_with_their_shape() {
    let sim = sim().await;
    let login = "client_id=demo-client-id&client_secret=demo-client-secret";
    let token = call(&sim, "POST", "/login", None, Send::Form(login))
        .await
        .json()["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    dev_mode(&sim, &token).await;
    get(
        &sim,
        "/projects/ecommerce/git_branch/feature%2Fnew-dashboard?",
        &token,
    )
    .await;
    get(&sim, "/lookml_models/ecommerce?fields=name%2Clabel", &token).await;
    get(&sim, "/nope", &token).await;

    let recorded = sim.take_requests();
    assert!(sim.requests().is_empty(), "take_requests clears");
    assert_eq!(recorded.len(), 5);
    let login = &recorded[0];
    assert_eq!(
        (login.method.as_str(), login.path.as_str(), login.status),
        ("POST", "/login", 200)
    );
    assert_eq!(
        login.body,
        Some(json!({ "client_id": "demo-client-id", "client_secret": "***" }))
    );
    assert_eq!(
        (login.user_id.as_deref(), login.workspace.as_str()),
        (None, "production")
    );

    let patch = &recorded[1];
    assert_eq!(patch.body, Some(json!({ "workspace_id": "dev" })));
    assert_eq!(
        patch.workspace, "production",
        "workspace as the request arrived"
    );
    assert_eq!(patch.user_id.as_deref(), Some("1"));

    assert_eq!(
        recorded[2].path,
        "/projects/ecommerce/git_branch/feature%2Fnew-dashboard"
    );
    assert_eq!(recorded[2].workspace, "dev");
    assert_eq!(
        recorded[3].query,
        vec![("fields".to_string(), "name,label".to_string())]
    );
    assert_eq!(recorded[3].body, None);
    assert_eq!(recorded[4].status, 404);

    let as_json = serde_json::to_value(&recorded[3]).expect("serializes");
    assert_eq!(as_json["path"], "/lookml_models/ecommerce");
}

#[tokio::test]
async fn serves_over_a_real_socket_and_shuts_down() {
    let sim = sim().await;
    let addr = sim.base_url().trim_start_matches("http://").to_string();
    let exchange = |request: String| {
        let addr = addr.clone();
        async move {
            let mut stream = tokio::net::TcpStream::connect(&addr).await?;
            stream.write_all(request.as_bytes()).await?;
            let mut out = String::new();
            stream.read_to_string(&mut out).await?;
            std::io::Result::Ok(out)
        }
    };
    let form = "client_id=demo-client-id&client_secret=demo-client-secret";
    let login = format!(
        "POST /api/4.0/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    );
    let response = exchange(login).await.expect("exchange");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body = response.split("\r\n\r\n").nth(1).expect("body");
    let token = serde_json::from_str::<serde_json::Value>(body).expect("json")["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let me = format!(
        "GET /api/4.0/user HTTP/1.1\r\nHost: {addr}\r\nAuthorization: token {token}\r\nConnection: close\r\n\r\n"
    );
    let response = exchange(me).await.expect("exchange");
    assert!(response.contains("admin@example.com"), "{response}");

    sim.shutdown();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        tokio::net::TcpStream::connect(&addr).await.is_err(),
        "listener closed"
    );
}

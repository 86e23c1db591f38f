//! A misbehaving plugin is contained: traps, endless loops, memory hogs and stray prints become
//! tool errors, and the server keeps serving.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{
    Harness, RawStdio, call, pin_read_only, plugin_dir, sha256, text, write_lock,
};

/// The hostile component, pinned with a tight policy: 300 ms of CPU and 16 MiB per call.
fn hostile_args(name: &str) -> Vec<String> {
    let dir = plugin_dir(name, &["hostile"]);
    let policy = json!({"memory_mb": 16, "cpu_ms": 300});
    write_lock(
        &dir,
        json!({"hostile.wasm": {"sha256": sha256(&dir.join("hostile.wasm")), "policy": policy}}),
    );
    vec![
        "--groups".into(),
        "explore,hostile".into(),
        "--plugin-dir".into(),
        dir.display().to_string(),
    ]
}

#[tokio::test]
async fn trap_loop_and_memory_hog_are_contained() {
    let h = Harness::new().await;
    let args = hostile_args("contained");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let client = h.stdio_client(&args).await;

    let trapped = call(&client, "trap", json!({})).await;
    assert_eq!(trapped.is_error, Some(true));
    assert!(
        text(&trapped).contains("hostile plugin crashed"),
        "{}",
        text(&trapped)
    );

    let started = Instant::now();
    let looped = call(&client, "spin", json!({})).await;
    assert_eq!(looped.is_error, Some(true));
    assert!(text(&looped).contains("CPU budget"), "{}", text(&looped));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the loop was stopped by the deadline"
    );

    let hog = call(&client, "grow", json!({})).await;
    assert_eq!(hog.is_error, Some(true), "{}", text(&hog));

    // The server still answers, in the same and in other groups.
    let echo = call(&client, "echo", json!({"value": "still here"})).await;
    assert_ne!(echo.is_error, Some(true), "{}", text(&echo));
    assert!(text(&echo).contains("still here"));
    let models = call(&client, "list_models", json!({})).await;
    assert_ne!(models.is_error, Some(true), "{}", text(&models));
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn plugin_prints_never_reach_stdout() {
    let h = Harness::new().await;
    let args = hostile_args("prints");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut server = RawStdio::spawn(h.command(&args));
    server
        .request(1, "initialize", json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}))
        .await;
    server
        .send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await;
    // `recv` fails on any stdout line that is not JSON-RPC.
    let answer = server
        .request(2, "tools/call", json!({"name": "print", "arguments": {}}))
        .await;
    assert_eq!(answer["result"]["isError"], false, "{answer}");
    assert_eq!(
        answer["result"]["content"][0]["text"], "printed",
        "{answer}"
    );
    let answer = server
        .request(
            3,
            "tools/call",
            json!({"name": "echo", "arguments": {"value": 1}}),
        )
        .await;
    assert_eq!(answer["result"]["isError"], false, "{answer}");
}

/// Each streamed body holds a Looker connection open: a plugin that keeps sending streamed
/// requests without dropping their bodies is refused after four, with a reason, and the server
/// keeps serving.
#[tokio::test]
async fn a_plugin_cannot_hoard_open_response_bodies() {
    let dir = plugin_dir("hoard", &["hostile"]);
    pin_read_only(&dir, &["hostile"]);
    let h = Harness::new().await;
    let dir_arg = dir.display().to_string();
    let client = h
        .stdio_client(&["--groups", "explore,hostile", "--plugin-dir", &dir_arg])
        .await;
    h.sim.take_requests();

    let hoard = call(&client, "hoard", json!({})).await;
    assert_eq!(hoard.is_error, Some(true), "{}", text(&hoard));
    assert!(
        text(&hoard).contains("held 4, then")
            && text(&hoard).contains("already holds 4 response bodies"),
        "{}",
        text(&hoard)
    );
    let sent = h
        .sim
        .take_requests()
        .iter()
        .filter(|r| r.path == "/lookml_models")
        .count();
    assert_eq!(sent, 4, "the refused request never reached Looker");
    let models = call(&client, "list_models", json!({})).await;
    assert_ne!(models.is_error, Some(true), "{}", text(&models));
    client.cancel().await.unwrap();
}

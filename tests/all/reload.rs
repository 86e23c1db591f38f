//! Plugin hot reload: third-party groups are added, replaced and removed while clients stay
//! connected (`LOOKER_PLUGIN_WATCH`, SIGHUP); clients get `notifications/tools/list_changed`,
//! a call in flight finishes on the component it started on, and a reload the lock file
//! refuses leaves the served tools as they were.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use looker_sim::{Fault, FaultKind};
use rmcp::model::CallToolResult;
use rmcp::service::{NotificationContext, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::json;
use tokio::sync::Notify;

use crate::support::{
    Harness, Logs, call, pin_read_only, plugin_dir, test_component, text, tool_names, write_lock,
};

/// A client that counts the `notifications/tools/list_changed` it receives.
#[derive(Clone, Default)]
struct ListChanges {
    seen: Arc<AtomicUsize>,
    arrived: Arc<Notify>,
}

impl ClientHandler for ListChanges {
    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.seen.fetch_add(1, Ordering::SeqCst);
        self.arrived.notify_one();
    }
}

type Client = RunningService<RoleClient, ListChanges>;

/// A server with `args`, its stderr collected, and a [`ListChanges`] client; also its pid.
async fn connect(h: &Harness, args: &[&str]) -> (Client, ListChanges, Logs, u32) {
    let (transport, stderr) = TokioChildProcess::builder(h.command(args))
        .stderr(Stdio::piped())
        .spawn()
        .expect("server spawns");
    let pid = transport.id().expect("the server runs");
    let logs = Logs::collect(stderr.expect("stderr is piped"));
    let changes = ListChanges::default();
    let client = changes
        .clone()
        .serve(transport)
        .await
        .expect("MCP initialize over stdio");
    (client, changes, logs, pid)
}

/// Waits (at most a minute) for list_changed notifications until the listed tools satisfy
/// `done`; returns them.
async fn until_listed(
    client: &Client,
    changes: &ListChanges,
    logs: &Logs,
    done: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let names = tool_names(client).await;
        if done(&names) {
            return names;
        }
        let waited = tokio::time::timeout_at(deadline, changes.arrived.notified()).await;
        assert!(
            waited.is_ok(),
            "no tools/list_changed brought the expected tools; listed {names:?}\n{}",
            logs.text()
        );
    }
}

fn succeeded(result: &CallToolResult) -> bool {
    result.is_error != Some(true)
}

#[tokio::test]
async fn watched_plugins_are_replaced_while_a_client_stays_connected() {
    let mut h = Harness::new().await;
    h.set("LOOKER_PLUGIN_WATCH", "true");
    let dir = plugin_dir("reload-watch", &["hostile"]);
    pin_read_only(&dir, &["hostile"]);
    let dir_arg = dir.display().to_string();
    let (client, changes, logs, _) = connect(&h, &["--plugin-dir", &dir_arg]).await;
    let before = tool_names(&client).await;
    assert!(before.iter().any(|n| n == "allowed"), "{before:?}");
    assert!(!before.iter().any(|n| n == "model_overview"));
    assert_eq!(changes.seen.load(Ordering::SeqCst), 0);

    // A call to the old group is in flight (Looker answers it slowly) while the group is
    // replaced: it must finish on the old component, after the clients were told.
    h.sim.inject(Fault {
        method: Some("GET".into()),
        path_prefix: "/lookml_models".into(),
        kind: FaultKind::Delay(Duration::from_secs(12)),
        times: 1,
    });
    let peer = client.peer().clone();
    let in_flight = tokio::spawn(async move { call(&peer, "allowed", json!({})).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    pin_read_only(&dir, &["hostile", "hello_looker"]);
    std::fs::copy(
        test_component("hello_looker"),
        dir.join("hello_looker.wasm"),
    )
    .unwrap();
    std::fs::remove_file(dir.join("hostile.wasm")).unwrap();

    let after = until_listed(&client, &changes, &logs, |names| {
        names.iter().any(|n| n == "model_overview") && !names.iter().any(|n| n == "allowed")
    })
    .await;
    assert!(changes.seen.load(Ordering::SeqCst) >= 1);
    assert!(
        !in_flight.is_finished(),
        "the reload was announced while the old group's call was still running"
    );
    assert!(
        after.iter().any(|n| n == "whoami"),
        "built-in groups stay: {after:?}"
    );

    let finished = in_flight.await.unwrap();
    assert!(
        succeeded(&finished),
        "the call in flight finished on the old component: {}",
        text(&finished)
    );

    let overview = call(&client, "model_overview", json!({})).await;
    assert!(succeeded(&overview), "{}", text(&overview));
    let gone = client
        .call_tool(rmcp::model::CallToolRequestParams::new("allowed"))
        .await;
    assert!(gone.is_err(), "a removed tool is unknown: {gone:?}");
    let logs = logs.text_once("reloaded plugins").await;
    assert!(
        logs.contains("reloaded plugins") && logs.contains("model_overview"),
        "{logs}"
    );
    client.cancel().await.unwrap();
}

#[cfg(unix)]
#[tokio::test]
async fn sighup_reloads_and_a_refused_component_is_dropped_not_kept() {
    let h = Harness::new().await;
    let dir = plugin_dir("reload-hup", &["hostile"]);
    pin_read_only(&dir, &["hostile"]);
    let dir_arg = dir.display().to_string();
    let (client, changes, logs, pid) = connect(&h, &["--plugin-dir", &dir_arg]).await;
    assert!(tool_names(&client).await.iter().any(|n| n == "allowed"));

    // Not watched: changing the file alone changes nothing.
    let mut bytes = std::fs::read(dir.join("hostile.wasm")).unwrap();
    bytes.extend_from_slice(b"\0changed");
    std::fs::write(dir.join("hostile.wasm"), &bytes).unwrap();
    // The SIGHUP re-checks the pin: the changed bytes no longer match and the group goes.
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    let after = until_listed(&client, &changes, &logs, |names| {
        !names.iter().any(|n| n == "allowed")
    })
    .await;
    assert!(after.iter().any(|n| n == "whoami"), "{after:?}");
    // The reload logs its trigger after the clients were told the list changed.
    let logs = logs.text_once("SIGHUP").await;
    assert!(
        logs.contains("changed since it was pinned") && logs.contains("SIGHUP"),
        "{logs}"
    );
    client.cancel().await.unwrap();
}

#[cfg(unix)]
#[tokio::test]
async fn a_strict_reload_that_would_refuse_a_component_keeps_the_served_tools() {
    let h = Harness::new().await;
    let dir = plugin_dir("reload-strict", &["hostile"]);
    pin_read_only(&dir, &["hostile"]);
    let dir_arg = dir.display().to_string();
    let (client, changes, logs, pid) =
        connect(&h, &["--plugin-dir", &dir_arg, "--strict-plugins"]).await;
    write_lock(&dir, json!({}));
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !logs.text().contains("plugin reload refused") {
        assert!(tokio::time::Instant::now() < deadline, "{}", logs.text());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(changes.seen.load(Ordering::SeqCst), 0);
    let allowed = call(&client, "allowed", json!({})).await;
    assert!(succeeded(&allowed), "{}", text(&allowed));
    assert!(logs.text().contains("not pinned"), "{}", logs.text());
    client.cancel().await.unwrap();
}

//! Command line: group selection errors are loud, and `--help` names the Python server's flags.

use crate::support::Harness;

#[tokio::test]
async fn unknown_group_is_an_error_naming_the_valid_ones() {
    let h = Harness::new().await;
    let out = h
        .command(&["--groups", "explore,bogus"])
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("\"bogus\""), "{stderr}");
    for valid in ["explore", "identity", "query", "workflows"] {
        assert!(stderr.contains(valid), "{valid} missing from: {stderr}");
    }
    assert!(
        out.stdout.is_empty(),
        "stdout must stay clean: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test]
async fn help_lists_the_flags() {
    let h = Harness::new().await;
    let out = h.command(&["--help"]).output().await.unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--groups",
        "--transport",
        "--host",
        "--port",
        "--demo",
        "--plugin",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}

#[tokio::test]
async fn missing_base_url_fails_with_a_hint() {
    let mut h = Harness::new().await;
    h.set("LOOKER_BASE_URL", "");
    let out = h.command(&[]).output().await.unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("LOOKER_BASE_URL"));
}

/// The server's stderr, asserting it failed with exit code 1 and a clean stdout.
async fn failure(h: &Harness, args: &[&str]) -> String {
    let out = h.command(args).output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "stdout must stay clean: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        !stderr.contains("backtrace") && !stderr.contains("panicked"),
        "{stderr}"
    );
    stderr
}

/// The `error: …` line, which must be the last one.
fn error_line(stderr: &str) -> &str {
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("error: "), "{stderr}");
    last
}

#[tokio::test]
async fn a_malformed_base_url_is_refused_at_start_in_one_line() {
    let mut h = Harness::new().await;
    h.set("RUST_BACKTRACE", "1");
    for (url, why) in [
        ("looker.example.com", "relative URL without a base"),
        ("https://looker.example.com/api/4.0", "must not have a path"),
        ("https://looker.example.com?a=b", "query"),
    ] {
        h.set("LOOKER_BASE_URL", url);
        let stderr = failure(&h, &[]).await;
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        let line = error_line(&stderr);
        assert!(
            line.starts_with(&format!("error: invalid LOOKER_BASE_URL={url:?}: "))
                && line.contains(why),
            "{line}"
        );
    }
}

#[tokio::test]
async fn errors_after_start_are_one_line_without_a_backtrace() {
    let mut h = Harness::new().await;
    h.set("RUST_BACKTRACE", "1");
    let stderr = failure(&h, &["--groups", "explore,bogus"]).await;
    let line = error_line(&stderr);
    assert!(
        line.starts_with("error: unknown tool group \"bogus\""),
        "{line}"
    );
}

#[tokio::test]
async fn empty_groups_is_an_error_listing_the_valid_ones() {
    let h = Harness::new().await;
    for empty in ["", " , "] {
        let stderr = failure(&h, &["--groups", empty]).await;
        let line = error_line(&stderr);
        assert!(
            line.contains("--groups names no tool group") && line.contains("valid groups:"),
            "{line}"
        );
        for valid in ["explore", "identity", "workflows"] {
            assert!(line.contains(valid), "{valid} missing from: {line}");
        }
    }
}

#[tokio::test]
async fn a_busy_port_is_named_before_any_group_loads() {
    let h = Harness::new().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let stderr = failure(
        &h,
        &[
            "--transport",
            "streamable-http",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--groups",
            "all",
        ],
    )
    .await;
    let line = error_line(&stderr);
    assert!(
        line.starts_with(&format!("error: could not listen on 127.0.0.1:{port}: "))
            && line.contains("in use"),
        "{line}"
    );
    assert!(
        !stderr.contains("tool groups loaded"),
        "failed before loading groups: {stderr}"
    );
}

#[tokio::test]
async fn stdin_closed_before_the_handshake_is_a_clean_exit() {
    let h = Harness::new().await;
    // `output()` gives the child an empty, closed stdin.
    let out = h.command(&["--groups", "identity"]).output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(!stderr.contains("error:"), "{stderr}");
}

#[tokio::test]
async fn a_client_that_connects_while_groups_load_is_served_not_reset() {
    let mut h = Harness::new().await;
    // A fresh compile cache: loading takes long enough for the client to connect meanwhile.
    let cache = format!(
        "{}/cold-cache-{}",
        env!("CARGO_TARGET_TMPDIR"),
        std::process::id()
    );
    let _ = std::fs::remove_dir_all(&cache);
    h.set("LOOKER_CACHE_DIR", &cache);
    let port = crate::support::free_port().to_string();
    let args = [
        "--transport",
        "streamable-http",
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--groups",
        "identity",
    ];
    let _server = h
        .command(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let address = format!("127.0.0.1:{port}");
    while tokio::net::TcpStream::connect(&address).await.is_err() {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // The port accepts as soon as it is bound; the first request is answered once serving.
    let (status, _, body) = crate::auth::initialize(&format!("http://{address}"), None, "").await;
    assert_eq!(status, 200, "{body}");
}

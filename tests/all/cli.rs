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

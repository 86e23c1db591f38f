//! Instant first start: the embedded groups' code was compiled at build time, so a fresh
//! install (an empty compile cache) lists every tool without compiling anything.

use crate::support::Harness;

/// Files in `dir` whose name ends with `suffix`.
fn files_ending(dir: &std::path::Path, suffix: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(suffix))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_fresh_install_lists_every_group_without_compiling_a_component() {
    let mut h = Harness::new().await;
    let cache = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("first-start-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    h.set("LOOKER_CACHE_DIR", cache.to_str().unwrap());

    let (client, logs) = h.stdio_client_with_logs(&["--groups", "all"]).await;
    let tools = client.list_all_tools().await.unwrap();
    let groups = looker_mcp::runtime::embedded::EMBEDDED.len();
    assert!(groups > 10, "the build embeds every group ({groups})");
    assert!(
        tools.len() > 100,
        "all groups listed: {} tools",
        tools.len()
    );
    client.cancel().await.unwrap();

    // What the components said about themselves is cached; their code never needed compiling,
    // so no compiled component was written, and nothing was refused.
    assert_eq!(files_ending(&cache, ".describe.json").len(), groups);
    assert_eq!(
        files_ending(&cache, ".cwasm"),
        Vec::<String>::new(),
        "an embedded group was compiled at start"
    );
    let logs = logs.text();
    assert!(
        !logs.contains("does not accept the plugin code compiled at build time"),
        "{logs}"
    );
    let _ = std::fs::remove_dir_all(&cache);
}

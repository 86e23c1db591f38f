//! First start. Built with feature `precompiled` (what ships), the embedded groups' code was
//! compiled at build time, so a fresh install (an empty compile cache) lists every tool without
//! compiling anything. The default build compiles each group once, into the cache, and a second
//! start compiles nothing.

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

/// A harness whose server uses a fresh, empty compile cache (returned).
fn fresh_cache(h: &mut Harness, name: &str) -> std::path::PathBuf {
    let cache = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    h.set("LOOKER_CACHE_DIR", cache.to_str().unwrap());
    cache
}

/// Starts the server with every group, lists its tools and stops it; returns its log.
async fn list_every_group(h: &Harness) -> String {
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
    logs.text()
}

#[cfg(not(feature = "precompiled"))]
#[tokio::test]
async fn a_fresh_install_compiles_each_group_once_into_the_cache() {
    let mut h = Harness::new().await;
    let cache = fresh_cache(&mut h, "compile-once-cache");
    let groups = looker_mcp::runtime::embedded::EMBEDDED.len();
    list_every_group(&h).await;
    let compiled = files_ending(&cache, ".cwasm");
    assert_eq!(
        compiled.len(),
        groups,
        "one compiled file per group: {compiled:?}"
    );
    let modified = |name: &String| {
        std::fs::metadata(cache.join(name))
            .unwrap()
            .modified()
            .unwrap()
    };
    let before: Vec<_> = compiled.iter().map(modified).collect();

    list_every_group(&h).await;
    let after: Vec<_> = compiled.iter().map(modified).collect();
    assert_eq!(before, after, "a second start compiled a group again");
    assert_eq!(files_ending(&cache, ".cwasm").len(), groups);
    let _ = std::fs::remove_dir_all(&cache);
}

#[cfg(feature = "precompiled")]
#[tokio::test]
async fn a_fresh_install_lists_every_group_without_compiling_a_component() {
    let mut h = Harness::new().await;
    let cache = fresh_cache(&mut h, "first-start-cache");
    let groups = looker_mcp::runtime::embedded::EMBEDDED.len();
    let logs = list_every_group(&h).await;

    // What the components said about themselves is cached; their code never needed compiling,
    // so no compiled component was written, and nothing was refused.
    assert_eq!(files_ending(&cache, ".describe.json").len(), groups);
    assert_eq!(
        files_ending(&cache, ".cwasm"),
        Vec::<String>::new(),
        "an embedded group was compiled at start"
    );
    assert!(
        !logs.contains("does not accept the plugin code compiled at build time"),
        "{logs}"
    );
    let _ = std::fs::remove_dir_all(&cache);
}

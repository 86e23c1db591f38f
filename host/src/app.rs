//! Wires the pieces: settings → Looker client → runtime and registry → MCP handler.

use std::path::PathBuf;
use std::sync::Arc;

use crate::capability::session::BranchLocks;
use crate::config::Config;
use crate::identity::IdentityProvider;
use crate::looker::LookerClient;
use crate::plugins::lock::{LockFile, Trusted, components_in};
use crate::plugins::policy::Policy;
use crate::plugins::{Registry, Runtime, embedded};
use crate::server::{LookerMcp, base_env};

/// Builds the MCP handler with the selected groups loaded and the default identity provider.
pub async fn build(config: &Config, groups: Option<&str>) -> anyhow::Result<LookerMcp> {
    build_with_identity(config, groups, crate::identity::default_provider(config)).await
}

/// Like [`build`], with an embedder's own [`IdentityProvider`] deciding who each call runs as.
pub async fn build_with_identity(
    config: &Config,
    groups: Option<&str>,
    identity: Arc<dyn IdentityProvider>,
) -> anyhow::Result<LookerMcp> {
    let extra = admit_third_party(config)?;
    let looker = Arc::new(LookerClient::new(config)?);
    let runtime = Runtime::new()?;
    let cache_dir = config.cache_dir.clone().or_else(crate::plugins::cache_dir);
    let env = base_env(config, looker.clone(), Arc::new(BranchLocks::default()));
    let registry = Registry::load(
        runtime,
        groups,
        extra,
        config.strict_plugins,
        cache_dir.as_deref(),
        &env,
    )
    .await?;
    tracing::info!(
        groups = ?registry.groups.iter().map(|g| &*g.name).collect::<Vec<_>>(),
        tools = registry.tools().len(),
        "tool groups loaded"
    );
    if config.sudo_associative {
        tracing::warn!(
            "LOOKER_SUDO_ASSOCIATIVE=true has no effect: Looker API 4.0's login_user takes no associative parameter"
        );
    }
    Ok(LookerMcp::new(config, registry, looker, identity))
}

/// The third-party components (`--plugin`, `LOOKER_PLUGIN_DIR`) the lock file admits. A refused
/// one is logged and left out, unless plugins are strict.
fn admit_third_party(config: &Config) -> anyhow::Result<Vec<Trusted>> {
    let mut paths: Vec<PathBuf> = config.plugins.clone();
    if let Some(dir) = &config.plugin_dir {
        paths.extend(components_in(dir)?);
    }
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let lock_path = config.plugin_lock_path();
    let lock = LockFile::load(&lock_path)?;
    let mut admitted = Vec::new();
    for path in paths {
        match lock.admit(&path, config.allow_unpinned_plugins) {
            Ok(trusted) => admitted.push(trusted),
            Err(problem) if config.strict_plugins => anyhow::bail!("{}: {problem}", path.display()),
            Err(problem) => {
                tracing::error!(plugin = %path.display(), %problem, "refused a plugin; the server starts without it")
            }
        }
    }
    Ok(admitted)
}

/// `plugin add PATH`: pins a component in the lock file and prints its entry.
pub fn pin_plugin(config: &Config, path: &std::path::Path, deny_all: bool) -> anyhow::Result<()> {
    let lock_path = config.plugin_lock_path();
    let mut lock = LockFile::load(&lock_path)?;
    let policy = if deny_all {
        serde_json::from_str("{}")?
    } else {
        Policy::read_only()
    };
    let (name, entry) = lock.pin(path, policy)?;
    lock.save(&lock_path)?;
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({ name: entry }))?
    );
    eprintln!(
        "pinned in {}; edit its policy there to grant more",
        lock_path.display()
    );
    Ok(())
}

/// Compiles every embedded component into the cache (`looker-mcp-server precompile`).
pub async fn precompile(config: &Config) -> anyhow::Result<()> {
    let all: Vec<&str> = embedded::EMBEDDED
        .iter()
        .map(|(name, _, _)| *name)
        .collect();
    let started = std::time::Instant::now();
    build(config, Some(&all.join(","))).await?;
    eprintln!(
        "precompiled {} components in {:.0} ms",
        all.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

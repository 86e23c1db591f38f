//! Wires the pieces: settings → Looker client → runtime and registry → MCP handler.

use std::path::PathBuf;
use std::sync::Arc;

use crate::capability::session::BranchLocks;
use crate::config::Config;
use crate::identity::IdentityProvider;
use crate::looker::LookerClient;
use crate::plugins::{Registry, Runtime, embedded};
use crate::server::{LookerMcp, base_env};

/// Builds the MCP handler with the selected groups loaded and the default identity provider.
pub async fn build(
    config: &Config,
    groups: Option<&str>,
    plugins: &[PathBuf],
) -> anyhow::Result<LookerMcp> {
    build_with_identity(
        config,
        groups,
        plugins,
        crate::identity::default_provider(config),
    )
    .await
}

/// Like [`build`], with an embedder's own [`IdentityProvider`] deciding who each call runs as.
pub async fn build_with_identity(
    config: &Config,
    groups: Option<&str>,
    plugins: &[PathBuf],
    identity: Arc<dyn IdentityProvider>,
) -> anyhow::Result<LookerMcp> {
    let looker = Arc::new(LookerClient::new(config)?);
    let runtime = Runtime::new()?;
    let cache_dir = config.cache_dir.clone().or_else(crate::plugins::cache_dir);
    let env = base_env(config, looker.clone(), Arc::new(BranchLocks::default()));
    let registry = Registry::load(runtime, groups, plugins, cache_dir.as_deref(), &env).await?;
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

/// Compiles every embedded component into the cache (`looker-mcp-server precompile`).
pub async fn precompile(config: &Config) -> anyhow::Result<()> {
    let all: Vec<&str> = embedded::EMBEDDED.iter().map(|(name, _)| *name).collect();
    let started = std::time::Instant::now();
    build(config, Some(&all.join(",")), &[]).await?;
    eprintln!(
        "precompiled {} components in {:.0} ms",
        all.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

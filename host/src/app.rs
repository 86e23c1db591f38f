//! Wires the pieces: settings → Looker client → runtime and registry → MCP handler.

use std::sync::Arc;

use crate::capability::policy::Policy;
use crate::capability::{CallLimits, Services};
use crate::config::Config;
use crate::governance::{AuditLog, Governance, ModelAllowList, ToolLists};
use crate::identity::Identities;
use crate::looker::LookerClient;
use crate::runtime::admission;
use crate::runtime::lock::{LockFile, Trusted};
use crate::runtime::{Registry, Runtime, embedded};
use crate::server::{LookerMcp, ToolListChange};

/// Builds the MCP handler with the selected groups loaded; `identities` are the server's
/// identity rules ([`Identities::new`]), which decide who each call runs as.
pub async fn build(
    config: &Config,
    groups: Option<&str>,
    identities: Identities,
) -> anyhow::Result<LookerMcp> {
    let extra = admit_third_party(config).await?;
    let looker = Arc::new(LookerClient::new(config)?);
    let runtime = Runtime::new(crate::runtime::SlotPolicy {
        per_principal: config.limits.slots_per_principal,
        max_wait: config.limits.slot_wait,
    })?;
    let settings = plugin_settings(config, identities.act_as_offered());
    let services = Arc::new(Services {
        looker,
        identities: Arc::new(identities),
        coordination: Arc::new(crate::coordination::Coordination::from_config(config)?),
        settings: Arc::new(settings),
        governance: governance(config)?,
    });
    let registry = load_registry(config, runtime, services, groups, extra).await?;
    let tool_lists = tool_lists(config, &registry)?;
    if config.sudo_associative {
        tracing::warn!(
            "LOOKER_SUDO_ASSOCIATIVE=true has no effect: Looker API 4.0's login_user takes no associative parameter"
        );
    }
    let fit = crate::fit::Fit::new(config.max_result_chars).with_tool_mode(config.tool_mode);
    Ok(LookerMcp::new(registry, tool_lists, fit))
}

/// Reloads the third-party components (SIGHUP, or a change `LOOKER_PLUGIN_WATCH` saw): admits
/// them again (lock file, pins, policies), loads a new registry beside the served one and
/// serves it; calls in flight finish on the old components. When anything is refused under
/// `--strict-plugins`, or the new set cannot load, the served set stays and the error says why.
pub async fn reload(
    config: &Config,
    groups: Option<&str>,
    server: &LookerMcp,
) -> anyhow::Result<ToolListChange> {
    let extra = admit_third_party(config).await?;
    let (runtime, services) =
        server.with_registry(|served| (served.runtime().clone(), served.services().clone()));
    let registry = load_registry(config, runtime, services, groups, extra).await?;
    let tool_lists = tool_lists(config, &registry)?;
    Ok(server.replace(registry, tool_lists).await)
}

/// Loads the selected groups (embedded and the admitted third-party ones) and logs what loaded.
async fn load_registry(
    config: &Config,
    runtime: Runtime,
    services: Arc<Services>,
    groups: Option<&str>,
    extra: Vec<Trusted>,
) -> anyhow::Result<Registry> {
    let cache_dir = config.cache_root();
    let builtin_limits = builtin_limits(config);
    let registry = Registry::load(
        runtime,
        services,
        groups,
        extra,
        config.strict_plugins,
        cache_dir.as_deref(),
        &builtin_limits,
    )
    .await?;
    tracing::info!(
        groups = ?registry.groups.iter().map(|g| &*g.name).collect::<Vec<_>>(),
        tools = registry.tools().len(),
        "tool groups loaded"
    );
    Ok(registry)
}

/// `LOOKER_TOOLS` / `LOOKER_EXCLUDE_TOOLS`, checked against the loaded tools.
fn tool_lists(config: &Config, registry: &Registry) -> anyhow::Result<ToolLists> {
    let loaded: Vec<&str> = registry.tools().iter().map(|t| t.name.as_str()).collect();
    ToolLists::new(&config.tools, &config.exclude_tools, &loaded).map_err(anyhow::Error::msg)
}

/// The limits every built-in group's calls run under (from the settings).
pub(crate) fn builtin_limits(config: &Config) -> CallLimits {
    CallLimits {
        memory_bytes: config.plugin_memory_bytes,
        cpu: config.plugin_cpu,
        wall: config.call_timeout,
        max_response_bytes: config.max_response_bytes,
        max_result_bytes: 64 * 1024 * 1024,
    }
}

/// The request-level governance rules from the settings.
fn governance(config: &Config) -> anyhow::Result<Governance> {
    let audit = match &config.audit_file {
        Some(path) => AuditLog::open(path).map_err(anyhow::Error::msg)?,
        None => AuditLog::stderr_only(),
    };
    if config.read_only {
        tracing::info!(
            "read-only posture: tools that change Looker are not served and no changing request is sent"
        );
    }
    Ok(Governance {
        read_only: config.read_only,
        models: ModelAllowList::new(&config.allowed_models),
        audit,
    })
}

/// The `call-context` settings every plugin sees. `sudo_enabled` says whether `act_as_user`
/// is offered on this server at all.
fn plugin_settings(config: &Config, act_as_offered: bool) -> Vec<(String, String)> {
    vec![
        ("max_rows".to_string(), config.max_rows.to_string()),
        (
            "query_dev_params".to_string(),
            config.query_dev_params.to_string(),
        ),
        ("sudo_enabled".to_string(), act_as_offered.to_string()),
        (
            "max_result_chars".to_string(),
            config.max_result_chars.to_string(),
        ),
        // Code mode (`api` group): the write setting, the operator's deny list and the
        // per-script request limit. `api_writes_confirm` offers the `confirm` argument.
        (
            "api_writes".to_string(),
            config.api_writes.as_str().to_string(),
        ),
        (
            "api_writes_confirm".to_string(),
            (config.api_writes == crate::config::ApiWrites::Confirm).to_string(),
        ),
        ("api_deny".to_string(), config.api_deny.join(",")),
        (
            "api_script_max_requests".to_string(),
            config.api_script_max_requests.to_string(),
        ),
    ]
}

/// The third-party components (`--plugin`, `LOOKER_PLUGIN_DIR`) the lock file admits: pinned
/// (or allowed unpinned) and signed as its publishers' rules ask. A refused one is logged with
/// the reason and left out, unless plugins are strict.
async fn admit_third_party(config: &Config) -> anyhow::Result<Vec<Trusted>> {
    let sources = admission::sources(&config.plugins, config.plugin_dir.as_deref())?;
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    let lock = LockFile::load(&config.plugin_lock_path())?;
    let cache_dir = config.cache_root();
    let mut admitted = Vec::new();
    for source in &sources {
        let allow = config.allow_unpinned_plugins;
        match admission::admit(&lock, source, allow, cache_dir.as_deref()).await {
            Ok(trusted) => admitted.push(trusted),
            Err(problem) if config.strict_plugins => {
                anyhow::bail!("{}: {problem}", source.describe())
            }
            Err(problem) => {
                tracing::error!(plugin = %source.describe(), %problem, "refused a plugin; the server starts without it")
            }
        }
    }
    Ok(admitted)
}

/// `plugin add PATH`: pins a component in the lock file and prints its entry; the entry names
/// its `signer` when `PATH.minisig` verifies under a publisher's key.
pub async fn pin_plugin(
    config: &Config,
    path: &std::path::Path,
    deny_all: bool,
) -> anyhow::Result<()> {
    let lock_path = config.plugin_lock_path();
    let mut lock = LockFile::load(&lock_path)?;
    let policy = if deny_all {
        Policy::nothing()
    } else {
        Policy::read_only()
    };
    let source = admission::Source::parse(path).map_err(anyhow::Error::msg)?;
    let (name, entry) =
        admission::pin(&mut lock, &source, policy, config.cache_root().as_deref()).await?;
    lock.save(&lock_path)?;
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({ name: entry }))?
    );
    let signer = entry.signer.as_deref().map_or_else(
        || "unsigned (no signature by a publisher in the lock file)".to_owned(),
        |s| format!("signed by {s}"),
    );
    if entry.signer.is_none() && lock.require_signatures {
        eprintln!(
            "warning: {} is unsigned but {} requires signatures: it will be refused until it is \
             signed by a trusted publisher",
            path.display(),
            lock_path.display()
        );
    }
    eprintln!(
        "pinned in {} ({signer}); edit its policy there to grant more",
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
    let identities = Identities::new(config, &crate::auth::Posture::Open, None);
    build(config, Some(&all.join(",")), identities).await?;
    eprintln!(
        "precompiled {} components in {:.0} ms",
        all.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

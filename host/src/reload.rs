//! Plugin hot reload: on SIGHUP, and with `LOOKER_PLUGIN_WATCH=true` whenever a third-party
//! component, its signature or the lock file changes, the server admits and loads its
//! third-party groups again ([`app::reload`]) without a restart.
//!
//! Watching polls the files' names, sizes and modification times once a second rather than
//! using inotify: a Kubernetes ConfigMap or a mounted volume updates by swapping symlinks,
//! which polling sees on every platform, and the cost is one directory listing per second.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::app;
use crate::config::Config;
use crate::runtime::admission::{self, Source};
use crate::runtime::signature::SIGNATURE_SUFFIX;
use crate::server::LookerMcp;

/// How often a watched plugin set is checked for changes.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// Starts reloading `server`'s third-party groups on SIGHUP (Unix) and, when
/// `config.plugin_watch`, on file changes. `groups` is the `--groups` selection.
pub fn spawn(config: Config, groups: Option<String>, server: LookerMcp) {
    // Listening starts now, so a SIGHUP from here on reloads instead of ending the process.
    let mut hangups = hangups();
    tokio::spawn(async move {
        let mut seen = fingerprint(&config);
        let mut tick = tokio::time::interval(WATCH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let why = tokio::select! {
                Some(()) = next_hangup(&mut hangups) => "SIGHUP",
                _ = tick.tick(), if config.plugin_watch => {
                    let now = fingerprint(&config);
                    if now == seen {
                        continue;
                    }
                    seen = now;
                    "a plugin file changed"
                }
            };
            match app::reload(&config, groups.as_deref(), &server).await {
                Ok(change) if change.is_empty() => {
                    tracing::info!(
                        trigger = why,
                        "reloaded plugins; the tool list is unchanged"
                    )
                }
                Ok(change) => tracing::info!(
                    trigger = why,
                    added = ?change.added,
                    removed = ?change.removed,
                    "reloaded plugins; clients were sent tools/list_changed"
                ),
                Err(error) => tracing::error!(
                    trigger = why,
                    error = format!("{error:#}"),
                    "plugin reload refused; the server keeps serving the tools it had"
                ),
            }
        }
    });
}

/// What a change to the plugin set would change: every watched file's path, size and time.
type Fingerprint = Vec<(PathBuf, u64, Option<SystemTime>)>;

fn fingerprint(config: &Config) -> Fingerprint {
    // The same sources a start admits; a registry component is re-pulled only on SIGHUP.
    let sources = admission::sources(&config.plugins, config.plugin_dir.as_deref());
    let mut files: Vec<PathBuf> = Vec::new();
    for source in sources.unwrap_or_default() {
        if let Source::File(component) = source {
            let mut signature = component.clone().into_os_string();
            signature.push(SIGNATURE_SUFFIX);
            files.push(component);
            files.push(signature.into());
        }
    }
    files.push(config.plugin_lock_path());
    files
        .into_iter()
        .map(|path| {
            let meta = std::fs::metadata(&path).ok();
            let size = meta.as_ref().map_or(0, |m| m.len());
            let modified = meta.and_then(|m| m.modified().ok());
            (path, size, modified)
        })
        .collect()
}

#[cfg(unix)]
type Hangups = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type Hangups = ();

#[cfg(unix)]
fn hangups() -> Hangups {
    use tokio::signal::unix::{SignalKind, signal};
    signal(SignalKind::hangup())
        .inspect_err(
            |error| tracing::warn!(%error, "cannot listen for SIGHUP; reload by SIGHUP is off"),
        )
        .ok()
}

#[cfg(not(unix))]
fn hangups() -> Hangups {}

/// The next SIGHUP; never, where there are none.
#[cfg(unix)]
async fn next_hangup(hangups: &mut Hangups) -> Option<()> {
    match hangups {
        Some(signal) => signal.recv().await,
        None => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn next_hangup(_: &mut Hangups) -> Option<()> {
    std::future::pending().await
}

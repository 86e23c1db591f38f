use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use looker_mcp::auth::Auth;
use looker_mcp::cli::{AuditCommand, Cli, Command, PluginCommand};
use looker_mcp::config::{Config, Transport};
use looker_mcp::identity::Identities;
use looker_mcp::{app, logging, plugin_cmd, scaffold, transport};

/// Runs the server; a user error (bad setting, busy port, unknown group, …) is printed as one
/// line, `error: …`, without a backtrace whatever `RUST_BACKTRACE` says, and exits 1.
#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` is the error and its causes, `: `-separated; never the backtrace.
            let message = format!("{error:#}").replace('\n', " ");
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut config = Config::load(&cli)?;
    logging::init(&config.log_level);
    looker_mcp::telemetry::init(config.metrics)?;

    let _simulator = if cli.demo {
        Some(demo::start(&mut config).await?)
    } else {
        None
    };
    if config.base_url.is_empty() && cli.command.is_none() {
        anyhow::bail!(
            "LOOKER_BASE_URL is not set (or run with --demo to try the built-in Looker simulator)"
        );
    }

    match &cli.command {
        Some(Command::Audit(AuditCommand::Verify { file })) => {
            return match looker_mcp::governance::audit::verify(file) {
                Ok((entries, last)) => {
                    println!(
                        "{}: intact, {entries} entries, last hash {last}",
                        file.display()
                    );
                    Ok(())
                }
                Err(why) => {
                    eprintln!("{}: {why}", file.display());
                    std::process::exit(1);
                }
            };
        }
        Some(Command::Precompile) => return app::precompile(&config).await,
        Some(Command::Plugin(command)) => return plugin(&config, command).await,
        None => {}
    }
    // An unsafe deployment posture stops the server before anything loads.
    let posture = looker_mcp::auth::Posture::from_config(&config)?;
    let bind: Option<SocketAddr> = match config.transport {
        Transport::Stdio => None,
        Transport::StreamableHttp => {
            let address = format!("{}:{}", bracket(&config.host), config.port);
            Some(address.parse().map_err(|_| {
                anyhow::anyhow!(
                    "cannot listen on {address:?}: LOOKER_HOST/--host must be an IP address \
                     (e.g. 127.0.0.1 or 0.0.0.0)"
                )
            })?)
        }
    };
    // The port is bound before any group loads: a busy one is named at once, and a client that
    // connects while groups load waits in the backlog instead of being reset.
    let listener = bind
        .map(|bind| {
            std::net::TcpListener::bind(bind)
                .map_err(|e| anyhow::anyhow!("could not listen on {bind}: {e}"))
        })
        .transpose()?;
    let identities = Identities::new(&config, &posture, bind);
    let handler = app::build(&config, cli.groups.as_deref(), identities).await?;
    looker_mcp::reload::spawn(config.clone(), cli.groups.clone(), handler.clone());
    let served = match listener {
        None => transport::stdio::serve(handler, config.limits.shutdown_grace).await,
        Some(listener) => {
            let identities = handler.services().identities.clone();
            let auth = Auth::new(posture, &config, handler.looker(), identities);
            transport::http::serve(handler, auth, listener, &config).await
        }
    };
    looker_mcp::telemetry::flush().await;
    served
}

/// `plugin …`: the maintenance commands for third-party components.
async fn plugin(config: &Config, command: &PluginCommand) -> anyhow::Result<()> {
    match command {
        PluginCommand::Add { path, deny_all } => app::pin_plugin(config, path, *deny_all).await,
        PluginCommand::List => plugin_cmd::list(config).await,
        PluginCommand::Keygen { out } => plugin_cmd::keygen(out),
        PluginCommand::Sign { file, key, comment } => {
            plugin_cmd::sign(file, key, comment.as_deref())
        }
        PluginCommand::Verify { file, key } => {
            match plugin_cmd::verify(config, file, key.as_deref()) {
                Ok(line) => {
                    println!("{line}");
                    Ok(())
                }
                Err(why) => {
                    eprintln!("{why}");
                    std::process::exit(1);
                }
            }
        }
        PluginCommand::Trust { name, public_key } => plugin_cmd::trust(config, name, public_key),
        PluginCommand::New { name, dir, sdk } => {
            scaffold::create(name, dir.as_deref(), sdk.as_deref())
        }
    }
}

/// `::1` → `[::1]` so it parses as a socket address.
fn bracket(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// `--demo`: an in-process Looker simulator stands in for a real instance.
#[cfg(feature = "demo")]
mod demo {
    use looker_mcp::config::{Config, Secret};
    use looker_sim::{SimConfig, Simulator};

    /// Starts the simulator and points `config` at it; it serves until dropped.
    pub async fn start(config: &mut Config) -> anyhow::Result<Simulator> {
        let sim = Simulator::start(SimConfig::default()).await?;
        let defaults = SimConfig::default();
        config.base_url = sim.base_url();
        config.client_id = defaults.client_id;
        config.client_secret = Secret::new(defaults.client_secret);
        tracing::info!(base_url = %config.base_url, "demo mode: serving against the built-in Looker simulator");
        Ok(sim)
    }
}

/// Built without the `demo` feature: no simulator to start.
#[cfg(not(feature = "demo"))]
mod demo {
    use looker_mcp::config::Config;

    /// Refuses `--demo`, naming the feature it needs.
    pub async fn start(_config: &mut Config) -> anyhow::Result<()> {
        anyhow::bail!(
            "--demo needs the built-in Looker simulator, which this build leaves out; \
             rebuild with the `demo` feature (on by default): cargo build -p looker-mcp --features demo"
        )
    }
}

//! How to start a server under test: one command line and environment, used for the Rust server
//! and the Python one alike, over stdio or streamable HTTP.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use looker_sim::Simulator;
use tokio::process::{Child, Command};

/// A server binary plus the environment it runs with (the process environment is not inherited).
#[derive(Clone, Debug)]
pub struct ServerCmd {
    pub label: String,
    pub program: PathBuf,
    pub env: Vec<(String, String)>,
    /// Working directory (empty, so no stray `.env` is read).
    pub workdir: PathBuf,
}

impl ServerCmd {
    /// `program` against the simulator, with the settings both servers understand.
    pub fn new(label: &str, program: &Path, sim: &Simulator, scratch: &Path) -> ServerCmd {
        let mut env: Vec<(String, String)> = [
            ("LOOKER_BASE_URL", sim.base_url().to_string()),
            ("LOOKER_CLIENT_ID", "demo-client-id".into()),
            ("LOOKER_CLIENT_SECRET", "demo-client-secret".into()),
            ("LOOKER_VERIFY_SSL", "false".into()),
            ("LOOKER_LOG_LEVEL", "WARNING".into()),
            (
                "LOOKER_CACHE_DIR",
                scratch.join("cache").display().to_string(),
            ),
            ("HOME", scratch.display().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        if let Some(path) = std::env::var_os("PATH") {
            env.push(("PATH".into(), path.to_string_lossy().into_owned()));
        }
        ServerCmd {
            label: label.into(),
            program: program.into(),
            env,
            workdir: scratch.into(),
        }
    }

    /// The command with `args`, every pipe closed; callers open the ones they use.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.workdir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        command
    }
}

/// A server serving streamable HTTP on a loopback port; killed on drop.
pub struct HttpServer {
    child: Child,
    pub url: String,
}

impl HttpServer {
    /// Starts `cmd` with `args` plus `--transport streamable-http --port <free port>` bound to
    /// 127.0.0.1 (`LOOKER_HOST`; the Python server has no `--host`) and waits until it accepts
    /// connections.
    pub async fn start(cmd: &ServerCmd, args: &[&str]) -> Result<HttpServer> {
        let port = free_port()?.to_string();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--transport", "streamable-http", "--port", &port]);
        let mut child = cmd
            .command(&all)
            .env("LOOKER_HOST", "127.0.0.1")
            .spawn()
            .with_context(|| format!("starting {}", cmd.program.display()))?;
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait()? {
                bail!("{} exited before listening: {status}", cmd.label);
            }
            if tokio::net::TcpStream::connect(format!("127.0.0.1:{port}"))
                .await
                .is_ok()
            {
                break;
            }
            if started.elapsed() > Duration::from_secs(120) {
                bail!("{} did not listen on port {port} within 120 s", cmd.label);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(HttpServer {
            child,
            url: format!("http://127.0.0.1:{port}/mcp"),
        })
    }

    pub fn pid(&self) -> Result<u32> {
        self.child.id().context("server exited")
    }

    /// Waits for the server to exit (after a signal).
    pub async fn wait(&mut self) -> Result<std::process::ExitStatus> {
        Ok(self.child.wait().await?)
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

//! Runs a Looker API simulator until killed and prints its base URL on stdout.
//!
//! `looker-sim [--port N] [--client-id ID] [--client-secret SECRET]`

use std::net::SocketAddr;

use anyhow::{Context, bail};
use looker_sim::{SimConfig, Simulator};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut config = SimConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--port" => {
                let port: u16 = value()?.parse().context("--port must be a number")?;
                config.bind = SocketAddr::from(([127, 0, 0, 1], port));
            }
            "--client-id" => config.client_id = value()?,
            "--client-secret" => config.client_secret = value()?,
            "-h" | "--help" => {
                println!("usage: looker-sim [--port N] [--client-id ID] [--client-secret SECRET]");
                return Ok(());
            }
            other => bail!("unknown argument {other:?} (try --help)"),
        }
    }
    let sim = Simulator::start(config).await?;
    println!("{}", sim.base_url());
    tokio::signal::ctrl_c().await?;
    sim.shutdown();
    Ok(())
}

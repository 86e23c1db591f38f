//! The process's one wasmtime `Engine` and `Linker`, configured in exactly one place (a cached
//! `.cwasm` loads only under an identical configuration), plus the epoch ticker that bounds
//! plugin CPU time.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Config, Engine};

use super::call::CallState;
use crate::bindings::Plugin;

/// How often the engine's epoch advances; a looping plugin is checked this often.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Engine + linker, shared by every component and call.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) engine: Engine,
    pub(crate) linker: Arc<Linker<CallState>>,
}

impl Runtime {
    /// Creates the engine, links WASI (with nothing granted) and the Looker capabilities, and
    /// starts the epoch ticker thread.
    pub fn new() -> anyhow::Result<Self> {
        let engine = Engine::new(&engine_config())?;
        let mut linker = Linker::<CallState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        Plugin::add_to_linker::<CallState, HasSelf<CallState>>(&mut linker, |state| state)?;
        let ticker = engine.weak();
        std::thread::Builder::new()
            .name("wasm-epoch".into())
            .spawn(move || {
                while let Some(engine) = ticker.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(EPOCH_TICK);
                }
            })?;
        Ok(Self {
            engine,
            linker: Arc::new(linker),
        })
    }
}

fn engine_config() -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    config.cranelift_opt_level(wasmtime::OptLevel::Speed);
    config
}

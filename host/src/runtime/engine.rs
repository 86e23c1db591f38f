//! The process's one wasmtime `Engine` and `Linker`, configured in exactly one place (a cached
//! `.cwasm` loads only under an identical configuration), plus the epoch ticker that bounds
//! plugin CPU time.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::Engine;
use wasmtime::component::{HasSelf, Linker};

use super::slots::{SlotPolicy, Slots};
use crate::bindings::Plugin;
use crate::capability::HostState;

/// How often the engine's epoch advances; a looping plugin is checked this often.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

include!("engine_config.rs");

/// Engine + linker, shared by every component and call.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) engine: Engine,
    pub(crate) linker: Arc<Linker<HostState>>,
    /// One slot per pooled instance: held from instantiation until the store is dropped.
    pub(crate) slots: Arc<Slots>,
}

impl Runtime {
    /// The slots calls share; a shutdown waits for and stops calls through them.
    pub fn slots(&self) -> &Arc<Slots> {
        &self.slots
    }

    /// Creates the engine, links WASI (with nothing granted) and the Looker capabilities, and
    /// starts the epoch ticker thread. Slots are shared under `slots`.
    pub fn new(slots: SlotPolicy) -> anyhow::Result<Self> {
        let engine = Engine::new(&engine_config())?;
        let mut linker = Linker::<HostState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        Plugin::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |state| state)?;
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
            slots: Arc::new(Slots::new(slots)),
        })
    }
}

//! The process's one wasmtime `Engine` and `Linker`, configured in exactly one place (a cached
//! `.cwasm` loads only under an identical configuration), plus the epoch ticker that bounds
//! plugin CPU time.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use super::slots::{SlotPolicy, Slots};
use crate::bindings::Plugin;
use crate::capability::HostState;

/// How often the engine's epoch advances; a looping plugin is checked this often.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Plugin instances alive at once (tool calls plus start-up `describe`s); further calls wait for
/// a slot, shared as [`super::slots`] says. Instances come from a pool of this size: reusing slots instead of mapping and
/// unmapping memory and stacks per call is most of the per-call cost saved.
pub const MAX_CONCURRENT_INSTANCES: u32 = 32;

/// The most linear memory one plugin instance can ever have (wasm32's whole address space); the
/// per-call limit (`LOOKER_PLUGIN_MEMORY_MB`, a lock file's `memory_mb`) is enforced below it.
const MAX_INSTANCE_MEMORY: usize = 4 << 30;

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

fn engine_config() -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    config.cranelift_opt_level(wasmtime::OptLevel::Speed);
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(MAX_CONCURRENT_INSTANCES)
        // A component is a few core modules (its code, WASI shims) with one memory and a few tables.
        .total_core_instances(MAX_CONCURRENT_INSTANCES * 8)
        .total_memories(MAX_CONCURRENT_INSTANCES * 2)
        .total_tables(MAX_CONCURRENT_INSTANCES * 8)
        .total_stacks(MAX_CONCURRENT_INSTANCES)
        .max_memory_size(MAX_INSTANCE_MEMORY);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    config
}

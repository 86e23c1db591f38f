// The one wasmtime `Config` of this project, `include!`d by the runtime engine
// (`src/runtime/engine.rs`) and by the build script that precompiles the embedded components
// (`build/precompile.rs`): wasmtime loads precompiled code only when the features and tunables it
// was compiled with match the loading engine's, so both sides must build it here. Only `wasmtime`
// paths and items defined in this file may be used.

/// Plugin instances alive at once (tool calls plus start-up `describe`s); further calls wait for
/// a slot, shared as `runtime::slots` says. Instances come from a pool of this size: reusing slots
/// instead of mapping and unmapping memory and stacks per call is most of the per-call cost saved.
pub const MAX_CONCURRENT_INSTANCES: u32 = 32;

/// The most linear memory one plugin instance can ever have (wasm32's whole address space); the
/// per-call limit (`LOOKER_PLUGIN_MEMORY_MB`, a lock file's `memory_mb`) is enforced below it.
const MAX_INSTANCE_MEMORY: usize = 4 << 30;

/// The engine configuration shared by build-time precompilation and the runtime.
pub fn engine_config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    config.cranelift_opt_level(wasmtime::OptLevel::Speed);
    let mut pool = wasmtime::PoolingAllocationConfig::default();
    pool.total_component_instances(MAX_CONCURRENT_INSTANCES)
        // A component is a few core modules (its code, WASI shims) with one memory and a few tables.
        .total_core_instances(MAX_CONCURRENT_INSTANCES * 8)
        .total_memories(MAX_CONCURRENT_INSTANCES * 2)
        .total_tables(MAX_CONCURRENT_INSTANCES * 8)
        .total_stacks(MAX_CONCURRENT_INSTANCES)
        .max_memory_size(MAX_INSTANCE_MEMORY);
    config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
    config
}

//! Ahead-of-time compilation of the embedded components, so a fresh install's first start runs
//! no Cranelift: each component is compiled here with the runtime's own engine `Config`
//! (`src/runtime/engine_config.rs`, `include!`d below) for a conservative CPU baseline of the
//! target (x86-64-v2; aarch64's base ISA), never for the features of the machine that builds.
//! At start the host deserializes this code if it accepts it and compiles the component
//! otherwise (`src/runtime/cache.rs`).
//!
//! The host's unit tests compile this file too (`src/runtime/mod.rs`), so `make test` runs and
//! lints it without building the binary with feature `precompiled`.

use std::path::{Path, PathBuf};

mod config {
    include!("../src/runtime/engine_config.rs");
}

/// Builds the engine that compiles for `target` (a Rust target triple) at the baseline above.
fn baseline_engine(target: &str) -> wasmtime::Result<wasmtime::Engine> {
    let mut config = config::engine_config();
    config.target(target)?;
    if target.starts_with("x86_64") {
        // SAFETY: these flags only shape the code generated here; whether the machine that runs
        // it has these CPU features is checked by wasmtime when the artifact is deserialized
        // (an incompatible artifact is refused there and the component compiled instead).
        unsafe {
            config.cranelift_flag_enable("x86-64-v2");
        }
    }
    wasmtime::Engine::new(&config)
}

/// Precompiles each `(name, .wasm, _)` for `target` into `out_dir/<name>.cwasm`; returns the
/// artifact of each (in order), `None` where this target cannot be precompiled for (a warning
/// names why; that component then compiles at start).
fn precompile(
    components: &[(String, PathBuf, String)],
    target: &str,
    out_dir: &Path,
) -> Vec<Option<PathBuf>> {
    let engine = match baseline_engine(target) {
        Ok(engine) => engine,
        Err(error) => {
            println!("cargo:warning=not precompiling the plugins for {target}: {error:#}");
            return vec![None; components.len()];
        }
    };
    components
        .iter()
        .map(|(name, wasm, _)| {
            let bytes = std::fs::read(wasm).ok()?;
            match engine.precompile_component(&bytes) {
                Ok(code) => {
                    let file = out_dir.join(format!("{name}.cwasm"));
                    std::fs::write(&file, code).expect("writing a precompiled component");
                    Some(file)
                }
                Err(error) => {
                    println!("cargo:warning=not precompiling plugin {name}: {error:#}");
                    None
                }
            }
        })
        .collect()
}

/// Precompiles the embedded components `(group, .wasm, sha256)` for `target` (the crate's target
/// triple) and writes `precompiled.rs` into `out_dir`: `PRECOMPILED`, (sha256 of the component,
/// its precompiled code).
pub fn embed(embedded: &[(String, PathBuf, String)], target: &str, out_dir: &Path) {
    let mut src = String::from(
        "/// Embedded components compiled at build time for a baseline CPU of this target:\n\
         /// (sha256 of the component, its precompiled code).\n\
         pub const PRECOMPILED: &[(&str, &[u8])] = &[\n",
    );
    for ((_, _, digest), code) in embedded.iter().zip(precompile(embedded, target, out_dir)) {
        if let Some(code) = code {
            src.push_str(&format!(
                "    ({digest:?}, include_bytes!({:?})),\n",
                code.display().to_string()
            ));
        }
    }
    src.push_str("];\n");
    std::fs::write(out_dir.join("precompiled.rs"), src).expect("writing precompiled.rs");
}

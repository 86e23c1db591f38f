//! Builds the test-only components (`tests/components/<name>`, workspace crates) and the example
//! third-party plugins (`plugins/examples/<name>`, crates of their own built the way a plugin
//! author builds one) and exports their paths as `COMPONENTS`.

#[path = "../../host/build/wasm.rs"]
#[allow(dead_code)] // `copy_if_changed` serves the host only
mod wasm;

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let root = wasm::workspace_root();
    let here = root.join("tests/components");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets this"));
    println!("cargo:rerun-if-changed=../../host/build/wasm.rs");
    for watched in ["wit", "plugins", "tests/components", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }

    wasm::ensure_wasip2_target();
    let components = wasm::discover(&here, "test-component-");
    let wasm_dir = wasm::build_components(&root, &components);
    let mut built: Vec<(String, PathBuf)> = components
        .iter()
        .map(|c| (c.dir_name.clone(), wasm_dir.join(c.wasm_file())))
        .collect();
    for example in examples(&root.join("plugins/examples")) {
        built.push(build_example(&root, &example));
    }

    let mut src = String::from(
        "/// Built test-only components and examples: (name, path of the .wasm).\n\
         pub const COMPONENTS: &[(&str, &str)] = &[\n",
    );
    for (name, file) in &built {
        writeln!(src, "    ({name:?}, {:?}),", file.display().to_string()).unwrap();
    }
    src.push_str("];\n");
    fs::write(out_dir.join("components.rs"), src).expect("writing components.rs");
}

/// Example third-party groups (`plugins/examples/<name>`): crates of their own, outside the
/// workspace.
fn examples(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    found.sort();
    found
}

/// Builds one example with its own `cargo build --release --target wasm32-wasip2`; returns
/// (name, path of the .wasm).
fn build_example(root: &Path, dir: &Path) -> (String, PathBuf) {
    let name = dir
        .file_name()
        .expect("a named directory")
        .to_string_lossy()
        .into_owned();
    let target_dir = wasm::plugin_target_dir(root).join("examples");
    let status = wasm::nested_cargo(dir)
        .args([
            "build",
            "--release",
            "--target",
            wasm::TARGET,
            "--target-dir",
        ])
        .arg(&target_dir)
        .status()
        .expect("spawning cargo for an example plugin");
    assert!(
        status.success(),
        "building the example plugin {} failed",
        dir.display()
    );
    let wasm = target_dir
        .join(wasm::TARGET)
        .join("release")
        .join(format!("{}.wasm", name.replace('-', "_")));
    (name, wasm)
}

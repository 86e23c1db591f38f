//! Builds every tool-group plugin (`plugins/<group>`) for `wasm32-wasip2` with a nested cargo and
//! embeds the components in the host binary, so `cargo build` alone yields one self-contained
//! server. Test-only components (`tests/components/<name>`) are built too, but only their paths
//! are exported (for the integration tests), never embedded.
//!
//! Set `LOOKER_MCP_SKIP_PLUGINS=1` to skip the nested build (e.g. for `cargo doc`); the binary
//! then has no embedded groups.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, exit};

#[path = "build/precompile.rs"]
mod precompile;

const TARGET: &str = "wasm32-wasip2";
const PROFILE: &str = "plugin";

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets this"));
    let root = manifest_dir
        .parent()
        .expect("host/ sits in the workspace")
        .to_path_buf();
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets this"));
    println!("cargo:rerun-if-env-changed=LOOKER_MCP_SKIP_PLUGINS");
    for watched in [
        "wit",
        "plugins",
        "tests/components",
        "Cargo.toml",
        "Cargo.lock",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }

    let groups = discover(&root.join("plugins"), "plugin-");
    let test_components = discover(&root.join("tests/components"), "test-component-");
    let examples = examples(&root.join("plugins/examples"));
    let skip = env::var_os("LOOKER_MCP_SKIP_PLUGINS").is_some_and(|v| v == "1");
    let wasm_dir = plugin_target_dir(&root).join(TARGET).join(PROFILE);
    let mut built_examples = Vec::new();
    if !skip {
        ensure_wasip2_target();
        build_components(&root, groups.iter().chain(&test_components));
        for example in &examples {
            built_examples.push(build_example(&root, example));
        }
    }
    let embedded = if skip { Vec::new() } else { groups };
    precompile::embed(
        &embedded
            .iter()
            .map(|g| (g.dir_name.clone(), wasm_dir.join(g.wasm_file())))
            .collect::<Vec<_>>(),
        &out_dir,
    );
    write_embedded(
        &out_dir,
        &embedded,
        &test_components,
        &wasm_dir,
        &built_examples,
    );
}

/// Example third-party groups (`plugins/examples/<name>`): crates of their own, outside the
/// workspace, built the way a plugin author builds one.
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
    let target_dir = plugin_target_dir(root).join("examples");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(dir)
        .args(["build", "--release", "--target", TARGET, "--target-dir"])
        .arg(&target_dir)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_MAKEFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_BUILD_DIR")
        .status()
        .expect("spawning cargo for an example plugin");
    assert!(
        status.success(),
        "building the example plugin {} failed",
        dir.display()
    );
    let wasm = target_dir
        .join(TARGET)
        .join("release")
        .join(format!("{}.wasm", name.replace('-', "_")));
    (name, wasm)
}

/// A component crate: its directory name (the group id) and its package name.
struct Crate {
    dir_name: String,
    package: String,
}

impl Crate {
    fn wasm_file(&self) -> String {
        format!("{}.wasm", self.package.replace('-', "_"))
    }
}

/// Lists `<dir>/*/Cargo.toml` crates in sorted order, skipping the SDK; every other folder must
/// hold a cdylib package named `<prefix><dir name>`.
fn discover(dir: &Path, prefix: &str) -> Vec<Crate> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut crates: Vec<Crate> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "sdk")
        .map(|dir_name| {
            let manifest = fs::read_to_string(dir.join(&dir_name).join("Cargo.toml"))
                .expect("readable Cargo.toml");
            let package = format!("{prefix}{}", dir_name.replace('_', "-"));
            assert!(
                manifest.contains(&format!("name = \"{package}\"")) && manifest.contains("cdylib"),
                "{}/{dir_name} must be a cdylib package named `{package}`",
                dir.display()
            );
            Crate { dir_name, package }
        })
        .collect();
    crates.sort_by(|a, b| a.dir_name.cmp(&b.dir_name));
    crates
}

/// Fails the build with a fix-it line when the wasm target's standard library is missing.
fn ensure_wasip2_target() {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let libdir = Command::new(rustc)
        .args(["--print=target-libdir", &format!("--target={TARGET}")])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if !libdir.is_some_and(|d| d.exists()) {
        println!(
            "cargo:warning=the {TARGET} target is not installed; fix it with: rustup target add {TARGET}"
        );
        eprintln!(
            "error: the {TARGET} target is not installed.\n  fix: rustup target add {TARGET}"
        );
        exit(1);
    }
}

/// The plugins get a target dir of their own, shared by every host profile, so they build once.
fn plugin_target_dir(root: &Path) -> PathBuf {
    let target = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root.join(p) })
        .unwrap_or_else(|| root.join("target"));
    target.join("plugins")
}

fn build_components<'a>(root: &Path, crates: impl Iterator<Item = &'a Crate>) {
    let target_dir = plugin_target_dir(root);
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root)
        .args(["build", "--profile", PROFILE, "--target", TARGET])
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("CARGO_BUILD_BUILD_DIR", &target_dir)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_MAKEFLAGS");
    let mut any = false;
    for c in crates {
        cmd.args(["-p", &c.package]);
        any = true;
    }
    if !any {
        return;
    }
    let status = cmd.status().expect("spawning the nested cargo build");
    assert!(
        status.success(),
        "building the plugin components failed (see the errors above)"
    );
}

fn write_embedded(
    out_dir: &Path,
    groups: &[Crate],
    tests: &[Crate],
    wasm_dir: &Path,
    examples: &[(String, PathBuf)],
) {
    let mut src = String::from(
        "/// Tool-group components built into this binary: (group id, component bytes, sha256).\n\
         pub const EMBEDDED: &[(&str, &[u8], &str)] = &[\n",
    );
    for g in groups {
        let file = wasm_dir.join(g.wasm_file());
        writeln!(
            src,
            "    ({:?}, include_bytes!({:?}), {:?}),",
            g.dir_name,
            file.display().to_string(),
            sha256_hex(&fs::read(&file).unwrap_or_default())
        )
        .unwrap();
    }
    src.push_str(
        "];\n\n/// Test-only components (never embedded): (name, path of the built .wasm).\n",
    );
    src.push_str("pub const TEST_COMPONENTS: &[(&str, &str)] = &[\n");
    for t in tests {
        let file = wasm_dir.join(t.wasm_file());
        writeln!(
            src,
            "    ({:?}, {:?}),",
            t.dir_name,
            file.display().to_string()
        )
        .unwrap();
    }
    for (name, file) in examples {
        writeln!(src, "    ({name:?}, {:?}),", file.display().to_string()).unwrap();
    }
    src.push_str("];\n");
    fs::write(out_dir.join("embedded.rs"), src).expect("writing embedded.rs");
}

/// Hex sha256 of a built component, so the binary can find its cached compilation without
/// reading (and paging in) the embedded bytes.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

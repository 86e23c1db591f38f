//! Building `wasm32-wasip2` components with a nested cargo, shared by `host/build.rs` (the
//! groups it embeds) and `tests/components/build.rs` (test-only components and examples).
//!
//! Components build once into `target/plugins`, whatever the outer profile or tool (build,
//! test, clippy): the nested cargo gets none of the outer cargo's wrappers or flags, so its
//! fingerprints stay the same and an unchanged component is never rebuilt.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, exit};

pub const TARGET: &str = "wasm32-wasip2";
pub const PROFILE: &str = "plugin";

/// Outer-cargo settings that would change the nested build's fingerprints (clippy's wrapper,
/// coverage flags) or tie it to the outer jobserver and target dir.
const OUTER_ONLY: &[&str] = &[
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CLIPPY_ARGS",
    "CLIPPY_CONF_DIR",
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_MAKEFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_BUILD_DIR",
    "CARGO_PRIMARY_PACKAGE",
];

/// A component crate: its directory name (the group or component id) and its package name.
pub struct Crate {
    pub dir_name: String,
    pub package: String,
}

impl Crate {
    /// File name of the built component.
    pub fn wasm_file(&self) -> String {
        format!("{}.wasm", self.package.replace('-', "_"))
    }
}

/// The workspace root (the parent of the crate being built, or its grandparent for
/// `tests/components`).
pub fn workspace_root() -> PathBuf {
    let mut dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets this"));
    while !dir.join("wit").is_dir() {
        assert!(dir.pop(), "no wit/ folder above the crate");
    }
    dir
}

/// Lists `<dir>/*/Cargo.toml` crates in sorted order, skipping the SDK and the examples; every
/// other folder must hold a cdylib package named `<prefix><dir name>`.
pub fn discover(dir: &Path, prefix: &str) -> Vec<Crate> {
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
pub fn ensure_wasip2_target() {
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

/// The components' own target dir, shared by every host profile, so they build once.
pub fn plugin_target_dir(root: &Path) -> PathBuf {
    let target = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root.join(p) })
        .unwrap_or_else(|| root.join("target"));
    target.join("plugins")
}

/// A `cargo` command run in `dir`, clean of the outer cargo's settings (see [`OUTER_ONLY`]).
pub fn nested_cargo(dir: &Path) -> Command {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(dir);
    for name in OUTER_ONLY {
        cmd.env_remove(name);
    }
    cmd
}

/// Builds workspace component crates with the `plugin` profile; returns the folder holding
/// the `.wasm` files.
pub fn build_components(root: &Path, crates: &[Crate]) -> PathBuf {
    let target_dir = plugin_target_dir(root);
    if !crates.is_empty() {
        let mut cmd = nested_cargo(root);
        cmd.args(["build", "--profile", PROFILE, "--target", TARGET])
            .env("CARGO_TARGET_DIR", &target_dir);
        for c in crates {
            cmd.args(["-p", &c.package]);
        }
        let status = cmd.status().expect("spawning the nested cargo build");
        assert!(
            status.success(),
            "building the components failed (see the errors above)"
        );
    }
    target_dir.join(TARGET).join(PROFILE)
}

/// Copies `from` to `to` unless `to` already holds the same bytes, so a rebuilt but identical
/// component keeps its old timestamp and does not make cargo recompile what includes it.
pub fn copy_if_changed(from: &Path, to: &Path) -> Vec<u8> {
    let bytes = fs::read(from).unwrap_or_else(|e| panic!("reading {}: {e}", from.display()));
    if fs::read(to).ok().as_deref() != Some(&bytes[..]) {
        fs::write(to, &bytes).unwrap_or_else(|e| panic!("writing {}: {e}", to.display()));
    }
    bytes
}

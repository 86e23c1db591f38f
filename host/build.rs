//! Builds every tool-group plugin (`plugins/<group>`) for `wasm32-wasip2` with a nested cargo and
//! embeds the components in the host binary, so `cargo build` alone yields one self-contained
//! server. Also emits `foreach_group!`, which the tests use to require a test module per group.
//! Test-only components and the examples are built by `tests/components`, never here.
//!
//! Set `LOOKER_MCP_SKIP_PLUGINS=1` to skip the nested build (e.g. for `cargo doc`); the binary
//! then has no embedded groups.

#[cfg(feature = "precompiled")]
#[path = "build/precompile.rs"]
mod precompile;
#[path = "build/wasm.rs"]
mod wasm;

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use wasm::Crate;

fn main() {
    let root = wasm::workspace_root();
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets this"));
    println!("cargo:rerun-if-env-changed=LOOKER_MCP_SKIP_PLUGINS");
    println!("cargo:rerun-if-changed=build");
    for watched in ["wit", "plugins", "Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }

    let groups = wasm::discover(&root.join("plugins"), "plugin-");
    let skip = env::var_os("LOOKER_MCP_SKIP_PLUGINS").is_some_and(|v| v == "1");
    let embedded = if skip {
        Vec::new()
    } else {
        wasm::ensure_wasip2_target();
        let wasm_dir = wasm::build_components(&root, &groups);
        embed(&groups, &wasm_dir, &out_dir)
    };
    write_precompiled(&embedded, &out_dir);
    write_embedded(&out_dir, &embedded, &groups);
}

/// Copies each group's component into `OUT_DIR` (only when its bytes changed); returns (group,
/// copied path, sha256).
fn embed(groups: &[Crate], wasm_dir: &Path, out_dir: &Path) -> Vec<(String, PathBuf, String)> {
    groups
        .iter()
        .map(|g| {
            let copy = out_dir.join(g.wasm_file());
            let bytes = wasm::copy_if_changed(&wasm_dir.join(g.wasm_file()), &copy);
            (g.dir_name.clone(), copy, sha256_hex(&bytes))
        })
        .collect()
}

/// `PRECOMPILED`: each embedded component's machine code with feature `precompiled`, else empty
/// (the server then compiles each component once, into its on-disk cache).
fn write_precompiled(embedded: &[(String, PathBuf, String)], out_dir: &Path) {
    #[cfg(feature = "precompiled")]
    precompile::embed(
        embedded,
        &env::var("TARGET").expect("cargo sets TARGET"),
        out_dir,
    );
    #[cfg(not(feature = "precompiled"))]
    {
        let _ = embedded;
        fs::write(
            out_dir.join("precompiled.rs"),
            "/// Built without feature `precompiled`: no embedded machine code.\n\
             pub const PRECOMPILED: &[(&str, &[u8])] = &[];\n",
        )
        .expect("writing precompiled.rs");
    }
}

/// `EMBEDDED` (the components) and `foreach_group!` (every group under `plugins/`, embedded or
/// not, so tests can require one module per group).
fn write_embedded(out_dir: &Path, embedded: &[(String, PathBuf, String)], groups: &[Crate]) {
    let mut src = String::from(
        "/// Tool-group components built into this binary: (group id, component bytes, sha256).\n\
         pub const EMBEDDED: &[(&str, &[u8], &str)] = &[\n",
    );
    for (name, file, digest) in embedded {
        let file = file.display().to_string();
        writeln!(src, "    ({name:?}, include_bytes!({file:?}), {digest:?}),").unwrap();
    }
    src.push_str(
        "];\n\n/// Calls `$m!(group)` for every tool group under `plugins/`, in order.\n\
         #[macro_export]\nmacro_rules! foreach_group {\n    ($m:ident) => {\n",
    );
    for g in groups {
        writeln!(src, "        $m!({});", g.dir_name).unwrap();
    }
    src.push_str("    };\n}\n");
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

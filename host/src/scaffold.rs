//! `plugin new NAME`: a new tool-group crate from the templates in `plugins/sdk/template/`
//! (embedded in the binary): Cargo.toml with the SDK as a path dependency, `src/lib.rs` with one
//! read tool and its unit test, a Makefile that builds `NAME.wasm`, and a README.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// The SDK of the checkout this binary was built from (used when `--sdk` is not given).
const BUILT_FROM_SDK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../plugins/sdk");

/// (path in the new crate, template).
const FILES: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        include_str!("../../plugins/sdk/template/Cargo.toml.template"),
    ),
    (
        "src/lib.rs",
        include_str!("../../plugins/sdk/template/lib.rs.template"),
    ),
    (
        "Makefile",
        include_str!("../../plugins/sdk/template/Makefile.template"),
    ),
    (
        "README.md",
        include_str!("../../plugins/sdk/template/README.md.template"),
    ),
    (
        ".gitignore",
        include_str!("../../plugins/sdk/template/gitignore.template"),
    ),
];

/// Creates the crate `dir/name` (`dir` defaults to the working directory) depending on the SDK
/// at `sdk` (default: [`BUILT_FROM_SDK`] when it exists). Refuses an invalid name, an existing
/// directory, or an SDK path without the SDK's Cargo.toml.
pub fn create(name: &str, dir: Option<&Path>, sdk: Option<&Path>) -> anyhow::Result<()> {
    check_name(name)?;
    let sdk = sdk_path(sdk)?;
    let root = dir.unwrap_or(Path::new(".")).join(name);
    anyhow::ensure!(
        !root.exists(),
        "{} exists; plugin new never writes into an existing directory",
        root.display()
    );
    let sdk_text = sdk.display().to_string();
    for (file, template) in FILES {
        let path = root.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, render(template, name, &sdk_text))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    println!("{}", root.display());
    eprintln!(
        "created the tool group {name} in {root}; next:\n  cd {root} && make\n  \
         looker-mcp-server plugin add {name}.wasm\n  looker-mcp-server --plugin {name}.wasm",
        root = root.display()
    );
    Ok(())
}

/// A group name the host accepts: lowercase letters, digits and `_`, starting with a letter.
fn check_name(name: &str) -> anyhow::Result<()> {
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && name.len() <= 48;
    anyhow::ensure!(
        valid,
        "group name {name:?}: use lowercase letters, digits and '_', starting with a letter \
         (at most 48 characters), e.g. sales_tools"
    );
    Ok(())
}

/// The SDK directory, absolute.
fn sdk_path(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let candidate = given.unwrap_or(Path::new(BUILT_FROM_SDK));
    let is_sdk = std::fs::read_to_string(candidate.join("Cargo.toml"))
        .is_ok_and(|manifest| manifest.contains("name = \"looker-mcp-plugin-sdk\""));
    if !is_sdk {
        match given {
            Some(path) => anyhow::bail!(
                "--sdk {}: not the looker-mcp plugin SDK (no Cargo.toml of \
                 looker-mcp-plugin-sdk there); pass the plugins/sdk folder of a looker-mcp checkout",
                path.display()
            ),
            None => anyhow::bail!(
                "the plugin SDK this binary was built from ({BUILT_FROM_SDK}) is not there; \
                 pass --sdk <looker-mcp checkout>/plugins/sdk"
            ),
        }
    }
    std::fs::canonicalize(candidate).with_context(|| format!("{}", candidate.display()))
}

/// Fills a template: `{{name}}` and `{{sdk}}` (a TOML string).
fn render(template: &str, name: &str, sdk: &str) -> String {
    let sdk = format!("\"{}\"", sdk.replace('\\', "\\\\").replace('"', "\\\""));
    template.replace("{{name}}", name).replace("{{sdk}}", &sdk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_group_rules() {
        for ok in ["hello", "hello_test", "a1"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Hello", "1abc", "_x", "with-dash", "x/y", "../up"] {
            let err = check_name(bad).unwrap_err().to_string();
            assert!(err.contains("lowercase letters"), "{bad}: {err}");
        }
    }

    #[test]
    fn templates_are_filled_and_the_default_sdk_exists() {
        let cargo = render(FILES[0].1, "hello_test", "/a \"b\"/sdk");
        assert!(cargo.contains("name = \"hello_test\""), "{cargo}");
        assert!(cargo.contains(r#"path = "/a \"b\"/sdk""#), "{cargo}");
        for (file, template) in FILES {
            let text = render(template, "hello_test", "/sdk");
            assert!(!text.contains("{{"), "{file} keeps a placeholder");
        }
        assert!(sdk_path(None).is_ok(), "this checkout has plugins/sdk");
        let err = sdk_path(Some(Path::new("/nonexistent"))).unwrap_err();
        assert!(err.to_string().contains("--sdk /nonexistent"), "{err}");
    }
}

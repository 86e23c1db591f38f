//! The plugin contract's version rule (`wit/VERSIONING.md`): a component is accepted when every
//! `looker:mcp/…` interface it imports or exports carries a version [`compatible`] with the one
//! this host implements. Checked on the component's type before it is linked, so a mismatch is
//! named by version instead of by the first missing function.

use wasmtime::Engine;
use wasmtime::component::Component;

/// The contract package.
pub const PACKAGE: &str = "looker:mcp";
/// The contract version this host implements.
pub const VERSION: &str = "0.1.1";
/// The plugin contract this host implements (`package@version`).
pub const CONTRACT: &str = "looker:mcp@0.1.1";
/// The export a component must have (any compatible version of it).
pub const CONTRACT_EXPORT: &str = "looker:mcp/tool-group@0.1.1";

/// A semantic version `major.minor.patch`, with its pre-release part if any (build metadata
/// is ignored, as semver says).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
}

impl Version {
    /// Parses `1.2.3`, `0.1.0-rc1`, `0.1.0+build`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.split_once('+').map_or(text, |(v, _)| v);
        let (core, pre) = text.split_once('-').unwrap_or((text, ""));
        let mut parts = core.split('.').map(|p| {
            (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u64>().ok())
                .flatten()
        });
        let (major, minor, patch) = (parts.next()??, parts.next()??, parts.next()??);
        if parts.next().is_some() {
            return None;
        }
        Some(Self {
            major,
            minor,
            patch,
            pre: pre.to_owned(),
        })
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        Ok(())
    }
}

/// Whether a component built against contract version `guest` runs on a host implementing
/// `host`:
///
/// - a pre-release, or a `0.0.x` version, matches only itself;
/// - `0.x`: the same minor version and a patch no newer than the host's (a patch only adds;
///   a component built against an older patch does not use what it added, and wasmtime's
///   linker resolves its imports to the host's newer patch);
/// - `1.0` and later: the same major version and a minor version no newer than the host's
///   (the host's additions are ones an older component does not use).
pub fn compatible(host: &Version, guest: &Version) -> bool {
    if !host.pre.is_empty() || !guest.pre.is_empty() || (host.major == 0 && host.minor == 0) {
        return host == guest;
    }
    if host.major == 0 {
        return guest.major == 0 && guest.minor == host.minor && guest.patch <= host.patch;
    }
    guest.major == host.major && guest.minor <= host.minor
}

/// What the host accepts, in words (for errors).
fn accepted(host: &Version) -> String {
    if host.major == 0 && host.minor != 0 && host.pre.is_empty() {
        format!(
            "{PACKAGE}@0.{}.0 to 0.{}.{} (the same minor version, a patch no newer)",
            host.minor, host.minor, host.patch
        )
    } else if host.major != 0 && host.pre.is_empty() {
        format!(
            "{PACKAGE}@{}.0 to {}.{}.x (the same major version, a minor version no newer)",
            host.major, host.major, host.minor
        )
    } else {
        format!("{PACKAGE}@{host} only")
    }
}

/// Checks every `looker:mcp/…` import and export of `component` against [`VERSION`] and that
/// it exports `tool-group`. The error says which version it was built against and what this
/// host accepts.
pub fn check(component: &Component, engine: &Engine) -> Result<(), String> {
    let ty = component.component_type();
    let names = ty
        .imports(engine)
        .map(|(name, _)| name)
        .chain(ty.exports(engine).map(|(name, _)| name));
    check_names(names, ty.exports(engine).map(|(name, _)| name))
}

fn check_names<'a>(
    all: impl Iterator<Item = &'a str>,
    mut exports: impl Iterator<Item = &'a str>,
) -> Result<(), String> {
    let host = Version::parse(VERSION).expect("VERSION is a semantic version");
    let prefix = format!("{PACKAGE}/");
    for name in all.filter(|n| n.starts_with(&prefix)) {
        let Some((_, version)) = name.split_once('@') else {
            return Err(format!(
                "{name} has no version; this host accepts {}",
                accepted(&host)
            ));
        };
        let guest = Version::parse(version)
            .ok_or_else(|| format!("{name}: {version:?} is not a semantic version"))?;
        if !compatible(&host, &guest) {
            return Err(format!(
                "built against {PACKAGE}@{guest} ({name}); this host implements {CONTRACT} and \
                 accepts {}",
                accepted(&host)
            ));
        }
    }
    let export = format!("{prefix}tool-group@");
    if !exports.any(|n| n.starts_with(&export)) {
        return Err(format!(
            "it exports no {prefix}tool-group interface (a tool group exports {CONTRACT_EXPORT})"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn versions_parse_strictly() {
        assert_eq!(v("0.1.0").to_string(), "0.1.0");
        assert_eq!(v("1.2.3-rc1+abc").to_string(), "1.2.3-rc1");
        for bad in [
            "", "1", "1.2", "1.2.3.4", "a.b.c", "1..3", "+1.2.3", "1.2.x",
        ] {
            assert!(Version::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn zero_x_accepts_the_same_minor_no_newer_patch() {
        let host = v("0.1.1");
        for ok in ["0.1.0", "0.1.1", "0.1.0+build"] {
            assert!(compatible(&host, &v(ok)), "{ok}");
        }
        for refused in ["0.1.2", "0.2.0", "0.0.1", "1.1.0", "9.0.0", "0.1.0-rc1"] {
            assert!(!compatible(&host, &v(refused)), "{refused}");
        }
        assert!(compatible(&v("0.1.3"), &v("0.1.0")));
        assert!(compatible(&v("0.0.3"), &v("0.0.3")));
        assert!(!compatible(&v("0.0.3"), &v("0.0.4")));
    }

    #[test]
    fn one_x_accepts_the_same_major_no_newer_minor() {
        let host = v("1.2.0");
        for ok in ["1.0.0", "1.2.7", "1.1.3"] {
            assert!(compatible(&host, &v(ok)), "{ok}");
        }
        for refused in ["1.3.0", "2.0.0", "0.2.0"] {
            assert!(!compatible(&host, &v(refused)), "{refused}");
        }
    }

    #[test]
    fn the_check_names_the_version_it_refuses() {
        let export = "looker:mcp/tool-group@0.1.0";
        let fine = ["looker:mcp/types@0.1.1", "wasi:io/streams@0.2.0", export];
        assert_eq!(check_names(fine.into_iter(), [export].into_iter()), Ok(()));
        let nine = ["looker:mcp/types@9.0.0", "looker:mcp/tool-group@9.0.0"];
        let err = check_names(
            nine.into_iter(),
            ["looker:mcp/tool-group@9.0.0"].into_iter(),
        )
        .unwrap_err();
        assert!(
            err.contains("built against looker:mcp@9.0.0")
                && err.contains("looker:mcp@0.1.0 to 0.1.1"),
            "{err}"
        );
        let err = check_names(["looker:mcp/types"].into_iter(), [].into_iter()).unwrap_err();
        assert!(err.contains("has no version"), "{err}");
        let err = check_names(
            ["looker:mcp/types@0.1.0"].into_iter(),
            ["other"].into_iter(),
        )
        .unwrap_err();
        assert!(err.contains("exports no looker:mcp/tool-group"), "{err}");
    }
}

#!/usr/bin/env python3
"""Fails when `cargo build` (what `make demo` builds) and the test build of `make test` would
compile a dependency with different features.

Cargo compiles a crate once per feature set, so one differing feature in a low crate (libc,
tokio, rustc-hash) makes the test build compile most of the graph a second time: minutes on
2 cores. `host/Cargo.toml` turns on, in the host's own dependencies, what the tests and the other
workspace members turn on; this check names what to add there when a change breaks that.
"""
import os
import subprocess
import sys

CARGO = os.environ.get("CARGO", "cargo")

TARGET = subprocess.run(["rustc", "-vV"], capture_output=True, text=True, check=True).stdout
TARGET = next(l.split()[1] for l in TARGET.splitlines() if l.startswith("host:"))


def features(args, edges):
    """{package: {feature sets}} as `cargo tree` resolves them for `args`."""
    out = subprocess.run(
        [CARGO, "tree", *args, "-e", edges, "--target", TARGET, "--prefix", "none",
         "-f", "{p}|{f}"],
        capture_output=True, text=True, check=True).stdout
    resolved = {}
    for line in out.splitlines():
        if "|" not in line:
            continue
        package, feature_set = line.replace(" (*)", "").split("|", 1)
        resolved.setdefault(package.strip(), set()).add(feature_set)
    return resolved


def main():
    demo = features(["-p", "looker-mcp"], "normal,build")
    tests = features(["--workspace", "--exclude", "plugin-*"], "normal,build,dev")
    differ = {p: tests[p] - demo[p] for p in demo if p in tests and tests[p] != demo[p]}
    for package, extra in sorted(differ.items()):
        print(f"{package}: the test build also compiles it with features {sorted(extra)};"
              f" `cargo build -p looker-mcp` only with {sorted(demo[package])}", file=sys.stderr)
    if differ:
        print("turn those features on in host/Cargo.toml (see the note at its rmcp dependency)",
              file=sys.stderr)
        return 1
    print(f"shared features: `cargo build` and the test build agree on {len(demo)} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())

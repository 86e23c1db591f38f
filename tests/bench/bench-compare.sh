#!/usr/bin/env bash
# `make bench-compare`: installs the Python looker-mcp-server from PyPI into a temporary venv and
# measures it and the Rust server (profile bench-thin) in one run against the same simulator.
#
#   SEED_VENV=/path/to/venv   reuse a venv that already has the Python server (skips the install)
#   PY_SERVER_VERSION=0.25.0  the version installed into the temporary venv
#   CARGO=cargo               the cargo to run the bench with
# Extra arguments go to the bench binary (e.g. --python-load-calls 10000).
set -euo pipefail

version="${PY_SERVER_VERSION:-0.25.0}"
cargo="${CARGO:-cargo}"
if [ -n "${SEED_VENV:-}" ]; then
    venv="$SEED_VENV"
    echo "using the existing venv $venv (SEED_VENV)"
else
    venv="$(mktemp -d "${TMPDIR:-/tmp}/looker-mcp-python.XXXXXX")"
    trap 'rm -rf "$venv"' EXIT
    echo "installing looker-mcp-server==$version from PyPI into $venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "looker-mcp-server==$version"
fi
server="$venv/bin/looker-mcp-server"
if [ ! -x "$server" ]; then
    echo "no $server: install looker-mcp-server into the venv first" >&2
    exit 1
fi
installed="$("$venv/bin/python" -m pip show looker-mcp-server 2>/dev/null | sed -n 's/^Version: //p')"
echo "python looker-mcp-server $installed ($("$venv/bin/python" --version 2>&1))"
if [ "$installed" != "$version" ]; then
    echo "note: the venv has $installed, not $version" >&2
fi
"$cargo" run --quiet --profile bench-thin -p looker-mcp-bench -- --compare "$server" "$@"

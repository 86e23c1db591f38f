#!/usr/bin/env bash
# Runs the official MCP conformance suite (@modelcontextprotocol/conformance, server mode) against
# looker-mcp-server over streamable HTTP, serving the built-in Looker simulator (--demo).
#
# - Installs the pinned suite and Node 22 (the `node` npm package) into ./node_modules with
#   `npm ci` from package-lock.json; skipped when that lock is already installed.
# - Uses target/debug/looker-mcp-server, building it first only if it is missing.
# - Fails on any scenario that fails and is not in expected-failures.yml, and on any listed
#   scenario that passes (the suite's own baseline check).
#
# Environment: CARGO (default cargo), CARGO_TARGET_DIR, CONFORMANCE_RESULTS (keep the per-scenario
# checks.json there instead of a temporary directory), CONFORMANCE_READY_TIMEOUT (seconds, 300).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cargo="${CARGO:-cargo}"
bin="${CARGO_TARGET_DIR:-$root/target}/debug/looker-mcp-server"
ready_timeout="${CONFORMANCE_READY_TIMEOUT:-300}"

# --- The suite and Node 22 ------------------------------------------------------------------------
stamp="$here/node_modules/.looker-mcp-installed"
if ! cmp -s "$here/package-lock.json" "$stamp" 2>/dev/null \
    || [ ! -x "$here/node_modules/.bin/node" ] || [ ! -e "$here/node_modules/.bin/conformance" ]; then
    echo "conformance: installing the suite and Node 22 (npm ci)"
    started=$SECONDS
    (cd "$here" && npm ci --no-audit --no-fund)
    cp "$here/package-lock.json" "$stamp"
    echo "conformance: installed in $((SECONDS - started))s"
fi
export PATH="$here/node_modules/.bin:$PATH"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 22 ]; then
    echo "conformance: expected Node >= 22 from node_modules, got $(node --version)" >&2
    exit 1
fi

# --- The server -----------------------------------------------------------------------------------
if [ ! -x "$bin" ]; then
    echo "conformance: $bin is missing; building it"
    (cd "$root" && "$cargo" build -p looker-mcp --bin looker-mcp-server)
    [ -x "$bin" ] || { echo "conformance: the build did not produce $bin" >&2; exit 1; }
fi

work="$(mktemp -d)"
if [ -n "${CONFORMANCE_RESULTS:-}" ]; then
    mkdir -p "$CONFORMANCE_RESULTS"
    results="$(mktemp -d "$CONFORMANCE_RESULTS/run.XXXXXX")"
else
    results="$work/results"
    mkdir -p "$results"
fi
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
url="http://127.0.0.1:$port/mcp"
log="$work/server.log"
# An empty env file: no ./.env or developer settings leak in; --demo supplies the Looker side.
: >"$work/empty.env"
"$bin" --env-file "$work/empty.env" --demo --transport streamable-http \
    --host 127.0.0.1 --port "$port" --groups all >"$log" 2>&1 &
server_pid=$!

echo "conformance: waiting for $bin on port $port (/readyz)"
started=$SECONDS
until node -e '
    fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))
' "http://127.0.0.1:$port/readyz"; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "conformance: the server exited before it was ready; its log:" >&2
        cat "$log" >&2
        exit 1
    fi
    if [ $((SECONDS - started)) -ge "$ready_timeout" ]; then
        echo "conformance: the server was not ready after ${ready_timeout}s; its log:" >&2
        tail -n 50 "$log" >&2
        exit 1
    fi
    sleep 0.5
done
echo "conformance: server ready in $((SECONDS - started))s"

# --- The suite ------------------------------------------------------------------------------------
started=$SECONDS
status=0
# The suite's own closing line, "Total: N passed, N failed", counts checks before the baseline is
# applied (expected failures included); it is renamed so that log readers that take a closing
# "N passed, N failed" line as the verdict read the summary printed below instead.
conformance server --url "$url" --expected-failures "$here/expected-failures.yml" \
    --output-dir "$results" 2>&1 \
    | sed -u 's/^Total: \([0-9]* passed, [0-9]* failed\)$/All checks, expected failures included: \1/' \
    || status=$?
# `|| status` sees the pipeline's status, which pipefail makes the suite's (sed does not fail).
echo "conformance: suite ran in $((SECONDS - started))s (exit $status)"
if [ "$status" -ne 0 ]; then
    echo "conformance: FAILED; the server's last log lines:" >&2
    tail -n 30 "$log" >&2
    [ -n "${CONFORMANCE_RESULTS:-}" ] || echo "(set CONFORMANCE_RESULTS=DIR to keep each scenario's checks.json)" >&2
fi

# One line per run, by scenario: passed; failed (unexpected failures and stale baseline entries,
# as the suite judges them: any FAILURE or WARNING check fails a scenario); skipped (listed in
# expected-failures.yml and failing, as expected). It is the last line of the run.
node -e '
    const fs = require("fs"), path = require("path");
    const [results, baseline, status] = process.argv.slice(1);
    const expected = new Set(fs.readFileSync(baseline, "utf8").split("\n")
        .map(l => l.match(/^\s*-\s*([A-Za-z0-9_.\/-]+)/)).filter(Boolean).map(m => m[1]));
    let passed = 0, failed = 0, skipped = 0;
    for (const dir of fs.readdirSync(results)) {
        const file = path.join(results, dir, "checks.json");
        if (!fs.existsSync(file)) continue;
        const scenario = dir.replace(/^server-/, "").replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, "");
        const bad = JSON.parse(fs.readFileSync(file, "utf8"))
            .some(c => c.status === "FAILURE" || c.status === "WARNING");
        if (bad && expected.has(scenario)) skipped++;
        else if (bad || expected.has(scenario)) failed++;
        else passed++;
    }
    if (status !== "0" && failed === 0) failed = 1; // the suite failed outside any scenario
    console.log(`conformance: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results" "$here/expected-failures.yml" "$status"
exit "$status"

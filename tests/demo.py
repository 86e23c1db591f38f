#!/usr/bin/env python3
"""`make demo`: a guided tour of looker-mcp-server against its built-in Looker simulator.

Starts `looker-mcp-server --demo --groups all` over stdio, speaks MCP to it (JSON-RPC lines),
and prints what an assistant would see. No Looker instance and no Python packages needed.
"""
import json
import os
import subprocess
import sys
import time

BIN = os.environ.get("LOOKER_MCP_BIN", "target/release/looker-mcp-server")


def main() -> int:
    started = time.perf_counter()
    server = subprocess.Popen(
        [BIN, "--demo", "--groups", "all"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env={**os.environ, "LOOKER_LOG_LEVEL": "WARNING"}, text=True, bufsize=1,
    )
    next_id = iter(range(1, 1_000_000))

    def request(method, params=None):
        rid = next(next_id)
        server.stdin.write(json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params or {}}) + "\n")
        server.stdin.flush()
        while True:
            line = server.stdout.readline()
            if not line:
                raise SystemExit("server exited")
            message = json.loads(line)
            if message.get("id") == rid:
                if "error" in message:
                    raise SystemExit(f"{method}: {message['error']}")
                return message["result"]

    init = request("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                  "clientInfo": {"name": "demo", "version": "0"}})
    server.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
    tools = request("tools/list")["tools"]
    elapsed = (time.perf_counter() - started) * 1000
    info = init["serverInfo"]
    print(f"{info['name']} {info['version']} answered tools/list in {elapsed:.0f} ms with {len(tools)} tools:")
    for tool in tools:
        hints = tool.get("annotations", {})
        kind = "read-only" if hints.get("readOnlyHint") else ("destructive" if hints.get("destructiveHint") else "writes")
        print(f"  - {tool['name']:<28} {kind:<11} {tool.get('title', '')}")

    tour = [
        ("whoami", {}),
        ("list_models", {}),
        ("get_explore", {"model_name": "ecommerce", "explore_name": "orders"}),
        ("list_dimensions", {"model_name": "ecommerce", "explore_name": "orders"}),
        ("list_measures", {"model_name": "ecommerce", "explore_name": "orders"}),
        ("query", {"model": "ecommerce", "view": "orders", "fields": ["orders.region", "orders.count"],
                   "sorts": ["orders.count desc"], "limit": 5}),
        ("get_model", {"model_name": "no_such_model"}),
    ]
    names = {t["name"] for t in tools}
    for name, args in tour:
        if name not in names:
            continue
        t0 = time.perf_counter()
        result = request("tools/call", {"name": name, "arguments": args})
        ms = (time.perf_counter() - t0) * 1000
        status = "ERROR" if result.get("isError") else "ok"
        print(f"\n>>> {name} {json.dumps(args)}  [{status}, {ms:.1f} ms]")
        text = "".join(c.get("text", "") for c in result.get("content", []))
        lines = text.splitlines()
        print("\n".join(lines[:25]) + ("\n    …" if len(lines) > 25 else ""))

    server.stdin.close()
    server.wait(timeout=10)
    print("\nTo use it from a desktop assistant, configure the command:")
    print(f'  {{"command": "{os.path.abspath(BIN)}", "args": ["--demo", "--groups", "all"]}}')
    return 0


if __name__ == "__main__":
    sys.exit(main())

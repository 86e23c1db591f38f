#!/usr/bin/env python3
"""`make demo`: a guided tour of looker-mcp-server against its built-in Looker simulator.

Starts `looker-mcp-server --demo` over stdio, speaks MCP to it (JSON-RPC lines) and shows, a
screen per step, what an assistant sees: the tool groups, a few calls with their arguments and
readable results, a rendered chart saved to a file, an error, and how to connect an assistant.
No Looker instance and no Python packages needed; server logs are kept off the screen.
"""
import base64
import json
import os
import subprocess
import sys
import textwrap
import time

# The debug build `make demo` makes (quick to build, and the one `make test` builds too); the
# optimized server is `make build`'s target/release/looker-mcp-server.
BIN = os.environ.get("LOOKER_MCP_BIN", "target/debug/looker-mcp-server")
RELEASE_BIN = "target/release/looker-mcp-server"
OUT_DIR = os.environ.get("LOOKER_MCP_DEMO_DIR", "target/demo")
WIDTH = 100


class Server:
    """The server over stdio; its stderr (logs) goes to a file, never to the screen."""

    def __init__(self, groups):
        os.makedirs(OUT_DIR, exist_ok=True)
        self.log = open(os.path.join(OUT_DIR, "server.log"), "a")
        self.proc = subprocess.Popen(
            [BIN, "--demo", "--groups", groups],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
            env={**os.environ, "LOOKER_LOG_LEVEL": "WARNING"}, text=True, bufsize=1,
        )
        self.ids = iter(range(1, 1_000_000))
        self.info = self.request("initialize", {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "demo", "version": "0"}})
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def send(self, message):
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def request(self, method, params=None):
        rid = next(self.ids)
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params or {}})
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit(f"the server exited (see {OUT_DIR}/server.log)")
            message = json.loads(line)
            if message.get("id") == rid:
                if "error" in message:
                    raise SystemExit(f"{method}: {message['error']}")
                return message["result"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
        self.log.close()


def screen(title):
    print("\n" + "=" * WIDTH)
    print(title)
    print("=" * WIDTH)


def kind(tool):
    hints = tool.get("annotations", {})
    if hints.get("readOnlyHint"):
        return "read"
    return "destructive" if hints.get("destructiveHint") else "write"


def group_summary():
    """One short-lived server per group: which tools each group brings."""
    names = ["explore", "query", "render", "schema", "content", "board", "folder", "modeling", "git",
             "admin", "connection", "user_attributes", "credentials", "audit", "workflows",
             "health", "identity"]
    rows = []
    for name in names:
        server = Server(name)
        tools = server.request("tools/list")["tools"]
        server.close()
        counts = {k: sum(1 for t in tools if kind(t) == k) for k in ("read", "write", "destructive")}
        rows.append((name, len(tools), counts))
    return rows


def show_text(text, lines=14):
    out = []
    for line in text.splitlines():
        out.extend(textwrap.wrap(line, WIDTH - 4, subsequent_indent="  ") or [""])
    for line in out[:lines]:
        print("    " + line)
    if len(out) > lines:
        print(f"    … {len(out) - lines} more lines")


def call(server, step, name, arguments, explain):
    screen(f"{step}. {name}  — {explain}")
    print(f"  arguments: {json.dumps(arguments)}")
    started = time.perf_counter()
    result = server.request("tools/call", {"name": name, "arguments": arguments})
    ms = (time.perf_counter() - started) * 1000
    status = "isError" if result.get("isError") else "ok"
    print(f"  answer:    {status} in {ms:.1f} ms\n")
    return result


def text_of(result):
    return "\n".join(c.get("text", "") for c in result.get("content", []) if c.get("type") == "text")


def main() -> int:
    started = time.perf_counter()
    server = Server("all")
    tools = server.request("tools/list")["tools"]
    elapsed = (time.perf_counter() - started) * 1000
    info = server.info["serverInfo"]

    screen(f"{info['name']} {info['version']}: {len(tools)} tools, listed {elapsed:.0f} ms after start")
    rows = group_summary()
    print(f"  {'group':<16} {'tools':>5} {'read':>5} {'write':>6} {'destructive':>12}")
    for name, count, kinds in rows:
        print(f"  {name:<16} {count:>5} {kinds['read']:>5} {kinds['write']:>6} {kinds['destructive']:>12}")
    print(f"\n  Default groups: content, explore, health, identity, query, schema (--groups picks others).")

    result = call(server, 1, "whoami", {}, "whose Looker permissions the tools use")
    me = result.get("structuredContent") or json.loads(text_of(result))
    print(f"    {me.get('display_name')} <{me.get('email')}>, user {me.get('id')}")

    result = call(server, 2, "list_models", {}, "the LookML models you can query")
    models = (result.get("structuredContent") or {}).get("models")
    if models:
        print(f"    {'model':<14} {'project':<14} explores")
        for model in models:
            explores = ", ".join(e.get("name", "?") for e in model.get("explores", []))
            print(f"    {model.get('name', '?'):<14} {model.get('project_name', ''):<14} {explores}")
    else:
        show_text(text_of(result), 10)

    result = call(server, 3, "get_explore", {"model_name": "ecommerce", "explore_name": "orders"},
                  "an explore's fields, for writing a query")
    explore = result.get("structuredContent") or {}
    sections = [(k, explore.get(k)) for k in ("dimensions", "measures", "joins")]
    if any(isinstance(items, list) for _, items in sections):
        for section, items in sections:
            names = ", ".join(f"{f.get('name', '?')} ({f['type']})" if f.get("type") and section != "joins"
                              else f.get("name", "?") for f in (items or [])[:5])
            more = f" (+{len(items) - 5})" if items and len(items) > 5 else ""
            print(f"    {section:<11} {names}{more}")
    else:
        show_text(text_of(result), 12)

    query = {"model": "ecommerce", "view": "orders", "fields": ["orders.region", "orders.count"],
             "sorts": ["orders.count desc"], "limit": 5}
    result = call(server, 4, "query", query, "run a query; the answer is a table")
    show_text(text_of(result), 16)

    names = {t["name"] for t in tools}
    if "render_query" in names:
        result = call(server, 5, "render_query",
                      {**{k: query[k] for k in ("model", "view", "fields")}, "result_format": "png",
                       "width": 640, "height": 400}, "render a chart as an image")
        for block in result.get("content", []):
            if block.get("type") == "image":
                data = base64.b64decode(block["data"])
                path = os.path.join(OUT_DIR, "render.png")
                with open(path, "wb") as f:
                    f.write(data)
                print(f"    saved {len(data)} bytes of {block.get('mimeType')} to {path}")
        if result.get("isError"):
            show_text(text_of(result), 6)

    result = call(server, 6, "get_model", {"model_name": "no_such_model"},
                  "a mistake: the error names what did not resolve")
    show_text(text_of(result), 6)
    server.close()

    screen("Use it from a desktop assistant")
    config = {"mcpServers": {"looker": {
        "command": os.path.abspath(RELEASE_BIN), "args": ["--groups", "explore,query,schema"],
        "env": {"LOOKER_BASE_URL": "https://yourcompany.cloud.looker.com",
                "LOOKER_CLIENT_ID": "…", "LOOKER_CLIENT_SECRET": "…"}}}}
    print(f"  Build the optimized server first: make build (this tour ran {BIN}; where that is the")
    print("  debug build, calls take several times longer than they will). Then, in Claude Desktop")
    print("  (claude_desktop_config.json) or any stdio MCP client:\n")
    show_text(json.dumps(config, indent=2, ensure_ascii=False), 20)
    print(f"\n  Try it without Looker: add \"--demo\" to args. Claude Desktop bundle: make bundle.")
    print(f"  Server logs of this tour: {OUT_DIR}/server.log")
    return 0


if __name__ == "__main__":
    sys.exit(main())

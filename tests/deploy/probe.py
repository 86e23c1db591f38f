"""Waits for the server in the container, then checks /healthz and an MCP tools/list over HTTP."""
import json, sys, time, urllib.request

base = sys.argv[1]
for _ in range(100):
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
            assert json.load(r)["status"] == "ok"
            break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("the container never answered /healthz")

def post(body, session=None):
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if session:
        headers["Mcp-Session-Id"] = session
        headers["MCP-Protocol-Version"] = "2025-11-25"
    req = urllib.request.Request(f"{base}/mcp", json.dumps(body).encode(), headers)
    with urllib.request.urlopen(req, timeout=30) as r:
        text = r.read().decode()
        data = [l[5:].strip() for l in text.splitlines() if l.startswith("data:") and l[5:].strip()]
        return r.headers.get("Mcp-Session-Id"), [json.loads(d) for d in data]

session, _ = post({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "probe", "version": "0"}}})
post({"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
_, answers = post({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, session)
tools = answers[-1]["result"]["tools"]
names = {t["name"] for t in tools}
assert {"whoami", "health_pulse"} <= names, f"tools listed: {sorted(names)}"
_, answers = post({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                   "params": {"name": "whoami", "arguments": {}}}, session)
assert answers[-1]["result"]["isError"] is False, answers[-1]
print(f"container: /healthz ok, tools/list {len(tools)} tools, whoami ok (demo simulator inside)")

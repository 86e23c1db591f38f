#!/usr/bin/env bash
# Stages the root filesystem of Containerfile.scratch: rootfs.sh BINARY CONTEXT_DIR
# The binary (debug info stripped), every shared library `ldd` names with the dynamic loader, CA
# certificates, a passwd/group naming the non-root user, and the compile cache of every group
# (PRECOMPILE=0 leaves the cache empty: each start then compiles its groups in memory).
set -euo pipefail
binary=$1 context=$2
rootfs=$context/rootfs
rm -rf "$rootfs" && mkdir -p "$rootfs"/{usr/local/bin,etc/ssl/certs,var/cache/looker-mcp,tmp}
objcopy --strip-debug "$binary" "$rootfs/usr/local/bin/looker-mcp-server"
ldd "$binary" | grep -oE '/[^ ]+' | sort -u | while read -r lib; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
echo 'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' > "$rootfs/etc/passwd"
echo 'nonroot:x:65532:' > "$rootfs/etc/group"
chmod 1777 "$rootfs/tmp"
chmod 700 "$rootfs/var/cache/looker-mcp"
if [ "${PRECOMPILE:-1}" = 1 ]; then
  LOOKER_CACHE_DIR="$rootfs/var/cache/looker-mcp" LOOKER_LOG_LEVEL=ERROR \
    "$rootfs/usr/local/bin/looker-mcp-server" precompile
fi
cp "$(dirname "$0")/Containerfile.scratch" "$context/Containerfile"

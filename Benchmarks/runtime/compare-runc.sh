#!/usr/bin/env bash
# Container run latency of skiff's runtime against runc (Debian's package) on the same
# busybox rootfs, shim memory and image import time. Needs root, runc and busybox-static.
#   sudo Benchmarks/runtime/compare-runc.sh [containers]     # default 100
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-100}
for tool in runc busybox; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install runc busybox-static" >&2; exit 1; }
done
# The same static release build as the other benchmarks (the shim is the small skiff-shim it carries).
build=(swift build -c release --static-swift-stdlib --scratch-path .build-release)
"${build[@]}" --product runtime-bench >/dev/null
"$("${build[@]}" --show-bin-path)/runtime-bench" "$count"

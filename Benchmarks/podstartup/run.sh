#!/usr/bin/env bash
# Pod startup latency on one node (issue 6): a fresh `skiff server` (release build) with its
# embedded agent and the busybox test image; 100 pods created at once, then 100 one at a
# time; prints the server's RSS when idle with no pods, and after. Run as root.
#   Benchmarks/podstartup/run.sh [count=100]
# SKIFF_BIN=BINARY measures that skiff build (podstartup-bench must be built in .build-release).
# QUIET=SECONDS first lets the node sit idle that long (past skiff's idle page release), then
# times 3 pods one at a time: what a first pod after a quiet spell waits for its code to page in.
# The node runs in the host's network namespace with node IP 127.0.0.1, so pods get no pod
# network by default (NETWORK_BACKEND=none); Benchmarks/podnetwork/run.sh measures the network.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-100}
if [ -z "${SKIFF_BIN:-}" ]; then
  swift build -c release --scratch-path .build-release --product skiff >/dev/null
  swift build -c release --scratch-path .build-release --product podstartup-bench >/dev/null
fi
bin=.build-release/release
skiff=${SKIFF_BIN:-$bin/skiff}
dir=$(mktemp -d /tmp/skiff-podstartup-XXXXXX)
mkdir -p "$dir/agent/images"
"$bin/podstartup-bench" --write-image "$dir/agent/images/busybox.tar"
port=$((20000 + RANDOM % 10000))
"$skiff" server --data-dir "$dir" --https-listen-port "$port" --bind-address 127.0.0.1 \
  --write-kubeconfig "$dir/kubeconfig.yaml" --node-name podstartup-bench --node-ip 127.0.0.1 \
  --kubelet-port $((port + 1)) --etcd-listen "" --network-backend "${NETWORK_BACKEND:-none}" >"$dir/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$dir" 2>/dev/null || true
}
trap cleanup EXIT
rss() { awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$server/status"; }
for _ in $(seq 1 120); do
  kubectl --kubeconfig "$dir/kubeconfig.yaml" get node podstartup-bench -o name >/dev/null 2>&1 && break
  sleep 0.5
done
sleep 10
echo "server + embedded agent idle RSS: $(rss)"
if [ -n "${QUIET:-}" ]; then
  sleep "$QUIET"
  echo "after $QUIET s more idle: $(rss)"
  "$bin/podstartup-bench" "$dir/kubeconfig.yaml" serial 3
  sleep 45  # its namespace finishes terminating before the serial run below reuses it
fi
"$bin/podstartup-bench" "$dir/kubeconfig.yaml" burst "$count"
sleep 40  # pods of the burst run finish terminating
"$bin/podstartup-bench" "$dir/kubeconfig.yaml" serial "$count"
echo "server + embedded agent RSS after: $(rss)"
sleep 40

#!/usr/bin/env bash
# API server benchmark: idle RSS, a create/get/list/update mix with open watches at 50 and
# 200 requests/s, lists of 1,000 pods, and RSS with 10,000 ConfigMaps of 1 KiB.
# The load generator is apiserver-bench (Benchmarks/APIServerBench), a release Swift build, so that
# the latencies are the server's and not a Python client's (GIL, CPU on the same cores).
# Usage: Benchmarks/apiserver/run.sh [path/to/skiff]   (default: a release build)
# APIBENCH_ARGS=--http2 runs the mix over one HTTP/2 connection (as client-go) instead of HTTP/1.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
release=(swift build -c release --static-swift-stdlib --scratch-path .build-release
  -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections)
skiff=${1:-.build-release/release/skiff}
[ -x "$skiff" ] || "${release[@]}" --product skiff
"${release[@]}" --product apiserver-bench >/dev/null
bench=.build-release/release/apiserver-bench
work=$(mktemp -d /tmp/skiff-apibench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

start() {
  rm -rf "$work/data"
  "$skiff" server --data-dir "$work/data" --disable-agent --etcd-listen "" --bind-address 127.0.0.1 \
    --https-listen-port "$port" --write-kubeconfig "$work/kubeconfig" --token bench >"$work/log" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do
    kubectl --kubeconfig "$work/kubeconfig" get --raw /readyz >/dev/null 2>&1 && return
    sleep 0.2
  done
  echo "server did not start"; cat "$work/log"; exit 1
}
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$pid/status"; }
# Busy and total CPU ticks of the machine (all cores) and the server's ticks: shows whether
# anything besides the server and apiserver-bench (which reports its own CPU) took the cores.
ticks() {
  read -r _ u n s i w x y z _ </proc/stat
  echo "$((u + n + s + x + y + z)) $((u + n + s + i + w + x + y + z)) $(awk '{print $14 + $15}' "/proc/$pid/stat")"
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }

echo "$(date -u +%FT%TZ) $(uptime)"
start; sleep 5
echo "idle RSS: $(rss) MB"
for rate in 50 200; do
  read -r busy0 total0 server0 <<<"$(ticks)"
  out=$("$bench" mix "$work/kubeconfig" "$rate" 30 ${APIBENCH_ARGS:-})
  read -r busy1 total1 server1 <<<"$(ticks)"
  echo "mix at $rate req/s: $out"
  client=$(grep -o '"client_cpu_s":[0-9.]*' <<<"$out" | cut -d: -f2)
  # "other processes" well above a few % means the figures of this run are not the server's own.
  awk -v b=$((busy1 - busy0)) -v t=$((total1 - total0)) -v s=$((server1 - server0)) -v c="$client" \
    -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "CPU during mix (%% of all cores): machine %d, server %d, apiserver-bench %d, other processes %d\n", 100 * b / t, 100 * s / t, 100 * c * hz / t, 100 * (b - s - c * hz) / t }'
  echo "RSS after mix: $(rss) MB"
done
stop

start
echo "list: $("$bench" list "$work/kubeconfig" pods 1000 50)"
stop

start
echo "list: $("$bench" list "$work/kubeconfig" configmaps 10000 10)"
echo "RSS with 10,000 ConfigMaps of 1 KiB: $(rss) MB"
stop

#!/usr/bin/env bash
# Control-plane scale benchmark (issue 4): a release `skiff server` (SQLite) with 100 hollow
# nodes in a second process; 30 Deployments x 100 replicas submitted at once. Prints scheduling
# throughput, time until every pod is Running, create->Running percentiles, and the server's
# RSS and CPU (the hollow nodes' CPU separately: they stand in for 100 kubelets).
# Usage: Benchmarks/controlplane/run.sh [nodes=100] [deployments=30] [replicas=100]
# SKIFF_BIN=path runs another skiff build (for A/B comparisons).
set -euo pipefail
cd "$(dirname "$0")/../.."
nodes=${1:-100}
deployments=${2:-30}
replicas=${3:-100}
build=.build-release/release
skiff=${SKIFF_BIN:-$build/skiff}
[ -x "$build/skiff" ] && [ -x "$build/controlplane-bench" ] || {
  swift build -c release --product skiff --scratch-path .build-release
  swift build -c release --product controlplane-bench --scratch-path .build-release
}
work=$(mktemp -d /tmp/skiff-cpbench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pids=()
stop() {  # SIGTERM, then SIGKILL if the process is still there after 5 s
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() { for pid in "${pids[@]}"; do stop "$pid"; done; rm -rf "$work"; }
trap cleanup EXIT

"$skiff" server --data-dir "$work/data" --disable-agent --etcd-listen "" --bind-address 127.0.0.1 \
  --https-listen-port "$port" --write-kubeconfig "$work/kubeconfig" --token bench >"$work/server.log" 2>&1 &
server=$!
pids+=("$server")
for _ in $(seq 150); do
  kubectl --kubeconfig "$work/kubeconfig" get --raw /readyz >/dev/null 2>&1 && break
  sleep 0.2
done
echo "idle server RSS: $(awk '/VmRSS/ {print int($2/1024)}' /proc/$server/status) MiB"

"$skiff" hollow-nodes --kubeconfig "$work/kubeconfig" --count "$nodes" >"$work/hollow.log" 2>&1 &
hollow=$!
pids+=("$hollow")
for _ in $(seq 300); do
  ready=$(kubectl --kubeconfig "$work/kubeconfig" get nodes --no-headers 2>/dev/null | grep -c " Ready " || true)
  [ "$ready" -ge "$nodes" ] && break
  sleep 0.5
done
echo "nodes Ready: $ready; server RSS with nodes: $(awk '/VmRSS/ {print int($2/1024)}' /proc/$server/status) MiB"
sleep 5  # let node IPAM and lease traffic settle

hollow_cpu_before=$(awk '{print $14+$15}' /proc/$hollow/stat)
if [ -n "${SKIFF_PERF:-}" ]; then  # SKIFF_PERF=out.data: profile the server during the run
  perf record -g -p "$server" -o "$SKIFF_PERF" >/dev/null 2>&1 &
  pids+=("$!")
fi
"$build/controlplane-bench" "$work/kubeconfig" "$server" "$deployments" "$replicas"
hollow_cpu_after=$(awk '{print $14+$15}' /proc/$hollow/stat)
# The request mix behind those figures: writes per verb and resource, and conflicts (409).
kubectl --kubeconfig "$work/kubeconfig" get --raw /metrics | awk -F'[{}" ,=]+' '
  /^apiserver_request_total/ && $7 != "get" && $7 != "list" && $7 != "watch" {
    count[$7 " " $5] += $NF; if ($3 == 409) conflicts[$7 " " $5] += $NF }
  END { for (k in count) printf "requests %s: %d (409: %d)\n", k, count[k], conflicts[k] }' | sort
echo "hollow nodes (kubelet stand-ins, separate process): CPU $(( (hollow_cpu_after - hollow_cpu_before) / $(getconf CLK_TCK) )) s"

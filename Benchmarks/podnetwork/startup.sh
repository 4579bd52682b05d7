#!/usr/bin/env bash
# Serial pod startup (create -> Running, p50/p99) with and without the pod network: one node
# (`skiff server` + embedded agent) in a network namespace this script creates, once per
# backend, with podstartup-bench. Everything it creates is removed on exit. Run as root.
#   Benchmarks/podnetwork/startup.sh [count=30] [backends="none vxlan"]
# BIN=dir holding skiff and podstartup-bench (default .build/debug).
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-30}
backends=${2:-none vxlan}
bin=$(realpath "${BIN:-.build/debug}")
[ -x "$bin/skiff" ] && [ -x "$bin/podstartup-bench" ] || {
  echo "build first: swift build --product skiff && swift build --product podstartup-bench" >&2; exit 1; }
export SKIFF_CONFIG_FILE=/dev/null
for backend in $backends; do
  tag=skstart$((RANDOM % 10000))
  dir=$(mktemp -d /tmp/skiff-podstart-XXXXXX)
  ip netns add "$tag"
  ip -n "$tag" link set lo up
  ip -n "$tag" link add uplink0 type veth peer name uplink0p
  ip -n "$tag" link set uplink0p up
  ip -n "$tag" addr add 192.168.76.1/24 dev uplink0
  ip -n "$tag" link set uplink0 up
  mkdir -p "$dir/agent/images"
  "$bin/podstartup-bench" --write-image "$dir/agent/images/busybox.tar"
  nsenter --net=/run/netns/$tag "$bin/skiff" server --data-dir "$dir" --node-name podstart --node-ip 192.168.76.1 \
    --write-kubeconfig "$dir/kubeconfig.yaml" --etcd-listen "" --network-backend "$backend" \
    --cleanup-network-on-exit >"$dir/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 240); do
    nsenter --net=/run/netns/$tag kubectl --kubeconfig "$dir/kubeconfig.yaml" get node podstart -o name >/dev/null 2>&1 && break
    sleep 0.5
  done
  sleep 5
  echo "backend $backend:"
  nsenter --net=/run/netns/$tag "$bin/podstartup-bench" "$dir/kubeconfig.yaml" serial "$count" || true
  nsenter --net=/run/netns/$tag kubectl --kubeconfig "$dir/kubeconfig.yaml" -n startup-serial delete pods --all --timeout=120s >/dev/null 2>&1 || true
  kill "$server"; wait "$server" 2>/dev/null || true
  ip netns del "$tag"
  rm -rf "$dir"
done

#!/usr/bin/env bash
# Idle RSS of a standalone `skiff agent` (release build) joined to a local server, with no
# pods and then with 10 running pods; the agent runs everything a node runs (pod network,
# service proxy, network policy, cluster DNS), all inside a network namespace the script
# creates and removes. Run as root after a release build of skiff.
#   Benchmarks/podstartup/agent-rss.sh          (SKIFF_BIN=path measures another skiff build)
# Each figure is taken 20 s into a quiet period and again at 75 s, after skiff's idle page
# release (a quiet 30-second window pages its executable out) has had its turn.
# IDLE_PROFILE=DIR records both processes with perf from 20 s to 70 s of the first quiet period
# (DIR/agent.data, DIR/server.data), for Benchmarks/rss/profile-idle.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=.build-release/release
skiff=${SKIFF_BIN:-$bin/skiff}
server_dir=$(mktemp -d /tmp/skiff-rss-server-XXXXXX)
agent_dir=$(mktemp -d /tmp/skiff-rss-agent-XXXXXX)
mkdir -p "$agent_dir/agent/images"
"$bin/podstartup-bench" --write-image "$agent_dir/agent/images/busybox.tar"
port=$((20000 + RANDOM % 10000))
netns=skiff-rss-$$
ip netns add "$netns"
ip -n "$netns" link set lo up
# nsenter, not `ip netns exec`: that remounts /sys, hiding the cgroup tree the agent needs.
in_ns() { nsenter --net="/run/netns/$netns" "$@"; }
nsenter --net="/run/netns/$netns" "$skiff" server --data-dir "$server_dir" --https-listen-port "$port" --bind-address 127.0.0.1 \
  --write-kubeconfig "$server_dir/kubeconfig.yaml" --disable-agent --etcd-listen "" >"$server_dir/server.log" 2>&1 &
server=$!
agent=""
cleanup() {
  k delete deployment rss --wait=true >/dev/null 2>&1 || true
  sleep 5
  [ -n "$agent" ] && kill "$agent" 2>/dev/null && wait "$agent" 2>/dev/null || true
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$server_dir" "$agent_dir" "$agent_dir.skiff" 2>/dev/null || true
  ip netns del "$netns" 2>/dev/null || true
}
trap cleanup EXIT
k() { in_ns kubectl --kubeconfig "$server_dir/kubeconfig.yaml" "$@"; }
for _ in $(seq 1 120); do [ -s "$server_dir/server/token" ] && k get --raw /readyz >/dev/null 2>&1 && break; sleep 0.5; done
# The agent runs from a copy of the executable, as on a machine of its own: pages it shared with
# the server's process would stay resident for the server's sake.
# Written back and read once in order, as an installed executable's page cache would be.
cp "$skiff" "$agent_dir.skiff"
sync "$agent_dir.skiff"
python3 -c 'import os,sys; fd=os.open(sys.argv[1],os.O_RDONLY); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)' "$agent_dir.skiff"
cat "$agent_dir.skiff" >/dev/null
nsenter --net="/run/netns/$netns" "$agent_dir.skiff" agent --server "https://127.0.0.1:$port" --token "$(cat "$server_dir/server/token")" \
  --data-dir "$agent_dir" --node-name rss-agent --node-ip 127.0.0.1 --kubelet-port $((port + 1)) \
  --network-backend host-gw --cleanup-network-on-exit >"$agent_dir.log" 2>&1 &
agent=$!
for _ in $(seq 1 120); do k get node rss-agent >/dev/null 2>&1 && break; sleep 0.5; done
rss() { awk '/VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status"; }
record() { # record PID NAME: 50 s of perf samples and page faults, with call chains
  perf record -q -o "$IDLE_PROFILE/$2.data" -e cpu-clock/freq=20000/ -e page-faults/period=1/ --call-graph fp \
    -p "$1" -- sleep 50 >/dev/null 2>&1 &
}
quiet() { # quiet WHAT: RSS 20 s and 75 s into a quiet period
  sleep 20
  local early="agent $(rss $agent), server $(rss $server)"
  if [ -n "${IDLE_PROFILE:-}" ] && [ ! -e "$IDLE_PROFILE/agent.data" ]; then
    record "$agent" agent
    record "$server" server
  fi
  sleep 55
  echo "$1: at 20 s $early; at 75 s agent $(rss $agent), server $(rss $server)"
}
quiet "idle, no pods"
k create deployment rss --image=busybox:test --replicas=10 -- sleep 3600 >/dev/null
k rollout status deployment rss --timeout=120s >/dev/null
quiet "10 running pods"

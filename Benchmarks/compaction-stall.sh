#!/usr/bin/env bash
# The slowest write while compaction sweeps a large range delete: `etcdctl check perf --load m`,
# a delete of its ~60,000 keys (one revision), then `check perf --load l` with a compaction
# falling inside it (--etcd-compaction-interval 90), as compare-etcd.sh's sequence did at the
# fifth minute. Prints both loads' verdicts and slowest requests.
#   Benchmarks/compaction-stall.sh [path/to/skiff] [interval-seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
skiff=${1:-.build-release/release/skiff}
interval=${2:-90}
data=$(mktemp -d /tmp/skiff-stall.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$skiff" server --data-dir "$data" --disable-agent --bind-address 127.0.0.1 --https-listen-port $((port + 1)) \
  --etcd-listen "127.0.0.1:$port" --etcd-compaction-interval "$interval" >"$data/log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$data"' EXIT
e() { etcdctl --endpoints "127.0.0.1:$port" "$@"; }
for _ in $(seq 100); do e endpoint health >/dev/null 2>&1 && break; sleep 0.2; done
for load in m l; do
  echo "check perf $load: $(e check perf --load "$load" 2>&1 | tr '\r' '\n' | grep -E '^(PASS|FAIL|Slowest)' | tr '\n' ' ')"
  e --command-timeout 60s del /etcdctl-check-perf/ --prefix >/dev/null
done

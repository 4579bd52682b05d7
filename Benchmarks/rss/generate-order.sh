#!/usr/bin/env bash
# Regenerates Benchmarks/rss/skiff.order, the function order the release link of skiff uses
# (Package.swift, ld.lld --symbol-ordering-file). Needs root (the server), perf, valgrind, kubectl.
#   Benchmarks/rss/generate-order.sh [BINARY]
# BINARY: a release skiff built with -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections
# (default: the release build's). Three sources, merged in this order:
#  1. perf cpu-clock samples with call chains at 20 kHz (startup first: first-seen order);
#  2. every function callgrind sees run (valgrind emulates a CPU without AVX-512, so it takes other
#     CPU-dispatch paths than the real machine; and valgrind cannot read the DWARF 5, so a -g-stripped copy);
#  3. the functions whose code page faults in a binary linked with 1+2 (what both missed).
# The workload each time: startup, 15 s idle, 20 × kubectl get pods -A, 5 × kubectl apply, a list and a watch.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
BIN=$(readlink -f "${1:-$ROOT/.build-release/release/skiff}")
PORT=${PORT:-36443}
TMP=$(mktemp -d /tmp/skifforder.XXXX)

workload() { # $1 data dir, waits until ready, runs the requests
  local D=$1 K="kubectl --kubeconfig $1/kc.yaml --request-timeout=120s"
  for i in $(seq 1 240); do [ -f "$D/kc.yaml" ] && $K get --raw /readyz >/dev/null 2>&1 && break; sleep 0.5; done
  sleep 15
  for i in $(seq 1 20); do $K get pods -A >/dev/null 2>&1; done
  for i in 1 2 3 4 5; do
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm%s, namespace: default}\ndata: {k: v}\n' "$i" | $K apply -f - >/dev/null
  done
  $K get configmaps -A -o yaml >/dev/null
  $K get --raw '/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=2' >/dev/null 2>&1 || true
  sleep 3
}
server_args() { echo server --data-dir "$1" --disable-agent --bind-address 127.0.0.1 --https-listen-port "$PORT" --etcd-listen "$1/etcd.sock" --write-kubeconfig "$1/kc.yaml" --disable-snapshots; }

# 1. perf samples
"$HERE/profile-order.sh" "$BIN" "$TMP/perf.order" 3 "$PORT"

# 2. callgrind
strip -g -o "$TMP/skiff-nodebug" "$BIN"
D=$(mktemp -d /tmp/rssdata.XXXX)
valgrind --tool=callgrind --demangle=no --dump-instr=no --callgrind-out-file="$TMP/callgrind.out" \
  "$TMP/skiff-nodebug" $(server_args "$D") >"$D/log" 2>&1 &
VG=$!
workload "$D"
kill "$VG"; wait "$VG" || true; rm -rf "$D"
python3 "$HERE/callgrind-symbols.py" "$TMP/skiff-nodebug" "$TMP/callgrind.out" > "$TMP/callgrind.order"
cat "$TMP/perf.order" "$TMP/callgrind.order" | awk '!seen[$0]++' > "$TMP/order12"

# 3. page faults of a binary linked with that order: relink with the same command line as the release link
python3 "$HERE/relink.py" "$BIN" "$TMP/order12" "$TMP/skiff-ordered" >/dev/null 2>&1 || true
if [ -x "$TMP/skiff-ordered" ]; then ORD=$TMP/skiff-ordered; else ORD=$BIN; fi
for r in 1 2; do
  D=$(mktemp -d /tmp/rssdata.XXXX)
  cat "$ORD" >/dev/null
  perf record -q -d -o "$TMP/pf.$r" -e page-faults/period=1/ -- "$ORD" $(server_args "$D") >"$D/log" 2>&1 &
  P=$!
  workload "$D"
  kill "$(pgrep -P "$P" -x "$(basename "$ORD")")"; wait "$P" || true; rm -rf "$D"
  perf script -i "$TMP/pf.$r" --show-mmap-events -F ip,sym,addr,dso --no-demangle > "$TMP/pf.$r.txt" 2>/dev/null
done
python3 "$HERE/fault-symbols.py" "$ORD" "$TMP"/pf.*.txt > "$TMP/faults.order"
cat "$TMP/order12" "$TMP/faults.order" | awk '!seen[$0]++' > "$HERE/skiff.order"
wc -l "$HERE/skiff.order"
rm -rf "$TMP"

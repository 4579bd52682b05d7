#!/usr/bin/env bash
# Record which functions of BINARY run during startup, idle and a few kubectl requests
# (cpu-clock samples with frame-pointer call chains + every page fault), and write a
# symbol ordering file (first-seen order, mangled names) for `ld.lld --symbol-ordering-file`.
# usage: profile-order.sh BINARY OUT.order [RUNS] [PORT]
set -euo pipefail
source "$(dirname "$0")/requests.sh"
BIN=$(readlink -f "$1"); OUT=$2; RUNS=${3:-3}; PORT=${4:-36443}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d /tmp/rssprof.XXXX)
for r in $(seq 1 "$RUNS"); do
  D=$(mktemp -d /tmp/rssdata.XXXX)
  perf record -q -o "$TMP/perf.$r" -e cpu-clock/freq=20000/ -e page-faults/period=1/ --call-graph fp -- \
    "$BIN" server --data-dir "$D" --disable-agent --bind-address 127.0.0.1 --https-listen-port "$PORT" \
    --etcd-listen "$D/etcd.sock" --write-kubeconfig "$D/kc.yaml" --disable-snapshots >"$D/log" 2>&1 &
  PERFPID=$!
  for i in $(seq 1 240); do
    [ -f "$D/kc.yaml" ] && kubectl --kubeconfig "$D/kc.yaml" get --raw /readyz >/dev/null 2>&1 && break; sleep 0.5; done
  sleep 15
  rss_requests "$D/kc.yaml" "$r"
  kubectl --kubeconfig "$D/kc.yaml" get --raw /api/v1/namespaces/default/configmaps?watch=1\&timeoutSeconds=2 >/dev/null 2>&1 || true
  sleep 3
  SPID=$(pgrep -P "$PERFPID" -x skiff || true)   # the server, child of this perf
  [ -n "$SPID" ] && kill "$SPID"
  wait "$PERFPID" || true
  perf script -i "$TMP/perf.$r" -F ip,sym,dso --no-demangle 2>/dev/null > "$TMP/script.$r" || \
  perf script -i "$TMP/perf.$r" -F ip,sym,dso > "$TMP/script.$r"
  rm -rf "$D"
done
python3 "$HERE/make-order.py" "$BIN" "$TMP"/script.* > "$OUT"
wc -l "$OUT"
rm -rf "$TMP"

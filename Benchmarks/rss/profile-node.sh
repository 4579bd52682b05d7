#!/usr/bin/env bash
# Adds the functions a datastore-only server (`--disable-apiserver`, the etcd API under etcdctl)
# and a standalone agent (joining, idle, ten pods, their deletion) run to skiff.order, after the
# API server's (profile-order.sh / generate-order.sh), so that their code is laid out together too.
# Needs root, perf, etcdctl, kubectl and a release build (.build-release: skiff, podstartup-bench)
# made with -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections.
#   Benchmarks/rss/profile-node.sh [BINARY]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
BIN=$(readlink -f "${1:-$ROOT/.build-release/release/skiff}")
TMP=$(mktemp -d /tmp/skiffnode.XXXX)
trap 'rm -rf "$TMP"' EXIT
record() { exec perf record -q -o "$1" -e cpu-clock/freq=20000/ -e page-faults/period=1/ --call-graph fp -- "${@:2}"; }
script() { perf script -i "$1" -F ip,sym,dso --no-demangle 2>/dev/null > "$1.txt" || true; }

# The datastore-only server under etcdctl.
for run in 1 2; do
  D=$(mktemp -d /tmp/rssdata.XXXX)
  port=$((30000 + RANDOM % 10000))
  record "$TMP/datastore.$run" "$BIN" server --data-dir "$D" --disable-apiserver --disable-snapshots \
    --etcd-listen "127.0.0.1:$port" >"$D/log" 2>&1 &
  perfpid=$!
  e() { etcdctl --endpoints "127.0.0.1:$port" "$@"; }
  for _ in $(seq 1 240); do e endpoint health >/dev/null 2>&1 && break; sleep 0.5; done
  sleep 15
  for i in $(seq 1 100); do e put "/registry/bench/k$i" "value-$i-$run" >/dev/null; done
  for i in $(seq 1 100); do e get "/registry/bench/k$i" >/dev/null; done
  e get /registry/bench/ --prefix --keys-only >/dev/null
  e get /registry/bench/ --prefix --limit 10 --rev 5 >/dev/null
  e txn <<<$'value("/registry/bench/k1") = "value-1-'"$run"$'"\n\nput /registry/bench/t ok\n\n' >/dev/null || true
  lease=$(e lease grant 30 | awk '{print $2}')
  e put /registry/bench/leased x --lease "$lease" >/dev/null
  e lease keep-alive --once "$lease" >/dev/null
  e lease timetolive "$lease" --keys >/dev/null
  e lease revoke "$lease" >/dev/null
  timeout 3 etcdctl --endpoints "127.0.0.1:$port" watch /registry/bench/ --prefix >/dev/null 2>&1 &
  sleep 0.5
  for i in $(seq 1 10); do e put "/registry/bench/w$i" x >/dev/null; done
  wait $! || true
  e del /registry/bench/ --prefix >/dev/null
  e compaction "$(e endpoint status -w json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Status"]["header"]["revision"])')" >/dev/null
  e member list >/dev/null; e endpoint status >/dev/null; e alarm list >/dev/null
  sleep 3
  kill "$(pgrep -P "$perfpid" -x "$(basename "$BIN")")"; wait "$perfpid" || true
  script "$TMP/datastore.$run"
  rm -rf "$D"
done

# The agent, through agent-rss.sh, with perf as the agent's parent.
cat >"$TMP/skiff" <<SH
#!/bin/sh
if [ "\$1" = agent ]; then exec perf record -q -o "$TMP/agent.1" -e cpu-clock/freq=20000/ -e page-faults/period=1/ --call-graph fp -- "$BIN" "\$@"; fi
exec "$BIN" "\$@"
SH
chmod +x "$TMP/skiff"
SKIFF_BIN="$TMP/skiff" "$ROOT/Benchmarks/podstartup/agent-rss.sh" >/dev/null
script "$TMP/agent.1"

python3 "$HERE/make-order.py" "$BIN" "$TMP"/datastore.*.txt > "$TMP/datastore.order"
python3 "$HERE/make-order.py" "$BIN" "$TMP"/agent.*.txt > "$TMP/agent.order"
cp "$TMP/datastore.order" "$TMP/agent.order" "${KEEP:-$TMP}/" 2>/dev/null || true
python3 "$HERE/merge-order.py" "$HERE/skiff.order" "$TMP/datastore.order" "$TMP/agent.order" > "$TMP/merged.order"
mv "$TMP/merged.order" "$HERE/skiff.order"
wc -l "$HERE/skiff.order"

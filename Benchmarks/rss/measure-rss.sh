#!/usr/bin/env bash
# Measure the resident memory of an idle `skiff server` and after a few kubectl requests.
# usage: measure-rss.sh BINARY [RUNS] [PORT]
# MODE=datastore measures `skiff server --disable-apiserver` (datastore and etcd API only) instead,
# with 100 etcdctl puts and 100 gets as the requests.
# Prints one line per run: idle_rss idle_anon idle_text(r-xp of binary) idle_file | after_rss after_anon after_text after_file (KiB)
set -euo pipefail
source "$(dirname "$0")/requests.sh"
BIN=$(readlink -f "$1"); RUNS=${2:-3}; PORT=${3:-36443}
# 45 s idle by default: skiff pages its executable out after its first quiet 30-second window.
IDLE=${IDLE:-45}; NREQ=${NREQ:-20}
kb() { awk -v k="$1" '$1==k":"{print $2}' /proc/$2/status; }
text_rss() { # Rss of the executable's r-xp mapping(s)
  awk -v bin="$BIN" '/^[0-9a-f]+-[0-9a-f]+ /{m=($2 ~ /x/ && $6==bin)} m && /^Rss:/{s+=$2} END{print s+0}' /proc/$1/smaps; }
ro_rss() { # Rss of the executable's non-executable mappings
  awk -v bin="$BIN" '/^[0-9a-f]+-[0-9a-f]+ /{m=($2 !~ /x/ && $6==bin)} m && /^Rss:/{s+=$2} END{print s+0}' /proc/$1/smaps; }
snap() { echo "$(kb VmRSS $1) $(kb RssAnon $1) $(text_rss $1) $(ro_rss $1)"; }
for r in $(seq 1 "$RUNS"); do
  D=$(mktemp -d /tmp/rssdata.XXXX)
  # Same page-cache state every run: drop the binary's cached pages, then read it sequentially
  # (readahead puts it in large folios, as after an install; fault-around maps whole cached folios).
  sync "$BIN"; python3 -c 'import os,sys; fd=os.open(sys.argv[1],os.O_RDONLY); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)' "$BIN"
  cat "$BIN" > /dev/null
  if [ "${MODE:-}" = datastore ]; then
    "$BIN" server --data-dir "$D" --disable-apiserver --etcd-listen "127.0.0.1:$PORT" --disable-snapshots >"$D/log" 2>&1 &
    PID=$!
    for i in $(seq 1 120); do etcdctl --endpoints "127.0.0.1:$PORT" endpoint health >/dev/null 2>&1 && break; sleep 0.5; done
  else
    "$BIN" server --data-dir "$D" --disable-agent --bind-address 127.0.0.1 --https-listen-port "$PORT" \
      --etcd-listen "$D/etcd.sock" --write-kubeconfig "$D/kc.yaml" --disable-snapshots >"$D/log" 2>&1 &
    PID=$!
    for i in $(seq 1 120); do
      [ -f "$D/kc.yaml" ] && kubectl --kubeconfig "$D/kc.yaml" get --raw /readyz >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  sleep "$IDLE"
  A=$(snap $PID)
  if [ "${MODE:-}" = datastore ]; then
    for i in $(seq 1 100); do etcdctl --endpoints "127.0.0.1:$PORT" put "/registry/k$i" "v$r" >/dev/null; done
    for i in $(seq 1 100); do etcdctl --endpoints "127.0.0.1:$PORT" get "/registry/k$i" >/dev/null; done
  else
    rss_requests "$D/kc.yaml" "$r"
  fi
  sleep 3
  B=$(snap $PID)
  echo "$A | $B"
  kill $PID; wait $PID 2>/dev/null || true
  rm -rf "$D"
done

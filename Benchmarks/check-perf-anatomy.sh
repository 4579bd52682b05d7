#!/usr/bin/env bash
# Where one `etcdctl check perf` run spends its time, against etcd 3.4 or a skiff binary:
# writes/s and the slowest request; CPU per put of the server and of etcdctl (process CPU time
# over the run / puts); and, every half second for 10 s in mid-run, how many of the 500 or 1,000
# connections hold bytes not yet read, on the server's side (requests waiting for the server)
# and on etcdctl's (answers waiting for the client). When both stay near zero while the writer
# holds a few dozen puts, the other clients are idle, waiting on etcdctl's single generator.
#
#   sudo Benchmarks/check-perf-anatomy.sh etcd|PATH-TO-SKIFF [load]     # default load: l
set -euo pipefail

server=$1
load=${2:-l}
port=23795
work=$(mktemp -d /tmp/skiff-anatomy.XXXXXX)
source "$(dirname "$0")/check-perf-server.sh"
trap 'stop_server; rm -rf "$work"' EXIT

start_server "$server"
sleep 3

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }
server_start=$(cpu_ticks "$pid")
etcdctl --endpoints "$url" check perf --load "$load" >"$work/out" 2>&1 &
client=$!
client_ticks=0
samples=()
tick=0
while kill -0 "$client" 2>/dev/null; do
  tick=$((tick + 1))
  client_ticks=$(cpu_ticks "$client" || echo "$client_ticks")
  if [ "$tick" -gt 50 ] && [ "$tick" -le 70 ]; then
    samples+=("$(ss -tnH state established | awk -v p=":$port" '
      $3 ~ p"$" && $1 > 0 { s++ } $4 ~ p"$" && $1 > 0 { c++ }
      END { printf "%d/%d", s, c }')")
  fi
  sleep 0.5
done
wait "$client" || true
server_end=$(cpu_ticks "$pid")

result=$(tr '\r' '\n' <"$work/out")
rate=$(grep -oE '[0-9]+ writes/s' <<<"$result" | grep -oE '[0-9]+' || echo 0)
slowest=$(grep -oE 'took( too long:)? [0-9.]+s' <<<"$result" | grep -oE '[0-9.]+' || echo "?")
hz=$(getconf CLK_TCK)
puts=$((rate * 60))
per_put() { awk -v t="$1" -v hz="$hz" -v n="$puts" 'BEGIN { if (n > 0) printf "%.0f", t / hz / n * 1e6; else print "?" }'; }
echo "$server $load: $rate writes/s, slowest ${slowest}s"
echo "CPU per put: server $(per_put $((server_end - server_start))) µs, etcdctl $(per_put "$client_ticks") µs"
echo "connections with unread bytes, server side/etcdctl side: ${samples[*]}"

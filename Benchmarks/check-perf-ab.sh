#!/usr/bin/env bash
# A/B of write throughput: `etcdctl check perf` against fresh servers, the two taking turns
# (A then B, then B then A, ...), so that the VM's drift over minutes (±5–15 %) falls on both.
# Each side is `etcd` or a skiff binary, optionally with VAR=VALUE settings for its environment.
# Prints every run, then each side's median writes/s and worst slowest request.
#
#   sudo Benchmarks/check-perf-ab.sh [-l load] [-r rounds] A B
#   sudo Benchmarks/check-perf-ab.sh -r 3 .build-release/release/skiff etcd
#   sudo Benchmarks/check-perf-ab.sh ./skiff-old "./skiff-new SKIFF_X=1"
set -euo pipefail

load=l
rounds=2
while getopts "l:r:" option; do
  case $option in
    l) load=$OPTARG ;;
    r) rounds=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { echo "usage: $0 [-l load] [-r rounds] A B" >&2; exit 2; }

port=23797
url=http://127.0.0.1:$port
export ETCDCTL_API=3
work=$(mktemp -d /tmp/skiff-ab.XXXXXX)
pid=""
stop_server() {
  [ -n "$pid" ] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  pid=""
}
trap 'stop_server; rm -rf "$work"' EXIT

# run SIDE LABEL: one check perf against a fresh server; appends "label rate slowest" to results.
run() {
  local words=($1) label=$2
  local binary=${words[0]} settings=("${words[@]:1}")
  rm -rf "$work/data"
  if [ "$binary" = etcd ]; then
    env "${settings[@]}" etcd --data-dir "$work/data" --listen-client-urls "$url" --advertise-client-urls "$url" \
      --listen-peer-urls http://127.0.0.1:$((port + 1)) >"$work/server.log" 2>&1 &
  else
    env "${settings[@]}" "$binary" server --disable-agent --bind-address 127.0.0.1 --data-dir "$work/data" \
      --etcd-listen 127.0.0.1:$port --https-listen-port $((port + 2)) >"$work/server.log" 2>&1 &
  fi
  pid=$!
  for _ in $(seq 1 100); do etcdctl --endpoints "$url" endpoint health >/dev/null 2>&1 && break; sleep 0.2; done
  sleep 3
  etcdctl --endpoints "$url" check perf --load "$load" >"$work/out" 2>&1 || true
  stop_server
  local rate slowest
  rate=$(tr '\r' '\n' <"$work/out" | grep -oE '[0-9]+ writes/s' | tail -1 | cut -d' ' -f1)
  slowest=$(tr '\r' '\n' <"$work/out" | grep -oE 'Slowest request took( too long:)? [0-9.]+s' | grep -oE '[0-9.]+s$' | tr -d s)
  echo "$label ($1): ${rate:-?} writes/s, slowest ${slowest:-?} s"
  echo "$label ${rate:-0} ${slowest:-0}" >>"$work/results"
}

for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then run "$1" A; run "$2" B; else run "$2" B; run "$1" A; fi
done

for label in A B; do
  awk -v l=$label '$1 == l { print $2, $3 }' "$work/results" | sort -n | awk -v l=$label '
    { rate[NR] = $1; if ($2 > worst) worst = $2 }
    END {
      median = NR % 2 ? rate[(NR + 1) / 2] : (rate[NR / 2] + rate[NR / 2 + 1]) / 2
      printf "%s: median %d writes/s over %d runs, slowest %.3f s\n", l, median, NR, worst
    }'
done

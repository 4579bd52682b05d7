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
work=$(mktemp -d /tmp/skiff-ab.XXXXXX)
source "$(dirname "$0")/check-perf-server.sh"
trap 'stop_server; rm -rf "$work"' EXIT

# run "BINARY [VAR=VALUE ...]" LABEL: one check perf against a fresh server; appends
# "label rate slowest" to the results.
run() {
  local words
  read -ra words <<<"$1"
  start_server "${words[@]}"
  sleep 3
  etcdctl --endpoints "$url" check perf --load "$load" >"$work/out" 2>&1 || true
  stop_server
  local rate slowest
  rate=$(tr '\r' '\n' <"$work/out" | grep -oE '[0-9]+ writes/s' | tail -1 | cut -d' ' -f1 || true)
  slowest=$(tr '\r' '\n' <"$work/out" | grep -oE 'took( too long:)? [0-9.]+s' | grep -oE '[0-9.]+' | tail -1 || true)
  echo "$2 ($1): ${rate:-?} writes/s, slowest ${slowest:-?} s"
  echo "$2 ${rate:-0} ${slowest:-0}" >>"$work/results"
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

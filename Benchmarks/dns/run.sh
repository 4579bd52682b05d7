#!/bin/sh
# Cluster DNS queries per second on one core: skiff's in-process server vs Debian's unbound
# serving the same records as local-data, both pinned to CPU 0, dnsperf pinned to CPU 1.
#   Benchmarks/dns/run.sh [services] [seconds]
# Needs: unbound dnsperf (apt), a release build: swift build -c release --product dns-bench
# (or with --static-swift-stdlib --scratch-path .build-release)
set -eu
services=${1:-1000}
seconds=${2:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=$root/.build/release/dns-bench
# The static release build the other benchmarks use, when that is the one present.
[ -x "$bench" ] || bench=$root/.build-release/release/dns-bench
work=$(mktemp -d)
skiff_port=${SKIFF_PORT:-15353}
unbound_port=${UNBOUND_PORT:-15354}
"$bench" files "$work" "$unbound_port" "$services"

cpu() { # pid -> user+system clock ticks so far
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

run() { # name port pid
  before=$(cpu "$3")
  out=$(taskset -c 1 dnsperf -s 127.0.0.1 -p "$2" -d "$work/queries.txt" -l "$seconds" -c 4 -q 200 -S 0 2>&1)
  ticks=$(( $(cpu "$3") - before ))
  # Queries answered per second of server CPU: fair even when dnsperf, not the server, saturates.
  echo "$out" | awk -v name="$1" -v ticks="$ticks" -v hz="$(getconf CLK_TCK)" '
    /Queries completed/ { done=$3 } /Queries per second/ { qps=$4 } /Queries lost/ { lost=$3 }
    /Average Latency/ { lat=$4 }
    END { printf "%-8s qps %.0f per-cpu-second %.0f cpu %.1fs lost %s avg-latency %ss\n", name, qps,
      done / (ticks / hz), ticks / hz, lost, lat }'
}

taskset -c 0 "$bench" serve "$skiff_port" "$services" & skiff_pid=$!
taskset -c 0 unbound -c "$work/unbound.conf" & unbound_pid=$!
trap 'kill $skiff_pid $unbound_pid 2>/dev/null; rm -rf "$work"' EXIT
sleep 2
dig @127.0.0.1 -p "$skiff_port" +short svc-1.default.svc.cluster.local >/dev/null
dig @127.0.0.1 -p "$unbound_port" +short svc-1.default.svc.cluster.local >/dev/null
skiff=$(run skiff "$skiff_port" "$skiff_pid")
unbound=$(run unbound "$unbound_port" "$unbound_pid")
echo "$skiff"
echo "$unbound"
echo "$skiff $unbound" | awk '{ printf "ratio skiff/unbound: qps %.2f, per-cpu-second %.2f\n", $3 / $14, $5 / $16 }'

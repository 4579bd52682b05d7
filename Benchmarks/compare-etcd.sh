#!/usr/bin/env bash
# Side-by-side datastore benchmark: the same load, from the same clients, in one run, against
#   etcd 3.4 (Debian etcd-server), skiff on SQLite, and skiff on PostgreSQL (if it can start one).
# Writes: `etcdctl check perf` at each load (60 s each). Reads: etcd-bench get (16 clients,
# 10 s) and list of a 10,000-key prefix (100 times timed to the last byte, 100 times with the
# client's decoding). Also skiff's idle RSS with only the datastore running. Prints a markdown
# table for BENCHMARKS.md.
#
#   sudo Benchmarks/compare-etcd.sh [loads…]        # default: m l xl
#   SKIFF_BENCH_ROUNDS=3 sudo Benchmarks/compare-etcd.sh l xl   # each write load three times per server
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -gt 0 ] && loads=("$@") || loads=(m l xl)
rounds=${SKIFF_BENCH_ROUNDS:-1}
export ETCDCTL_API=3

for package in etcd-server etcd-client postgresql; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null; }
done
scratch=${SKIFF_BENCH_SCRATCH:-.build-release}
# Built as install.sh builds it (functions in sections, laid out by Benchmarks/rss/skiff.order).
# Quiet builds, but a failed one shows why instead of ending the run without a word.
flags=(-c release --static-swift-stdlib --scratch-path "$scratch" -Xswiftc -Xfrontend -Xswiftc -function-sections
  -Xcc -ffunction-sections)
for product in skiff etcd-bench; do
  log=$(swift build "${flags[@]}" --product "$product" 2>&1) \
    || { echo "$log" >&2; echo "building $product failed" >&2; exit 1; }
done
bin=$(swift build "${flags[@]}" --show-bin-path)

work=$(mktemp -d /tmp/skiff-bench.XXXXXX)
pids=()
pg_bin=""
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "$pg_bin" ] && runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

wait_healthy() {
  for _ in $(seq 1 100); do
    etcdctl --endpoints "$1" endpoint health >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "$1 did not become healthy" >&2
  return 1
}

etcd --data-dir "$work/etcd" --listen-client-urls http://127.0.0.1:23790 \
  --advertise-client-urls http://127.0.0.1:23790 --listen-peer-urls http://127.0.0.1:23800 \
  >"$work/etcd.log" 2>&1 &
pids+=($!)
# Each server with its own API port and no embedded agent: two run side by side.
server=(server --disable-agent --bind-address 127.0.0.1)
"$bin/skiff" "${server[@]}" --data-dir "$work/sqlite" --etcd-listen 127.0.0.1:23791 --https-listen-port 26443 \
  --write-kubeconfig "$work/sqlite.yaml" >"$work/sqlite.log" 2>&1 &
sqlite_pid=$!
pids+=($sqlite_pid)
endpoints=("etcd http://127.0.0.1:23790" "skiff-sqlite http://127.0.0.1:23791")

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ "$(id -u)" -eq 0 ] && [ -n "$pg_bin" ]; then
  chown postgres "$work"
  runuser -u postgres -- "$pg_bin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p 25432 -k $work -c max_connections=100" start >/dev/null
  "$bin/skiff" "${server[@]}" --data-dir "$work/pgserver" --etcd-listen 127.0.0.1:23792 --https-listen-port 26444 \
    --write-kubeconfig "$work/pgserver.yaml" --datastore-endpoint "postgres://postgres@127.0.0.1:25432/postgres?sslmode=disable" >"$work/pgserver.log" 2>&1 &
  pids+=($!)
  endpoints+=("skiff-postgres http://127.0.0.1:23792")
else
  pg_bin=""
fi
for entry in "${endpoints[@]}"; do wait_healthy "${entry#* }"; done

sleep 3
idle_rss=$(awk '/VmRSS/{print $2}' /proc/$sqlite_pid/status)
echo "skiff server idle RSS (SQLite, --disable-agent): $((idle_rss / 1024)) MB"

# After each load, as an operator (or Kubernetes' compactor) would: delete its keys, compact
# away their history and defragment, so the next load meets neither a grown file nor, on etcd,
# its 2 GB quota (which a second round otherwise reaches).
reclaim() {
  etcdctl --endpoints "$1" --command-timeout 120s del /etcdctl-check-perf/ --prefix >/dev/null 2>&1 || true
  local revision
  revision=$(etcdctl --endpoints "$1" endpoint status -w json | grep -oE '"revision":[0-9]+' | head -n 1 | cut -d: -f2)
  etcdctl --endpoints "$1" --command-timeout 300s compaction --physical "$revision" >/dev/null
  etcdctl --endpoints "$1" --command-timeout 300s defrag >/dev/null
}
# Write loads go round by round and load by load, the servers taking turns (the order reversed
# every other round), so that each server meets the machine in the same state: on a shared VM
# the same server's rate drifts by ±15 % within an hour. Each figure is the median over the
# rounds; the slowest request is the worst of them.
declare -A result runs
for round in $(seq 1 "$rounds"); do
  order=("${endpoints[@]}")
  if ((round % 2 == 0)); then
    order=()
    for ((i = ${#endpoints[@]} - 1; i >= 0; i--)); do order+=("${endpoints[i]}"); done
  fi
  for load in "${loads[@]}"; do
    for entry in "${order[@]}"; do
      name=${entry%% *}
      url=${entry#* }
      out=$(etcdctl --endpoints "$url" check perf --load "$load" 2>&1 | tr '\r' '\n' | grep -E '^(PASS|FAIL|Slowest|Stddev)' || true)
      throughput=$(grep -oE 'Throughput[^0-9]*[0-9]+' <<<"$out" | grep -oE '[0-9]+$' || echo 0)
      slowest=$(grep -oE 'Slowest request took( too long:)? [0-9.]+' <<<"$out" | grep -oE '[0-9.]+$' || true)
      [ -n "$slowest" ] || slowest=$(grep -oE 'took too long: [0-9.]+' <<<"$out" | grep -oE '[0-9.]+$' || echo "?")
      runs[$name,$load]+="$throughput $slowest "
      echo "round $round: $name check perf $load: $throughput writes/s, slowest ${slowest}s, $(tail -n 1 <<<"$out")"
      reclaim "$url"
    done
  done
done
# "writes/s slowest" over the rounds: the median rate, the worst slowest request.
summary() {
  xargs -n 2 <<<"$1" | sort -n | awk '{ rate[NR] = $1; if ($2 + 0 > worst + 0 || NR == 1) worst = $2 }
    END { m = (NR % 2) ? rate[(NR + 1) / 2] : (rate[NR / 2] + rate[NR / 2 + 1]) / 2; printf "%d %s", m, worst }'
}
for key in "${!runs[@]}"; do result[$key]=$(summary "${runs[$key]}"); done
for entry in "${endpoints[@]}"; do
  name=${entry%% *}
  url=${entry#* }
  get=$("$bin/etcd-bench" --endpoint "$url" get --clients 16 --seconds 10 || echo "get failed")
  list=$("$bin/etcd-bench" --endpoint "$url" list --keys 10000 --iterations 100 || echo "list failed")
  decoded=$("$bin/etcd-bench" --endpoint "$url" list --keys 10000 --iterations 100 --decode || echo "list failed")
  result[$name,get]=$get
  result[$name,list]=$list
  result[$name,decoded]=$decoded
  echo "$name $get"
  echo "$name $list"
  echo "$name $decoded"
done

field() { grep -oE "$2=[0-9.]+" <<<"$1" | cut -d= -f2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo
echo "| benchmark | etcd 3.4 | skiff SQLite | ratio | skiff PostgreSQL | ratio |"
echo "|---|---|---|---|---|---|"
for load in "${loads[@]}"; do
  read -r e_tp e_slow <<<"${result[etcd,$load]}"
  read -r s_tp s_slow <<<"${result[skiff-sqlite,$load]}"
  read -r p_tp p_slow <<<"${result[skiff-postgres,$load]:-0 n/a}"
  echo "| check perf $load: writes/s | $e_tp | $s_tp | $(ratio "$s_tp" "$e_tp") | $p_tp | $(ratio "$p_tp" "$e_tp") |"
  echo "| check perf $load: slowest (s) | $e_slow | $s_slow | | $p_slow | |"
done
for kind in get list decoded; do
  label=$kind
  [ "$kind" = list ] && label="list 10,000 keys (to the last byte)"
  [ "$kind" = decoded ] && label="list 10,000 keys (decoded by the client)"
  e=${result[etcd,$kind]}
  s=${result[skiff-sqlite,$kind]}
  p=${result[skiff-postgres,$kind]:-}
  for metric in rps p50_ms p99_ms; do
    [ "$kind" != get ] && [ "$metric" = rps ] && continue
    echo "| $label: $metric | $(field "$e" $metric) | $(field "$s" $metric) | $(ratio "$(field "$s" $metric)" "$(field "$e" $metric)") | $(field "$p" $metric) | $(ratio "$(field "$p" $metric)" "$(field "$e" $metric)") |"
  done
done
echo "| idle RSS (MB) | | $((idle_rss / 1024)) | | | |"

# Sourced by the check-perf scripts: starts etcd 3.4 or `skiff server` (datastore and API server,
# no agent) on loopback, and stops it. Expects `port` and `work` to be set; sets `url` and `pid`.

export ETCDCTL_API=3
url=http://127.0.0.1:$port
pid=""

# start_server etcd|PATH-TO-SKIFF [VAR=VALUE ...]: a fresh server in $work/data, once healthy.
start_server() {
  local binary=$1
  shift
  rm -rf "$work/data"
  if [ "$binary" = etcd ]; then
    env "$@" etcd --data-dir "$work/data" --listen-client-urls "$url" --advertise-client-urls "$url" \
      --listen-peer-urls http://127.0.0.1:$((port + 1)) >"$work/server.log" 2>&1 &
  else
    env "$@" "$binary" server --disable-agent --bind-address 127.0.0.1 --data-dir "$work/data" \
      --etcd-listen 127.0.0.1:$port --https-listen-port $((port + 2)) >"$work/server.log" 2>&1 &
  fi
  pid=$!
  for _ in $(seq 1 100); do etcdctl --endpoints "$url" endpoint health >/dev/null 2>&1 && break; sleep 0.2; done
}

stop_server() {
  [ -n "$pid" ] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  pid=""
}

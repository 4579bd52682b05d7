#!/usr/bin/env bash
# Pod-to-pod TCP throughput (iperf3) over skiff's pod network, relative to loopback: two pods
# on one node (veth -> skiff0 -> veth) and two pods on two nodes (over the overlay). Each node
# is a `skiff server` / `skiff agent` in a network namespace this script creates, joined by a
# veth "LAN" (MTU 1500); iperf3 runs from the host's binary inside the pods' namespaces.
# Everything it creates is removed on exit. Run as root; needs iproute2, iperf3, busybox-static.
#   Benchmarks/podnetwork/run.sh [backend=vxlan|host-gw] [seconds=5]
# SKIFF=path/to/skiff picks the binary (default: .build/release/skiff, else .build/debug/skiff).
set -euo pipefail
cd "$(dirname "$0")/../.."
backend=${1:-vxlan}
seconds=${2:-5}
skiff=${SKIFF:-}
if [ -z "$skiff" ]; then
  for candidate in .build-release/release/skiff .build/release/skiff .build/debug/skiff; do
    [ -x "$candidate" ] && skiff=$candidate && break
  done
fi
[ -x "$skiff" ] || { echo "build skiff first (swift build --product skiff)" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "needs iperf3 (apt-get install iperf3)" >&2; exit 1; }
skiff=$(realpath "$skiff")

tag=skbench$((RANDOM % 10000))
dir=$(mktemp -d /tmp/skiff-podnetwork-XXXXXX)
server_pid=""
agent_pid=""
loop_pid=""
pod_pid=""
cleanup() {
  set +e
  for pid in $loop_pid $pod_pid; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  if [ -n "$server_pid" ]; then
    nsenter --net=/run/netns/$tag-0 kubectl --kubeconfig "$dir/kubeconfig.yaml" delete pod --all --wait=true --timeout=60s >/dev/null 2>&1
  fi
  for pid in $agent_pid $server_pid; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  for ns in "$tag-1" "$tag-0" "$tag-lan"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$dir"
}
trap cleanup EXIT

ip netns add "$tag-lan"
ip -n "$tag-lan" link add lan type bridge
ip -n "$tag-lan" link set lan up
for i in 0 1; do
  ip netns add "$tag-$i"
  ip -n "$tag-$i" link set lo up
  ip -n "$tag-$i" link add lan0 type veth peer name "port$i" netns "$tag-lan"
  ip -n "$tag-$i" addr add "192.168.77.$((i + 1))/24" dev lan0
  ip -n "$tag-$i" link set lan0 up
  ip -n "$tag-lan" link set "port$i" master lan up
  mkdir -p "$dir/node$i/agent/images"
done
image=$dir/busybox.tar
python3 Benchmarks/podnetwork/image.py "$image"
cp "$image" "$dir/node0/agent/images/"
cp "$image" "$dir/node1/agent/images/"

export SKIFF_CONFIG_FILE=/dev/null
nsenter --net=/run/netns/$tag-0 "$skiff" server --data-dir "$dir/node0" --node-name bench-0 --node-ip 192.168.77.1 \
  --write-kubeconfig "$dir/kubeconfig.yaml" --network-backend "$backend" --cleanup-network-on-exit \
  --etcd-listen "" >"$dir/server.log" 2>&1 &
server_pid=$!
kc() { nsenter --net=/run/netns/$tag-0 kubectl --kubeconfig "$dir/kubeconfig.yaml" "$@"; }
for _ in $(seq 1 240); do
  [ -f "$dir/node0/server/token" ] && kc get --raw /readyz >/dev/null 2>&1 && break
  sleep 0.5
done
nsenter --net=/run/netns/$tag-1 "$skiff" agent --server https://192.168.77.1:6443 --token "$(cat "$dir/node0/server/token")" \
  --data-dir "$dir/node1" --node-name bench-1 --node-ip 192.168.77.2 --network-backend "$backend" \
  --cleanup-network-on-exit >"$dir/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 1 240); do
  [ "$(kc get nodes -o jsonpath='{range .items[*]}{.metadata.annotations.skiff\.io/backend}{" "}{end}' 2>/dev/null)" = "$backend $backend " ] && break
  sleep 0.5
done

pod() {
  cat <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  nodeName: $2
  terminationGracePeriodSeconds: 0
  containers:
  - {name: sleep, image: docker.io/library/busybox:bench, imagePullPolicy: Never, command: [sleep, "3600"]}
---
YAML
}
{ pod server bench-0; pod local bench-0; pod remote bench-1; } | kc apply -f - >/dev/null
kc wait --for=condition=Ready pod/server pod/local pod/remote --timeout=180s >/dev/null
ip_of() { kc get pod "$1" -o jsonpath='{.status.podIP}'; }
netns_of() {
  local uid node
  uid=$(kc get pod "$1" -o jsonpath='{.metadata.uid}')
  node=$2
  echo "/proc/$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$dir/node$node/agent/sandboxes/$uid/sandbox.json")/ns/net"
}
if [ -n "${DEBUG:-}" ]; then for p in server local remote; do echo "== $p"; nsenter "--net=$(netns_of $p $([ $p = remote ] && echo 1 || echo 0))" sh -c "ip addr; ip route"; done; kc get pods -o wide; ip -n $tag-0 -o link; grep -i "network\|error" $dir/server.log | tail -20; fi
server_ip=$(ip_of server)

throughput() { # <client netns path or ""> <server ip> <port>
  local enter=()
  [ -n "$1" ] && enter=(nsenter "--net=$1")
  "${enter[@]}" iperf3 -c "$2" -p "$3" -t "$seconds" -J | python3 -c '
import json, sys
report = json.load(sys.stdin)
if "error" in report: sys.exit("iperf3: " + report["error"])
print("%.2f" % (report["end"]["sum_received"]["bits_per_second"] / 1e9))'
}

# Loopback reference: an iperf3 pair on the LAN namespace's loopback (same kernel, no host interfaces).
ip netns exec "$tag-lan" ip link set lo up
ip netns exec "$tag-lan" iperf3 -s -p 5201 >/dev/null 2>&1 &
loop_pid=$!
# nsenter without --fork execs iperf3: $! is the server itself.
nsenter "--net=$(netns_of server 0)" iperf3 -s -p 5202 >/dev/null 2>&1 &
pod_pid=$!
sleep 0.5
echo "loopback..." >&2; loopback=$(throughput /run/netns/$tag-lan 127.0.0.1 5201)
echo "bridge..." >&2; bridge=$(throughput "$(netns_of local 0)" "$server_ip" 5202)
echo "overlay..." >&2; overlay=$(throughput "$(netns_of remote 1)" "$server_ip" 5202)
mtu=$(nsenter "--net=$(netns_of remote 1)" ip -o link show eth0 | grep -o 'mtu [0-9]*' | cut -d' ' -f2)
echo "backend $backend, ${seconds}s per run, pod MTU $mtu, skiff $skiff"
printf "%-34s %8s Gbit/s\n" "loopback (reference)" "$loopback"
printf "%-34s %8s Gbit/s  (%s of loopback)\n" "pod -> pod, same node (skiff0)" "$bridge" \
  "$(python3 -c "print('%.0f%%' % (100 * $bridge / $loopback))")"
printf "%-34s %8s Gbit/s  (%s of loopback)\n" "pod -> pod, two nodes ($backend)" "$overlay" \
  "$(python3 -c "print('%.0f%%' % (100 * $overlay / $loopback))")"

#!/usr/bin/env bash
# Registry pull time: `skiff ctr images pull` (download, verify, unpack) against
# `skopeo copy` to a local dir (download and verify only) of the same image from a
# docker-registry on loopback. Needs docker-registry, skopeo and busybox-static.
#   Benchmarks/runtime/pull.sh [runs]          # default 5; SKIFF=path/to/skiff to skip the release build
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
for tool in docker-registry skopeo busybox python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install docker-registry skopeo busybox-static" >&2; exit 1; }
done
if [ -z "${SKIFF:-}" ]; then
  swift build -c release --scratch-path .build-rel --product skiff >/dev/null
  SKIFF="$(swift build -c release --scratch-path .build-rel --show-bin-path)/skiff"
fi
work=$(mktemp -d /tmp/skiff-pull-bench.XXXXXX)
registry_pid=""
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null && wait "$registry_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/config.yml" <<YAML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/storage}}
http: {addr: 127.0.0.1:$port, secret: bench}
YAML
docker-registry serve "$work/config.yml" >/dev/null 2>&1 &
registry_pid=$!
: >"$work/registries.yaml"
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done

# An OCI layout: busybox and its applets (gzip), optionally plus a layer of random bytes.
make_image() { # name extra-MiB
  local dir="$work/$1" rootfs="$work/$1-rootfs" layers=() diffs=()
  mkdir -p "$dir/blobs/sha256" "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp"
  cp "$(command -v busybox)" "$rootfs/bin/busybox"
  for applet in $(busybox --list); do [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"; done
  tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -cf "$work/$1-base.tar" .
  local tars=("$work/$1-base.tar")
  if [ "$2" -gt 0 ]; then
    mkdir -p "$work/$1-extra/data"
    head -c "$(($2 << 20))" /dev/urandom >"$work/$1-extra/data/random.bin"
    tar -C "$work/$1-extra" --numeric-owner --owner=0 --group=0 -cf "$work/$1-extra.tar" .
    tars+=("$work/$1-extra.tar")
  fi
  for tar in "${tars[@]}"; do
    diffs+=("\"sha256:$(sha256sum "$tar" | cut -d' ' -f1)\"")
    gzip -n -1 -c "$tar" >"$tar.gz"
    local digest size
    digest=$(sha256sum "$tar.gz" | cut -d' ' -f1)
    size=$(stat -c %s "$tar.gz")
    mv "$tar.gz" "$dir/blobs/sha256/$digest"
    layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$digest\",\"size\":$size}")
  done
  local arch
  arch=$(dpkg --print-architecture)
  printf '{"architecture":"%s","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
    "$arch" "$(IFS=,; echo "${diffs[*]}")" >"$work/$1-config.json"
  local config_digest config_size
  config_digest=$(sha256sum "$work/$1-config.json" | cut -d' ' -f1)
  config_size=$(stat -c %s "$work/$1-config.json")
  cp "$work/$1-config.json" "$dir/blobs/sha256/$config_digest"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
    "$config_digest" "$config_size" "$(IFS=,; echo "${layers[*]}")" >"$work/$1-manifest.json"
  local manifest_digest manifest_size
  manifest_digest=$(sha256sum "$work/$1-manifest.json" | cut -d' ' -f1)
  manifest_size=$(stat -c %s "$work/$1-manifest.json")
  cp "$work/$1-manifest.json" "$dir/blobs/sha256/$manifest_digest"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"1"}}]}' \
    "$manifest_digest" "$manifest_size" >"$dir/index.json"
  skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci:$dir:1" "docker://127.0.0.1:$port/bench/$1:1"
}

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "skiff: $SKIFF"
printf '%-22s %12s %12s %8s\n' image "skiff pull" "skopeo copy" ratio
for spec in busybox:0 busybox-64m:64; do
  name=${spec%%:*}
  extra=${spec##*:}
  make_image "$name" "$extra"
  ref="127.0.0.1:$port/bench/$name:1"
  skiff_times=() skopeo_times=()
  for _ in $(seq "$runs"); do
    rm -rf "$work/skiff-data" "$work/skopeo-dir"
    start=$(now)
    "$SKIFF" ctr images pull --data-dir "$work/skiff-data" --registry-config "$work/registries.yaml" "$ref" >/dev/null 2>&1
    skiff_times+=($((($(now) - start) / 1000000)))
    start=$(now)
    skopeo --insecure-policy copy --quiet --src-tls-verify=false "docker://$ref" "dir:$work/skopeo-dir"
    skopeo_times+=($((($(now) - start) / 1000000)))
  done
  skiff_ms=$(printf '%s\n' "${skiff_times[@]}" | median)
  skopeo_ms=$(printf '%s\n' "${skopeo_times[@]}" | median)
  size=$(du -sh "$work/skopeo-dir" | cut -f1)
  printf '%-22s %10sms %10sms %8s\n' "$name ($size)" "$skiff_ms" "$skopeo_ms" \
    "$(awk -v a="$skiff_ms" -v b="$skopeo_ms" 'BEGIN {printf "%.2f", a / b}')"
done
echo "median of $runs runs; skiff's time includes unpacking the layers into snapshots, skopeo's does not"

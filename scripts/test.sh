#!/usr/bin/env bash
# Runs skiff's whole test suite on a Debian machine: installs the packages the tests need,
# starts a throwaway PostgreSQL for the PostgreSQL tests (unless SKIFF_TEST_POSTGRES names
# one), runs `swift test`, and stops only the PostgreSQL it started.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libsqlite3-dev libseccomp-dev libzstd-dev zlib1g-dev pkg-config postgresql etcd-client etcd-server curl openssl busybox-static zstd gzip runc docker-registry skopeo python3 dpkg-dev lintian debootstrap iproute2 nftables conntrack util-linux iperf3 dnsutils unbound dnsperf)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]}; run as root (sudo $0) or install them" >&2
    exit 1
  fi
  echo "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The official Python client (v32 = Kubernetes 1.32) and the kopf operator framework, for the
# client-library compatibility tests.
if ! python3 -c 'import kubernetes' 2>/dev/null; then
  python3 -m pip install -q --disable-pip-version-check "kubernetes==32.0.1" >/dev/null 2>&1 ||
    echo "could not install the kubernetes Python client: its tests will be skipped" >&2
fi
if ! python3 -c 'import kopf' 2>/dev/null; then
  python3 -m pip install -q --disable-pip-version-check "kopf==1.45.2" >/dev/null 2>&1 ||
    echo "could not install kopf: the operator test will be skipped" >&2
fi

pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
trap cleanup EXIT

if [ -z "${SKIFF_TEST_POSTGRES:-}" ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ "$(id -u)" -eq 0 ] && [ -n "$pg_bin" ]; then
    pg_dir=$(mktemp -d /tmp/skiff-test-pg.XXXXXX)
    chown postgres "$pg_dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    runuser -u postgres -- "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres >/dev/null
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c fsync=on -c max_connections=300" start >/dev/null
    export SKIFF_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
    echo "PostgreSQL for tests on 127.0.0.1:$port"
  else
    echo "SKIFF_TEST_POSTGRES not set and cannot start PostgreSQL (needs root): PostgreSQL tests will be skipped" >&2
  fi
fi

swift build --build-tests
if [ $# -gt 0 ]; then
  swift test --skip-build "$@"
else
  # Four runs: the datastore's cross-server followers, the controllers' in-process clusters
  # (timing-sensitive, movable clocks) and the node end-to-end suites (real servers, agents,
  # containers, pod networks) each apart from everything else, so that the load of one does not
  # stretch another's timeouts on 2 cores.
  swift test --skip-build --skip 'KubeletTests\.|NetworkTests\.|ControllersTests\.|StoreTests\.'
  swift test --skip-build --filter 'StoreTests\.'
  swift test --skip-build --filter 'ControllersTests\.'
  swift test --skip-build --filter 'KubeletTests\.|NetworkTests\.'
fi

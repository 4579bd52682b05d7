#!/usr/bin/env bash
# Installs and starts skiff on this machine: builds the release binary from this checkout,
# installs it as /usr/local/bin/skiff, and starts `skiff server` (embedded SQLite datastore).
# Run as root. Re-running upgrades the binary and restarts the server; state is kept.
set -euo pipefail
cd "$(dirname "$0")"

if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh must run as root: sudo ./install.sh" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
need=()
for package in libsqlite3-dev libseccomp-dev libzstd-dev zlib1g-dev pkg-config etcd-client curl; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

command -v swift >/dev/null || { echo "the Swift toolchain is needed to build skiff (swift not on PATH)" >&2; exit 1; }
echo "building skiff (release)…"
swift build -c release --product skiff --static-swift-stdlib
install -m 0755 "$(swift build -c release --show-bin-path)/skiff" /usr/local/bin/skiff

install -d -m 0755 /etc/skiff
install -d -m 0700 /var/lib/skiff
[ -f /etc/skiff/config.yaml ] || install -m 0600 conf/config.yaml /etc/skiff/config.yaml

pidfile=/run/skiff.pid
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "stopping the running skiff server ($(cat "$pidfile"))"
  kill -TERM "$(cat "$pidfile")"
  while kill -0 "$(cat "$pidfile")" 2>/dev/null; do sleep 0.2; done
fi

if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  install -m 0644 packaging/systemd/skiff.service /etc/systemd/system/skiff.service
  systemctl daemon-reload
  systemctl enable --now skiff.service
  systemctl restart skiff.service
  echo "skiff server started by systemd (journalctl -u skiff)"
else
  nohup /usr/local/bin/skiff server >>/var/log/skiff.log 2>&1 &
  echo $! >"$pidfile"
  echo "skiff server started (pid $(cat "$pidfile"), log /var/log/skiff.log)"
fi

# Ready when the Kubernetes API answers /readyz with the admin certificate.
kubeconfig=/etc/skiff/skiff.yaml
for _ in $(seq 1 150); do
  if [ -f "$kubeconfig" ]; then
    tls=$(mktemp -d)
    for field in client-certificate-data:cert client-key-data:key; do
      grep "${field%%:*}" "$kubeconfig" | awk '{print $2}' | base64 -d >"$tls/${field##*:}"
    done
    if curl -sk --cert "$tls/cert" --key "$tls/key" https://127.0.0.1:6443/readyz 2>/dev/null | grep -qx ok; then
      rm -rf "$tls"
      echo "ready: kubectl --kubeconfig $kubeconfig get namespaces"
      echo "       ETCDCTL_API=3 etcdctl --endpoints unix:///var/lib/skiff/server/db/etcd.sock get /registry --prefix --keys-only"
      exit 0
    fi
    rm -rf "$tls"
  fi
  sleep 0.2
done
echo "skiff server did not become ready; see /var/log/skiff.log" >&2
exit 1

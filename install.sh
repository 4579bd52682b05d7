#!/usr/bin/env bash
# Installs skiff as a service: a server (SQLite inside, agent inside), or an agent joining a
# server when SKIFF_URL is set. K3s's install.sh conventions with skiff's names:
#
#   sudo ./install.sh                                         # server
#   sudo SKIFF_URL=https://10.0.0.1:6443 SKIFF_TOKEN=K10… ./install.sh   # agent
#   sudo ./install.sh --node-label site=north                 # extra arguments for the service
#
# Settings (environment):
#   SKIFF_URL, SKIFF_TOKEN, SKIFF_TOKEN_FILE   agent mode: the https server URL and join token
#   SKIFF_*, HTTP_PROXY, HTTPS_PROXY, NO_PROXY written to the service's env file (mode 0600)
#   INSTALL_SKIFF_EXEC        the service's command and flags ("server --debug", "agent", "--debug")
#   INSTALL_SKIFF_BIN         a skiff binary to install (otherwise dist/, INSTALL_SKIFF_URL, or a build)
#   INSTALL_SKIFF_URL         where to download the binary; <url>.sha256 is checked before anything changes
#   INSTALL_SKIFF_SKIP_START, INSTALL_SKIFF_SKIP_ENABLE   true: do not start / enable the service
#   INSTALL_SKIFF_FORCE_RESTART                           true: restart even when nothing changed
#   INSTALL_SKIFF_BIN_DIR (/usr/local/bin), INSTALL_SKIFF_SYSTEMD_DIR (/etc/systemd/system)
#   INSTALL_SKIFF_NAME        service name suffix: skiff-NAME.service
#
# Re-running is idempotent: the service restarts only when the binary, unit or env file changed.
# Without systemd (containers, CI) skiff is started in the background, logging to /var/log/.
set -euo pipefail

# --- What the service files say (also used by packaging/build-deb) -------------------------

# skiff_unit KIND BIN_DIR ENV_FILE EXEC_ARGS [DOCUMENTATION]: a systemd unit for `skiff server`
# or `skiff agent`.
skiff_unit() {
  local kind=$1 bin_dir=$2 env_file=$3 exec_args=$4 documentation=${5:-} description
  if [ "$kind" = server ]; then
    description="skiff server (lightweight Kubernetes: datastore, API server, controllers, node agent)"
  else
    description="skiff agent (lightweight Kubernetes node)"
  fi
  cat <<EOF
[Unit]
Description=$description${documentation:+
Documentation=$documentation}
Wants=network-online.target
After=network-online.target

[Install]
WantedBy=multi-user.target

[Service]
Type=notify
EnvironmentFile=-/etc/default/%N
EnvironmentFile=-/etc/sysconfig/%N
EnvironmentFile=-$env_file
ExecStartPre=-/sbin/modprobe br_netfilter
ExecStartPre=-/sbin/modprobe overlay
ExecStart=$bin_dir/skiff $exec_args
# Containers run under their own shims and must outlive a restart or upgrade of skiff.
KillMode=process
Delegate=yes
LimitNOFILE=1048576
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
TimeoutStartSec=0
TimeoutStopSec=30
Restart=always
RestartSec=5s
EOF
}

# skiff_killall_script BIN_DIR: stops skiff and every container it started, unmounts what it
# mounted under its data directory, removes its interfaces and nftables tables.
skiff_killall_script() {
  cat <<'EOF'
#!/bin/sh
# Stops skiff and every container it started (those recorded in its data directory), unmounts
# its mounts, removes its network interfaces and nftables tables. Data and config are kept:
# starting skiff again brings the node back. SKIFF_DATA_DIR overrides /var/lib/skiff.
set -u
[ "$(id -u)" -eq 0 ] || { echo "$0 must run as root" >&2; exit 1; }
DATA_DIR=${SKIFF_DATA_DIR:-/var/lib/skiff}

# The services, or the background process install.sh started where there is no systemd.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  for unit in $(systemctl list-units --all --plain --no-legend --type=service 'skiff*' | awk '{print $1}'); do
    echo "stopping $unit"
    systemctl stop "$unit"
  done
fi
for pidfile in /run/skiff*.pid; do
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q skiff; then
    echo "stopping skiff (pid $pid)"
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$pidfile"
done

# pid START: whether pid still is the process that started at START (clock ticks, /proc/pid/stat).
same_process() {
  [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20)" = "$2" ]
}

kill_cgroup() {
  for root in /sys/fs/cgroup /sys/fs/cgroup/*; do
    dir="$root/skiff/$1"
    [ -d "$dir" ] || continue
    find "$dir" -name cgroup.procs 2>/dev/null | while read -r procs; do
      for pid in $(cat "$procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    done
  done
}

remove_cgroup() {
  for root in /sys/fs/cgroup /sys/fs/cgroup/*; do
    dir="$root/skiff/$1"
    [ -d "$dir" ] || continue
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null
      [ -d "$dir" ] || break
      sleep 0.1
    done
    parent=${dir%/*}
    while [ "$parent" != "$root/skiff" ] && rmdir "$parent" 2>/dev/null; do parent=${parent%/*}; done
  done
}

containers=0
for record in "$DATA_DIR"/agent/containers/*/config.json; do
  [ -f "$record" ] || continue
  bundle=${record%/config.json}
  shim=$(cat "$bundle/shim.pid" 2>/dev/null)
  if [ -n "$shim" ] && tr '\0' '\n' <"/proc/$shim/cmdline" 2>/dev/null | grep -qx __shim; then
    kill -KILL "$shim" 2>/dev/null
  fi
  cgroup=$(grep -o '"cgroupName" *: *"[^"]*"' "$record" | sed 's/.*: *"//; s/"$//; s#\\/#/#g')
  if [ -n "$cgroup" ]; then
    kill_cgroup "$cgroup"
    remove_cgroup "$cgroup"
  fi
  containers=$((containers + 1))
done
for sandbox in "$DATA_DIR"/agent/sandboxes/*/sandbox.json; do
  [ -f "$sandbox" ] || continue
  pid=$(grep -o '"pid" *: *[0-9]*' "$sandbox" | head -n 1 | grep -o '[0-9]*$')
  start=$(grep -o '"startTime" *: *[0-9]*' "$sandbox" | grep -o '[0-9]*$')
  if [ -n "$pid" ] && [ -n "$start" ] && same_process "$pid" "$start"; then kill -KILL "$pid" 2>/dev/null; fi
  id=${sandbox%/sandbox.json}
  id=${id##*/}
  for root in /sys/fs/cgroup /sys/fs/cgroup/*; do
    find "$root/skiff" -depth -type d -name "sandbox-$id" -exec rmdir {} \; 2>/dev/null
  done
done
echo "stopped the containers recorded in $DATA_DIR ($containers)"

# Mounts under the data directory (pod volumes, container root filesystems), deepest first.
for mount in $(awk '{print $2}' /proc/self/mounts | grep -E "^($DATA_DIR|/run/skiff)/" | sort -r); do
  mount=$(printf '%b' "$mount")
  umount "$mount" 2>/dev/null || umount -l "$mount" 2>/dev/null && echo "unmounted $mount"
done

if command -v ip >/dev/null 2>&1; then
  for veth in $(ip -o link show master skiff0 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link delete "$veth" 2>/dev/null && echo "removed interface $veth"
  done
  for interface in skiff0 skiff.1 skiff-dns; do
    ip link show "$interface" >/dev/null 2>&1 && ip link delete "$interface" && echo "removed interface $interface"
  done
  # Cluster DNS falls back to the loopback interface on kernels without dummy links.
  dns_ip=${SKIFF_CLUSTER_DNS:-10.43.0.10}
  ip -o addr show dev lo 2>/dev/null | grep -q " $dns_ip/32 " && ip addr del "$dns_ip/32" dev lo &&
    echo "removed address $dns_ip from lo"
fi
if command -v nft >/dev/null 2>&1; then
  nft list tables 2>/dev/null | while read -r _ family table; do
    case "$table" in
      skiff | skiff-*) nft delete table "$family" "$table" && echo "removed nftables table $family $table" ;;
    esac
  done
fi
exit 0
EOF
}

# skiff_uninstall_script BIN_DIR SYSTEMD_DIR SYSTEM_NAME KILLALL: stops everything, then removes
# the binary, the units, the env files, the configuration and the data.
skiff_uninstall_script() {
  local bin_dir=$1 systemd_dir=$2 name=$3
  cat <<EOF
#!/bin/sh
# Uninstalls skiff: stops it and its containers (skiff-killall.sh), then removes the binary, the
# service, its env file, /etc/skiff and the data in /var/lib/skiff. This cannot be undone.
set -u
[ "\$(id -u)" -eq 0 ] || { echo "\$0 must run as root" >&2; exit 1; }
"$bin_dir/skiff-killall.sh"
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl disable "$name.service" 2>/dev/null
  systemctl reset-failed "$name.service" 2>/dev/null
fi
rm -f "$systemd_dir/$name.service" "$systemd_dir/$name.service.env"
command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ] && systemctl daemon-reload
# Another skiff service (server and agent side by side) keeps the shared binary and data.
for unit in "$systemd_dir"/skiff*.service; do
  if [ -f "\$unit" ]; then
    echo "kept the binary and data: \$unit still uses them"
    rm -f "$bin_dir/$name-uninstall.sh"
    exit 0
  fi
done
for file in skiff skiff-killall.sh $name-uninstall.sh; do rm -f "$bin_dir/\$file"; done
rm -rf /etc/skiff /var/lib/skiff /run/skiff /var/log/skiff*.log
echo "skiff uninstalled"
EOF
}

# --- Installing ---------------------------------------------------------------------------

say() { printf '[skiff] %s\n' "$*"; }
fail() {
  printf '[skiff] error: %s\n' "$*" >&2
  exit 1
}
truthy() { case "${1:-}" in true | 1 | yes) return 0 ;; *) return 1 ;; esac; }

# Where every written path is placed: empty on a real install (an undocumented test prefix otherwise).
ROOT=${INSTALL_SKIFF_ROOT:-}
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=""

cleanup() { [ -z "$TMP" ] || rm -rf "$TMP"; }

check_host() {
  [ "$(id -u)" -eq 0 ] || fail "install.sh must run as root: sudo $0"
  case "$(uname -m)" in
    x86_64 | amd64) ARCH=amd64 ;;
    aarch64 | arm64) ARCH=arm64 ;;
    *) fail "unsupported architecture $(uname -m): skiff runs on x86_64 and aarch64" ;;
  esac
  local memory=""
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    grep -qw memory /sys/fs/cgroup/cgroup.controllers && memory=v2
  elif [ -f /proc/cgroups ]; then
    awk '$1 == "memory" && $4 == 1 { found = 1 } END { exit !found }' /proc/cgroups && memory=v1
  fi
  if [ -z "$memory" ]; then
    local hint=""
    grep -qi raspberry /proc/device-tree/model 2>/dev/null &&
      hint=" On a Raspberry Pi, add 'cgroup_memory=1 cgroup_enable=memory' to /boot/firmware/cmdline.txt and reboot."
    fail "the memory cgroup controller is not enabled: containers cannot be limited.$hint"
  fi
  CGROUPS=$memory
}

# Server unless SKIFF_URL says which server to join; agents need an https URL and a token.
choose_command() {
  local exec_words=()
  # shellcheck disable=SC2206 # INSTALL_SKIFF_EXEC is a word list, as in K3s.
  exec_words=(${INSTALL_SKIFF_EXEC:-})
  exec_words+=("$@")
  if [ ${#exec_words[@]} -gt 0 ] && { [ "${exec_words[0]}" = server ] || [ "${exec_words[0]}" = agent ]; }; then
    KIND=${exec_words[0]}
    exec_words=("${exec_words[@]:1}")
  elif [ -n "${SKIFF_URL:-}" ]; then
    KIND=agent
  else
    KIND=server
  fi
  if [ "$KIND" = agent ]; then
    [ -n "${SKIFF_URL:-}" ] || fail "an agent needs SKIFF_URL, the server to join (https://SERVER:6443)"
    case "$SKIFF_URL" in
      https://*) ;;
      *) fail "SKIFF_URL must be an https:// URL (agents only talk TLS to servers): got $SKIFF_URL" ;;
    esac
    [ -n "${SKIFF_TOKEN:-}${SKIFF_TOKEN_FILE:-}" ] ||
      fail "an agent needs SKIFF_TOKEN (or SKIFF_TOKEN_FILE): the server's /var/lib/skiff/server/token"
  elif [ -n "${SKIFF_URL:-}" ]; then
    fail "SKIFF_URL is for agents; a server does not join one (unset it or use INSTALL_SKIFF_EXEC=agent)"
  fi
  EXEC_ARGS=$KIND
  local word
  for word in ${exec_words[@]+"${exec_words[@]}"}; do
    case "$word" in
      "" | *[!A-Za-z0-9_./:=,@+-]*) EXEC_ARGS+=" '${word//\'/\'\\\'\'}'" ;;
      *) EXEC_ARGS+=" $word" ;;
    esac
  done
  if [ -n "${INSTALL_SKIFF_NAME:-}" ]; then
    SYSTEM_NAME=skiff-$INSTALL_SKIFF_NAME
  elif [ "$KIND" = server ]; then
    SYSTEM_NAME=skiff
  else
    SYSTEM_NAME=skiff-agent
  fi
}

install_build_dependencies() {
  local need=() package
  # The build's libraries, and curl and etcdctl that the README's first steps use.
  for package in libsqlite3-dev libseccomp-dev libzstd-dev zlib1g-dev pkg-config curl etcd-client; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || need+=("$package")
  done
  if [ ${#need[@]} -gt 0 ]; then
    say "installing build dependencies: ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
}

# Puts the binary to install at $TMP/skiff and says where it came from in $SOURCE.
obtain_binary() {
  local deb binary url sum expected
  if [ -n "${INSTALL_SKIFF_BIN:-}" ]; then
    [ -f "$INSTALL_SKIFF_BIN" ] || fail "INSTALL_SKIFF_BIN=$INSTALL_SKIFF_BIN is not a file"
    cp "$INSTALL_SKIFF_BIN" "$TMP/skiff"
    SOURCE="$INSTALL_SKIFF_BIN"
  elif deb=$(ls "$SCRIPT_DIR"/dist/skiff_*_"$ARCH".deb 2>/dev/null | sort -V | tail -n 1) && [ -n "$deb" ]; then
    dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/bin/skiff >"$TMP/skiff" ||
      fail "$deb has no usr/bin/skiff"
    SOURCE="$deb"
  elif binary=$(for candidate in "$SCRIPT_DIR/dist/skiff-linux-$ARCH" "$SCRIPT_DIR/dist/skiff"; do
    [ -f "$candidate" ] && echo "$candidate" && break
  done) && [ -n "$binary" ]; then
    cp "$binary" "$TMP/skiff"
    SOURCE="$binary"
  elif [ -n "${INSTALL_SKIFF_URL:-}" ]; then
    url=$INSTALL_SKIFF_URL
    command -v curl >/dev/null || fail "curl is needed to download $url (apt-get install curl)"
    say "downloading $url"
    curl -fsSL -o "$TMP/skiff" "$url" || fail "cannot download $url"
    curl -fsSL -o "$TMP/skiff.sha256" "$url.sha256" || fail "cannot download the checksum $url.sha256"
    expected=$(awk '{print $1; exit}' "$TMP/skiff.sha256")
    sum=$(sha256sum "$TMP/skiff" | awk '{print $1}')
    [ "$sum" = "$expected" ] ||
      fail "checksum mismatch for $url: $url.sha256 says $expected, the download is $sum; nothing was changed"
    SOURCE="$url (sha256 $sum verified)"
  elif [ -f "$SCRIPT_DIR/Package.swift" ]; then
    install_build_dependencies
    command -v swift >/dev/null || fail "the Swift toolchain is needed to build skiff (swift not on PATH)"
    say "building skiff (release) in $SCRIPT_DIR"
    (cd "$SCRIPT_DIR" && swift build -c release --static-swift-stdlib --product skiff -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections) >&2
    cp "$(cd "$SCRIPT_DIR" && swift build -c release --show-bin-path)/skiff" "$TMP/skiff"
    SOURCE="a release build of $SCRIPT_DIR"
  else
    fail "no skiff binary: set INSTALL_SKIFF_BIN or INSTALL_SKIFF_URL, put one in dist/, or run from a source checkout"
  fi
  chmod 0755 "$TMP/skiff"
  VERSION=$("$TMP/skiff" --version 2>/dev/null) || fail "the binary from $SOURCE does not run on this machine"
  # The binary's own kernel checks: a warning here, not a refusal (a feature may arrive with a module).
  if "$TMP/skiff" help check-config >/dev/null 2>&1 && ! "$TMP/skiff" check-config >"$TMP/check" 2>&1; then
    say "warning: skiff check-config finds required kernel features missing:"
    awk '$0 ~ / fail / {print "[skiff]   " $0}' "$TMP/check"
  fi
}

# install_file SOURCE DEST MODE: replaces DEST only when different; sets CHANGED and says so.
install_file() {
  local source=$1 dest=$2 mode=$3
  if [ -f "$dest" ] && cmp -s "$source" "$dest"; then
    chmod "$mode" "$dest"
    DONE+=("unchanged $dest")
    return 1
  fi
  mkdir -p "$(dirname "$dest")"
  install -m "$mode" "$source" "$dest.new"
  mv -f "$dest.new" "$dest"
  DONE+=("wrote $dest")
  return 0
}

# One KEY="value" line per SKIFF_* and proxy variable, quoted for systemd and for sh.
env_file() {
  local name value
  while IFS= read -r name; do
    value=${!name}
    value=${value//\\/\\\\}
    value=${value//\"/\\\"}
    value=${value//\$/\\\$}
    value=${value//\`/\\\`}
    printf '%s="%s"\n' "$name" "$value"
  done < <(compgen -e | grep -E '^(SKIFF_[A-Z0-9_]+|(HTTP|HTTPS|NO)_PROXY|(http|https|no)_proxy)$' | LC_ALL=C sort)
}

has_systemd() { [ -z "$ROOT" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; }

# Without systemd: a background process with a pid file, restarted only when something changed.
start_background() {
  local pidfile="$ROOT/run/$SYSTEM_NAME.pid" log="$ROOT/var/log/$SYSTEM_NAME.log" pid=""
  mkdir -p "$ROOT/run" "$ROOT/var/log"
  [ -f "$pidfile" ] && pid=$(cat "$pidfile")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    if [ "$CHANGED" = 0 ] && ! truthy "${INSTALL_SKIFF_FORCE_RESTART:-}"; then
      DONE+=("left $SYSTEM_NAME running (pid $pid): nothing changed")
      return
    fi
    say "stopping $SYSTEM_NAME (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  # shellcheck disable=SC2086 # EXEC_ARGS is the unit's ExecStart word list.
  setsid bash -c "set -a; . '$ROOT$ENV_FILE'; set +a; eval exec '$ROOT$BIN_DIR/skiff' \"\$0\"" "$EXEC_ARGS" \
    </dev/null >>"$log" 2>&1 &
  pid=$!
  echo "$pid" >"$pidfile"
  DONE+=("started $SYSTEM_NAME in the background (pid $pid, log $log, pid file $pidfile)")
  say "systemd is not running here (a container or CI?): started skiff in the background instead"
  [ "$KIND" = agent ] || wait_ready "$pid"
}

start_systemd() {
  local unit=$SYSTEM_NAME.service
  [ "$UNIT_CHANGED" = 0 ] || systemctl daemon-reload
  if ! truthy "${INSTALL_SKIFF_SKIP_ENABLE:-}"; then
    systemctl enable "$unit" >/dev/null 2>&1
    DONE+=("enabled $unit")
  fi
  truthy "${INSTALL_SKIFF_SKIP_START:-}" && return
  local block=()
  [ "$KIND" = agent ] && block=(--no-block)  # an agent is ready once it has joined, which may take a while
  if [ "$CHANGED" = 1 ] || truthy "${INSTALL_SKIFF_FORCE_RESTART:-}"; then
    say "restarting $unit"
    systemctl restart ${block[@]+"${block[@]}"} "$unit" || fail "$unit did not start; see journalctl -u $unit"
    DONE+=("restarted $unit")
  elif systemctl is-active --quiet "$unit"; then
    DONE+=("left $unit running: nothing changed")
  else
    systemctl start ${block[@]+"${block[@]}"} "$unit" || fail "$unit did not start; see journalctl -u $unit"
    DONE+=("started $unit")
  fi
}

# A background server: waits until its API answers /readyz with the admin certificate.
wait_ready() {
  local pid=$1 kubeconfig=/etc/skiff/skiff.yaml url tls field
  [[ " $EXEC_ARGS " =~ \ --write-kubeconfig[\ =]([^ ]+) ]] && kubeconfig=${BASH_REMATCH[1]}
  command -v curl >/dev/null || return 0
  for _ in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || fail "skiff exited at start; see $ROOT/var/log/$SYSTEM_NAME.log"
    if [ -f "$kubeconfig" ]; then
      url=$(awk '$1 == "server:" {print $2; exit}' "$kubeconfig")
      tls=$(mktemp -d)
      for field in client-certificate-data:cert client-key-data:key; do
        awk -v key="${field%%:*}:" '$1 == key {print $2; exit}' "$kubeconfig" | base64 -d >"$tls/${field##*:}"
      done
      if curl -sk --cert "$tls/cert" --key "$tls/key" "$url/readyz" 2>/dev/null | grep -qx ok; then
        rm -rf "$tls"
        DONE+=("skiff server ready at $url")
        return 0
      fi
      rm -rf "$tls"
    fi
    sleep 0.2
  done
  say "skiff server is not ready after 2 minutes; see $ROOT/var/log/$SYSTEM_NAME.log"
}

main() {
  trap cleanup EXIT
  check_host
  choose_command "$@"
  BIN_DIR=${INSTALL_SKIFF_BIN_DIR:-/usr/local/bin}
  SYSTEMD_DIR=${INSTALL_SKIFF_SYSTEMD_DIR:-/etc/systemd/system}
  ENV_FILE=$SYSTEMD_DIR/$SYSTEM_NAME.service.env
  TMP=$(mktemp -d)
  DONE=()
  obtain_binary

  CHANGED=0
  UNIT_CHANGED=0
  install_file "$TMP/skiff" "$ROOT$BIN_DIR/skiff" 0755 && CHANGED=1
  skiff_unit "$KIND" "$BIN_DIR" "$ENV_FILE" "$EXEC_ARGS" >"$TMP/unit"
  install_file "$TMP/unit" "$ROOT$SYSTEMD_DIR/$SYSTEM_NAME.service" 0644 && CHANGED=1 && UNIT_CHANGED=1
  (umask 077 && env_file >"$TMP/env")
  install_file "$TMP/env" "$ROOT$ENV_FILE" 0600 && CHANGED=1
  skiff_killall_script >"$TMP/killall"
  install_file "$TMP/killall" "$ROOT$BIN_DIR/skiff-killall.sh" 0755 || true
  skiff_uninstall_script "$BIN_DIR" "$SYSTEMD_DIR" "$SYSTEM_NAME" >"$TMP/uninstall"
  install_file "$TMP/uninstall" "$ROOT$BIN_DIR/$SYSTEM_NAME-uninstall.sh" 0755 || true

  install -d -m 0755 "$ROOT/etc/skiff"
  install -d -m 0700 "$ROOT/var/lib/skiff"
  if [ ! -f "$ROOT/etc/skiff/config.yaml" ]; then
    if [ -f "$SCRIPT_DIR/conf/config.yaml" ]; then
      install -m 0600 "$SCRIPT_DIR/conf/config.yaml" "$ROOT/etc/skiff/config.yaml"
    else
      printf '# skiff configuration: keys are the flag names of `skiff %s --help`.\n' "$KIND" >"$TMP/config"
      install -m 0600 "$TMP/config" "$ROOT/etc/skiff/config.yaml"
    fi
    DONE+=("wrote $ROOT/etc/skiff/config.yaml")
  fi

  if has_systemd; then
    start_systemd
  elif truthy "${INSTALL_SKIFF_SKIP_START:-}"; then
    DONE+=("did not start skiff (INSTALL_SKIFF_SKIP_START)")
  else
    start_background
  fi

  say "installed skiff $VERSION ($KIND) from $SOURCE; cgroups $CGROUPS"
  local line
  for line in "${DONE[@]}"; do say "  $line"; done
  say "service command: skiff $EXEC_ARGS"
  if [ "$KIND" = server ]; then
    say "kubectl: sudo skiff kubectl get nodes (admin kubeconfig /etc/skiff/skiff.yaml)"
    say "join an agent: SKIFF_URL=https://<this host>:6443 SKIFF_TOKEN=\$(sudo cat /var/lib/skiff/server/token) ./install.sh"
  fi
  say "stop everything: $BIN_DIR/skiff-killall.sh; remove skiff: $BIN_DIR/$SYSTEM_NAME-uninstall.sh"
}

# Sourced (packaging/build-deb), it only defines the functions above.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi

#!/usr/bin/env bash
# Puts the functions an idle agent and an idle server run at the head of skiff.order.
#
# After skiff's idle page release, what stays resident is every page the idle loop touches
# again. Laid out as the other profiles order them (start-up first), the idle agent's ~1,400
# functions (~0.7 MB) were scattered over ~14 MB of text; packed together they need a few pages.
# Needs root, perf, kubectl and a release build made as install.sh makes it.
#   Benchmarks/rss/profile-idle.sh [BINARY]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
BIN=$(readlink -f "${1:-$ROOT/.build-release/release/skiff}")
TMP=$(mktemp -d /tmp/skiffidle.XXXX)
trap 'rm -rf "$TMP"' EXIT
IDLE_PROFILE="$TMP" SKIFF_BIN="$BIN" "$ROOT/Benchmarks/podstartup/agent-rss.sh"
for process in agent server; do
  perf script -i "$TMP/$process.data" -F ip,sym,dso --no-demangle 2>/dev/null >"$TMP/$process.txt" || true
  # The agent runs from a copy of BINARY: take the functions of whichever file it was.
  dso=$(grep -oE '\((/[^)]*skiff[^)]*)\)' "$TMP/$process.txt" | sort | uniq -c | sort -rn | head -1 | grep -oE '/[^)]*')
  python3 "$HERE/make-order.py" "$dso" "$TMP/$process.txt" >"$TMP/$process.order"
done
wc -l "$TMP/agent.order" "$TMP/server.order"
cat "$TMP/agent.order" "$TMP/server.order" "$HERE/skiff.order" | awk '!seen[$0]++' >"$TMP/merged.order"
mv "$TMP/merged.order" "$HERE/skiff.order"
wc -l "$HERE/skiff.order"

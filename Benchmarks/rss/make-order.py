#!/usr/bin/env python3
"""Turn `perf script -F ip,sym,dso --no-demangle` outputs into a symbol ordering file:
every symbol of BINARY seen in a sample or call chain, in first-seen order (startup first).
usage: make-order.py BINARY SCRIPT...   (ordering file on stdout)"""
import re, sys
binary = sys.argv[1]
line_re = re.compile(r"^\s*[0-9a-f]+\s+(\S+?)(?:\+0x[0-9a-f]+)?\s+\((.*)\)\s*$")
seen = {}
for path in sys.argv[2:]:
    for line in open(path, errors="replace"):
        m = line_re.match(line)
        if not m or m.group(2) != binary:
            continue
        sym = m.group(1)
        if sym == "[unknown]" or sym in seen:
            continue
        seen[sym] = len(seen)
for sym in seen:
    print(sym)

#!/usr/bin/env python3
"""Function names (mangled) of BINARY executed in a callgrind profile (`--demangle=no`).
usage: callgrind-symbols.py BINARY CALLGRIND_OUT..."""
import re, subprocess, sys
binary = sys.argv[1]
syms = set()
out = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True).stdout
for line in out.splitlines():
    f = line.split(" ", 2)
    if len(f) == 3 and f[1] in "tTwW":
        syms.add(f[2])
rx = re.compile(r"^c?fn=\(\d+\) (.+)$")
seen = {}
for path in sys.argv[2:]:
    for line in open(path, errors="replace"):
        m = rx.match(line.rstrip("\n"))
        if m and m.group(1) in syms and m.group(1) not in seen:
            seen[m.group(1)] = 1
print("\n".join(seen))

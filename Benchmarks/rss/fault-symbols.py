#!/usr/bin/env python3
"""Functions of BINARY whose code page faulted, from
`perf record -d -e page-faults` + `perf script --show-mmap-events -F ip,sym,addr,dso` (the sampled ip is
resolved against BINARY's symbol table, so it also works where perf prints [unknown]).
usage: fault-symbols.py BINARY PERF_SCRIPT_OUTPUT..."""
import bisect, re, subprocess, sys
binary = sys.argv[1]
syms = []
for line in subprocess.run(["nm", "--defined-only", "-n", binary], capture_output=True, text=True).stdout.splitlines():
    f = line.split(" ", 2)
    if len(f) == 3 and f[1] in "tTwW":
        syms.append((int(f[0], 16), f[2]))
starts = [s[0] for s in syms]
# the executable segment's page-aligned vaddr: its r-xp mapping starts at load bias + that
exec_vaddr = None
for line in subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True).stdout.splitlines():
    f = line.split()
    if f and f[0] == "LOAD" and "E" in f[6:-1]:
        exec_vaddr = int(f[2], 16) & ~0xFFF
mmap_re = re.compile(r"PERF_RECORD_MMAP2? .*\[(0x[0-9a-f]+)\((0x[0-9a-f]+)\) @ (0x[0-9a-f]+|0) .*\]: r-xp (\S+)$")
rx = re.compile(r"\s*([0-9a-f]+)\s+(.*?)\s+\((.*?)\)\s+([0-9a-f]+)\s+(\S+)\s+\((.*)\)")
seen = {}
for path in sys.argv[2:]:
    base = None
    for l in open(path, errors="replace"):
        mm = mmap_re.search(l)
        if mm and mm.group(4) == binary:
            base = int(mm.group(1), 16) - exec_vaddr
            continue
        m = rx.match(l)
        if not m or m.group(6) != binary or base is None:
            continue
        i = bisect.bisect_right(starts, int(m.group(4), 16) - base) - 1
        if i >= 0 and syms[i][1] not in seen:
            seen[syms[i][1]] = 1
print("\n".join(seen))

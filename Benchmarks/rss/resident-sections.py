#!/usr/bin/env python3
"""Per-section resident pages of a running process's executable (needs root for /proc/PID/pagemap).
usage: resident-sections.py PID [--dump-pages FILE]"""
import os, struct, subprocess, sys
pid = int(sys.argv[1])
exe = os.readlink(f"/proc/{pid}/exe")
maps = []
for line in open(f"/proc/{pid}/maps"):
    f = line.split()
    if len(f) >= 6 and f[5] == exe:
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        maps.append((lo, hi, int(f[2], 16), f[1]))
base = min(m[0] - m[2] for m in maps)  # load bias (file offset 0 at vaddr 0 for PIE)
# sections: name, vaddr, size
secs = []
out = subprocess.run(["readelf", "-SW", exe], capture_output=True, text=True).stdout
for line in out.splitlines():
    line = line.replace("[ ", "[")
    f = line.split()
    if len(f) > 6 and f[0].startswith("[") and f[0] != "[Nr]":
        try:
            secs.append((f[1], int(f[3], 16), int(f[5], 16)))
        except ValueError:
            pass
secs = [s for s in secs if s[1] > 0]
pm = open(f"/proc/{pid}/pagemap", "rb")
res = {}
pages = []
for lo, hi, off, perm in maps:
    n = (hi - lo) // 4096
    pm.seek(lo // 4096 * 8)
    data = pm.read(n * 8)
    for i in range(n):
        e = struct.unpack_from("<Q", data, i * 8)[0]
        if e >> 63:  # present
            va = lo + i * 4096 - base
            anon = not (e >> 61) & 1  # bit 61: file-page or shared-anon
            pages.append((va, anon))
for va, anon in pages:
    name = "?"
    for s, a, sz in secs:
        if a <= va < a + sz or (a <= va + 4095 and va < a + sz):
            name = s; break
    k = (name, "anon" if anon else "file")
    res[k] = res.get(k, 0) + 4
tot = {}
for (n, kind), v in sorted(res.items(), key=lambda x: -x[1]):
    sz = next((s[2] for s in secs if s[0] == n), 0)
    print(f"{n:32s} {kind:5s} {v:8d} KiB  of {sz//1024:8d} KiB")
    tot[kind] = tot.get(kind, 0) + v
print(tot)
if len(sys.argv) > 3 and sys.argv[2] == "--dump-pages":
    with open(sys.argv[3], "w") as f:
        for va, anon in pages: f.write(f"{va:x} {int(anon)}\n")

#!/usr/bin/env python3
"""Resident pages of a process's executable text, per megabyte of file offset (KiB each), from
/proc/PID/pagemap (root). Shows whether residency follows functions or whole large folios.
usage: text-residency.py PID BINARY"""
import collections, struct, sys
pid, binary = int(sys.argv[1]), sys.argv[2]
pagemap = open(f"/proc/{pid}/pagemap", "rb")
for line in open(f"/proc/{pid}/maps"):
    fields = line.split()
    if len(fields) < 6 or fields[5] != binary or "x" not in fields[1]:
        continue
    low, high = (int(x, 16) for x in fields[0].split("-"))
    offset, pages = int(fields[2], 16), (high - low) // 4096
    pagemap.seek(low // 4096 * 8)
    data = pagemap.read(pages * 8)
    per_mb = collections.Counter()
    for i in range(pages):
        if struct.unpack_from("<Q", data, i * 8)[0] >> 63:
            per_mb[(offset + i * 4096) >> 20] += 4
    print(f"text resident: {sum(per_mb.values()) / 1024:.1f} MB")
    print(" ".join(f"{mb}:{kib}" for mb, kib in sorted(per_mb.items())))

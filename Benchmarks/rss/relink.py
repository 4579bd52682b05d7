#!/usr/bin/env python3
"""Links skiff again from a release build's objects with another symbol ordering file, using the
link command SwiftPM's build manifest records (`swift build -v` prints it only when it relinks).
usage: relink.py BINARY ORDER_FILE OUTPUT   (BINARY: a release skiff inside its scratch path)"""
import json, os, re, subprocess, sys
binary, order, output = sys.argv[1:4]
scratch = os.path.dirname(os.path.realpath(binary))
while not os.path.exists(f"{scratch}/release.yaml"):
    if scratch == "/":
        sys.exit(f"no release.yaml above {binary}: pass a binary from a release build's scratch path")
    scratch = os.path.dirname(scratch)
manifest = open(f"{scratch}/release.yaml").read()
match = re.search(r'description: "Linking [^"]*/release/skiff"\n(?:.*\n)*?\s*args: (\[.*\])', manifest)
if not match:
    sys.exit(f"no link command for skiff in {scratch}/release.yaml: build it in release first")
args = json.loads(match.group(1))
args[args.index("-o") + 1] = output
args = [re.sub(r"--symbol-ordering-file=.*", f"--symbol-ordering-file={order}", a) for a in args]
sys.exit(subprocess.run(args).returncode)

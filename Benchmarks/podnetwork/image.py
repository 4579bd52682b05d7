#!/usr/bin/env python3
"""Writes an OCI archive of Debian's busybox-static (like the test suites' busybox image) named
docker.io/library/busybox:bench, for the pod network benchmarks.  usage: image.py OUT.tar"""
import hashlib, io, json, os, sys, tarfile
out = sys.argv[1]
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w") as tar:
    for d in ["bin", "etc", "tmp", "proc", "sys", "dev"]:
        info = tarfile.TarInfo(d); info.type = tarfile.DIRTYPE; info.mode = 0o1777 if d == "tmp" else 0o755
        tar.addfile(info)
    tar.add("/bin/busybox", arcname="bin/busybox")
    for applet in os.popen("/bin/busybox --list").read().split():
        if applet != "busybox":
            info = tarfile.TarInfo("bin/" + applet); info.type = tarfile.SYMTYPE; info.linkname = "/bin/busybox"
            tar.addfile(info)
layer = layer.getvalue()
def blob(data):
    digest = hashlib.sha256(data).hexdigest()
    return digest, data
blobs = {}
ld, _ = blob(layer); blobs[ld] = layer
arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine)
config = json.dumps({"architecture": arch, "os": "linux", "config": {"Cmd": ["sh"], "Env": ["PATH=/bin"]},
  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + ld]}}).encode()
cd, _ = blob(config); blobs[cd] = config
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + cd, "size": len(config)},
  "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:" + ld, "size": len(layer)}]}).encode()
md, _ = blob(manifest); blobs[md] = manifest
index = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
  "digest": "sha256:" + md, "size": len(manifest),
  "annotations": {"io.containerd.image.name": "docker.io/library/busybox:bench", "org.opencontainers.image.ref.name": "bench"}}]}).encode()
with tarfile.open(out, "w") as tar:
    def add(name, data):
        info = tarfile.TarInfo(name); info.size = len(data); tar.addfile(info, io.BytesIO(data))
    add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
    add("index.json", index)
    for digest, data in blobs.items():
        add("blobs/sha256/" + digest, data)

#!/usr/bin/env python3
"""Emits Sources/KubeProto/Table/ProtoTable+*.swift, the field table KubeProto converts with.

Input, read at generation time and never committed: the upstream generated.proto files of
k8s.io/api, k8s.io/apimachinery and k8s.io/apiextensions-apiserver (same release), plus the Go
type files beside them, which say what the .proto files cannot: each field's JSON name, whether
JSON omits it when empty, whether Go keeps it behind a pointer (so a zero value is still
meaningful), which fields are inlined, and which messages are Go named slices (JSON arrays).

Usage:
  scripts/gen-kubeproto-table.py API_DIR APIMACHINERY_DIR APIEXTENSIONS_DIR OUT_DIR [RELEASE]

The three directories are checkouts of the upstream repositories at one tag, e.g.
  git -C <api mirror> archive v0.32.13 | tar -x -C /tmp/api
Only names, numbers and types are taken; the emitted table is our own line format, parsed by
ProtoTable.swift (one message a line: `Name[:list] json=number:type[/flags] ...`; a line
starting with spaces continues the message above; flags: p = Go pointer, a = no omitempty,
i = inlined). RELEASE (e.g. v0.32.13) is recorded in the generated files' header.

The committed table was generated from v0.32.13 of all three repositories.
"""

import os
import re
import sys

# (directory in its repository, which repository, our package id, apiVersion or None, Swift name)
PACKAGES = [
    ("pkg/apis/meta/v1", "am", "meta/v1", None, "MetaV1"),
    ("pkg/runtime", "am", "runtime", None, "Runtime"),
    ("pkg/util/intstr", "am", "intstr", None, "IntStr"),
    ("pkg/api/resource", "am", "resource", None, "Resource"),
    ("core/v1", "api", "core/v1", "v1", "CoreV1"),
    ("apps/v1", "api", "apps/v1", "apps/v1", "AppsV1"),
    ("batch/v1", "api", "batch/v1", "batch/v1", "BatchV1"),
    ("networking/v1", "api", "networking/v1", "networking.k8s.io/v1", "NetworkingV1"),
    ("discovery/v1", "api", "discovery/v1", "discovery.k8s.io/v1", "DiscoveryV1"),
    ("coordination/v1", "api", "coordination/v1", "coordination.k8s.io/v1", "CoordinationV1"),
    ("storage/v1", "api", "storage/v1", "storage.k8s.io/v1", "StorageV1"),
    ("rbac/v1", "api", "rbac/v1", "rbac.authorization.k8s.io/v1", "RBACV1"),
    ("events/v1", "api", "events/v1", "events.k8s.io/v1", "EventsV1"),
    ("policy/v1", "api", "policy/v1", "policy/v1", "PolicyV1"),
    ("scheduling/v1", "api", "scheduling/v1", "scheduling.k8s.io/v1", "SchedulingV1"),
    ("node/v1", "api", "node/v1", "node.k8s.io/v1", "NodeV1"),
    ("autoscaling/v1", "api", "autoscaling/v1", "autoscaling/v1", "AutoscalingV1"),
    ("autoscaling/v2", "api", "autoscaling/v2", "autoscaling/v2", "AutoscalingV2"),
    ("certificates/v1", "api", "certificates/v1", "certificates.k8s.io/v1", "CertificatesV1"),
    ("authentication/v1", "api", "authentication/v1", "authentication.k8s.io/v1", "AuthenticationV1"),
    ("authorization/v1", "api", "authorization/v1", "authorization.k8s.io/v1", "AuthorizationV1"),
    ("admissionregistration/v1", "api", "admissionregistration/v1", "admissionregistration.k8s.io/v1",
     "AdmissionRegistrationV1"),
    ("flowcontrol/v1", "api", "flowcontrol/v1", "flowcontrol.apiserver.k8s.io/v1", "FlowControlV1"),
    ("pkg/apis/apiextensions/v1", "ext", "apiextensions/v1", "apiextensions.k8s.io/v1", "APIExtensionsV1"),
]

SCALARS = {
    "string": "str", "bytes": "bytes", "bool": "bool", "int32": "i32", "int64": "i64",
    "uint32": "u32", "uint64": "u64", "double": "f64", "float": "f32",
}

FIELD_RE = re.compile(
    r"^\s*(optional|repeated|required)?\s*"
    r"(map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>|[\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def read_proto(path):
    """Messages of one generated.proto: [(name, [(label, type, keytype, valuetype, name, number)])]."""
    text = strip_comments(open(path).read())
    package = re.search(r"^package\s+([\w.]+);", text, re.M).group(1)
    messages = []
    for match in re.finditer(r"^message\s+(\w+)\s*\{(.*?)^\}", text, re.M | re.S):
        fields = []
        for line in match.group(2).splitlines():
            f = FIELD_RE.match(line)
            if f:
                label = f.group(1) or "optional"
                fields.append((label, f.group(2), f.group(3), f.group(4), f.group(5), int(f.group(6))))
            elif line.strip():
                raise SystemExit(f"{path}: message {match.group(1)}: cannot read line {line.strip()!r}")
        messages.append((match.group(1), fields))
    return package, messages


TAG_RE = re.compile(r'(\w+):"([^"]*)"')


def read_go(directory):
    """Go structs ({name: {protobuf field name or number: (json, omitempty, pointer)}}) and named slices."""
    structs, slices = {}, set()
    for entry in sorted(os.listdir(directory)):
        if not entry.endswith(".go") or entry.endswith("_test.go") or entry.startswith("zz_generated"):
            continue
        if entry.startswith("generated."):
            continue
        text = open(os.path.join(directory, entry)).read()
        for m in re.finditer(r"^type\s+(\w+)\s+\[\]\S+", text, re.M):
            slices.add(m.group(1))
        for m in re.finditer(r"^type\s+(\w+)\s+struct\s*\{[ \t]*\n(.*?)^\}", text, re.M | re.S):
            fields = {}
            for line in m.group(2).splitlines():
                code = line.split("//", 1)[0] if "`" not in line.split("//", 1)[0] else line
                if "`" not in code or 'protobuf:"' not in code:
                    continue
                before, tag = code.split("`", 1)
                tags = dict(TAG_RE.findall(tag))
                parts = before.split()
                gotype = parts[-1] if parts else ""
                proto = tags["protobuf"].split(",")
                if len(proto) < 2:
                    continue
                number = proto[1]
                pname = next((p[5:] for p in proto if p.startswith("name=")), None)
                jsontag = tags.get("json", "").split(",")
                jsonname = jsontag[0]
                inline = "inline" in jsontag[1:]
                omitempty = "omitempty" in jsontag[1:]
                info = (jsonname, inline, omitempty, gotype.startswith("*"))
                fields[number] = info
                if pname:
                    fields[pname] = info
            structs[m.group(1)] = fields
    return structs, slices


def package_id(proto_package, known):
    """Our package id for a proto package name, e.g. k8s.io.api.core.v1 -> core/v1."""
    for pid, pkg in known.items():
        if pkg == proto_package:
            return pid
    raise SystemExit(f"type from unknown proto package {proto_package}")


def type_token(t, own_package, known):
    if t in SCALARS:
        return SCALARS[t]
    if t.startswith("."):
        qualified = t[1:]
        pkg, name = qualified.rsplit(".", 1)
        if pkg == own_package:
            return name
        return package_id(pkg, known) + "." + name
    return t


def property_name(swift_name):
    """RBACV1 -> rbacV1Source, CoreV1 -> coreV1Source."""
    head = re.match(r"[A-Z]+(?=[A-Z][a-z]|V\d|$)|[A-Z]", swift_name).group(0)
    return head.lower() + swift_name[len(head):] + "Source"


def main():
    api_dir, am_dir, ext_dir, out_dir = sys.argv[1:5]
    release = sys.argv[5] if len(sys.argv) > 5 else "unknown release"
    roots = {"api": api_dir, "am": am_dir, "ext": ext_dir}
    parsed = []
    known = {}
    for directory, repo, pid, api_version, swift_name in PACKAGES:
        path = os.path.join(roots[repo], directory)
        package, messages = read_proto(os.path.join(path, "generated.proto"))
        known[pid] = package
        structs, slices = read_go(path)
        parsed.append((pid, api_version, swift_name, package, messages, structs, slices))
    missing = []
    os.makedirs(out_dir, exist_ok=True)
    for pid, api_version, swift_name, package, messages, structs, slices in parsed:
        lines = [f"@{pid}" + (f" {api_version}" if api_version else "")]
        for name, fields in messages:
            go = structs.get(name)
            head = name + (":list" if name in slices else "")
            tokens = [head]
            for label, ftype, key, value, fname, number in fields:
                if key is not None:
                    t = "map[" + type_token(key, package, known) + "]" + type_token(value, package, known)
                else:
                    t = type_token(ftype, package, known)
                    if label == "repeated":
                        t = "[]" + t
                info = None
                if go is not None:
                    info = go.get(fname) or go.get(str(number))
                if info is None:
                    if go is None and name not in slices:
                        missing.append(f"{pid}.{name}")
                    jsonname, flags = fname, ""
                else:
                    jsonname, inline, omitempty, pointer = info
                    flags = ""
                    if inline:
                        flags += "i"
                        jsonname = fname
                    if pointer:
                        flags += "p"
                    if not omitempty and not inline:
                        flags += "a"
                    if not jsonname or jsonname == "-":
                        jsonname = fname
                tokens.append(f"{jsonname}={number}:{t}" + (f"/{flags}" if flags else ""))
            line = tokens[0]
            for token in tokens[1:]:
                if len(line) + 1 + len(token) > 112:
                    lines.append(line)
                    line = "  " + token
                else:
                    line += " " + token
            lines.append(line)
        body = "\n".join("    " + line for line in lines)
        swift = (
            "// Generated by scripts/gen-kubeproto-table.py from the upstream generated.proto files\n"
            f"// (k8s.io/api, k8s.io/apimachinery, k8s.io/apiextensions-apiserver {release}).\n"
            "// Do not edit; run the script again.\n\n"
            "extension ProtoTable {\n"
            f"  static let {property_name(swift_name)} = \"\"\"\n{body}\n    \"\"\"\n"
            "}\n"
        )
        with open(os.path.join(out_dir, f"ProtoTable+{swift_name}.swift"), "w") as f:
            f.write(swift)
    if missing:
        print("no Go struct for (JSON names taken from proto):", " ".join(sorted(set(missing))), file=sys.stderr)
    entries = "".join(f"    {property_name(p[4])},\n" for p in PACKAGES)
    with open(os.path.join(out_dir, "ProtoTable+Sources.swift"), "w") as f:
        f.write(
            "// Generated by scripts/gen-kubeproto-table.py. Do not edit; run the script again.\n\n"
            "extension ProtoTable {\n"
            "  /// Every package's table text, dependencies (meta, runtime, intstr, resource) first.\n"
            f"  static let sources: [String] = [\n{entries}  ]\n"
            "}\n"
        )


if __name__ == "__main__":
    main()

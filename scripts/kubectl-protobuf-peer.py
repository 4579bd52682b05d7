#!/usr/bin/env python3
"""A minimal API server on 127.0.0.1 that lets the real kubectl talk protobuf to us.

It answers discovery for the built-in groups kubectl's typed clients need, records every
request body kubectl sends, and answers writes with 201. KubeProto's tests use it two ways:

  serve PORT DIR     Record request N as DIR/NN-METHOD.bin (+ .meta with path and headers).
                     If DIR/response.bin exists, a POST is answered with those bytes as
                     application/vnd.kubernetes.protobuf (to check what kubectl decodes).
                     Prints "listening PORT" once ready (PORT 0 picks a free port).
  fixtures DIR       Runs the kubectl commands below against itself and writes each body
                     as DIR/NAME.b64, with kubectl's own JSON for the same object (from
                     --dry-run=client -o json) as DIR/NAME.kubectl.json where kubectl has it.
"""

import base64
import http.server
import json
import os
import signal
import subprocess
import sys
import threading

RESOURCES = {
    "v1": [("namespaces", "Namespace", False), ("configmaps", "ConfigMap", True), ("secrets", "Secret", True),
           ("services", "Service", True), ("pods", "Pod", True), ("serviceaccounts", "ServiceAccount", True),
           ("serviceaccounts/token", "TokenRequest", True), ("resourcequotas", "ResourceQuota", True),
           ("nodes", "Node", False), ("pods/eviction", "Eviction", True)],
    "apps/v1": [("deployments", "Deployment", True)],
    "batch/v1": [("jobs", "Job", True), ("cronjobs", "CronJob", True)],
    "authorization.k8s.io/v1": [("selfsubjectaccessreviews", "SelfSubjectAccessReview", False)],
    "authentication.k8s.io/v1": [("selfsubjectreviews", "SelfSubjectReview", False)],
    "rbac.authorization.k8s.io/v1": [("roles", "Role", True), ("rolebindings", "RoleBinding", True),
                                     ("clusterroles", "ClusterRole", False),
                                     ("clusterrolebindings", "ClusterRoleBinding", False)],
    "policy/v1": [("poddisruptionbudgets", "PodDisruptionBudget", True)],
    "scheduling.k8s.io/v1": [("priorityclasses", "PriorityClass", False)],
    "networking.k8s.io/v1": [("ingresses", "Ingress", True)],
    "autoscaling/v2": [("horizontalpodautoscalers", "HorizontalPodAutoscaler", True)],
    "certificates.k8s.io/v1": [("certificatesigningrequests", "CertificateSigningRequest", False),
                               ("certificatesigningrequests/approval", "CertificateSigningRequest", False)],
}

# (fixture name, kubectl arguments, whether kubectl can print the object with --dry-run=client -o json)
COMMANDS = [
    ("deployment", ["create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "--port=8080"], True),
    ("configmap", ["create", "configmap", "settings", "--from-literal=mode=fast", "--from-literal=level=3"], True),
    ("secret", ["create", "secret", "generic", "creds", "--from-literal=user=admin",
                "--from-literal=blob=\x01\x02\xff-binary"], True),
    ("service-clusterip", ["create", "service", "clusterip", "web", "--tcp=80:8080"], True),
    ("service-nodeport", ["create", "service", "nodeport", "np", "--tcp=5678:http", "--node-port=30080"], True),
    ("job", ["create", "job", "once", "--image=busybox", "--", "echo", "hi"], True),
    ("cronjob", ["create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"], True),
    ("namespace", ["create", "namespace", "team-a"], True),
    ("serviceaccount", ["create", "serviceaccount", "robot"], True),
    ("role", ["create", "role", "reader", "--verb=get,list", "--resource=pods,deployments.apps",
              "--resource-name=a"], True),
    ("rolebinding", ["create", "rolebinding", "read", "--role=reader", "--user=bob",
                     "--serviceaccount=default:robot"], True),
    ("clusterrole", ["create", "clusterrole", "logs", "--verb=get", "--non-resource-url=/logs/*"], True),
    ("clusterrolebinding", ["create", "clusterrolebinding", "logs", "--clusterrole=logs", "--group=devs"], True),
    ("quota", ["create", "quota", "small", "--hard=cpu=1500m,memory=1Gi,pods=2"], True),
    ("priorityclass", ["create", "priorityclass", "high", "--value=1000", "--description=important",
                       "--preemption-policy=Never"], True),
    ("poddisruptionbudget", ["create", "poddisruptionbudget", "web", "--selector=app=web",
                             "--min-available=50%"], True),
    ("ingress", ["create", "ingress", "site", "--rule=foo.com/bar*=web:8080,tls=site-cert"], True),
    ("tokenrequest", ["create", "token", "robot", "--duration=1h", "--audience=api"], False),
    ("selfsubjectaccessreview", ["auth", "can-i", "get", "pods"], False),
    ("selfsubjectreview", ["auth", "whoami"], False),
    ("csr-approval", ["certificate", "approve", "csr1"], False),
    ("deleteoptions", ["drain", "n1", "--grace-period=7", "--disable-eviction", "--ignore-daemonsets"], False),
]

SUBRESOURCE_GROUPS = {"serviceaccounts/token": "authentication.k8s.io/v1", "pods/eviction": "policy/v1"}

CSR = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
       "metadata": {"name": "csr1", "uid": "c1", "resourceVersion": "9"},
       "spec": {"request": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K",
                "signerName": "kubernetes.io/kube-apiserver-client", "expirationSeconds": 86400,
                "usages": ["client auth"], "username": "bob", "groups": ["system:authenticated"]}}

POD = {"apiVersion": "v1", "kind": "Pod",
       "metadata": {"name": "p1", "namespace": "default", "uid": "pu", "ownerReferences": [
           {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "ru", "controller": True}]},
       "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "i"}]}, "status": {"phase": "Running"}}


def resource_list(group_version):
    resources = []
    for name, kind, namespaced in RESOURCES[group_version]:
        entry = {"name": name, "singularName": "", "namespaced": namespaced, "kind": kind,
                 "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}
        if name in SUBRESOURCE_GROUPS:
            group, version = SUBRESOURCE_GROUPS[name].split("/")
            entry.update(group=group, version=version)
        resources.append(entry)
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}


def make_handler(directory, state):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self, code, body, content_type="application/json"):
            if not isinstance(body, bytes):
                body = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def record(self, method):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with state["lock"]:
                state["count"] += 1
                stem = os.path.join(directory, "%02d-%s" % (state["count"], method))
            with open(stem + ".meta", "w") as f:
                f.write("%s %s\n" % (method, self.path))
                for key, value in self.headers.items():
                    f.write("%s: %s\n" % (key, value))
            with open(stem + ".bin", "wb") as f:
                f.write(body)
            return body

        def group_version_kind(self):
            parts = self.path.split("?")[0].strip("/").split("/")
            group_version = "v1" if parts[0] == "api" else parts[1] + "/" + parts[2]
            names = [p for p in parts[3 if parts[0] == "apis" else 2:] if p]
            if len(names) >= 2 and names[0] == "namespaces":
                names = names[2:]
            resource = names[0] + ("/" + names[2] if len(names) > 2 else "")
            kinds = [k for r, k, _ in RESOURCES.get(group_version, []) if r == resource]
            group_version = SUBRESOURCE_GROUPS.get(resource, group_version)
            return group_version, kinds[0] if kinds else "Status", names

        def do_GET(self):
            path = self.path.split("?")[0]
            if path == "/version":
                return self.answer(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.4"})
            if path == "/api":
                return self.answer(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                    {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
            if path == "/apis":
                groups = [gv for gv in RESOURCES if "/" in gv]
                return self.answer(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                    {"name": gv.split("/")[0], "versions": [{"groupVersion": gv, "version": "v1"}],
                     "preferredVersion": {"groupVersion": gv, "version": "v1"}} for gv in groups]})
            if path == "/api/v1":
                return self.answer(200, resource_list("v1"))
            if path.startswith("/apis/") and path[len("/apis/"):] in RESOURCES:
                return self.answer(200, resource_list(path[len("/apis/"):]))
            self.record("GET")
            if path == "/api/v1/nodes/n1":
                return self.answer(200, {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "uid": "n"}})
            if path == "/api/v1/pods":
                return self.answer(200, {"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [POD]})
            if path == "/api/v1/namespaces/default/pods/p1" and state.get("deleted"):
                return self.answer(404, {"apiVersion": "v1", "kind": "Status", "status": "Failure",
                                         "reason": "NotFound", "code": 404})
            if path == "/api/v1/namespaces/default/pods/p1":
                return self.answer(200, POD)
            if path == "/apis/certificates.k8s.io/v1/certificatesigningrequests/csr1":
                return self.answer(200, CSR)
            group_version, kind, names = self.group_version_kind()
            return self.answer(200, {"apiVersion": group_version, "kind": kind, "metadata": {"name": names[-1]}})

        def do_POST(self):
            self.record("POST")
            group_version, kind, names = self.group_version_kind()
            response = os.path.join(directory, "response.bin")
            if os.path.exists(response):
                return self.answer(201, open(response, "rb").read(), "application/vnd.kubernetes.protobuf")
            body = {"apiVersion": group_version, "kind": kind, "metadata": {"name": "x", "namespace": "default"}}
            if kind == "SelfSubjectAccessReview":
                body["status"] = {"allowed": True}
            if kind == "SelfSubjectReview":
                body["status"] = {"userInfo": {"username": "admin"}}
            if kind == "TokenRequest":
                body["status"] = {"token": "t", "expirationTimestamp": "2030-01-01T00:00:00Z"}
            return self.answer(201, body)

        def do_DELETE(self):
            self.record("DELETE")
            state["deleted"] = True
            return self.answer(200, {"apiVersion": "v1", "kind": "Status", "status": "Success"})

        def do_PATCH(self):
            self.record("PATCH")
            return self.answer(200, {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "uid": "n"},
                                     "spec": {"unschedulable": True}})

        def do_PUT(self):
            self.record("PUT")
            group_version, kind, names = self.group_version_kind()
            return self.answer(200, {"apiVersion": group_version, "kind": kind, "metadata": {"name": names[1]}})

    return Handler


def start(port, directory):
    os.makedirs(directory, exist_ok=True)
    state = {"lock": threading.Lock(), "count": 0}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(directory, state))
    return server, state


def fixtures(out_dir):
    import tempfile
    work = tempfile.mkdtemp()
    server, state = start(0, work)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = ["kubectl", "--kubeconfig=/dev/null", "--server=http://127.0.0.1:%d" % server.server_address[1]]
    os.makedirs(out_dir, exist_ok=True)
    for name, args, dry_run in COMMANDS:
        before = state["count"]
        subprocess.run(base + args, check=True, capture_output=True, timeout=60)
        bodies = []
        for n in range(before + 1, state["count"] + 1):
            for method in ("POST", "DELETE", "PUT"):
                stem = os.path.join(work, "%02d-%s" % (n, method))
                if os.path.exists(stem + ".bin") and "protobuf" in open(stem + ".meta").read():
                    bodies.append(open(stem + ".bin", "rb").read())
        if len(bodies) != 1:
            raise SystemExit("%s: expected one protobuf body, got %d" % (name, len(bodies)))
        with open(os.path.join(out_dir, name + ".b64"), "w") as f:
            f.write(base64.b64encode(bodies[0]).decode() + "\n")
        if dry_run:
            printed = subprocess.run(base + args[:args.index("--")] + ["--dry-run=client", "-o", "json"] +
                                     args[args.index("--"):] if "--" in args else
                                     base + args + ["--dry-run=client", "-o", "json"],
                                     check=True, capture_output=True, timeout=60).stdout
            with open(os.path.join(out_dir, name + ".kubectl.json"), "wb") as f:
                f.write(printed)
        print("captured", name)
    server.shutdown()


def main():
    # A test runner may spawn us with signals blocked; make sure its SIGTERM still ends us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    if sys.argv[1] == "serve":
        server, _ = start(int(sys.argv[2]), sys.argv[3])
        print("listening %d" % server.server_address[1], flush=True)
        server.serve_forever()
    elif sys.argv[1] == "fixtures":
        fixtures(sys.argv[2])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Load generator for skiff's Kubernetes API: a fixed-rate mix of create/get/list/update on
pods and ConfigMaps plus open watches, over HTTPS with the admin client certificate.
Prints p50/p99 per verb as JSON. Usage: load.py KUBECONFIG RATE SECONDS"""
import base64, http.client, json, os, ssl, sys, tempfile, threading, time, random

def client_context(kubeconfig):
    text = open(kubeconfig).read()
    def field(name):
        for line in text.splitlines():
            line = line.strip()
            if line.startswith(name + ":"):
                return base64.b64decode(line.split(":", 1)[1].strip())
    server = [l.split("server:", 1)[1].strip() for l in text.splitlines() if "server:" in l][0]
    folder = tempfile.mkdtemp()
    paths = {}
    for key, name in (("ca", "certificate-authority-data"), ("crt", "client-certificate-data"), ("key", "client-key-data")):
        paths[key] = os.path.join(folder, key)
        open(paths[key], "wb").write(field(name))
    context = ssl.create_default_context(cafile=paths["ca"])
    context.load_cert_chain(paths["crt"], paths["key"])
    context.check_hostname = False
    host, port = server.replace("https://", "").split(":")
    return context, host, int(port)

class Client:
    def __init__(self, context, host, port):
        self.connection = http.client.HTTPSConnection(host, port, context=context, timeout=30)

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        data = json.dumps(body).encode() if body is not None else None
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        payload = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:200]!r}")
        return json.loads(payload)

def pod(name):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "bench"}},
            "spec": {"containers": [{"name": "app", "image": "registry.local/app@sha256:" + "a" * 64,
                                     "resources": {"requests": {"cpu": "10m", "memory": "16Mi"},
                                                   "limits": {"memory": "16Mi"}}}],
                     "serviceAccountName": "bench", "automountServiceAccountToken": False}}

def configmap(name):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {"app": "bench"}},
            "data": {"payload": "x" * 1024}}

def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

def main():
    kubeconfig, rate, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    context, host, port = client_context(kubeconfig)
    ns = "/api/v1/namespaces/default"
    latencies = {"create": [], "get": [], "list": [], "update": []}
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    # Watches that stay open for the whole run, as controllers' would.
    watchers = []
    for kind in ("pods", "configmaps"):
        connection = http.client.HTTPSConnection(host, port, context=context, timeout=seconds + 30)
        connection.request("GET", f"{ns}/{kind}?watch=true&resourceVersion=0")
        watchers.append(connection)
    names = {"pods": [], "configmaps": []}
    counter = [0]

    def worker():
        client = Client(context, host, port)
        while True:
            with lock:
                now = time.monotonic()
                if now >= stop:
                    return
                counter[0] += 1
                n = counter[0]
                due = start + n / rate
            if due > now:
                time.sleep(due - now)
            kind = "pods" if n % 2 else "configmaps"
            make = pod if kind == "pods" else configmap
            choice = n % 10
            began = time.monotonic()
            with lock:
                existing = list(names[kind][-50:])
            if choice < 3 or not existing:
                verb = "create"
                name = f"bench-{int(rate)}-{n}"
                client.call("POST", f"{ns}/{kind}", make(name))
                with lock:
                    names[kind].append(name)
            elif choice < 7:
                verb = "get"
                client.call("GET", f"{ns}/{kind}/{random.choice(existing)}")
            elif choice < 8:
                verb = "list"
                client.call("GET", f"{ns}/{kind}?labelSelector=app%3Dbench&limit=500")
            else:
                verb = "update"
                name = random.choice(existing)
                obj = client.call("GET", f"{ns}/{kind}/{name}")
                obj["metadata"].setdefault("annotations", {})["touched"] = str(n)
                try:
                    client.call("PUT", f"{ns}/{kind}/{name}", obj)
                except RuntimeError as error:
                    if "409" not in str(error):
                        raise
            with lock:
                latencies[verb].append((time.monotonic() - began) * 1000)

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for connection in watchers:
        connection.close()
    result = {verb: {"count": len(v), "p50_ms": round(percentile(v, 50), 2), "p99_ms": round(percentile(v, 99), 2)}
              for verb, v in latencies.items() if v}
    print(json.dumps(result))

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Creates N objects of a kind, then times full lists. Usage: list.py KUBECONFIG pods|configmaps N REPEATS"""
import json, sys, time
sys.path.insert(0, __import__("os").path.dirname(__file__))
from load import Client, client_context, pod, configmap, percentile

kubeconfig, kind, count, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
context, host, port = client_context(kubeconfig)
client = Client(context, host, port)
ns = "/api/v1/namespaces/default"
make = pod if kind == "pods" else configmap
for n in range(count):
    client.call("POST", f"{ns}/{kind}", make(f"{kind}-{n}"))
# Time the server's answer (request to last byte), not Python's JSON parsing of it.
times = []
for _ in range(repeats):
    began = time.monotonic()
    client.connection.request("GET", f"{ns}/{kind}", headers={"Accept": "application/json"})
    body = client.connection.getresponse().read()
    times.append((time.monotonic() - began) * 1000)
listed = json.loads(body)
assert len(listed["items"]) >= count
print(json.dumps({"kind": kind, "items": len(listed["items"]), "p50_ms": round(percentile(times, 50), 2),
                  "p99_ms": round(percentile(times, 99), 2)}))

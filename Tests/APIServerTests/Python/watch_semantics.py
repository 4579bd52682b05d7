"""Watch semantics through the official Kubernetes Python client against skiff: initial events
ended by a bookmark (sendInitialEvents), periodic bookmarks, server-side timeouts, and 410 Gone
for a resourceVersion that compaction removed."""
import sys
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

config.load_kube_config(sys.argv[1])
v1 = client.CoreV1Api()
namespace = "default"


def check(condition, message):
    if not condition:
        print("FAIL:", message)
        sys.exit(1)


for i in range(3):
    v1.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name=f"w{i}")))

# sendInitialEvents: every existing object as ADDED, then a BOOKMARK marking the end.
events = []
started = time.monotonic()
for event in watch.Watch().stream(
    v1.list_namespaced_config_map, namespace, allow_watch_bookmarks=True, send_initial_events=True,
    resource_version_match="NotOlderThan", resource_version="", timeout_seconds=3,
):
    events.append(event)
    if event["type"] == "BOOKMARK":
        break
names = sorted(e["object"].metadata.name for e in events if e["type"] == "ADDED")
check({"w0", "w1", "w2"} <= set(names), f"initial events named {names}")
bookmark = events[-1]
check(bookmark["type"] == "BOOKMARK", f"last initial event was {bookmark['type']}")
annotations = bookmark["raw_object"]["metadata"].get("annotations", {})
check(annotations.get("k8s.io/initial-events-end") == "true", f"bookmark annotations {annotations}")

# timeoutSeconds: the server ends a quiet watch by itself.
started = time.monotonic()
quiet = list(watch.Watch().stream(
    v1.list_namespaced_config_map, namespace, resource_version=bookmark["raw_object"]["metadata"]["resourceVersion"],
    timeout_seconds=2,
))
elapsed = time.monotonic() - started
check(elapsed < 15, f"a 2 s watch lasted {elapsed:.1f} s")
check(quiet == [], f"a quiet watch delivered {[e['type'] for e in quiet]}")

# 410 Gone once the asked revision was compacted away (the server compacts every second here).
for round_ in range(30):
    v1.patch_namespaced_config_map("w0", namespace, {"data": {"round": str(round_)}})
time.sleep(3)
try:
    gone = list(watch.Watch().stream(
        v1.list_namespaced_config_map, namespace, resource_version="2", timeout_seconds=2,
    ))
    check(False, f"watch from a compacted revision delivered {[e['type'] for e in gone]}")
except ApiException as error:
    check(error.status == 410, f"watch from a compacted revision failed with {error.status}: {error.reason}")

print("ok")

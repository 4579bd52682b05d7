"""CRUD, list and watch through the official Kubernetes Python client against skiff.
Usage: client_crud.py KUBECONFIG. Exits non-zero with a message on the first failure."""
import sys, threading
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

config.load_kube_config(sys.argv[1])
core = client.CoreV1Api()
apps = client.AppsV1Api()
ns = "default"

def check(condition, message):
    if not condition:
        sys.exit("FAILED: " + message)

events = []
started = threading.Event()

def watcher():
    w = watch.Watch()
    started.set()
    for event in w.stream(core.list_namespaced_config_map, ns, label_selector="suite=python", timeout_seconds=20):
        events.append((event["type"], event["object"].metadata.name))
        if event["type"] == "DELETED":
            w.stop()

thread = threading.Thread(target=watcher)
thread.start()
started.wait()

body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-cm", labels={"suite": "python"}), data={"a": "1"})
created = core.create_namespaced_config_map(ns, body)
check(created.metadata.uid and created.metadata.resource_version, "create returns uid and resourceVersion")
read = core.read_namespaced_config_map("py-cm", ns)
check(read.data == {"a": "1"}, "read returns the data")
read.data["b"] = "2"
replaced = core.replace_namespaced_config_map("py-cm", ns, read)
check(int(replaced.metadata.resource_version) > int(created.metadata.resource_version), "replace moves the resourceVersion")
patched = core.patch_namespaced_config_map("py-cm", ns, {"data": {"c": "3"}})
check(patched.data == {"a": "1", "b": "2", "c": "3"}, f"patch merges: {patched.data}")
listed = core.list_namespaced_config_map(ns, label_selector="suite=python")
check([item.metadata.name for item in listed.items] == ["py-cm"], "list with a label selector")
try:
    read.metadata.resource_version = created.metadata.resource_version
    core.replace_namespaced_config_map("py-cm", ns, read)
    check(False, "a stale resourceVersion must conflict")
except ApiException as error:
    check(error.status == 409, f"stale update is 409, got {error.status}")

deployment = client.V1Deployment(
    metadata=client.V1ObjectMeta(name="py-web"),
    spec=client.V1DeploymentSpec(
        replicas=2,
        selector=client.V1LabelSelector(match_labels={"app": "py-web"}),
        template=client.V1PodTemplateSpec(
            metadata=client.V1ObjectMeta(labels={"app": "py-web"}),
            spec=client.V1PodSpec(containers=[client.V1Container(name="web", image="nginx:1.25")]))))
made = apps.create_namespaced_deployment(ns, deployment)
check(made.spec.template.spec.containers[0].image_pull_policy == "IfNotPresent", "pod template defaults applied")
scale = apps.read_namespaced_deployment_scale("py-web", ns)
check(scale.spec.replicas == 2, "scale subresource")
apps.patch_namespaced_deployment_scale("py-web", ns, {"spec": {"replicas": 3}})
check(apps.read_namespaced_deployment("py-web", ns).spec.replicas == 3, "scale patch")
apps.delete_namespaced_deployment("py-web", ns)

core.delete_namespaced_config_map("py-cm", ns)
try:
    core.read_namespaced_config_map("py-cm", ns)
    check(False, "deleted object must be gone")
except ApiException as error:
    check(error.status == 404, "read after delete is 404")

thread.join(25)
types = [t for t, name in events if name == "py-cm"]
check(types[:1] == ["ADDED"] and types[-1:] == ["DELETED"] and "MODIFIED" in types, f"watch saw {types}")
print("ok")
